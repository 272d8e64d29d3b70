/**
 * Connections to a warehouse: PostgreSQL through `pg` (values bound as parameters, the
 * session in UTC) and ClickHouse through its official HTTP client (values already written as
 * escaped literals by SqlValues). Both answer rows as plain objects, or read by position
 * (cells.ts) where the rows are many; every failure becomes an InputError that says where and
 * what to check, with the password removed.
 */
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Client, QueryArrayConfig } from 'pg';
import { InputError, PropensityError } from '../errors';
import { ArrayCells, type RowCells, ServerStoppedError, TsvRowDecoder, tsvLines } from './cells';
import type { MappingOptions } from '../events/mapping';
import { connectPostgres, redact } from '../util/postgres';
import type { EventColumns } from './columns';
import { SqlValues, dialectOf } from './dialect';
import { type ColumnType, type WarehouseSource, describeSource, eventColumns } from './source';

export interface WarehouseClient {
	readonly source: WarehouseSource;
	/** Runs one statement; `params` are PostgreSQL's $1 … (empty for ClickHouse). */
	rows(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
	/** The same, streaming: rows arrive in batches and are handed over one at a time. */
	each(sql: string, params: readonly unknown[], onRow: (row: Record<string, unknown>) => void): Promise<void>;
	/**
	 * The same, each row read by position with no object per row (cells.ts) and handed over as it
	 * arrives, never held whole; `where` names the answer in errors. On PostgreSQL no cursor is
	 * used, so the statement may be planned in parallel.
	 */
	eachCells(sql: string, params: readonly unknown[], where: string, onRow: (cells: RowCells) => void): Promise<void>;
	/** Runs a statement that answers no rows (DDL, INSERT … SELECT, ALTER). */
	command(sql: string, params: readonly unknown[]): Promise<void>;
	/** Inserts rows (plain objects keyed by column name) into a quoted table, as one statement. */
	insertJson(table: string, rows: readonly Record<string, unknown>[]): Promise<void>;
	/** Inserts `count` rows (values in the order of `columns`) into a quoted table, as one statement; each row is built when it is sent. */
	insertRows(table: string, columns: readonly string[], count: number, rowAt: (r: number) => readonly unknown[]): Promise<void>;
	close(): Promise<void>;
}

/** How long a statement may run before the connection is given up as lost (ms). */
const statementTimeoutMs = 30 * 60_000;
/** Rows fetched at a time when streaming from PostgreSQL. */
const streamBatch = 10_000;
/** How long connecting may take (ms). */
const connectTimeoutMs = 10_000;

/** Opens a connection (checked with a first query), or throws an InputError naming the warehouse. */
export async function connectWarehouse(source: WarehouseSource): Promise<WarehouseClient> {
	return source.engine === 'postgres' ? connectPg(source) : connectClickHouse(source);
}

/**
 * An error thrown by our own handling of an answer's rows (a row check, or a fault of ours), not
 * by the server or the connection: it must not be worded as the warehouse refusing the query.
 */
class HandlingError extends Error {
	constructor(readonly thrown: unknown) {
		super('handling the answer failed');
	}
}

/** Runs our own handling of part of an answer; what it throws is marked as ours (the server's own error met in the answer stays the server's). */
function handling(work: () => void): void {
	try {
		work();
	} catch (error) {
		throw error instanceof ServerStoppedError ? error : new HandlingError(error);
	}
}

/** A failure while we handled the answer: our own errors (a refused row, a cancel) as they are, anything else said to be ours. */
function readingError(source: WarehouseSource, thrown: unknown): PropensityError {
	if (thrown instanceof PropensityError) return thrown;
	return new PropensityError(
		`An unexpected error happened in Propensity while reading the answer of the warehouse ${describeSource(source)}: ${redact(thrown, source.password)}. The warehouse did not refuse the query: please report this message if it happens again.`,
		'warehouse-reading',
	);
}

function queryError(source: WarehouseSource, error: unknown): PropensityError {
	if (error instanceof HandlingError) return readingError(source, error.thrown);
	if (error instanceof PropensityError) return error;
	const message = redact(error, source.password);
	const lost = /ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|Connection terminated|timeout|other side closed|terminating connection/i.test(message);
	if (lost)
		return new InputError(
			`The connection to the warehouse ${describeSource(source)} was lost: ${message}. Check that the server is running and reachable, then run again.`,
			'warehouse-connection',
		);
	const advice = /Code: 241\b|Memory limit/i.test(message)
		? ' The query needed more memory than the server allows one query (max_memory_usage): raise that setting for the URL’s user, or train on fewer examples (--max-examples).'
		: '';
	return new InputError(`The warehouse ${describeSource(source)} refused a query: ${message}.${advice}`, 'warehouse-query');
}

/** A streamed row; ClickHouse reports an error met after rows were sent as text where a row should be. */
function streamedRow(row: { text: string; json<T>(): T }): Record<string, unknown> {
	try {
		return row.json<Record<string, unknown>>();
	} catch (error) {
		if (/^\s*Code: \d+/.test(row.text)) throw new ServerStoppedError(row.text.trim().slice(0, 2000));
		throw error;
	}
}

async function connectPg(source: WarehouseSource): Promise<WarehouseClient> {
	// The drivers are loaded on the first connection: a command that uses no warehouse never pays for them.
	const { default: Cursor } = await import('pg-cursor');
	const { Query } = await import('pg');
	const client: Client = await connectPostgres({
		host: source.host,
		port: source.port,
		database: source.database,
		user: source.user,
		password: source.password,
	});
	let closed = false;
	const run = async (sql: string, params: readonly unknown[]) => {
		try {
			return (await client.query({ text: sql, values: params as unknown[] })).rows as Record<string, unknown>[];
		} catch (error) {
			throw queryError(source, error);
		}
	};
	try {
		await run(`SET TIME ZONE 'UTC'`, []);
		await run(`SET statement_timeout = ${statementTimeoutMs}`, []);
	} catch (error) {
		await client.end().catch(() => undefined);
		throw error;
	}
	const each = async (sql: string, params: readonly unknown[], onRow: (row: Record<string, unknown>) => void) => {
		const cursor = client.query(new Cursor(sql, params as unknown[]));
		try {
			for (;;) {
				const rows = (await cursor.read(streamBatch)) as Record<string, unknown>[];
				if (rows.length === 0) break;
				handling(() => {
					for (const row of rows) onRow(row);
				});
			}
		} catch (error) {
			throw queryError(source, error);
		} finally {
			await cursor.close().catch(() => undefined);
		}
	};
	// One JSON parameter, spread into the table's own column types by PostgreSQL.
	const insertJson = async (table: string, rows: readonly Record<string, unknown>[]) => {
		await run(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(rows)]);
	};
	// pg's arrays in SELECT order, no object per row, streamed without a cursor: PostgreSQL
	// plans no parallel scan for a cursor (or any read in batches), so the answer is asked
	// whole and each row handed over as it is decoded. With a 'row' listener and no callback,
	// pg keeps no row, and the socket is read only as fast as the rows are taken: the memory
	// held is one network read, whatever the answer's size (the cursor's batches of 10,000
	// rows peaked 120 MB higher on the examples at 1M events; docs/warehouse.md).
	const eachCells = (sql: string, params: readonly unknown[], where: string, onRow: (cells: RowCells) => void) =>
		new Promise<void>((resolve, reject) => {
			const config: QueryArrayConfig = { text: sql, values: params as unknown[], rowMode: 'array' };
			const query = new Query(config);
			let cells: ArrayCells | undefined;
			let failed: { error: unknown } | undefined;
			query.on('row', (row: unknown[], result?: { fields: readonly { name: string }[] }) => {
				// A row refused (a value that is no number) fails the read; the rest of the answer is drained, not taken.
				if (failed) return;
				try {
					cells ??= new ArrayCells(
						(result?.fields ?? []).map((field) => field.name),
						where,
					);
					cells.values = row;
					cells.row++;
					onRow(cells);
				} catch (error) {
					failed = { error };
				}
			});
			query.on('error', (error: unknown) => reject(queryError(source, error)));
			query.on('end', () => (failed ? reject(readingError(source, failed.error)) : resolve()));
			client.query(query);
		});
	return {
		source,
		rows: run,
		each,
		eachCells,
		command: async (sql, params) => {
			await run(sql, params);
		},
		insertJson,
		insertRows: (table, columns, count, rowAt) =>
			insertJson(
				table,
				Array.from({ length: count }, (_, r) => {
					const row = rowAt(r);
					return Object.fromEntries(columns.map((name, c) => [name, row[c]]));
				}),
			),
		async close() {
			if (closed) return;
			closed = true;
			await client.end().catch(() => undefined);
		},
	};
}

