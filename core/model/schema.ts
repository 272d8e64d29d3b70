/**
 * The model JSON: a versioned, self-contained record of a trained model (what it predicts, the
 * features it reads, the learner, the calibrator, how well it did and on what data). It holds
 * no wall-clock time, so the same data, options and seed give the same bytes.
 *
 * Compatibility rule: a reader reads every schemaVersion up to its own and refuses a newer one
 * (naming the version that wrote it); within a version every field is checked and unknown
 * fields are refused, so nothing in a model is ever silently ignored.
 */
import { z } from 'zod';
import { type SampleRecord, sampleRecordSchema } from '../features/sample';
import { calibrationChoiceSchema, calibratorSchema, type CalibrationChoice, type CalibratorJson } from '../learn/calibration';
import type { FeatureDecl } from '../features/declaration';
import { conditionGroupSchema, goalSchema, type Goal } from '../goal/schema';
import type { LearnerJson, LearnerKind } from '../learn/learner';
import type { SelectionRecord } from '../learn/auto';
import type { ValidationMetrics } from '../evaluate/metrics';
import type { PropensityType } from '../goal/schema';
import { monitoringReferenceSchema, type MonitoringReference } from './monitoring';

export const modelFormat = 'propensity-model';
/** 2: the model carries the checksum of its content. Version-1 models (without one) are still read. */
export const modelSchemaVersion = 2;

/** The report's input as the model keeps it: a JSON object the model format does not look into. */
export type ModelInsights = object;

/** Events mode: features declared over events; table mode: the numeric columns of a profile table. */
export type ModelFeatures =
	| { readonly mode: 'events'; readonly declarations: readonly FeatureDecl[] }
	| {
			readonly mode: 'table';
			/** The feature columns, in the learner's order. */
			readonly columns: readonly string[];
			/** The profile id column of the training table, or null when rows were numbered. */
			readonly idColumn: string | null;
			readonly labelColumn: string;
	  };

/** What the model saw: ISO 8601 UTC moments, null (and no cutoffs) for table-mode models. */
export interface DataRange {
	readonly firstEvent: string | null;
	readonly lastEvent: string | null;
	/** The cutoffs whose snapshots made the training and validation examples. */
	readonly cutoffs: readonly string[];
	/** The "present moment" of training: events after it were ignored. */
	readonly asOf: string | null;
	/** How the cutoffs were chosen (absent in models from before automatic plans, and for tables). */
	readonly plan?: CutoffPlanRecord;
}

/** The cutoff plan as a model keeps it (see features/cutoffs.ts). */
export interface CutoffPlanRecord {
	readonly chosenBy: 'goal' | 'automatic';
	readonly spacingDays: number;
	readonly holdOutProfiles: boolean;
	readonly reason: string;
}

export interface ModelMetrics {
	/** On the validation rows, from cross-fitted calibrated probabilities (see calibration.ts). */
	readonly validation: ValidationMetrics;
	readonly training: { readonly rows: number; readonly positives: number; readonly negatives: number };
	/** How the validation rows were chosen, in words (time-based cutoffs, or a seeded holdout for tables). */
	readonly validationSplit: string;
}

/** The selection record as stored: measured fit times are left out (they would change the bytes). */
export type StoredSelection = Omit<SelectionRecord, 'candidates'> & { readonly candidates: readonly Omit<SelectionRecord['candidates'][number], 'seconds'>[] };

