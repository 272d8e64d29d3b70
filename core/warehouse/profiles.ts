/**
 * What a segment hands on about a few chosen profiles, read from the events table in the
 * warehouse rather than from loaded events: their feature values (the same feature SQL as
 * scoring, examples.ts, restricted to those ids), their profile attributes as of the score
 * date, and their top factors, explained in process (TreeSHAP, or the learner's additive
 * contributions) exactly as a scores file's factors are. Only the chosen profiles' rows come
 * back, in batches of ids, so the cost follows the number handed on, not the table.
 *
 * The ids enter SQL as values only: on ClickHouse as escaped literals (SqlValues), on
 * PostgreSQL through a temporary table filled by one bound parameter (the feature SQL binds
 * its own parameters, so the ids cannot be parameters of that statement).
 */
import { InputError } from '../errors';
import type { BucketFactorSummary } from '../explain/buckets';
import type { MappingOptions } from '../events/mapping';
import type { Model } from '../model/schema';
import { explainProfiles } from '../score/explain';
import type { ScoredProfile } from '../score/types';
import { type WarehouseClient, columnTypes } from './client';
import type { EventColumns } from './columns';
import { SqlValues } from './dialect';
import { streamWarehouseFeatures } from './examples';
import { describeSource, eventColumns, type WarehouseSource } from './source';

/** Ids per query: ClickHouse reads them as literals in the statement, so a batch keeps it well under max_query_size. */
const idBatch = { postgres: 10_000, clickhouse: 1_000 } as const;

/** The temporary table that holds a batch of ids on PostgreSQL (one per session). */
const idTable = 'propensity_chosen_ids';

/** What is read of one profile: its features in the model's order, and its profile attributes. */
export interface ProfileFacts {
	readonly features: Float32Array;
	readonly attributes: Readonly<Record<string, string | number | null>>;
}

/**
 * The events table `events` (a table in the warehouse the client is connected to) with its
 * columns mapped; refuses a table on another server or database, which this connection cannot read.
 */
export async function eventsOnConnection(client: WarehouseClient, events: WarehouseSource, mapping?: MappingOptions): Promise<EventColumns> {
	const here = client.source;
	if (events.engine !== here.engine || events.host !== here.host || events.port !== here.port || events.database !== here.database)
		throw new InputError(
			`The events table ${describeSource(events)} is not in the warehouse of the scores table (${describeSource(here)}): the factors are computed from events in the same database. Name the events table the scores were computed from.`,
			'warehouse-mismatch',
		);
	return eventColumns(events, await columnTypes({ ...client, source: events }), mapping);
}

/**
 * The attributes carried with each profile, as scoring in memory carries them: every attribute
 * column with at most one distinct value per profile (e.g. email, country), judged over the
 * whole table as isProfileAttribute judges a loaded table.
 */
export async function profileAttributeNames(client: WarehouseClient, columns: EventColumns): Promise<string[]> {
	if (columns.attributes.length === 0) return [];
	// Two values or more is a smallest value unlike the largest: a min and a max per profile, cheaper than counting distinct values.
	const per = columns.attributes.map((attribute, i) => `CASE WHEN min(${attribute.expr}) <> max(${attribute.expr}) THEN 1 ELSE 0 END AS d${i}`).join(', ');
	const most = columns.attributes.map((_, i) => `max(d${i}) AS m${i}`).join(', ');
	const [row] = await client.rows(
		`SELECT ${most} FROM (SELECT ${per} FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.profile}) AS per_profile`,
		[],
	);
	return columns.attributes.filter((_, i) => !(Number(row?.[`m${i}`] ?? 0) > 0)).map((attribute) => attribute.name);
}

/** A batch of ids as a SQL condition on the profile column; `release` drops what it made. */
interface Restriction {
	readonly condition: string;
	readonly params: readonly unknown[];
	release(): Promise<void>;
}

async function restrictTo(client: WarehouseClient, columns: EventColumns, ids: readonly string[]): Promise<Restriction> {
	if (columns.dialect.engine === 'clickhouse') {
		const values = new SqlValues(columns.dialect);
		return { condition: `${columns.profile} IN (${ids.map((id) => values.value(id)).join(', ')})`, params: [], release: async () => undefined };
	}
	await client.command(`CREATE TEMPORARY TABLE IF NOT EXISTS ${idTable} (id text PRIMARY KEY)`, []);
	await client.command(`TRUNCATE ${idTable}`, []);
	await client.command(`INSERT INTO ${idTable} SELECT DISTINCT unnest($1::text[])`, [ids]);
	return {
		// The OR (which the profile test in `valid` makes false) keeps the planner from turning the IN into a
		// merge join that sorts every event before joining: the ids are then a hashed filter of the scan.
		condition: `((${columns.profile})::text IN (SELECT id FROM pg_temp.${idTable}) OR ${columns.profile} IS NULL)`,
		params: [],
		release: () => client.command(`DROP TABLE IF EXISTS pg_temp.${idTable}`, []).catch(() => undefined),
	};
}

