import assert from 'node:assert/strict';
import {
	allocateShared, viewShared, runTask, writeGroups, histogramDoubles, COMMAND, SLOTS_PER_BUFFER,
	INT_GROUPS, FLOAT_LAMBDA, FLOAT_MIN_CHILD_WEIGHT, JOB_I, JOB_F, JOB_BUFFER, JOB_BEGIN, JOB_END, JOB_SMALL_SLOT,
	JOB_PARENT_SLOT, JOB_SMALL_SPLITTABLE, JOB_LARGE_SPLITTABLE, JOB_SMALL_G, JOB_SMALL_H, JOB_LARGE_G, JOB_LARGE_H,
	RESULT_F, RESULT_I, type SharedState,
} from '../../core/learn/gbdtKernels';
import { createRng } from '../../core/util/rng';

const ROWS = 3000;
const FEATURES = 15; // a pass of eight, then four, two and one
const BINS = [5, 1, 12, 3, 40, 2, 9, 255, 7, 1, 30, 4, 2, 66, 11]; // value bins per feature; bin BINS[f] is missing

/** Shared state with random bins (some missing) and gradient pairs, rows in order in buffer 0. */
function randomState(seed: number): SharedState {
	const rng = createRng(seed);
	const s = viewShared(allocateShared(ROWS, FEATURES, false, false, 0));
	let offset = 0;
	for (let f = 0; f < FEATURES; f++) {
		s.binCount[f] = BINS[f];
		s.histOffset[f] = offset;
		offset += BINS[f] + 1;
		for (let r = 0; r < ROWS; r++) s.bins[f * ROWS + r] = rng.next() < 0.1 ? BINS[f] : rng.int(BINS[f]);
	}
	s.histOffset[FEATURES] = offset;
	for (let r = 0; r < ROWS; r++) {
		s.order[0][r] = r;
		s.gh[0][2 * r] = rng.normal();
		s.gh[0][2 * r + 1] = 0.05 + rng.next();
	}
	for (let q = 0; q < Math.ceil(FEATURES / 4); q++) runTask(s, COMMAND.pack, q);
	// Features 0-11 fill three packed words; 12-14 (a partial word) are read as columns.
	writeGroups(s, Int32Array.from({ length: FEATURES }, (_, f) => f));
	s.floats[FLOAT_LAMBDA] = 1;
	s.floats[FLOAT_MIN_CHILD_WEIGHT] = 1;
	s.slotBuffers.push(new Float64Array(SLOTS_PER_BUFFER * histogramDoubles(s)));
	return s;
}

/** Runs one histogram job (job 0) over positions [begin, end) of `buffer`. */
function histogramJob(s: SharedState, job: { buffer: number; begin: number; end: number; smallSlot: number; parentSlot: number; g?: number; h?: number; largeG?: number; largeH?: number }): void {
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
	for (let t = 0; t < s.ints[INT_GROUPS]; t++) runTask(s, COMMAND.histograms, t);
	assert.ok(JOB_I > 0 && JOB_F > 0);
}

function slot(s: SharedState, index: number): Float64Array {
	const doubles = histogramDoubles(s);
	return s.slotBuffers[0].subarray(index * doubles, (index + 1) * doubles);
}

/** The histogram of rows `rows`, summed the obvious way. */
function naiveHistogram(s: SharedState, rows: number[]): Float64Array {
	const out = new Float64Array(histogramDoubles(s));
	const plane = s.histOffset[FEATURES];
	for (const r of rows) {
		for (let f = 0; f < FEATURES; f++) {
			const at = s.histOffset[f] + s.bins[f * ROWS + r];
			out[at] += s.gh[0][2 * r];
			out[plane + at] += s.gh[0][2 * r + 1];
		}
	}
	return out;
}

function assertClose(actual: Float64Array, expected: Float64Array, what: string): void {
	assert.equal(actual.length, expected.length);
	for (let i = 0; i < actual.length; i++) {
		assert.ok(Math.abs(actual[i] - expected[i]) <= 1e-9 * (1 + Math.abs(expected[i])), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
	}
}

describe('gradient histograms', () => {
	it('builds each feature\'s histogram as the plain sum of its rows\' gradients and hessians per bin', () => {
		const s = randomState(1);
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1 });
		assertClose(slot(s, 0), naiveHistogram(s, Array.from({ length: ROWS }, (_, r) => r)), 'root');
	});

	it('gives the larger child, by subtracting the smaller from its parent, the histogram built directly (to rounding)', () => {
		const s = randomState(2);
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1 });
		// Split on feature 2, bins 0..3 left: lay the children out in buffer 1 as a partition would.
		const left: number[] = [];
		const right: number[] = [];
		for (let r = 0; r < ROWS; r++) (s.bins[2 * ROWS + r] <= 3 ? left : right).push(r);
		const [small, large] = left.length <= right.length ? [left, right] : [right, left];
		[...small, ...large].forEach((r, i) => {
			s.order[1][i] = r;
			s.gh[1][2 * i] = s.gh[0][2 * r];
			s.gh[1][2 * i + 1] = s.gh[0][2 * r + 1];
		});
		histogramJob(s, { buffer: 1, begin: 0, end: small.length, smallSlot: 1, parentSlot: 0 });
		histogramJob(s, { buffer: 1, begin: small.length, end: ROWS, smallSlot: 2, parentSlot: -1 });
		assertClose(slot(s, 1), naiveHistogram(s, small), 'smaller child');
		assertClose(slot(s, 0), slot(s, 2), 'larger child by subtraction');
		assertClose(slot(s, 2), naiveHistogram(s, large), 'larger child built directly');
	});

	it('finds the same best split per feature as trying every threshold and missing direction by hand', () => {
		const s = randomState(3);
		let g = 0;
		let h = 0;
		for (let r = 0; r < ROWS; r++) {
			g += s.gh[0][2 * r];
			h += s.gh[0][2 * r + 1];
		}
		histogramJob(s, { buffer: 0, begin: 0, end: ROWS, smallSlot: 0, parentSlot: -1, g, h });
		const score = (sg: number, sh: number): number => (sg * sg) / (sh + 1);
		for (let f = 0; f < FEATURES; f++) {
			let best = -Infinity;
			for (let b = 0; b < BINS[f]; b++) {
				for (const missingLeft of [false, true]) {
					let gl = 0;
					let hl = 0;
					for (let r = 0; r < ROWS; r++) {
						const bin = s.bins[f * ROWS + r];
						if (bin <= b || (missingLeft && bin === BINS[f])) {
							gl += s.gh[0][2 * r];
							hl += s.gh[0][2 * r + 1];
						}
					}
					if (hl >= 1 && h - hl >= 1) best = Math.max(best, score(gl, hl) + score(g - gl, h - hl) - score(g, h));
				}
			}
			const found = s.resultsF[RESULT_F * f];
			if (best === -Infinity) assert.equal(found, -Infinity, `feature ${f}`);
			else assert.ok(Math.abs(found - best) < 1e-9 * (1 + best), `feature ${f}: ${found} vs ${best}`);
			if (BINS[f] === 1) assert.equal(s.resultsI[RESULT_I * f], 0, 'one value bin can only split present from missing');
		}
	});
});
