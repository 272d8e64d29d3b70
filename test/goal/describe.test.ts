import assert from 'node:assert/strict';
import { type ConditionItem, describeCondition, describeGoal, describeOutcome, eventTypeWords, humanizeName, parseGoal } from '../../core/goal';

const type = (value: string) => ({ field: 'eventType', op: 'equals' as const, value });

describe('goals in words', () => {
	it('names event types as a marketer says them', () => {
		assert.deepEqual(eventTypeWords('purchase'), { singular: 'purchase', plural: 'purchases' });
		assert.deepEqual(eventTypeWords('email_open'), { singular: 'email open', plural: 'email opens' });
		assert.deepEqual(eventTypeWords('app_launch'), { singular: 'app launch', plural: 'app launches' });
		assert.deepEqual(eventTypeWords('commerce.purchases'), { singular: 'purchase', plural: 'purchases' });
		assert.deepEqual(eventTypeWords('web.webpagedetails.pageViews'), { singular: 'page view', plural: 'page views' });
		assert.deepEqual(eventTypeWords('add_to_cart'), { singular: 'add to cart event', plural: 'add to cart events' });
		assert.deepEqual(eventTypeWords('delivery'), { singular: 'delivery', plural: 'deliveries' });
		assert.deepEqual(eventTypeWords('directMarketing.emailOpened'), { singular: 'email opened event', plural: 'email opened events' });
		assert.deepEqual(eventTypeWords('web.sessionStart'), { singular: 'session start', plural: 'session starts' });
	});

	it('names XDM fields by their meaningful part', () => {
		assert.equal(humanizeName('marketing.campaignName'), 'campaign name');
		assert.equal(humanizeName('channel._type'), 'channel type');
		assert.equal(humanizeName('web.webPageDetails.name'), 'web page details name');
		assert.equal(humanizeName('product_category'), 'product category');
	});

	it('says a conversion goal as "a purchase within 30 days"', () => {
		const goal = parseGoal({
			name: 'g',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [type('purchase')] } },
		});
		assert.equal(describeOutcome(goal), 'a purchase within 30 days');
	});

	it('says a churn goal as "no visit within 60 days"', () => {
		const goal = parseGoal({ name: 'g', propensityType: 'churn', outcome: { occur: 'will_not_occur', windowDays: 60, when: { all: [type('visit')] } } });
		assert.equal(describeOutcome(goal), 'no visit within 60 days');
	});

	it('reads qualifiers on values and attributes', () => {
		const cases: [ConditionItem, string][] = [
			[{ all: [type('purchase'), { field: 'value', op: 'gt', value: 100 }] }, 'a purchase with value over 100'],
			[{ all: [type('purchase'), { field: 'value', op: 'lte', value: 20 }] }, 'a purchase with value of at most 20'],
			[{ all: [type('email_click'), { field: 'campaign', op: 'startsWith', value: 'spring' }] }, 'an email click where campaign starts with "spring"'],
			[{ all: [type('visit'), { field: 'channel', op: 'in', value: ['web', 'app'] }] }, 'a visit where channel is "web" or "app"'],
			[{ all: [type('visit'), { field: 'channel', op: 'notIn', value: ['web', 'app'] }] }, 'a visit where channel is neither "web" nor "app"'],
			[{ all: [type('visit'), { field: 'marketing.campaignName', op: 'exists' }] }, 'a visit with a campaign name'],
			[{ all: [type('purchase'), { field: 'qty', op: 'gte', value: 3 }] }, 'a purchase where qty is at least 3'],
			[{ all: [{ field: 'eventType', op: 'in', value: ['purchase', 'checkout'] }] }, 'a purchase or a checkout'],
			[{ all: [{ field: 'eventType', op: 'notEquals', value: 'visit' }] }, 'an event other than a visit'],
			[{ all: [{ field: 'eventType', op: 'startsWith', value: 'email_' }] }, 'an event whose type starts with "email_"'],
			[{ all: [{ field: 'channel', op: 'equals', value: 'sms' }] }, 'an event where channel is "sms"'],
			[{ any: [type('purchase'), type('app_launch')] }, 'a purchase or an app launch'],
			[{ all: [{ any: [type('purchase'), type('checkout')] }, { field: 'value', op: 'gt', value: 5 }] }, 'a purchase or a checkout with value over 5'],
			[
				{
					all: [
						type('purchase'),
						{
							any: [
								{ field: 'channel', op: 'equals', value: 'email' },
								{ field: 'value', op: 'gt', value: 50 },
							],
						},
					],
				},
				'a purchase (where channel is "email" or with value over 50)',
			],
		];
		for (const [condition, words] of cases) assert.equal(describeCondition(condition), words);
	});

	it('puts plurals and negations where they belong', () => {
		const big = { all: [type('purchase'), { field: 'value', op: 'gt' as const, value: 100 }] };
		assert.equal(describeCondition(big, 'plural'), 'purchases with value over 100');
		assert.equal(describeCondition(big, 'no'), 'no purchase with value over 100');
		assert.equal(describeCondition({ any: [type('visit'), type('app_launch')] }, 'no'), 'no visit and no app launch');
		assert.equal(describeCondition({ all: [{ field: 'eventType', op: 'in', value: ['visit', 'app_launch'] }] }, 'no'), 'no visit or app launch');
	});

	it('describes the whole goal: outcome, kind, who is scored, history and exclusions', () => {
		const goal = parseGoal({
			name: 'g',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [type('purchase')] } },
			eligibility: {
				all: [
					{ activeWithinDays: 45 },
					{ didNot: { all: [type('purchase')] }, withinDays: 90 },
					{ profile: { field: 'country', op: 'equals', value: 'US' } },
				],
			},
			exclusions: [{ all: [{ field: 'channel', op: 'equals', value: 'test' }] }],
		});
		assert.equal(
			describeGoal(goal),
			'A purchase within 30 days (conversion), for profiles active within the last 45 days and with no purchase in the last 90 days and whose country is "US". ' +
				'Learns from the last 365 days of events, ignoring events where channel is "test".',
		);
	});

	it('describes the default eligibility as activity within the lookback', () => {
		const goal = parseGoal({
			name: 'g',
			propensityType: 'churn',
			lookbackDays: 180,
			outcome: { occur: 'will_not_occur', windowDays: 60, when: { all: [type('visit')] } },
		});
		assert.equal(
			describeGoal(goal),
			'No visit within 60 days (churn), for profiles active within the last 180 days. Learns from the last 180 days of events.',
		);
	});
});
