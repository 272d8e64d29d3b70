import assert from 'node:assert/strict';
import {
	COMMAND,
	SLOTS_PER_BUFFER,
	GROUP_SIZE,
	FEATURE_DOUBLES,
	INT_ACTIVE,
	FLOAT_LAMBDA,
	FLOAT_MIN_CHILD_WEIGHT,
	JOB_BUFFER,
	JOB_BEGIN,
	JOB_END,
	JOB_SMALL_SLOT,
	JOB_PARENT_SLOT,
	JOB_SMALL_SPLITTABLE,
	JOB_LARGE_SPLITTABLE,
	JOB_FIRST_BLOCK,
	JOB_BLOCKS,
	JOB_SMALL_G,
	JOB_SMALL_H,
	JOB_LARGE_G,
	JOB_LARGE_H,
	BLOCK_I,
	BLOCK_JOB,
	BLOCK_BEGIN,
	BLOCK_END,
	BLOCK_SLOT,
	RESULT_F,
	RESULT_I,
} from '../../core/learn/gbdt/protocol';
import { allocateShared, viewShared, writeActiveFeatures, histogramDoubles, addSlotViews, MAX_FEATURES, type SharedState } from '../../core/learn/gbdt/binned';
import { runTask } from '../../core/learn/gbdt/kernels';
import { quantisationFor, writeQuantisation, gradientUnits } from '../../core/learn/gbdt/quantise';
import { createRng } from '../../core/util/rng';

const ROWS = 3000;
const FEATURES = 15; // two row-word pairs, the second with one padding feature
const BINS = [5, 1, 12, 3, 40, 2, 9, 255, 7, 1, 30, 4, 2, 66, 11]; // value bins per feature; bin BINS[f] is missing

const ALL_FEATURES = Int32Array.from({ length: FEATURES }, (_, f) => f);
/** The first slot used for a job's second and later blocks. */
const FIRST_BLOCK_SLOT = 3;

const QUANTISATION = quantisationFor(ROWS, 1);
const { pack, gradientStep, hessianStep } = QUANTISATION;

/** Per row, its gradient and hessian in units (quantise.ts), as randomState packed them. */
const units = { g: new Float64Array(ROWS), h: new Float64Array(ROWS) };

/**
 * Shared state with random bins (some missing) and gradient pairs (whole units of every size
 * the quantisation allows, packed), rows in order in buffer 0.
 */
function randomState(seed: number, active = ALL_FEATURES): SharedState {
	const rng = createRng(seed);
	const s = viewShared(allocateShared(ROWS, FEATURES, false, false, 0));
	writeQuantisation(s.floats, QUANTISATION);
	for (let f = 0; f < FEATURES; f++) {
		s.binCount[f] = BINS[f];
		for (let r = 0; r < ROWS; r++) s.bins[f * ROWS + r] = rng.next() < 0.1 ? BINS[f] : rng.int(BINS[f]);
	}
	for (let r = 0; r < ROWS; r++) {
		s.order[0][r] = r;
		units.g[r] = rng.int(2 * QUANTISATION.gradientLevels + 1) - QUANTISATION.gradientLevels;
		units.h[r] = rng.int(QUANTISATION.hessianLevels + 1);
		s.gh[r] = units.g[r] * pack + units.h[r];
	}
	runTask(s, COMMAND.pack, 0);
	writeActiveFeatures(s, active);
	s.floats[FLOAT_LAMBDA] = 1;
	s.floats[FLOAT_MIN_CHILD_WEIGHT] = 1;
	addSlotViews(s, new SharedArrayBuffer(8 * SLOTS_PER_BUFFER * histogramDoubles(s)));
	return s;
}

/** Runs one histogram job (job 0) over positions [begin, end) of `buffer`, in `blocks` blocks, then its split tasks. */
function histogramJob(
	s: SharedState,
	job: {
		buffer: number;
		begin: number;
		end: number;
		smallSlot: number;
		parentSlot: number;
		blocks?: number;
		g?: number;
		h?: number;
		largeG?: number;
		largeH?: number;
	},
): void {
	s.jobsI[JOB_BUFFER] = job.buffer;
	s.jobsI[JOB_BEGIN] = job.begin;
	s.jobsI[JOB_END] = job.end;
	s.jobsI[JOB_SMALL_SLOT] = job.smallSlot;
	s.jobsI[JOB_PARENT_SLOT] = job.parentSlot;
	s.jobsI[JOB_SMALL_SPLITTABLE] = job.g === undefined ? 0 : 1;
	s.jobsI[JOB_LARGE_SPLITTABLE] = job.largeG === undefined ? 0 : 1;
	s.jobsF[JOB_SMALL_G] = job.g ?? 0;
	s.jobsF[JOB_SMALL_H] = job.h ?? 0;
	s.jobsF[JOB_LARGE_G] = job.largeG ?? 0;
	s.jobsF[JOB_LARGE_H] = job.largeH ?? 0;
	const blocks = job.blocks ?? 1;
	s.jobsI[JOB_FIRST_BLOCK] = 0;
	s.jobsI[JOB_BLOCKS] = blocks;
	const rows = job.end - job.begin;
	for (let b = 0; b < blocks; b++) {
		s.blocksI[b * BLOCK_I + BLOCK_JOB] = 0;
		s.blocksI[b * BLOCK_I + BLOCK_BEGIN] = job.begin + Math.floor((rows * b) / blocks);
		s.blocksI[b * BLOCK_I + BLOCK_END] = job.begin + Math.floor((rows * (b + 1)) / blocks);
		s.blocksI[b * BLOCK_I + BLOCK_SLOT] = b === 0 ? job.smallSlot : FIRST_BLOCK_SLOT + b - 1;
	}
	// Blocks in reverse, as another thread might finish them: the sums must not care.
	for (let b = blocks - 1; b >= 0; b--) runTask(s, COMMAND.histograms, b);
	for (let t = 0; t < Math.ceil(s.ints[INT_ACTIVE] / GROUP_SIZE); t++) runTask(s, COMMAND.splits, t);
}

