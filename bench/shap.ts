/**
 * TreeSHAP against XGBoost 1.7's own (pred_contribs), in one command:
 *
 *   node dist/bench/shap.js [--rows 20000] [--trees 200] [--repeat 3] [--seed 7] [--out bench-output/shap]
 *
 * Both sides get the same data (test/support/gbdtOracle.ts: 30 numeric features, some missing) and
 * a model of the same shape: 200 trees of depth 6 from XGBoost `hist` (bench/shap_reference.py,
 * /usr/bin/python3, nthread 2) and from our trainGbdt with the same settings. Printed:
 * - XGBoost's pred_contribs time per profile (2 threads);
 * - ours per profile on our trees and on XGBoost's own trees (read from its JSON model), with
 *   2 worker threads and with 1 thread, each as a ratio to XGBoost's;
 * - how far our values on XGBoost's trees are from XGBoost's (they should agree to float32
 *   rounding), and our local accuracy on our trees;
 * - the target: at most 0.7 ms per profile for 200 trees of depth 6 (about XGBoost's time with
 *   2 threads on a quiet machine; when others load the machine, the ratio is the fair test).
 * Each timing is the fastest of --repeat runs, and XGBoost runs both before and after ours (the
 * machine is shared, so the fastest run is the least noisy estimate).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { explainRows, type Explainer } from '../core/explain/explainer';
import { engineFor } from '../core/explain/treeShap';
import type { Dataset } from '../core/learn/dataset';
import { trainGbdt } from '../core/learn/gbdt';
import type { Tree } from '../core/learn/tree';
import { oracleData } from '../test/support/gbdtOracle';
import { readXgboostModel } from './xgboostTrees';

const TARGET_MS_PER_PROFILE = 0.7;

interface ReferenceResult {
	secondsBest: number;
	rows: number;
	nthread: number;
	maxLocalAccuracyError: number;
	xgboostVersion: string;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			rows: { type: 'string', default: '20000' },
			trees: { type: 'string', default: '200' },
			repeat: { type: 'string', default: '3' },
			seed: { type: 'string', default: '7' },
			out: { type: 'string', default: path.join('bench-output', 'shap') },
		},
	});
	const rows = Number(values.rows);
	const trees = Number(values.trees);
	const repeat = Math.max(1, Number(values.repeat));
	fs.mkdirSync(values.out, { recursive: true });
	const { data } = oracleData(rows, Number(values.seed));
	const features = data.columns.length;
	writeData(values.out, data);
	console.log(`TreeSHAP benchmark: ${rows} profiles, ${features} features, ${trees} trees of depth 6`);

	const reference = runReference(values.out, trees, repeat, false);
	console.log(
		`XGBoost ${reference.xgboostVersion} pred_contribs, ${reference.nthread} threads: ${((reference.secondsBest * 1000) / rows).toFixed(3)} ms per profile (before ours)`,
	);

	const xgbModel = readXgboostModel(path.join(values.out, 'xgboost-model.json'));
	const ours = await trainGbdt(
		data,
		{
			maxTrees: trees,
			learningRate: 0.1,
			maxDepth: 6,
			growth: 'depthwise',
			lambda: 1,
			gamma: 0,
			minChildWeight: 1,
			rowSubsample: 1,
			colSubsample: 1,
			maxBins: 255,
			positiveWeight: 1,
			earlyStoppingRounds: 0,
			threads: 2,
		},
		{ seed: 1 },
	);
	const everyRow = Int32Array.from({ length: rows }, (_, r) => r);

	const models: [string, Explainer & { kind: 'tree' }][] = [
		['our trees (trainGbdt)', { kind: 'tree', trees: ours.trees, baseScore: ours.baseScore }],
		["XGBoost's trees", { kind: 'tree', trees: xgbModel.trees, baseScore: xgbModel.baseScore }],
	];
	const timings: [string, number, number][] = [];
	for (const [name, explainer] of models) {
		const started = performance.now();
		const { prepared } = engineFor(explainer.trees);
		const compileMs = performance.now() - started;
		console.log(
			`\n${name}: ${explainer.trees.length} trees, ${leafCount(explainer.trees) / explainer.trees.length} leaves per tree on average, ${prepared.tables ? 'leaf-table engine' : 'path engine'}, prepared in ${compileMs.toFixed(0)} ms`,
		);
		for (const threads of [2, 1]) timings.push([name, threads, await bestMsPerProfile(explainer, data, everyRow, threads, repeat)]);
	}
	// XGBoost again after ours: the faster of its two runs counts, so a busy spell does not favour either side.
	const again = runReference(values.out, trees, repeat, true);
	console.log(`XGBoost pred_contribs again (after ours): ${((again.secondsBest * 1000) / rows).toFixed(3)} ms per profile`);
	const xgbMs = (Math.min(reference.secondsBest, again.secondsBest) * 1000) / rows;
	console.log(`\nms per profile, ${rows} profiles (ours: fastest of ${repeat} runs; XGBoost: fastest of ${2 * repeat}, ${xgbMs.toFixed(3)} ms)`);
	for (const [name, threads, ms] of timings) {
		// The target is XGBoost's time on a quiet machine; on a busy one the ratio is the fair test.
		const verdict =
			threads === 2
				? `; target <= ${TARGET_MS_PER_PROFILE} ms ${ms <= TARGET_MS_PER_PROFILE ? 'met' : 'not met at this load'}, no slower than XGBoost ${ms <= xgbMs ? 'met' : 'NOT met'}`
				: '';
		console.log(
			`  ours on ${name}, ${threads} thread${threads > 1 ? 's' : ''}: ${ms.toFixed(3)} ms = ${(ms / xgbMs).toFixed(2)}x XGBoost's time${verdict}`,
		);
	}

	const ourCheck = await explainRows(models[0][1], data, everyRow);
	const raw = ours.predictRaw(data);
	let ourError = 0;
	for (let r = 0; r < rows; r++) {
		let sum = ourCheck.expected;
		for (let f = 0; f < features; f++) sum += ourCheck.contributions[r * features + f];
		ourError = Math.max(ourError, Math.abs(sum - raw[r]));
	}
	const theirs = new Float32Array(fs.readFileSync(path.join(values.out, 'xgboost-contribs.f32')).buffer.slice(0));
	const onTheirTrees = await explainRows(models[1][1], data, everyRow);
	let agreement = 0;
	let biasGap = 0;
	for (let r = 0; r < rows; r++) {
		for (let f = 0; f < features; f++)
			agreement = Math.max(agreement, Math.abs(onTheirTrees.contributions[r * features + f] - theirs[r * (features + 1) + f]));
		biasGap = Math.max(biasGap, Math.abs(onTheirTrees.expected - theirs[r * (features + 1) + features]));
	}
	console.log(`\nlocal accuracy on our trees (float32 contributions): max |expected + sum - raw| = ${ourError.toExponential(2)}`);
	console.log(
		`agreement with XGBoost on its trees: max |difference| = ${agreement.toExponential(2)} per contribution, ${biasGap.toExponential(2)} on the expected value`,
	);
	console.log(`XGBoost's own local accuracy: ${reference.maxLocalAccuracyError.toExponential(2)}`);
}

/** The fastest of `repeat` runs of explainRows over `rows`, in ms per profile. */
async function bestMsPerProfile(explainer: Explainer, data: Dataset, rows: Int32Array, threads: number, repeat: number): Promise<number> {
	let best = Infinity;
	for (let i = 0; i < repeat; i++) {
		const started = performance.now();
		await explainRows(explainer, data, rows, undefined, { threads });
		best = Math.min(best, performance.now() - started);
	}
	return best / rows.length;
}

