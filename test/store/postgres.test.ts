import assert from 'node:assert/strict';
import { Client } from 'pg';
import { openStore, type StoreConfig } from '../../core/store';
import { testPostgres } from '../support/postgres';
import { storeContract } from './contract';

let schemas = 0;

async function freshPostgres(): Promise<StoreConfig> {
	const server = await testPostgres();
	const { host, port, user, password, database } = server;
	return { kind: 'postgres', connection: { host, port, user, password, database }, schema: `store_${process.pid}_${++schemas}` };
}

async function sql<T extends object>(text: string, values: unknown[] = []): Promise<T[]> {
	const server = await testPostgres();
	const client = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
	await client.connect();
	try {
		return (await client.query(text, values)).rows as T[];
	} finally {
		await client.end();
	}
}

storeContract('PostgreSQL', freshPostgres);

describe('the PostgreSQL store in its schema', function () {
	this.timeout(60000);

	it('creates its four tables on first use, in the schema asked for', async () => {
		const config = (await freshPostgres()) as Extract<StoreConfig, { kind: 'postgres' }>;
		const store = await openStore(config);
		await store.close();
		const tables = await sql<{ tablename: string }>('select tablename from pg_tables where schemaname = $1 order by tablename', [config.schema]);
		assert.deepEqual(
			tables.map((row) => row.tablename),
			['propensity_model_names', 'propensity_model_versions', 'propensity_scoring_runs', 'propensity_segment_memberships', 'propensity_segment_runs'],
		);
	});

	it('lets several workers open a new schema at the same moment, one creating the tables and the others using them', async () => {
		const config = await freshPostgres();
		const stores = await Promise.all([openStore(config), openStore(config), openStore(config)]);
		try {
			await Promise.all(stores.map((store, i) => store.saveModel('churn', `{"worker":${i}}`, {})));
			assert.deepEqual(
				(await stores[0].listVersions('churn')).map((info) => info.version),
				[1, 2, 3],
			);
		} finally {
			await Promise.all(stores.map((store) => store.close()));
		}
	});

	it("lets a second worker on the same schema see and continue the first one's versions", async () => {
		const config = await freshPostgres();
		const first = await openStore(config);
		const second = await openStore(config);
		try {
			await first.saveModel('churn', '{"by":"first"}', { auc: 0.7 });
			assert.equal((await second.loadModel('churn')).text, '{"by":"first"}');
			assert.equal((await second.saveModel('churn', '{"by":"second"}', {})).version, 2);
			assert.equal((await first.loadModel('churn')).info.version, 2);
		} finally {
			await first.close();
			await second.close();
		}
	});

	it('refuses a model row changed in the database, naming the model, version and table', async () => {
		const config = (await freshPostgres()) as Extract<StoreConfig, { kind: 'postgres' }>;
		const store = await openStore(config);
		try {
			await store.saveModel('churn', '{"weights":[0.1]}', {});
			await sql(`update "${config.schema}".propensity_model_versions set body = $1 where name = 'churn' and version = 1`, ['{"weights":[9.9]}']);
			await assert.rejects(store.loadModel('churn'), (error: Error & { code?: string }) => {
				assert.equal(error.code, 'model-corrupted');
				assert.match(
					error.message,
					/Version 1 of model "churn" is corrupted \(row \("churn", 1\) of store_\d+_\d+\.propensity_model_versions in PostgreSQL propensity@127\.0\.0\.1:\d+\/postgres/,
				);
				assert.doesNotMatch(error.message, /test-password/);
				return true;
			});
		} finally {
			await store.close();
		}
	});

	it("refuses a model row moved under another model's name", async () => {
		const config = (await freshPostgres()) as Extract<StoreConfig, { kind: 'postgres' }>;
		const store = await openStore(config);
		try {
			await store.saveModel('buyers', '{"name":"buyers"}', {});
			await sql(`update "${config.schema}".propensity_model_versions set name = 'churn' where name = 'buyers'`);
			await assert.rejects(
				store.loadModel('churn'),
				(error: Error & { code?: string }) =>
					error.code === 'model-name-mismatch' && /Version 1 of model "churn" \(row \("churn", 1\).* is a model named "buyers"/.test(error.message),
			);
		} finally {
			await store.close();
		}
	});

	it('refuses a membership row changed in the database', async () => {
		const config = (await freshPostgres()) as Extract<StoreConfig, { kind: 'postgres' }>;
		const store = await openStore(config);
		try {
			await store.saveMembership('vip', ['p1', 'p2'], '2024-01-01T00:00:00Z');
			await sql(`update "${config.schema}".propensity_segment_memberships set members = $1`, ['["p1","p9"]']);
			await assert.rejects(store.loadMembership('vip'), /membership of segment "vip" is corrupted/);
		} finally {
			await store.close();
		}
	});

	it('refuses a schema name that is not a plain SQL name, before connecting', async () => {
		const config = (await freshPostgres()) as Extract<StoreConfig, { kind: 'postgres' }>;
		await assert.rejects(openStore({ ...config, schema: 'x"; drop table y; --' }), /is not an allowed SQL name/);
	});

	it('says where it could not connect, without the password', async () => {
		const config = (await freshPostgres()) as Extract<StoreConfig, { kind: 'postgres' }>;
		await assert.rejects(
			openStore({ ...config, connection: { ...config.connection, password: 'wrong-secret' } }),
			(error: Error) => /Could not connect to PostgreSQL at propensity@127\.0\.0\.1/.test(error.message) && !error.message.includes('wrong-secret'),
		);
	});
});
