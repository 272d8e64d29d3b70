import assert from 'node:assert/strict';
import { Client } from 'pg';
import { PropensityError } from '../../core/errors';
import { openStore, type Store } from '../../core/store';
import { ownPostgres, type OwnPostgres } from '../support/postgres';

async function terminateBackends(server: OwnPostgres): Promise<void> {
	const admin = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
	await admin.connect();
	try {
		await admin.query("select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'");
	} finally {
		await admin.end();
	}
}

/** Runs `work` and returns its error and how long it took; a hang past 20 s fails the test. */
async function failure(work: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
	const started = Date.now();
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<never>((_resolve, reject) => (timer = setTimeout(() => reject(new Error('hung for 20 s')), 20000)));
	try {
		await Promise.race([work(), late]);
		return { error: undefined, ms: Date.now() - started };
	} catch (error) {
		return { error, ms: Date.now() - started };
	} finally {
		clearTimeout(timer);
	}
}

describe('the PostgreSQL store when the connection is lost', function () {
	this.timeout(120000);
	let server: OwnPostgres;
	let config: { kind: 'postgres'; connection: { host: string; port: number; user: string; password: string; database: string }; schema: string };

	before(async () => {
		server = await ownPostgres();
		config = {
			kind: 'postgres',
			connection: { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database },
			schema: 'loss',
		};
	});
	after(() => server?.stop());

	const faults: [string, () => Promise<void>, boolean][] = [
		['its backend is terminated', () => terminateBackends(server), false],
		['the server stops with -m fast', async () => server.shutdown('fast'), true],
		['the server stops with -m immediate', async () => server.shutdown('immediate'), true],
	];
	for (const [what, fault, restart] of faults) {
		it(`fails reads and writes with a clear error within seconds when ${what}, and closes without hanging`, async () => {
			let store: Store | undefined = await openStore(config);
			try {
				await store.saveModel('churn', '{"a":1}', {});
				await fault();
				for (const operation of [
					() => (store as Store).loadModel('churn'),
					() => (store as Store).saveModel('churn', '{"a":2}', {}),
					() => (store as Store).listModels(),
				]) {
					const { error, ms } = await failure(operation);
					assert.ok(error instanceof PropensityError, `a PropensityError, not ${String(error)}`);
					assert.equal(error.code, 'store-postgres');
					assert.match(
						error.message,
						/^The model store \(PostgreSQL propensity@127\.0\.0\.1:\d+\/postgres, schema "loss"\) could not .+: the connection to the server was lost \(.+\)\. Check that the server is running and reachable, then run again\.$/,
					);
					assert.ok(ms < 5000, `failed after ${ms} ms`);
				}
				const closing = await failure(() => (store as Store).close());
				store = undefined;
				assert.equal(closing.error, undefined);
				assert.ok(closing.ms < 3000, `closed after ${closing.ms} ms`);
			} finally {
				await store?.close().catch(() => undefined);
				if (restart) server.start();
			}
		});
	}

	it('opens again once the server is back, with the models saved before the faults', async () => {
		const store = await openStore(config);
		try {
			assert.equal((await store.loadModel('churn')).text, '{"a":1}');
		} finally {
			await store.close();
		}
	});
});
