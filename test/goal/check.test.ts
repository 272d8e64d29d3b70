import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { EventTableBuilder } from '../../core/events/table';
import { checkGoalAgainstData, describeGoal, parseGoal } from '../../core/goal';
import { at, goalOf, tableOf } from '../features/support';

const table = tableOf([
	{ profile: 'a', day: 0, type: 'visit', channel: 'web' },
	{ profile: 'a', day: 1, type: 'purchase', value: 20, channel: 'web', qty: 1 },
	{ profile: 'b', day: 2, type: 'email_open', channel: 'email', campaign: 'spring' },
]);

function refusal(goal: ReturnType<typeof goalOf>): string {
	try {
		checkGoalAgainstData(goal, table);
	} catch (error) {
		assert.ok(error instanceof InputError);
		assert.equal(error.code, 'goal-data-mismatch');
		return error.message;
	}
	assert.fail('the goal was accepted');
}

describe('checking a goal against the loaded events', () => {
	it('accepts a goal whose fields and event types are all in the data', () => {
		const goal = goalOf({
			eligibility: { all: [{ did: { all: [{ field: 'channel', op: 'equals', value: 'web' }] }, withinDays: 30 }] },
			customEvents: [{ name: 'spring emails', when: { all: [{ field: 'campaign', op: 'startsWith', value: 'spr' }] } }],
			profileAttributes: [{ field: 'country' }],
		});
		assert.doesNotThrow(() => checkGoalAgainstData(goal, table));
	});

	it('refuses an outcome event type the data lacks, suggesting the close one and listing the types', () => {
		const message = refusal(
			goalOf({ outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchases' }] } } }),
		);
		assert.match(
			message,
			/outcome\.when\.all\[0\]: names the event type "purchases", which the events do not have \(did you mean "purchase"\?\); the event types in the data are "email_open", "purchase", "visit"/,
		);
	});

	it('refuses a field the data lacks wherever it is named, listing the fields', () => {
		const message = refusal(
			goalOf({
				exclusions: [{ all: [{ field: 'chanel', op: 'equals', value: 'test' }] }],
				eligibility: { all: [{ profile: { field: 'tier', op: 'equals', value: 'gold' } }] },
				profileAttributes: [{ field: 'age' }],
			}),
		);
		assert.match(message, /3 problems/);
		assert.match(
			message,
			/exclusions\[0\]\.all\[0\]: names the field "chanel", which the events do not have \(did you mean "channel"\?\); the fields are "eventType", "value", "channel"/,
		);
		assert.match(message, /eligibility\.all\[0\]\.profile: names the field "tier"/);
		assert.match(message, /profileAttributes\[0\]\.field: names the field "age"/);
		assert.match(message, /map the missing field when loading the events/);
	});

	it('refuses an event type test that matches no type at all', () => {
		const message = refusal(goalOf({ customEvents: [{ name: 'sms', when: { all: [{ field: 'eventType', op: 'startsWith', value: 'sms_' }] } }] }));
		assert.match(message, /customEvents\[0\]\.when\.all\[0\]: matches no event type \(no type starts with "sms_"\)/);
	});

	it('refuses one missing type in an in-list, naming it', () => {
		const message = refusal(
			goalOf({ eligibility: { all: [{ didNot: { all: [{ field: 'eventType', op: 'in', value: ['visit', 'app_launch'] }] }, withinDays: 30 }] } }),
		);
		assert.match(message, /eligibility\.all\[0\]\.didNot\.all\[0\]: names the event type "app_launch"/);
		assert.doesNotMatch(message, /"visit", which/);
	});

	it('refuses comparing a text attribute with numbers', () => {
		const message = refusal(goalOf({ customEvents: [{ name: 'x', when: { all: [{ field: 'campaign', op: 'gt', value: 3 }] } }] }));
		assert.match(message, /uses "gt" on "campaign", which holds text/);
	});
});

describe('goals on XDM events', () => {
	it('accept XDM event types and attribute paths, and read them in words', () => {
		const builder = new EventTableBuilder([{ name: 'marketing.campaignName', kind: 'category' }]);
		builder.add('ecid-1', at(1), 'directMarketing.emailClicked', NaN, ['spring-sale']);
		builder.add('ecid-1', at(2), 'commerce.purchases', 80, [undefined]);
		const table = builder.build().table;
		const goal = parseGoal({
			name: 'xdm-purchase-after-spring-email',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'commerce.purchases' }] } },
			eligibility: {
				all: [
					{ activeWithinDays: 60 },
					{
						did: {
							all: [
								{ field: 'eventType', op: 'equals', value: 'directMarketing.emailClicked' },
								{ field: 'marketing.campaignName', op: 'startsWith', value: 'spring' },
							],
						},
						withinDays: 30,
					},
				],
			},
		});
		assert.doesNotThrow(() => checkGoalAgainstData(goal, table));
		assert.equal(
			describeGoal(goal),
			'A purchase within 30 days (conversion), for profiles active within the last 60 days and with an email clicked event where campaign name starts with "spring" in the last 30 days. Learns from the last 365 days of events.',
		);
	});
});
