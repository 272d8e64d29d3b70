/**
 * The summary `load` prints for a warehouse table, counted by SQL: nothing is loaded. The
 * same headline figures as a file's load summary (profiles, events, first and last event,
 * events per type, attributes), plus where the events are and which column plays which role.
 */
import type { SqlRunner } from './examples';
import { rangeOfTypes, warehouseTableTypes } from './stats';
import { InputError } from '../errors';
import type { EventColumns } from './columns';
import { type WarehouseSource, describeSource } from './source';

export interface WarehouseSummary {
	readonly source: string;
	readonly engine: WarehouseSource['engine'];
	readonly profiles: number;
	readonly events: number;
	readonly firstEvent: string | null;
	readonly lastEvent: string | null;
	readonly eventTypes: { readonly type: string; readonly events: number }[];
	readonly attributes: { readonly name: string; readonly kind: 'category' | 'number' }[];
	/** Rows left out because they lack a profile, a time or an event type. */
	readonly rowsWithoutProfileTimeOrType: number;
}

function count(raw: unknown): number {
	const x = Number(raw);
	if (!Number.isFinite(x)) throw new InputError(`The warehouse returned ${JSON.stringify(raw)} where a count was expected.`, 'warehouse-result');
	return x;
}

export async function summarizeWarehouse(runner: SqlRunner, source: WarehouseSource, columns: EventColumns): Promise<WarehouseSummary> {
	const [row] = await runner.rows(
		`SELECT count(*) AS n, ${columns.dialect.countDistinct(columns.profile)} AS profiles FROM ${columns.table} WHERE ${columns.valid}`,
		[],
	);
	const [all] = await runner.rows(`SELECT count(*) AS n FROM ${columns.table}`, []);
	// One grouped count gives the events per type and the span of the events.
	const types = await warehouseTableTypes(runner, columns);
	const range = rangeOfTypes(types);
	return {
		source: describeSource(source),
		engine: source.engine,
		profiles: count(row.profiles),
		events: count(row.n),
		firstEvent: range ? new Date(range.start).toISOString() : null,
		lastEvent: range ? new Date(range.end).toISOString() : null,
		eventTypes: types.volumes,
		attributes: columns.attributes.map((attribute) => ({ name: attribute.name, kind: attribute.kind })),
		rowsWithoutProfileTimeOrType: count(all.n) - count(row.n),
	};
}
