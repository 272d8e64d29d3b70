/**
 * Partition (hot loop): moves a split node's row numbers, stably and without a branch on the
 * side, into the same positions of the other row buffer, left rows first. Gradient pairs stay
 * at their rows' indices (binned.ts), so a row move is one 32-bit number.
 */
import {
	JOB_I,
	SPLIT_BUFFER,
	SPLIT_FEATURE,
	SPLIT_BIN,
	SPLIT_MISSING_LEFT,
	CHUNK_I,
	CHUNK_JOB,
	CHUNK_BEGIN,
	CHUNK_END,
	CHUNK_LEFT_COUNT,
	CHUNK_LEFT_TO,
	CHUNK_RIGHT_TO,
} from './protocol';
import { type SharedState } from './binned';

/**
 * 1 when a row with bin b goes left at a split after `splitBin`, else 0. Sign-bit arithmetic,
 * not comparisons: V8 compiles those to branches, and the side of a row is a coin flip to the
 * processor (the mispredictions made the partition five times slower).
 */
export function sideOf(b: number, splitBin: number, missing: number, missingLeft: number): number {
	const atOrBelow = ((splitBin - b) >>> 31) ^ 1;
	const isMissing = ((b ^ missing) - 1) >>> 31;
	return atOrBelow | (isMissing & missingLeft);
}

/**
 * First pass of a partition: splits the chunk's rows into its
 * left rows and its right rows, each kept in order at the chunk's own positions of the left
 * and right scratch buffers, and counts the left ones. Every row is written to both buffers
 * and only one write pointer advances, so there is no branch on the side.
 */
export function partitionSplitTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const node = s.chunksI[ci + CHUNK_JOB] * JOB_I;
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const from = s.jobsI[node + SPLIT_BUFFER];
	const order = s.order[from];
	const f = s.jobsI[node + SPLIT_FEATURE];
	const splitBin = s.jobsI[node + SPLIT_BIN];
	const missing = s.binCount[f];
	const missingLeft = s.jobsI[node + SPLIT_MISSING_LEFT];
	const column = f * s.rows;
	const { bins, leftOrder, rightOrder } = s;
	let l = begin;
	let r = begin;
	for (let i = begin; i < end; i++) {
		const row = order[i];
		const goesLeft = sideOf(bins[column + row], splitBin, missing, missingLeft);
		leftOrder[l] = row;
		rightOrder[r] = row;
		l += goesLeft;
		r += 1 - goesLeft;
	}
	s.chunksI[ci + CHUNK_LEFT_COUNT] = l - begin;
}

/** Second pass: copies the chunk's left and right rows to their places in the other buffer. */
export function partitionPlaceTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const node = s.chunksI[ci + CHUNK_JOB] * JOB_I;
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const to = 1 - s.jobsI[node + SPLIT_BUFFER];
	const left = s.chunksI[ci + CHUNK_LEFT_COUNT];
	const leftTo = s.chunksI[ci + CHUNK_LEFT_TO];
	const rightTo = s.chunksI[ci + CHUNK_RIGHT_TO];
	s.order[to].set(s.leftOrder.subarray(begin, begin + left), leftTo);
	s.order[to].set(s.rightOrder.subarray(begin, end - left), rightTo);
}
