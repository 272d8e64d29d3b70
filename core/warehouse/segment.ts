/**
 * Segments over a scores table in the warehouse: the rule (score, probability, percentile,
 * bucket, top N / P%, and their groups) runs as SQL over the table's latest run, so only the
 * members' rows come back, never every scored profile. They are then compared with the
 * membership remembered in the store (entered / left since the last run) exactly as a segment
 * of scores in memory is (segment/build.ts), and the membership is committed after delivery.
 *
 * With the events table and the model that scored the run (`events`), the rows handed on carry
 * what a scores file carries: the profile attributes as of the score date and, with `explain`
 * K, the top K factors (profiles.ts reads their features by SQL and explains them in process).
 * Rules on factors and attributes then apply too: the parts of the rule SQL can judge cut the
 * scored profiles down to candidates (each SQL part's verdict comes back as a column), attribute
 * tests cut them further by SQL over the events (the profiles with a value by the score date
 * that could pass), and the factor and attribute tests are judged in process on those
 * candidates only, the final verdict.
 */
import { InputError } from '../errors';
import type { BucketFactorSummary } from '../explain/buckets';
import type { Model } from '../model/schema';
import type { ScoredProfile } from '../score/types';
import { type ChosenMembers, type SegmentMember, type SegmentOptions, type SegmentResult, settleSegment, toMember } from '../segment/build';
import { matchRule } from '../segment/evaluate';
import { type AttributeTest, type AttributeValue, type Comparison, type SegmentRule, type TopTest, describeRule, parseSegmentRule } from '../segment/rules';
import type { RowCells } from './cells';
import type { WarehouseClient } from './client';
import type { EventColumns } from './columns';
import { SqlValues, dialectOf } from './dialect';
import { explainWithFacts, profileAttributeNames, readProfileFacts } from './profiles';
import { describeScoresTable, runCondition, scoresTableChoice, scoresTableColumns, scoresTableName, type ScoresTableName, scoresTableText } from './scores';
import { columnTypes } from './client';
import { withThousands } from '../util/counts';

/** The events a run was scored from, to hand on attributes and factors and to judge rules on them. */
export interface WarehouseSegmentEvents {
	/** The events table, in the same warehouse as the scores table. */
	readonly columns: EventColumns;
	/** The model that scored the run (its name must be the run's), or how to find it once the run is known (e.g. in a store). */
	readonly model: Model | ((run: ScoresRun) => Promise<Model>);
	/** Top factors per profile handed on (0 or absent: none). Factor rules need at least 1. */
	readonly explain?: number;
}

/** The events with the model found. */
type KnownEvents = WarehouseSegmentEvents & { readonly model: Model };

/** Candidates a rule with factor or attribute tests may leave for judging in process, at most (default). */
export const maxCandidates = 100_000;

