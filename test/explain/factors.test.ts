import assert from 'node:assert/strict';
import { bucketFactors } from '../../core/explain/buckets';
import { importanceOf, importanceThresholds, topFactors } from '../../core/explain/factors';
import { globalImportance } from '../../core/explain/importance';
import { relatedGroups } from '../../core/explain/related';
import { factorSentence } from '../../core/explain/sentences';
import { EventTableBuilder } from '../../core/events/table';
import type { FeatureDecl } from '../../core/features/declaration';
import { generateFeatures } from '../../core/features/generate';
import { parseGoal } from '../../core/goal/parse';
import type { Bucket } from '../../core/score/types';

const decls: FeatureDecl[] = [
	{ name: 'purchase_count_30d', label: 'purchases in the last 30 days', subject: 'purchases', filter: null, windowDays: 30, aggregate: 'count' },
	{ name: 'visit_days_since_last', label: 'days since the last visit', subject: 'visits', filter: null, windowDays: null, aggregate: 'daysSinceLast' },
	{
		name: 'purchase_value_sum_90d',
		label: 'total value of purchases in the last 90 days',
		subject: 'purchases',
		filter: null,
		windowDays: 90,
		aggregate: 'sum',
		field: 'value',
	},
	{
		name: 'email_open_days_since_last',
		label: 'days since the last email open',
		subject: 'email opens',
		filter: null,
		windowDays: null,
		aggregate: 'daysSinceLast',
	},
	{
		name: 'profile_tier',
		label: 'loyalty tier',
		subject: 'loyalty tier',
		filter: null,
		windowDays: null,
		aggregate: 'latest',
		field: 'tier',
		categories: ['gold', 'silver'],
	},
];

describe('related features', () => {
	const often = (name: string, aggregate: FeatureDecl['aggregate'], windowDays: number | null = 30): FeatureDecl => ({
		name,
		label: name,
		subject: 'purchases',
		filter: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
		windowDays,
		aggregate,
	});
	const related: FeatureDecl[] = [
		often('purchase_count_30d', 'count'),
		often('purchase_distinct_days_30d', 'distinctDays'),
		often('purchase_days_since_last', 'daysSinceLast', null),
		often('purchase_count_90d', 'count', 90),
		{ ...often('visit_count_30d', 'count'), filter: { all: [{ field: 'eventType', op: 'equals', value: 'visit' }] } },
	];

	it('puts counts of the same events over the same window in one group, and recency, other windows and other events apart', () => {
		const groups = relatedGroups(related);
		assert.equal(groups[0], groups[1], 'count and distinct days of purchases in 30 days');
		assert.equal(new Set(groups).size, 4);
	});

	it('gives a profile one reason per group: "8 times" and "on 8 different days" do not both appear', () => {
		const impacts = [0.9, 0.8, 0.5, 0.4, 0.3];
		const factors = topFactors(related, impacts, () => 8, { k: 4, propensityType: 'conversion' });
		assert.deepEqual(
			factors.map((factor) => factor.feature),
			['purchase_count_30d', 'purchase_days_since_last', 'purchase_count_90d', 'visit_count_30d'],
		);
		// The strongest of the group wins, whichever it is.
		const swapped = topFactors(related, [0.2, 0.8, 0.5, 0.4, 0.3], () => 8, { k: 2, propensityType: 'conversion' });
		assert.deepEqual(
			swapped.map((factor) => factor.feature),
			['purchase_distinct_days_30d', 'purchase_days_since_last'],
		);
	});

	it('counts one factor per group in the bucket summaries too', () => {
		const contributions = Float64Array.from([0.9, 0.8, 0, 0, 0, 0.9, 0.8, 0, 0, 0]);
		const summary = bucketFactors(related, contributions, () => 1, ['high', 'high'], { k: 2, propensityType: 'conversion' });
		const high = summary.find((entry) => entry.bucket === 'high');
		assert.deepEqual(
			high?.factors.filter((factor) => factor.shareInBucket > 0).map((factor) => factor.feature),
			['purchase_count_30d'],
		);
	});
});

describe('importance', () => {
	it('is high from odds × 1.5, medium from odds × 1.1, low below, whichever the sign', () => {
		assert.equal(importanceOf(Math.log(1.5)), 'high');
		assert.equal(importanceOf(-0.9), 'high');
		assert.equal(importanceOf(0.4), 'medium');
		assert.equal(importanceOf(-Math.log(1.1)), 'medium');
		assert.equal(importanceOf(0.09), 'low');
		assert.equal(importanceOf(0), 'low');
		assert.ok(Math.abs(importanceThresholds.high - 0.405) < 0.001 && Math.abs(importanceThresholds.medium - 0.0953) < 0.001);
	});
});

