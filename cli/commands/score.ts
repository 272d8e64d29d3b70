/**
 * `propensity score`: scores profiles with a saved model. Events mode: every profile eligible
 * as of a date, with factors on request, to CSV or NDJSON. Table mode: a profile table with the
 * model's feature columns in, a CSV of id, probability, score, percentile and bucket out.
 */
import fs from 'node:fs';
import {
	InputError,
	openStore,
	parseModel,
	rememberScoringRun,
	scoreProfiles,
	scoresFormatOf,
	scoreTable,
	scoreWarehouse,
	tableScoresCsv,
	withWarehouse,
	writeScoresFile,
	withThousands,
	bucketCountsInWords,
} from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { eventFileOptions, eventFileUsage, loadEventsFile, modelSourceOptions, modelSourceUsage, readModelFrom, writeFileAtomic } from '../shared';
import { warehouseOption, warehouseUsage } from '../warehouse';

const usage = `Usage:
  propensity score --events FILE (--model MODEL.json | --store DIR --name NAME [--version V])
                   [--as-of ISO] [--explain K] [--features] [--keep-runs N] [--spreadsheet-safe] --out SCORES.csv|.ndjson
  propensity score --events URL (--model MODEL.json | --store DIR --name NAME [--version V])
                   [--as-of ISO] [--keep-runs N] --scores-table NAME
  propensity score --table FILE.csv --model MODEL.json [--id COLUMN] --out SCORES.csv

Events mode scores every profile eligible for the model's goal as of a date (default: the
latest event): calibrated probability (0–1), score (0–100), percentile among those scored
(1–100, 100 = highest), bucket (low 0–24, medium 25–74, high 75–100), and the profile
attributes that were loaded (e.g. email). --explain K adds each profile's top K factors with a
sentence. CSV columns: profile_id, probability, score, percentile, bucket, propensity_type,
score_date, model_name, model_version, factor_k… (with --explain), then the attributes.
NDJSON: one JSON object per profile. A name ending in .gz is gzip-compressed.

With --events naming a warehouse table, every eligible profile is scored there: the features
are computed by the warehouse, the probabilities in this process from streamed batches, and one
row per profile (the columns above up to model_version) is appended to the scores table
--scores-table in the same warehouse (created when missing). A run is written whole or not at
all; running it again (same model, version and as-of) replaces it. With --store, the run is
remembered there for "propensity backtest" without its rows (they stay in the scores table).

Table mode scores every row of a profile table with a model trained by "propensity train
--table" and writes one CSV row per profile: the id (or the row number), probability, score,
percentile and bucket.

Options:
  --events FILE    experience events (events mode)
  --as-of ISO      score as of this moment: later events are ignored (events mode); a date
                   alone (2026-05-31) means the end of that day in --time-zone (UTC)
  --explain K      add the top K factors per profile (events mode; 0–20)
  --features       add every feature value per profile (NDJSON only; for later explanation)
  --keep-runs N    with --store, runs remembered for "propensity backtest" (default 60)
  --table FILE     CSV with the model's feature columns (other columns are ignored)
  --id COLUMN      the profile id column (table mode; default: the training table's)
  --out FILE       where to write the scores
  --scores-table NAME
                   with a warehouse --events: the table to append the scores to (TABLE, or
                   SCHEMA.TABLE on PostgreSQL), instead of --out
  --spreadsheet-safe
                   CSV: write text cells starting with = + - @, a tab or a carriage return with a
                   leading apostrophe, so Excel, LibreOffice or Sheets never run them as formulas
                   ("propensity segment" reads them back without it)

${modelSourceUsage}

${eventFileUsage}
${warehouseUsage}

Examples:
  propensity score --events events.csv --model model.json --explain 3 --out scores.csv
  propensity score --events events.csv --store models --name purchase-in-30-days --out scores.ndjson
  propensity score --events 'clickhouse://default@ch1.internal:8123/shop?table=events' --model model.json --scores-table scores
  propensity score --table customers.csv --model model.json --out scores.csv`;

