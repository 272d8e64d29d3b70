/** Model evaluation: pure functions over typed arrays. */
export { auc } from './auc';
export { baseRate, brierScore, logLoss, logLossEpsilon } from './loss';
export { deciles, type Decile } from './lift';
export { calibrationCurve, type BinStrategy, type CalibrationPoint } from './calibrationCurve';
export { gradeModel, gradeThresholds, type Grade, type QualityGrade } from './grade';
export { validationMetrics, orNull, type ValidationMetrics } from './metrics';
