/**
 * Events from PostgreSQL: a parameterised query read through a server-side cursor, a batch
 * of rows at a time, so a table of any size streams through without being held in memory.
 * Date and time columns arrive as PostgreSQL's text and go through the same timestamp
 * rules as files, so a `timestamp without time zone` is read in the declared zone rather
 * than in the zone the Node process happens to run in.
 */
import Cursor from 'pg-cursor';
import { types as pgTypes } from 'pg';
import { InputError } from '../errors';
import { connectPostgres, describeConnection, parsePgConnection, type PgConnectionInput, redact } from '../util/postgres';

/** Object ids of date, timestamp and timestamptz, read as text. */
const textDateTypes = new Set([1082, 1114, 1184]);

const queryTypes = {
	getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
		textDateTypes.has(oid) ? (value: string) => value : pgTypes.getTypeParser(oid, format ?? 'text')) as typeof pgTypes.getTypeParser,
};

export interface PgRowHandlers {
	record(row: object): void;
	/** Called between batches, for progress and cancellation. */
	batchDone(): Promise<void> | void;
}

/** Reads every row of `query` (with `$1`… bound to `params`) through a cursor, `batchSize` rows at a time. */
export async function readPostgres(
	connectionInput: PgConnectionInput,
	query: string,
	params: unknown[] | undefined,
	batchSize: number,
	handlers: PgRowHandlers,
): Promise<string> {
	const connection = parsePgConnection(connectionInput);
	const where = describeConnection(connection);
	if (query.trim() === '') throw new InputError('The PostgreSQL query is empty. Give a SELECT that returns one row per event.', 'bad-query');
	const client = await connectPostgres(connection);
	try {
		const cursor = client.query(new Cursor(query, params, { types: queryTypes }));
		try {
			for (;;) {
				let rows: object[];
				try {
					rows = await cursor.read(batchSize);
				} catch (error) {
					throw new InputError(`The events query failed on PostgreSQL at ${where}: ${redact(error, connection.password)}. Check the query and its parameters.`, 'postgres-query');
				}
				if (rows.length === 0) break;
				for (const row of rows) handlers.record(row);
				await handlers.batchDone();
			}
		} finally {
			await cursor.close().catch(() => undefined);
		}
	} finally {
		await client.end().catch(() => undefined);
	}
	return `postgres ${where}`;
}
