/**
 * `propensity train`: trains a model and writes its JSON. Events mode: experience events and a
 * goal, validated on the latest cutoff (time-based), with the insights report. Table mode: a
 * profile table with numeric features and a 0/1 label, validated on a seeded, stratified 20%
 * holdout, because a table has no time to split on.
 */
import path from 'node:path';
import {
	checkStoreName,
	InputError,
	type LearnerChoice,
	learnerNames,
	type Model,
	openStore,
	PropensityError,
	parseLearnerChoice,
	parseMemoryBudget,
	saveModel,
	type SelectionRecord,
	type StoredSelection,
	trainModel,
	trainTable,
	trainWarehouse,
	withWarehouse,
	withThousands,
} from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { warehouseOption, warehouseUsage } from '../warehouse';
import { asOfLine, cutoffPlanLine, eventFileOptions, eventFileUsage, loadEventsFile, parseGoalFile, readTextFile, writeFileAtomic } from '../shared';

const usage = `Usage:
  propensity train --events FILE --goal GOAL.json [--as-of ISO] [--learner NAME] [--seed S]
                   [--max-examples N] [--memory-budget MB|none] [--name NAME] --model OUT.json
                   [--report OUT.html]
                   [--store DIR]
  propensity train --table FILE.csv --label COLUMN [--id COLUMN] [--ignore COL,COL]
                   [--learner NAME] [--seed S] [--name NAME] --model OUT.json

Events mode learns a goal (see the README's goal format) from experience events: it checks
readiness, declares features, takes snapshots of the profiles at several cutoffs, trains on
the earlier ones and validates on the latest, calibrates, and writes the model JSON (and the
HTML insights report with --report). --as-of is the present moment: events after it are
ignored entirely, so a model can be trained "back then" and checked against what happened.

Table mode trains on a profile table: one row per profile, numeric feature columns and a 0/1
label column (1 = the outcome happened). Validation uses a seeded 20% of the rows, drawn at
random within each label (a table has no time order, so it cannot validate on later data).

Options:
  --events FILE    experience events (events mode)
${warehouseUsage}
  --goal FILE      the goal JSON (events mode)
  --as-of ISO      the present moment for training (events mode; default: the latest event);
                   a date alone (2026-05-31) means the end of that day in --time-zone (UTC)
  --report FILE    also write the HTML insights report (events mode)
  --store DIR      also save the model, as a new version of its name, in this store folder
  --table FILE     CSV (comma, semicolon, tab or pipe; gzip detected); empty, NA or null = missing
  --label COLUMN   the 0/1 outcome column (table mode)
  --id COLUMN      the profile id column, not a feature (table mode; without it rows are numbered)
  --ignore COLS    comma-separated columns that are not features, e.g. email (table mode)
  --learner NAME   auto (default: the best validation AUC among the learners that fit the
                   time budget), gbdt (gradient-boosted trees), logistic, rf (random forest,
                   small data) or nb (naive Bayes)
  --seed S         seeds splits, subsamples and learners (default 1): same data, same bytes
  --max-examples N above N example rows (profile × cutoff), keep every positive and a sample
                   of negatives chosen by a hash of profile id and seed, and correct the
                   probabilities and metrics for it (events mode; default 2000000)
  --memory-budget MB|none  megabytes the examples may take in training (events mode; default
                   none): the cap becomes the rows that fit, rows × (features × 12 + 128)
                   bytes; 320 keeps training within 500 MB at 20,000,000 events, at a small
                   cost in accuracy where it samples hard (see docs/warehouse.md)
  --name NAME      the model's name (default: the goal's name, or the table's file name)
  --model FILE     where to write the model JSON

${eventFileUsage}

Examples:
  propensity train --events events.csv --goal goal.json --model model.json --report report.html
  propensity train --table customers.csv --label converted --id customer_id --model model.json`;

