/**
 * Scoring throughput: profiles scored per second with a 200-tree, depth-6 boosted model, against
 * XGBoost 1.7 predicting with a model of the same shape on the same rows, in one command:
 *
 *   node dist/bench/score.js [--profiles 1000000] [--repeat 3] [--out bench-output/score]
 *
 * Our side times what scoring does once features are computed: raw scores from the trees,
 * calibration, score, percentile among everyone scored and bucket, for every profile, with the
 * model read back from its JSON as a stored model would be (both threads). XGBoost's side times
 * building its DMatrix and predicting probabilities (2 threads). The sides alternate, `--repeat`
 * rounds each; each side's fastest run counts, and the spread (slowest / fastest) is shown.
 * Target: ours at most 1.0x XGBoost's time.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { selectRows } from '../core/learn/dataset';
import { buildModel } from '../core/model/build';
import { parseModel, serializeModel } from '../core/model/io';
import { predictScores } from '../core/model/predict';
import { bucketOf, percentiles, scoreFromProbability } from '../core/score/buckets';
import { defaultBuckets } from '../core/score/types';
import type { Dataset, LabelledDataset } from '../core/learn/dataset';
import { oracleData } from '../test/support/gbdtOracle';

const TARGET_RATIO = 1.0;

async function main(): Promise<void> {
	const { values } = parseArgs({ options: { profiles: { type: 'string' }, repeat: { type: 'string' }, out: { type: 'string' } } });
	const profiles = Number(values.profiles ?? 1_000_000);
	const repeat = Math.max(1, Number(values.repeat ?? 3));
	const out = path.resolve(values.out ?? 'bench-output/score');
	fs.mkdirSync(out, { recursive: true });

	const all = oracleData(120_000 + profiles, 7).data;
	const train = selectRows(all, range(0, 100_000));
	const validation = selectRows(all, range(100_000, 120_000));
	const scored: Dataset = selectRows(all, range(120_000, 120_000 + profiles));
	const built = await buildModel({
		name: 'bench-score',
		features: { mode: 'table', columns: train.featureNames, idColumn: null, labelColumn: 'label' },
		train,
		validation,
		validationSplit: 'rows 100,000–120,000 of the oracle data',
		learner: 'gbdt',
		options: { gbdt: { maxTrees: 200, maxDepth: 6, learningRate: 0.1, earlyStoppingRounds: 0 } },
		seed: 1,
	});
	const model = parseModel(serializeModel(built.model));
	const trees = model.learner.trees as unknown[];

	const reference = prepareXgboost(out, train, scored);
	const oursRuns: number[] = [];
	const theirRuns: number[] = [];
	let version = '';
	for (let round = 0; round < repeat; round++) {
		oursRuns.push(timeOurs(model, scored));
		const theirs = runXgboost(reference);
		theirRuns.push(theirs.seconds);
		version = theirs.version;
	}
	const ours = Math.min(...oursRuns);
	const theirs = Math.min(...theirRuns);
	const rate = (seconds: number) => Math.round(profiles / seconds).toLocaleString('en-US');
	const spread = (runs: number[]) => `${runs.map((r) => r.toFixed(2)).join(', ')} s; spread ${(Math.max(...runs) / Math.min(...runs)).toFixed(2)}x`;
	const ratio = ours / theirs;
	console.log(`Scoring ${profiles.toLocaleString('en-US')} profiles, 30 features, ${trees.length} trees of depth 6, fastest of ${repeat} alternating runs`);
	console.log(
		`  ours (trees + calibration + score, percentile, bucket; 2 threads): ${ours.toFixed(2)} s  (${rate(ours)} profiles/s; runs ${spread(oursRuns)})`,
	);
	console.log(`  XGBoost ${version} (DMatrix + predict, 2 threads): ${theirs.toFixed(2)} s  (${rate(theirs)} profiles/s; runs ${spread(theirRuns)})`);
	console.log(`  ratio ours / XGBoost: ${ratio.toFixed(2)}x  (target ≤ ${TARGET_RATIO.toFixed(1)}x: ${ratio <= TARGET_RATIO ? 'met' : 'NOT met'})`);
}

function timeOurs(model: ReturnType<typeof parseModel>, data: Dataset): number {
	const started = process.hrtime.bigint();
	const { probability } = predictScores(model, data);
	const percentile = percentiles(probability);
	let high = 0;
	for (let r = 0; r < probability.length; r++) {
		if (bucketOf(scoreFromProbability(probability[r]), defaultBuckets) === 'high' && percentile[r] > 0) high++;
	}
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	if (high < 0) throw new Error('unreachable');
	return seconds;
}

interface XgboostFiles {
	readonly args: string[];
}

/** Writes both sides' rows for XGBoost; its first run trains and saves its model, later runs load it. */
function prepareXgboost(out: string, train: LabelledDataset, scored: Dataset): XgboostFiles {
	const trainFile = path.join(out, 'train.f32');
	const labelFile = path.join(out, 'train.labels');
	const scoreFile = path.join(out, 'score.f32');
	const modelFile = path.join(out, 'xgboost-model.json');
	writeRowMajor(trainFile, train);
	fs.writeFileSync(labelFile, train.label);
	writeRowMajor(scoreFile, scored);
	fs.rmSync(modelFile, { force: true });
	const script = path.resolve(__dirname, '..', '..', 'bench', 'score_reference.py');
	return { args: [script, trainFile, labelFile, scoreFile, String(train.columns.length), '--model', modelFile, '--repeat', '1'] };
}

function runXgboost(files: XgboostFiles): { seconds: number; version: string } {
	const run = spawnSync('/usr/bin/python3', files.args, { encoding: 'utf8' });
	if (run.status !== 0) throw new Error(`score_reference.py failed: ${run.stderr}`);
	return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { seconds: number; version: string };
}

function writeRowMajor(file: string, data: Dataset): void {
	const features = data.columns.length;
	const matrix = new Float32Array(data.rows * features);
	for (let f = 0; f < features; f++) {
		const column = data.columns[f];
		for (let r = 0; r < data.rows; r++) matrix[r * features + f] = column[r];
	}
	fs.writeFileSync(file, new Uint8Array(matrix.buffer));
}

function range(from: number, to: number): Uint32Array {
	return Uint32Array.from({ length: to - from }, (_, i) => from + i);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