/** The gradient and hessian sums (units) per bin of `features` in slot `index`, unpacked, one feature after another. */
function slot(s: SharedState, index: number, features: Iterable<number> = ALL_FEATURES): number[] {
	const out: number[] = [];
	for (const f of features) {
		for (const packed of s.slots[index].subarray(f * FEATURE_DOUBLES, f * FEATURE_DOUBLES + BINS[f] + 1)) {
			const g = gradientUnits(packed, pack);
			out.push(g, packed - g * pack);
		}
	}
	return out;
}

/** The histogram of rows `rows`, summed the obvious way, in the layout of slot(). */
function naiveHistogram(s: SharedState, rows: number[], features: Iterable<number> = ALL_FEATURES): number[] {
	const out: number[] = [];
	for (const f of features) {
		const bins = new Array<number>(2 * (BINS[f] + 1)).fill(0);
		for (const r of rows) {
			const b = s.bins[f * ROWS + r];
			bins[2 * b] += units.g[r];
			bins[2 * b + 1] += units.h[r];
		}
		out.push(...bins);
	}
	return out;
}

const allRows = (): number[] => Array.from({ length: ROWS }, (_, r) => r);

/** Sums of whole units are exact: any order of adding gives the same numbers. */
function assertEqual(actual: number[], expected: number[], what: string): void {
	assert.equal(actual.length, expected.length);
	for (let i = 0; i < actual.length; i++) assert.equal(actual[i], expected[i], `${what}[${i}]`);
}

describe('gradient histograms', () => {
	it("builds each feature's histogram as the plain sum of its rows' gradients and hessians per bin", () => {
		const s = randomState(1);
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1 });
		assertEqual(slot(s, 0), naiveHistogram(s, allRows()), 'root');
	});

	it('refuses more features than the histogram addresses can hold, before allocating anything', () => {
		assert.throws(() => allocateShared(10, MAX_FEATURES + 1, false, false, 0), /at most 100000 features, got 100001/);
	});

	it('gives the same histogram when a node is built in several blocks and the blocks are added', () => {
		const s = randomState(4);
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1, blocks: 5 });
		assertEqual(slot(s, 0), naiveHistogram(s, allRows()), 'root in five blocks');
	});

	it("builds the histograms of a tree's sampled features, whichever row words hold them", () => {
		const active = Int32Array.of(1, 6, 7, 13);
		const s = randomState(5, active);
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1, blocks: 2 });
		assertEqual(slot(s, 0, active), naiveHistogram(s, allRows(), active), 'sampled features');
	});

	it('gives the larger child, by subtracting the smaller from its parent, exactly the histogram built directly', () => {
		const s = randomState(2);
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1 });
		// Split on feature 2, bins 0..3 left: lay the children out in buffer 1 as a partition would.
		const left: number[] = [];
		const right: number[] = [];
		for (let r = 0; r < ROWS; r++) (s.bins[2 * ROWS + r] <= 3 ? left : right).push(r);
		const [small, large] = left.length <= right.length ? [left, right] : [right, left];
		[...small, ...large].forEach((r, i) => (s.order[1][i] = r));
		histogramJob(s, { buffer: 1, begin: 0, end: small.length, smallSlot: 1, parentSlot: 0, blocks: 3 });
		histogramJob(s, { buffer: 1, begin: small.length, end: ROWS, smallSlot: 2, parentSlot: -1 });
		assertEqual(slot(s, 1), naiveHistogram(s, small), 'smaller child');
		assertEqual(slot(s, 0), slot(s, 2), 'larger child by subtraction');
		assertEqual(slot(s, 2), naiveHistogram(s, large), 'larger child built directly');
	});

	it('finds the same best split per feature as trying every threshold and missing direction by hand', () => {
		const s = randomState(3);
		let g = 0;
		let h = 0;
		for (let r = 0; r < ROWS; r++) {
			g += units.g[r];
			h += units.h[r];
		}
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1, g, h });
		// The gain and the weight limit are on the sums scaled back from units.
		const score = (sg: number, sh: number): number => (sg * gradientStep) ** 2 / (sh * hessianStep + 1);
		const minUnits = 1 / hessianStep;
		for (let f = 0; f < FEATURES; f++) {
			let best = -Infinity;
			for (let b = 0; b < BINS[f]; b++) {
				for (const missingLeft of [false, true]) {
					let gl = 0;
					let hl = 0;
					for (let r = 0; r < ROWS; r++) {
						const bin = s.bins[f * ROWS + r];
						if (bin <= b || (missingLeft && bin === BINS[f])) {
							gl += units.g[r];
							hl += units.h[r];
						}
					}
					if (hl >= minUnits && h - hl >= minUnits) best = Math.max(best, score(gl, hl) + score(g - gl, h - hl) - score(g, h));
				}
			}
			const found = s.resultsF[RESULT_F * f];
			if (best === -Infinity) assert.equal(found, -Infinity, `feature ${f}`);
			else assert.ok(Math.abs(found - best) < 1e-9 * (1 + best), `feature ${f}: ${found} vs ${best}`);
			if (BINS[f] === 1) assert.equal(s.resultsI[RESULT_I * f], 0, 'one value bin can only split present from missing');
		}
	});
});
