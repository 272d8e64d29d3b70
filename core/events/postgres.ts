/**
 * Events from PostgreSQL: a parameterised query read through a server-side cursor, a batch
 * of rows at a time, so a table of any size streams through without being held in memory.
 * Date and time columns arrive as PostgreSQL's text and go through the same timestamp
 * rules as files, so a `timestamp without time zone` is read in the declared zone rather
 * than in the zone the Node process happens to run in.
 */
import type { types as PgTypes } from 'pg';
import { InputError, PropensityError } from '../errors';
import {
	connectPostgres,
	describeConnection,
	endClient,
	isConnectionFailure,
	parsePgConnection,
	type PgConnection,
	type PgConnectionInput,
	redact,
	watchConnection,
	withinGoodbye,
} from '../util/postgres';

/** Object ids of date, timestamp and timestamptz, read as text. */
const textDateTypes = new Set([1082, 1114, 1184]);

/** pg's type parsers, with dates and times kept as text. */
function queryTypes(pgTypes: typeof PgTypes) {
	return {
		getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
			textDateTypes.has(oid) ? (value: string) => value : pgTypes.getTypeParser(oid, format ?? 'text')) as typeof PgTypes.getTypeParser,
	};
}

export interface PgRowHandlers {
	record(row: object): void;
	/** Called between batches, for progress and cancellation. */
	batchDone(): Promise<void> | void;
}

/**
 * Reads every row of `query` (with `$1`… bound to `params`) through a cursor, `batchSize` rows
 * at a time. A lost connection ends the read with an error at once, and `signal` cancels it
 * within moments, even in the middle of a batch the server is still computing.
 */
export async function readPostgres(
	connectionInput: PgConnectionInput,
	query: string,
	params: unknown[] | undefined,
	batchSize: number,
	handlers: PgRowHandlers,
	signal?: AbortSignal,
): Promise<string> {
	const connection = parsePgConnection(connectionInput);
	const where = describeConnection(connection);
	if (query.trim() === '') throw new InputError('The PostgreSQL query is empty. Give a SELECT that returns one row per event.', 'bad-query');
	// Loaded here, not at start: only a PostgreSQL load needs them.
	const [{ default: Cursor }, { types: pgTypes }] = await Promise.all([import('pg-cursor'), import('pg')]);
	const client = await connectPostgres(connection, signal);
	const watch = watchConnection(client, connection, signal, 'event load');
	try {
		const cursor = client.query(new Cursor(query, params, { types: queryTypes(pgTypes) }));
		try {
			for (;;) {
				let rows: object[];
				try {
					rows = await watch.race(cursor.read(batchSize));
				} catch (error) {
					if (error instanceof PropensityError || watch.broken || isConnectionFailure(error)) {
						watch.markBroken();
						throw lostOr(error, connection);
					}
					throw new InputError(
						`The events query failed on PostgreSQL at ${where}: ${redact(error, connection.password)}. Check the query and its parameters.`,
						'postgres-query',
					);
				}
				if (rows.length === 0) break;
				for (const row of rows) handlers.record(row);
				await handlers.batchDone();
			}
		} finally {
			// close() waits for the server's reply, which a dead connection never sends.
			if (!watch.broken) await withinGoodbye(cursor.close(), () => undefined);
		}
	} finally {
		watch.stop();
		await endClient(client, watch.broken);
	}
	return `postgres ${where}`;
}

/** The error that ended a read on a broken connection: the watch's own, or one naming the loss. */
function lostOr(error: unknown, connection: PgConnection): PropensityError {
	if (error instanceof PropensityError) return error;
	return new PropensityError(
		`The connection to PostgreSQL at ${describeConnection(connection)} was lost during the event load: ${redact(error, connection.password)}. Check that the server is running and reachable, then run again.`,
		'postgres-connection-lost',
	);
}
