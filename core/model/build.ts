/**
 * Training a whole model, the same way for events and tables: fit the learner (or let `auto`
 * choose), calibrate on the validation rows, measure, and assemble the model JSON.
 */
import { InputError } from '../errors';
import { validationMetrics, type ValidationMetrics } from '../evaluate/metrics';
import type { Goal } from '../goal/schema';
import { calibrate, type CalibrationResult } from '../learn/calibration';
import { type SampleRecord, classWeights, correctForSample } from '../features/sample';
import { selectRows, type LabelledDataset } from '../learn/dataset';
import { holdoutSplit } from '../learn/split';
import type { SelectionRecord } from '../learn/auto';
import { trainLearner, type LearnerChoice, type LearnerOptions } from '../learn/train';
import type { TrainedLearner } from '../learn/learner';
import type { PropensityType } from '../goal/schema';
import type { WorkHooks } from '../util/progress';
import { packageVersion } from '../version';
import { modelFeatureNames, modelFormat, modelSchemaVersion, type DataRange, type Model, type ModelFeatures } from './schema';
import { withThousands } from '../util/counts';

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
	/** How the examples were sampled above the cap: probabilities and metrics are corrected for it. */
	readonly sample?: SampleRecord;
	readonly hooks?: WorkHooks;
}

export interface BuiltModel {
	readonly model: Model;
	/** The trained learner (the same as loading model.learner). */
	readonly learner: TrainedLearner;
	/** The selection with measured fit times (the model keeps it without them). */
	readonly selection: SelectionRecord;
	readonly calibration: CalibrationResult;
	/** Raw scores of the reported validation rows, for reports. */
	readonly validationRaw: Float64Array;
	/** The validation rows the metrics were measured on (see splitValidation): `calibration.crossFitted` and `validationRaw` are theirs. */
	readonly reported: LabelledDataset;
	/** The validation rows that chose the learner (and stopped the boosting), and whether they are a half apart from `reported`. */
	readonly choice: { readonly rows: number; readonly split: boolean };
	readonly notes: readonly string[];
}

const emptyRange: DataRange = { firstEvent: null, lastEvent: null, cutoffs: [], asOf: null };

/** Trains, calibrates and measures a model; the same input and seed give a model with the same bytes. */
export async function buildModel(input: BuildModelInput): Promise<BuiltModel> {
	const names = modelFeatureNames({ features: input.features });
	for (const [data, what] of [
		[input.train, 'training'],
		[input.validation, 'validation'],
	] as const) {
		if (data.featureNames.length !== names.length || data.featureNames.some((name, i) => name !== names[i])) {
			throw new InputError(
				`The ${what} data has features [${data.featureNames.join(', ')}] but the model declares [${names.join(', ')}]: both need the same features in the same order.`,
				'bad-dataset',
			);
		}
	}
	const { choose, reported, split } = splitValidation(input.validation, input.seed);
	// With halves, the same fits also give the mirror, whose stopping and choice the reporting half made.
	const context = { seed: input.seed, hooks: input.hooks, mirrorValidation: split ? reported : undefined };
	const trained = await trainLearner(input.learner ?? 'auto', input.train, choose, input.options ?? {}, context);
	const validationRaw = trained.learner.predictRaw(reported);
	const calibration = corrected(calibrate(validationRaw, reported.label, { seed: input.seed }), input.sample);
	const measured = trained.mirror
		? crossFittedMetrics(input, trained.mirror, choose, reported, validationRaw, calibration)
		: validationMetrics(reported.label, calibration.crossFitted, validationRaw, input.sample && sampleWeights(reported.label, input.sample));
	const notes = [...trained.notes];
	if (input.sample) notes.push(sampleNote(input.sample));
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
			validation: measured,
			training: classCounts(input.train),
			validationSplit: split
				? `${input.validationSplit}; early stopping and the choice of learner used a seeded half of these rows and calibration the other half; ` +
					'the reported metrics are cross-fitted over all of them: each half is scored by a model whose early stopping, choice of learner and calibration never saw it'
				: input.validationSplit,
		},
		dataRange: input.dataRange ?? emptyRange,
		selection: {
			...trained.selection,
			candidates: trained.selection.candidates.map(({ seconds: _seconds, ...kept }) => kept),
		},
		notes,
		seed: input.seed,
		...(input.sample ? { sample: input.sample } : {}),
	};
	return { model, learner: trained.learner, selection: trained.selection, calibration, validationRaw, reported, choice: { rows: choose.rows, split }, notes };
}

