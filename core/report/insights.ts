/**
 * The insights of a freshly trained model, as the report's plain-JSON input: validation
 * metrics and score summaries, the model selection, readiness and data quality, and the top
 * factors overall and per bucket from TreeSHAP (or linear contributions) over a sample of
 * the validation profiles. Saved inside the model, so a report can be rendered again later.
 */
import { badRowReasons, type LoadReport, type LoadSummary } from '../events/report';
import { bucketFactors } from '../explain/buckets';
import { explainRows } from '../explain/explainer';
import { explainerOf, factorWordsOf } from '../explain/fromModel';
import { globalImportance } from '../explain/importance';
import type { ReadinessReport } from '../features/readiness';
import type { SelectionRecord } from '../learn/auto';
import type { LabelledDataset } from '../learn/dataset';
import type { TrainedLearner } from '../learn/learner';
import { learnerNames } from '../learn/train';
import type { Model } from '../model/schema';
import { bucketOf, scoreFromProbability } from '../score/buckets';
import { defaultBuckets, type BucketBoundaries } from '../score/types';
import type { WorkHooks } from '../util/progress';
import { packageVersion } from '../version';
import { describeGoal } from '../goal/describe';
import { gradeThresholds } from '../evaluate/grade';
import { summariseScores } from './summary';
import type { FactorDirection, GlobalFactor, ReportDataQuality, ReportInput, ReportReadiness } from './types';
import { withThousands } from '../util/counts';

/** Validation profiles explained for the factor sections: enough for stable averages, quick to run. */
const explainedSample = 2000;
/** Factors per profile used for "how common" in the per-bucket summary. */
const factorsPerProfile = 5;

export interface InsightsInput {
	readonly model: Model;
	readonly learner: TrainedLearner;
	readonly validation: LabelledDataset;
	/** Honest (cross-fitted) calibrated probabilities of the validation rows. */
	readonly validationProbabilities: ArrayLike<number>;
	readonly selection: SelectionRecord;
	/** The validation rows that chose the learner, and whether they were a half apart from the reported rows. */
	readonly choice?: { readonly rows: number; readonly split: boolean };
	readonly version?: number | null;
	readonly readiness?: ReadinessReport;
	readonly load?: { readonly report?: LoadReport; readonly summary: LoadSummary };
	readonly boundaries?: BucketBoundaries;
}

export async function buildInsights(input: InsightsInput, hooks?: WorkHooks): Promise<ReportInput> {
	const { model, validation } = input;
	const boundaries = input.boundaries ?? defaultBuckets;
	const v = model.metrics.validation;
	const goal = model.goal;
	return {
		model: {
			name: model.name,
			version: input.version ?? null,
			learner: learnerNames[input.selection.winner],
			trainedAsOf: model.dataRange.asOf ?? model.dataRange.lastEvent ?? '',
			seed: model.seed,
		},
		goal: {
			name: goal?.name ?? model.name,
			description: goal?.description,
			propensityType: model.propensityType,
			inWords: goal ? describeGoal(goal) : `the label column "${model.features.mode === 'table' ? model.features.labelColumn : ''}" is 1`,
			windowDays: goal?.outcome.windowDays ?? 0,
			lookbackDays: goal?.lookbackDays,
		},
		metrics: {
			auc: v.auc,
			rawAuc: v.rawAuc,
			logLoss: v.logLoss,
			brier: v.brier,
			baseRate: v.baseRate,
			validationRows: v.rows,
			trainingRows: model.metrics.training.rows,
		},
		quality: { grade: v.grade.grade, poor: v.grade.poor, thresholds: gradeThresholds, advice: v.grade.advice },
		scores: summariseScores({ probabilities: input.validationProbabilities, labels: validation.label, boundaries, metrics: v }),
		factors: await factorInsights(input, boundaries, hooks),
		readiness: input.readiness ? readinessInsights(input.readiness) : undefined,
		dataQuality: input.load ? dataQualityInsights(input.load, input.readiness) : undefined,
		selection: {
			candidates: input.selection.candidates.map((candidate) => ({
				learner: learnerNames[candidate.learner],
				auc: candidate.auc,
				logLoss: candidate.logLoss ?? null,
				chosen: candidate.chosen,
				note: candidate.note ?? (candidate.status !== 'fitted' ? candidate.status : undefined),
			})),
			reason: input.selection.reason,
			...(input.choice ? { choiceRows: input.choice.rows, choiceSplit: input.choice.split } : {}),
		},
		dataRange: { from: model.dataRange.firstEvent ?? '', to: model.dataRange.lastEvent ?? '' },
		packageVersion,
	};
}

