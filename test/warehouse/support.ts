/**
 * Test events written into the real engines: a PostgreSQL table and a table on the two-shard
 * ClickHouse cluster (MergeTree on each shard under a Distributed table), with the flat column
 * names a warehouse source maps by default.
 */
import { Client } from 'pg';
import type { TestEvent } from '../features/support';
import { at } from '../features/support';
import { type EventTable, EventTableBuilder } from '../../core/events/table';
import type { WarehouseSource } from '../../core/warehouse/source';
import { clusterSource, createClusterTable, insertClusterRows, testClickHouse } from '../support/clickhouse';
import { testPostgres } from '../support/postgres';
import { type SimulatedEvent, simulateShop } from '../../core/simulate';

export type EngineName = 'postgres' | 'clickhouse';
export const engines: EngineName[] = ['postgres', 'clickhouse'];

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

/** A column of a test table: text, a number, or the event time (UTC ms in the rows). */
export interface TestColumn {
	readonly name: string;
	readonly kind: 'text' | 'number' | 'time';
}

export type TestRow = Record<string, string | number | null | undefined>;

/** Simulated shop attributes a test table may carry beside the four event columns. */
export type ShopAttribute = 'channel' | 'device' | 'country';

/** A simulated shop's table: customer_id, timestamp, event_type, value, then the attributes asked for. */
export function shopColumns(attributes: readonly ShopAttribute[] = []): TestColumn[] {
	const events: TestColumn[] = [
		{ name: 'customer_id', kind: 'text' },
		{ name: 'timestamp', kind: 'time' },
		{ name: 'event_type', kind: 'text' },
		{ name: 'value', kind: 'number' },
	];
	return [...events, ...attributes.map((name): TestColumn => ({ name, kind: 'text' }))];
}

/** One simulated event as a row of shopColumns, its time to the whole second (ClickHouse's DateTime). */
export function shopRow(event: SimulatedEvent, attributes: readonly ShopAttribute[] = []): TestRow {
	const row: TestRow = { customer_id: event.profileId, timestamp: Math.floor(event.time / 1000) * 1000, event_type: event.type, value: event.value };
	for (const name of attributes) row[name] = event[name];
	return row;
}

/** A simulated shop's events as rows of shopColumns. */
export function shopRows(shop: { profiles: number; seed: number; historyDays: number }, attributes: readonly ShopAttribute[] = []): TestRow[] {
	return Array.from(simulateShop(shop), (event) => shopRow(event, attributes));
}

/** Rows of shopColumns as an in-memory event table, the attributes as categories: what loading the same events from a file gives. */
export function shopTable(rows: readonly TestRow[], attributes: readonly string[]): EventTable {
	const builder = new EventTableBuilder(attributes.map((name) => ({ name, kind: 'category' as const })));
	for (const row of rows)
		builder.add(
			row.customer_id as string,
			row.timestamp as number,
			row.event_type as string,
			(row.value as number | undefined) ?? NaN,
			attributes.map((name) => row[name] ?? undefined),
		);
	return builder.build().table;
}

/** The goal most warehouse tests train: a purchase within 30 days, for profiles active in the last 60. */
export const purchaseGoal = {
	name: 'purchase-soon',
	propensityType: 'conversion',
	lookbackDays: 90,
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 60 }] },
	training: { cutoffs: 3 },
};

/** Writes rows into a fresh table `name` on the engine; returns the source naming it. */
export async function writeRows(
	engine: EngineName,
	name: string,
	columns: readonly TestColumn[],
	rows: readonly TestRow[],
	options: { textTime?: boolean } = {},
): Promise<WarehouseSource> {
	const source = await createTable(engine, name, columns, options);
	await appendRows(engine, name, columns, rows, options);
	return source;
}

function sqlType(column: TestColumn, options: { textTime?: boolean }): string {
	return column.kind === 'text' ? 'text' : column.kind === 'number' ? 'float8' : options.textTime ? 'text' : 'timestamptz';
}

