import assert from 'node:assert/strict';
import type { FeatureDecl } from '../../core/features/declaration';
import { factorSentence } from '../../core/explain/sentences';

/** A declaration as the feature generator writes them (only what sentences read matters). */
function decl(fields: Partial<FeatureDecl> & Pick<FeatureDecl, 'aggregate' | 'subject'>): FeatureDecl {
	return { name: 'feature', label: fields.subject, filter: null, windowDays: null, ...fields };
}

const purchases = (aggregate: FeatureDecl['aggregate'], windowDays: number | null, extra: Partial<FeatureDecl> = {}) =>
	decl({ aggregate, subject: 'purchases', windowDays, ...extra });
const up = (d: FeatureDecl, value: number | null): string => factorSentence(d, value, 0.5, 'conversion');
const down = (d: FeatureDecl, value: number | null): string => factorSentence(d, value, -0.5, 'conversion');

describe('factor sentences', () => {
	describe('count', () => {
		it('says how many times a known action happened, in its window', () => {
			assert.equal(up(purchases('count', 30), 3), 'Bought 3 times in the last 30 days, which raises the chance of converting.');
		});
		it('says "once" for one and "has not" for zero or missing', () => {
			assert.equal(up(purchases('count', 7), 1), 'Bought once in the last 7 days, which raises the chance of converting.');
			assert.equal(down(purchases('count', 30), 0), 'Has not bought in the last 30 days, which lowers the chance of converting.');
			assert.equal(down(purchases('count', 30), null), 'Has not bought in the last 30 days, which lowers the chance of converting.');
		});
		it('says "never" and "so far" over the whole history', () => {
			assert.equal(down(purchases('count', null), 0), 'Has never bought, which lowers the chance of converting.');
			assert.equal(up(purchases('count', null), 12), 'Bought 12 times so far, which raises the chance of converting.');
		});
		it('names other events as a plural noun, singular for one', () => {
			const signups = decl({ aggregate: 'count', subject: 'newsletter subscriptions', windowDays: 90 });
			assert.equal(up(signups, 2), '2 newsletter subscriptions in the last 90 days, which raises the chance of converting.');
			assert.equal(up(signups, 1), '1 newsletter subscription in the last 90 days, which raises the chance of converting.');
			assert.equal(down(signups, 0), 'No newsletter subscriptions in the last 90 days, which lowers the chance of converting.');
			assert.equal(down({ ...signups, windowDays: null }, 0), 'No newsletter subscriptions so far, which lowers the chance of converting.');
		});
		it('quotes a custom event by its display name when it is not a noun', () => {
			const pricing = decl({ aggregate: 'count', subject: 'Viewed pricing', windowDays: 30 });
			assert.equal(up(pricing, 2), '"Viewed pricing" happened 2 times in the last 30 days, which raises the chance of converting.');
			assert.equal(
				down(decl({ aggregate: 'count', subject: 'Viewed pricing', windowDays: null }), 0),
				'"Viewed pricing" never happened, which lowers the chance of converting.',
			);
		});
		it('reads category counts as they are labelled, with thousands separators', () => {
			const email = decl({ aggregate: 'count', subject: 'events where channel is "email"', windowDays: null });
			assert.equal(up(email, 1234), '1,234 events where channel is "email" so far, which raises the chance of converting.');
		});
		it('says overall activity as being active', () => {
			assert.equal(
				up(decl({ aggregate: 'count', subject: 'events', windowDays: 30 }), 34),
				'Was active 34 times in the last 30 days, which raises the chance of converting.',
			);
		});
	});

	describe('daysSinceLast and daysSinceFirst', () => {
		it('says how long ago, in whole days', () => {
			assert.equal(
				down(decl({ aggregate: 'daysSinceLast', subject: 'visits', windowDays: null }), 45.7),
				'Last visited 45 days ago, which lowers the chance of converting.',
			);
			assert.equal(up(purchases('daysSinceFirst', null), 200), 'First bought 200 days ago, which raises the chance of converting.');
			assert.equal(
				up(decl({ aggregate: 'daysSinceLast', subject: 'product views', windowDays: null }), 0.3),
				'Last viewed a product today, which raises the chance of converting.',
			);
			assert.equal(up(purchases('daysSinceLast', null), 1.2), 'Last bought yesterday, which raises the chance of converting.');
		});
		it('says "has never" when there is no such event', () => {
			assert.equal(
				down(decl({ aggregate: 'daysSinceLast', subject: 'email openeds', windowDays: null }), null),
				'Has never opened an email, which lowers the chance of converting.',
			);
			assert.equal(
				down(decl({ aggregate: 'daysSinceLast', subject: 'email opens', windowDays: null }), null),
				'Has never opened an email, which lowers the chance of converting.',
			);
		});
		it('words a noun subject with "was"', () => {
			assert.equal(
				up(decl({ aggregate: 'daysSinceLast', subject: 'webinar registrations', windowDays: null }), 3),
				'Last webinar registration was 3 days ago, which raises the chance of converting.',
			);
		});
	});

	describe('distinctDays', () => {
		it('counts the different days with the action', () => {
			assert.equal(up(purchases('distinctDays', 90), 4), 'Bought on 4 different days in the last 90 days, which raises the chance of converting.');
			assert.equal(
				up(decl({ aggregate: 'distinctDays', subject: 'events', windowDays: null }), 1),
				'Was active on 1 day so far, which raises the chance of converting.',
			);
			assert.equal(
				down(decl({ aggregate: 'distinctDays', subject: 'events', windowDays: 30 }), 0),
				'Has not been active in the last 30 days, which lowers the chance of converting.',
			);
		});
	});

	describe('sum, mean and max of a value', () => {
		it('reads the event value as money spent, with two decimals', () => {
			assert.equal(
				up(purchases('sum', 90, { field: 'value' }), 240.5),
				'Spent 240.50 on purchases in the last 90 days, which raises the chance of converting.',
			);
			assert.equal(
				up(purchases('sum', null, { field: 'value' }), 12345.678),
				'Spent 12,345.68 on purchases so far, which raises the chance of converting.',
			);
			assert.equal(
				down(purchases('sum', 30, { field: 'value' }), 0),
				'Spent nothing on purchases in the last 30 days, which lowers the chance of converting.',
			);
			assert.equal(
				up(decl({ aggregate: 'sum', subject: 'events', windowDays: null, field: 'value' }), 99),
				'Spent 99.00 so far, which raises the chance of converting.',
			);
		});
		it('reads an average and a largest value per event', () => {
			assert.equal(
				up(purchases('mean', null, { field: 'value' }), 80.166),
				'Spent 80.17 per purchase on average so far, which raises the chance of converting.',
			);
			assert.equal(down(purchases('mean', null, { field: 'value' }), null), 'No purchases with a value so far, which lowers the chance of converting.');
			assert.equal(
				up(purchases('max', 90, { field: 'value' }), 120),
				'Largest purchase was 120.00 in the last 90 days, which raises the chance of converting.',
			);
		});
		it('reads other numeric fields by their name, without money formatting', () => {
			const duration = decl({ aggregate: 'mean', subject: 'events', windowDays: null, field: 'sessionDuration' });
			assert.equal(up(duration, 35.25), 'Average session duration was 35.25 so far, which raises the chance of converting.');
			assert.equal(
				up(decl({ aggregate: 'max', subject: 'events', windowDays: 30, field: 'pages_per_visit' }), 7),
				'Highest pages per visit was 7 in the last 30 days, which raises the chance of converting.',
			);
		});
	});

	describe('trend', () => {
		const visits = decl({ aggregate: 'trend', subject: 'visits', windowDays: 30, baselineDays: 90 });
		it('says falling or rising with the change in percent', () => {
			assert.equal(
				down(visits, 0.4),
				'Visits are falling: down 60% in the last 30 days compared with the previous 90 days, which lowers the chance of converting.',
			);
			assert.equal(
				up(visits, 2.5),
				'Visits are rising: up 150% in the last 30 days compared with the previous 90 days, which raises the chance of converting.',
			);
		});
		it('uses a plain noun for events whose type name reads awkwardly', () => {
			const opens = decl({ aggregate: 'trend', subject: 'email openeds', windowDays: 30, baselineDays: 90 });
			assert.equal(
				down(opens, 0.5),
				'Email opens are falling: down 50% in the last 30 days compared with the previous 90 days, which lowers the chance of converting.',
			);
		});
		it('calls a change under 10% steady', () => {
			assert.equal(up(visits, 1.05), 'Visits are steady in the last 30 days compared with the previous 90 days, which raises the chance of converting.');
		});
		it('says when the events stopped, and when there is nothing to compare with', () => {
			assert.equal(
				down(visits, 0),
				'Visits have stopped: none in the last 30 days after some in the previous 90 days, which lowers the chance of converting.',
			);
			assert.equal(down(visits, null), 'No visits in the previous 90 days to compare with, which lowers the chance of converting.');
		});
	});

	describe('meanGapDays', () => {
		it('says the usual number of days between events', () => {
			assert.equal(up(purchases('meanGapDays', null), 12.4), 'On average 12 days between purchases so far, which raises the chance of converting.');
			assert.equal(up(purchases('meanGapDays', null), 2.46), 'On average 2.5 days between purchases so far, which raises the chance of converting.');
			assert.equal(up(purchases('meanGapDays', null), 1), 'On average 1 day between purchases so far, which raises the chance of converting.');
			// Events hours apart read in hours, never "0 days".
			assert.equal(up(purchases('meanGapDays', null), 0.04), 'On average 1 hour between purchases so far, which raises the chance of converting.');
			assert.equal(up(purchases('meanGapDays', null), 0.3), 'On average 7 hours between purchases so far, which raises the chance of converting.');
			assert.equal(
				up(purchases('meanGapDays', null), 0.01),
				'On average less than an hour between purchases so far, which raises the chance of converting.',
			);
			assert.equal(down(purchases('meanGapDays', null), null), 'Fewer than two purchases so far, which lowers the chance of converting.');
		});
	});

	describe('latest (profile attributes)', () => {
		it('names the category a coded value stands for', () => {
			const tier = decl({ aggregate: 'latest', subject: 'loyalty tier', label: 'loyalty tier', field: 'tier', categories: ['gold', 'silver'] });
			assert.equal(up(tier, 0), 'Loyalty tier is gold, which raises the chance of converting.');
			assert.equal(down(tier, null), 'Loyalty tier is not known, which lowers the chance of converting.');
		});
		it('gives a number attribute its value', () => {
			assert.equal(
				up(decl({ aggregate: 'latest', subject: 'age', label: 'age', field: 'age' }), 42),
				'Age is 42, which raises the chance of converting.',
			);
		});
	});

	describe('the effect', () => {
		it('speaks of the risk of leaving for churn', () => {
			assert.equal(
				factorSentence(decl({ aggregate: 'daysSinceLast', subject: 'visits', windowDays: null }), 45, 0.8, 'churn'),
				'Last visited 45 days ago, which raises the risk of leaving.',
			);
			assert.equal(factorSentence(purchases('count', 30), 3, -0.8, 'churn'), 'Bought 3 times in the last 30 days, which lowers the risk of leaving.');
		});
		it("names the goal's outcome when given", () => {
			assert.equal(
				factorSentence(purchases('count', 30), 3, 0.2, 'conversion', 'buying again'),
				'Bought 3 times in the last 30 days, which raises the chance of buying again.',
			);
		});
	});
});