/**
 * The feature values (as scoring computes them as of `asOf`) and the latest value of each
 * named attribute at or before `asOf`, for the listed profiles. A profile missing from the
 * answer was not eligible as of `asOf` in the events as they are now.
 */
export async function readProfileFacts(
	client: WarehouseClient,
	columns: EventColumns,
	model: Model,
	ids: readonly string[],
	asOf: number,
	attributes: readonly string[],
): Promise<Map<string, ProfileFacts>> {
	if (model.features.mode !== 'events' || !model.goal)
		throw new InputError(
			`The model "${model.name}" was trained on a profile table, not on events: it cannot explain profiles of an events table.`,
			'table-model',
		);
	const goal = model.goal;
	const declarations = model.features.declarations;
	const facts = new Map<string, ProfileFacts>();
	const size = idBatch[columns.dialect.engine];
	for (let from = 0; from < ids.length; from += size) {
		const batch = ids.slice(from, from + size);
		const restriction = await restrictTo(client, columns, batch);
		try {
			const restricted: EventColumns = { ...columns, valid: `(${columns.valid}) AND ${restriction.condition}` };
			const features = new Map<string, Float32Array>();
			await streamWarehouseFeatures(client, restricted, goal, declarations, asOf, (id, values) => features.set(id, values.slice()), {
				profilesAtMost: batch.length,
			});
			const found = await latestAttributes(client, restricted, attributes, asOf);
			for (const [id, values] of features) facts.set(id, { features: values, attributes: found.get(id) ?? emptyAttributes(attributes) });
		} finally {
			await restriction.release();
		}
	}
	return facts;
}

function emptyAttributes(names: readonly string[]): Record<string, null> {
	return Object.fromEntries(names.map((name) => [name, null]));
}

/** Per profile: each attribute's latest non-missing value at or before `asOf` (ties in time ordered as in a loaded table). */
async function latestAttributes(
	client: WarehouseClient,
	columns: EventColumns,
	names: readonly string[],
	asOf: number,
): Promise<Map<string, Record<string, string | number | null>>> {
	const out = new Map<string, Record<string, string | number | null>>();
	if (names.length === 0) return out;
	const d = columns.dialect;
	const values = new SqlValues(d);
	const until = `${columns.timeMs} <= ${values.value(asOf)}`;
	// The in-memory table orders events of one moment by type, then value (missing first): the latest is the last of them.
	const order = [columns.timeMs, d.bytewise(columns.eventType), d.nullLowest(columns.value)];
	const picked = names.map((name) => {
		const attribute = columns.attributes.find((candidate) => candidate.name === name);
		if (!attribute) throw new Error(`no attribute "${name}"`);
		return attribute;
	});
	const items = picked.map((attribute, i) => `${d.latestIf(attribute.expr, order, `${until} AND ${attribute.expr} IS NOT NULL`)} AS v${i}`);
	const rows = await client.rows(
		`SELECT ${columns.profile} AS p, ${picked.map((attribute, i) => `${d.countIf(`${until} AND ${attribute.expr} IS NOT NULL`)} AS n${i}`).join(', ')}, ${items.join(', ')} FROM ${columns.table} WHERE ${columns.valid} GROUP BY ${columns.profile}`,
		values.params,
	);
	for (const row of rows) {
		const record: Record<string, string | number | null> = {};
		picked.forEach((attribute, i) => {
			const raw = row[`v${i}`];
			const present = Number(row[`n${i}`]) > 0 && raw !== null && raw !== undefined;
			record[attribute.name] = !present ? null : attribute.kind === 'number' ? Number(raw) : String(raw);
		});
		out.set(String(row.p), record);
	}
	return out;
}

/** The profiles with their feature values, attributes and (k > 0) their top k factors, as scoring in memory gives them; with `perBucket`, each bucket's top factors too. */
export async function explainWithFacts(
	model: Model,
	profiles: readonly ScoredProfile[],
	facts: ReadonlyMap<string, ProfileFacts>,
	k: number,
	perBucket = false,
): Promise<{ byId: Map<string, ScoredProfile>; buckets?: BucketFactorSummary[] }> {
	if (model.features.mode !== 'events') throw new Error('explainWithFacts: an events-mode model is needed');
	const names = model.features.declarations.map((feature) => feature.name);
	const known: ScoredProfile[] = [];
	for (const profile of profiles) {
		const fact = facts.get(profile.profileId);
		if (!fact) continue;
		const features: Record<string, number | null> = {};
		names.forEach((name, f) => (features[name] = Number.isNaN(fact.features[f]) ? null : fact.features[f]));
		known.push({ ...profile, attributes: fact.attributes, features });
	}
	const explained = k > 0 && known.length > 0 ? await explainProfiles(model, known, { topK: k, perBucket }) : { profiles: known };
	return { byId: new Map(explained.profiles.map((profile) => [profile.profileId, profile])), ...(explained.buckets ? { buckets: explained.buckets } : {}) };
}
