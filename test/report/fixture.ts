/**
 * Plausible report inputs, fabricated deterministically from a seed: a validation set whose
 * outcomes follow the predicted chances, factors with labels a marketer would see, cutoffs,
 * a load summary and a model-selection record. Tests override single fields.
 */
import { describeGoal } from '../../core/goal/describe';
import { parseGoal } from '../../core/goal/parse';
import { gradeModel, gradeThresholds, validationMetrics } from '../../core/evaluate';
import { logit } from '../../core/learn/learner';
import { summariseScores } from '../../core/report';
import type { BucketFactors, GlobalFactor, ReportInput } from '../../core/report';
import { createRng } from '../../core/util/rng';

export interface FixtureOptions {
	readonly seed?: number;
	readonly rows?: number;
	/** How well the fabricated scores separate outcomes: 0 is chance, about 1.5 is a good model. */
	readonly strength?: number;
	/** The log-odds of the average profile; -2.5 gives a base rate near 10%. */
	readonly intercept?: number;
}

/** Validation outcomes and calibrated probabilities: outcomes drawn from the probabilities themselves. */
export function fabricateValidation(options: FixtureOptions = {}): { labels: Uint8Array; probabilities: Float64Array } {
	const rng = createRng(options.seed ?? 7);
	const rows = options.rows ?? 6000;
	const strength = options.strength ?? 1.5;
	const intercept = options.intercept ?? -2.6;
	const labels = new Uint8Array(rows);
	const probabilities = new Float64Array(rows);
	for (let i = 0; i < rows; i++) {
		const probability = 1 / (1 + Math.exp(-(intercept + strength * rng.normal())));
		probabilities[i] = probability;
		labels[i] = rng.next() < probability ? 1 : 0;
	}
	return { labels, probabilities };
}

/** A whole report input for a conversion goal, with every section filled. */
export function sampleReportInput(options: FixtureOptions = {}): ReportInput {
	const { labels, probabilities } = fabricateValidation(options);
	const metrics = validationMetrics(
		labels,
		probabilities,
		probabilities.map((p) => logit(p)),
	);
	const scores = summariseScores({ labels, probabilities, metrics });
	const auc = metrics.auc ?? NaN;
	const logLoss = metrics.logLoss ?? NaN;
	const grade = gradeModel(metrics.auc);
	const goal = parseGoal({
		name: 'purchase-in-30-days',
		description: 'Who will buy again next month, for the December win-back campaign.',
		propensityType: 'conversion',
		outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		eligibility: { all: [{ activeWithinDays: 45 }] },
	});
	return {
		model: { name: 'purchase-propensity', version: 3, learner: 'gradient-boosted trees', trainedAsOf: '2024-12-01T00:00:00.000Z', seed: 42 },
		goal: {
			name: goal.name,
			description: goal.description,
			propensityType: goal.propensityType,
			inWords: describeGoal(goal),
			windowDays: goal.outcome.windowDays,
			lookbackDays: goal.lookbackDays,
		},
		metrics: {
			auc: metrics.auc,
			logLoss: metrics.logLoss,
			brier: metrics.brier,
			baseRate: metrics.baseRate,
			validationRows: metrics.rows,
			trainingRows: metrics.rows * 3,
		},
		quality: { grade: grade.grade, poor: grade.poor, thresholds: gradeThresholds, advice: grade.advice },
		scores,
		factors: { overall: overallFactors, byBucket: bucketFactors(scores.buckets.map((bucket) => bucket.count)) },
		readiness: {
			cutoffs: [
				{ cutoff: '2024-07-04T00:00:00.000Z', eligible: 5210, positives: 512, negatives: 4698, role: 'training' },
				{ cutoff: '2024-08-03T00:00:00.000Z', eligible: 5544, positives: 561, negatives: 4983, role: 'training' },
				{ cutoff: '2024-09-02T00:00:00.000Z', eligible: 5871, positives: 598, negatives: 5273, role: 'training' },
				{ cutoff: '2024-10-02T00:00:00.000Z', eligible: metrics.rows, positives: metrics.positives, negatives: metrics.negatives, role: 'validation' },
			],
			history: { availableDays: 700, neededDays: 395 },
			minimums: { positives: 500, negatives: 500 },
			warnings: ['The latest cutoff has 12% fewer eligible profiles than the one before; check that the last days of events were loaded.'],
		},
		dataQuality: {
			rowsRead: 1_204_877,
			events: 1_204_611,
			profiles: 48_213,
			eventTypes: [
				{ type: 'page_view', count: 802_114 },
				{ type: 'product_view', count: 251_300 },
				{ type: 'add_to_cart', count: 81_020 },
				{ type: 'purchase', count: 40_177 },
				{ type: 'email_open', count: 30_000 },
			],
			rejected: [
				{ reason: 'timestamp is not a date', count: 214, example: 'row 10,422: timestamp "yesterday"' },
				{ reason: 'profile id is empty', count: 52, example: 'row 88,150: identityMap has no ECID' },
			],
			warnings: ['The field "commerce.order.priceTotal" is empty in 38% of purchase events.'],
		},
		selection: {
			candidates: [
				{ learner: 'gradient-boosted trees', auc, logLoss, seconds: 14.2, chosen: true },
				{ learner: 'logistic regression', auc: auc - 0.031, logLoss: logLoss + 0.012, seconds: 1.1, chosen: false },
				{ learner: 'naive Bayes', auc: auc - 0.074, logLoss: logLoss + 0.05, seconds: 0.4, chosen: false },
				{ learner: 'random forest', auc: null, logLoss: null, seconds: null, chosen: false, note: 'skipped: more than 5,000 training rows' },
			],
			reason: `Gradient-boosted trees had the highest validation AUC (${auc.toFixed(3)}), 0.031 above logistic regression.`,
		},
		dataRange: { from: '2023-01-01T00:00:00.000Z', to: '2024-12-01T00:00:00.000Z' },
		packageVersion: '0.1.0',
	};
}

