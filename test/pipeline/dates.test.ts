/**
 * Dates as a user types them: `1997-09-30` means that whole day, so "as of the 30th" counts the
 * 30th's events. The same parser serves the CLI, both hosts' nodes and the core, so one test of
 * it holds everywhere; the adapters' own tests check that they pass the text through.
 */
import assert from 'node:assert/strict';
import { EventTableBuilder } from '../../core/events/table';
import { InputError } from '../../core/errors';
import { defineGoal, parseMoment } from '../../core/pipeline';

describe('as-of dates', () => {
	it('reads a date without a time as the end of that day, in UTC by default', () => {
		assert.equal(parseMoment('1997-09-30'), Date.UTC(1997, 8, 30, 23, 59, 59, 999));
		assert.equal(new Date(parseMoment(' 2024-02-29 ') as number).toISOString(), '2024-02-29T23:59:59.999Z');
	});

	it('reads a date without a time as the end of that day in the zone given', () => {
		// Paris is UTC+2 in summer: its day ends at 21:59:59.999 UTC.
		assert.equal(new Date(parseMoment('1997-09-30', 'as-of date', 'Europe/Paris') as number).toISOString(), '1997-09-30T21:59:59.999Z');
		assert.equal(new Date(parseMoment('1997-12-31', 'as-of date', '+05:30') as number).toISOString(), '1997-12-31T18:29:59.999Z');
	});

	it('takes a time as written, even midnight, and a zone in the text over the one given', () => {
		assert.equal(parseMoment('1997-09-30T00:00'), Date.UTC(1997, 8, 30));
		assert.equal(parseMoment('1997-09-30T00:00:00Z', 'as-of date', 'Europe/Paris'), Date.UTC(1997, 8, 30));
		assert.equal(parseMoment('1997-09-30T12:00', 'as-of date', 'Europe/Paris'), Date.UTC(1997, 8, 30, 10));
		assert.equal(parseMoment(Date.UTC(1997, 8, 30)), Date.UTC(1997, 8, 30));
		assert.equal(parseMoment(''), undefined);
	});

	it('refuses an impossible day or a word, naming both ways to write a date', () => {
		for (const text of ['1997-02-30', 'yesterday']) {
			assert.throws(
				() => parseMoment(text),
				(error: unknown) =>
					error instanceof InputError &&
					error.code === 'bad-date' &&
					error.message.includes(`"${text}"`) &&
					/"2026-05-01" \(the end of that day\)/.test(error.message),
			);
		}
	});

	it("counts that day's events when judging readiness as of the day", () => {
		const builder = new EventTableBuilder([]);
		builder.add('a', Date.UTC(1997, 8, 1, 9), 'visit', NaN, []);
		builder.add('a', Date.UTC(1997, 8, 30, 18), 'purchase', NaN, []);
		builder.add('a', Date.UTC(1997, 9, 2, 9), 'visit', NaN, []);
		const { table } = builder.build();
		const goal = {
			name: 'buy',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 7, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		};
		const check = defineGoal(goal, table, { asOf: '1997-09-30' });
		assert.equal(check.readiness?.history.end, '1997-09-30T23:59:59.999Z');
		// The purchase at 18:00 that day is seen; the visit of 2 October is not.
		assert.deepEqual(check.readiness?.eventTypes, [
			{ type: 'purchase', events: 1 },
			{ type: 'visit', events: 1 },
		]);
		// A moment at the start of the day leaves that day's purchase out.
		assert.deepEqual(defineGoal(goal, table, { asOf: '1997-09-30T00:00Z' }).readiness?.eventTypes, [{ type: 'visit', events: 1 }]);
	});
});
