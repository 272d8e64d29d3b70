/**
 * Summarises a scored population (calibrated probabilities, and outcomes when known) into
 * the small, JSON-serialisable `ScoreSummary` the report draws: a score histogram, bucket
 * counts, deciles for lift and gains, and calibration bins. A saved model can keep the
 * summary instead of the rows, so a report can be rebuilt from the model alone. Scores and
 * buckets are computed as scoring computes them (core/score), deciles and calibration as the
 * metrics do (core/evaluate).
 */
import { InputError } from '../errors';
import { calibrationCurve, deciles, type ValidationMetrics } from '../evaluate';
import { bucketOf, checkBoundaries, scoreFromProbability } from '../score/buckets';
import { defaultBuckets, type Bucket, type BucketBoundaries } from '../score/types';
import type { BucketSummary, ScoreBin, ScoreSummary } from './types';

export interface SummariseOptions {
	/** Calibrated probabilities, 0–1; anything else is counted as skipped, not drawn. */
	readonly probabilities: ArrayLike<number>;
	/** Outcomes (1 = the goal happened, 0 = it did not), one per probability; omit for a scored population. */
	readonly labels?: ArrayLike<number>;
	readonly boundaries?: BucketBoundaries;
	/**
	 * Deciles and calibration already computed by core/evaluate's `validationMetrics` over the
	 * same labels and probabilities: used as they are instead of sorting a large set again.
	 */
	readonly metrics?: Pick<ValidationMetrics, 'deciles' | 'calibration'>;
}

/** Width of a score histogram bin, in score points: 20 bins over 0–100. */
export const histogramBinWidth = 5;

/** The score summary of a population: `population` is "validation" when labels are given, else "scored". */
export function summariseScores(options: SummariseOptions): ScoreSummary {
	const boundaries = options.boundaries ?? defaultBuckets;
	checkBoundaries(boundaries);
	if (options.labels) checkLabels(options.labels, options.probabilities.length);
	const rows = usableRows(options.probabilities);
	const probabilities = pick(options.probabilities, rows, new Float64Array(rows.length));
	const labels = options.labels ? pick(options.labels, rows, new Uint8Array(rows.length)) : undefined;
	const positives = labels ? labels.reduce((sum, label) => sum + label, 0) : null;
	const known = labels !== undefined && probabilities.length > 0;
	return {
		population: labels ? 'validation' : 'scored',
		count: probabilities.length,
		skipped: options.probabilities.length - probabilities.length,
		positives,
		boundaries: { mediumFrom: boundaries.mediumFrom, highFrom: boundaries.highFrom },
		histogram: histogram(probabilities),
		buckets: bucketSummaries(probabilities, labels, boundaries),
		deciles: (known && positives! > 0 ? (options.metrics?.deciles ?? deciles(labels, probabilities)) : []).map((d) => ({
			decile: d.decile,
			count: d.rows,
			positives: d.positives,
			meanProbability: d.meanScore,
		})),
		calibration: (known ? (options.metrics?.calibration ?? calibrationCurve(labels, probabilities)) : []).map((bin) => ({
			meanPredicted: bin.meanPredicted,
			actualRate: bin.actualRate,
			count: bin.count,
		})),
	};
}

/** The rows whose probability is a number in 0–1. */
function usableRows(probabilities: ArrayLike<number>): Uint32Array {
	const rows = new Uint32Array(probabilities.length);
	let count = 0;
	for (let i = 0; i < probabilities.length; i++) {
		const p = probabilities[i];
		if (p >= 0 && p <= 1) rows[count++] = i;
	}
	return rows.subarray(0, count);
}

/** `values` at `rows`, copied into `into`. */
function pick<T extends Float64Array | Uint8Array>(values: ArrayLike<number>, rows: Uint32Array, into: T): T {
	for (let k = 0; k < rows.length; k++) into[k] = values[rows[k]];
	return into;
}

function checkLabels(labels: ArrayLike<number>, expected: number): void {
	if (labels.length !== expected) {
		throw new InputError(
			`The report got ${labels.length} outcomes for ${expected} probabilities: give one outcome (0 or 1) per probability.`,
			'bad-labels',
		);
	}
	for (let i = 0; i < labels.length; i++) {
		if (labels[i] !== 0 && labels[i] !== 1) {
			throw new InputError(
				`Outcome ${i + 1} is ${labels[i]}, not 0 or 1: outcomes must be 1 when the goal happened and 0 when it did not.`,
				'bad-labels',
			);
		}
	}
}

function histogram(probabilities: Float64Array): ScoreBin[] {
	const binCount = 100 / histogramBinWidth;
	const counts = new Float64Array(binCount);
	for (const p of probabilities) counts[Math.min(binCount - 1, Math.floor(scoreFromProbability(p) / histogramBinWidth))]++;
	return Array.from(counts, (count, bin) => ({ from: bin * histogramBinWidth, to: (bin + 1) * histogramBinWidth, count }));
}

/** Profiles and outcomes per bucket, with each bucket's lowest and highest whole score (from > to when it is empty). */
function bucketSummaries(probabilities: Float64Array, labels: Uint8Array | undefined, boundaries: BucketBoundaries): BucketSummary[] {
	const order: readonly Bucket[] = ['low', 'medium', 'high'];
	const slot: Readonly<Record<Bucket, number>> = { low: 0, medium: 1, high: 2 };
	const counts = new Float64Array(3);
	const positives = new Float64Array(3);
	for (let i = 0; i < probabilities.length; i++) {
		const b = slot[bucketOf(scoreFromProbability(probabilities[i]), boundaries)];
		counts[b]++;
		if (labels) positives[b] += labels[i];
	}
	const firstScore = [0, Math.ceil(boundaries.mediumFrom), Math.ceil(boundaries.highFrom)];
	return order.map((bucket, b) => ({
		bucket,
		from: firstScore[b],
		to: b < 2 ? firstScore[b + 1] - 1 : 100,
		count: counts[b],
		positives: labels ? positives[b] : null,
	}));
}
