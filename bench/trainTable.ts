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
	const cpu = { ours: [] as number[], theirs: [] as number[] };
	let theirAuc = NaN;
	let version = '';
	for (let round = 0; round < Math.max(1, Number(values.repeat)); round++) {
		const ours = timeProcess(process.execPath, [cli, 'train', '--table', trainFile, '--label', 'label', '--model', ourModel]);
		runs.ours.push(ours.seconds);
		cpu.ours.push(ours.cpuSeconds);
		const python = timeProcess('/usr/bin/python3', [script, trainFile, testFile, theirModel], '"done"');
		runs.theirs.push(python.seconds);
		cpu.theirs.push(python.cpuSeconds);
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
	const cpuRatio = fastest(cpu.ours) / fastest(cpu.theirs);
	console.log(
		`  CPU (user + sys, all threads; load inflates it less than wall time): ours ${fastest(cpu.ours).toFixed(2)} s, Python ${fastest(cpu.theirs).toFixed(2)} s, ratio ${cpuRatio.toFixed(2)}x`,
	);
	console.log(
		`  ratio ${ratio.toFixed(2)}x (target ≤ ${TARGET_RATIO.toFixed(1)}x: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'}); AUC ${ourAuc >= theirAuc ? 'no worse' : 'WORSE'}`,
	);
}

/**
 * Runs a process to exit and times it, wall clock and CPU; with `doneMarker`, both stop at the
 * output line holding it (later work is not compared), which carries the moment and the CPU seconds.
 */
function timeProcess(command: string, args: string[], doneMarker?: string): { seconds: number; cpuSeconds: number; stdout: string } {
	const startedAt = Date.now() / 1000;
	const cpuBefore = childrenCpuSeconds();
	const started = process.hrtime.bigint();
	const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
	let seconds = Number(process.hrtime.bigint() - started) / 1e9;
	let cpuSeconds = childrenCpuSeconds() - cpuBefore;
	if (run.status !== 0) throw new Error(`${path.basename(args[0])} failed (${run.status}): ${run.stderr}`);
	if (doneMarker) {
		// The reference prints the wall-clock moment (epoch seconds) its compared work was done, and its CPU seconds then.
		const line = run.stdout.split('\n').find((l) => l.includes(doneMarker));
		const done = line ? (JSON.parse(line) as { at?: number; cpu?: number }) : {};
		if (done.at === undefined || done.cpu === undefined) throw new Error(`${path.basename(args[0])} printed no line with ${doneMarker}`);
		seconds = done.at - startedAt;
		cpuSeconds = done.cpu;
	}
	return { seconds, cpuSeconds, stdout: run.stdout };
}

/** User + system CPU seconds of this process's finished, waited-for children (Linux: /proc/self/stat cutime + cstime). */
function childrenCpuSeconds(): number {
	const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
	// Fields 16 and 17 of the file (cutime, cstime), counted from the state field (3): indexes 13 and 14.
	return (Number(fields[13]) + Number(fields[14])) / clockTicks;
}

/** Clock ticks per second of /proc's times (USER_HZ, 100 on Linux). */
const clockTicks = 100;

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