function leafCount(trees: readonly Tree[]): number {
	return trees.reduce((sum, tree) => sum + tree.left.filter((child) => child === -1).length, 0);
}

/** Writes the data for the Python side: meta.json, x.f32 (row-major) and y.u8. */
function writeData(dir: string, data: Dataset & { label: Uint8Array }): void {
	const features = data.columns.length;
	const x = new Float32Array(data.rows * features);
	for (let f = 0; f < features; f++) for (let r = 0; r < data.rows; r++) x[r * features + f] = data.columns[f][r];
	fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ rows: data.rows, features }));
	fs.writeFileSync(path.join(dir, 'x.f32'), Buffer.from(x.buffer));
	fs.writeFileSync(path.join(dir, 'y.u8'), Buffer.from(data.label.buffer, data.label.byteOffset, data.label.byteLength));
}

function runReference(dir: string, trees: number, repeat: number, timeOnly: boolean): ReferenceResult {
	const script = path.join(__dirname, '..', '..', 'bench', 'shap_reference.py');
	const args = [script, dir, '--trees', String(trees), '--depth', '6', '--nthread', '2', '--repeat', String(repeat), ...(timeOnly ? ['--time-only'] : [])];
	const run = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 20 });
	if (run.status !== 0) throw new Error(`The XGBoost reference run failed (is xgboost installed for /usr/bin/python3?):\n${run.stderr}`);
	return JSON.parse(run.stdout.trim().split('\n').pop() as string) as ReferenceResult;
}

main().catch((error) => {
	console.error(error);
	process.exitCode = 1;
});
