/**
 * What the pipeline reads of a warehouse table, counted by SQL where the events are: the open
 * connection, readiness data (as assessReadinessOf reads a table) and the activity the
 * monitoring reference needs. The training path itself is in core/pipeline.ts (trainWarehouse).
 */
import type { MappingOptions } from '../events/mapping';
import { compareStrings } from '../events/table';
import { type CutoffPlan, planTrainingInRange } from '../features/cutoffs';
import type { ReadinessData } from '../features/readiness';
import { goalDataProblems } from '../goal/check';
import type { Goal } from '../goal/schema';
import type { EventActivity } from '../monitor/reference';
import { type WarehouseClient, connectWarehouse, openEvents } from './client';
import type { EventColumns } from './columns';
import { SqlValues } from './dialect';
import { countWarehouseCutoffs, numberOf } from './examples';
import { DAY_MS } from '../util/days';
import type { WarehouseSource } from './source';
import { type TableTypes, rangeOfTypes, shapeTable, typeVolumesAsOf, warehouseTableTypes } from './stats';

/** Runs `work` with an open connection and the table's columns, closing it after. */
export async function withWarehouse<T>(
	source: WarehouseSource,
	mapping: MappingOptions | undefined,
	work: (client: WarehouseClient, columns: EventColumns) => Promise<T>,
): Promise<T> {
	const { client, columns } = await openEvents(source, mapping);
	try {
		return await work(client, columns);
	} finally {
		await client.close();
	}
}

/** Runs `work` with an open connection (no events table needed, e.g. for a scores table), closing it after. */
export async function withWarehouseConnection<T>(source: WarehouseSource, work: (client: WarehouseClient) => Promise<T>): Promise<T> {
	const client = await connectWarehouse(source);
	try {
		return await work(client);
	} finally {
		await client.close();
	}
}

/** Every event type and its counts (none excluded): what the goal check, readiness, the statistics and the monitoring reference read, asked once. */
export function allEventTypes(client: WarehouseClient, columns: EventColumns): Promise<TableTypes> {
	return warehouseTableTypes(client, columns);
}

/** The table the goal check reads: the warehouse's fields and event types (sorted by name), no events. */
export function typesTable(columns: EventColumns, allTypes: TableTypes) {
	return shapeTable(columns, [...allTypes.byType.keys()].sort(compareStrings));
}

/** Readiness data counted in the warehouse, with what training reuses of it. */
export interface WarehouseReadinessData extends ReadinessData {
	/** Profiles with an event at or before the end of the data. */
	readonly profiles: number;
	/** At each of the plan's cutoffs, the (profile, cutoff) groups the examples' aggregation holds; empty when not judged. */
	readonly groups: readonly number[];
	/** How many of each cutoff's groups have a goal event in the window, eligible or not; empty when not judged. */
	readonly goalGroups: readonly number[];
}

/**
 * Readiness data counted in the warehouse: what assessReadiness reads of a table. `allTypes`
 * (allEventTypes, which also gives the data range) is passed in when the caller already has it.
 * `planned` is called once the cutoffs are planned, before readiness counts them: a caller
 * starts there the statements that need only the plan, which the warehouse then runs while it
 * counts (see trainWarehouse).
 */
export async function warehouseReadinessData(
	client: WarehouseClient,
	columns: EventColumns,
	goal: Goal,
	asOf: number | undefined,
	known?: TableTypes,
	planned?: (plan: CutoffPlan, profiles: number) => void,
): Promise<WarehouseReadinessData> {
	const allTypes = known ?? (await allEventTypes(client, columns));
	const table = typesTable(columns, allTypes);
	const mismatches = goalDataProblems(goal, table);
	const range = rangeOfTypes(allTypes, asOf);
	const recency = range ? await recencyAt(client, columns, range.end) : undefined;
	let plan: CutoffPlan | undefined;
	let planError: unknown;
	try {
		plan = planTrainingInRange(range, recency ? recency.profiles : 0, goal, { asOf });
	} catch (error) {
		planError = error;
	}
	if (plan && mismatches.length === 0) planned?.(plan, recency ? recency.profiles : 0);
	const judged =
		plan && mismatches.length === 0 ? await countWarehouseCutoffs(client, columns, goal, plan.cutoffs) : { counts: [], groups: [], goalGroups: [] };
	// A goal that does not fit the data is not applied: its exclusions may name fields the table lacks.
	const volumes = await typeVolumesAsOf(client, columns, allTypes, mismatches.length === 0 ? goal : { exclusions: [] }, asOf);
	const distinct = await distinctValues(client, columns, goal);
	return {
		range,
		mismatches,
		plan: () => {
			if (!plan) throw planError;
			return plan;
		},
		judge: () => judged.counts,
		typeVolumes: (forGoal) => (forGoal ? volumes.kept : volumes.all),
		distinctValues: (field) => distinct.get(field),
		activeWithin: (days) => (recency ? recency.activeWithin(days) : 0),
		profiles: recency ? recency.profiles : 0,
		groups: judged.groups,
		goalGroups: judged.goalGroups,
	};
}

