/**
 * Scoring in the warehouse: every profile eligible as of the score date is scored, and one row
 * per profile lands in a scores table next to the events. Nothing of the events leaves the
 * warehouse: the features are computed there (the SQL executor, examples.ts) and stream out
 * in bounded batches; each batch is scored in process by the model's own code (so the
 * probabilities are the in-process ones, bit for bit) and only the profile id and probability
 * are kept. Percentiles need every probability, so the rows are written once all are known.
 *
 * Why not the model compiled to SQL: ClickHouse 18.16 evaluates every branch of `if()`/`CASE`
 * for every row (1,000 trees of depth 6 over 100,000 profiles did not finish in 10 minutes),
 * and its query analysis stalls on deep expressions; streaming the feature rows costs one
 * read of them and is exact for every learner and calibration.
 *
 * A run is written atomically, so a failure part-way (a lost connection) leaves the scores
 * table as it was, and a retry neither duplicates nor loses rows. A run is identified by model
 * name, model version and score date; writing it again replaces it.
 * - PostgreSQL: one transaction (DELETE of the run, then the INSERTs), committed at the end.
 * - ClickHouse: the rows go into a staging table of the same structure, then the run's
 *   partition (the table is partitioned by run) is swapped in with REPLACE PARTITION.
 */
import { InputError } from '../errors';
import { applyCalibration } from '../learn/calibration';
import { loadLearner } from '../model/predict';
import type { Model } from '../model/schema';
import { bucketOf, checkBoundaries, percentiles, scoreFromProbability } from '../score/buckets';
import { type Bucket, type BucketBoundaries, defaultBuckets } from '../score/types';
import type { WorkHooks } from '../util/progress';
import { type WarehouseClient, columnTypes } from './client';
import type { EventColumns } from './columns';
import { type Dialect, SqlValues, dialectOf, quoteName } from './dialect';
import { streamWarehouseFeatures, warehouseDataRange } from './examples';
import { type WarehouseSource, describeSource } from './source';

/** The columns of a scores table, as in a scores file. */
export const scoresTableColumns = [
	'profile_id',
	'probability',
	'score',
	'percentile',
	'bucket',
	'propensity_type',
	'score_date',
	'model_name',
	'model_version',
] as const;

/** Feature rows scored at a time: bounds the process's memory whatever the profile count. */
export const scoreBatchRows = 20_000;
/** Rows per INSERT when writing back. */
const writeBatchRows = 50_000;

export interface WarehouseScoreOptions {
	/** The scores table: TABLE, or SCHEMA.TABLE on PostgreSQL (schema public by default). */
	readonly scoresTable: string;
	/** The score date (UTC ms). Default: the latest event. */
	readonly asOf?: number;
	readonly boundaries?: BucketBoundaries;
	/** The model's version in a store, written on every row (null: none). */
	readonly modelVersion?: number | null;
	/** Feature rows per scoring batch (default scoreBatchRows). */
	readonly batchRows?: number;
	/** Rows per INSERT when writing back (default 50,000). */
	readonly writeRows?: number;
}

export interface WarehouseScoreSummary {
	readonly model: { readonly name: string; readonly version: number | null };
	readonly propensityType: string;
	/** The "as of" moment, ISO 8601 UTC. */
	readonly scoreDate: string;
	/** Profiles scored, and rows written into the scores table (the same number). */
	readonly scored: number;
	readonly written: number;
	readonly buckets: Readonly<Record<Bucket, number>>;
	readonly boundaries: BucketBoundaries;
	readonly meanProbability: number | null;
	/** The scores table, described without the password. */
	readonly scoresTable: string;
	/** Where each step ran, for the item or message that reports the run. */
	readonly ranIn: { readonly features: 'warehouse'; readonly probabilities: 'process'; readonly scores: 'warehouse' };
}

