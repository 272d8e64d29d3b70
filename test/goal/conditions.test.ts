import assert from 'node:assert/strict';
import type { EventTable } from '../../core/events/table';
import { InputError } from '../../core/errors';
import { type ConditionItem, conditionMask, fieldKinds, keptMask, resolveCondition } from '../../core/goal';
import { type TestEvent, tableOf } from '../features/support';

/** One profile, one event per day, so row i is event i. */
const events: TestEvent[] = [
	{ profile: 'a', day: 0, type: 'visit', channel: 'web', qty: 1 },
	{ profile: 'a', day: 1, type: 'purchase', value: 50, channel: 'email', campaign: 'spring-sale', qty: 2 },
	{ profile: 'a', day: 2, type: 'purchase', value: 150, channel: 'web', campaign: 'summer-sale' },
	{ profile: 'a', day: 3, type: 'email_open', channel: 'email', campaign: 'spring-sale', qty: 3 },
	{ profile: 'a', day: 4, type: 'email_click', campaign: 'newsletter' },
	{ profile: 'a', day: 5, type: 'purchase', value: 100, channel: 'sms', qty: 10 },
];
const table = tableOf(events);

/** A test's title: `channel in ["sms","web"] matches events 0, 2, 5`. */
function title(condition: ConditionItem, rows: number[]): string {
	const text =
		'field' in condition
			? `${condition.field} ${condition.op}${condition.value === undefined ? '' : ` ${JSON.stringify(condition.value)}`}`
			: JSON.stringify(condition);
	return `${text} matches ${rows.length ? `events ${rows.join(', ')}` : 'no event'}`;
}

/** The rows (event indexes) that pass the condition. */
function matching(condition: ConditionItem, on: EventTable = table): number[] {
	const group = 'all' in condition || 'any' in condition ? condition : { all: [condition] };
	const mask = conditionMask(resolveCondition(group, fieldKinds(on)), on);
	return [...mask].flatMap((hit, i) => (hit ? [i] : []));
}

