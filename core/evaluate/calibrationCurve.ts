/**
 * The calibration curve: within bins of similar predicted probability, the mean prediction
 * against the share of rows where the outcome happened. A well-calibrated model's points lie
 * on the diagonal.
 */
import { checkSameLength, sortedOrder } from './auc';

export interface CalibrationPoint {
	/** Bin edges in probability, [from, to) (the last bin includes `to`). */
	readonly from: number;
	readonly to: number;
	readonly count: number;
	readonly meanPredicted: number;
	readonly actualRate: number;
}

/**
 * 'quantile' bins hold about equally many rows (useful for rare outcomes, where most predictions
 * are small); 'uniform' bins are equally wide over [0, 1].
 */
export type BinStrategy = 'quantile' | 'uniform';

/**
 * Points of the calibration curve over `bins` bins (default 10, quantile), empty bins left out;
 * equal predictions always share a bin, so quantile bins may be fewer. [] for empty input;
 * throws RangeError for a probability that is NaN or outside [0, 1] (naming the row). With
 * per-row weights, means and rates are weighted (counts stay rows).
 */
export function calibrationCurve(
	labels: ArrayLike<number>,
	probabilities: ArrayLike<number>,
	bins = 10,
	strategy: BinStrategy = 'quantile',
	weights?: ArrayLike<number>,
): CalibrationPoint[] {
	const n = checkSameLength(labels, probabilities, 'calibrationCurve');
	for (let i = 0; i < n; i++) {
		const p = probabilities[i];
		if (!(p >= 0 && p <= 1)) throw new RangeError(`calibrationCurve: the probability of row ${i + 1} is ${p}; every probability must be in [0, 1].`);
	}
	if (n === 0) return [];
	const edges = strategy === 'uniform' ? uniformEdges(bins) : quantileEdges(probabilities, bins);
	const last = edges.length - 2;
	const count = new Float64Array(last + 1);
	const weight = new Float64Array(last + 1);
	const predicted = new Float64Array(last + 1);
	const actual = new Float64Array(last + 1);
	for (let i = 0; i < n; i++) {
		const b = Math.min(last, binOf(edges, probabilities[i]));
		const w = weights ? weights[i] : 1;
		count[b]++;
		weight[b] += w;
		predicted[b] += w * probabilities[i];
		if (labels[i] === 1) actual[b] += w;
	}
	const points: CalibrationPoint[] = [];
	for (let b = 0; b <= last; b++) {
		if (count[b] === 0) continue;
		points.push({ from: edges[b], to: edges[b + 1], count: count[b], meanPredicted: predicted[b] / weight[b], actualRate: actual[b] / weight[b] });
	}
	return points;
}

function uniformEdges(bins: number): number[] {
	return Array.from({ length: bins + 1 }, (_, b) => b / bins);
}

/** Edges at the 1/bins, 2/bins, … quantiles of the predictions, duplicates merged, spanning [0, 1]. */
function quantileEdges(probabilities: ArrayLike<number>, bins: number): number[] {
	const order = sortedOrder(probabilities);
	const n = order.length;
	const edges = [0];
	for (let b = 1; b < bins; b++) {
		const q = probabilities[order[Math.min(n - 1, Math.floor((b * n) / bins))]];
		if (q > edges[edges.length - 1]) edges.push(q);
	}
	if (edges[edges.length - 1] < 1) edges.push(1);
	return edges;
}

/** The index b with edges[b] <= p < edges[b + 1] (binary search). */
function binOf(edges: readonly number[], p: number): number {
	let lo = 0;
	let hi = edges.length - 1;
	while (hi - lo > 1) {
		const mid = (lo + hi) >> 1;
		if (edges[mid] <= p) lo = mid;
		else hi = mid;
	}
	return lo;
}