/** Creates an empty table `name` (dropping one of that name); returns the source naming it. */
export async function createTable(
	engine: EngineName,
	name: string,
	columns: readonly TestColumn[],
	options: { textTime?: boolean } = {},
): Promise<WarehouseSource> {
	if (engine === 'postgres') {
		const server = await testPostgres();
		await withPostgres(async (client) => {
			await client.query(`DROP TABLE IF EXISTS ${name}`);
			await client.query(`CREATE TABLE ${name} (${columns.map((column) => `"${column.name}" ${sqlType(column, options)}`).join(', ')})`);
		});
		return {
			engine,
			host: server.host,
			port: server.port,
			user: server.user,
			password: server.password,
			database: server.database,
			schema: 'public',
			table: name,
		};
	}
	const cluster = await testClickHouse();
	const chType = (column: TestColumn, i: number) =>
		column.kind === 'time'
			? options.textTime
				? 'String'
				: 'DateTime'
			: i === 0 || column.name === 'event_type'
				? 'String'
				: column.kind === 'text'
					? 'Nullable(String)'
					: 'Nullable(Float64)';
	await createClusterTable(
		cluster,
		name,
		columns.map((column, i) => `${column.name} ${chType(column, i)}`).join(', '),
		columns[0].name,
		columns.find((column) => column.kind === 'time')?.name,
	);
	return clusterSource(cluster, name);
}

/** Appends rows to a table made by createTable (with the same columns and options). */
export async function appendRows(
	engine: EngineName,
	name: string,
	columns: readonly TestColumn[],
	rows: readonly TestRow[],
	options: { textTime?: boolean } = {},
): Promise<void> {
	const cell = (row: TestRow, column: TestColumn) => {
		const raw = row[column.name];
		if (raw === undefined || raw === null) return null;
		if (column.kind !== 'time') return raw;
		const iso = new Date(raw as number).toISOString();
		return options.textTime || engine === 'postgres' ? iso : iso.slice(0, 19).replace('T', ' ');
	};
	if (engine === 'postgres') {
		await withPostgres(async (client) => {
			const arrays = columns.map((column) => rows.map((row) => cell(row, column)));
			await client.query(
				`INSERT INTO ${name} SELECT * FROM unnest(${columns.map((column, i) => `$${i + 1}::${sqlType(column, options)}[]`).join(', ')})`,
				arrays,
			);
		});
		return;
	}
	const cluster = await testClickHouse();
	const json = rows.map((row) => Object.fromEntries(columns.map((column) => [column.name, cell(row, column)])));
	for (let from = 0; from < json.length; from += 10_000) await insertOnce(() => insertClusterRows(cluster, name, json.slice(from, from + 10_000)));
}

/**
 * Runs an insert, again once if the HTTP connection was found closed before it was sent (a
 * kept-alive socket the server had already closed, seen on the loaded machine): the insert
 * never reached the server, so it is not written twice.
 */
async function insertOnce(insert: () => Promise<void>): Promise<void> {
	try {
		await insert();
	} catch (error) {
		const cause = (error as { cause?: { code?: string } }).cause;
		if (cause?.code !== 'EPIPE') throw error;
		await insert();
	}
}

const eventColumns: TestColumn[] = [
	{ name: 'customer_id', kind: 'text' },
	{ name: 'timestamp', kind: 'time' },
	{ name: 'event_type', kind: 'text' },
	{ name: 'value', kind: 'number' },
	{ name: 'channel', kind: 'text' },
	{ name: 'campaign', kind: 'text' },
	{ name: 'qty', kind: 'number' },
	{ name: 'country', kind: 'text' },
];

/** The attributes of writeEvents' tables as an in-memory table of the same events reads them. */
export const eventAttributes = [
	{ name: 'channel', kind: 'category' as const },
	{ name: 'campaign', kind: 'category' as const },
	{ name: 'qty', kind: 'number' as const },
	{ name: 'country', kind: 'category' as const },
];

/** Writes test events into a fresh table `name` on the engine; returns the source naming it. */
export function writeEvents(engine: EngineName, name: string, events: readonly TestEvent[], options: { textTime?: boolean } = {}): Promise<WarehouseSource> {
	const rows = events.map((e) => ({
		customer_id: e.profile,
		timestamp: msOf(e),
		event_type: e.type,
		value: e.value,
		channel: e.channel,
		campaign: e.campaign,
		qty: e.qty,
		country: e.country,
	}));
	return writeRows(engine, name, eventColumns, rows, options);
}

/** Values an attacker or an unlucky export might hold. */
export const hostileValues = [
	"'",
	"''",
	"\\'",
	'\\',
	'\\\\',
	"'; DROP TABLE events; --",
	"' OR '1'='1",
	'"; DROP TABLE events; --',
	'`backtick`',
	'$1',
	'$$dollar$$',
	'{x:String}',
	'?',
	'%_%',
	'line\nbreak',
	'tab\there',
	'cr\rlf',
	'\x01\x1f\x7f',
	'\\x41',
	'\\N',
	'NULL',
	'/* comment */',
	'-- comment',
	'é café 日本 😀',
	'\u202Eright-to-left',
	'  spaces  ',
	'a'.repeat(5000),
];
