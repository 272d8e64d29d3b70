/**
 * The scoring arithmetic shared by every mode: probability → score 0–100, percentile 1–100
 * among the scored, and bucket (low / medium / high) from explicit boundaries.
 */
import { InputError } from '../errors';
import { withThousands } from '../util/counts';
import type { Bucket, BucketBoundaries } from './types';

/** The probability in percent, rounded to a whole number and kept within 0–100. */
export function scoreFromProbability(probability: number): number {
	if (Number.isNaN(probability)) throw new RangeError('scoreFromProbability: the probability is NaN; score only rows the model could score.');
	return Math.min(100, Math.max(0, Math.round(probability * 100)));
}

/** Percentiles run 1–100; the order statistics that bound them are found among this many value buckets. */
const PERCENTILES = 100;
const SELECT_BUCKETS = 65536;

/**
 * For each profile, the share (in percent, rounded up, 1–100) of the scored profiles whose
 * probability is at or below its own: the highest gets 100, equal probabilities get the same
 * percentile, and the order of the rows never matters.
 *
 * A profile whose probability p has c profiles at or below it gets ceil(100·c/n), which is the
 * number of k in 1..100 with c > (k−1)·n/100, i.e. with p ≥ the value at sorted position
 * floor((k−1)·n/100). So only those 100 order statistics are needed, not a full sort: they are
 * found by bucketing the values (one pass) and sorting only the buckets that hold them.
 */
export function percentiles(probabilities: ArrayLike<number>): Uint8Array {
	const n = probabilities.length;
	const out = new Uint8Array(n);
	if (n === 0) return out;
	let min = Infinity;
	let max = -Infinity;
	for (let i = 0; i < n; i++) {
		const p = probabilities[i];
		if (Number.isNaN(p)) throw new RangeError(`percentiles: the probability of row ${i + 1} is NaN; score only rows the model could score.`);
		if (p < min) min = p;
		if (p > max) max = p;
	}
	const thresholds = percentileThresholds(probabilities, min, max);
	for (let i = 0; i < n; i++) {
		// Binary search for the number of thresholds at or below p (thresholds ascend; the first is the minimum).
		const p = probabilities[i];
		let low = 0;
		let high = PERCENTILES;
		while (low < high) {
			const mid = (low + high) >>> 1;
			if (thresholds[mid] <= p) low = mid + 1;
			else high = mid;
		}
		out[i] = low;
	}
	return out;
}

/** The values at sorted positions floor(k·n/100), k = 0..99, of `values` (no NaN; min and max given). */
function percentileThresholds(values: ArrayLike<number>, min: number, max: number): Float64Array {
	const n = values.length;
	const positions = Array.from({ length: PERCENTILES }, (_, k) => Math.floor((k * n) / PERCENTILES));
	const spread = max - min;
	if (!Number.isFinite(spread) || spread === 0) {
		// All equal, or infinite values that the bucket arithmetic cannot place: sort a copy.
		const sorted = Float64Array.from(values).sort();
		return Float64Array.from(positions, (at) => sorted[at]);
	}
	// Correctly rounded arithmetic is monotone, so the bucket never decreases as the value grows.
	const scale = (SELECT_BUCKETS - 1) / spread;
	const bucketOfValue = (x: number) => Math.min(SELECT_BUCKETS - 1, Math.floor((x - min) * scale));
	const counts = new Uint32Array(SELECT_BUCKETS + 1);
	for (let i = 0; i < n; i++) counts[bucketOfValue(values[i]) + 1]++;
	for (let b = 1; b <= SELECT_BUCKETS; b++) counts[b] += counts[b - 1];
	// counts[b] is now the sorted position of bucket b's first value; gather the buckets holding a wanted position.
	const wanted = new Uint8Array(SELECT_BUCKETS);
	const bucketAt = positions.map((at) => {
		let low = 0;
		let high = SELECT_BUCKETS - 1;
		while (low < high) {
			const mid = (low + high + 1) >>> 1;
			if (counts[mid] <= at) low = mid;
			else high = mid - 1;
		}
		wanted[low] = 1;
		return low;
	});
	const gathered = new Map<number, number[]>();
	for (let i = 0; i < n; i++) {
		const b = bucketOfValue(values[i]);
		if (wanted[b] === 1) {
			let list = gathered.get(b);
			if (!list) gathered.set(b, (list = []));
			list.push(values[i]);
		}
	}
	const sortedBuckets = new Map(Array.from(gathered, ([b, list]) => [b, Float64Array.from(list).sort()]));
	return Float64Array.from(positions, (at, k) => (sortedBuckets.get(bucketAt[k]) as Float64Array)[at - counts[bucketAt[k]]]);
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

/** How many profiles fell in each bucket, highest first, as every command and host writes it: "1,943 high, 640 medium, 417 low". */
export function bucketCountsInWords(counts: Readonly<Record<Bucket, number>>): string {
	return `${withThousands(counts.high)} high, ${withThousands(counts.medium)} medium, ${withThousands(counts.low)} low`;
}
