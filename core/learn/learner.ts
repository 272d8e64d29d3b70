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
	/**
	 * The validation rows of a mirror fit (honest metrics, see core/model/build.ts): `trainLearner`
	 * also returns the learner that these rows, instead of `validation`, would have stopped early
	 * and chosen, from the same fits.
	 */
	readonly mirrorValidation?: LabelledDataset;
	readonly hooks?: WorkHooks;
}

export interface TrainedLearner {
	readonly kind: LearnerKind;
	/** Raw score per row in log-odds units (before calibration). */
	predictRaw(data: Dataset): Float64Array;
	/** The JSON form written into the model; `{ kind, ... }`. */
	toJSON(): LearnerJson;
}

/** The additive split of one row's raw output: expected + Σ contributions = raw. */
export interface LinearContributions {
	/** The raw output (log-odds) of the average training row; the same for every row. */
	readonly expected: number;
	/** One log-odds contribution per feature. */
	readonly contributions: Float64Array;
}

/**
 * A learner whose raw output is a sum of per-feature log-odds contributions that it computes
 * itself (logistic regression, naive Bayes). Tree learners are explained by TreeSHAP instead.
 */
export interface ExplainsItself {
	explain(row: (feature: number) => number): LinearContributions;
}

export function explainsItself(learner: TrainedLearner): learner is TrainedLearner & ExplainsItself {
	return typeof (learner as Partial<ExplainsItself>).explain === 'function';
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
