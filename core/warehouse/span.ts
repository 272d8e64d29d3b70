/**
 * The event types of a warehouse table and the span of its events, from one statement: both
 * read every valid event, so one scan grouped by event type answers both, each type's first
 * and last event rolled up here into the table's span (on PostgreSQL and ClickHouse alike).
 */
import { compareStrings } from '../events/table';
import type { DataRange } from '../features/cutoffs';
import type { EventColumns } from './columns';
import type { WarehouseClient } from './client';
import { numberOf } from './examples';

export interface TypesAndSpan {
	/** Every event type of the table, sorted by name (code-unit order, as in a loaded table). */
	readonly types: string[];
	/** The first and last event (UTC ms), or undefined when the table holds no valid event. */
	readonly range: DataRange | undefined;
}

/** The table's event types and its span, in one scan. */
export async function warehouseTypesAndSpan(client: WarehouseClient, columns: EventColumns): Promise<TypesAndSpan> {
	// A few rows, read whole: a cursor (as streaming reads use) would keep PostgreSQL from scanning in parallel.
	const rows = await client.rows(
		`SELECT ${columns.eventType} AS type, min(${columns.timeMs}) AS first_event, max(${columns.timeMs}) AS last_event FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.eventType}`,
		[],
	);
	const where = 'when reading the event types and the span of the events';
	const types = rows.map((row) => String(row.type)).sort(compareStrings);
	if (rows.length === 0) return { types, range: undefined };
	let start = Infinity;
	let end = -Infinity;
	for (const row of rows) {
		start = Math.min(start, numberOf(row, 'first_event', where));
		end = Math.max(end, numberOf(row, 'last_event', where));
	}
	return { types, range: { start, end } };
}
