/**
 * What feature generation and the goal check need to know of a warehouse table, counted by
 * SQL with the in-memory rules (generate.ts tableFeatureStats): kept events are those matching
 * no exclusion (and at or before the as-of date); categories are chosen by kept volume among
 * values several profiles share; ties are broken by name in code-unit order.
 */
import type { FeatureStats, AttributeStats, GenerateOptions } from '../features/generate';
import { maxCategories } from '../features/generate';
import type { SqlRunner } from './examples';
import { compareStrings } from '../events/table';
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import { resolveCondition } from '../goal/conditions';
import type { Goal } from '../goal/schema';
import { type AttributeExpr, type EventColumns, warehouseFieldKinds } from './columns';
import type { DataRange } from '../features/cutoffs';
import { compileCondition } from './conditions';
import { SqlValues } from './dialect';

function count(raw: unknown): number {
	const x = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
	if (!Number.isFinite(x)) throw new InputError(`The warehouse returned ${JSON.stringify(raw)} where a count was expected.`, 'warehouse-result');
	return x;
}

function text(raw: unknown): string {
	if (typeof raw !== 'string') throw new InputError(`The warehouse returned ${JSON.stringify(raw)} where text was expected.`, 'warehouse-result');
	return raw;
}

/** Kept events as a SQL condition: no exclusion matches, and not after the as-of date. */
function keptSql(columns: EventColumns, goal: Pick<Goal, 'exclusions'>, values: SqlValues, asOf?: number): string {
	const kinds = warehouseFieldKinds(columns);
	const field = (name: string) =>
		name === 'eventType' ? columns.eventType : name === 'value' ? columns.value : (columns.attributes.find((a) => a.name === name)?.expr ?? 'NULL');
	const parts = [columns.valid, ...goal.exclusions.map((exclusion) => `NOT ${compileCondition(resolveCondition(exclusion, kinds), field, values)}`)];
	if (asOf !== undefined) parts.push(`${columns.timeMs} <= ${values.value(asOf)}`);
	return `(${parts.join(' AND ')})`;
}

/**
 * An event table with the warehouse's event types and attribute columns but no events: what
 * the goal check (fields, kinds, event types) reads, so it words its problems as for files.
 */
export function shapeTable(columns: EventColumns, types: readonly string[]): EventTable {
	return {
		length: 0,
		profileIds: [],
		profileStart: new Uint32Array(1),
		time: new Float64Array(0),
		type: new Uint16Array(0),
		types,
		value: new Float64Array(0),
		attributes: columns.attributes.map((attribute) =>
			attribute.kind === 'number'
				? { name: attribute.name, kind: 'number', values: new Float64Array(0) }
				: { name: attribute.name, kind: 'category', codes: new Int32Array(0), dictionary: [] },
		),
	};
}

/** One event type's counts over the whole table (no event excluded). */
export interface TypeCount {
	readonly events: number;
	/** Events carrying a value. */
	readonly withValue: number;
	/** The earliest and latest event, UTC ms. */
	readonly first: number;
	readonly last: number;
}

/**
 * Every event type of the table and its counts, busiest first (ties by name), from one grouped
 * count: what the goal check, readiness (type volumes, the data range), the feature statistics
 * and the monitoring reference read of the types, asked once.
 */
export interface TableTypes {
	readonly volumes: { type: string; events: number }[];
	readonly byType: ReadonlyMap<string, TypeCount>;
}

export async function warehouseTableTypes(runner: SqlRunner, columns: EventColumns): Promise<TableTypes> {
	const { dialect: d, timeMs: t } = columns;
	const rows = await runner.rows(
		`SELECT ${columns.eventType} AS type, count(*) AS events, ${d.countIf(`${columns.value} IS NOT NULL`)} AS valued, min(${t}) AS first, max(${t}) AS last FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.eventType}`,
		[],
	);
	const byType = new Map<string, TypeCount>();
	for (const row of rows)
		byType.set(text(row.type), { events: count(row.events), withValue: count(row.valued), first: count(row.first), last: count(row.last) });
	const volumes = [...byType].map(([type, { events }]) => ({ type, events })).sort((a, b) => b.events - a.events || compareStrings(a.type, b.type));
	return { volumes, byType };
}

/** The span of the events (as warehouseDataRange: the earliest event, and the latest or the as-of date), from the types' counts. */
export function rangeOfTypes(types: TableTypes, asOf?: number): DataRange | undefined {
	if (types.byType.size === 0) return undefined;
	const counts = [...types.byType.values()];
	const start = Math.min(...counts.map((entry) => entry.first));
	if (asOf !== undefined && start > asOf) return undefined;
	return { start, end: asOf ?? Math.max(...counts.map((entry) => entry.last)) };
}

/** Events per type up to the as-of date, busiest first (ties by name): every event, and those the goal keeps. */
export interface TypeVolumes {
	readonly all: { type: string; events: number }[];
	readonly kept: { type: string; events: number }[];
}