/** Mean |impact| per feature, with each one's share of the total as core/explain computes it. */
const overallFactors: GlobalFactor[] = withShares([
	{ feature: 'purchase_days_since_last', label: 'days since the last purchase', importance: 0.62, direction: 'lowers' },
	{ feature: 'purchase_count_90d', label: 'purchases in the last 90 days', importance: 0.48, direction: 'raises' },
	{ feature: 'product_view_count_30d', label: 'product views in the last 30 days', importance: 0.41, direction: 'raises' },
	{ feature: 'add_to_cart_count_7d', label: 'add-to-carts in the last 7 days', importance: 0.33, direction: 'raises' },
	{ feature: 'value_sum_365d', label: 'total spend in the last 365 days', importance: 0.27, direction: 'raises' },
	{ feature: 'email_open_trend_30d', label: 'email opens, last 30 days against the 60 before', importance: 0.18, direction: 'raises' },
	{ feature: 'tenure_days', label: 'days since the first event', importance: 0.14, direction: 'mixed' },
	{ feature: 'page_view_mean_gap_days', label: 'average days between visits', importance: 0.11, direction: 'lowers' },
]);

function withShares(factors: GlobalFactor[]): GlobalFactor[] {
	// The eight listed features plus the long tail of the others.
	const total = factors.reduce((sum, factor) => sum + factor.importance, 0) + 0.4;
	return factors.map((factor) => ({ ...factor, share: factor.importance / total }));
}

function bucketFactors(counts: readonly number[]): BucketFactors[] {
	const pick = (index: number) => overallFactors[index];
	return [
		{
			bucket: 'high',
			profiles: counts[2],
			factors: [
				{ feature: pick(1).feature, label: pick(1).label, direction: 'raises', shareInBucket: 0.84, shareElsewhere: 0.21 },
				{ feature: pick(0).feature, label: pick(0).label, direction: 'raises', shareInBucket: 0.77, shareElsewhere: 0.35 },
				{ feature: pick(3).feature, label: pick(3).label, direction: 'raises', shareInBucket: 0.52, shareElsewhere: 0.06 },
				{ feature: pick(2).feature, label: pick(2).label, direction: 'raises', shareInBucket: 0.41, shareElsewhere: 0.18 },
			],
		},
		{
			bucket: 'medium',
			profiles: counts[1],
			factors: [
				{ feature: pick(2).feature, label: pick(2).label, direction: 'raises', shareInBucket: 0.58, shareElsewhere: 0.22 },
				{ feature: pick(0).feature, label: pick(0).label, direction: 'mixed', shareInBucket: 0.55, shareElsewhere: 0.61 },
				{ feature: pick(4).feature, label: pick(4).label, direction: 'raises', shareInBucket: 0.37, shareElsewhere: 0.19 },
			],
		},
		{
			bucket: 'low',
			profiles: counts[0],
			factors: [
				{ feature: pick(0).feature, label: pick(0).label, direction: 'lowers', shareInBucket: 0.91, shareElsewhere: 0.33 },
				{ feature: pick(1).feature, label: pick(1).label, direction: 'lowers', shareInBucket: 0.63, shareElsewhere: 0.12 },
				{ feature: pick(7).feature, label: pick(7).label, direction: 'lowers', shareInBucket: 0.29, shareElsewhere: 0.08 },
			],
		},
	];
}
