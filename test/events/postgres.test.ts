import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { Client } from 'pg';
import { InputError } from '../../core/errors';
import { loadEvents } from '../../core/events/load';
import { profilesForEvents, writeSimulation } from '../../core/simulate';
import { testPostgres, type TestPostgres } from '../support/postgres';
import { outputDir, sameTable } from './support';

const eventCount = 100000;

describe('loading events from PostgreSQL', function () {
	this.timeout(300000);
	let server: TestPostgres;
	let csvFile: string;
	let connection: { host: string; port: number; user: string; password: string; database: string };

	before(async () => {
		server = await testPostgres();
		connection = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
		const dir = outputDir('postgres');
		// Simulate a little more than needed and keep exactly the first 100,000 events.
		const full = path.join(dir, 'full.csv');
		await writeSimulation({ profiles: Math.ceil(profilesForEvents(eventCount, { seed: 2 }) * 1.2), seed: 2, format: 'csv', out: full });
		const lines = fs.readFileSync(full, 'utf8').split('\n');
		assert.ok(lines.length > eventCount + 1, 'the simulation has enough events');
		csvFile = path.join(dir, 'events.csv');
		fs.writeFileSync(csvFile, `${lines.slice(0, eventCount + 1).join('\n')}\n`);

		const rows = parse(fs.readFileSync(csvFile), { columns: false, from_line: 2 }) as string[][];
		const client = new Client(connection);
		await client.connect();
		try {
			await client.query('drop table if exists events');
			await client.query(`create table events (customer_id text not null, "timestamp" timestamptz not null, event_type text not null, value numeric,
				channel text, campaign text, product_category text, device text, email text, country text)`);
			// Parameterised multi-row inserts, 1,000 rows (10,000 parameters) at a time.
			for (let start = 0; start < rows.length; start += 1000) {
				const batch = rows.slice(start, start + 1000);
				const placeholders = batch.map((_row, r) => `(${Array.from({ length: 10 }, (_c, c) => `$${r * 10 + c + 1}`).join(',')})`).join(',');
				const values = batch.flatMap((row) => row.map((cell) => (cell === '' ? null : cell)));
				await client.query(`insert into events values ${placeholders}`, values);
			}
			const count = await client.query<{ n: string }>('select count(*) as n from events');
			assert.equal(Number(count.rows[0].n), eventCount);
		} finally {
			await client.end();
		}
	});

	it('loads a table of 100,000 events through the cursor, equal to the CSV load of the same events', async () => {
		const fromCsv = await loadEvents({ kind: 'file', path: csvFile });
		let batches = 0;
		const fromPostgres = await loadEvents(
			{ kind: 'postgres', connection, query: 'select * from events', batchSize: 5000 },
			{},
			{ onProgress: () => batches++ },
		);
		assert.equal(fromPostgres.table.length, eventCount);
		assert.equal(fromCsv.table.length, eventCount);
		assert.ok(sameTable(fromPostgres.table, fromCsv.table));
		assert.deepEqual(fromPostgres.summary, fromCsv.summary);
		assert.equal(fromPostgres.report.format, 'postgres');
		assert.equal(fromPostgres.report.source, `postgres ${server.user}@${server.host}:${server.port}/${server.database}`);
		assert.ok(batches > 1, 'progress was reported between batches');
	});

	it('binds query parameters rather than pasting them into the SQL', async () => {
		const purchases = await loadEvents({
			kind: 'postgres',
			connection,
			query: 'select * from events where event_type = $1 and value > $2',
			params: ['purchase', 0],
			batchSize: 777,
		});
		const fromCsv = await loadEvents({ kind: 'file', path: csvFile });
		assert.equal(purchases.summary.events, fromCsv.summary.eventsPerType.purchase);
		assert.deepEqual(Object.keys(purchases.summary.eventsPerType), ['purchase']);
		const injected = await loadEvents({
			kind: 'postgres',
			connection,
			query: 'select * from events where event_type = $1',
			params: ["purchase' or '1'='1"],
		});
		assert.equal(injected.summary.events, 0);
	});

	it('reads timestamps without a zone in the declared zone, not in the zone of the machine', async () => {
		const { table } = await loadEvents(
			{ kind: 'postgres', connection, query: "select 'p' as customer_id, timestamp '2024-07-01 12:00:00' as timestamp, 'x' as event_type" },
			{ timeZone: 'America/New_York' },
		);
		assert.equal(new Date(table.time[0]).toISOString(), '2024-07-01T16:00:00.000Z');
	});

	it('says which query failed and where, without the password', async () => {
		await assert.rejects(loadEvents({ kind: 'postgres', connection, query: 'select * from no_such_table' }), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.match(
				error.message,
				/The events query failed on PostgreSQL at propensity@127\.0\.0\.1:\d+\/postgres: relation "no_such_table" does not exist/,
			);
			assert.ok(!error.message.includes(server.password));
			return true;
		});
		await assert.rejects(
			loadEvents({ kind: 'postgres', connection: { ...connection, password: 'wrong-secret' }, query: 'select 1' }),
			(error: unknown) => error instanceof InputError && !error.message.includes('wrong-secret'),
		);
	});
});
