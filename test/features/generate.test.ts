import assert from 'node:assert/strict';
import { EventTableBuilder } from '../../core/events/table';
import { type FeatureDecl, buildExamples, generateFeatures } from '../../core/features';
import { type TestEvent, at, goalOf, tableOf } from './support';

/** A shop with many visits, some purchases (with revenue), email opens, a rare app launch and an email per profile. */
function shop(profiles = 20): TestEvent[] {
	const events: TestEvent[] = [];
	for (let p = 0; p < profiles; p++) {
		const profile = `p${p}`;
		const email = `p${p}@example.com`;
		for (let d = 0; d < 100; d += 5)
			events.push({ profile, day: d + (p % 5), type: 'visit', channel: d % 10 ? 'web' : 'email', email, country: p % 3 ? 'US' : 'DE', qty: p % 4 });
		for (let d = 2; d < 100; d += 20)
			events.push({ profile, day: d, type: 'purchase', value: 10 + p, channel: 'web', campaign: p % 2 ? 'spring' : 'summer', email });
		for (let d = 3; d < 100; d += 10) events.push({ profile, day: d, type: 'email_open', channel: 'email', campaign: 'newsletter', email });
	}
	events.push({ profile: 'p0', day: 50, type: 'app_launch' });
	return events;
}

const byName = (features: FeatureDecl[]) => new Map(features.map((f) => [f.name, f]));