export interface Model {
	readonly format: typeof modelFormat;
	/** The schema version it was written with: 1 (before checksums) or 2; models are written with the latest. */
	readonly schemaVersion: 1 | typeof modelSchemaVersion;
	/** The Propensity version that wrote the model. */
	readonly packageVersion: string;
	/** "sha256:" and the SHA-256 of the content, as written by serializeModel (absent before it is written, and in schema version 1). */
	readonly checksum?: string;
	readonly name: string;
	readonly propensityType: PropensityType;
	/** The goal (events mode); null for table-mode models. */
	readonly goal: Goal | null;
	readonly features: ModelFeatures;
	readonly learner: LearnerJson;
	readonly calibration: { readonly calibrator: CalibratorJson; readonly choice: CalibrationChoice };
	readonly metrics: ModelMetrics;
	readonly dataRange: DataRange;
	readonly selection: StoredSelection;
	/** Remarks made while training (subsamples, fallbacks), in words. */
	readonly notes: readonly string[];
	readonly seed: number;
	/** How the examples were sampled above the cap; probabilities and metrics are corrected for it (absent when nothing was sampled). */
	readonly sample?: SampleRecord;
	/**
	 * What the insights report shows, kept so the report can be rendered again from the model
	 * alone. The report defines and checks its shape (report/schema.ts) when it renders it, so a
	 * change to the report is not a change to the model format.
	 */
	readonly insights?: ModelInsights;
	/** Reference distributions for drift (core/monitor); absent in models trained before it. */
	readonly monitoring?: MonitoringReference;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const share = finite.refine((v) => v >= 0 && v <= 1, 'must be in [0, 1]');
const count = z.number().int().min(0);
const isoMoment = z
	.string()
	.refine(
		(s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(s) && !Number.isNaN(Date.parse(s)),
		'must be an ISO 8601 UTC moment, e.g. "2024-05-01T00:00:00.000Z"',
	);
const learnerKind = z.enum(['gbdt', 'logistic', 'forest', 'naiveBayes']) satisfies z.ZodType<LearnerKind>;

const featureAggregates = [
	'count',
	'sum',
	'mean',
	'max',
	'daysSinceLast',
	'daysSinceFirst',
	'distinctDays',
	'trend',
	'meanGapDays',
	'latest',
	'repeatChance',
	'activeChance',
] as const;

/** A feature declaration (core/features/declaration.ts) as stored in a model. */
export const featureDeclSchema: z.ZodType<FeatureDecl> = z.strictObject({
	name: z.string().min(1),
	label: z.string(),
	subject: z.string(),
	filter: conditionGroupSchema.nullable(),
	windowDays: z.number().int().positive().nullable(),
	aggregate: z.enum(featureAggregates),
	field: z.string().optional(),
	baselineDays: z.number().int().positive().optional(),
	categories: z.array(z.string()).optional(),
	bgnbd: z.strictObject({ r: finite, alpha: finite, a: finite, b: finite }).optional(),
	horizonDays: z.number().int().min(0).optional(),
});

const featuresSchema = z.union([
	z.strictObject({ mode: z.literal('events'), declarations: z.array(featureDeclSchema).min(1) }),
	z.strictObject({
		mode: z.literal('table'),
		columns: z.array(z.string().min(1)).min(1),
		idColumn: z.string().min(1).nullable(),
		labelColumn: z.string().min(1),
	}),
]);

const decileSchema = z.strictObject({
	decile: z.number().int().min(1),
	rows: finite,
	positives: finite,
	rate: share,
	lift: finite,
	meanScore: finite,
	minScore: finite,
	maxScore: finite,
	cumulativeGain: share,
	cumulativeLift: finite,
});

const calibrationPointSchema = z.strictObject({ from: share, to: share, count: count, meanPredicted: share, actualRate: share });

const gradeSchema = z.strictObject({
	grade: z.enum(['poor', 'fair', 'good', 'excellent', 'unknown']),
	auc: share.nullable(),
	poor: z.boolean(),
	summary: z.string(),
	advice: z.array(z.string()),
});

const validationMetricsSchema = z.strictObject({
	rows: count,
	positives: count,
	negatives: count,
	auc: share.nullable(),
	rawAuc: share.nullable(),
	logLoss: finite.nullable(),
	brier: finite.nullable(),
	baseRate: share.nullable(),
	deciles: z.array(decileSchema),
	calibration: z.array(calibrationPointSchema),
	grade: gradeSchema,
});

const selectionSchema = z.strictObject({
	mode: z.enum(['auto', 'fixed']),
	winner: learnerKind,
	reason: z.string(),
	candidates: z
		.array(
			z.strictObject({
				learner: learnerKind,
				status: z.enum(['fitted', 'skipped', 'failed']),
				auc: share.nullable(),
				// Models before 0.1.0's report fixes have no log loss per candidate.
				logLoss: z.number().nonnegative().nullable().optional(),
				chosen: z.boolean(),
				note: z.string().optional(),
			}),
		)
		.min(1),
});

/** The whole model. The learner is checked here for its kind only; its own module checks the rest. */
export const modelSchema = z.strictObject({
	format: z.literal(modelFormat),
	schemaVersion: z.union([z.literal(1), z.literal(modelSchemaVersion)]),
	checksum: z
		.string()
		.regex(/^sha256:[0-9a-f]{64}$/, 'must be "sha256:" and 64 hex digits, as training wrote it')
		.optional(),
	packageVersion: z.string().min(1),
	name: z.string().trim().min(1).max(200),
	propensityType: z.enum(['conversion', 'churn']),
	goal: goalSchema.nullable(),
	features: featuresSchema,
	learner: z.looseObject({ kind: learnerKind }),
	calibration: z.strictObject({ calibrator: calibratorSchema, choice: calibrationChoiceSchema }),
	metrics: z.strictObject({
		validation: validationMetricsSchema,
		training: z.strictObject({ rows: count, positives: count, negatives: count }),
		validationSplit: z.string(),
	}),
	dataRange: z.strictObject({
		firstEvent: isoMoment.nullable(),
		lastEvent: isoMoment.nullable(),
		cutoffs: z.array(isoMoment),
		asOf: isoMoment.nullable(),
		plan: z
			.strictObject({
				chosenBy: z.enum(['goal', 'automatic']),
				spacingDays: z.number().int().positive(),
				holdOutProfiles: z.boolean(),
				reason: z.string(),
			})
			.optional(),
	}),
	selection: selectionSchema,
	notes: z.array(z.string()),
	seed: z.number().int().min(0).max(0xffffffff),
	sample: sampleRecordSchema.optional(),
	insights: z.record(z.string(), z.unknown()).optional(),
	monitoring: monitoringReferenceSchema.optional(),
});

/** The feature names a model reads, in the learner's order. */
export function modelFeatureNames(model: Pick<Model, 'features'>): string[] {
	return model.features.mode === 'table' ? model.features.columns.slice() : model.features.declarations.map((d) => d.name);
}
