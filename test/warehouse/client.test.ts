/**
 * Errors ClickHouse meets after it has begun sending rows arrive as text inside the result; they
 * must read as the server's error, not as a JSON parse failure.
 */
import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { connectWarehouse } from '../../core/warehouse/client';
import { shopColumns, writeRows } from './support';

describe('a ClickHouse error part-way through a result', () => {
	it('is reported with the server’s code and message', async function () {
		this.timeout(300_000);
		const source = await writeRows('clickhouse', 'client_midstream', shopColumns(), [{ customer_id: 'a', timestamp: 0, event_type: 'visit', value: 1 }]);
		const client = await connectWarehouse(source);
		let rows = 0;
		try {
			// throwIf fails on a row far enough in that earlier blocks have already been sent.
			const sql = 'SELECT number, throwIf(number = 3000000) AS failed FROM system.numbers LIMIT 4000000';
			await assert.rejects(
				client.each(sql, [], () => rows++),
				(error: unknown) =>
					error instanceof InputError &&
					error.code === 'warehouse-query' &&
					/stopped part-way through the result: Code: 395/.test(error.message) &&
					!/not valid JSON/.test(error.message),
			);
			assert.ok(rows > 0, 'rows arrived before the error');
		} finally {
			await client.close();
		}
	});

	it('is reported with the server’s code and message when the rows are read by position', async function () {
		this.timeout(300_000);
		const source = await writeRows('clickhouse', 'client_midstream', shopColumns(), [{ customer_id: 'a', timestamp: 0, event_type: 'visit', value: 1 }]);
		const client = await connectWarehouse(source);
		let rows = 0;
		try {
			const sql = 'SELECT number, throwIf(number = 3000000) AS failed FROM system.numbers LIMIT 4000000';
			await assert.rejects(
				client.eachCells(sql, [], 'in the test', () => rows++),
				(error: unknown) =>
					error instanceof InputError &&
					error.code === 'warehouse-query' &&
					/stopped part-way through the result: Code: 395/.test(error.message) &&
					!/not a row/.test(error.message),
			);
			assert.ok(rows > 0, 'rows arrived before the error');
		} finally {
			await client.close();
		}
	});
});
