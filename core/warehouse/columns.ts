/**
 * A warehouse table of events as the SQL compiler sees it: the table's quoted name and, for
 * each role (profile, time, event type, value, attributes), a SQL expression over its
 * columns. Times are expressions in UTC milliseconds, whatever the column's type, so the
 * compiler compares them with cutoffs exactly as the in-memory executor does.
 */
import type { FieldKind } from '../goal/conditions';
import type { Dialect } from './dialect';

export interface AttributeExpr {
	/** The field name goals and features use. */
	readonly name: string;
	readonly kind: 'category' | 'number';
	/** The value, NULL when the event has none (text: NULL or empty). */
	readonly expr: string;
}

export interface EventColumns {
	readonly dialect: Dialect;
	/** The quoted table, e.g. "public"."events" or `events`. */
	readonly table: string;
	readonly profile: string;
	/** UTC milliseconds since the epoch, an integer. */
	readonly timeMs: string;
	readonly eventType: string;
	/** The numeric value, or NULL when the table has no value column. */
	readonly value: string;
	readonly attributes: readonly AttributeExpr[];
	/** Rows every query keeps: a profile, a time and an event type are present. */
	readonly valid: string;
}

/** The fields of the table and how each is stored, as fieldKinds gives them for an in-memory table. */
export function warehouseFieldKinds(columns: EventColumns): Map<string, FieldKind> {
	const kinds = new Map<string, FieldKind>([
		['eventType', 'eventType'],
		['value', 'value'],
	]);
	for (const attribute of columns.attributes) if (!kinds.has(attribute.name)) kinds.set(attribute.name, attribute.kind);
	return kinds;
}

/** The SQL expression of a field: eventType, value or an attribute. */
export function fieldExpr(columns: EventColumns, field: string): string {
	if (field === 'eventType') return columns.eventType;
	if (field === 'value') return columns.value;
	const attribute = columns.attributes.find((candidate) => candidate.name === field);
	if (!attribute) throw new Error(`no field "${field}"`);
	return attribute.expr;
}

/**
 * For PostgreSQL, which aggregates in one process anyway: the table read through a subquery
 * that computes each role's expression once per row (times, casts), so the conditional
 * aggregates compare plain columns. ClickHouse keeps the table itself, so a GROUP BY on a
 * Distributed table still runs on the shards.
 */
export function oncePerRow(columns: EventColumns): EventColumns {
	if (columns.dialect.engine !== 'postgres') return columns;
	const select = [
		`${columns.profile} AS p`,
		`${columns.timeMs} AS t`,
		`${columns.eventType} AS e`,
		`${columns.value} AS v`,
		...columns.attributes.map((attribute, i) => `${attribute.expr} AS a${i}`),
	];
	return {
		...columns,
		// OFFSET 0 keeps the planner from folding the subquery into the aggregation, which would compute each expression again in every FILTER.
		table: `(SELECT ${select.join(', ')} FROM ${columns.table} WHERE ${columns.valid} OFFSET 0) AS ev`,
		profile: 'ev.p',
		timeMs: 'ev.t',
		eventType: 'ev.e',
		value: 'ev.v',
		attributes: columns.attributes.map((attribute, i) => ({ ...attribute, expr: `ev.a${i}` })),
		valid: 'true',
	};
}