/**
 * Readiness's event-type volumes, as typeVolumes counts them in memory: events at or before the
 * as-of date, and of those the ones no exclusion matches. The table's own counts (`types`) serve
 * when nothing is excluded and no event is after the as-of date; else one grouped count.
 */
export async function typeVolumesAsOf(
	runner: SqlRunner,
	columns: EventColumns,
	types: TableTypes,
	goal: Pick<Goal, 'exclusions'>,
	asOf: number | undefined,
): Promise<TypeVolumes> {
	const noneAfter = asOf === undefined || [...types.byType.values()].every((entry) => entry.last <= asOf);
	if (noneAfter && goal.exclusions.length === 0) return { all: types.volumes, kept: types.volumes };
	const d = columns.dialect;
	const values = new SqlValues(d);
	const upTo = keptSql(columns, { exclusions: [] }, values, asOf);
	const kept = keptSql(columns, goal, values, asOf);
	const rows = await runner.rows(
		`SELECT ${columns.eventType} AS type, ${d.countIf(upTo)} AS events, ${d.countIf(kept)} AS kept FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.eventType}`,
		values.params,
	);
	const busiestFirst = (column: 'events' | 'kept') =>
		rows
			.map((row) => ({ type: text(row.type), events: count(row[column]) }))
			.filter((entry) => entry.events > 0)
			.sort((a, b) => b.events - a.events || compareStrings(a.type, b.type));
	return { all: busiestFirst('events'), kept: busiestFirst('kept') };
}

/** What the caller already counted, so the statistics need not count it again. */
export interface KnownCounts {
	/** The table's types (warehouseTableTypes): with no exclusion and no event after the as-of date, the kept events per type are theirs. */
	readonly types?: TableTypes;
	/** Profiles in the table (readiness counts them when there is no as-of date). */
	readonly profiles?: number;
	/** Also count the profiles with an event at or before this moment (the monitoring reference's active profiles), in the same read. */
	readonly profilesBy?: number;
}

/**
 * The statistics generateFeatures reads, counted in the warehouse in two reads of the table
 * (flags, presence and distinct values; then every text attribute's categories at once), and a
 * third for the kept events per type only when the table's own counts do not serve.
 */
export async function warehouseFeatureStats(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	options: GenerateOptions = {},
	known: KnownCounts = {},
): Promise<FeatureStats & { readonly profilesBy?: number }> {
	const d = columns.dialect;
	const values = new SqlValues(d);
	const kinds = warehouseFieldKinds(columns);
	const field = (name: string) =>
		name === 'eventType' ? columns.eventType : name === 'value' ? columns.value : (columns.attributes.find((a) => a.name === name)?.expr as string);
	const kept = keptSql(columns, goal, values, options.asOf);
	const valued = (when: Goal['outcome']['when']) =>
		d.countIf(`${kept} AND ${compileCondition(resolveCondition(when, kinds), field, values)} AND ${columns.value} IS NOT NULL`);
	const types = await keptTypes(runner, columns, goal, options.asOf, known.types);

	const flags = [...goal.customEvents.map((custom) => valued(custom.when)), valued(goal.outcome.when)];
	const numbers = columns.attributes.filter((a) => a.kind === 'number').map((a) => d.countIf(`${kept} AND ${a.expr} IS NOT NULL`));
	const texts = columns.attributes.filter((a) => a.kind === 'category').map((a) => d.countDistinct(a.expr));
	const profileCounts = [
		...(known.profiles === undefined ? [d.countDistinct(columns.profile)] : []),
		...(known.profilesBy === undefined ? [] : [d.countDistinctIf(columns.profile, `${columns.timeMs} <= ${values.value(known.profilesBy)}`)]),
	];
	const selects = [...flags, ...numbers, ...texts, ...profileCounts].map((sql, i) => `${sql} AS s${i}`);
	const [row] = await runner.rows(`SELECT ${selects.join(', ')} FROM ${columns.table} WHERE ${columns.valid}`, values.params);
	const at = (i: number) => count(row[`s${i}`]);
	let next = 0;
	const customValued = goal.customEvents.map(() => at(next++) > 0);
	const outcomeValued = at(next++) > 0;
	const presentAt = new Map<string, boolean>();
	const distinctAt = new Map<string, number>();
	for (const attribute of columns.attributes) if (attribute.kind === 'number') presentAt.set(attribute.name, at(next++) > 0);
	for (const attribute of columns.attributes) if (attribute.kind === 'category') distinctAt.set(attribute.name, at(next++));
	const profiles = known.profiles ?? at(next++);
	const profilesBy = known.profilesBy === undefined ? undefined : at(next++);

	const profileFields = new Set(goal.profileAttributes.map((attribute) => attribute.field));
	const top = options.topCategories ?? 5;
	// Only attributes whose categories some feature reads: few enough values, and either top categories or a profile attribute.
	const counted = columns.attributes.filter(
		(a) => a.kind === 'category' && (distinctAt.get(a.name) as number) <= maxCategories && (top > 0 || profileFields.has(a.name)),
	);
	const volumes = await categoryVolumes(runner, columns, goal, counted, options.asOf);
	const attributes: AttributeStats[] = columns.attributes.map((attribute) => {
		if (attribute.kind === 'number') return { name: attribute.name, kind: 'number', present: presentAt.get(attribute.name) as boolean };
		const distinct = distinctAt.get(attribute.name) as number;
		const ofAttribute = volumes.get(attribute.name) ?? [];
		return {
			name: attribute.name,
			kind: 'category',
			distinct,
			top: topCategories(ofAttribute, distinct, profiles, top),
			byVolume: profileFields.has(attribute.name) ? byVolume(ofAttribute) : [],
		};
	});
	return { types, customValued, outcomeValued, attributes, ...(profilesBy === undefined ? {} : { profilesBy }) };
}