describe("a profile's top factors", () => {
	const values = [3, 45.2, 240.5, NaN, 1];
	const contributions = [0.6, -0.25, 0, -0.6, 0.05];

	it('are the k largest impacts by size, largest first, ties in feature order, with value, importance and sentence', () => {
		const factors = topFactors(decls, contributions, (f) => values[f], { k: 3, propensityType: 'conversion' });
		assert.deepEqual(factors, [
			{
				feature: 'purchase_count_30d',
				label: 'purchases in the last 30 days',
				value: 3,
				impact: 0.6,
				importance: 'high',
				sentence: 'Bought 3 times in the last 30 days, which raises the chance of converting.',
			},
			{
				feature: 'email_open_days_since_last',
				label: 'days since the last email open',
				value: null,
				impact: -0.6,
				importance: 'high',
				sentence: 'Has never opened an email, which lowers the chance of converting.',
			},
			{
				feature: 'visit_days_since_last',
				label: 'days since the last visit',
				value: 45.2,
				impact: -0.25,
				importance: 'medium',
				sentence: 'Last visited 45 days ago, which lowers the chance of converting.',
			},
		]);
	});

	it('leave out features with no impact, even when k asks for more', () => {
		const factors = topFactors(decls, contributions, (f) => values[f], { k: 10, propensityType: 'churn' });
		assert.deepEqual(
			factors.map((f) => f.feature),
			['purchase_count_30d', 'email_open_days_since_last', 'visit_days_since_last', 'profile_tier'],
		);
		assert.equal(factors[3].sentence, 'Loyalty tier is silver, which raises the risk of leaving.');
		assert.equal(factors[3].importance, 'low');
	});

	it('are none for k = 0, and a bad k or a mismatched row is refused', () => {
		assert.deepEqual(
			topFactors(decls, contributions, () => 0, { k: 0, propensityType: 'conversion' }),
			[],
		);
		assert.throws(() => topFactors(decls, contributions, () => 0, { k: 1.5, propensityType: 'conversion' }), /whole number/);
		assert.throws(() => topFactors(decls, [1, 2], () => 0, { k: 2, propensityType: 'conversion' }), /2 contributions but 5 feature declarations/);
	});
});

describe('factors per bucket', () => {
	// Four profiles, three features: purchases, days since the last visit, total spent.
	const three = decls.slice(0, 3);
	const buckets: Bucket[] = ['high', 'high', 'low', 'medium'];
	const contributions = [
		// high: purchases dominate and raise
		1.0, -0.2, 0.1, 0.6, 0.1, 0.3,
		// low: recency dominates and lowers
		-0.1, -0.9, 0,
		// medium
		0.2, 0.2, -0.05,
	];
	const values = [
		[4, 2, 300],
		[2, NaN, 100],
		[0, 80, 0],
		[1, 10, 20],
	];
	const summaries = bucketFactors(three, contributions, (i, f) => values[i][f], buckets, { k: 1, propensityType: 'conversion' });

	it('come in the order low, medium, high with their profile counts', () => {
		assert.deepEqual(
			summaries.map((s) => [s.bucket, s.profiles]),
			[
				['low', 1],
				['medium', 1],
				['high', 2],
			],
		);
	});

	it('rank features by mean |impact| in the bucket, with mean impact and direction', () => {
		const high = summaries[2].factors;
		assert.deepEqual(
			high.map((f) => f.feature),
			['purchase_count_30d', 'purchase_value_sum_90d', 'visit_days_since_last'],
		);
		assert.ok(Math.abs(high[0].meanAbsImpact - 0.8) < 1e-12 && Math.abs(high[0].meanImpact - 0.8) < 1e-12);
		assert.equal(high[0].direction, 'raises');
		assert.equal(high[2].direction, 'mixed', 'one profile up, one down');
		assert.equal(summaries[0].factors[0].feature, 'visit_days_since_last');
		assert.equal(summaries[0].factors[0].direction, 'lowers');
		assert.equal(summaries[0].factors.length, 2, 'a feature with no impact in the bucket is left out');
	});

	it('say how common each factor is: share of profiles with it in their top k, here and elsewhere', () => {
		const purchases = summaries[2].factors[0];
		assert.equal(purchases.shareInBucket, 1, 'both high profiles have purchases as their top factor');
		assert.equal(purchases.shareElsewhere, 0.5, 'of the low and medium profiles, only medium has it first (0.2 ties 0.2, feature order wins)');
		const recency = summaries[0].factors[0];
		assert.equal(recency.shareInBucket, 1);
		assert.equal(recency.shareElsewhere, 0);
	});

	it('compare the mean value in the bucket with the other buckets, over profiles that have one', () => {
		const high = summaries[2].factors;
		assert.equal(high[0].meanValue, 3);
		assert.equal(high[0].meanValueElsewhere, 0.5);
		assert.equal(high[2].meanValue, 2, 'the missing value is left out');
		assert.equal(high[2].meanValueElsewhere, 45);
	});

	it('put it in a sentence', () => {
		assert.equal(
			summaries[2].factors[0].sentence,
			'Purchases in the last 30 days: 3 on average here against 0.5 in the other buckets; among the top 1 factors for 100% of profiles here (50% in the other buckets); mostly raises the chance of converting.',
		);
		assert.equal(
			summaries[0].factors[0].sentence,
			'Days since the last visit: 80 days on average here against 6 days in the other buckets; among the top 1 factors for 100% of profiles here (0% in the other buckets); mostly lowers the chance of converting.',
		);
	});

	it('are empty for a bucket with no profiles, and keep at most `top`', () => {
		const onlyHigh = bucketFactors(three, contributions.slice(0, 6), (i, f) => values[i][f], ['high', 'high'], { k: 2, top: 1, propensityType: 'churn' });
		assert.deepEqual(onlyHigh[0], { bucket: 'low', profiles: 0, factors: [] });
		assert.equal(onlyHigh[2].factors.length, 1);
		assert.equal(onlyHigh[2].factors[0].shareElsewhere, null);
		assert.equal(onlyHigh[2].factors[0].meanValueElsewhere, null);
	});

	it('refuse an unknown bucket and a contributions array of the wrong size', () => {
		assert.throws(
			() => bucketFactors(three, contributions, () => 0, ['high', 'high', 'top' as Bucket, 'low'], { k: 1, propensityType: 'conversion' }),
			/Profile 2 has bucket "top"/,
		);
		assert.throws(() => bucketFactors(three, contributions.slice(1), () => 0, buckets, { k: 1, propensityType: 'conversion' }), /expected 12/);
	});
});

