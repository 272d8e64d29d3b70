/**
 * What every learner (boosted trees, logistic regression, random forest, naive Bayes)
 * offers the rest of the engine: raw scores in log-odds units, which calibration turns
 * into probabilities and explanations split into per-feature contributions, and a plain
 * JSON form stored in the model.
 */
import type { WorkHooks } from '../util/progress';
import type { Dataset, LabelledDataset } from './dataset';

export type LearnerKind = 'gbdt' | 'logistic' | 'forest' | 'naiveBayes';

export interface FitContext {
	/** Seeds every random choice; the same data, options and seed give the same model. */
	readonly seed: number;
	/** Time-based validation rows (later cutoffs), for early stopping and model choice. */
	readonly validation?: LabelledDataset;
	readonly hooks?: WorkHooks;
}

export interface TrainedLearner {
	readonly kind: LearnerKind;
	/** Raw score per row in log-odds units (before calibration). */
	predictRaw(data: Dataset): Float64Array;
	/** The JSON form written into the model; `{ kind, ... }`. */
	toJSON(): LearnerJson;
}

/** A learner's JSON form. Each learner module defines and validates its own fields. */
export interface LearnerJson {
	readonly kind: LearnerKind;
	readonly [field: string]: unknown;
}

export function sigmoid(raw: number): number {
	return 1 / (1 + Math.exp(-raw));
}

export function logit(probability: number, epsilon = 1e-12): number {
	const p = Math.min(1 - epsilon, Math.max(epsilon, probability));
	return Math.log(p / (1 - p));
}
