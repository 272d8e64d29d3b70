/**
 * Split search: adds a node's histogram blocks in block order, derives the larger child by
 * subtraction, and finds each child's best split on each feature (XGBoost's gain).
 */
import {
	GROUP_SIZE,
	FEATURE_DOUBLES,
	INT_ACTIVE,
	FLOAT_LAMBDA,
	FLOAT_MIN_CHILD_WEIGHT,
	FLOAT_GRADIENT_STEP,
	FLOAT_HESSIAN_STEP,
	FLOAT_PACK,
	JOB_I,
	JOB_SMALL_SLOT,
	JOB_PARENT_SLOT,
	JOB_SMALL_SPLITTABLE,
	JOB_LARGE_SPLITTABLE,
	JOB_FIRST_BLOCK,
	JOB_BLOCKS,
	JOB_F,
	JOB_SMALL_G,
	JOB_SMALL_H,
	JOB_LARGE_G,
	JOB_LARGE_H,
	BLOCK_I,
	BLOCK_SLOT,
	RESULT_F,
	RESULT_I,
} from './protocol';
import { type SharedState } from './binned';

/**
 * Task (job, group of GROUP_SIZE active features): adds the job's other blocks into its first
 * (the smaller child's slot) in block order, derives the larger child's histogram by
 * subtraction from the parent (in the parent's slot), then finds each child's best split on
 * each feature of the group.
 */
export function splitTask(s: SharedState, task: number): void {
	const activeCount = s.ints[INT_ACTIVE];
	const groups = Math.ceil(activeCount / GROUP_SIZE);
	const job = Math.floor(task / groups);
	const first = (task - job * groups) * GROUP_SIZE;
	const last = Math.min(activeCount, first + GROUP_SIZE);
	const ji = job * JOB_I;
	const firstBlock = s.jobsI[ji + JOB_FIRST_BLOCK];
	const blocks = s.jobsI[ji + JOB_BLOCKS];
	const smallSlot = s.jobsI[ji + JOB_SMALL_SLOT];
	const parentSlot = s.jobsI[ji + JOB_PARENT_SLOT];
	const small = s.slots[smallSlot];
	const lambda = s.floats[FLOAT_LAMBDA];
	const minChildWeight = s.floats[FLOAT_MIN_CHILD_WEIGHT];
	const smallSplittable = s.jobsI[ji + JOB_SMALL_SPLITTABLE] === 1;
	const largeSplittable = s.jobsI[ji + JOB_LARGE_SPLITTABLE] === 1;
	const jf = job * JOB_F;
	for (let a = first; a < last; a++) {
		const f = s.active[a];
		const at = f * FEATURE_DOUBLES;
		const end = at + s.binCount[f] + 1;
		for (let b = 1; b < blocks; b++) {
			const other = s.slots[s.blocksI[(firstBlock + b) * BLOCK_I + BLOCK_SLOT]];
			for (let i = at; i < end; i++) small[i] += other[i];
		}
		if (parentSlot >= 0) {
			const parent = s.slots[parentSlot];
			for (let i = at; i < end; i++) parent[i] -= small[i];
			if (largeSplittable) {
				bestSplitOfFeature(
					s,
					parent,
					at,
					s.binCount[f],
					s.jobsF[jf + JOB_LARGE_G],
					s.jobsF[jf + JOB_LARGE_H],
					lambda,
					minChildWeight,
					(job * 2 + 1) * s.features + f,
				);
			}
		}
		if (smallSplittable) {
			bestSplitOfFeature(
				s,
				small,
				at,
				s.binCount[f],
				s.jobsF[jf + JOB_SMALL_G],
				s.jobsF[jf + JOB_SMALL_H],
				lambda,
				minChildWeight,
				job * 2 * s.features + f,
			);
		}
	}
}

/**
 * The best split of one node on one feature from its histogram (k value bins then the missing
 * bin, each a packed sum of gradient and hessian units, from `base`), trying every threshold
 * with missing values sent right, then left. The node's sums are in units too; the gain is
 * XGBoost's on the sums scaled back by the steps: G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ);
 * both children need a hessian of at least minChildWeight. Ties keep the first (lowest bin,
 * missing right). With no missing weight in the node, missing values go to the child with
 * more cover. Writes -Infinity when no split is valid; the left sums as units.
 */
export function bestSplitOfFeature(
	s: SharedState,
	hist: Float64Array,
	base: number,
	k: number,
	totalG: number,
	totalH: number,
	lambda: number,
	minChildWeight: number,
	result: number,
): void {
	const gStep = s.floats[FLOAT_GRADIENT_STEP];
	const hStep = s.floats[FLOAT_HESSIAN_STEP];
	const pack = s.floats[FLOAT_PACK];
	const unpack = 1 / pack;
	// A child lighter than this (in units) is rounding noise, not rows.
	const minHess = Math.max(minChildWeight / hStep, totalH * 1e-9);
	const missing = hist[base + k];
	const missG = Math.floor(missing * unpack);
	const missH = missing - missG * pack;
	const hasMissing = missing !== 0;
	const parentScore = square(totalG * gStep) / (totalH * hStep + lambda);
	let bestGain = -Infinity;
	let bestBin = -1;
	let bestMissingLeft = 0;
	let bestG = 0;
	let bestH = 0;
	let left = 0;
	for (let b = 0; b < k; b++) {
		const bin = hist[base + b];
		// An empty bin moves no weight: its thresholds equal the previous bin's, which won ties already.
		if (bin === 0 && b > 0) continue;
		left += bin;
		const gl = Math.floor(left * unpack);
		const hl = left - gl * pack;
		// Missing right: the last bin would send every present row left, only worth it with missing rows.
		if (b < k - 1 || hasMissing) {
			const hr = totalH - hl;
			if (hl >= minHess && hr >= minHess) {
				const gain = square(gl * gStep) / (hl * hStep + lambda) + square((totalG - gl) * gStep) / (hr * hStep + lambda) - parentScore;
				if (gain > bestGain) {
					bestGain = gain;
					bestBin = b;
					bestMissingLeft = 0;
					bestG = gl;
					bestH = hl;
				}
			}
		}
		if (hasMissing && b < k - 1) {
			const gl2 = gl + missG;
			const hl2 = hl + missH;
			const hr = totalH - hl2;
			if (hl2 >= minHess && hr >= minHess) {
				const gain = square(gl2 * gStep) / (hl2 * hStep + lambda) + square((totalG - gl2) * gStep) / (hr * hStep + lambda) - parentScore;
				if (gain > bestGain) {
					bestGain = gain;
					bestBin = b;
					bestMissingLeft = 1;
					bestG = gl2;
					bestH = hl2;
				}
			}
		}
	}
	if (!hasMissing && bestBin >= 0) bestMissingLeft = bestH >= totalH - bestH ? 1 : 0;
	s.resultsF[RESULT_F * result] = bestGain;
	s.resultsF[RESULT_F * result + 1] = bestG;
	s.resultsF[RESULT_F * result + 2] = bestH;
	s.resultsI[RESULT_I * result] = bestBin;
	s.resultsI[RESULT_I * result + 1] = bestMissingLeft;
}

function square(x: number): number {
	return x * x;
}
