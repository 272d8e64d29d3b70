import assert from 'node:assert/strict';
import { COMMAND, CHUNK_ROWS, INT_POSITIONS, INT_IDENTITY } from '../../core/learn/gbdt/protocol';
import { allocateShared, viewShared, type SharedState } from '../../core/learn/gbdt/binned';
import { runTask } from '../../core/learn/gbdt/kernels';
import { quantisationFor, writeQuantisation, writeTreeSeed, gradientUnits, MAX_TRAINING_ROWS } from '../../core/learn/gbdt/quantise';
import { createRng } from '../../core/util/rng';

const ROWS = 5 * CHUNK_ROWS + 321;

/** Scores and labels at random, every row in the sample, the quantisation for ROWS rows. */
function gradientState(seed: number): SharedState {
	const rng = createRng(seed);
	const s = viewShared(allocateShared(ROWS, 1, false, false, 0));
	for (let r = 0; r < ROWS; r++) {
		s.negExp[r] = Math.exp(-4 * rng.normal());
		s.label[r] = rng.next() < 0.3 ? 1 : 0;
	}
	s.ints[INT_POSITIONS] = ROWS;
	s.ints[INT_IDENTITY] = 1;
	writeQuantisation(s.floats, quantisationFor(ROWS, 1));
	return s;
}

/** Runs the gradient tasks for tree seed `seed`, chunks in the given order; returns each row's units. */
function gradients(s: SharedState, seed: number, chunks: number[]): { g: number[]; h: number[] } {
	writeTreeSeed(s.ints, seed);
	for (const c of chunks) runTask(s, COMMAND.gradients, c);
	const { pack } = quantisationFor(ROWS, 1);
	const g: number[] = [];
	const h: number[] = [];
	for (const packed of s.gh) {
		const units = gradientUnits(packed, pack);
		g.push(units);
		h.push(packed - units * pack);
	}
	return { g, h };
}

const chunkList = (): number[] => Array.from({ length: Math.ceil(ROWS / CHUNK_ROWS) }, (_, c) => c);

describe('quantised gradients', () => {
	it('keeps every packed sum of a node below 2^53 and its hessian units below the packing factor, from 2 rows to the limit', () => {
		for (const rows of [2, 3, 1000, 2 ** 17 - 1, 2 ** 17, 100_000, 1_000_000, 2 ** 24, MAX_TRAINING_ROWS]) {
			const q = quantisationFor(rows, 1);
			assert.ok(q.gradientLevels >= 1 && q.hessianLevels >= 1, `${rows} rows: at least one level`);
			assert.ok(rows * (q.hessianLevels + 1) <= q.pack, `${rows} rows: hessian sums stay below the packing factor`);
			assert.ok(rows * (q.gradientLevels + 1) * q.pack <= 2 ** 53, `${rows} rows: packed sums stay exact`);
		}
		assert.equal(quantisationFor(100_000, 1).gradientLevels, 511);
		assert.equal(quantisationFor(1_000_000, 1).gradientLevels, 63);
	});

	it('refuses more rows than the packed sums can hold', () => {
		assert.throws(() => quantisationFor(MAX_TRAINING_ROWS + 1, 1), /at most 33554431 rows, got 33554432/);
		assert.throws(() => allocateShared(MAX_TRAINING_ROWS + 1, 1, false, false, 0), /at most 33554431 rows/);
	});

	it('rounds each gradient and hessian to a neighbouring unit, without bias, and sums the units per chunk', () => {
		const s = gradientState(1);
		const q = quantisationFor(ROWS, 1);
		const { g, h } = gradients(s, 12345, chunkList());
		let gError = 0;
		let hError = 0;
		for (let r = 0; r < ROWS; r++) {
			const p = 1 / (1 + s.negExp[r]);
			const exactG = (p - s.label[r]) / q.gradientStep;
			const exactH = (p * (1 - p)) / q.hessianStep;
			assert.ok(g[r] === Math.floor(exactG) || g[r] === Math.ceil(exactG), `row ${r}: gradient ${g[r]} units for ${exactG}`);
			assert.ok(h[r] === Math.floor(exactH) || h[r] === Math.ceil(exactH), `row ${r}: hessian ${h[r]} units for ${exactH}`);
			assert.ok(Math.abs(g[r]) <= q.gradientLevels && h[r] >= 0 && h[r] <= q.hessianLevels);
			gError += g[r] - exactG;
			hError += h[r] - exactH;
		}
		// Rounding errors are uniform in (-1, 1) units: their mean over 41,281 rows is within 0.01.
		assert.ok(Math.abs(gError / ROWS) < 0.01, `mean gradient rounding ${gError / ROWS}`);
		assert.ok(Math.abs(hError / ROWS) < 0.01, `mean hessian rounding ${hError / ROWS}`);
		let sumG = 0;
		let sumH = 0;
		for (let c = 0; c < chunkList().length; c++) {
			sumG += s.chunkSums[2 * c];
			sumH += s.chunkSums[2 * c + 1];
		}
		assert.equal(
			sumG,
			g.reduce((a, b) => a + b, 0),
		);
		assert.equal(
			sumH,
			h.reduce((a, b) => a + b, 0),
		);
	});

	it("rounds by the row and the tree's seed alone: chunks in any order agree, another seed rounds otherwise", () => {
		const forward = gradients(gradientState(2), 7, chunkList());
		const backward = gradients(gradientState(2), 7, chunkList().reverse());
		assert.deepEqual(backward, forward);
		const other = gradients(gradientState(2), 8, chunkList());
		const differ = other.g.filter((units, r) => units !== forward.g[r]).length;
		assert.ok(differ > ROWS / 10, `another tree seed changes the rounding of many rows (${differ})`);
	});
});
