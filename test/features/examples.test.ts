import assert from 'node:assert/strict';
import type { EventTable } from '../../core/events/table';
import { CancelledError, InputError } from '../../core/errors';
import { type FeatureDecl, buildExamples, computeFeaturesAsOf, planCutoffs, planTraining } from '../../core/features';
import { judgeCutoffs, judgeExamples, judgementAt } from '../../core/features/examples';
import type { Goal } from '../../core/goal';
import { DAY, type TestEvent, at, goalOf, purchase, tableOf } from './support';

const visit = { all: [{ field: 'eventType', op: 'equals' as const, value: 'visit' }] };

/** A small set of declarations that reads every aggregate. */
const decls: FeatureDecl[] = [
	{ name: 'visits_30d', label: 'visits in the last 30 days', subject: 'visits', filter: visit, windowDays: 30, aggregate: 'count' },
	{ name: 'events_90d', label: 'events in the last 90 days', subject: 'events', filter: null, windowDays: null, aggregate: 'count' },
	{ name: 'purchases_30d', label: 'purchases in the last 30 days', subject: 'purchases', filter: purchase, windowDays: 30, aggregate: 'count' },
	{ name: 'revenue_90d', label: 'total value of purchases', subject: 'purchases', filter: purchase, windowDays: null, aggregate: 'sum', field: 'value' },
	{ name: 'revenue_mean', label: 'average value of purchases', subject: 'purchases', filter: purchase, windowDays: null, aggregate: 'mean', field: 'value' },
	{ name: 'revenue_max', label: 'largest purchase', subject: 'purchases', filter: purchase, windowDays: null, aggregate: 'max', field: 'value' },
	{ name: 'since_last_visit', label: 'days since the last visit', subject: 'visits', filter: visit, windowDays: null, aggregate: 'daysSinceLast' },
	{ name: 'since_first_event', label: 'days since the first event', subject: 'events', filter: null, windowDays: null, aggregate: 'daysSinceFirst' },
	{ name: 'visit_days', label: 'days with a visit', subject: 'visits', filter: visit, windowDays: null, aggregate: 'distinctDays' },
	{ name: 'visit_trend', label: 'trend of visits', subject: 'visits', filter: visit, windowDays: 10, baselineDays: 20, aggregate: 'trend' },
	{ name: 'visit_gap', label: 'average days between visits', subject: 'visits', filter: visit, windowDays: null, aggregate: 'meanGapDays' },
	{ name: 'qty_latest', label: 'latest qty', subject: 'events', filter: null, windowDays: null, aggregate: 'latest', field: 'qty' },
	{ name: 'country', label: 'country', subject: 'country', filter: null, windowDays: null, aggregate: 'latest', field: 'country', categories: ['US', 'DE'] },
];

interface Row {
	readonly label: number;
	readonly cutoff: number;
	readonly values: Record<string, number>;
}

/** The examples at the given cutoffs, keyed by "profile@cutoffIndex". */
async function examplesOf(table: EventTable, goal: Goal, cutoffs: number[], features: FeatureDecl[] = decls): Promise<Map<string, Row>> {
	const examples = await buildExamples(table, goal, features, { cutoffs });
	const rows = new Map<string, Row>();
	for (let r = 0; r < examples.data.rows; r++) {
		const values = Object.fromEntries(examples.data.featureNames.map((name, f) => [name, examples.data.columns[f][r]]));
		rows.set(`${table.profileIds[examples.profile[r]]}@${examples.cutoffIndex[r]}`, {
			label: examples.data.label[r],
			cutoff: examples.cutoffIndex[r],
			values,
		});
	}
	return rows;
}

async function rowOf(events: TestEvent[], goal: Goal, cutoff: number, profile = 'a'): Promise<Row | undefined> {
	return (await examplesOf(tableOf(events), goal, [cutoff])).get(`${profile}@0`);
}

const goal = goalOf();

