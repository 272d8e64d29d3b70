import assert from 'node:assert/strict';
import { goalFromForm } from '../../core/goal/form';
import { parseGoal } from '../../core/goal/parse';
import { goalDefaults } from '../../core/goal/schema';

describe('the goal form both hosts fill in', () => {
	const form = {
		name: 'purchase-in-30-days',
		propensityType: 'conversion',
		occur: 'will_occur',
		conditions: [{ field: 'eventType', op: 'equals', value: 'purchase' }],
	} as const;

	it('a form that leaves the window and the lookback blank gets 30 days and a year, the same on either host', () => {
		const goal = parseGoal(goalFromForm(form));
		assert.equal(goal.outcome.windowDays, 30);
		assert.equal(goal.lookbackDays, 365);
		assert.deepEqual({ ...goalDefaults }, { windowDays: 30, lookbackDays: 365 });
	});

	it('a window and a lookback that are given are kept', () => {
		const goal = parseGoal(goalFromForm({ ...form, windowDays: 14, lookbackDays: 90 }));
		assert.equal(goal.outcome.windowDays, 14);
		assert.equal(goal.lookbackDays, 90);
	});
});
