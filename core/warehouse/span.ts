/**
 * The event types of a warehouse table and the span of its events, from one statement: both
 * read every valid event, so one scan grouped by event type answers both, each type's first
 * and last event rolled up here into the table's span (on PostgreSQL and ClickHouse alike).
 */
import { compareStrings } from '../events/table';
import type { DataRange } from '../features/cutoffs';
import type { EventColumns } from './columns';
import type { WarehouseClient } from './client';

export interface TypesAndSpan {
	/** Every event type of the table, sorted by name (code-unit order, as in a loaded table). */
	readonly types: string[];
	/** The first and last event (UTC ms), or undefined when the table holds no valid event. */
	readonly range: DataRange | undefined;
}

/** The table's event types and its span, in one scan. */
export async function warehouseTypesAndSpan(client: WarehouseClient, columns: EventColumns): Promise<TypesAndSpan> {
	const types: string[] = [];
	let start = Infinity;
	let end = -Infinity;
	await client.eachCells(
		`SELECT ${columns.eventType} AS type, min(${columns.timeMs}) AS first_event, max(${columns.timeMs}) AS last_event FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.eventType}`,
		[],
		'when reading the event types and the span of the events',
		(cells) => {
			types.push(cells.text(0) ?? '');
			start = Math.min(start, cells.number(1));
			end = Math.max(end, cells.number(2));
		},
	);
	return { types: types.sort(compareStrings), range: types.length === 0 ? undefined : { start, end } };
}