async function connectClickHouse(source: WarehouseSource): Promise<WarehouseClient> {
	const { ClickHouseLogLevel, createClient } = await import('@clickhouse/client');
	const client: ClickHouseClient = createClient({
		url: `http://${source.host.includes(':') ? `[${source.host}]` : source.host}:${source.port}`,
		username: source.user,
		password: source.password,
		database: source.database,
		request_timeout: statementTimeoutMs,
		max_open_connections: 2,
		// ClickHouse closes a socket idle for 3 s; on a busy event loop the client's idle timer fires
		// late and a closed socket is reused ("socket hang up"), so idle sockets go early and eagerly.
		keep_alive: { idle_socket_ttl: 1500, eagerly_destroy_stale_sockets: true },
		log: { level: ClickHouseLogLevel.OFF },
	});
	const run = async (sql: string, params: readonly unknown[]) => {
		if (params.length > 0) throw new Error('ClickHouse takes values as literals (SqlValues), not parameters');
		try {
			const result = await client.query({ query: sql, format: 'JSONEachRow' });
			return (await result.json()) as Record<string, unknown>[];
		} catch (error) {
			throw queryError(source, error);
		}
	};
	try {
		// A first query with its own deadline: a server that accepts and never answers fails in seconds.
		const first = await client.query({ query: 'SELECT 1 AS one', format: 'JSONEachRow', abort_signal: AbortSignal.timeout(connectTimeoutMs) });
		await first.json();
	} catch (error) {
		await client.close().catch(() => undefined);
		const message = redact(error, source.password);
		throw new InputError(
			`Could not connect to ClickHouse at ${describeSource(source)} (HTTP): ${message}. Check the host, the HTTP port, the database, user and password.`,
			'warehouse-connect',
		);
	}
	const each = async (sql: string, params: readonly unknown[], onRow: (row: Record<string, unknown>) => void) => {
		if (params.length > 0) throw new Error('ClickHouse takes values as literals (SqlValues), not parameters');
		try {
			const result = await client.query({ query: sql, format: 'JSONEachRow' });
			for await (const rows of result.stream())
				handling(() => {
					for (const row of rows) onRow(streamedRow(row));
				});
		} catch (error) {
			throw queryError(source, error);
		}
	};
	// TabSeparated bytes decoded as they arrive (cells.ts): no JSON text and no object per row.
	const eachCells = async (sql: string, params: readonly unknown[], where: string, onRow: (cells: RowCells) => void) => {
		if (params.length > 0) throw new Error('ClickHouse takes values as literals (SqlValues), not parameters');
		try {
			const { stream } = await client.exec({ query: `${sql}\nFORMAT TabSeparatedWithNames` });
			const decoder = new TsvRowDecoder(onRow, where);
			for await (const chunk of stream) handling(() => decoder.push(chunk as Buffer));
			handling(() => decoder.end());
		} catch (error) {
			throw queryError(source, error);
		}
	};
	const command = async (sql: string, params: readonly unknown[]) => {
		if (params.length > 0) throw new Error('ClickHouse takes values as literals (SqlValues), not parameters');
		try {
			await client.command({ query: sql });
		} catch (error) {
			throw queryError(source, error);
		}
	};
	const insertJson = async (table: string, rows: readonly Record<string, unknown>[]) => {
		try {
			await client.insert({ table, values: rows as Record<string, unknown>[], format: 'JSONEachRow' });
		} catch (error) {
			throw queryError(source, error);
		}
	};
	// TabSeparated text streamed as it is built: the server parses it more cheaply than JSON, and no batch is held whole.
	const insertRows = async (table: string, columns: readonly string[], count: number, rowAt: (r: number) => readonly unknown[]) => {
		try {
			await client.insert({
				table,
				columns: [...columns] as [string, ...string[]],
				values: Readable.from(tsvLines(count, rowAt), { objectMode: false }),
				format: 'TabSeparated',
			});
		} catch (error) {
			throw queryError(source, error);
		}
	};
	// ClickHouse streams an answer in any case: read as it arrives.
	return { source, rows: run, each, eachCells, command, insertJson, insertRows, close: () => client.close() };
}

/** The table's columns and their types; empty when the table does not exist. */
export async function columnTypes(client: WarehouseClient): Promise<ColumnType[]> {
	const { source } = client;
	const values = new SqlValues(dialectOf(source.engine));
	const sql =
		source.engine === 'postgres'
			? `SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = ${values.value(source.schema ?? 'public')} AND table_name = ${values.value(source.table)} ORDER BY ordinal_position`
			: `SELECT name, type FROM system.columns WHERE database = ${values.value(source.database)} AND table = ${values.value(source.table)}`;
	const rows = await client.rows(sql, values.params);
	return rows.map((row) => {
		if (typeof row.name !== 'string' || typeof row.type !== 'string')
			throw new InputError(`The warehouse ${describeSource(source)} described its columns unexpectedly.`, 'warehouse-result');
		return { name: row.name, type: row.type };
	});
}

/** Connects and maps the table's columns; the caller closes the client. */
export async function openEvents(source: WarehouseSource, mapping?: MappingOptions): Promise<{ client: WarehouseClient; columns: EventColumns }> {
	const client = await connectWarehouse(source);
	try {
		return { client, columns: eventColumns(source, await columnTypes(client), mapping) };
	} catch (error) {
		await client.close();
		throw error;
	}
}
