/**
 * The scoring arithmetic shared by every mode: probability → score 0–100, percentile 1–100
 * among the scored, and bucket (low / medium / high) from explicit boundaries.
 */
import { InputError } from '../errors';
import type { Bucket, BucketBoundaries } from './types';

/** The probability in percent, rounded to a whole number and kept within 0–100. */
export function scoreFromProbability(probability: number): number {
	if (Number.isNaN(probability)) throw new RangeError('scoreFromProbability: the probability is NaN; score only rows the model could score.');
	return Math.min(100, Math.max(0, Math.round(probability * 100)));
}

/**
 * For each profile, the share (in percent, rounded up, 1–100) of the scored profiles whose
 * probability is at or below its own: the highest gets 100, equal probabilities get the same
 * percentile, and the order of the rows never matters.
 */
export function percentiles(probabilities: ArrayLike<number>): Uint8Array {
	const n = probabilities.length;
	const out = new Uint8Array(n);
	const order = new Uint32Array(n);
	for (let i = 0; i < n; i++) {
		if (Number.isNaN(probabilities[i])) throw new RangeError(`percentiles: the probability of row ${i + 1} is NaN; score only rows the model could score.`);
		order[i] = i;
	}
	order.sort((a, b) => probabilities[a] - probabilities[b] || a - b);
	for (let end = n; end > 0;) {
		// `end` counts the profiles at or below this tie group's probability.
		let begin = end - 1;
		while (begin > 0 && probabilities[order[begin - 1]] === probabilities[order[end - 1]]) begin--;
		const percentile = Math.max(1, Math.ceil((end * 100) / n));
		for (let k = begin; k < end; k++) out[order[k]] = percentile;
		end = begin;
	}
	return out;
}

/** Throws InputError unless 0 <= mediumFrom <= highFrom <= 100 (whole or fractional scores). */
export function checkBoundaries(boundaries: BucketBoundaries): void {
	const { mediumFrom, highFrom } = boundaries;
	if (!(Number.isFinite(mediumFrom) && Number.isFinite(highFrom) && mediumFrom >= 0 && mediumFrom <= highFrom && highFrom <= 100)) {
		throw new InputError(
			`The bucket boundaries are not usable (medium from ${mediumFrom}, high from ${highFrom}): they must satisfy 0 ≤ medium from ≤ high from ≤ 100, e.g. 25 and 75.`,
			'bad-buckets',
		);
	}
}

/** low for scores in [0, mediumFrom), medium in [mediumFrom, highFrom), high in [highFrom, 100]: every score in exactly one. */
export function bucketOf(score: number, boundaries: BucketBoundaries): Bucket {
	checkBoundaries(boundaries);
	if (Number.isNaN(score)) throw new RangeError('bucketOf: the score is NaN.');
	if (score >= boundaries.highFrom) return 'high';
	if (score >= boundaries.mediumFrom) return 'medium';
	return 'low';
}
