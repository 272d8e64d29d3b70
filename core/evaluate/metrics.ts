/**
 * Every validation metric of a model at once, as stored in the model JSON and shown in reports.
 */
import { auc } from './auc';
import { calibrationCurve, type CalibrationPoint } from './calibrationCurve';
import { gradeModel, type QualityGrade } from './grade';
import { deciles, type Decile } from './lift';
import { baseRate, brierScore, logLoss } from './loss';

export interface ValidationMetrics {
	readonly rows: number;
	readonly positives: number;
	readonly negatives: number;
	/** AUC of the calibrated probabilities (null when validation holds one class only). */
	readonly auc: number | null;
	/**
	 * A 95% interval for the AUC from the sampling noise of these rows alone (Hanley and McNeil,
	 * 1982): how far another draw of the same size from the same moment could land. Absent when
	 * the AUC is, and in models from before it was recorded.
	 */
	readonly aucInterval?: readonly [number, number];
	/** AUC of the learner's raw scores: its ranking power before calibration. */
	readonly rawAuc: number | null;
	readonly logLoss: number | null;
	readonly brier: number | null;
	readonly baseRate: number | null;
	readonly deciles: readonly Decile[];
	readonly calibration: readonly CalibrationPoint[];
	readonly grade: QualityGrade;
}

/**
 * The metrics of calibrated `probabilities` (and the learner's `raw` scores) against 0/1 `labels`;
 * undefined values (NaN) become null so that the result is plain JSON. Per-row `weights` (a
 * sample's) weigh log loss, Brier, base rate and the calibration curve; AUC needs none, since
 * sampling within each class leaves the ranking of positives against negatives as it was.
 */
export function validationMetrics(
	labels: ArrayLike<number>,
	probabilities: ArrayLike<number>,
	raw: ArrayLike<number>,
	weights?: ArrayLike<number>,
): ValidationMetrics {
	const rows = labels.length;
	let positives = 0;
	for (let i = 0; i < rows; i++) if (labels[i] === 1) positives++;
	const calibratedAuc = orNull(auc(labels, probabilities));
	return {
		rows,
		positives,
		negatives: rows - positives,
		auc: calibratedAuc,
		...(calibratedAuc === null ? {} : { aucInterval: aucInterval(calibratedAuc, positives, rows - positives) }),
		rawAuc: orNull(auc(labels, raw)),
		logLoss: orNull(logLoss(labels, probabilities, undefined, weights)),
		brier: orNull(brierScore(labels, probabilities, weights)),
		baseRate: orNull(baseRate(labels, weights)),
		deciles: positives > 0 ? deciles(labels, probabilities) : [],
		calibration: calibrationCurve(labels, probabilities, undefined, undefined, weights),
		grade: gradeModel(calibratedAuc),
	};
}

/**
 * The 95% interval of an AUC measured on `positives` and `negatives` rows, by Hanley and
 * McNeil's standard error (exponential approximation of the score distributions), clipped to
 * [0, 1] and rounded to 4 decimals so the model JSON stays short.
 */
export function aucInterval(value: number, positives: number, negatives: number): [number, number] {
	const q1 = value / (2 - value);
	const q2 = (2 * value * value) / (1 + value);
	const variance = (value * (1 - value) + (positives - 1) * (q1 - value * value) + (negatives - 1) * (q2 - value * value)) / (positives * negatives);
	const half = 1.96 * Math.sqrt(Math.max(0, variance));
	const round = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 10_000) / 10_000;
	return [round(value - half), round(value + half)];
}

/** A finite number, or null for NaN and infinities (which JSON cannot hold). */
export function orNull(value: number): number | null {
	return Number.isFinite(value) ? value : null;
}