export interface WarehouseSegmentOptions extends SegmentOptions {
	/** The scores table: TABLE, or SCHEMA.TABLE on PostgreSQL. */
	readonly scoresTable: string;
	/** The model whose latest run is segmented (default: the model of the latest run in the table). */
	readonly model?: string;
	/** The events and model, for attributes, factors and the rules on them. */
	readonly events?: WarehouseSegmentEvents;
	/** At most this many candidates are judged in process (default maxCandidates). */
	readonly maxCandidates?: number;
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

/** Whether SQL over the scores table can judge the rule whole: no factor or attribute test in it. */
function bySql(rule: SegmentRule): boolean {
	if ('all' in rule) return rule.all.every(bySql);
	if ('any' in rule) return rule.any.every(bySql);
	if ('not' in rule) return bySql(rule.not);
	if ('top' in rule) return rule.top.among === undefined || bySql(rule.top.among);
	return !('factor' in rule || 'attribute' in rule);
}

/** Whether a rule tests factors or attributes, which a segment over a scores table judges on facts read from the events. */
export function ruleNeedsEvents(rules: unknown): boolean {
	return !bySql(parseSegmentRule(rules));
}

/** The error for a factor or attribute rule without the events to judge it on. */
function needsEvents(rule: SegmentRule): InputError {
	const factor = 'factor' in rule;
	return new InputError(
		`The ${factor ? 'factor' : 'attribute'} rule cannot run over a scores table in the warehouse alone: the table holds no ${factor ? "profile's factors" : 'profile attributes'}. ` +
			`Give the events table the run was scored from and the model that scored it (CLI: --events URL${factor ? ' with --explain K' : ''}; nodes: Load Events' warehouse reference and the model store), ` +
			'or use only rules on score, probability, percentile, bucket and top.',
		'warehouse-rule',
	);
}

/** Refuses, before any query, what cannot run here: factor or attribute tests without the events, without factors, or inside a top's "among". */
function checkWarehouseRule(rule: SegmentRule, events: WarehouseSegmentEvents | undefined): void {
	if ('all' in rule) return rule.all.forEach((item) => checkWarehouseRule(item, events));
	if ('any' in rule) return rule.any.forEach((item) => checkWarehouseRule(item, events));
	if ('not' in rule) return checkWarehouseRule(rule.not, events);
	if ('top' in rule) {
		if (rule.top.among === undefined) return;
		if (!bySql(rule.top.among))
			throw new InputError(
				'A top N / P% "among" a factor or attribute rule ranks every scored profile that passes that rule, so every scored profile would leave the warehouse to be judged. ' +
					'Put the factor or attribute rule beside the top instead (e.g. {"all": [{"top": {"percent": 10}}, {"factor": {…}}]}), or segment a scores file.',
				'warehouse-rule',
			);
		return checkWarehouseRule(rule.top.among, events);
	}
	if (!('factor' in rule || 'attribute' in rule)) return;
	if (!events) throw needsEvents(rule);
	if ('factor' in rule && !((events.explain ?? 0) > 0))
		throw new InputError(
			`The factor rule on "${rule.factor.feature ?? rule.factor.label}" needs each profile's factors: ask for them (CLI: --explain K; n8n: Factors per Profile; Node-RED: Factors), K being how many of each profile's most influential factors are kept, as when scoring with --explain K.`,
			'factors-missing',
		);
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
		throw new Error('RuleSql: a factor or attribute test is judged in process, not by SQL');
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

/** A row of the scores table (memberColumns, read by position) as the scored profile it records. */
function scoredOf(cells: RowCells, run: ScoresRun, where: string): ScoredProfile {
	return {
		profileId: scoresTableText(cells, 0, 'profile_id', where),
		probability: cells.number(1),
		score: cells.number(2),
		percentile: cells.number(3),
		bucket: scoresTableChoice(cells, 4, 'bucket', where),
		propensityType: scoresTableChoice(cells, 5, 'propensity_type', where),
		scoreDate: scoresTableText(cells, 6, 'score_date', where),
		model: { name: run.modelName, version: run.modelVersion },
	};
}

/**
 * The scored profiles a statement over one run's rows answers (memberColumns first), read by
 * position; `more` reads any further columns of each row.
 */
async function readScored(
	client: WarehouseClient,
	sql: string,
	params: readonly unknown[],
	run: ScoresRun,
	where: string,
	more?: (cells: RowCells) => void,
): Promise<ScoredProfile[]> {
	const out: ScoredProfile[] = [];
	await client.wholeCells(sql, params, where, (cells) => {
		more?.(cells);
		out.push(scoredOf(cells, run, where));
	});
	return out;
}

/** Names the answer of a run's rows in an error about a value. */
function readingRun(client: WarehouseClient, target: ScoresTableName, run: ScoresRun): string {
	return `when reading the run of ${run.scoreDate} from ${describeScoresTable(client.source, target)}`;
}

function memberOf(profile: ScoredProfile): SegmentMember {
	return { ...toMember(profile), factors: profile.factors ? profile.factors.map((factor) => factor.sentence) : [], attributes: profile.attributes ?? {} };
}

/** The columns memberColumns selects, in the order scoredOf reads them. */
const memberColumnCount = 7;

/** The columns of a member's row, and the ranking of `top` (score, then probability, then the smaller id). */
function memberColumns(engine: WarehouseClient['source']['engine']): { select: string; order: string } {
	const id = engine === 'postgres' ? 'profile_id COLLATE "C"' : 'profile_id';
	return {
		select: `profile_id, probability, score, percentile, bucket, propensity_type, ${scoreDateText(engine)} AS score_date`,
		order: `score DESC, probability DESC, ${id} ASC`,
	};
}

/** What the events add to the profiles: attributes as of the score date and, with explain K, their top K factors. */
async function withFacts(
	client: WarehouseClient,
	run: ScoresRun,
	events: KnownEvents,
	profiles: readonly ScoredProfile[],
	known?: readonly string[],
): Promise<{ profiles: ScoredProfile[]; warnings: string[] }> {
	if (profiles.length === 0) return { profiles: [], warnings: [] };
	const attributes = known ?? (await profileAttributeNames(client, events.columns));
	const ids = profiles.map((profile) => profile.profileId);
	const facts = await readProfileFacts(client, events.columns, events.model, ids, Date.parse(run.scoreDate), attributes);
	const explained = await explainWithFacts(events.model, profiles, facts, events.explain ?? 0);
	const missing = ids.filter((id) => !facts.has(id));
	const warnings =
		missing.length === 0
			? []
			: [
					`${missing.length} of these profiles (${missing
						.slice(0, 5)
						.map((id) => JSON.stringify(id))
						.join(
							', ',
						)}${missing.length > 5 ? ', …' : ''}) are not eligible in the events as of the score date ${run.scoreDate} any more, so they come without attributes or factors: the events changed since the scoring run. Score again before segmenting.`,
				];
	return { profiles: profiles.map((profile) => explained.byId.get(profile.profileId) ?? profile), warnings };
}

/** Profiles Explain Factors takes on a table in place at most (default): their features are read by SQL and explained in this process. */
export const maxExplainedProfiles = 10_000;

/** Ids of a scores table read per query: ClickHouse reads them as literals in the statement. */
const scoresIdBatch = 1_000;

export interface WarehouseExplainOptions {
	/** The scores table the profiles were scored into: TABLE, or SCHEMA.TABLE on PostgreSQL. */
	readonly scoresTable: string;
	/** Factors per profile. */
	readonly topK: number;
	/** Also the top factors of each bucket, over the profiles explained. */
	readonly perBucket?: boolean;
	/** At most this many profiles (default maxExplainedProfiles). */
	readonly maxProfiles?: number;
	/** With the model found from the run: the model whose latest run is explained (default: the model of the latest run in the table). */
	readonly modelName?: string;
}

export interface WarehouseExplained {
	/** The run whose rows were explained: the latest of the model in the scores table. */
	readonly run: ScoresRun;
	/** The model that explained them (the run's). */
	readonly model: Model;
	/** The profiles explained, in the order asked: the run's row, the attributes, the feature values and the factors. */
	readonly profiles: ScoredProfile[];
	readonly buckets?: BucketFactorSummary[];
	/** Each id that could not be explained, and why (not in the run, or no longer eligible in the events). */
	readonly unexplained: ReadonlyMap<string, InputError>;
}

/**
 * Explain Factors on a table in place: the profiles `ids` of the latest run of the model in the
 * scores table (`modelOrFinder`, or the model it finds for the latest run), their features computed by SQL from the events as of the run's score date and
 * explained here (TreeSHAP or the learner's contributions) with the same code as --explain K
 * in memory. Only those profiles' rows leave the warehouse; more than `maxProfiles` is refused.
 */
export async function explainScoredProfiles(
	client: WarehouseClient,
	columns: EventColumns,
	modelOrFinder: Model | ((run: ScoresRun) => Promise<Model>),
	ids: readonly string[],
	options: WarehouseExplainOptions,
): Promise<WarehouseExplained> {
	const wanted = [...new Set(ids)];
	const limit = options.maxProfiles ?? maxExplainedProfiles;
	if (wanted.length > limit)
		throw new InputError(
			`${withThousands(wanted.length)} profiles were given to explain on a table in place, more than the ${withThousands(limit)} it explains at once: ` +
				'their features are read from the warehouse and explained in this process. Explain the profiles a flow acts on (e.g. the members Build Segment hands on), or split them into batches.',
			'too-many-profiles',
		);
	const target = scoresTableName(client.source, options.scoresTable);
	const run = await latestScoresRun(client, target, typeof modelOrFinder === 'function' ? options.modelName : modelOrFinder.name);
	const model = typeof modelOrFinder === 'function' ? await modelOrFinder(run) : modelOrFinder;
	if (model.name !== run.modelName)
		throw new InputError(
			`The latest run of ${describeScoresTable(client.source, target)} was scored by the model "${run.modelName}", but the model given to explain it is "${model.name}". Give the model that scored the run.`,
			'model-mismatch',
		);
	const scored = await scoredRowsOf(client, target, run, wanted);
	const unexplained = new Map<string, InputError>();
	for (const id of wanted)
		if (!scored.has(id))
			unexplained.set(
				id,
				new InputError(
					`Profile "${id}" is not in the latest run of the model "${run.modelName}" (scored at ${run.scoreDate}) in ${describeScoresTable(client.source, target)}: check the id, or score it first (Score Profiles writing that table).`,
					'unknown-profile',
				),
			);
	const found = wanted.filter((id) => scored.has(id));
	const attributes = found.length > 0 ? await profileAttributeNames(client, columns) : [];
	const facts = await readProfileFacts(client, columns, model, found, Date.parse(run.scoreDate), attributes);
	for (const id of found)
		if (!facts.has(id))
			unexplained.set(
				id,
				new InputError(
					`Profile "${id}" is no longer eligible in the events as of the score date ${run.scoreDate}, so its score cannot be explained: the events changed since the scoring run. Score again, then explain.`,
					'not-eligible',
				),
			);
	const explained = await explainWithFacts(
		model,
		found.map((id) => scored.get(id) as ScoredProfile),
		facts,
		options.topK,
		options.perBucket,
	);
	const profiles = wanted.filter((id) => explained.byId.has(id)).map((id) => explained.byId.get(id) as ScoredProfile);
	return { run, model, profiles, ...(explained.buckets ? { buckets: explained.buckets } : {}), unexplained };
}

/** The rows of `ids` in one run of a scores table, as scored profiles, by id. */
async function scoredRowsOf(client: WarehouseClient, target: ScoresTableName, run: ScoresRun, ids: readonly string[]): Promise<Map<string, ScoredProfile>> {
	const out = new Map<string, ScoredProfile>();
	const { select } = memberColumns(client.source.engine);
	for (let from = 0; from < ids.length; from += scoresIdBatch) {
		const values = new SqlValues(dialectOf(client.source.engine));
		const batch = ids.slice(from, from + scoresIdBatch).map((id) => values.value(id));
		const sql = `SELECT ${select} FROM ${target.quoted} WHERE ${runCondition(values, run)} AND profile_id IN (${batch.join(', ')})`;
		for (const profile of await readScored(client, sql, values.params, run, readingRun(client, target, run))) out.set(profile.profileId, profile);
	}
	return out;
}

/** The members of a rule SQL judges whole; with the events, those handed on are completed with attributes and factors. */
async function chosenBySql(client: WarehouseClient, target: ScoresTableName, run: ScoresRun, rule: SegmentRule, events?: KnownEvents): Promise<ChosenMembers> {
	const values = new SqlValues(dialectOf(client.source.engine));
	const chosen = await new RuleSql(client, target, run, values).condition(rule);
	const { select, order } = memberColumns(client.source.engine);
	const sql = `SELECT ${select} FROM ${target.quoted} WHERE ${runCondition(values, run)} AND ${chosen} ORDER BY ${order}`;
	const scored = await readScored(client, sql, values.params, run, readingRun(client, target, run));
	const byId = new Map(scored.map((profile) => [profile.profileId, profile]));
	const complete = async (handedOn: readonly SegmentMember[]) => {
		const done = await withFacts(
			client,
			run,
			events as KnownEvents,
			handedOn.map((member) => byId.get(member.profileId) as ScoredProfile),
		);
		return { rows: new Map(done.profiles.map((profile) => [profile.profileId, memberOf(profile)])), warnings: done.warnings };
	};
	return { members: scored.map(memberOf), nonMembers: [], scored: run.profiles, rule: describeRule(rule), warnings: [], ...(events ? { complete } : {}) };
}

/**
 * The members of a rule with factor or attribute tests: SQL keeps the candidates the rest of
 * the rule allows, with each SQL-judged part's verdict as a column; the candidates' facts are
 * read from the events, and the whole rule is judged in process with those verdicts.
 */
async function chosenInProcess(
	client: WarehouseClient,
	target: ScoresTableName,
	run: ScoresRun,
	rule: SegmentRule,
	events: KnownEvents,
	limit: number,
): Promise<ChosenMembers> {
	const values = new SqlValues(dialectOf(client.source.engine));
	const sql = new RuleSql(client, target, run, values);
	const verdicts: { node: SegmentRule; sql: string }[] = [];
	// Attribute tests narrow the candidates in SQL too (a superset: the final verdict stays in process).
	const attributes = testsAttributes(rule) ? await profileAttributeNames(client, events.columns) : undefined;
	const asOf = Date.parse(run.scoreDate);
	const narrow = attributes && ((test: AttributeTest) => attributeCandidates(test, events.columns, new Set(attributes), values, asOf));
	const superset = await candidateCondition(rule, sql, verdicts, narrow);
	const { select, order } = memberColumns(client.source.engine);
	const columns = verdicts.map((verdict, i) => `${values.dialect.asInteger(verdict.sql)} AS v${i}`);
	// Each candidate's verdicts, after its member columns: 1 where the SQL-judged part holds.
	const passed = verdicts.map(() => [] as number[]);
	const candidates = await readScored(
		client,
		`SELECT ${[select, ...columns].join(', ')} FROM ${target.quoted} WHERE ${runCondition(values, run)}${superset ? ` AND ${superset}` : ''} ORDER BY ${order} LIMIT ${limit + 1}`,
		values.params,
		run,
		readingRun(client, target, run),
		(cells) => passed.forEach((flags, i) => flags.push(cells.number(memberColumnCount + i) === 1 ? 1 : 0)),
	);
	if (candidates.length > limit)
		throw new InputError(
			`The rule leaves more than ${withThousands(limit)} scored profiles to judge on factors or attributes in this process, the most it takes. ` +
				'Narrow it with a test the warehouse can run beside them (score, probability, percentile, bucket, top N / P%), e.g. {"all": [{"top": {"percent": 10}}, …]}.',
			'too-many-candidates',
		);
	const { profiles, warnings } = await withFacts(client, run, events, candidates, attributes);
	const decided = new Map(verdicts.map((verdict, i) => [verdict.node, Uint8Array.from(passed[i])]));
	const match = matchRule(profiles, rule, decided);
	const members = profiles.filter((_, i) => match.mask[i] === 1).map(memberOf);
	return { members, nonMembers: [], scored: run.profiles, rule: describeRule(rule), warnings: [...match.warnings, ...warnings] };
}

/**
 * A SQL condition every member passes (undefined: none narrower than the whole run), and in
 * `verdicts` the largest parts of the rule SQL judges whole, whose verdicts the candidates carry.
 */
async function candidateCondition(
	rule: SegmentRule,
	sql: RuleSql,
	verdicts: { node: SegmentRule; sql: string }[],
	narrow?: (test: AttributeTest) => string | undefined,
): Promise<string | undefined> {
	if (bySql(rule)) {
		const condition = await sql.condition(rule);
		verdicts.push({ node: rule, sql: condition });
		return condition;
	}
	if ('all' in rule) {
		const parts = (await Promise.all(rule.all.map((item) => candidateCondition(item, sql, verdicts, narrow)))).filter((part) => part !== undefined);
		return parts.length === 0 ? undefined : `(${parts.join(' AND ')})`;
	}
	if ('any' in rule) {
		const parts = await Promise.all(rule.any.map((item) => candidateCondition(item, sql, verdicts, narrow)));
		return parts.some((part) => part === undefined) ? undefined : `(${parts.join(' OR ')})`;
	}
	if ('attribute' in rule) return narrow?.(rule.attribute);
	// A negated factor or attribute test admits profiles SQL cannot tell: every profile stays a candidate.
	if ('not' in rule) await candidateCondition(rule.not, sql, verdicts);
	return undefined;
}

/** Whether a rule tests an attribute anywhere. */
function testsAttributes(rule: SegmentRule): boolean {
	if ('all' in rule) return rule.all.some(testsAttributes);
	if ('any' in rule) return rule.any.some(testsAttributes);
	if ('not' in rule) return testsAttributes(rule.not);
	if ('top' in rule) return rule.top.among !== undefined && testsAttributes(rule.top.among);
	return 'attribute' in rule;
}

/**
 * A SQL condition on the scores table's profile_id that every profile passing the attribute
 * test in process passes too: the profile has an event by the score date whose value could pass
 * it (the value judged in process, the latest by then, is one of those). Only tests whose SQL
 * means what the in-process test means: text attributes against text (=, IN, contains), number
 * attributes against numbers (=, IN, comparisons); the others are left to the in-process
 * verdict. Undefined (no narrowing) for a test absence passes (exists: false), or an attribute
 * the profiles do not carry (more than one value per profile, or no such column), which the
 * in-process verdict reports.
 */
function attributeCandidates(test: AttributeTest, columns: EventColumns, carried: ReadonlySet<string>, values: SqlValues, asOf: number): string | undefined {
	const attribute = columns.attributes.find((candidate) => candidate.name === test.name);
	if (!attribute || !carried.has(test.name) || test.exists === false) return undefined;
	const { expr } = attribute;
	const d = values.dialect;
	const v = (x: string | number) => values.value(x);
	const text = attribute.kind !== 'number';
	const fits = (x: AttributeValue) => (text ? typeof x === 'string' : typeof x === 'number');
	// Every test but exists: false needs a value: NULL (or empty text) never passes.
	const parts = [`${expr} IS NOT NULL`];
	if (test.equals !== undefined && fits(test.equals)) parts.push(`${expr} = ${v(test.equals as string | number)}`);
	if (test.in !== undefined && test.in.every(fits)) parts.push(`${expr} IN (${test.in.map((x) => v(x as string | number)).join(', ')})`);
	if (test.contains !== undefined && text) parts.push(d.contains(expr, v(test.contains)));
	if (!text) {
		if (test.gt !== undefined) parts.push(`${expr} > ${v(test.gt)}`);
		if (test.gte !== undefined) parts.push(`${expr} >= ${v(test.gte)}`);
		if (test.lt !== undefined) parts.push(`${expr} < ${v(test.lt)}`);
		if (test.lte !== undefined) parts.push(`${expr} <= ${v(test.lte)}`);
		if (test.between !== undefined) parts.push(`${expr} >= ${v(test.between[0])} AND ${expr} <= ${v(test.between[1])}`);
	}
	const id = d.engine === 'postgres' ? `(${columns.profile})::text` : `toString(${columns.profile})`;
	return `(profile_id IN (SELECT ${id} FROM ${columns.table} WHERE ${columns.valid} AND ${columns.timeMs} <= ${v(asOf)} AND ${parts.join(' AND ')}))`;
}

/**
 * Builds a segment over the latest run of a warehouse scores table: members chosen by SQL (and,
 * for factor and attribute tests, judged in process on the candidates SQL leaves), entered /
 * left against the store's membership, delivered, then committed.
 */
export async function segmentScoresTable(
	client: WarehouseClient,
	rules: unknown,
	options: WarehouseSegmentOptions,
): Promise<SegmentResult & { readonly run: ScoresRun }> {
	const rule = parseSegmentRule(rules);
	const given = options.events;
	checkWarehouseRule(rule, given);
	const target = scoresTableName(client.source, options.scoresTable);
	const run = await latestScoresRun(client, target, options.model);
	const events = given && { ...given, model: typeof given.model === 'function' ? await given.model(run) : given.model };
	if (events && events.model.name !== run.modelName)
		throw new InputError(
			`The latest run of ${describeScoresTable(client.source, target)} was scored by the model "${run.modelName}", but the model given to explain it is "${events.model.name}". Give the model that scored the run.`,
			'model-mismatch',
		);
	const settle = async () => {
		const chosen = bySql(rule)
			? await chosenBySql(client, target, run, rule, events)
			: await chosenInProcess(client, target, run, rule, events as KnownEvents, options.maxCandidates ?? maxCandidates);
		const byId = new Map(chosen.members.map((member) => [member.profileId, member]));
		return settleSegment(chosen, options, (profile) => {
			const member = byId.get(profile);
			return member ? { row: member, member: true } : undefined;
		});
	};
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