describe('automatic features', () => {
	const table = tableOf(shop());
	const goal = goalOf();
	const features = generateFeatures(table, goal);
	const named = byName(features);

	it('gives every feature a unique machine name, a readable label and a subject', () => {
		assert.equal(new Set(features.map((f) => f.name)).size, features.length);
		for (const feature of features) {
			assert.match(feature.name, /^[a-z0-9_]+$/);
			assert.ok(feature.label.length > 5 && feature.subject.length > 2, feature.name);
		}
	});

	it('counts each common event type in the last 7, 30 and 90 days and the lookback', () => {
		assert.equal(named.get('purchase_count_30d')?.label, 'purchases in the last 30 days');
		assert.equal(named.get('email_open_count_7d')?.label, 'email opens in the last 7 days');
		for (const window of [7, 30]) assert.equal(named.get(`visit_count_${window}d`)?.windowDays, window);
		assert.equal(named.get('visit_count_90d')?.windowDays, null, 'the lookback (90 days) is the whole history');
	});

	it('declares recency, tenure, active days and trend per type', () => {
		assert.equal(named.get('purchase_days_since_last')?.label, 'days since the last purchase');
		assert.equal(named.get('email_open_days_since_first')?.label, 'days since the first email open in the last 90 days');
		assert.equal(named.get('visit_active_days_90d')?.aggregate, 'distinctDays');
		const trend = named.get('visit_trend_30d');
		assert.deepEqual([trend?.windowDays, trend?.baselineDays], [30, 60]);
	});

	it('adds value totals and averages only for event types that carry a value', () => {
		assert.equal(named.get('purchase_value_sum_30d')?.label, 'total value of purchases in the last 30 days');
		assert.equal(named.get('purchase_value_mean_90d')?.aggregate, 'mean');
		assert.equal(named.has('visit_value_sum_30d'), false);
	});

	it('declares overall recency, frequency, tenure, gaps and trend', () => {
		for (const name of [
			'days_since_last_event',
			'days_since_first_event',
			'event_count_30d',
			'event_count_90d',
			'active_days_30d',
			'mean_gap_days_90d',
			'event_trend_30d',
		]) {
			assert.ok(named.has(name), name);
		}
	});

	it('counts the top categories of text attributes and skips id-like ones such as email', () => {
		assert.equal(named.get('channel_web_count_90d')?.label, 'events where channel is "web" in the last 90 days');
		assert.ok(named.has('campaign_newsletter_count_90d'));
		assert.ok(!features.some((f) => f.name.startsWith('email_example')), 'no per-address counts');
		assert.ok(!features.some((f) => JSON.stringify(f.filter).includes('@example.com')));
	});

	it('describes number attributes by their average and latest value', () => {
		assert.equal(named.get('qty_mean_90d')?.field, 'qty');
		assert.equal(named.get('qty_latest')?.aggregate, 'latest');
	});

	it('keeps to the top N event types, but always includes the outcome type', () => {
		const few = byName(
			generateFeatures(
				table,
				goalOf({ outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'app_launch' }] } } }),
				{ topTypes: 1 },
			),
		);
		assert.ok(few.has('visit_count_30d'), 'the busiest type');
		assert.ok(few.has('app_launch_count_30d'), 'the outcome type, though rare');
		assert.ok(!few.has('purchase_count_30d'), 'not in the top 1');
	});

	it('turns custom events into features with their names', () => {
		const goalWithCustom = goalOf({
			customEvents: [
				{
					name: 'Big purchases',
					when: {
						all: [
							{ field: 'eventType', op: 'equals', value: 'purchase' },
							{ field: 'value', op: 'gte', value: 25 },
						],
					},
				},
			],
		});
		const custom = byName(generateFeatures(table, goalWithCustom));
		assert.equal(custom.get('big_purchases_count_30d')?.label, 'Big purchases in the last 30 days');
		assert.equal(custom.get('big_purchases_days_since_last')?.label, 'days since the last Big purchase');
		assert.equal(custom.get('big_purchases_count_30d')?.subject, 'Big purchases');
		assert.ok(custom.has('big_purchases_value_sum_90d'));
	});

	it('adds features for an outcome that is more than an event type', () => {
		const bigOrders = goalOf({
			outcome: {
				occur: 'will_occur',
				windowDays: 30,
				when: {
					all: [
						{ field: 'eventType', op: 'equals', value: 'purchase' },
						{ field: 'value', op: 'gt', value: 20 },
					],
				},
			},
		});
		const outcome = byName(generateFeatures(table, bigOrders));
		assert.equal(outcome.get('goal_event_count_30d')?.label, 'purchases with value over 20 in the last 30 days');
		assert.equal(outcome.get('goal_event_mean_gap_days')?.label, 'average days between purchases with value over 20 in the last 90 days');
	});

	it('turns profile attributes into their latest value, text coded by categories busiest first', async () => {
		const withCountry = goalOf({ profileAttributes: [{ field: 'country', label: 'home country' }, { field: 'qty' }] });
		const declared = byName(generateFeatures(table, withCountry));
		const country = declared.get('profile_country');
		assert.deepEqual(country?.categories, ['US', 'DE']);
		assert.equal(country?.label, 'home country');
		assert.equal(declared.get('profile_qty')?.aggregate, 'latest');
		assert.ok(!declared.has('qty_latest'), 'a profile attribute is not declared twice');
		const examples = await buildExamples(table, withCountry, [country as FeatureDecl], { cutoffs: [at(60)] });
		const p0 = [...examples.profile].indexOf(table.profileIds.indexOf('p0'));
		const p1 = [...examples.profile].indexOf(table.profileIds.indexOf('p1'));
		assert.deepEqual([examples.data.columns[0][p0], examples.data.columns[0][p1]], [1, 0]);
	});

	it('leaves excluded events out when choosing types and categories', () => {
		const noEmail = generateFeatures(table, goalOf({ exclusions: [{ all: [{ field: 'channel', op: 'equals', value: 'email' }] }] }));
		assert.ok(!noEmail.some((f) => f.name.startsWith('email_open')));
		assert.ok(!noEmail.some((f) => f.name === 'channel_email_count_90d'));
	});

	it('chooses types and categories from events up to an as-of date only', () => {
		const later = tableOf([
			...shop(),
			...Array.from({ length: 500 }, (_, i) => ({ profile: `p${i % 20}`, day: 150, type: 'app_launch', channel: 'kiosk' })),
		]);
		const before = byName(generateFeatures(later, goal, { asOf: at(100), topTypes: 3 }));
		assert.ok(!before.has('app_launch_count_30d'));
		assert.ok(!before.has('channel_kiosk_count_90d'));
		assert.ok(byName(generateFeatures(later, goal, { topTypes: 3 })).has('app_launch_count_30d'));
	});

	it('names features on XDM data readably', () => {
		const builder = new EventTableBuilder([
			{ name: 'channel._type', kind: 'category' },
			{ name: 'marketing.campaignName', kind: 'category' },
		]);
		for (let i = 0; i < 40; i++) {
			const type = i % 3 ? 'directMarketing.emailOpened' : 'commerce.purchases';
			builder.add(`x${i % 10}`, at(i), type, i % 3 ? NaN : 25, ['https://ns.adobe.com/xdm/channel-types/email', i % 2 ? 'spring-sale' : 'summer-sale']);
		}
		const xdm = builder.build().table;
		const xdmGoal = goalOf({
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'commerce.purchases' }] } },
		});
		const declared = byName(generateFeatures(xdm, xdmGoal));
		assert.equal(declared.get('commerce_purchases_count_30d')?.label, 'purchases in the last 30 days');
		assert.equal(declared.get('direct_marketing_email_opened_days_since_last')?.label, 'days since the last email opened event');
		assert.equal(declared.get('marketing_campaign_name_spring_sale_count_90d')?.label, 'events where campaign name is "spring-sale" in the last 90 days');
		assert.equal(
			declared.get('channel_type_email_count_90d')?.label,
			'events where channel type is "https://ns.adobe.com/xdm/channel-types/email" in the last 90 days',
		);
	});

	it('declares the same features for the same data, in the same order', () => {
		assert.deepEqual(generateFeatures(tableOf(shop()), goal), features);
	});

	it('every declared feature can be computed', async () => {
		const examples = await buildExamples(table, goal, features, { cutoffs: [at(60), at(90)] });
		assert.equal(examples.data.columns.length, features.length);
		assert.ok(examples.data.rows > 0);
	});
});