export const scoreCommand: Command = {
	name: 'score',
	usage,
	options: {
		...eventFileOptions,
		...modelSourceOptions,
		'as-of': { type: 'string' },
		explain: { type: 'string' },
		features: { type: 'boolean' },
		'spreadsheet-safe': { type: 'boolean' },
		table: { type: 'string' },
		id: { type: 'string' },
		out: { type: 'string' },
		'scores-table': { type: 'string' },
		'keep-runs': { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity score: unexpected argument "${positionals[0]}".`, scoreCommand);
		const table = stringOption(options, 'table');
		const events = stringOption(options, 'events');
		if (table && events) throw new UsageError('propensity score: give either --events or --table, not both.', scoreCommand);
		if (!table) {
			if (!events) throw new UsageError('propensity score: give the profiles to score with --events FILE (or --table FILE.csv).', scoreCommand);
			if (warehouseOption(options)) return scoreInWarehouse(options, io);
			if (stringOption(options, 'scores-table'))
				throw new UsageError(
					'propensity score: --scores-table needs --events to name a warehouse table (postgres://… or clickhouse://…).',
					scoreCommand,
				);
			return scoreEventsFile(options, io);
		}
		const modelFile = requireOption(options, 'model', scoreCommand);
		const out = requireOption(options, 'out', scoreCommand);
		if (!fs.existsSync(modelFile))
			throw new InputError(`The model file "${modelFile}" does not exist. Check the path, or train one with "propensity train".`, 'file-not-found');
		const model = parseModel(await fs.promises.readFile(modelFile, 'utf8'));
		const progress = terminalProgress(io);
		let scores;
		try {
			scores = await scoreTable({ path: table }, model, { id: stringOption(options, 'id') }, progress);
		} finally {
			progress.finish();
		}
		await writeFileAtomic(out, tableScoresCsv(scores));
		const { buckets: counts } = scores;
		const numbered = scores.idColumn === null ? ' (rows numbered from 1: no id column)' : '';
		io.stdout.write(
			`Scored ${withThousands(scores.rows.length)} rows of ${table} with the model "${model.name}"${numbered}: ` +
				`${bucketCountsInWords(counts)}.\nScores written to ${out}.\n`,
		);
	},
};

/** Scores a warehouse table of events where it is, into its scores table. */
async function scoreInWarehouse(options: OptionValues, io: CliIo): Promise<void> {
	const scoresTable = stringOption(options, 'scores-table');
	if (!scoresTable)
		throw new UsageError(
			'propensity score: with a warehouse table as --events, name the table to write the scores to with --scores-table NAME (the scores stay in the warehouse).',
			scoreCommand,
		);
	for (const unsupported of ['out', 'explain', 'features', 'spreadsheet-safe'])
		if (options[unsupported] !== undefined)
			throw new UsageError(
				`propensity score: --${unsupported} does not apply when scoring into the warehouse; the scores go to --scores-table (use "propensity segment --scores URL --explain K" for the factors of those a segment hands on).`,
				scoreCommand,
			);
	const warehouse = warehouseOption(options);
	if (!warehouse) throw new UsageError('propensity score: --events does not name a warehouse table.', scoreCommand);
	const { model, version } = await readModelFrom(options, scoreCommand);
	const keepRuns = integerOption(options, 'keep-runs', scoreCommand, { min: 1, max: 10_000 });
	const storeDir = stringOption(options, 'store');
	// With a store, the run is remembered there (what monitoring needs; the rows stay in the scores table).
	const store = storeDir ? await openStore({ kind: 'folder', path: storeDir }) : undefined;
	const progress = terminalProgress(io);
	try {
		const summary = await withWarehouse(warehouse.source, warehouse.mapping, (client, columns) =>
			scoreWarehouse(
				client,
				columns,
				model,
				{ scoresTable, asOf: stringOption(options, 'as-of'), timeZone: stringOption(options, 'time-zone'), modelVersion: version, store, keepRuns },
				progress,
			),
		);
		progress.finish();
		const remembered = summary.remembered ? `The run is remembered in ${storeDir} for "propensity backtest".\n` : '';
		const { buckets, scored, scoreDate } = summary;
		io.stdout.write(
			`Scored ${withThousands(scored)} profiles (those eligible for "${model.name}") as of ${scoreDate} in the warehouse: ` +
				`${bucketCountsInWords(buckets)}.
` +
				`Features computed in the warehouse, probabilities in this process; ${withThousands(summary.written)} rows appended to ${summary.scoresTable}.
${remembered}`,
		);
	} finally {
		progress.finish();
		await store?.close();
	}
}

async function scoreEventsFile(options: OptionValues, io: CliIo): Promise<void> {
	const out = requireOption(options, 'out', scoreCommand);
	const explain = integerOption(options, 'explain', scoreCommand, { min: 0, max: 20 }) ?? 0;
	const includeFeatures = options.features === true;
	const keepRuns = integerOption(options, 'keep-runs', scoreCommand, { min: 1, max: 10_000 });
	if (includeFeatures && scoresFormatOf(out) !== 'ndjson')
		throw new UsageError('propensity score: --features needs an .ndjson output (a CSV would mix features with attributes).', scoreCommand);
	const { model, version } = await readModelFrom(options, scoreCommand);
	const loaded = await loadEventsFile(options, io, scoreCommand);
	const progress = terminalProgress(io);
	try {
		const run = await scoreProfiles(
			loaded.table,
			model,
			{
				asOf: stringOption(options, 'as-of'),
				now: Date.now(),
				timeZone: stringOption(options, 'time-zone'),
				explain,
				includeFeatures,
				modelVersion: version,
			},
			progress,
		);
		await writeScoresFile(out, run.batches(4096, progress), {
			factors: explain,
			attributes: run.summary.attributes,
			spreadsheetSafe: options['spreadsheet-safe'] === true,
		});
		progress.finish();
		const storeDir = stringOption(options, 'store');
		let remembered = '';
		if (storeDir) {
			// With a store, every run is remembered so that "propensity backtest" can check it later.
			const store = await openStore({ kind: 'folder', path: storeDir });
			try {
				await rememberScoringRun(store, loaded.table, model, run, keepRuns);
				remembered = `The run is remembered in ${storeDir} for "propensity backtest".\n`;
			} finally {
				await store.close();
			}
		}
		const { buckets, scored, scoreDate } = run.summary;
		io.stdout.write(
			`Scored ${withThousands(scored)} of ${withThousands(run.summary.profilesInData)} profiles (those eligible for "${model.name}") as of ${scoreDate}: ` +
				`${bucketCountsInWords(buckets)}.\nScores written to ${out}.\n${remembered}`,
		);
		for (const warning of run.summary.warnings) io.stderr.write(`Warning: ${warning}\n`);
	} finally {
		progress.finish();
	}
}
