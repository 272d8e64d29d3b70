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
 * third for the kept events per type only when the table's own counts do not serve. On
 * ClickHouse one more counts exactly the profiles of the values whose place among the top
 * categories the lower bounds leave open (settleShared), only when there are any.
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
	const selects = [...flags, ...numbers, ...texts, ...profileCounts].map((sql, i) => `${sql} AS propensity_s${i}`);
	const [row] = await runner.rows(`SELECT ${selects.join(', ')} FROM ${columns.table} WHERE ${columns.valid}`, values.params);
	const at = (i: number) => count(row[`propensity_s${i}`]);
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
	const shared = sharedBy(profiles);
	const volumes = await categoryVolumes(runner, columns, goal, counted, options.asOf, { shared: top > 0 ? shared : undefined, distinct: distinctAt });
	if (top > 0) await settleShared(runner, columns, goal, options.asOf, counted, volumes, shared, top);
	const attributes: AttributeStats[] = columns.attributes.map((attribute) => {
		if (attribute.kind === 'number') return { name: attribute.name, kind: 'number', present: presentAt.get(attribute.name) as boolean };
		const distinct = distinctAt.get(attribute.name) as number;
		const ofAttribute = volumes.get(attribute.name) ?? [];
		return {
			name: attribute.name,
			kind: 'category',
			distinct,
			top: topCategories(ofAttribute, distinct, shared, top),
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

/** One value of a text attribute: its kept events, and the profiles with one of them. */
interface Volume {
	readonly value: string;
	readonly events: number;
	/** Distinct profiles with a kept event of the value when `exact`; else a count known not to exceed them. */
	readonly profiles: number;
	readonly exact: boolean;
}

/** As topCategoriesOf in generate.ts: a category is shared by max(2, 0.5% of the table's profiles). */
function sharedBy(profiles: number): number {
	return Math.max(2, Math.ceil(0.005 * profiles));
}

/**
 * Whether a value is shared by `shared` profiles, from its counts: true or false when they
 * decide it, undefined when only counting its profiles exactly can.
 */
function sharedVerdict(volume: Volume, shared: number): boolean | undefined {
	if (volume.profiles >= shared) return true;
	// Every profile counted has at least one event of the value.
	if (volume.exact || volume.events < shared) return false;
	return undefined;
}

/**
 * Kept events per value of each of the attributes, by attribute name, and their profiles: exact
 * on PostgreSQL, a lower bound on ClickHouse (see lowerBoundVolumes) when `shared` asks for
 * them, none when it does not (only top categories compare profiles).
 */
function categoryVolumes(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	attributes: readonly AttributeExpr[],
	asOf: number | undefined,
	counts: { readonly shared: number | undefined; readonly distinct: ReadonlyMap<string, number> },
): Promise<Map<string, Volume[]>> {
	if (attributes.length === 0) return Promise.resolve(new Map());
	return columns.dialect.engine === 'clickhouse'
		? lowerBoundVolumes(runner, columns, goal, attributes, asOf, counts)
		: exactVolumes(runner, columns, goal, attributes, asOf);
}

/** Exact counts (PostgreSQL): one grouped count per attribute, joined by UNION ALL. */
async function exactVolumes(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	attributes: readonly AttributeExpr[],
	asOf: number | undefined,
): Promise<Map<string, Volume[]>> {
	// Values of their own: PostgreSQL refuses parameters a statement does not use.
	const values = new SqlValues(columns.dialect);
	const kept = keptSql(columns, goal, values, asOf);
	const d = columns.dialect;
	const counts = attributes.map(
		(attribute, i) =>
			`SELECT ${i} AS a, ${d.asText(attribute.expr)} AS v, count(*) AS events, ${d.countDistinct(columns.profile)} AS profiles FROM ${columns.table} WHERE ${kept} AND ${attribute.expr} IS NOT NULL GROUP BY ${attribute.expr}`,
	);
	return volumesByAttribute(attributes, await runner.rows(counts.join(' UNION ALL '), values.params), true);
}

/** Most combinations of values one grouped pass of lowerBoundVolumes may hold (the product of its attributes' distinct values). */
const combinationsAtMost = 10_000;

/**
 * Profile buckets for a lower bound of a value's profiles: eight times the count that decides,
 * so a value shared by a few more profiles than that fills enough buckets to be decided
 * without counting its profiles exactly (at most 2^20 buckets).
 */
export function profileBuckets(shared: number): number {
	return 2 ** Math.min(20, Math.ceil(Math.log2(8 * shared)));
}

/**
 * Kept events per value on ClickHouse, and a lower bound of its profiles: the distinct buckets
 * (a hash of the profile id modulo profileBuckets) its profiles fall in, never more than its
 * profiles, whatever the hash. Attributes are grouped by their combination of values (as many
 * attributes at once as keep the combinations within combinationsAtMost), each combination
 * holding its events and its set of buckets, and the combinations then summed and merged per
 * value: one read of the table for all of them, and small sets instead of every profile id's.
 * At 19,653,120 events (3 attributes, 17 values) this took 2.5–2.8 s of server CPU where
 * counting each value's profiles exactly took 8.4–9.1 s (see docs/warehouse.md, Sizing).
 */
async function lowerBoundVolumes(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	attributes: readonly AttributeExpr[],
	asOf: number | undefined,
	{ shared, distinct }: { readonly shared: number | undefined; readonly distinct: ReadonlyMap<string, number> },
): Promise<Map<string, Volume[]>> {
	const values = new SqlValues(columns.dialect);
	const kept = keptSql(columns, goal, values, asOf);
	const d = columns.dialect;
	const buckets = shared === undefined ? 'toUInt64(0)' : 'uniqExactMerge(propensity_category_buckets)';
	const state = shared === undefined ? '' : `, uniqExactState(cityHash64(${columns.profile}) % ${profileBuckets(shared)}) AS propensity_category_buckets`;
	const positions = new Map(attributes.map((attribute, i) => [attribute, i]));
	const passes = combinationGroups(attributes, distinct).map((group) => {
		const keys = group.map((attribute, j) => `${d.asText(attribute.expr)} AS propensity_category_${j}`);
		const anyValue = group.map((attribute) => `${attribute.expr} IS NOT NULL`).join(' OR ');
		const combinations = `SELECT ${keys.join(', ')}, count(*) AS propensity_category_events${state} FROM ${columns.table} WHERE ${kept} AND (${anyValue}) GROUP BY ${group.map((_, j) => `propensity_category_${j}`).join(', ')}`;
		const unpivot = `ARRAY JOIN [${group.map((_, j) => `propensity_category_${j}`).join(', ')}] AS v, [${group.map((attribute) => positions.get(attribute)).join(', ')}] AS i`;
		return `SELECT toUInt32(i) AS a, v, sum(propensity_category_events) AS events, ${buckets} AS profiles FROM (${combinations}) ${unpivot} WHERE v IS NOT NULL GROUP BY i, v`;
	});
	return volumesByAttribute(attributes, await runner.rows(passes.join(' UNION ALL '), values.params), false);
}

/** The attributes in order, cut into groups whose product of distinct values stays within combinationsAtMost. */
function combinationGroups(attributes: readonly AttributeExpr[], distinct: ReadonlyMap<string, number>): AttributeExpr[][] {
	const groups: AttributeExpr[][] = [];
	let product = Infinity;
	for (const attribute of attributes) {
		const values = Math.max(1, distinct.get(attribute.name) ?? Infinity);
		if (product * values > combinationsAtMost) {
			groups.push([]);
			product = 1;
		}
		groups[groups.length - 1].push(attribute);
		product *= values;
	}
	return groups;
}

/** The rows of a volumes statement (a: the attribute's position, v, events, profiles) by attribute name. */
function volumesByAttribute(attributes: readonly AttributeExpr[], rows: readonly Record<string, unknown>[], exact: boolean): Map<string, Volume[]> {
	const out = new Map<string, Volume[]>();
	for (const row of rows) {
		const attribute = attributeAt(attributes, row.a);
		const list = out.get(attribute.name) ?? [];
		list.push({ value: text(row.v), events: count(row.events), profiles: count(row.profiles), exact });
		out.set(attribute.name, list);
	}
	return out;
}

function attributeAt(attributes: readonly AttributeExpr[], raw: unknown): AttributeExpr {
	const attribute = attributes[count(raw)];
	if (attribute === undefined)
		throw new InputError(`The warehouse returned ${JSON.stringify(raw)} where an attribute's position was expected.`, 'warehouse-result');
	return attribute;
}

/**
 * Counts exactly the profiles of the values whose place among the top categories the lower
 * bounds leave open (see undecidedValues), in one statement over those values only, and puts
 * the exact counts in `volumes`. Nothing is asked when the bounds decide every place.
 */
async function settleShared(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	asOf: number | undefined,
	attributes: readonly AttributeExpr[],
	volumes: Map<string, Volume[]>,
	shared: number,
	top: number,
): Promise<void> {
	const open = attributes
		.map((attribute) => ({ attribute, values: undecidedValues(volumes.get(attribute.name) ?? [], shared, top) }))
		.filter((entry) => entry.values.length > 0);
	if (open.length === 0) return;
	const values = new SqlValues(columns.dialect);
	const kept = keptSql(columns, goal, values, asOf);
	const d = columns.dialect;
	const counts = open.map(({ attribute, values: asked }) => {
		const v = d.asText(attribute.expr);
		return `SELECT ${attributes.indexOf(attribute)} AS propensity_category_attribute, ${v} AS propensity_category_value, ${d.countDistinct(columns.profile)} AS propensity_category_profiles FROM ${columns.table} WHERE ${kept} AND ${v} IN (${asked.map((value) => values.value(value)).join(', ')}) GROUP BY ${v}`;
	});
	const exact = new Map<string, number>();
	for (const row of await runner.rows(counts.join(' UNION ALL '), values.params))
		exact.set(
			JSON.stringify([attributeAt(attributes, row.propensity_category_attribute).name, text(row.propensity_category_value)]),
			count(row.propensity_category_profiles),
		);
	for (const { attribute } of open) {
		const list = volumes.get(attribute.name) ?? [];
		volumes.set(
			attribute.name,
			list.map((volume) => {
				const profiles = exact.get(JSON.stringify([attribute.name, volume.value]));
				return profiles === undefined ? volume : { ...volume, profiles, exact: true };
			}),
		);
	}
}

/**
 * The values whose verdict (shared or not) is open and could change the top categories:
 * those before the `top`-th value known to be shared, busiest first. Later values cannot
 * enter the list, whatever their profiles.
 */
function undecidedValues(volumes: readonly Volume[], shared: number, top: number): string[] {
	const open: string[] = [];
	let known = 0;
	for (const volume of busiestFirst(volumes)) {
		if (known >= top) break;
		const verdict = sharedVerdict(volume, shared);
		if (verdict === true) known++;
		else if (verdict === undefined) open.push(volume.value);
	}
	return open;
}

/** As topCategoriesOf in generate.ts: values shared by `shared` profiles, busiest first, ties by value (settleShared has decided every one it reaches). */
function topCategories(volumes: readonly Volume[], distinct: number, shared: number, top: number): string[] {
	if (distinct > maxCategories || top <= 0) return [];
	const chosen: string[] = [];
	for (const volume of busiestFirst(volumes)) {
		if (chosen.length >= top) break;
		if (sharedVerdict(volume, shared) === true) chosen.push(volume.value);
	}
	return chosen;
}

function byVolume(volumes: readonly Volume[]): string[] {
	return busiestFirst(volumes).map((volume) => volume.value);
}

/** Values with kept events, busiest first, ties by value in code-unit order. */
function busiestFirst(volumes: readonly Volume[]): Volume[] {
	return volumes.filter((volume) => volume.events > 0).sort((a, b) => b.events - a.events || compareStrings(a.value, b.value));
}
