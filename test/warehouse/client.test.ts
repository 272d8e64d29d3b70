/**
 * Errors ClickHouse meets after it has begun sending rows arrive as text inside the result; they
 * must read as the server's error, not as a failure to parse the rows (JSON objects or rows read
 * by position). And the other way round: an error thrown by our own handling of the rows must not
 * read as the server refusing the query.
 */
import assert from 'node:assert/strict';
import { CancelledError, InputError, PropensityError } from '../../core/errors';
import { type WarehouseClient, connectWarehouse } from '../../core/warehouse/client';
import { engines, shopColumns, writeRows } from './support';

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

/** Each way of reading rows, both engines: the handler is called once per row. */
const handedRows: { name: string; read: (client: WarehouseClient, sql: string, onRow: () => void) => Promise<void> }[] = [
	{ name: 'as objects', read: (client, sql, onRow) => client.each(sql, [], onRow) },
	{ name: 'by position', read: (client, sql, onRow) => client.eachCells(sql, [], 'in the test', onRow) },
];

describe('an error thrown while our own code reads the rows', () => {
	for (const engine of engines) {
		it(`is not worded as ${engine} refusing the query: a row check's error is thrown as it is, anything else says it happened while reading the answer`, async function () {
			this.timeout(300_000);
			const source = await writeRows(engine, 'client_handler', shopColumns(), [{ customer_id: 'a', timestamp: 0, event_type: 'visit', value: 1 }]);
			const client = await connectWarehouse(source);
			const sql = engine === 'postgres' ? 'SELECT n FROM generate_series(1, 50000) AS n' : 'SELECT number AS n FROM system.numbers LIMIT 50000';
			try {
				for (const { name, read } of handedRows) {
					const failingAt = (thrown: unknown) => {
						let rows = 0;
						return read(client, sql, () => {
							if (++rows === 20_000) throw thrown;
						});
					};
					const refused = new InputError('the row 20000 has no profile id', 'warehouse-result');
					await assert.rejects(failingAt(refused), (error) => error === refused, `a refused row, read ${name}`);
					const cancelled = new CancelledError('training');
					await assert.rejects(failingAt(cancelled), (error) => error === cancelled, `a cancel, read ${name}`);
					// A message that looks like a lost connection must not be taken for one either.
					await assert.rejects(
						failingAt(new TypeError('cells.timeout is not a function')),
						(error: unknown) =>
							error instanceof PropensityError &&
							error.code === 'warehouse-reading' &&
							/^An unexpected error happened in Propensity while reading the answer of the warehouse .*: cells\.timeout is not a function\. The warehouse did not refuse the query/.test(
								error.message,
							) &&
							!/refused a query|connection .* was lost/.test(error.message),
						`a fault of ours, read ${name}`,
					);
					// The server's own refusal is still worded as one, and the connection still answers.
					await assert.rejects(
						read(client, 'SELECT no_such_column FROM no_such_table', () => undefined),
						(error: unknown) => error instanceof InputError && error.code === 'warehouse-query' && /refused a query: /.test(error.message),
						`a refused query, read ${name}`,
					);
					let rows = 0;
					await read(client, sql, () => rows++);
					assert.equal(rows, 50_000, `every row read ${name} after the failures`);
				}
			} finally {
				await client.close();
			}
		});
	}
});
