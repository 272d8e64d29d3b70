/**
 * The per-row scores: logistic-loss gradients from them, and a tree's leaf values added to
 * them (kept as exp(-score), see binned.ts).
 */
import {
	CHUNK_ROWS,
	UPDATE_ROWS,
	INT_POSITIONS,
	INT_IDENTITY,
	INT_UPDATE_NODES,
	INT_OUT_OF_BAG,
	INT_TREE_SEED,
	FLOAT_GRADIENT_STEP,
	FLOAT_HESSIAN_STEP,
	FLOAT_PACK,
	TREE_I,
	TREE_FEATURE,
	TREE_BIN,
	TREE_MISSING_LEFT,
	TREE_LEFT,
	TREE_RIGHT,
	JOB_I,
	JOB_F,
	SPLIT_BUFFER,
	SPLIT_BEGIN,
	SPLIT_END,
	SPLIT_FEATURE,
	SPLIT_BIN,
	SPLIT_MISSING_LEFT,
	UPDATE_LEFT_FACTOR,
	UPDATE_RIGHT_FACTOR,
} from './protocol';
import { type SharedState } from './binned';
import { sideOf } from './partition';
import { roundingBits } from './quantise';

/**
 * Logistic-loss gradients and hessians of chunk `c` of the sample (positions of buffer 0),
 * quantised by stochastic rounding and packed (quantise.ts), with the chunk's sums of units
 * written to chunkSums: whole numbers, so the sums never depend on how they were grouped.
 */
export function gradientTask(s: SharedState, c: number): void {
	const begin = c * CHUNK_ROWS;
	const end = Math.min(begin + CHUNK_ROWS, s.ints[INT_POSITIONS]);
	const identity = s.ints[INT_IDENTITY] === 1;
	const seed = s.ints[INT_TREE_SEED];
	const toGradientUnits = 1 / s.floats[FLOAT_GRADIENT_STEP];
	const toHessianUnits = 1 / s.floats[FLOAT_HESSIAN_STEP];
	const pack = s.floats[FLOAT_PACK];
	const order = s.order[0];
	const gh = s.gh;
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
		// Up with the probability of the remainder: the expected units are the exact ones.
		const bits = roundingBits(r, seed);
		const g = Math.floor((p - label[r]) * w * toGradientUnits + (bits & 0xffff) * ONE_IN_2_16);
		const h = Math.floor(p * (1 - p) * w * toHessianUnits + (bits >>> 16) * ONE_IN_2_16);
		gh[r] = g * pack + h;
		sumG += g;
		sumH += h;
	}
	s.chunkSums[2 * c] = sumG;
	s.chunkSums[2 * c + 1] = sumH;
}

const ONE_IN_2_16 = 1 / 65536;

/** exp(-value) of a settled split's right and left leaf, indexed by "goes left", so the choice needs no branch. */
const factors = new Float64Array(2);

/**
 * Task (rows [t * UPDATE_ROWS, ...)): adds this tree's output to the score of each row of the
 * range that the tree trained on. Each listed node is a leaf (its value for all its rows) or a
 * settled split (its left or right leaf value, the side decided from the bins). A node's rows
 * sit in ascending order in its positions (the tree's rows start ascending, and partitions
 * keep their order), so the rows of the range are one run of positions, found by binary
 * search. Cutting by rows, not by nodes, keeps each task's score writes in cache lines no
 * other task writes: a node's rows are spread over the whole score array. The listed
 * out-of-bag rows of the range (rows a subsampled tree did not train on) walk the tree.
 */
export function updateScoresTask(s: SharedState, t: number): void {
	const first = t * UPDATE_ROWS;
	const last = Math.min(s.rows, first + UPDATE_ROWS);
	const nodes = s.ints[INT_UPDATE_NODES];
	const { bins, binCount, negExp } = s;
	for (let j = 0; j < nodes; j++) {
		const ji = j * JOB_I;
		const order = s.order[s.jobsI[ji + SPLIT_BUFFER]];
		const end = s.jobsI[ji + SPLIT_END];
		const begin = firstAtLeast(order, s.jobsI[ji + SPLIT_BEGIN], end, first);
		const stop = firstAtLeast(order, begin, end, last);
		const f = s.jobsI[ji + SPLIT_FEATURE];
		const leftFactor = s.jobsF[j * JOB_F + UPDATE_LEFT_FACTOR];
		if (f < 0) {
			for (let i = begin; i < stop; i++) negExp[order[i]] *= leftFactor;
			continue;
		}
		const splitBin = s.jobsI[ji + SPLIT_BIN];
		const missing = binCount[f];
		const missingLeft = s.jobsI[ji + SPLIT_MISSING_LEFT];
		factors[0] = s.jobsF[j * JOB_F + UPDATE_RIGHT_FACTOR];
		factors[1] = leftFactor;
		const column = f * s.rows;
		for (let i = begin; i < stop; i++) {
			const r = order[i];
			negExp[r] *= factors[sideOf(bins[column + r], splitBin, missing, missingLeft)];
		}
	}
	const outOfBag = s.outOfBag;
	const count = s.ints[INT_OUT_OF_BAG];
	const from = firstAtLeast(outOfBag, 0, count, first);
	const to = firstAtLeast(outOfBag, from, count, last);
	for (let i = from; i < to; i++) {
		const r = outOfBag[i];
		negExp[r] *= s.treeF[leafOfRow(s, r)];
	}
}

/** The leaf of the tree in treeI that row r reaches, walking it over the row's bins. */
function leafOfRow(s: SharedState, r: number): number {
	const { treeI, bins, binCount } = s;
	let node = 0;
	for (let f = treeI[TREE_FEATURE]; f >= 0; f = treeI[node * TREE_I + TREE_FEATURE]) {
		const ni = node * TREE_I;
		const goesLeft = sideOf(bins[f * s.rows + r], treeI[ni + TREE_BIN], binCount[f], treeI[ni + TREE_MISSING_LEFT]);
		node = goesLeft === 1 ? treeI[ni + TREE_LEFT] : treeI[ni + TREE_RIGHT];
	}
	return node;
}

/** The first position in [begin, end) whose row is at least `row` (end if none): rows ascend there. */
function firstAtLeast(order: Int32Array, begin: number, end: number, row: number): number {
	let lo = begin;
	let hi = end;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (order[mid] < row) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