/** Global and per-bucket factors from explanations of an evenly spread sample of validation rows. */
async function factorInsights(input: InsightsInput, boundaries: BucketBoundaries, hooks?: WorkHooks): Promise<ReportInput['factors']> {
	const { model, validation } = input;
	if (model.features.mode !== 'events' || validation.rows === 0) return { overall: [], byBucket: [] };
	const { declarations, propensityType, outcome } = factorWordsOf(model);
	const step = Math.max(1, validation.rows / explainedSample);
	const rows = Uint32Array.from({ length: Math.min(validation.rows, explainedSample) }, (_, i) => Math.floor(i * step));
	const { contributions } = await explainRows(explainerOf(input.learner), validation, rows, hooks);
	const value = (i: number, f: number): number => validation.columns[f][rows[i]];
	const overall: GlobalFactor[] = globalImportance(declarations, contributions)
		.slice(0, 15)
		.map((factor) => {
			const f = declarations.findIndex((decl) => decl.name === factor.feature);
			return {
				feature: factor.feature,
				label: factor.label,
				importance: factor.meanAbsImpact,
				share: factor.share,
				direction: directionOf(contributions, declarations.length, f, rows.length, value),
			};
		});
	const buckets = Array.from(rows, (r) => bucketOf(scoreFromProbability(input.validationProbabilities[r]), boundaries));
	const byBucket = bucketFactors(declarations, contributions, value, buckets, { k: factorsPerProfile, propensityType, outcome }).map((summary) => ({
		bucket: summary.bucket,
		profiles: summary.profiles,
		factors: summary.factors.map((factor) => ({
			feature: factor.feature,
			label: factor.label,
			direction: factor.direction,
			shareInBucket: factor.shareInBucket,
			shareElsewhere: factor.shareElsewhere,
		})),
	}));
	return { overall, byBucket, explained: { profiles: rows.length, of: validation.rows } };
}

/**
 * Whether higher values of a feature raise or lower the score: the sign of the correlation
 * between its value and its contribution over the sample ('mixed' when weak or undefined).
 */
function directionOf(contributions: ArrayLike<number>, features: number, f: number, rows: number, value: (i: number, f: number) => number): FactorDirection {
	let n = 0;
	let sx = 0;
	let sy = 0;
	let sxx = 0;
	let syy = 0;
	let sxy = 0;
	for (let i = 0; i < rows; i++) {
		const x = value(i, f);
		if (Number.isNaN(x)) continue;
		const y = contributions[i * features + f];
		n++;
		sx += x;
		sy += y;
		sxx += x * x;
		syy += y * y;
		sxy += x * y;
	}
	if (n < 3) return 'mixed';
	const cov = sxy - (sx * sy) / n;
	const spread = Math.sqrt((sxx - (sx * sx) / n) * (syy - (sy * sy) / n));
	if (!(spread > 0)) return 'mixed';
	const correlation = cov / spread;
	return correlation >= 0.2 ? 'raises' : correlation <= -0.2 ? 'lowers' : 'mixed';
}

function readinessInsights(readiness: ReadinessReport): ReportReadiness {
	return {
		cutoffs: readiness.cutoffs.map((cutoff) => ({
			cutoff: cutoff.date,
			eligible: cutoff.eligible,
			positives: cutoff.positives,
			negatives: cutoff.negatives,
			role: cutoff.role,
		})),
		history: { availableDays: readiness.history.availableDays, neededDays: readiness.history.neededDays },
		minimums: readiness.minimums,
		warnings: readiness.warnings.map((warning) => warning.message),
	};
}

function dataQualityInsights(load: NonNullable<InsightsInput['load']>, readiness?: ReadinessReport): ReportDataQuality {
	const { summary, report } = load;
	const rejected = Object.entries(summary.rejectedByReason).map(([reason, count]) => {
		const example = report?.rejected.examples.find((e) => e.reason === reason);
		return {
			reason: badRowReasons[reason as keyof typeof badRowReasons] ?? reason,
			count: count ?? 0,
			example: example ? `row ${example.row}: ${example.message}` : undefined,
		};
	});
	const warnings: string[] = [];
	if (summary.duplicatesDropped > 0) warnings.push(`${withThousands(summary.duplicatesDropped)} duplicate events were dropped.`);
	for (const name of report?.emptyAttributesDropped ?? []) warnings.push(`The attribute "${name}" had no values and was left out.`);
	return {
		rowsRead: report?.rowsRead,
		events: summary.events,
		profiles: summary.profiles,
		// What training saw: the events up to its as-of moment, not every event loaded.
		...(readiness?.history.end ? { asOf: readiness.history.end, eventsAsOf: readiness.eventTypes.reduce((sum, entry) => sum + entry.events, 0) } : {}),
		eventTypes: readiness?.history.end
			? readiness.eventTypes.map((entry) => ({ type: entry.type, count: entry.events }))
			: Object.entries(summary.eventsPerType)
					.map(([type, count]) => ({ type, count }))
					.sort((a, b) => b.count - a.count),
		rejected,
		warnings,
	};
}