/** A scores table's name, checked: [schema.]table on PostgreSQL, table on ClickHouse (in the URL's database). */
export interface ScoresTableName {
	readonly schema?: string;
	readonly table: string;
	/** Quoted, ready for SQL. */
	readonly quoted: string;
}

export function scoresTableName(source: Pick<WarehouseSource, 'engine' | 'database'>, name: string): ScoresTableName {
	const dialect = dialectOf(source.engine);
	const parts = name.trim().split('.');
	if (parts.length > 2 || (source.engine === 'clickhouse' && parts.length > 1) || parts.some((part) => part === ''))
		throw new InputError(
			`The scores table "${name}" should be ${source.engine === 'postgres' ? 'SCHEMA.TABLE or TABLE' : 'TABLE (in the database of the events URL)'}.`,
			'bad-scores-table',
		);
	if (source.engine === 'postgres') {
		const [schema, table] = parts.length === 2 ? parts : ['public', parts[0]];
		return { schema, table, quoted: `${quoteName(dialect, schema)}.${quoteName(dialect, table)}` };
	}
	return { table: parts[0], quoted: `${quoteName(dialect, source.database)}.${quoteName(dialect, parts[0])}` };
}

/** Probabilities of every eligible profile, scored batch by batch as the feature rows stream in. */
async function scoreStreaming(
	client: WarehouseClient,
	columns: EventColumns,
	model: Model,
	asOf: number,
	batchRows: number,
	hooks?: WorkHooks,
): Promise<{ ids: string[]; probability: Float64Array }> {
	if (model.features.mode !== 'events' || !model.goal) throw new Error('scoreStreaming: an events-mode model is needed');
	const declarations = model.features.declarations;
	const goal = model.goal;
	const learner = loadLearner(model);
	const names = declarations.map((feature) => feature.name);
	const ids: string[] = [];
	let probability = new Float64Array(1024);
	let batch = names.map(() => new Float32Array(batchRows));
	let filled = 0;
	const flush = () => {
		if (filled === 0) return;
		const data = { rows: filled, featureNames: names, columns: batch.map((column) => column.subarray(0, filled)) };
		const scored = applyCalibration(model.calibration.calibrator, learner.predictRaw(data));
		const from = ids.length - filled;
		if (probability.length < ids.length) {
			const grown = new Float64Array(Math.max(ids.length, probability.length * 2));
			grown.set(probability);
			probability = grown;
		}
		probability.set(scored, from);
		filled = 0;
		batch = names.map(() => new Float32Array(batchRows));
		hooks?.onProgress?.({ stage: 'scoring in process', done: ids.length, unit: 'profiles' });
	};
	await streamWarehouseFeatures(client, columns, goal, declarations, asOf, (id, values) => {
		for (let f = 0; f < values.length; f++) batch[f][filled] = values[f];
		ids.push(id);
		filled++;
		if (filled === batchRows) flush();
	});
	flush();
	return { ids, probability: probability.subarray(0, ids.length) };
}

/**
 * Scores every profile eligible as of the score date with an events-mode model and appends
 * the run to the scores table (created when missing), atomically.
 */
