import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { loadEvents } from '../../core/events/load';
import { parseGoal } from '../../core/goal/parse';
import { defineGoal } from '../../core/pipeline';

function goalWith(when: unknown) {
	return { name: 'g', propensityType: 'conversion', outcome: { occur: 'will_occur', windowDays: 30, when } };
}

function isInputError(code: string, pattern: RegExp) {
	return (error: unknown) => {
		assert.ok(error instanceof InputError, String(error));
		assert.equal(error.code, code);
		assert.match(error.message, pattern);
		assert.ok(error.message.length < 2000, `a short message (${error.message.length} characters)`);
		return true;
	};
}

describe('goal limits', () => {
	it('refuses a goal nested 700 levels with an error, not a stack overflow', () => {
		let when: unknown = { field: 'eventType', op: 'equals', value: 'purchase' };
		for (let i = 0; i < 700; i++) when = { all: [when] };
		assert.throws(() => parseGoal(goalWith(when)), isInputError('goal-too-deep', /nests more than 64 levels deep \(at outcome\.when\.all\[0\]/));
		assert.throws(() => parseGoal(JSON.stringify(goalWith(when))), isInputError('goal-too-deep', /flatten/));
	});

	it('still reads a goal with a dozen nested groups', () => {
		let when: unknown = { field: 'eventType', op: 'equals', value: 'purchase' };
		for (let i = 0; i < 12; i++) when = { any: [when] };
		assert.equal(parseGoal(goalWith(when)).name, 'g');
	});

	it('refuses an "in" list of 130,000 values with a clear error', () => {
		const value = Array.from({ length: 130000 }, (_v, i) => `type-${i}`);
		assert.throws(
			() => parseGoal(goalWith({ all: [{ field: 'eventType', op: 'in', value }] })),
			isInputError('goal-too-large', /holds 130,000 values; a goal's lists hold at most 10,000/),
		);
	});

	it('lists at most 20 problems when 10,000 event types are missing from the data, and counts the rest', async () => {
		const { table } = await loadEvents({ kind: 'rows', rows: [{ customer_id: 'c1', timestamp: '2024-01-01', event_type: 'visit' }] });
		const value = Array.from({ length: 10000 }, (_v, i) => `type-${i}`);
		assert.throws(
			() => defineGoal(goalWith({ all: [{ field: 'eventType', op: 'in', value }] }), table),
			(error: unknown) => {
				assert.ok(error instanceof InputError);
				assert.equal(error.code, 'goal-data-mismatch');
				assert.match(error.message, /… and 9,980 more problems/);
				assert.ok(error.message.length < 10000, `${error.message.length} characters`);
				return true;
			},
		);
	});

	it('says there are no events, not that the event types are "", when a header-only CSV was loaded', async () => {
		const { table } = await loadEvents({ kind: 'buffer', data: Buffer.from('customer_id,timestamp,event_type\n'), fileName: 'e.csv' });
		assert.throws(
			() => defineGoal(goalWith({ all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] }), table),
			isInputError('no-events', /no events were loaded/),
		);
	});

	it('names five of 20,000 unknown keys and counts the rest, in a short message', () => {
		const outcome = Object.fromEntries(Array.from({ length: 20000 }, (_v, i) => [String(i), i]));
		assert.throws(
			() => parseGoal({ ...goalWith({ all: [] }), outcome }),
			isInputError('bad-goal', /"4" is not a key here; and 19,995 more unknown keys; the keys are "occur", "windowDays", "when"/),
		);
	});

	it('reads a goal file that starts with a UTF-8 byte-order mark', () => {
		assert.equal(parseGoal(`\uFEFF${JSON.stringify(goalWith({ all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] }))}`).name, 'g');
	});
});
