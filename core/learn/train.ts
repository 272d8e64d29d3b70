/**
 * One entry point for every learner: `trainLearner(kind | 'auto', ...)` fits the chosen learner
 * (or lets `auto` choose by validation AUC) and says what it did. The learners themselves are
 * listed once, in registry.ts (re-exported here for the callers that know this module).
 */
import { autoSelect, rawFit, type AutoSelectOptions, type SelectionRecord } from './auto';
import type { LabelledDataset } from './dataset';
import type { ForestModel } from './forest';
import type { FitContext, LearnerKind, TrainedLearner } from './learner';
import type { NaiveBayesModel } from './naiveBayes';
import { fitOne, fitOneWithMirror, learnerNames, type LearnerChoice } from './registry';
import { withThousands } from '../util/counts';

export {
	estimateFit,
	fitOne,
	learnerChoiceNames,
	learnerFromJson,
	learnerKinds,
	learnerNames,
	parseLearnerChoice,
	type FitOptions,
	type LearnerChoice,
} from './registry';

/** Options per learner (each partial: defaults fill the rest) and for `auto`. */
export type LearnerOptions = AutoSelectOptions;

export interface TrainedResult {
	readonly learner: TrainedLearner;
	/** Which learners were tried, their validation AUC and fit time, the winner and why. */
	readonly selection: SelectionRecord;
	/** Things the user should know, e.g. "the random forest was fitted on a subsample of 1,500 of 9,000 rows". */
	readonly notes: readonly string[];
	/** With context.mirrorValidation: the learner those rows would have stopped early and chosen (see FitContext). */
	readonly mirror?: TrainedLearner;
}

/**
 * Trains `kind` on `train`, or with 'auto' fits the candidates and keeps the one with the best
 * validation AUC. `validation` (time-based, later cutoffs) drives early stopping and the choice.
 */
export async function trainLearner(
	kind: LearnerChoice,
	train: LabelledDataset,
	validation: LabelledDataset | undefined,
	options: LearnerOptions,
	context: FitContext,
): Promise<TrainedResult> {
	const result = kind === 'auto' ? await autoSelect(train, validation, options, context) : await fitFixed(kind, train, validation, options, context);
	return { ...result, notes: [...result.notes, ...subsampleNotes(result.learner)] };
}

async function fitFixed(kind: LearnerKind, train: LabelledDataset, validation: LabelledDataset | undefined, options: LearnerOptions, context: FitContext) {
	const started = Date.now();
	const { learner, mirror } = context.mirrorValidation
		? await fitOneWithMirror(kind, train, validation, context.mirrorValidation, options, context)
		: { learner: await fitOne(kind, train, validation, options, context), mirror: undefined };
	const seconds = (Date.now() - started) / 1000;
	const measured = validation ? rawFit(learner, validation) : { auc: null, logLoss: null };
	const selection: SelectionRecord = {
		mode: 'fixed',
		winner: kind,
		reason: `${learnerNames[kind]} as asked`,
		candidates: [{ learner: kind, status: 'fitted', ...measured, seconds, chosen: true }],
	};
	return { learner, selection, notes: [] as string[], ...(mirror ? { mirror } : {}) };
}

function subsampleNotes(learner: TrainedLearner): string[] {
	if (learner.kind !== 'forest' && learner.kind !== 'naiveBayes') return [];
	const { trainingRows, fittedRows } = learner as ForestModel | NaiveBayesModel;
	if (fittedRows >= trainingRows) return [];
	const why = learner.kind === 'forest' ? 'its fit time grows with the square of the rows' : 'that many rows estimate its means and variances well enough';
	return [
		`The ${learnerNames[learner.kind]} was fitted on a seeded sample of ${withThousands(fittedRows)} of the ${withThousands(trainingRows)} training rows (keeping the outcome rate), because ${why}.`,
	];
}