/** Kept events per type, and those carrying a value, sorted by name: the table's own counts when nothing is excluded, else counted. */
async function keptTypes(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	asOf: number | undefined,
	known: TableTypes | undefined,
): Promise<FeatureStats['types']> {
	const everyEventKept = known && goal.exclusions.length === 0 && (asOf === undefined || [...known.byType.values()].every((entry) => entry.last <= asOf));
	const rows: { name: string; events: number; withValue: number }[] = everyEventKept
		? [...known.byType].map(([name, entry]) => ({ name, events: entry.events, withValue: entry.withValue }))
		: await countKeptTypes(runner, columns, goal, asOf);
	return rows.sort((a, b) => compareStrings(a.name, b.name));
}

async function countKeptTypes(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	asOf: number | undefined,
): Promise<{ name: string; events: number; withValue: number }[]> {
	const d = columns.dialect;
	const values = new SqlValues(d);
	const kept = keptSql(columns, goal, values, asOf);
	const rows = await runner.rows(
		`SELECT ${columns.eventType} AS type, ${d.countIf(kept)} AS events, ${d.countIf(`${kept} AND ${columns.value} IS NOT NULL`)} AS valued FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.eventType}`,
		values.params,
	);
	return rows.map((row) => ({ name: text(row.type), events: count(row.events), withValue: count(row.valued) }));
}

interface Volume {
	readonly value: string;
	readonly events: number;
	readonly profiles: number;
}

/**
 * Kept events and profiles per value of each of the attributes, by attribute name: one
 * statement for all of them (one grouped count per attribute, joined by UNION ALL). Counting
 * them over each event unpivoted into one row per attribute (ARRAY JOIN) read the table once,
 * but was no cheaper on ClickHouse 18.16: the distinct profiles per value are the cost.
 */
async function categoryVolumes(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	attributes: readonly AttributeExpr[],
	asOf: number | undefined,
): Promise<Map<string, Volume[]>> {
	const out = new Map<string, Volume[]>();
	if (attributes.length === 0) return out;
	// Values of their own: PostgreSQL refuses parameters a statement does not use.
	const values = new SqlValues(columns.dialect);
	const kept = keptSql(columns, goal, values, asOf);
	const d = columns.dialect;
	const counts = attributes.map(
		(attribute, i) =>
			`SELECT ${i} AS a, ${d.asText(attribute.expr)} AS v, count(*) AS events, ${d.countDistinct(columns.profile)} AS profiles FROM ${columns.table} WHERE ${kept} AND ${attribute.expr} IS NOT NULL GROUP BY ${attribute.expr}`,
	);
	const rows = await runner.rows(counts.join(' UNION ALL '), values.params);
	for (const row of rows) {
		const attribute = attributes[count(row.a)];
		if (attribute === undefined)
			throw new InputError(`The warehouse returned ${JSON.stringify(row.a)} where an attribute's position was expected.`, 'warehouse-result');
		const list = out.get(attribute.name) ?? [];
		list.push({ value: text(row.v), events: count(row.events), profiles: count(row.profiles) });
		out.set(attribute.name, list);
	}
	return out;
}

/** As topCategoriesOf in generate.ts: values shared by max(2, 0.5% of profiles), busiest first, ties by value. */
function topCategories(volumes: readonly Volume[], distinct: number, profiles: number, top: number): string[] {
	if (distinct > maxCategories || top <= 0) return [];
	const shared = Math.max(2, Math.ceil(0.005 * profiles));
	return byVolume(volumes.filter((volume) => volume.profiles >= shared)).slice(0, top);
}

function byVolume(volumes: readonly Volume[]): string[] {
	return [...volumes]
		.filter((volume) => volume.events > 0)
		.sort((a, b) => b.events - a.events || compareStrings(a.value, b.value))
		.map((volume) => volume.value);
}