/**
 * Profiles with an event at or before `end`, by whole days since their latest one (rounded up),
 * so readiness can say how many a shorter lookback keeps, as it does in memory. One scan, which
 * also gives the profile count the cutoff plan needs.
 */
async function recencyAt(client: WarehouseClient, columns: EventColumns, end: number): Promise<{ profiles: number; activeWithin(days: number): number }> {
	const values = new SqlValues(columns.dialect);
	const since = `${values.value(end)} - max(${columns.timeMs})`;
	const days = columns.dialect.intDiv(`${since} + ${DAY_MS - 1}`, String(DAY_MS));
	const rows = await client.rows(
		`SELECT g, count(*) AS n FROM (SELECT ${days} AS g FROM ${columns.table} WHERE ${columns.valid} AND ${columns.timeMs} <= ${values.value(end)} GROUP BY ${columns.profile}) AS latest GROUP BY g`,
		values.params,
	);
	const where = 'when counting profiles by the days since their latest event';
	const counts = rows.map((row) => ({ days: numberOf(row, 'g', where), profiles: numberOf(row, 'n', where) }));
	const sum = (entries: typeof counts) => entries.reduce((total, entry) => total + entry.profiles, 0);
	return { profiles: sum(counts), activeWithin: (within) => sum(counts.filter((entry) => entry.days <= within)) };
}

/** Distinct values of the goal's text profile attributes (an identifier-like one gets a warning). */
async function distinctValues(client: WarehouseClient, columns: EventColumns, goal: Goal): Promise<Map<string, number>> {
	const fields = goal.profileAttributes
		.map((attribute) => columns.attributes.find((candidate) => candidate.name === attribute.field && candidate.kind === 'category'))
		.filter((a) => a !== undefined);
	const out = new Map<string, number>();
	if (fields.length === 0) return out;
	const [row] = await client.rows(
		`SELECT ${fields.map((field, i) => `${columns.dialect.countDistinct(field.expr)} AS d${i}`).join(', ')} FROM ${columns.table} WHERE ${columns.valid}`,
		[],
	);
	fields.forEach((field, i) => out.set(field.name, Number(row[`d${i}`])));
	return out;
}

/**
 * As tableActivity: profiles with an event by the cutoff, event types by the end (every event
 * counts). The types come from allEventTypes' first events, and the profiles from the
 * statistics' read (warehouseFeatureStats' profilesBy) when the caller has them.
 */
export async function warehouseActivity(
	client: WarehouseClient,
	columns: EventColumns,
	cutoff: number,
	end: number,
	known: { types?: TableTypes; activeProfiles?: number } = {},
): Promise<EventActivity> {
	const types = known.types ?? (await allEventTypes(client, columns));
	const eventTypes = [...types.byType]
		.filter(([, entry]) => entry.first <= end)
		.map(([type]) => type)
		.sort(compareStrings);
	return { activeProfiles: known.activeProfiles ?? (await profilesBy(client, columns, cutoff)), eventTypes };
}

/** Profiles with at least one event at or before the moment (as profilesActiveBy on a table). */
export async function profilesBy(client: WarehouseClient, columns: EventColumns, moment: number): Promise<number> {
	const values = new SqlValues(columns.dialect);
	const [row] = await client.rows(
		`SELECT ${columns.dialect.countDistinct(columns.profile)} AS n FROM ${columns.table} WHERE ${columns.valid} AND ${columns.timeMs} <= ${values.value(moment)}`,
		values.params,
	);
	return Number(row.n);
}