export const trainCommand: Command = {
	name: 'train',
	usage,
	options: {
		...eventFileOptions,
		goal: { type: 'string' },
		'as-of': { type: 'string' },
		report: { type: 'string' },
		store: { type: 'string' },
		table: { type: 'string' },
		label: { type: 'string' },
		id: { type: 'string' },
		ignore: { type: 'string' },
		learner: { type: 'string' },
		seed: { type: 'string' },
		'max-examples': { type: 'string' },
		'memory-budget': { type: 'string' },
		name: { type: 'string' },
		model: { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity train: unexpected argument "${positionals[0]}".`, trainCommand);
		const table = stringOption(options, 'table');
		const events = stringOption(options, 'events');
		if (table && events) throw new UsageError('propensity train: give either --events (with --goal) or --table, not both.', trainCommand);
		if (!table && !events)
			throw new UsageError('propensity train: give the training data with --events FILE --goal GOAL.json, or --table FILE.csv.', trainCommand);
		const out = requireOption(options, 'model', trainCommand);
		const learner = learnerOption(options);
		const seed = integerOption(options, 'seed', trainCommand, { min: 0, max: 0xffffffff }) ?? 1;
		if (!table) return trainOnEvents(options, io, { out, learner, seed });
		const label = requireOption(options, 'label', trainCommand);
		const id = stringOption(options, 'id');
		const ignore = (stringOption(options, 'ignore') ?? '')
			.split(',')
			.map((c) => c.trim())
			.filter((c) => c !== '');
		const progress = terminalProgress(io);
		let built;
		try {
			built = await trainTable({ path: table }, { label, id, ignore, learner, seed, name: stringOption(options, 'name') }, progress);
		} finally {
			progress.finish();
		}
		const read = built.table;
		const summary = [
			`Read ${withThousands(read.rows)} rows × ${read.features} features from ${table} (label "${label}": ${withThousands(read.positives)} with the outcome, ${withThousands(read.negatives)} without).`,
			`Validation: a seeded random ${read.holdoutShare * 100}% of the rows (${withThousands(read.validationRows)}), drawn within each label. A table has no time order, so validation is a random holdout, not later data; expect event-trained models to be validated more strictly.`,
		];
		const text = built.modelText;
		await writeFileAtomic(out, text);
		const saved = await saveToStore(options, built.model, text, [out]);
		io.stdout.write(`${[...summary, ...describeModel(built.model, built.selection, built.notes), `Model written to ${out}.`, ...saved].join('\n')}\n`);
	},
};

function learnerOption(options: OptionValues): LearnerChoice {
	try {
		return parseLearnerChoice(stringOption(options, 'learner') ?? 'auto');
	} catch (error) {
		throw new UsageError(`propensity train: ${(error as Error).message}`, trainCommand);
	}
}

/** --memory-budget: whole megabytes, or none to lift the budget; absent for the default. */
function memoryBudgetOption(options: OptionValues): number | null | undefined {
	try {
		return parseMemoryBudget(stringOption(options, 'memory-budget'), '--memory-budget');
	} catch (error) {
		throw new UsageError(`propensity train: ${(error as Error).message}`, trainCommand);
	}
}

async function trainOnEvents(options: OptionValues, io: CliIo, settings: { out: string; learner: LearnerChoice; seed: number }): Promise<void> {
	const goalFile = requireOption(options, 'goal', trainCommand);
	// The goal and the model's name are checked before the events are loaded: a mistake there costs no load and no training.
	const goalText = parseGoalFile(goalFile, await readTextFile(goalFile, 'goal file'));
	const name = stringOption(options, 'name');
	if (name !== undefined) checkStoreName(name.trim(), 'model');
	const maxExamples = integerOption(options, 'max-examples', trainCommand, { min: 2, max: 1_000_000_000_000 });
	const memoryBudgetMb = memoryBudgetOption(options);
	const warehouse = warehouseOption(options);
	const loaded = warehouse ? undefined : await loadEventsFile(options, io, trainCommand);
	const progress = terminalProgress(io);
	const trainSettings = {
		learner: settings.learner,
		seed: settings.seed,
		maxExamples,
		memoryBudgetMb,
		asOf: stringOption(options, 'as-of'),
		now: Date.now(),
		timeZone: stringOption(options, 'time-zone'),
		name: stringOption(options, 'name'),
		load: loaded,
	};
	let outcome;
	try {
		outcome = warehouse
			? await withWarehouse(warehouse.source, warehouse.mapping, (client, columns) => trainWarehouse(client, columns, goalText, trainSettings, progress))
			: await trainModel((loaded as NonNullable<typeof loaded>).table, goalText, trainSettings, progress);
	} finally {
		progress.finish();
	}
	const { model, modelText } = outcome;
	const counts = outcome.readiness.totals;
	const lines = [
		asOfLine(options, model.dataRange.lastEvent),
		`Goal: ${outcome.summary.goal}`,
		// The readiness warnings the report shows (short history, a churn goal that will happen…).
		...outcome.readiness.warnings.map((warning) => `Warning: ${warning.message}`),
		`Examples: ${withThousands(counts.eligible)} profile snapshots at ${model.dataRange.cutoffs.length} cutoffs (${withThousands(counts.positives)} with the outcome), ${outcome.summary.features} features.`,
		...(model.dataRange.plan ? [cutoffPlanLine(model.dataRange.plan)] : []),
		`Validation: ${model.metrics.validationSplit}.`,
		...describeModel(model, outcome.selection, model.notes),
	];
	// The files first, the store last: a store that fails (full, unreachable) loses nothing already made.
	await writeFileAtomic(settings.out, modelText);
	lines.push(`Model written to ${settings.out}.`);
	const report = stringOption(options, 'report');
	if (report) {
		await writeFileAtomic(report, outcome.reportHtml);
		lines.push(`Report written to ${report}.`);
	}
	lines.push(...(await saveToStore(options, model, modelText, report ? [settings.out, report] : [settings.out])));
	io.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Saves the model in the --store folder when one is given; returns the line to print. A failure
 * says which files were written, so the model is not trained again only to be saved.
 */
async function saveToStore(options: OptionValues, model: Model, text: string, written: readonly string[]): Promise<string[]> {
	const folder = stringOption(options, 'store');
	if (!folder) return [];
	try {
		const store = await openStore({ kind: 'folder', path: folder });
		try {
			const info = await saveModel(store, model, text);
			return [`Saved as "${info.name}" version ${info.version} in the store ${path.resolve(folder)}.`];
		} finally {
			await store.close();
		}
	} catch (error) {
		if (!(error instanceof PropensityError)) throw error;
		const kept = `${written.join(' and ')} ${written.length > 1 ? 'were' : 'was'} written and kept`;
		const Kind = error instanceof InputError ? InputError : PropensityError;
		throw new Kind(
			`${error.message}\nThe model was not saved in the store, but ${kept}: score with --model ${written[0]} meanwhile, and fix the store before the next training saves there.`,
			error.code,
			error.details,
		);
	}
}

const metric = (value: number | null, digits = 3): string => (value === null ? 'n/a' : value.toFixed(digits));

/** Whether auto kept a candidate below the best validation AUC (the buy-till-you-die baseline, by the one-standard-error rule). */
function keptAsSimpler(selection: SelectionRecord | StoredSelection): boolean {
	const chosen = selection.candidates.find((c) => c.chosen);
	return selection.candidates.some((c) => c.auc !== null && chosen?.auc != null && c.auc > chosen.auc);
}

/** The model's learner, calibration, metrics and grade in a few lines for a terminal. */
export function describeModel(model: Model, selection: SelectionRecord | StoredSelection, notes: readonly string[]): string[] {
	const v = model.metrics.validation;
	const lines = [
		selection.mode === 'auto'
			? `Learner: ${learnerNames[selection.winner]}, chosen by auto ${keptAsSimpler(selection) ? 'as the simpler baseline, within one standard error of the best validation AUC' : 'for the highest validation AUC'}:`
			: `Learner: ${learnerNames[selection.winner]} (as asked):`,
	];
	for (const candidate of selection.candidates) {
		const seconds = 'seconds' in candidate ? candidate.seconds : undefined;
		const time = seconds === undefined || seconds === null ? '' : `, ${seconds.toFixed(1)} s`;
		const state = candidate.status === 'fitted' ? `validation AUC ${metric(candidate.auc)}${time}` : (candidate.note ?? candidate.status);
		// A fitted candidate's note says what it was fitted on (the buy-till-you-die baseline).
		const on = candidate.status === 'fitted' && candidate.note ? ` ${candidate.note.split(':')[0]}` : '';
		lines.push(`  ${candidate.chosen ? '*' : ' '} ${learnerNames[candidate.learner]}${on}: ${state}`);
	}
	lines.push(
		`Calibration: ${model.calibration.choice.method === 'none' ? model.calibration.choice.reason : `${model.calibration.choice.method} — ${model.calibration.choice.reason}`}.`,
	);
	lines.push(
		`Validation (${withThousands(v.rows)} rows, base rate ${v.baseRate === null ? 'n/a' : `${(v.baseRate * 100).toFixed(1)}%`}): AUC ${metric(v.auc)}${v.aucInterval ? ` (95% interval ${metric(v.aucInterval[0])}–${metric(v.aucInterval[1])})` : ''}, log loss ${metric(v.logLoss, 4)}, Brier ${metric(v.brier, 4)}.`,
	);
	if (v.deciles.length > 0)
		lines.push(`Top 10% of scores: ${v.deciles[0].lift.toFixed(2)}× the base rate, ${(v.deciles[0].cumulativeGain * 100).toFixed(0)}% of all outcomes.`);
	lines.push(`Quality: ${v.grade.summary}`);
	for (const advice of v.grade.advice) lines.push(`  - ${advice}`);
	for (const note of notes) lines.push(`Note: ${note}`);
	return lines;
}
