/**
 * Training a whole model, the same way for events and tables: fit the learner (or let `auto`
 * choose), calibrate on the validation rows, measure, and assemble the model JSON.
 */
import { InputError } from '../errors';
import { validationMetrics } from '../evaluate/metrics';
import type { Goal } from '../goal/schema';
import { calibrate, type CalibrationResult } from '../learn/calibration';
import type { LabelledDataset } from '../learn/dataset';
import type { SelectionRecord } from '../learn/auto';
import { trainLearner, type LearnerChoice, type LearnerOptions } from '../learn/train';
import type { TrainedLearner } from '../learn/learner';
import type { PropensityType } from '../goal/schema';
import type { WorkHooks } from '../util/progress';
import { packageVersion } from '../version';
import { modelFeatureNames, modelFormat, modelSchemaVersion, type DataRange, type Model, type ModelFeatures } from './schema';

export interface BuildModelInput {
	readonly name: string;
	/** The goal (events mode), or null / absent for a table. */
	readonly goal?: Goal | null;
	/** Defaults to the goal's, or 'conversion'. */
	readonly propensityType?: PropensityType;
	readonly features: ModelFeatures;
	readonly train: LabelledDataset;
	/** Rows the learner does not train on: early stopping, the choice of learner, calibration and metrics. */
	readonly validation: LabelledDataset;
	/** How the validation rows were chosen, in words, e.g. "the latest cutoff (2024-05-01)". */
	readonly validationSplit: string;
	readonly learner?: LearnerChoice;
	readonly options?: LearnerOptions;
	readonly seed: number;
	readonly dataRange?: DataRange;
	readonly hooks?: WorkHooks;
}

export interface BuiltModel {
	readonly model: Model;
	/** The trained learner (the same as loading model.learner). */
	readonly learner: TrainedLearner;
	/** The selection with measured fit times (the model keeps it without them). */
	readonly selection: SelectionRecord;
	readonly calibration: CalibrationResult;
	/** Raw validation scores, for reports. */
	readonly validationRaw: Float64Array;
	readonly notes: readonly string[];
}

const emptyRange: DataRange = { firstEvent: null, lastEvent: null, cutoffs: [], asOf: null };

/** Trains, calibrates and measures a model; the same input and seed give a model with the same bytes. */
export async function buildModel(input: BuildModelInput): Promise<BuiltModel> {
	const names = modelFeatureNames({ features: input.features });
	for (const [data, what] of [[input.train, 'training'], [input.validation, 'validation']] as const) {
		if (data.featureNames.length !== names.length || data.featureNames.some((name, i) => name !== names[i])) {
			throw new InputError(`The ${what} data has features [${data.featureNames.join(', ')}] but the model declares [${names.join(', ')}]: both need the same features in the same order.`, 'bad-dataset');
		}
	}
	const context = { seed: input.seed, hooks: input.hooks };
	const trained = await trainLearner(input.learner ?? 'auto', input.train, input.validation, input.options ?? {}, context);
	const validationRaw = trained.learner.predictRaw(input.validation);
	const calibration = calibrate(validationRaw, input.validation.label, { seed: input.seed });
	const notes = [...trained.notes];
	if (calibration.calibrator.method === 'none') notes.push(`The probabilities are ${calibration.choice.reason}.`);
	const model: Model = {
		format: modelFormat,
		schemaVersion: modelSchemaVersion,
		packageVersion,
		name: input.name,
		propensityType: input.propensityType ?? input.goal?.propensityType ?? 'conversion',
		goal: input.goal ?? null,
		features: input.features,
		learner: trained.learner.toJSON(),
		calibration: { calibrator: calibration.calibrator, choice: calibration.choice },
		metrics: {
			validation: validationMetrics(input.validation.label, calibration.crossFitted, validationRaw),
			training: classCounts(input.train),
			validationSplit: input.validationSplit,
		},
		dataRange: input.dataRange ?? emptyRange,
		selection: {
			...trained.selection,
			candidates: trained.selection.candidates.map(({ seconds: _seconds, ...kept }) => kept),
		},
		notes,
		seed: input.seed,
	};
	return { model, learner: trained.learner, selection: trained.selection, calibration, validationRaw, notes };
}

function classCounts(data: LabelledDataset): { rows: number; positives: number; negatives: number } {
	let positives = 0;
	for (let r = 0; r < data.rows; r++) positives += data.label[r];
	return { rows: data.rows, positives, negatives: data.rows - positives };
}
