/**
 * Test events written into the real engines: a PostgreSQL table and a table on the two-shard
 * ClickHouse cluster (MergeTree on each shard under a Distributed table), with the flat column
 * names a warehouse source maps by default.
 */
import { Client } from 'pg';
import type { TestEvent } from '../features/support';
import { at } from '../features/support';
import type { WarehouseSource } from '../../core/warehouse/source';
import { createClusterTable, insertClusterRows, testClickHouse } from '../support/clickhouse';
import { testPostgres } from '../support/postgres';

export type EngineName = 'postgres' | 'clickhouse';
export const engines: EngineName[] = ['postgres', 'clickhouse'];

/** The attribute columns written: text channel, campaign and country, number qty. */
const attributeNames = ['channel', 'campaign', 'qty', 'country'] as const;

function msOf(event: TestEvent): number {
	return event.ms ?? at(event.day ?? 0);
}

/** Runs statements on the test PostgreSQL server. */
export async function withPostgres<T>(work: (client: Client) => Promise<T>): Promise<T> {
	const server = await testPostgres();
	const client = new Client(server);
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

/** Writes the events into a fresh table `name` on the engine; returns the source naming it. */
export async function writeEvents(engine: EngineName, name: string, events: readonly TestEvent[], options: { textTime?: boolean } = {}): Promise<WarehouseSource> {
	if (engine === 'postgres') {
		const server = await testPostgres();
		await withPostgres(async (client) => {
			await client.query(`DROP TABLE IF EXISTS ${name}`);
			const time = options.textTime ? 'text' : 'timestamptz';
			await client.query(`CREATE TABLE ${name} (customer_id text, "timestamp" ${time}, event_type text, value double precision, channel text, campaign text, qty double precision, country text)`);
			const column = (pick: (event: TestEvent) => unknown) => events.map(pick);
			await client.query(
				`INSERT INTO ${name} SELECT * FROM unnest($1::text[], $2::${time}[], $3::text[], $4::float8[], $5::text[], $6::text[], $7::float8[], $8::text[])`,
				[
					column((e) => e.profile),
					column((e) => new Date(msOf(e)).toISOString()),
					column((e) => e.type),
					column((e) => e.value ?? null),
					...attributeNames.map((attribute) => column((e) => e[attribute] ?? null)),
				],
			);
		});
		return { engine, host: server.host, port: server.port, user: server.user, password: server.password, database: server.database, schema: 'public', table: name };
	}
	const cluster = await testClickHouse();
	const time = options.textTime ? 'String' : 'DateTime';
	await createClusterTable(
		cluster,
		name,
		`customer_id String, timestamp ${time}, event_type String, value Nullable(Float64), channel Nullable(String), campaign Nullable(String), qty Nullable(Float64), country Nullable(String)`,
	);
	const rows = events.map((e) => ({
		customer_id: e.profile,
		timestamp: options.textTime ? new Date(msOf(e)).toISOString() : new Date(msOf(e)).toISOString().slice(0, 19).replace('T', ' '),
		event_type: e.type,
		value: e.value ?? null,
		channel: e.channel ?? null,
		campaign: e.campaign ?? null,
		qty: e.qty ?? null,
		country: e.country ?? null,
	}));
	await insertClusterRows(cluster, name, rows);
	return { engine, host: cluster.host, port: cluster.nodes[0].httpPort, user: cluster.user, password: cluster.password, database: 'default', table: name };
}
