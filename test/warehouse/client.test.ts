/**
 * Errors ClickHouse meets after it has begun sending rows arrive as text inside the result; they
 * must read as the server's error, not as a failure to parse the rows (JSON objects or rows read
 * by position).
 */
import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { type WarehouseClient, connectWarehouse } from '../../core/warehouse/client';
import { shopColumns, writeRows } from './support';

/** Each way of reading rows, and the parse failure the error must not read as. */
const readers: { name: string; read: (client: WarehouseClient, sql: string, onRow: () => void) => Promise<void>; notParse: RegExp }[] = [
	{ name: 'as JSON objects', read: (client, sql, onRow) => client.each(sql, [], onRow), notParse: /not valid JSON/ },
	{ name: 'by position', read: (client, sql, onRow) => client.eachCells(sql, [], 'in the test', onRow), notParse: /not a row/ },
];

describe('a ClickHouse error part-way through a result', () => {
	for (const { name, read, notParse } of readers) {
		it(`is reported with the server’s code and message when the rows are read ${name}`, async function () {
			this.timeout(300_000);
			const source = await writeRows('clickhouse', 'client_midstream', shopColumns(), [
				{ customer_id: 'a', timestamp: 0, event_type: 'visit', value: 1 },
			]);
			const client = await connectWarehouse(source);
			let rows = 0;
			try {
				// throwIf fails on a row far enough in that earlier blocks have already been sent.
				const sql = 'SELECT number, throwIf(number = 3000000) AS failed FROM system.numbers LIMIT 4000000';
				await assert.rejects(
					read(client, sql, () => rows++),
					(error: unknown) =>
						error instanceof InputError &&
						error.code === 'warehouse-query' &&
						/stopped part-way through the result: Code: 395/.test(error.message) &&
						!notParse.test(error.message),
				);
				assert.ok(rows > 0, 'rows arrived before the error');
			} finally {
				await client.close();
			}
		});
	}
});
