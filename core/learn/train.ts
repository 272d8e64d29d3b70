/**
 * One entry point for every learner: `trainLearner(kind | 'auto', ...)` fits the chosen learner
 * (or lets `auto` choose by validation AUC) and says what it did; `learnerFromJson` reads any
 * learner back from the model JSON.
 */
import { InputError } from '../errors';
import { auc } from '../evaluate/auc';
import { autoSelect, type AutoOptions, type SelectionRecord } from './auto';
import type { LabelledDataset } from './dataset';
import { forestFromJson, trainForest, type ForestModel, type ForestOptions } from './forest';
import { gbdtFromJson, trainGbdt, type GbdtOptions } from './gbdt';
import type { FitContext, LearnerKind, TrainedLearner } from './learner';
import { logisticFromJson, trainLogistic, type LogisticOptions } from './logistic';
import { naiveBayesFromJson, trainNaiveBayes, type NaiveBayesModel, type NaiveBayesOptions } from './naiveBayes';

export type LearnerChoice = LearnerKind | 'auto';

export const learnerKinds: readonly LearnerKind[] = ['gbdt', 'logistic', 'naiveBayes', 'forest'];

/** Each learner in words, for messages and reports. */
export const learnerNames: Readonly<Record<LearnerKind, string>> = {
	gbdt: 'gradient-boosted trees',
	logistic: 'logistic regression',
	naiveBayes: 'naive Bayes',
	forest: 'random forest',
};

/** Options per learner (each partial: defaults fill the rest) and for `auto`. */
export interface LearnerOptions {
	readonly gbdt?: Partial<GbdtOptions>;
	readonly logistic?: Partial<LogisticOptions>;
	readonly naiveBayes?: Partial<NaiveBayesOptions>;
	readonly forest?: Partial<ForestOptions>;
	readonly auto?: Partial<AutoOptions>;
}

export interface TrainedResult {
	readonly learner: TrainedLearner;
	/** Which learners were tried, their validation AUC and fit time, the winner and why. */
	readonly selection: SelectionRecord;
	/** Things the user should know, e.g. "the random forest was fitted on a subsample of 1,500 of 9,000 rows". */
	readonly notes: readonly string[];
}

/** The names the CLI and the nodes accept for each learner. */
const aliases: Readonly<Record<string, LearnerChoice>> = {
	auto: 'auto',
	gbdt: 'gbdt',
	boosted: 'gbdt',
	logistic: 'logistic',
	rf: 'forest',
	forest: 'forest',
	nb: 'naiveBayes',
	naivebayes: 'naiveBayes',
	'naive-bayes': 'naiveBayes',
};

/** The learner named by `text` (auto, gbdt, logistic, rf / forest, nb / naiveBayes), or InputError listing the choices. */
export function parseLearnerChoice(text: string): LearnerChoice {
	const choice = aliases[text.trim().toLowerCase()];
	if (!choice) throw new InputError(`Unknown learner "${text}": choose auto, gbdt, logistic, rf (random forest) or nb (naive Bayes).`, 'bad-learner');
	return choice;
}

/** Fits one learner of the given kind on `train` (validation for early stopping where the learner uses it). */
export function fitOne(kind: LearnerKind, train: LabelledDataset, validation: LabelledDataset | undefined, options: LearnerOptions, context: FitContext): Promise<TrainedLearner> {
	const withValidation: FitContext = { ...context, validation };
	switch (kind) {
		case 'gbdt':
			return trainGbdt(train, options.gbdt ?? {}, withValidation);
		case 'logistic':
			return trainLogistic(train, options.logistic ?? {}, withValidation);
		case 'naiveBayes':
			return trainNaiveBayes(train, options.naiveBayes ?? {}, withValidation);
		case 'forest':
			return trainForest(train, options.forest ?? {}, withValidation);
	}
}

/**
 * Trains `kind` on `train`, or with 'auto' fits the candidates and keeps the one with the best
 * validation AUC. `validation` (time-based, later cutoffs) drives early stopping and the choice.
 */
export async function trainLearner(kind: LearnerChoice, train: LabelledDataset, validation: LabelledDataset | undefined, options: LearnerOptions, context: FitContext): Promise<TrainedResult> {
	const result = kind === 'auto' ? await autoSelect(train, validation, options, context) : await fitFixed(kind, train, validation, options, context);
	return { ...result, notes: [...result.notes, ...subsampleNotes(result.learner)] };
}

async function fitFixed(kind: LearnerKind, train: LabelledDataset, validation: LabelledDataset | undefined, options: LearnerOptions, context: FitContext) {
	const started = Date.now();
	const learner = await fitOne(kind, train, validation, options, context);
	const seconds = (Date.now() - started) / 1000;
	const validationAuc = validation ? auc(validation.label, learner.predictRaw(validation)) : NaN;
	const selection: SelectionRecord = {
		mode: 'fixed',
		winner: kind,
		reason: `${learnerNames[kind]} as asked`,
		candidates: [{ learner: kind, status: 'fitted', auc: Number.isFinite(validationAuc) ? validationAuc : null, seconds, chosen: true }],
	};
	return { learner, selection, notes: [] as string[] };
}

function subsampleNotes(learner: TrainedLearner): string[] {
	if (learner.kind !== 'forest' && learner.kind !== 'naiveBayes') return [];
	const { trainingRows, fittedRows } = learner as ForestModel | NaiveBayesModel;
	if (fittedRows >= trainingRows) return [];
	const why = learner.kind === 'forest' ? 'its fit time grows with the square of the rows' : 'the library holds every row in memory as plain arrays';
	return [
		`The ${learnerNames[learner.kind]} was fitted on a seeded sample of ${fittedRows.toLocaleString('en-US')} of the ${trainingRows.toLocaleString('en-US')} training rows (keeping the outcome rate), because ${why}.`,
	];
}

/** Reads any learner from its JSON form (the model's `learner` field); InputError when it cannot. */
export function learnerFromJson(json: unknown): TrainedLearner {
	const kind = typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
	switch (kind) {
		case 'gbdt':
			return gbdtFromJson(json);
		case 'logistic':
			return logisticFromJson(json);
		case 'naiveBayes':
			return naiveBayesFromJson(json);
		case 'forest':
			return forestFromJson(json);
		default:
			throw new InputError(
				`The model's learner has kind ${JSON.stringify(kind)}, which this version cannot read (it knows ${learnerKinds.join(', ')}). Upgrade Propensity, or retrain the model.`,
				'bad-model',
			);
	}
}
