/**
 * `propensity train --table` as a whole process (start, read the CSV, default settings with
 * early stopping, save the model) against Python doing the same job the usual way: pandas
 * `read_csv`, XGBoost fit of 200 trees of depth 6, save. Both sides are timed from process start
 * to exit, alternating, fastest of the repeats; then both models score the same test table, and
 * their AUCs are compared (ours must be no worse). Target: ours at most 1.0x the Python time.
 *
 *   node dist/bench/trainTable.js [--rows 100000] [--repeat 3] [--out bench-output/train-table]
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { auc } from '../core/evaluate/auc';
import type { LabelledDataset } from '../core/learn/dataset';
import { parseModel } from '../core/model/io';
import { predictScores } from '../core/model/predict';
import { oracleData } from '../test/support/gbdtOracle';

const TARGET_RATIO = 1.0;

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			rows: { type: 'string', default: '100000' },
			repeat: { type: 'string', default: '3' },
			out: { type: 'string', default: 'bench-output/train-table' },
		},
	});
	const rows = Number(values.rows);
	const out = path.resolve(values.out);
	fs.mkdirSync(out, { recursive: true });
	const trainFile = path.join(out, 'train.csv');
	const testFile = path.join(out, 'test.csv');
	const test = oracleData(100_000, 2).data;
	writeCsv(trainFile, oracleData(rows, 1).data);
	writeCsv(testFile, test);
	const ourModel = path.join(out, 'model.json');
	const theirModel = path.join(out, 'xgboost.json');
	const cli = path.resolve(__dirname, '..', 'cli', 'main.js');
	const script = path.resolve(__dirname, '..', '..', 'bench', 'train_table_reference.py');
	const runs = { ours: [] as number[], theirs: [] as number[] };
	let theirAuc = NaN;
	let version = '';
	for (let round = 0; round < Math.max(1, Number(values.repeat)); round++) {
		runs.ours.push(timeProcess(process.execPath, [cli, 'train', '--table', trainFile, '--label', 'label', '--model', ourModel]).seconds);
		const python = timeProcess('/usr/bin/python3', [script, trainFile, testFile, theirModel], '"done"');
		runs.theirs.push(python.seconds);
		const result = JSON.parse(python.stdout.trim().split('\n').pop() ?? '{}') as { auc: number; version: string };
		theirAuc = result.auc;
		version = result.version;
	}
	const model = parseModel(fs.readFileSync(ourModel, 'utf8'));
	const ourAuc = auc(test.label, predictScores(model, test).probability);
	const fastest = (side: number[]) => Math.min(...side);
	const text = (side: number[]) => `${side.map((s) => s.toFixed(2)).join(', ')} s, spread ${(Math.max(...side) / fastest(side)).toFixed(2)}x`;
	const ratio = fastest(runs.ours) / fastest(runs.theirs);
	console.log(`train --table, ${rows.toLocaleString('en-US')} rows × 30 features, whole process, fastest of ${runs.ours.length} alternating runs`);
	console.log(
		`  ours (default settings: ${model.learner.kind}, early stopping): ${fastest(runs.ours).toFixed(2)} s (runs ${text(runs.ours)}); test AUC ${ourAuc.toFixed(4)}`,
	);
	console.log(
		`  Python: pandas.read_csv + XGBoost ${version} 200 trees depth 6 + save: ${fastest(runs.theirs).toFixed(2)} s (runs ${text(runs.theirs)}); test AUC ${theirAuc.toFixed(4)}`,
	);
	console.log(
		`  ratio ${ratio.toFixed(2)}x (target ≤ ${TARGET_RATIO.toFixed(1)}x: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); AUC ${ourAuc >= theirAuc ? 'no worse' : 'WORSE'}`,
	);
}

/** Runs a process to exit and times it; with `doneMarker`, the time stops at the output line holding it (later work is not compared). */
function timeProcess(command: string, args: string[], doneMarker?: string): { seconds: number; stdout: string } {
	const startedAt = Date.now() / 1000;
	const started = process.hrtime.bigint();
	const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
	let seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (run.status !== 0) throw new Error(`${path.basename(args[0])} failed (${run.status}): ${run.stderr}`);
	if (doneMarker) {
		// The reference prints the wall-clock moment (epoch seconds) its compared work was done.
		const line = run.stdout.split('\n').find((l) => l.includes(doneMarker));
		const at = line ? (JSON.parse(line) as { at?: number }).at : undefined;
		if (at === undefined) throw new Error(`${path.basename(args[0])} printed no line with ${doneMarker}`);
		seconds = at - startedAt;
	}
	return { seconds, stdout: run.stdout };
}

function writeCsv(file: string, data: LabelledDataset): void {
	const lines = [[...data.featureNames, 'label'].join(',')];
	for (let r = 0; r < data.rows; r++) {
		const fields = data.columns.map((column) => (Number.isNaN(column[r]) ? '' : String(Math.round(column[r] * 1000) / 1000)));
		fields.push(String(data.label[r]));
		lines.push(fields.join(','));
	}
	fs.writeFileSync(file, `${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
