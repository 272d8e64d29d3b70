import assert from 'node:assert/strict';
import { loadEvents } from '../../core/events/load';
import { InputError } from '../../core/errors';

/** A list of orders: one kind of event, so no column names its type. */
const orders = 'order_id,customer,ordered_at,total\no1,ann,2026-01-03T10:00:00Z,20\no2,bo,2026-01-05T11:00:00Z,35.5\no3,ann,2026-02-01T09:00:00Z,12\n';

describe('a file of one kind of event', () => {
	it('gives every row the event type named after "=" (type==order on the command line)', async () => {
		const { summary } = await loadEvents(
			{ kind: 'buffer', data: Buffer.from(orders), format: 'csv' },
			{ id: 'customer', time: 'ordered_at', type: '=order', value: 'total' },
		);
		assert.deepEqual(summary.eventsPerType, { order: 3 });
		assert.equal(summary.profiles, 2);
		assert.equal(summary.eventsWithValue, 3);
	});

	it('works for JSON rows as for CSV columns', async () => {
		const rows = [
			{ who: 'ann', at: '2026-01-03T10:00:00Z' },
			{ who: 'bo', at: '2026-01-04T10:00:00Z' },
		];
		const { summary } = await loadEvents({ kind: 'rows', rows }, { id: 'who', time: 'at', type: '=signup', value: null });
		assert.deepEqual(summary.eventsPerType, { signup: 2 });
	});

	it('says, when the type column is missing, that a fixed type can be given', async () => {
		await assert.rejects(
			loadEvents({ kind: 'buffer', data: Buffer.from(orders), format: 'csv' }, { id: 'customer', time: 'ordered_at', value: 'total' }),
			(error: unknown) =>
				error instanceof InputError &&
				/no column "event_type" for the event type.*or give every row the same type \(CLI: --map type==order, for a file of orders\)/.test(
					error.message,
				),
		);
	});
});