/** The calibrated probabilities of the reported rows, corrected for the sample's class balance. */
function corrected(calibration: CalibrationResult, sample: SampleRecord | undefined): CalibrationResult {
	if (!sample) return calibration;
	return { ...calibration, crossFitted: calibration.crossFitted.map((p) => correctForSample(p, sample)) };
}

/** Each row's weight: how many eligible rows of its class it stands for. */
function sampleWeights(label: Uint8Array, sample: SampleRecord): Float64Array {
	const { positive, negative } = classWeights(sample);
	return Float64Array.from(label, (value) => (value === 1 ? positive : negative));
}

function sampleNote(sample: SampleRecord): string {
	const rows = (n: number) => withThousands(n);
	const { positives, negatives } = sample;
	return (
		`The examples were sampled above ${rows(sample.maxExamples)} rows${budgetNote(sample)} (seed ${sample.seed}): ${rows(positives.kept)} of ${rows(positives.eligible)} positive and ` +
		`${rows(negatives.kept)} of ${rows(negatives.eligible)} negative rows were kept; probabilities, log loss, Brier score, base rate and the calibration curve are corrected for it, ` +
		'the lift table ranks the kept rows.'
	);
}

/** Why the cap is what it is, when the memory budget set it. */
function budgetNote(sample: SampleRecord): string {
	if (sample.memoryBudgetMb === undefined) return '';
	return `, the most that a memory budget of ${sample.memoryBudgetMb} MB holds (memoryBudgetMb; --memory-budget on the command line)`;
}

/**
 * Honest metrics on every validation row, not half of them: the deployed model scores the
 * reporting half; a mirror model, trained the same way with the halves' roles swapped (early
 * stopping and the choice of learner on the reporting half, calibration on the choosing half),
 * scores the choosing half. Twice the rows halve the variance of the reported figures; the
 * mirror is measured only, never kept. Both models come from the same procedure on the same
 * training rows, so their calibrated probabilities are pooled. The mirror costs no second
 * training: trainLearner gets it from the same fits (FitContext.mirrorValidation).
 */
function crossFittedMetrics(
	input: BuildModelInput,
	mirror: TrainedLearner,
	choose: LabelledDataset,
	reported: LabelledDataset,
	reportedRaw: Float64Array,
	calibration: CalibrationResult,
): ValidationMetrics {
	const mirrorRaw = mirror.predictRaw(choose);
	const mirrorCalibration = corrected(calibrate(mirrorRaw, choose.label, { seed: input.seed }), input.sample);
	const label = new Uint8Array(reported.rows + choose.rows);
	label.set(reported.label);
	label.set(choose.label, reported.rows);
	const probabilities = new Float64Array(label.length);
	probabilities.set(calibration.crossFitted);
	probabilities.set(mirrorCalibration.crossFitted, reported.rows);
	const raw = new Float64Array(label.length);
	raw.set(reportedRaw);
	raw.set(mirrorRaw, reported.rows);
	return validationMetrics(label, probabilities, raw, input.sample && sampleWeights(label, input.sample));
}

/** Validation rows below which they are not halved: each half would be too small to choose or to report on. */
export const minimumRowsToHalve = 2000;

/**
 * Honest numbers: the rows that stop the boosting early and choose the learner are not the rows
 * the metrics are reported on, or the report would flatter the model. A seeded half of the
 * validation rows (stratified by label) chooses, the other half reports. Small validation sets
 * (under 2,000 rows, or under 100 of either class) are not halved: the noise of halving would
 * then outweigh the slight optimism it removes.
 */
export function splitValidation(validation: LabelledDataset, seed: number): { choose: LabelledDataset; reported: LabelledDataset; split: boolean } {
	const { positives, negatives } = classCounts(validation);
	if (validation.rows < minimumRowsToHalve || positives < 100 || negatives < 100) return { choose: validation, reported: validation, split: false };
	const halves = holdoutSplit(validation.label, 0.5, seed ^ 0x6a09e667);
	return { choose: selectRows(validation, halves.train), reported: selectRows(validation, halves.validation), split: true };
}

function classCounts(data: LabelledDataset): { rows: number; positives: number; negatives: number } {
	let positives = 0;
	for (let r = 0; r < data.rows; r++) positives += data.label[r];
	return { rows: data.rows, positives, negatives: data.rows - positives };
}
