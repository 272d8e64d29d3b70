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
		rawAuc: orNull(auc(labels, raw)),
		logLoss: orNull(logLoss(labels, probabilities, undefined, weights)),
		brier: orNull(brierScore(labels, probabilities, weights)),
		baseRate: orNull(baseRate(labels, weights)),
		deciles: positives > 0 ? deciles(labels, probabilities) : [],
		calibration: calibrationCurve(labels, probabilities, undefined, undefined, weights),
		grade: gradeModel(calibratedAuc),
	};
}

/** A finite number, or null for NaN and infinities (which JSON cannot hold). */
export function orNull(value: number): number | null {
	return Number.isFinite(value) ? value : null;
}
