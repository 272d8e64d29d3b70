/**
 * Segments over a scores table in the warehouse: the rule (score, probability, percentile,
 * bucket, top N / P%, and their groups) runs as SQL over the table's latest run, so only the
 * members' rows come back, never every scored profile. They are then compared with the
 * membership remembered in the store (entered / left since the last run) exactly as a segment
 * of scores in memory is (segment/build.ts), and the membership is committed after delivery.
 *
 * Rules on factors and attributes need what the scores table does not hold (each profile's
 * factors, its attributes): they are refused here with what to do instead.
 */
import { InputError } from '../errors';
import { type SegmentMember, type SegmentOptions, type SegmentResult, settleSegment } from '../segment/build';
import { type Comparison, type SegmentRule, type TopTest, describeRule, parseSegmentRule } from '../segment/rules';
import type { Bucket, PropensityType } from '../score/types';
import type { WarehouseClient } from './client';
import { SqlValues, dialectOf } from './dialect';
import { describeScoresTable, scoresTableName, type ScoresTableName, scoresTableColumns } from './scores';
import { columnTypes } from './client';

export interface WarehouseSegmentOptions extends SegmentOptions {
	/** The scores table: TABLE, or SCHEMA.TABLE on PostgreSQL. */
	readonly scoresTable: string;
	/** The model whose latest run is segmented (default: the model of the latest run in the table). */
	readonly model?: string;
}

/** One run of a scores table: what a segment reads. */
export interface ScoresRun {
	readonly modelName: string;
	readonly modelVersion: number | null;
	/** ISO 8601 UTC. */
	readonly scoreDate: string;
	readonly profiles: number;
}

