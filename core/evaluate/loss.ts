/**
 * How close predicted probabilities are to what happened: log loss, the Brier score and the
 * base rate. Each is NaN for empty input or when a probability is NaN. Optional per-row
 * weights make each row count as that many rows (a sampled row stands for the rows left out).
 */
import { checkSameLength } from './auc';

/** Probabilities are clipped to [eps, 1 - eps] so one confident miss costs a large but finite loss. */
export const logLossEpsilon = 1e-15;

/** Mean negative log-likelihood of 0/1 `labels` under `probabilities` (clipped to [eps, 1 − eps]). */
export function logLoss(labels: ArrayLike<number>, probabilities: ArrayLike<number>, eps = logLossEpsilon, weights?: ArrayLike<number>): number {
	const n = checkSameLength(labels, probabilities, 'logLoss');
	if (n === 0) return NaN;
	let sum = 0;
	let total = 0;
	for (let i = 0; i < n; i++) {
		const p = Math.min(1 - eps, Math.max(eps, probabilities[i]));
		const w = weights ? weights[i] : 1;
		sum -= w * (labels[i] === 1 ? Math.log(p) : Math.log(1 - p));
		total += w;
	}
	return sum / total;
}

/** Mean squared difference between `probabilities` and 0/1 `labels` (0 is perfect, 0.25 a coin flip at 50%). */
export function brierScore(labels: ArrayLike<number>, probabilities: ArrayLike<number>, weights?: ArrayLike<number>): number {
	const n = checkSameLength(labels, probabilities, 'brierScore');
	if (n === 0) return NaN;
	let sum = 0;
	let total = 0;
	for (let i = 0; i < n; i++) {
		const d = probabilities[i] - (labels[i] === 1 ? 1 : 0);
		const w = weights ? weights[i] : 1;
		sum += w * d * d;
		total += w;
	}
	return sum / total;
}

/** Share of rows whose label is 1 (NaN when there are none). */
export function baseRate(labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
	if (labels.length === 0) return NaN;
	let positives = 0;
	let total = 0;
	for (let i = 0; i < labels.length; i++) {
		const w = weights ? weights[i] : 1;
		if (labels[i] === 1) positives += w;
		total += w;
	}
	return positives / total;
}
