/**
 * `propensity train`: trains a model and writes its JSON. Table mode (this file so far): a
 * profile table with numeric features and a 0/1 label; validation is a seeded, stratified 20%
 * holdout, because a table has no time to split on.
 */
import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../../core/errors';
import { selectRows, type LabelledDataset } from '../../core/learn/dataset';
import { readProfileTable } from '../../core/learn/profileTable';
import { holdoutSplit } from '../../core/learn/split';
import { learnerNames, parseLearnerChoice } from '../../core/learn/train';
import { buildModel, type BuiltModel } from '../../core/model/build';
import { serializeModel } from '../../core/model/io';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';

const usage = `Usage: propensity train --table FILE.csv --label COLUMN [--id COLUMN] [--ignore COL,COL]
                        [--learner auto|gbdt|logistic|rf|nb] [--seed S] [--name NAME] --model OUT.json

Trains a propensity model on a profile table: one row per profile, numeric feature columns
and a 0/1 label column (1 = the outcome happened). Validation uses a seeded 20% of the rows,
drawn at random within each label (a table has no time order, so it cannot validate on
later data as event training does). Writes the model JSON and prints its metrics.

Options:
  --table FILE     CSV (comma, semicolon, tab or pipe; gzip detected); empty, NA or null = missing
  --label COLUMN   the 0/1 outcome column
  --id COLUMN      the profile id column (not a feature); without it rows are numbered
  --ignore COLS    comma-separated columns that are not features (e.g. email)
  --learner NAME   auto (default: the best validation AUC among the learners that fit the
                   time budget), gbdt (gradient-boosted trees), logistic, rf (random forest,
                   small data) or nb (naive Bayes)
  --seed S         seeds the split, subsamples and learners (default 1): same table, same bytes
  --name NAME      the model's name (default: the table's file name)
  --model FILE     where to write the model JSON

Example:
  propensity train --table customers.csv --label converted --id customer_id --model model.json`;

/** Share of a table's rows held out for validation. */
const holdoutShare = 0.2;

export const trainCommand: Command = {
	name: 'train',
	summary: 'train a propensity model on a profile table (--table) and write the model JSON',
	usage,
	options: {
		table: { type: 'string' },
		label: { type: 'string' },
		id: { type: 'string' },
		ignore: { type: 'string' },
		learner: { type: 'string' },
		seed: { type: 'string' },
		name: { type: 'string' },
		model: { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity train: unexpected argument "${positionals[0]}".`, trainCommand);
		const table = stringOption(options, 'table');
		if (table === undefined) throw new UsageError('propensity train: give the training data with --table FILE.csv.', trainCommand);
		const label = requireOption(options, 'label', trainCommand);
		const out = requireOption(options, 'model', trainCommand);
		const learnerText = stringOption(options, 'learner') ?? 'auto';
		let learner;
		try {
			learner = parseLearnerChoice(learnerText);
		} catch (error) {
			throw new UsageError(`propensity train: ${(error as Error).message}`, trainCommand);
		}
		const seed = integerOption(options, 'seed', trainCommand, { min: 0, max: 0xffffffff }) ?? 1;
		const id = stringOption(options, 'id');
		const ignore = (stringOption(options, 'ignore') ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
		const progress = terminalProgress(io);
		let built: BuiltModel;
		let summary: string[];
		try {
			const read = await readProfileTable({ path: table }, { label, id, ignore, hooks: progress });
			progress.finish();
			const data = read.data as LabelledDataset;
			const split = holdoutSplit(data.label, holdoutShare, seed);
			const train = selectRows(data, split.train);
			const validation = selectRows(data, split.validation);
			summary = [
				`Read ${data.rows.toLocaleString('en-US')} rows × ${data.featureNames.length} features from ${table} (label "${label}": ${count(data.label, 1)} with the outcome, ${count(data.label, 0)} without).`,
				`Validation: a seeded random ${holdoutShare * 100}% of the rows (${validation.rows.toLocaleString('en-US')}), drawn within each label. A table has no time order, so validation is a random holdout, not later data; expect event-trained models to be validated more strictly.`,
			];
			built = await buildModel({
				name: stringOption(options, 'name') ?? path.basename(table).replace(/\.(csv|tsv|txt)(\.gz)?$/i, ''),
				features: { mode: 'table', columns: data.featureNames, idColumn: read.idColumn, labelColumn: label },
				train,
				validation,
				validationSplit: `a seeded random ${holdoutShare * 100}% of the table's rows, stratified by label (a table has no time order)`,
				learner,
				seed,
				hooks: progress,
			});
		} finally {
			progress.finish();
		}
		await writeFileAtomic(out, serializeModel(built.model));
		io.stdout.write(`${[...summary, ...describeModel(built), `Model written to ${out}.`].join('\n')}\n`);
	},
};

function count(label: Uint8Array, value: number): string {
	let n = 0;
	for (let r = 0; r < label.length; r++) if (label[r] === value) n++;
	return n.toLocaleString('en-US');
}

const metric = (value: number | null, digits = 3): string => (value === null ? 'n/a' : value.toFixed(digits));

/** The model's learner, calibration, metrics and grade in a few lines for a terminal. */
export function describeModel(built: BuiltModel): string[] {
	const { model, selection } = built;
	const v = model.metrics.validation;
	const lines = [selection.mode === 'auto' ? `Learner: ${learnerNames[selection.winner]}, chosen by auto for the highest validation AUC:` : `Learner: ${learnerNames[selection.winner]} (as asked):`];
	for (const candidate of selection.candidates) {
		const time = candidate.seconds === undefined || candidate.seconds === null ? '' : `, ${candidate.seconds.toFixed(1)} s`;
		const state = candidate.status === 'fitted' ? `validation AUC ${metric(candidate.auc)}${time}` : (candidate.note ?? candidate.status);
		lines.push(`  ${candidate.chosen ? '*' : ' '} ${learnerNames[candidate.learner]}: ${state}`);
	}
	lines.push(`Calibration: ${model.calibration.choice.method === 'none' ? model.calibration.choice.reason : `${model.calibration.choice.method} — ${model.calibration.choice.reason}`}.`);
	lines.push(`Validation (${v.rows.toLocaleString('en-US')} rows, base rate ${v.baseRate === null ? 'n/a' : `${(v.baseRate * 100).toFixed(1)}%`}): AUC ${metric(v.auc)}, log loss ${metric(v.logLoss, 4)}, Brier ${metric(v.brier, 4)}.`);
	if (v.deciles.length > 0) lines.push(`Top 10% of scores: ${v.deciles[0].lift.toFixed(2)}× the base rate, ${(v.deciles[0].cumulativeGain * 100).toFixed(0)}% of all outcomes.`);
	lines.push(`Quality: ${v.grade.summary}`);
	for (const advice of v.grade.advice) lines.push(`  - ${advice}`);
	for (const note of built.notes) lines.push(`Note: ${note}`);
	return lines;
}

/** Writes `text` to `file` through a temporary file and a rename, so a reader never sees half a file. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
	const dir = path.dirname(path.resolve(file));
	if (!fs.existsSync(dir)) throw new InputError(`Cannot write ${file}: the folder ${dir} does not exist. Create it or choose another path.`, 'bad-path');
	const temporary = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
	try {
		await fs.promises.writeFile(temporary, text);
		await fs.promises.rename(temporary, file);
	} catch (error) {
		await fs.promises.rm(temporary, { force: true });
		throw error;
	}
}