/** The score date as ISO 8601 text in SQL (PostgreSQL stores a timestamptz, ClickHouse the text). */
function scoreDateText(engine: WarehouseClient['source']['engine']): string {
	return engine === 'postgres' ? `to_char(score_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : 'score_date';
}

/** Rows of one run: a WHERE condition over the scores table, values through `values`. */
function runCondition(values: SqlValues, run: ScoresRun): string {
	const date =
		values.dialect.engine === 'postgres' ? `score_date = (${values.value(run.scoreDate)})::timestamptz` : `score_date = ${values.value(run.scoreDate)}`;
	const version = run.modelVersion === null ? 'model_version IS NULL' : `model_version = ${values.value(run.modelVersion)}`;
	return `(model_name = ${values.value(run.modelName)} AND ${date} AND ${version})`;
}

/** The latest run in the table (of one model when named); throws when there is none. */
export async function latestScoresRun(client: WarehouseClient, target: ScoresTableName, model?: string): Promise<ScoresRun> {
	const where = describeScoresTable(client.source, target);
	const present = (await columnTypes({ ...client, source: { ...client.source, schema: target.schema, table: target.table } })).map((column) => column.name);
	if (present.length === 0)
		throw new InputError(`The scores table ${where} does not exist. Score into it first (propensity score --scores-table).`, 'no-scores-table');
	const missing = scoresTableColumns.filter((name) => !present.includes(name));
	if (missing.length > 0) throw new InputError(`The table ${where} is not a scores table: it lacks ${missing.join(', ')}.`, 'bad-scores-table');
	const values = new SqlValues(dialectOf(client.source.engine));
	const filter = model === undefined ? '' : `WHERE model_name = ${values.value(model)}`;
	const [row] = await client.rows(
		`SELECT model_name, model_version, ${scoreDateText(client.source.engine)} AS score_date, count(*) AS n FROM ${target.quoted} ${filter} GROUP BY model_name, model_version, score_date ORDER BY score_date DESC, model_version DESC LIMIT 1`,
		values.params,
	);
	if (!row)
		throw new InputError(
			`The scores table ${where} holds no scores${model === undefined ? '' : ` of the model "${model}"`}. Score into it first (propensity score --scores-table).`,
			'no-scores',
		);
	return {
		modelName: String(row.model_name),
		modelVersion: row.model_version === null ? null : Number(row.model_version),
		scoreDate: String(row.score_date),
		profiles: Number(row.n),
	};
}

/** The error for a rule the scores table cannot judge: factors and attributes are not in it. */
function inProcessRule(rule: SegmentRule): InputError {
	const kind = 'factor' in rule ? 'factor' : 'attribute';
	return new InputError(
		`The ${kind} rule cannot run over a scores table in the warehouse: the table holds no ${kind === 'factor' ? "profile's factors" : 'profile attributes'}. ` +
			`Use rules on score, probability, percentile, bucket and top here, or score to a file with ${kind === 'factor' ? '--explain K' : 'the attributes'} and segment that.`,
		'warehouse-rule',
	);
}

/** Refuses, before any query, a rule holding a factor or attribute test anywhere. */
function checkWarehouseRule(rule: SegmentRule): void {
	if ('all' in rule) return rule.all.forEach(checkWarehouseRule);
	if ('any' in rule) return rule.any.forEach(checkWarehouseRule);
	if ('not' in rule) return checkWarehouseRule(rule.not);
	if ('top' in rule) return rule.top.among && checkWarehouseRule(rule.top.among);
	if ('factor' in rule || 'attribute' in rule) throw inProcessRule(rule);
}

/** Compiles a rule to a SQL condition over one run's rows; `top` ranks as compareRank does. */
class RuleSql {
	constructor(
		private readonly client: WarehouseClient,
		private readonly target: ScoresTableName,
		private readonly run: ScoresRun,
		readonly values: SqlValues,
	) {}

	private get postgres(): boolean {
		return this.client.source.engine === 'postgres';
	}

	async condition(rule: SegmentRule): Promise<string> {
		if ('all' in rule) return rule.all.length === 0 ? '(1 = 1)' : `(${(await Promise.all(rule.all.map((item) => this.condition(item)))).join(' AND ')})`;
		if ('any' in rule) return rule.any.length === 0 ? '(1 = 0)' : `(${(await Promise.all(rule.any.map((item) => this.condition(item)))).join(' OR ')})`;
		if ('not' in rule) return `(NOT ${await this.condition(rule.not)})`;
		if ('bucket' in rule) return `(bucket IN (${rule.bucket.map((bucket) => this.values.value(bucket)).join(', ')}))`;
		if ('score' in rule) return this.compare('score', rule.score);
		if ('probability' in rule) return this.compare('probability', rule.probability);
		if ('percentile' in rule) return this.compare('percentile', rule.percentile);
		if ('top' in rule) return this.top(rule.top);
		throw inProcessRule(rule);
	}

	private compare(column: string, test: Comparison): string {
		const v = (x: number) => this.values.value(x);
		const parts: string[] = [];
		if (test.gt !== undefined) parts.push(`${column} > ${v(test.gt)}`);
		if (test.gte !== undefined) parts.push(`${column} >= ${v(test.gte)}`);
		if (test.lt !== undefined) parts.push(`${column} < ${v(test.lt)}`);
		if (test.lte !== undefined) parts.push(`${column} <= ${v(test.lte)}`);
		if (test.between !== undefined) parts.push(`${column} >= ${v(test.between[0])} AND ${column} <= ${v(test.between[1])}`);
		return `(${parts.join(' AND ')})`;
	}

	/** The best-ranked N (or P% of those the `among` rule admits): score, then probability, then the smaller id. */
	private async top(test: TopTest): Promise<string> {
		const scopeOf = async (sql: RuleSql) => `${runCondition(sql.values, this.run)} AND ${test.among ? await sql.condition(test.among) : '(1 = 1)'}`;
		const scope = await scopeOf(this);
		let size = test.count;
		if (size === undefined) {
			// Counted with values of its own: this statement binds only what it uses.
			const counting = new RuleSql(this.client, this.target, this.run, new SqlValues(this.values.dialect));
			const [row] = await this.client.rows(`SELECT count(*) AS n FROM ${this.target.quoted} WHERE ${await scopeOf(counting)}`, counting.values.params);
			// As in memory: rounded up, so "top 10%" of 5 profiles is 1 profile.
			size = Math.ceil(((test.percent as number) * Number(row.n)) / 100 - 1e-9);
		}
		const id = this.postgres ? 'profile_id COLLATE "C"' : 'profile_id';
		return `(profile_id IN (SELECT profile_id FROM ${this.target.quoted} WHERE ${scope} ORDER BY score DESC, probability DESC, ${id} ASC LIMIT ${Math.max(0, size)}))`;
	}
}

function memberOf(row: Record<string, unknown>): SegmentMember {
	return {
		profileId: String(row.profile_id),
		score: Number(row.score),
		probability: Number(row.probability),
		percentile: Number(row.percentile),
		bucket: String(row.bucket) as Bucket,
		propensityType: String(row.propensity_type) as PropensityType,
		scoreDate: String(row.score_date),
		factors: [],
		attributes: {},
	};
}

/**
 * Builds a segment over the latest run of a warehouse scores table: members chosen by SQL,
 * entered / left against the store's membership, delivered, then committed.
 */
export async function segmentScoresTable(
	client: WarehouseClient,
	rules: unknown,
	options: WarehouseSegmentOptions,
): Promise<SegmentResult & { readonly run: ScoresRun }> {
	const rule = parseSegmentRule(rules);
	checkWarehouseRule(rule);
	const target = scoresTableName(client.source, options.scoresTable);
	const run = await latestScoresRun(client, target, options.model);
	const values = new SqlValues(dialectOf(client.source.engine));
	const sql = new RuleSql(client, target, run, values);
	const chosen = await sql.condition(rule);
	const id = client.source.engine === 'postgres' ? 'profile_id COLLATE "C"' : 'profile_id';
	const rows = await client.rows(
		`SELECT profile_id, probability, score, percentile, bucket, propensity_type, ${scoreDateText(client.source.engine)} AS score_date FROM ${target.quoted} WHERE ${runCondition(values, run)} AND ${chosen} ORDER BY score DESC, probability DESC, ${id} ASC`,
		values.params,
	);
	const members = rows.map(memberOf);
	const byId = new Map(members.map((member) => [member.profileId, member]));
	const settle = () =>
		settleSegment({ members, nonMembers: [], scored: run.profiles, rule: describeRule(rule), warnings: [] }, options, (profile) => {
			const member = byId.get(profile);
			return member ? { row: member, member: true } : undefined;
		});
	const result = await oneRunAtATime(client, options.name, settle);
	return { ...result, run };
}

/**
 * On PostgreSQL, two runs of one segment take turns (a session lock named after the segment,
 * held from reading the last membership to committing the new one), so the second sees the
 * first's members and no entrant is handed on twice or lost.
 */
async function oneRunAtATime<T>(client: WarehouseClient, name: string | undefined, work: () => Promise<T>): Promise<T> {
	if (client.source.engine !== 'postgres' || name === undefined) return work();
	const values = new SqlValues(dialectOf('postgres'));
	const key = `SELECT pg_advisory_lock(hashtext(${values.value(`propensity-segment:${name}`)}))`;
	await client.rows(key, values.params);
	try {
		return await work();
	} finally {
		await client.rows(key.replace('pg_advisory_lock', 'pg_advisory_unlock'), values.params).catch(() => undefined);
	}
}
