/**
 * The learner registry: every learner's name in words, how to fit it, how to read it back from
 * the model JSON and how long `auto` should expect it to take, in one table. Adding a learner is
 * one entry here; `auto` (auto.ts) and `trainLearner` (train.ts) read the table, so neither needs
 * the other's switch over the kinds.
 */
import { InputError } from '../errors';
import type { LabelledDataset } from './dataset';
import { defaultForestOptions, featuresPerTree, forestFromJson, trainForest, type ForestOptions } from './forest';
import { gbdtFromJson, trainGbdt, trainGbdtWithMirror, type GbdtOptions } from './gbdt';
import type { FitContext, LearnerKind, TrainedLearner } from './learner';
import { logisticFromJson, trainLogistic, type LogisticOptions } from './logistic';
import { defaultNaiveBayesOptions, naiveBayesFromJson, trainNaiveBayes, type NaiveBayesOptions } from './naiveBayes';
import { withThousands } from '../util/counts';

export type LearnerChoice = LearnerKind | 'auto';

/** Options per learner (each partial: defaults fill the rest). */
export interface FitOptions {
	readonly gbdt?: Partial<GbdtOptions>;
	readonly logistic?: Partial<LogisticOptions>;
	readonly naiveBayes?: Partial<NaiveBayesOptions>;
	readonly forest?: Partial<ForestOptions>;
}

interface LearnerEntry {
	/** The learner in words, for messages and reports. */
	readonly name: string;
	fit(train: LabelledDataset, options: FitOptions, context: FitContext): Promise<TrainedLearner>;
	/**
	 * For a learner that uses the validation rows (early stopping): the fit and its mirror, the
	 * learner context.mirrorValidation would have given instead. A learner without it never reads
	 * the validation rows, so it is its own mirror (test/learn/registry.test.ts checks this).
	 */
	fitWithMirror?(train: LabelledDataset, options: FitOptions, context: FitContext): Promise<{ learner: TrainedLearner; mirror?: TrainedLearner }>;
	fromJson(json: unknown): TrainedLearner;
	/**
	 * Estimated fit seconds on this data (measured on a 2-core machine; coarse, but a function of
	 * rows and features only, never of a clock), or a reason it cannot run at all.
	 */
	estimate(rows: number, features: number, options: FitOptions): { seconds: number } | { skip: string };
}

const registry: Readonly<Record<LearnerKind, LearnerEntry>> = {
	gbdt: {
		name: 'gradient-boosted trees',
		fit: (train, options, context) => trainGbdt(train, options.gbdt ?? {}, context),
		fitWithMirror: (train, options, context) => trainGbdtWithMirror(train, options.gbdt ?? {}, context),
		fromJson: gbdtFromJson,
		estimate: () => ({ seconds: 0 }),
	},
	logistic: {
		name: 'logistic regression',
		fit: (train, options, context) => trainLogistic(train, options.logistic ?? {}, context),
		fromJson: logisticFromJson,
		estimate: (rows, features) => ({ seconds: 1e-8 * rows * features * 100 }),
	},
	naiveBayes: {
		name: 'naive Bayes',
		fit: (train, options, context) => trainNaiveBayes(train, options.naiveBayes ?? {}, context),
		fromJson: naiveBayesFromJson,
		estimate: (rows, features, options) => ({ seconds: 6e-7 * Math.min(rows, options.naiveBayes?.maxRows ?? defaultNaiveBayesOptions.maxRows) * features }),
	},
	forest: {
		name: 'random forest',
		fit: (train, options, context) => trainForest(train, options.forest ?? {}, context),
		fromJson: forestFromJson,
		estimate: (rows, features, options) => {
			const forest = { ...defaultForestOptions, ...options.forest };
			if (rows > forest.maxRows) {
				return {
					skip: `${withThousands(rows)} training rows, more than the ${withThousands(forest.maxRows)} it can fit in reasonable time (its fit time grows with the square of the rows)`,
				};
			}
			return { seconds: 1.5e-7 * rows * rows * featuresPerTree(features, forest) * forest.trees };
		},
	},
};

export const learnerKinds: readonly LearnerKind[] = ['gbdt', 'logistic', 'naiveBayes', 'forest'];

/** Each learner in words, for messages and reports. */
export const learnerNames: Readonly<Record<LearnerKind, string>> = Object.fromEntries(learnerKinds.map((kind) => [kind, registry[kind].name])) as Record<
	LearnerKind,
	string
>;

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

/** Every name a learner may be given by (`auto` included), for editors that check a setting before it runs. */
export const learnerChoiceNames: readonly string[] = Object.keys(aliases);

/** The learner named by `text` (auto, gbdt, logistic, rf / forest, nb / naiveBayes), or InputError listing the choices. */
export function parseLearnerChoice(text: string): LearnerChoice {
	const choice = aliases[text.trim().toLowerCase()];
	if (!choice) throw new InputError(`Unknown learner "${text}": choose auto, gbdt, logistic, rf (random forest) or nb (naive Bayes).`, 'bad-learner');
	return choice;
}

/** Fits one learner of the given kind on `train` (validation for early stopping where the learner uses it). */
export function fitOne(
	kind: LearnerKind,
	train: LabelledDataset,
	validation: LabelledDataset | undefined,
	options: FitOptions,
	context: FitContext,
): Promise<TrainedLearner> {
	return registry[kind].fit(train, options, { ...context, validation, mirrorValidation: undefined });
}

/**
 * Fits one learner as fitOne does, and its mirror: the learner that `mirrorValidation` instead of
 * `validation` would have given (the same learner for those that do not use validation rows).
 */
export async function fitOneWithMirror(
	kind: LearnerKind,
	train: LabelledDataset,
	validation: LabelledDataset | undefined,
	mirrorValidation: LabelledDataset,
	options: FitOptions,
	context: FitContext,
): Promise<{ learner: TrainedLearner; mirror: TrainedLearner }> {
	const entry = registry[kind];
	if (!entry.fitWithMirror) {
		const learner = await entry.fit(train, options, { ...context, validation, mirrorValidation: undefined });
		return { learner, mirror: learner };
	}
	const fitted = await entry.fitWithMirror(train, options, { ...context, validation, mirrorValidation });
	// Without validation rows nothing stops early, so the mirror is the same fit.
	return { learner: fitted.learner, mirror: fitted.mirror ?? fitted.learner };
}

/** Estimated fit seconds of one learner on this data, or a reason it cannot run at all. */
export function estimateFit(kind: LearnerKind, train: LabelledDataset, options: FitOptions): { seconds: number } | { skip: string } {
	return registry[kind].estimate(train.rows, train.columns.length, options);
}

/** Reads any learner from its JSON form (the model's `learner` field); InputError when it cannot. */
export function learnerFromJson(json: unknown): TrainedLearner {
	const kind = typeof json === 'object' && json !== null ? (json as { kind?: unknown }).kind : undefined;
	if (typeof kind === 'string' && Object.hasOwn(registry, kind)) return registry[kind as LearnerKind].fromJson(json);
	throw new InputError(
		`The model's learner has kind ${JSON.stringify(kind)}, which this version cannot read (it knows ${learnerKinds.join(', ')}). Upgrade Propensity, or retrain the model.`,
		'bad-model',
	);
}
