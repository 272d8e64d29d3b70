import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { parseGoal } from '../../core/goal';

const example = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: {
		occur: 'will_occur',
		windowDays: 30,
		when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
	},
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 365,
	customEvents: [],
	profileAttributes: [],
	exclusions: [],
};

/** The message of the InputError that parsing `input` throws. */
function refusal(input: unknown): string {
	try {
		parseGoal(input);
	} catch (error) {
		assert.ok(error instanceof InputError, `expected an InputError, got ${String(error)}`);
		assert.equal(error.code, 'bad-goal');
		return error.message;
	}
	assert.fail('the goal was accepted');
}

function withOutcome(when: unknown): unknown {
	return { ...example, outcome: { ...example.outcome, when } };
}

describe('parseGoal', () => {
	it('accepts the documented conversion goal and fills in the defaults', () => {
		const goal = parseGoal(example);
		assert.equal(goal.schemaVersion, 1);
		assert.equal(goal.training, undefined, 'no training block: the cutoffs are planned to fit the history');
		assert.deepEqual(goal.outcome.when, example.outcome.when);
		assert.deepEqual(goal.eligibility, { all: [{ activeWithinDays: 45 }] });
	});

	it('reads a goal given as JSON text', () => {
		assert.equal(parseGoal(JSON.stringify(example)).name, 'purchase-in-30-days');
	});

	it('accepts nested all / any groups on every kind of field', () => {
		const when = {
			any: [
				{
					all: [
						{ field: 'eventType', op: 'in', value: ['purchase', 'checkout'] },
						{ field: 'value', op: 'gte', value: 100 },
					],
				},
				{
					all: [
						{ field: 'channel', op: 'startsWith', value: 'em' },
						{
							any: [
								{ field: 'campaign', op: 'exists' },
								{ field: 'qty', op: 'lt', value: 3 },
							],
						},
					],
				},
			],
		};
		assert.deepEqual(parseGoal(withOutcome(when)).outcome.when, when);
	});

	it('refuses text that is not JSON, saying so', () => {
		assert.match(refusal('{"name": "x", '), /not valid JSON/);
	});

	it('refuses a goal that is not an object', () => {
		assert.match(refusal([example]), /must be a JSON object/);
	});

	it('refuses an unknown operator, naming its path and suggesting the right one', () => {
		const message = refusal(withOutcome({ all: [{ field: 'eventType', op: 'equal', value: 'purchase' }] }));
		assert.match(message, /outcome\.when\.all\[0\]\.op: must be one of "equals", .*not "equal" \(did you mean "equals"\?\)/);
	});

	it('refuses a missing outcome', () => {
		const { outcome: _outcome, ...rest } = example;
		assert.match(refusal(rest), /- outcome: is required/);
	});

	it('refuses a bare condition where a group is expected and says how to wrap it', () => {
		assert.match(
			refusal(withOutcome({ field: 'eventType', op: 'equals', value: 'purchase' })),
			/outcome\.when: must be a group: wrap the condition as \{"all": \[ \.\.\. \]\}/,
		);
	});

	it('refuses a group with both all and any', () => {
		assert.match(refusal(withOutcome({ all: [], any: [] })), /outcome\.when: has both "all" and "any"/);
	});

	it('refuses an empty all group in the outcome', () => {
		assert.match(refusal(withOutcome({ all: [] })), /outcome\.when\.all: an "all" group needs at least one condition/);
	});

	it('refuses a condition with a misspelt key, suggesting the right key', () => {
		const message = refusal(withOutcome({ all: [{ field: 'eventType', op: 'equals', vlaue: 'purchase' }] }));
		assert.match(message, /outcome\.when\.all\[0\]: "vlaue" is not a key here \(did you mean "value"\?\)/);
	});

	it('refuses an item that is neither a condition nor a group', () => {
		assert.match(
			refusal(withOutcome({ all: [{ feild: 'eventType' }] })),
			/all\[0\]: has the key "feild" \(did you mean "field"\?\), which makes neither a condition/,
		);
	});

	it('refuses values that do not suit the operator', () => {
		const cases: [unknown, RegExp][] = [
			[{ field: 'channel', op: 'in', value: 'email' }, /"in" needs a list, e\.g\. \["email"\]; for a single value use "equals"/],
			[{ field: 'channel', op: 'notIn', value: [] }, /"notIn" needs at least one value/],
			[{ field: 'channel', op: 'equals', value: ['a', 'b'] }, /"equals" compares with one value, not a list; for a list use "in"/],
			[{ field: 'channel', op: 'exists', value: 'x' }, /"exists" takes no value: remove "value"/],
			[{ field: 'channel', op: 'equals' }, /"equals" needs a value/],
			[{ field: 'value', op: 'gt', value: '100' }, /"gt" compares numbers, so its value must be a number \(write 100 without quotes\)/],
			[{ field: 'campaign', op: 'startsWith', value: 5 }, /"startsWith" needs text/],
			[{ field: 'eventType', op: 'gt', value: 3 }, /eventType is text: "gt" compares numbers/],
			[{ field: 'value', op: 'contains', value: '1' }, /value is a number: "contains" works on text/],
			[{ field: 'value', op: 'equals', value: 'ten' }, /value is a number: write numbers without quotes/],
			[{ field: 'eventType', op: 'equals', value: 7 }, /event types are text/],
			[{ field: '', op: 'exists' }, /field: must not be empty/],
		];
		for (const [condition, expected] of cases) assert.match(refusal(withOutcome({ all: [condition] })), expected, JSON.stringify(condition));
	});

	it('refuses an unknown top-level key, suggesting the right one', () => {
		assert.match(refusal({ ...example, lookbackdays: 90 }), /"lookbackdays" is not a key here \(did you mean "lookbackDays"\?\)/);
	});

	it('refuses an outcome window over a year and a fractional lookback, with the values given', () => {
		const message = refusal({ ...example, lookbackDays: 30.5, outcome: { ...example.outcome, windowDays: 400 } });
		assert.match(message, /outcome\.windowDays: must be at most 365 days, not 400/);
		assert.match(message, /lookbackDays: must be a whole number of days, not 30\.5/);
		assert.match(message, /2 problems/);
	});

	it('refuses a misspelt occur and propensityType', () => {
		const message = refusal({ ...example, propensityType: 'churnn', outcome: { ...example.outcome, occur: 'will_occurr' } });
		assert.match(message, /propensityType: must be one of "conversion", "churn", not "churnn" \(did you mean "churn"\?\)/);
		assert.match(message, /outcome\.occur: .*not "will_occurr" \(did you mean "will_occur"\?\)/);
	});

	it('refuses eligibility that looks back further than the lookback', () => {
		const message = refusal({ ...example, lookbackDays: 90, eligibility: { all: [{ did: example.outcome.when, withinDays: 120 }] } });
		assert.match(message, /eligibility\.all\[0\]\.withinDays: looks back 120 days, further than lookbackDays \(90\): raise lookbackDays to at least 120/);
	});

	it('refuses an event condition standing alone in eligibility and says how to wrap it', () => {
		const message = refusal({ ...example, eligibility: { all: [{ field: 'eventType', op: 'equals', value: 'visit' }] } });
		assert.match(message, /eligibility\.all\[0\]: is an event condition, which eligibility cannot use on its own: wrap it as \{"did"/);
	});

	it('refuses an eligibility item of unknown shape, suggesting the key', () => {
		assert.match(
			refusal({ ...example, eligibility: { all: [{ activeWithin: 30 }] } }),
			/eligibility\.all\[0\]: is not an eligibility condition.*did you mean "activeWithinDays"/,
		);
	});

	it('refuses a profile condition on eventType', () => {
		const message = refusal({ ...example, eligibility: { all: [{ profile: { field: 'eventType', op: 'equals', value: 'visit' } }] } });
		assert.match(message, /eligibility\.all\[0\]\.profile\.field: a profile attribute cannot be eventType/);
	});

	it('refuses two custom events with the same name and a repeated profile attribute', () => {
		const message = refusal({
			...example,
			customEvents: [
				{ name: 'Big orders', when: { all: [{ field: 'value', op: 'gt', value: 100 }] } },
				{ name: 'big orders', when: { all: [{ field: 'value', op: 'gt', value: 200 }] } },
			],
			profileAttributes: [{ field: 'country' }, { field: 'country' }],
		});
		assert.match(message, /customEvents\[1\]\.name: repeats the name of customEvents\[0\]/);
		assert.match(message, /profileAttributes\[1\]\.field: repeats profileAttributes\[0\]/);
	});

	it('refuses a schema version it does not read', () => {
		assert.match(refusal({ ...example, schemaVersion: 2 }), /schemaVersion: this version of Propensity reads goals with schemaVersion 1/);
	});

	it('refuses a name the store would refuse for the model, suggesting one it accepts, with the other problems', () => {
		assert.match(
			refusal({ ...example, name: 'visit within 60 days' }),
			/name: "visit within 60 days" cannot name the model in the store: use 1 to 100 letters, digits, dashes, underscores and dots.*, e\.g\. "visit-within-60-days" \(the goal's name is its model's name/,
		);
		assert.match(refusal({ ...example, name: '../../etc' }), /name: "\.\.\/\.\.\/etc" cannot name the model in the store/);
		const both = refusal({ ...example, name: 'Big Buyers!', lookbackDays: 0.5 });
		assert.match(both, /The goal has 2 problems:\n- name: "Big Buyers!" cannot name the model .* e\.g\. "big-buyers"/);
		assert.match(both, /lookbackDays/);
		assert.equal(parseGoal({ ...example, name: 'buyers.v2_EU' }).name, 'buyers.v2_EU');
	});

	it('refuses a wrong type with what was given', () => {
		assert.match(refusal({ ...example, name: 42 }), /name: must be text/);
		assert.match(refusal({ ...example, lookbackDays: '90' }), /lookbackDays: must be a number of days, e\.g\. 30, not "90"/);
	});
});
