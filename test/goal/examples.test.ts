/**
 * The goal examples of the README, on simulated shop data (flat and XDM): each parses, fits
 * the data, reads as documented, and yields both positive and negative training examples.
 */
import assert from 'node:assert/strict';
import { loadEvents } from '../../core/events/load';
import { type EventTable, EventTableBuilder } from '../../core/events/table';
import { buildExamples, generateFeatures, planCutoffs } from '../../core/features';
import { checkGoalAgainstData, describeGoal, parseGoal } from '../../core/goal';
import { simulateShop, toXdm } from '../../core/simulate';

export const readmeGoals = {
	conversion: {
		name: 'purchase-in-30-days',
		propensityType: 'conversion',
		outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		eligibility: { all: [{ activeWithinDays: 45 }] },
		lookbackDays: 365,
		profileAttributes: [{ field: 'country' }],
		exclusions: [{ all: [{ field: 'email', op: 'startsWith', value: 'test.' }] }],
	},
	churn: {
		name: 'churn-60-days',
		propensityType: 'churn',
		outcome: {
			occur: 'will_not_occur',
			windowDays: 60,
			when: {
				any: [
					{ field: 'eventType', op: 'equals', value: 'visit' },
					{ field: 'eventType', op: 'equals', value: 'app_launch' },
				],
			},
		},
		eligibility: { all: [{ did: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] }, withinDays: 180 }] },
		lookbackDays: 365,
	},
	bigOrder: {
		name: 'order-over-100-in-14-days',
		propensityType: 'conversion',
		outcome: {
			occur: 'will_occur',
			windowDays: 14,
			when: {
				all: [
					{ field: 'eventType', op: 'equals', value: 'purchase' },
					{ field: 'value', op: 'gte', value: 100 },
				],
			},
		},
		eligibility: { all: [{ activeWithinDays: 30 }, { profile: { field: 'country', op: 'in', value: ['US', 'CA', 'GB'] } }] },
		lookbackDays: 180,
		customEvents: [
			{
				name: 'sale email clicks',
				when: {
					all: [
						{ field: 'eventType', op: 'equals', value: 'email_click' },
						{ field: 'campaign', op: 'contains', value: 'sale' },
					],
				},
			},
		],
		training: { cutoffs: 6, spacingDays: 14 },
	},
	xdm: {
		name: 'xdm-purchase-in-30-days',
		propensityType: 'conversion',
		outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'commerce.purchases' }] } },
		eligibility: { all: [{ activeWithinDays: 60 }] },
		customEvents: [
			{
				name: 'spring campaign clicks',
				when: {
					all: [
						{ field: 'eventType', op: 'equals', value: 'directMarketing.emailClicked' },
						{ field: 'marketing.campaignName', op: 'startsWith', value: 'spring' },
					],
				},
			},
		],
		exclusions: [
			{
				all: [
					{ field: 'eventType', op: 'equals', value: 'web.webpagedetails.pageViews' },
					{ field: 'web.webPageDetails.name', op: 'equals', value: 'help' },
				],
			},
		],
	},
};

const words = {
	conversion:
		'A purchase within 30 days (conversion), for profiles active within the last 45 days. Learns from the last 365 days of events, ignoring events where email starts with "test.".',
	churn: 'No visit and no app launch within 60 days (churn), for profiles with a purchase in the last 180 days. Learns from the last 365 days of events.',
	bigOrder:
		'A purchase with value of at least 100 within 14 days (conversion), for profiles active within the last 30 days and whose country is "US", "CA" or "GB". Learns from the last 180 days of events.',
	xdm: 'A purchase within 30 days (conversion), for profiles active within the last 60 days. Learns from the last 365 days of events, ignoring page views where web page details name is "help".',
};

const flatAttributes = ['channel', 'campaign', 'product_category', 'device', 'email', 'country'] as const;

function flatShop(): EventTable {
	const builder = new EventTableBuilder(flatAttributes.map((name) => ({ name, kind: 'category' as const })));
	for (const event of simulateShop({ profiles: 400, seed: 3 })) {
		builder.add(event.profileId, event.time, event.type, event.value ?? NaN, [
			event.channel,
			event.campaign,
			event.productCategory,
			event.device,
			event.email,
			event.country,
		]);
	}
	return builder.build().table;
}

async function xdmShop(): Promise<EventTable> {
	const counters = { profileId: '', events: 0, orders: 0 };
	const rows = [...simulateShop({ profiles: 400, seed: 3 })].map((event) => toXdm(event, counters));
	return (await loadEvents({ kind: 'rows', rows }, { preset: 'xdm' })).table;
}

describe('the README goal examples', () => {
	let flat: EventTable;
	let xdm: EventTable;
	before(async () => {
		flat = flatShop();
		xdm = await xdmShop();
	});

	for (const key of Object.keys(readmeGoals) as (keyof typeof readmeGoals)[]) {
		it(`the ${key} example parses, fits the simulated shop, reads as documented and gives positives and negatives`, async () => {
			const goal = parseGoal(readmeGoals[key]);
			assert.equal(describeGoal(goal), words[key]);
			const table = key === 'xdm' ? xdm : flat;
			checkGoalAgainstData(goal, table);
			const features = generateFeatures(table, goal);
			const examples = await buildExamples(table, goal, features, { cutoffs: planCutoffs(table, goal) });
			const positives = examples.perCutoff.reduce((sum, c) => sum + c.positives, 0);
			const negatives = examples.perCutoff.reduce((sum, c) => sum + c.negatives, 0);
			assert.ok(positives > 0 && negatives > 0, `${positives} positives, ${negatives} negatives`);
			if (key === 'bigOrder') assert.ok(features.some((f) => f.name === 'sale_email_clicks_count_30d'));
			if (key === 'xdm') assert.ok(features.some((f) => f.name === 'spring_campaign_clicks_count_30d'));
		});
	}
});
