/**
 * The per-row scores: logistic-loss gradients from them, and a tree's leaf values added to
 * them (kept as exp(-score), see binned.ts).
 */
import {
	CHUNK_ROWS,
	INT_POSITIONS,
	INT_IDENTITY,
	JOB_I,
	JOB_F,
	SPLIT_BUFFER,
	SPLIT_FEATURE,
	SPLIT_BIN,
	SPLIT_MISSING_LEFT,
	SETTLED_LEFT_VALUE,
	SETTLED_RIGHT_VALUE,
	CHUNK_I,
	CHUNK_JOB,
	CHUNK_BEGIN,
	CHUNK_END,
} from './protocol';
import { type SharedState } from './binned';
import { sideOf } from './partition';

/**
 * Logistic-loss gradients and hessians of chunk `c` of the sample (positions of buffer 0),
 * with the chunk's sums written to chunkSums in the precision the histograms will see.
 */
export function gradientTask(s: SharedState, c: number): void {
	const begin = c * CHUNK_ROWS;
	const end = Math.min(begin + CHUNK_ROWS, s.ints[INT_POSITIONS]);
	const identity = s.ints[INT_IDENTITY] === 1;
	const order = s.order[0];
	const gh = s.gh[0];
	const { negExp, label, weight } = s;
	const weighted = weight.length > 0;
	let sumG = 0;
	let sumH = 0;
	for (let i = begin; i < end; i++) {
		let r = i;
		if (identity) order[i] = i;
		else r = order[i];
		const p = 1 / (1 + negExp[r]);
		const w = weighted ? weight[r] : 1;
		const g = Math.fround((p - label[r]) * w);
		const h = Math.fround(Math.max(p * (1 - p), 1e-16) * w);
		gh[2 * i] = g;
		gh[2 * i + 1] = h;
		sumG += g;
		sumH += h;
	}
	s.chunkSums[2 * c] = sumG;
	s.chunkSums[2 * c + 1] = sumH;
}

/** Adds a leaf's value to the score of each row in the chunk (a range of the leaf's positions): chunksF holds exp(-value). */
export function updateScoresTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const order = s.order[s.chunksI[ci + CHUNK_JOB]];
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const value = s.chunksF[c];
	const negExp = s.negExp;
	for (let i = begin; i < end; i++) negExp[order[i]] *= value;
}

/** Adds a settled split's left or right leaf value to each row of the chunk, deciding the side from the bins. */
export function updateSettledScoresTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const job = s.chunksI[ci + CHUNK_JOB];
	const node = job * JOB_I;
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const order = s.order[s.jobsI[node + SPLIT_BUFFER]];
	const f = s.jobsI[node + SPLIT_FEATURE];
	const splitBin = s.jobsI[node + SPLIT_BIN];
	const missing = s.binCount[f];
	const missingLeft = s.jobsI[node + SPLIT_MISSING_LEFT];
	// exp(-value) of each side, indexed by "goes left", so the choice needs no branch.
	const factors = Float64Array.of(Math.exp(-s.jobsF[job * JOB_F + SETTLED_RIGHT_VALUE]), Math.exp(-s.jobsF[job * JOB_F + SETTLED_LEFT_VALUE]));
	const column = f * s.rows;
	const { bins, negExp } = s;
	for (let i = begin; i < end; i++) {
		const r = order[i];
		negExp[r] *= factors[sideOf(bins[column + r], splitBin, missing, missingLeft)];
	}
}
