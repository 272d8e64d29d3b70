import assert from 'node:assert/strict';
import { Client } from 'pg';
import { CancelledError, PropensityError } from '../../core/errors';
import { loadEvents } from '../../core/events/load';
import { ownPostgres, type OwnPostgres } from '../support/postgres';

/**
 * Rows enough that a load is still reading when the fault strikes. The series is in the select
 * list, where PostgreSQL streams it, not in FROM, where it would be computed whole first.
 */
const endless =
	"select 'c' || (g % 5000) as customer_id, timestamp '2024-01-01' + g * interval '1 second' as timestamp, 'visit' as event_type from (select generate_series(1, 50000000) as g) as series";

/** Ends the sessions of the test's user other than the one asking. */
async function terminateBackends(server: OwnPostgres): Promise<void> {
	const admin = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
	await admin.connect();
	try {
		await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'");
	} finally {
		await admin.end();
	}
}

/** `work`, or a failure after `ms`: a hang fails the test instead of stalling the run. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not end within ${ms} ms`)), ms)));
	return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

describe('PostgreSQL loads when the connection is lost or the load is cancelled', function () {
	this.timeout(120000);
	let server: OwnPostgres;
	let connection: { host: string; port: number; user: string; password: string; database: string };

	before(async () => {
		server = await ownPostgres();
		connection = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
	});
	after(() => server?.stop());

	const faults: [string, () => Promise<void>][] = [
		['its backend is terminated (pg_terminate_backend)', () => terminateBackends(server)],
		['the server stops with -m fast', async () => server.shutdown('fast')],
		['the server stops with -m immediate', async () => server.shutdown('immediate')],
	];
	for (const [what, fault] of faults) {
		it(`ends a load with a clear error within 5 seconds when ${what} mid-load`, async () => {
			let struck: Promise<number> | undefined;
			const load = loadEvents(
				{ kind: 'postgres', connection, query: endless, batchSize: 2000 },
				{},
				{
					onProgress: (progress) => {
						if (!struck && progress.done >= 10000) struck = fault().then(() => Date.now());
					},
				},
			);
			let error: unknown;
			try {
				await within(load, 30000, 'the load');
			} catch (caught) {
				error = caught;
			}
			const ended = Date.now();
			assert.ok(struck, 'the fault struck mid-load');
			const seconds = (ended - (await struck)) / 1000;
			assert.ok(error instanceof PropensityError, `a PropensityError, not ${String(error)}`);
			assert.equal(error.code, 'postgres-connection-lost');
			assert.match(
				error.message,
				/^The connection to PostgreSQL at propensity@127\.0\.0\.1:\d+\/postgres was lost during the event load: .+ Check that the server is running and reachable, then run again\.$/,
			);
			assert.ok(!error.message.includes(server.password));
			assert.ok(seconds < 5, `the error came ${seconds} s after the fault`);
			if (what.includes('server stops')) server.start();
		});
	}

	it('honours cancel within a second while the server is still computing the first batch', async () => {
		const controller = new AbortController();
		const load = loadEvents(
			{ kind: 'postgres', connection, query: 'select pg_sleep(60)::text as customer_id, now() as timestamp, 1 as event_type' },
			{},
			{ signal: controller.signal },
		);
		await new Promise((resolve) => setTimeout(resolve, 500));
		const asked = Date.now();
		controller.abort();
		await assert.rejects(within(load, 10000, 'the cancelled load'), CancelledError);
		assert.ok(Date.now() - asked < 1000, `cancelled after ${Date.now() - asked} ms`);
	});

	it('honours cancel within a second while it is still connecting', async () => {
		const controller = new AbortController();
		const load = loadEvents({ kind: 'postgres', connection, query: endless }, {}, { signal: controller.signal });
		await new Promise((resolve) => setImmediate(resolve));
		const asked = Date.now();
		controller.abort();
		await assert.rejects(within(load, 10000, 'the cancelled load'), CancelledError);
		assert.ok(Date.now() - asked < 1000, `cancelled after ${Date.now() - asked} ms`);
	});

	it('honours cancel within a second in the middle of a streaming load', async () => {
		const controller = new AbortController();
		let asked = 0;
		const load = loadEvents(
			{ kind: 'postgres', connection, query: endless, batchSize: 2000 },
			{},
			{
				signal: controller.signal,
				onProgress: (progress) => {
					if (!asked && progress.done >= 10000) {
						asked = Date.now();
						controller.abort();
					}
				},
			},
		);
		await assert.rejects(within(load, 10000, 'the cancelled load'), CancelledError);
		assert.ok(Date.now() - asked < 1000, `cancelled after ${Date.now() - asked} ms`);
	});

	it('still loads from the same server after the faults', async () => {
		const { table } = await loadEvents({
			kind: 'postgres',
			connection,
			query: "select 'c1' as customer_id, timestamp '2024-01-01' as timestamp, 'visit' as event_type",
		});
		assert.equal(table.length, 1);
	});
});

describe('PostgreSQL connection messages', function () {
	this.timeout(120000);

	it('says the password is empty instead of showing a SASL error', async () => {
		const { testPostgres } = await import('../support/postgres');
		const server = await testPostgres();
		const connection = { host: server.host, port: server.port, user: server.user, password: '', database: server.database };
		await assert.rejects(loadEvents({ kind: 'postgres', connection, query: 'select 1' }), (error: unknown) => {
			assert.ok(error instanceof PropensityError);
			assert.equal(error.code, 'postgres-connect');
			assert.match(error.message, /: the password is empty, and the server asks for one\. Give the password of user "propensity"/);
			assert.doesNotMatch(error.message, /SASL/);
			return true;
		});
	});

	it('shows a float8 Infinity or NaN from PostgreSQL as Infinity or NaN in the bad-row example, not as "null"', async () => {
		const { testPostgres } = await import('../support/postgres');
		const server = await testPostgres();
		const connection = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
		const query =
			"select 'c1' as customer_id, timestamp '2024-01-01' as timestamp, 'visit' as event_type, v as value from (values ('Infinity'::float8), ('NaN'::float8), ('-Infinity'::float8)) as t(v)";
		const { report } = await loadEvents({ kind: 'postgres', connection, query }, { badRows: 'skip' });
		assert.deepEqual(
			report.rejected.examples.map((example) => example.value),
			['Infinity', 'NaN', '-Infinity'],
		);
		const numeric = await loadEvents(
			{
				kind: 'postgres',
				connection,
				query: "select 'c1' as customer_id, timestamp '2024-01-01' as timestamp, 'visit' as event_type, 1e400::numeric as value",
			},
			{ badRows: 'skip' },
		);
		assert.deepEqual(numeric.report.rejected.byReason, { 'bad-value': 1 });
	});
});