export async function scoreIntoWarehouse(
	client: WarehouseClient,
	columns: EventColumns,
	model: Model,
	options: WarehouseScoreOptions,
	hooks?: WorkHooks,
): Promise<WarehouseScoreSummary> {
	if (model.features.mode !== 'events' || !model.goal)
		throw new InputError(`The model "${model.name}" was trained on a profile table, not on events: it cannot score a table of events.`, 'table-model');
	const boundaries = options.boundaries ?? defaultBuckets;
	checkBoundaries(boundaries);
	const target = scoresTableName(client.source, options.scoresTable);
	// The table is checked before any work: a table with other columns is refused with nothing written.
	await prepareScoresTable(client, target);
	const asOf = options.asOf ?? (await warehouseDataRange(client, columns))?.end;
	if (asOf === undefined) throw new InputError(`${describeSource(client.source)} holds no events to score.`, 'no-events');
	const { ids, probability } = await scoreStreaming(client, columns, model, asOf, options.batchRows ?? scoreBatchRows, hooks);
	const percentile = percentiles(probability);
	const version = options.modelVersion ?? null;
	const scoreDate = new Date(asOf).toISOString();
	const counts: Record<Bucket, number> = { low: 0, medium: 0, high: 0 };
	let sum = 0;
	const rowAt = (r: number) => {
		const score = scoreFromProbability(probability[r]);
		const bucket = bucketOf(score, boundaries);
		counts[bucket]++;
		sum += probability[r];
		return {
			profile_id: ids[r],
			probability: probability[r],
			score,
			percentile: percentile[r],
			bucket,
			propensity_type: model.propensityType,
			score_date: scoreDate,
			model_name: model.name,
			model_version: version,
		};
	};
	const run = { modelName: model.name, modelVersion: version, scoreDate };
	hooks?.onProgress?.({ stage: 'writing scores into the warehouse', done: 0, total: ids.length, unit: 'profiles' });
	await writeRun(client, target, run, ids.length, rowAt, options.writeRows ?? writeBatchRows);
	return {
		model: { name: model.name, version },
		propensityType: model.propensityType,
		scoreDate,
		scored: ids.length,
		written: ids.length,
		buckets: counts,
		boundaries,
		meanProbability: ids.length > 0 ? sum / ids.length : null,
		scoresTable: describeScoresTable(client.source, target),
		ranIn: { features: 'warehouse', probabilities: 'process', scores: 'warehouse' },
	};
}

export function describeScoresTable(source: WarehouseSource, target: ScoresTableName): string {
	const table = target.schema ? `${target.schema}.${target.table}` : target.table;
	return `${source.engine}://${source.user}@${source.host}:${source.port}/${source.database}?table=${table}`;
}

/** The SQL types of a scores table; ClickHouse partitions it by run so a run can be swapped in whole. */
function createScoresSql(dialect: Dialect, quoted: string): string {
	if (dialect.engine === 'postgres')
		return `CREATE TABLE IF NOT EXISTS ${quoted} (profile_id text NOT NULL, probability double precision NOT NULL, score smallint NOT NULL, percentile smallint NOT NULL, bucket text NOT NULL, propensity_type text NOT NULL, score_date timestamptz NOT NULL, model_name text NOT NULL, model_version integer)`;
	return (
		`CREATE TABLE IF NOT EXISTS ${quoted} (profile_id String, probability Float64, score UInt8, percentile UInt8, bucket String, propensity_type String, score_date String, model_name String, model_version Nullable(Int64)) ` +
		`ENGINE = MergeTree() PARTITION BY (model_name, score_date, ifNull(model_version, -1)) ORDER BY profile_id`
	);
}

/** Lists the table's columns (empty when it does not exist). */
async function tableColumns(client: WarehouseClient, target: ScoresTableName): Promise<string[]> {
	const view = { ...client, source: { ...client.source, schema: target.schema, table: target.table } };
	return (await columnTypes(view)).map((column) => column.name);
}

/** Creates the scores table when missing; refuses one whose columns are not the scores columns. */
export async function prepareScoresTable(client: WarehouseClient, target: ScoresTableName): Promise<void> {
	let present = await tableColumns(client, target);
	if (present.length === 0) {
		await client.command(createScoresSql(dialectOf(client.source.engine), target.quoted), []);
		present = await tableColumns(client, target);
	}
	const wanted = [...scoresTableColumns];
	const missing = wanted.filter((name) => !present.includes(name));
	const extra = present.filter((name) => !(wanted as string[]).includes(name));
	if (missing.length > 0 || extra.length > 0) {
		const where = describeScoresTable(client.source, target);
		throw new InputError(
			`The table ${where} is not a scores table: ${[
				missing.length ? `it lacks ${missing.join(', ')}` : '',
				extra.length ? `it has other columns (${extra.join(', ')})` : '',
			]
				.filter(Boolean)
				.join(
					' and ',
				)}. A scores table has exactly the columns ${wanted.join(', ')}. Name a new table (it is created) or one written by Propensity; nothing was written.`,
			'bad-scores-table',
		);
	}
}