describe('training examples', () => {
	describe('the boundary rules', () => {
		it('a purchase at exactly the cutoff counts as history, not as outcome', async () => {
			const row = await rowOf([{ profile: 'a', day: 100, type: 'purchase', value: 10 }], goal, at(100));
			assert.equal(row?.values.purchases_30d, 1);
			assert.equal(row?.label, 0);
		});

		it('a purchase at exactly cutoff + window is outcome', async () => {
			const row = await rowOf(
				[
					{ profile: 'a', day: 99, type: 'visit' },
					{ profile: 'a', day: 130, type: 'purchase' },
				],
				goal,
				at(100),
			);
			assert.equal(row?.values.purchases_30d, 0);
			assert.equal(row?.label, 1);
		});

		it('a purchase one millisecond after cutoff + window is neither history nor outcome', async () => {
			const row = await rowOf(
				[
					{ profile: 'a', day: 99, type: 'visit' },
					{ profile: 'a', ms: at(130) + 1, type: 'purchase' },
				],
				goal,
				at(100),
			);
			assert.equal(row?.label, 0);
			assert.equal(row?.values.events_90d, 1);
		});

		it('a purchase one millisecond after the cutoff is outcome', async () => {
			const row = await rowOf(
				[
					{ profile: 'a', day: 99, type: 'visit' },
					{ profile: 'a', ms: at(100) + 1, type: 'purchase' },
				],
				goal,
				at(100),
			);
			assert.equal(row?.label, 1);
			assert.equal(row?.values.events_90d, 1);
		});

		it('an event exactly a window before the cutoff is inside the window; a millisecond earlier it is not', async () => {
			const inside = await rowOf([{ profile: 'a', day: 70, type: 'visit' }], goal, at(100));
			assert.equal(inside?.values.visits_30d, 1);
			const outside = await rowOf([{ profile: 'a', ms: at(70) - 1, type: 'visit' }], goal, at(100));
			assert.equal(outside?.values.visits_30d, 0);
			assert.equal(outside?.values.events_90d, 1);
		});

		it('events older than the lookback are not seen, and do not make a profile eligible', async () => {
			const seen = await rowOf([{ profile: 'a', day: 10, type: 'visit' }], goal, at(100));
			assert.equal(seen?.values.events_90d, 1);
			const unseen = await rowOf([{ profile: 'a', ms: at(10) - 1, type: 'visit' }], goal, at(100));
			assert.equal(unseen, undefined);
		});

		it("a profile's first event after the cutoff does not make it eligible at that cutoff", async () => {
			const rows = await examplesOf(
				tableOf([
					{ profile: 'a', ms: at(100) + 1, type: 'visit' },
					{ profile: 'a', day: 110, type: 'purchase' },
					{ profile: 'b', day: 90, type: 'visit' },
				]),
				goal,
				[at(100)],
			);
			assert.deepEqual([...rows.keys()], ['b@0']);
		});
	});

	describe('labels', () => {
		it('are 1 for will_occur when the goal event happens in the window', async () => {
			const rows = await examplesOf(
				tableOf([
					{ profile: 'buyer', day: 90, type: 'visit' },
					{ profile: 'buyer', day: 120, type: 'purchase' },
					{ profile: 'browser', day: 90, type: 'visit' },
					{ profile: 'browser', day: 120, type: 'visit' },
				]),
				goal,
				[at(100)],
			);
			assert.equal(rows.get('buyer@0')?.label, 1);
			assert.equal(rows.get('browser@0')?.label, 0);
		});

		it('are 1 for will_not_occur (churn) when no goal event happens in the window', async () => {
			const churn = goalOf({ propensityType: 'churn', outcome: { occur: 'will_not_occur', windowDays: 30, when: visit } });
			const rows = await examplesOf(
				tableOf([
					{ profile: 'stays', day: 90, type: 'visit' },
					{ profile: 'stays', day: 125, type: 'visit' },
					{ profile: 'leaves', day: 90, type: 'visit' },
					{ profile: 'leaves', day: 125, type: 'purchase' },
					{ profile: 'leaves', day: 140, type: 'visit' },
				]),
				churn,
				[at(100)],
			);
			assert.equal(rows.get('stays@0')?.label, 0);
			assert.equal(rows.get('leaves@0')?.label, 1);
		});
	});

	describe('feature values', () => {
		const events: TestEvent[] = [
			{ profile: 'a', day: 20, type: 'visit', qty: 1, country: 'US' },
			{ profile: 'a', day: 75, type: 'visit', qty: 2 },
			{ profile: 'a', day: 75.5, type: 'visit' },
			{ profile: 'a', day: 80, type: 'purchase', value: 30, country: 'DE' },
			{ profile: 'a', day: 85, type: 'visit', qty: 5 },
			{ profile: 'a', day: 95, type: 'visit' },
			{ profile: 'a', day: 96, type: 'purchase', value: 90 },
			{ profile: 'a', day: 96, type: 'purchase' },
			{ profile: 'a', day: 101, type: 'visit', qty: 9, country: 'FR' },
		];

		it('count, sum, mean, max, recency, tenure, active days, trend, gaps and latest values as declared', async () => {
			const row = await rowOf(events, goal, at(100));
			assert.deepEqual(row?.values, {
				visits_30d: 4,
				events_90d: 8,
				purchases_30d: 3,
				revenue_90d: 120,
				revenue_mean: 60,
				revenue_max: 90,
				since_last_visit: 5,
				since_first_event: 80,
				visit_days: 4,
				// 1 visit in the last 10 days (day 95) against 3 in the 20 before (75, 75.5, 85): (1 / 10) / (3 / 20).
				visit_trend: Math.fround(2 / 3),
				// Visits on days 20, 75, 75.5, 85, 95: (95 − 20) / 4.
				visit_gap: 18.75,
				qty_latest: 5,
				// Latest country at the cutoff is DE, coded by its place in the categories.
				country: 1,
			});
		});

		it('are missing (NaN) when there is nothing to aggregate, and zero for empty counts and sums', async () => {
			const row = await rowOf([{ profile: 'a', day: 99, type: 'email_open' }], goal, at(100));
			const v = row?.values ?? {};
			assert.equal(v.visits_30d, 0);
			assert.equal(v.revenue_90d, 0);
			for (const name of ['revenue_mean', 'revenue_max', 'since_last_visit', 'visit_trend', 'visit_gap', 'qty_latest', 'country'])
				assert.ok(Number.isNaN(v[name]), name);
			assert.equal(v.since_first_event, 1);
		});

		it('code a category outside the declared list as missing', async () => {
			const row = await rowOf([{ profile: 'a', day: 99, type: 'visit', country: 'FR' }], goal, at(100));
			assert.ok(Number.isNaN(row?.values.country));
		});
	});

	describe('eligibility', () => {
		const people: TestEvent[] = [
			{ profile: 'recent', day: 95, type: 'visit', country: 'US' },
			{ profile: 'lapsed', day: 60, type: 'visit', country: 'US' },
			{ profile: 'buyer', day: 60, type: 'purchase', country: 'DE' },
			{ profile: 'moved', day: 90, type: 'visit', country: 'US' },
			{ profile: 'moved', day: 99, type: 'visit', country: 'DE' },
			{ profile: 'moves-later', day: 90, type: 'visit', country: 'US' },
			{ profile: 'moves-later', day: 101, type: 'visit', country: 'DE' },
		];
		const eligibleAt100 = async (eligibility: unknown) => {
			const rows = await examplesOf(tableOf(people), goalOf({ eligibility } as Parameters<typeof goalOf>[0]), [at(100)]);
			return [...rows.keys()].map((key) => key.replace('@0', '')).sort();
		};

		it('by default takes every profile with an event in the lookback', async () => {
			assert.deepEqual(await eligibleAt100({ all: [] }), ['buyer', 'lapsed', 'moved', 'moves-later', 'recent']);
		});

		it('activeWithinDays keeps profiles with an event in the last N days', async () => {
			assert.deepEqual(await eligibleAt100({ all: [{ activeWithinDays: 30 }] }), ['moved', 'moves-later', 'recent']);
			assert.deepEqual(await eligibleAt100({ all: [{ activeWithinDays: 40 }] }), ['buyer', 'lapsed', 'moved', 'moves-later', 'recent']);
		});

		it('did keeps profiles that did the thing within N days, didNot those that did not', async () => {
			assert.deepEqual(await eligibleAt100({ all: [{ did: purchase, withinDays: 45 }] }), ['buyer']);
			assert.deepEqual(await eligibleAt100({ all: [{ did: purchase, withinDays: 30 }] }), []);
			assert.deepEqual(await eligibleAt100({ all: [{ didNot: purchase, withinDays: 45 }] }), ['lapsed', 'moved', 'moves-later', 'recent']);
		});

		it('profile conditions read the latest value at the cutoff, not a later one', async () => {
			const us = { profile: { field: 'country', op: 'equals', value: 'US' } };
			assert.deepEqual(await eligibleAt100({ all: [us] }), ['lapsed', 'moves-later', 'recent']);
		});

		it('any groups keep a profile that meets one of their conditions', async () => {
			assert.deepEqual(await eligibleAt100({ any: [{ activeWithinDays: 7 }, { did: purchase, withinDays: 45 }] }), ['buyer', 'moved', 'recent']);
		});
	});

	describe('exclusions', () => {
		const excludeTests = goalOf({ exclusions: [{ all: [{ field: 'channel', op: 'equals', value: 'test' }] }] });

		it('are ignored in features, labels and eligibility alike', async () => {
			const rows = await examplesOf(
				tableOf([
					{ profile: 'a', day: 90, type: 'visit' },
					{ profile: 'a', day: 95, type: 'visit', channel: 'test' },
					{ profile: 'a', day: 110, type: 'purchase', channel: 'test' },
					{ profile: 'ghost', day: 90, type: 'visit', channel: 'test' },
				]),
				excludeTests,
				[at(100)],
			);
			assert.deepEqual([...rows.keys()], ['a@0']);
			assert.equal(rows.get('a@0')?.values.visits_30d, 1);
			assert.equal(rows.get('a@0')?.label, 0);
		});
	});

	describe('layout', () => {
		it('groups rows by cutoff, profiles ascending, and counts each cutoff', async () => {
			const table = tableOf([
				{ profile: 'a', day: 50, type: 'visit' },
				{ profile: 'a', day: 70, type: 'purchase' },
				{ profile: 'b', day: 85, type: 'visit' },
				{ profile: 'b', day: 101, type: 'purchase' },
				{ profile: 'c', day: 55, type: 'visit' },
			]);
			const examples = await buildExamples(table, goal, decls, { cutoffs: [at(60), at(100)] });
			assert.deepEqual([...examples.cutoffIndex], [0, 0, 1, 1, 1]);
			assert.deepEqual(
				[...examples.profile].map((p) => table.profileIds[p]),
				['a', 'c', 'a', 'b', 'c'],
			);
			assert.deepEqual([...examples.data.label], [1, 0, 0, 1, 0]);
			assert.deepEqual(examples.perCutoff, [
				{ cutoff: at(60), eligible: 2, positives: 1, negatives: 1 },
				{ cutoff: at(100), eligible: 3, positives: 1, negatives: 2 },
			]);
			assert.deepEqual(
				examples.data.featureNames,
				decls.map((d) => d.name),
			);
		});

		it('gives the same bytes for the same input', async () => {
			const table = tableOf([
				{ profile: 'a', day: 50, type: 'visit', qty: 3 },
				{ profile: 'a', day: 70, type: 'purchase', value: 12.5 },
				{ profile: 'b', day: 85, type: 'visit' },
			]);
			const first = await buildExamples(table, goal, decls, { cutoffs: [at(60), at(100)] });
			const second = await buildExamples(table, goal, decls, { cutoffs: [at(60), at(100)] });
			assert.deepEqual(
				first.data.columns.map((c) => Buffer.from(c.buffer)),
				second.data.columns.map((c) => Buffer.from(c.buffer)),
			);
		});

		it('built from a judgement made beforehand (as training does), gives the same bytes as judging again', async () => {
			const table = tableOf([
				{ profile: 'a', day: 50, type: 'visit', qty: 3 },
				{ profile: 'a', day: 70, type: 'purchase', value: 12.5 },
				{ profile: 'b', day: 85, type: 'visit' },
				{ profile: 'b', day: 101, type: 'purchase', value: 4 },
				{ profile: 'c', day: 55, type: 'visit' },
			]);
			const cutoffs = [at(60), at(100)];
			const judged = await judgeExamples(table, goal, cutoffs);
			assert.deepEqual(judged.perCutoff, judgeCutoffs(table, goal, cutoffs));
			const fresh = await buildExamples(table, goal, decls, { cutoffs });
			const reused = await buildExamples(table, goal, decls, { cutoffs, judged });
			const bytes = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
			assert.deepEqual(reused.data.columns.map(bytes), fresh.data.columns.map(bytes));
			assert.deepEqual(bytes(reused.data.label), bytes(fresh.data.label));
			assert.deepEqual(bytes(reused.profile), bytes(fresh.profile));
			assert.deepEqual(reused.perCutoff, fresh.perCutoff);
		});

		it('reads eligibility from the judgement it is given, not from the events (control: an empty judgement gives no rows)', async () => {
			const table = tableOf([
				{ profile: 'a', day: 50, type: 'visit' },
				{ profile: 'b', day: 55, type: 'visit' },
			]);
			const cutoffs = [at(60), at(100)];
			const judged = await judgeExamples(table, goal, cutoffs);
			const none = {
				...judged,
				state: new Uint8Array(judged.state.length),
				perCutoff: judged.perCutoff.map((c) => ({ ...c, eligible: 0, positives: 0, negatives: 0 })),
			};
			assert.equal((await buildExamples(table, goal, decls, { cutoffs, judged })).data.rows, 4);
			assert.equal((await buildExamples(table, goal, decls, { cutoffs, judged: none })).data.rows, 0);
			const atLast = await computeFeaturesAsOf(table, goal, decls, at(100), undefined, { eligible: judgementAt(judged, at(100)) });
			assert.equal(atLast.data.rows, 2);
		});

		it('refuses a judgement made at other cutoffs', async () => {
			const table = tableOf([{ profile: 'a', day: 50, type: 'visit' }]);
			const judged = await judgeExamples(table, goal, [at(60)]);
			await assert.rejects(buildExamples(table, goal, decls, { cutoffs: [at(60), at(100)], judged }), /judgement given was made at other cutoffs/);
		});

		it('judging stops when the run is cancelled', async () => {
			const controller = new AbortController();
			controller.abort();
			const table = tableOf([{ profile: 'a', day: 50, type: 'visit' }]);
			await assert.rejects(judgeExamples(table, goal, [at(60)], { signal: controller.signal }), (error: unknown) => error instanceof CancelledError);
		});

		it('refuses cutoffs out of order', async () => {
			await assert.rejects(
				buildExamples(tableOf([{ profile: 'a', day: 1, type: 'visit' }]), goal, decls, { cutoffs: [at(60), at(50)] }),
				/ascending order/,
			);
		});

		it('refuses a feature that looks back further than the lookback, naming it', async () => {
			const wide: FeatureDecl = { ...decls[0], name: 'visits_120d', windowDays: 120 };
			await assert.rejects(buildExamples(tableOf([{ profile: 'a', day: 1, type: 'visit' }]), goal, [wide], { cutoffs: [at(60)] }), (error: unknown) => {
				return error instanceof InputError && /Feature "visits_120d" .* looks back 120 days, beyond the goal's lookback of 90 days/.test(error.message);
			});
		});

		it('refuses a feature that reads a field the events do not have', async () => {
			const bad: FeatureDecl = { ...decls[3], name: 'margin', field: 'margin' };
			await assert.rejects(
				buildExamples(tableOf([{ profile: 'a', day: 1, type: 'visit' }]), goal, [bad], { cutoffs: [at(60)] }),
				/Feature "margin" .* reads the field "margin", which the events do not have/,
			);
		});
	});

	describe('as of a date', () => {
		const events: TestEvent[] = [
			{ profile: 'a', day: 10, type: 'visit' },
			{ profile: 'a', day: 80, type: 'purchase', value: 40 },
			{ profile: 'a', day: 150, type: 'purchase', value: 60 },
			{ profile: 'b', day: 160, type: 'visit' },
		];

		it('computes features for the profiles eligible at that moment, ignoring every later event', async () => {
			const table = tableOf(events);
			const { data, profile } = await computeFeaturesAsOf(table, goal, decls, at(100));
			assert.deepEqual(
				[...profile].map((p) => table.profileIds[p]),
				['a'],
			);
			assert.equal(data.label, undefined);
			assert.equal(data.columns[decls.findIndex((d) => d.name === 'revenue_90d')][0], 40);
			const without = tableOf(events.filter((e) => (e.day ?? 0) <= 100));
			const again = await computeFeaturesAsOf(without, goal, decls, at(100));
			assert.deepEqual(again.data.columns, data.columns);
		});

		it('defaults to the time of the latest event', async () => {
			const table = tableOf(events);
			const { profile } = await computeFeaturesAsOf(table, goal, decls);
			assert.deepEqual(
				[...profile].map((p) => table.profileIds[p]),
				['a', 'b'],
			);
		});

		it('places the latest training cutoff a window before the as-of date', () => {
			const cutoffs = planCutoffs(tableOf(events), goalOf({ training: { cutoffs: 2 } }), { asOf: at(120) });
			assert.deepEqual(cutoffs, [at(60), at(90)]);
		});
	});
});