describe('conditions on events', () => {
	it('lays the test table out in the order written', () => {
		assert.deepEqual(
			[...table.type].map((t) => table.types[t]),
			events.map((e) => e.type),
		);
	});

	describe('on the event type', () => {
		const cases: [ConditionItem, number[]][] = [
			[{ field: 'eventType', op: 'equals', value: 'purchase' }, [1, 2, 5]],
			[{ field: 'eventType', op: 'notEquals', value: 'purchase' }, [0, 3, 4]],
			[{ field: 'eventType', op: 'in', value: ['visit', 'email_open'] }, [0, 3]],
			[{ field: 'eventType', op: 'notIn', value: ['visit', 'email_open'] }, [1, 2, 4, 5]],
			[{ field: 'eventType', op: 'startsWith', value: 'email_' }, [3, 4]],
			[{ field: 'eventType', op: 'contains', value: 'ic' }, [4]],
			[{ field: 'eventType', op: 'exists' }, [0, 1, 2, 3, 4, 5]],
			[{ field: 'eventType', op: 'notExists' }, []],
			[{ field: 'eventType', op: 'equals', value: 'Purchase' }, []],
		];
		for (const [condition, rows] of cases) {
			it(title(condition, rows), () => {
				assert.deepEqual(matching(condition), rows);
			});
		}
	});

	describe('on the value, where an event without a value passes only the negative operators', () => {
		const cases: [ConditionItem, number[]][] = [
			[{ field: 'value', op: 'equals', value: 100 }, [5]],
			[{ field: 'value', op: 'notEquals', value: 100 }, [0, 1, 2, 3, 4]],
			[{ field: 'value', op: 'in', value: [50, 150] }, [1, 2]],
			[{ field: 'value', op: 'notIn', value: [50, 150] }, [0, 3, 4, 5]],
			[{ field: 'value', op: 'gt', value: 100 }, [2]],
			[{ field: 'value', op: 'gte', value: 100 }, [2, 5]],
			[{ field: 'value', op: 'lt', value: 100 }, [1]],
			[{ field: 'value', op: 'lte', value: 100 }, [1, 5]],
			[{ field: 'value', op: 'exists' }, [1, 2, 5]],
			[{ field: 'value', op: 'notExists' }, [0, 3, 4]],
		];
		for (const [condition, rows] of cases) {
			it(title(condition, rows), () => {
				assert.deepEqual(matching(condition), rows);
			});
		}
	});

	describe('on a text attribute', () => {
		const cases: [ConditionItem, number[]][] = [
			[{ field: 'channel', op: 'equals', value: 'email' }, [1, 3]],
			[{ field: 'channel', op: 'notEquals', value: 'email' }, [0, 2, 4, 5]],
			[{ field: 'channel', op: 'in', value: ['sms', 'web'] }, [0, 2, 5]],
			[{ field: 'channel', op: 'notIn', value: ['sms', 'web'] }, [1, 3, 4]],
			[{ field: 'campaign', op: 'startsWith', value: 'spring' }, [1, 3]],
			[{ field: 'campaign', op: 'contains', value: 'sale' }, [1, 2, 3]],
			[{ field: 'campaign', op: 'exists' }, [1, 2, 3, 4]],
			[{ field: 'campaign', op: 'notExists' }, [0, 5]],
		];
		for (const [condition, rows] of cases) {
			it(title(condition, rows), () => {
				assert.deepEqual(matching(condition), rows);
			});
		}
	});

	describe('on a number attribute', () => {
		const cases: [ConditionItem, number[]][] = [
			[{ field: 'qty', op: 'equals', value: 2 }, [1]],
			[{ field: 'qty', op: 'equals', value: '2' }, [1]],
			[{ field: 'qty', op: 'notEquals', value: 2 }, [0, 2, 3, 4, 5]],
			[{ field: 'qty', op: 'in', value: [1, 3] }, [0, 3]],
			[{ field: 'qty', op: 'notIn', value: [1, 3] }, [1, 2, 4, 5]],
			[{ field: 'qty', op: 'gt', value: 2 }, [3, 5]],
			[{ field: 'qty', op: 'gte', value: 2 }, [1, 3, 5]],
			[{ field: 'qty', op: 'lt', value: 3 }, [0, 1]],
			[{ field: 'qty', op: 'lte', value: 3 }, [0, 1, 3]],
			[{ field: 'qty', op: 'exists' }, [0, 1, 3, 5]],
			[{ field: 'qty', op: 'notExists' }, [2, 4]],
		];
		for (const [condition, rows] of cases) {
			it(title(condition, rows), () => {
				assert.deepEqual(matching(condition), rows);
			});
		}
	});

	describe('groups', () => {
		it('an all group needs every item, an any group one of them', () => {
			const isPurchase = { field: 'eventType', op: 'equals', value: 'purchase' } as const;
			const overHundred = { field: 'value', op: 'gte', value: 100 } as const;
			assert.deepEqual(matching({ all: [isPurchase, overHundred] }), [2, 5]);
			assert.deepEqual(matching({ any: [overHundred, { field: 'eventType', op: 'equals', value: 'visit' }] }), [0, 2, 5]);
		});

		it('nest to any depth', () => {
			const condition: ConditionItem = {
				any: [
					{
						all: [
							{ field: 'eventType', op: 'equals', value: 'purchase' },
							{
								any: [
									{ field: 'channel', op: 'equals', value: 'email' },
									{ field: 'qty', op: 'gt', value: 5 },
								],
							},
						],
					},
					{ all: [{ field: 'campaign', op: 'startsWith', value: 'news' }] },
				],
			};
			assert.deepEqual(matching(condition), [1, 4, 5]);
		});

		it('a group of event-type tests alone gives the same answer as one test per event', () => {
			const byTypes: ConditionItem = {
				any: [
					{ field: 'eventType', op: 'equals', value: 'visit' },
					{
						all: [
							{ field: 'eventType', op: 'startsWith', value: 'email' },
							{ field: 'eventType', op: 'notEquals', value: 'email_click' },
						],
					},
				],
			};
			assert.deepEqual(matching(byTypes), [0, 3]);
		});
	});

	describe('refusals', () => {
		const refuse = (condition: ConditionItem, expected: RegExp) => {
			assert.throws(
				() => resolveCondition({ all: [condition] }, fieldKinds(table)),
				(error: unknown) => error instanceof InputError && expected.test(error.message),
			);
		};

		it('refuses a field the events do not have, suggesting a close name and listing the fields', () => {
			refuse(
				{ field: 'chanel', op: 'equals', value: 'web' },
				/names the field "chanel", which the events do not have \(did you mean "channel"\?\); the fields are "eventType", "value", "channel", "campaign", "qty", "country", "email"/,
			);
		});

		it('refuses a numeric comparison on a text attribute', () => {
			refuse({ field: 'channel', op: 'gt', value: 3 }, /uses "gt" on "channel", which holds text/);
		});

		it('refuses a text operator on a number attribute', () => {
			refuse({ field: 'qty', op: 'contains', value: '1' }, /uses "contains" on "qty", which holds numbers/);
		});

		it('refuses comparing a number attribute with text that is not a number', () => {
			refuse({ field: 'qty', op: 'equals', value: 'many' }, /compares "qty", which holds numbers, with "many", which is not a number/);
		});
	});

	describe('exclusions', () => {
		it('keep every event that matches none of them', () => {
			const kept = keptMask(table, [{ all: [{ field: 'channel', op: 'equals', value: 'email' }] }, { all: [{ field: 'value', op: 'gt', value: 120 }] }]);
			assert.deepEqual([...kept], [1, 0, 0, 0, 1, 1]);
		});

		it('keep every event when there are none', () => {
			assert.deepEqual([...keptMask(table, [])], [1, 1, 1, 1, 1, 1]);
		});
	});
});
