/**
 * `propensity score`: scores profiles with a saved model. Table mode (this file so far): a
 * profile table with the model's feature columns in, a CSV of id, probability, score,
 * percentile and bucket out.
 */
import fs from 'node:fs';
import { InputError } from '../../core/errors';
import { readProfileTable } from '../../core/learn/profileTable';
import { parseModel } from '../../core/model/io';
import { predictProbability } from '../../core/model/predict';
import { bucketOf, percentiles, scoreFromProbability } from '../../core/score/buckets';
import { defaultBuckets, type Bucket } from '../../core/score/types';
import { type CliIo, type Command, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { writeFileAtomic } from './train';

const usage = `Usage: propensity score --table FILE.csv --model MODEL.json [--id COLUMN] --out SCORES.csv

Scores every row of a profile table with a model trained by "propensity train --table" and
writes one CSV row per profile: the id (or the row number), the calibrated probability (0–1),
the score (0–100), the percentile among the rows scored (1–100, 100 = highest) and the bucket
(low 0–24, medium 25–74, high 75–100).

Options:
  --table FILE   CSV with the model's feature columns (other columns, e.g. the label, are ignored)
  --model FILE   the model JSON
  --id COLUMN    the profile id column (default: the training table's id column, when present)
  --out FILE     where to write the scores CSV

Example:
  propensity score --table customers.csv --model model.json --out scores.csv`;

export const scoreCommand: Command = {
	name: 'score',
	summary: 'score a profile table (--table) with a saved model and write a scores CSV',
	usage,
	options: {
		table: { type: 'string' },
		model: { type: 'string' },
		id: { type: 'string' },
		out: { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity score: unexpected argument "${positionals[0]}".`, scoreCommand);
		const table = stringOption(options, 'table');
		if (table === undefined) throw new UsageError('propensity score: give the profiles to score with --table FILE.csv.', scoreCommand);
		const modelFile = requireOption(options, 'model', scoreCommand);
		const out = requireOption(options, 'out', scoreCommand);
		if (!fs.existsSync(modelFile)) throw new InputError(`The model file "${modelFile}" does not exist. Check the path, or train one with "propensity train".`, 'file-not-found');
		const model = parseModel(await fs.promises.readFile(modelFile, 'utf8'));
		if (model.features.mode !== 'table') {
			throw new InputError(`The model "${model.name}" was trained on events, not on a table: score it from events, with the same feature declarations.`, 'wrong-mode');
		}
		const id = stringOption(options, 'id') ?? (model.features.idColumn !== null && (await hasColumn(table, model.features.idColumn)) ? model.features.idColumn : undefined);
		const progress = terminalProgress(io);
		let read;
		try {
			read = await readProfileTable({ path: table }, { id, features: model.features.columns, hooks: progress });
		} finally {
			progress.finish();
		}
		const probability = predictProbability(model, read.data);
		const percentile = percentiles(probability);
		const counts: Record<Bucket, number> = { low: 0, medium: 0, high: 0 };
		const lines = [`${csvField(read.idColumn ?? 'row')},probability,score,percentile,bucket`];
		for (let r = 0; r < read.data.rows; r++) {
			const score = scoreFromProbability(probability[r]);
			const bucket = bucketOf(score, defaultBuckets);
			counts[bucket]++;
			lines.push(`${csvField(read.ids ? read.ids[r] : String(r + 1))},${probability[r].toFixed(6)},${score},${percentile[r]},${bucket}`);
		}
		await writeFileAtomic(out, `${lines.join('\n')}\n`);
		const numbered = read.idColumn === null ? ' (rows numbered from 1: no id column)' : '';
		io.stdout.write(
			`Scored ${read.data.rows.toLocaleString('en-US')} rows of ${table} with the model "${model.name}"${numbered}: ` +
				`${counts.high.toLocaleString('en-US')} high, ${counts.medium.toLocaleString('en-US')} medium, ${counts.low.toLocaleString('en-US')} low.\nScores written to ${out}.\n`,
		);
	},
};

/** Whether the CSV's header names `column` (read from the first line only). */
async function hasColumn(file: string, column: string): Promise<boolean> {
	if (!fs.existsSync(file)) return false;
	const handle = await fs.promises.open(file, 'r');
	try {
		const buffer = Buffer.alloc(64 * 1024);
		const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
		if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return true; // gzip: let the reader decide
		const head = buffer.subarray(0, bytesRead).toString('utf8').split(/\r?\n/, 1)[0];
		return head.split(/[,;\t|]/).some((cell) => cell.trim().replace(/^"|"$/g, '') === column);
	} finally {
		await handle.close();
	}
}

/** A CSV field, quoted when it holds a comma, quote or line break. */
function csvField(text: string): string {
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