interface RunKey {
	readonly modelName: string;
	readonly modelVersion: number | null;
	readonly scoreDate: string;
}

/** Writes one run's rows so that it appears whole or not at all, replacing an earlier write of the same run. */
async function writeRun(
	client: WarehouseClient,
	target: ScoresTableName,
	run: RunKey,
	count: number,
	rowAt: (r: number) => Record<string, unknown>,
	batch: number,
): Promise<void> {
	if (client.source.engine === 'postgres') return writePostgresRun(client, target, run, count, rowAt, batch);
	return writeClickHouseRun(client, target, run, count, rowAt, batch);
}

async function writePostgresRun(
	client: WarehouseClient,
	target: ScoresTableName,
	run: RunKey,
	count: number,
	rowAt: (r: number) => Record<string, unknown>,
	batch: number,
): Promise<void> {
	await client.command('BEGIN', []);
	try {
		// Two writers of one table take turns: a retry and a slow first attempt cannot interleave.
		await client.command(`LOCK TABLE ${target.quoted} IN SHARE ROW EXCLUSIVE MODE`, []);
		const values = new SqlValues(dialectOf('postgres'));
		const version = run.modelVersion === null ? 'model_version IS NULL' : `model_version = ${values.value(run.modelVersion)}`;
		await client.command(
			`DELETE FROM ${target.quoted} WHERE model_name = ${values.value(run.modelName)} AND score_date = (${values.value(run.scoreDate)})::timestamptz AND ${version}`,
			values.params,
		);
		for (let from = 0; from < count; from += batch) {
			const rows = [];
			for (let r = from; r < Math.min(count, from + batch); r++) rows.push(rowAt(r));
			await client.insertJson(target.quoted, rows);
		}
		await client.command('COMMIT', []);
	} catch (error) {
		await client.command('ROLLBACK', []).catch(() => undefined);
		throw error;
	}
}

async function writeClickHouseRun(
	client: WarehouseClient,
	target: ScoresTableName,
	run: RunKey,
	count: number,
	rowAt: (r: number) => Record<string, unknown>,
	batch: number,
): Promise<void> {
	const dialect = dialectOf('clickhouse');
	const staging = `${quoteName(dialect, client.source.database)}.${quoteName(dialect, stagingName(target.table))}`;
	await client.command(`CREATE TABLE ${staging} AS ${target.quoted}`, []);
	try {
		for (let from = 0; from < count; from += batch) {
			const rows = [];
			for (let r = from; r < Math.min(count, from + batch); r++) rows.push(rowAt(r));
			await client.insertJson(staging, rows);
		}
		const values = new SqlValues(dialect);
		const partition = `(${values.value(run.modelName)}, ${values.value(run.scoreDate)}, ${values.value(run.modelVersion ?? -1)})`;
		// The run's partition is replaced whole: a retry of a run already written replaces it, and
		// an empty run (no profile eligible) clears it.
		if (count > 0) await client.command(`ALTER TABLE ${target.quoted} REPLACE PARTITION ${partition} FROM ${staging}`, []);
		else await client.command(`ALTER TABLE ${target.quoted} DROP PARTITION ${partition}`, []);
	} finally {
		await client.command(`DROP TABLE IF EXISTS ${staging}`, []).catch(() => undefined);
	}
}

/** A staging table's name: the scores table's, a marker and a random part (two runs never share one). */
function stagingName(table: string): string {
	const suffix = `__staging_${Date.now().toString(36)}_${Math.floor(Math.random() * 36 ** 6).toString(36)}`;
	return `${table.slice(0, 63 - suffix.length)}${suffix}`;
}
