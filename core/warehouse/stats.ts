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
import { type EventColumns, warehouseFieldKinds } from './columns';
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
function keptSql(columns: EventColumns, goal: Goal, values: SqlValues, asOf?: number): string {
	const kinds = warehouseFieldKinds(columns);
	const field = (name: string) =>
		name === 'eventType' ? columns.eventType : name === 'value' ? columns.value : (columns.attributes.find((a) => a.name === name)?.expr ?? 'NULL');
	const parts = [columns.valid, ...goal.exclusions.map((exclusion) => `NOT ${compileCondition(resolveCondition(exclusion, kinds), field, values)}`)];
	if (asOf !== undefined) parts.push(`${columns.timeMs} <= ${values.value(asOf)}`);
	return `(${parts.join(' AND ')})`;
}

/** Every event type of the table (sorted by name), for the goal check's "did you mean". */
export async function warehouseTypes(runner: SqlRunner, columns: EventColumns): Promise<string[]> {
	const rows = await runner.rows(`SELECT DISTINCT ${columns.eventType} AS type FROM ${columns.table} WHERE ${columns.valid}`, []);
	return rows.map((row) => text(row.type)).sort(compareStrings);
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

/** The statistics generateFeatures reads, counted in the warehouse. */
export async function warehouseFeatureStats(runner: SqlRunner, columns: EventColumns, goal: Goal, options: GenerateOptions = {}): Promise<FeatureStats> {
	const d = columns.dialect;
	const values = new SqlValues(d);
	const kinds = warehouseFieldKinds(columns);
	const field = (name: string) =>
		name === 'eventType' ? columns.eventType : name === 'value' ? columns.value : (columns.attributes.find((a) => a.name === name)?.expr as string);
	const valued = (when: Goal['outcome']['when']) =>
		d.countIf(`${kept} AND ${compileCondition(resolveCondition(when, kinds), field, values)} AND ${columns.value} IS NOT NULL`);

	const typeValues = new SqlValues(d);
	const typeKept = keptSql(columns, goal, typeValues, options.asOf);
	const typeRows = await runner.rows(
		`SELECT ${columns.eventType} AS type, ${d.countIf(typeKept)} AS events, ${d.countIf(`${typeKept} AND ${columns.value} IS NOT NULL`)} AS valued FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.eventType}`,
		typeValues.params,
	);
	const types = typeRows
		.map((row) => ({ name: text(row.type), events: count(row.events), withValue: count(row.valued) }))
		.sort((a, b) => compareStrings(a.name, b.name));

	const kept = keptSql(columns, goal, values, options.asOf);
	const flags = [...goal.customEvents.map((custom) => valued(custom.when)), valued(goal.outcome.when)];
	const numbers = columns.attributes.filter((a) => a.kind === 'number').map((a) => d.countIf(`${kept} AND ${a.expr} IS NOT NULL`));
	const texts = columns.attributes.filter((a) => a.kind === 'category').map((a) => d.countDistinct(a.expr));
	const selects = [...flags, ...numbers, ...texts, d.countDistinct(columns.profile)].map((sql, i) => `${sql} AS s${i}`);
	const [row] = await runner.rows(`SELECT ${selects.join(', ')} FROM ${columns.table} WHERE ${columns.valid}`, values.params);
	const at = (i: number) => count(row[`s${i}`]);
	const profiles = at(selects.length - 1);
	let next = 0;
	const customValued = goal.customEvents.map(() => at(next++) > 0);
	const outcomeValued = at(next++) > 0;
	const distinctAt = new Map<string, number>();
	let numberIndex = next;
	let textIndex = next + numbers.length;
	const presentAt = new Map<string, boolean>();
	for (const attribute of columns.attributes) {
		if (attribute.kind === 'number') presentAt.set(attribute.name, at(numberIndex++) > 0);
		else distinctAt.set(attribute.name, at(textIndex++));
	}
	const profileFields = new Set(goal.profileAttributes.map((attribute) => attribute.field));
	const attributes: AttributeStats[] = [];
	for (const attribute of columns.attributes) {
		if (attribute.kind === 'number') {
			attributes.push({ name: attribute.name, kind: 'number', present: presentAt.get(attribute.name) as boolean });
			continue;
		}
		const distinct = distinctAt.get(attribute.name) as number;
		const volumes = distinct <= maxCategories ? await categoryVolumes(runner, columns, goal, attribute.expr, options.asOf) : [];
		attributes.push({
			name: attribute.name,
			kind: 'category',
			distinct,
			top: topCategories(volumes, distinct, profiles, options.topCategories ?? 5),
			byVolume: profileFields.has(attribute.name) ? byVolume(volumes) : [],
		});
	}
	return { types, customValued, outcomeValued, attributes };
}

interface Volume {
	readonly value: string;
	readonly events: number;
	readonly profiles: number;
}

async function categoryVolumes(runner: SqlRunner, columns: EventColumns, goal: Goal, expr: string, asOf: number | undefined): Promise<Volume[]> {
	// Values of their own: PostgreSQL refuses parameters a statement does not use.
	const values = new SqlValues(columns.dialect);
	const kept = keptSql(columns, goal, values, asOf);
	const rows = await runner.rows(
		`SELECT ${expr} AS v, count(*) AS events, ${columns.dialect.countDistinct(columns.profile)} AS profiles FROM ${columns.table} WHERE ${kept} AND ${expr} IS NOT NULL GROUP BY ${expr}`,
		values.params,
	);
	return rows.map((row) => ({ value: text(row.v), events: count(row.events), profiles: count(row.profiles) }));
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