describe('planning cutoffs', () => {
	const span = (days: number) =>
		tableOf([
			{ profile: 'a', day: 0, type: 'visit' },
			{ profile: 'b', day: days, type: 'visit' },
		]);

	it('puts the latest cutoff one window before the end of the data and, as a training block asks, the earlier ones a window apart', () => {
		assert.deepEqual(planCutoffs(span(200), goalOf({ training: { cutoffs: 4 } })), [at(80), at(110), at(140), at(170)]);
	});

	it('without a training block, takes as many training cutoffs a window apart as the history holds, the latest a window before the validation cutoff', () => {
		const plan = planTraining(span(200), goal);
		assert.deepEqual(plan.cutoffs, [at(50), at(80), at(110), at(140), at(170)]);
		assert.equal(plan.spacingDays, 30);
		assert.equal(plan.chosenBy, 'automatic');
		assert.equal(plan.holdOutProfiles, false);
		assert.ok(
			plan.cutoffs.every((c, k) => k === plan.cutoffs.length - 1 || c <= at(140)),
			'no training outcome window reaches past the validation cutoff',
		);
	});

	it('bounds the automatic plan by the budget of example rows, keeping at least three cutoffs', () => {
		assert.equal(planTraining(span(200), goal, { exampleBudget: 8 }).cutoffs.length, 4);
		assert.equal(planTraining(span(200), goal, { exampleBudget: 1 }).cutoffs.length, 3);
	});

	it('brings training cutoffs closer, down to 7 days apart, when fewer than two fit a window apart', () => {
		const plan = planTraining(span(110), goal);
		assert.deepEqual(plan.cutoffs, [at(30), at(40), at(50), at(80)]);
		assert.equal(plan.holdOutProfiles, false);
		assert.match(plan.reason, /^3 training cutoffs 10 days apart, because only 4 months of history leave no room for two a whole 30-day window apart/);
	});

	it('on a shorter history still, brings training cutoffs closer than a window to validation and holds the validation profiles out', () => {
		const plan = planTraining(span(80), goal);
		assert.equal(plan.holdOutProfiles, true);
		assert.deepEqual(plan.cutoffs, [at(30), at(40), at(50)]);
		assert.equal(plan.spacingDays, 10);
	});

	it('spaces cutoffs by training.spacingDays when given', () => {
		assert.deepEqual(planCutoffs(span(200), goalOf({ training: { cutoffs: 3, spacingDays: 7 } })), [at(156), at(163), at(170)]);
	});

	it('stops stepping back when less than min(lookback, window) days of history would remain', () => {
		assert.deepEqual(planCutoffs(span(100), goalOf({ training: { cutoffs: 4 } })), [at(40), at(70)]);
	});

	it('refuses history too short for one cutoff, saying how much is needed', () => {
		assert.throws(
			() => planCutoffs(span(50), goal),
			(error: unknown) =>
				error instanceof InputError &&
				error.code === 'too-little-history' &&
				/cover 50 days .* load at least 60 days of events, or shorten outcome\.windowDays/.test(error.message),
		);
	});

	it('refuses an empty table', () => {
		assert.throws(() => planCutoffs(tableOf([]), goal), /no events/);
	});

	it('uses whole days of the window, so cutoffs follow the data to the millisecond', () => {
		const table = tableOf([
			{ profile: 'a', day: 0, type: 'visit' },
			{ profile: 'a', ms: at(100) + 1234, type: 'visit' },
		]);
		assert.equal(planCutoffs(table, goalOf({ training: { cutoffs: 1 } }))[0], at(70) + 1234);
		assert.equal(DAY, 86_400_000);
	});
});