describe('global importance', () => {
	it('ranks features by mean |impact| over the profiles, with their share of the total', () => {
		const ranking = globalImportance(decls.slice(0, 3), [1, -0.5, 0, -1, 0.5, 0, 0.5, 0.5, 0]);
		assert.deepEqual(
			ranking.map((r) => r.feature),
			['purchase_count_30d', 'visit_days_since_last'],
		);
		assert.ok(Math.abs(ranking[0].meanAbsImpact - 2.5 / 3) < 1e-12);
		assert.ok(Math.abs(ranking[0].meanImpact - 0.5 / 3) < 1e-12);
		assert.ok(Math.abs(ranking[0].share - 2.5 / 4) < 1e-12);
		assert.ok(Math.abs(ranking[1].share - 1.5 / 4) < 1e-12);
	});

	it('refuses contributions that are not whole rows of the declared features', () => {
		assert.throws(() => globalImportance(decls.slice(0, 3), [1, 2]), /not a whole number of profiles of 3 features/);
	});
});

describe('sentences for generated features', () => {
	it('read cleanly for every feature the generator declares, for zero, one, a fraction and missing', () => {
		const day = 86_400_000;
		const builder = new EventTableBuilder([
			{ name: 'channel', kind: 'category' },
			{ name: 'tier', kind: 'category' },
		]);
		const types = ['commerce.purchases', 'web.webpagedetails.pageViews', 'directMarketing.emailOpened', 'commerce.productListAdds'];
		for (let p = 0; p < 40; p++) {
			for (let e = 0; e < 30; e++) {
				const type = types[(p + e) % types.length];
				builder.add(`p${p}`, Date.UTC(2024, 0, 1) + ((p * 7 + e * 13) % 360) * day, type, type === 'commerce.purchases' ? 10 + e : NaN, [
					e % 2 ? 'email' : 'web',
					p % 3 ? 'gold' : 'silver',
				]);
			}
		}
		const { table } = builder.build();
		const goal = parseGoal({
			name: 'buy',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'commerce.purchases' }] } },
			lookbackDays: 180,
			customEvents: [{ name: 'Viewed pricing', when: { all: [{ field: 'eventType', op: 'equals', value: 'web.webpagedetails.pageViews' }] } }],
			profileAttributes: [{ field: 'tier', label: 'loyalty tier' }],
		});
		const generated = generateFeatures(table, goal);
		assert.ok(generated.length > 20);
		const aggregates = new Set(generated.map((d) => d.aggregate));
		for (const aggregate of ['count', 'daysSinceLast', 'daysSinceFirst', 'distinctDays', 'trend', 'sum', 'mean', 'latest'])
			assert.ok(aggregates.has(aggregate as FeatureDecl['aggregate']), aggregate);
		for (const decl of generated) {
			for (const value of [0, 1, 2.5, null]) {
				for (const impact of [0.3, -0.3]) {
					const sentence = factorSentence(decl, value, impact, 'conversion');
					assert.match(sentence, /^["A-Z0-9].*, which (raises|lowers) the chance of converting\.$/, `${decl.name} = ${value}: ${sentence}`);
					assert.doesNotMatch(sentence, /undefined|NaN|null|\[object| {2}/, `${decl.name} = ${value}: ${sentence}`);
				}
			}
		}
	});
});
