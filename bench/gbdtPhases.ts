/**
 * Where the boosted trees' fit spends its time, by kind of work, in one command:
 *
 *   node dist/bench/gbdtPhases.js [--rows 100000] [--threads 2] [--trees 200]
 *
 * Fits the benchmark's model (bench/gbdt.ts: 200 trees of depth 6, 30 features, 256 bins, no
 * subsampling) on the same oracle data, timing every dispatch of the thread pool by its
 * command: histograms, split search, partition passes, score updates, gradients, binning. A
 * command run on the calling thread alone (too small to share) is listed with "(1)". Prints each
 * command's share of the fit's wall time, the model's hash, so two builds can be checked to
 * train the same model, and its test AUC on the 100,000 test rows of bench/gbdt.ts (seed 1001),
 * so a change to the model can be judged on the same rows as there.
 */
import { createHash } from 'node:crypto';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { trainGbdt } from '../core/learn/gbdt';
import { WorkerPool } from '../core/learn/gbdt/pool';
import { COMMAND } from '../core/learn/gbdt/protocol';
import { oracleData } from '../test/support/gbdtOracle';
import { auc } from '../core/evaluate/auc';

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			rows: { type: 'string', default: '100000' },
			threads: { type: 'string', default: '2' },
			trees: { type: 'string', default: '200' },
		},
	});
	const data = oracleData(Number(values.rows), 1).data;
	const spent = timeDispatches();
	const started = process.hrtime.bigint();
	const model = await trainGbdt(
		data,
		{
			maxTrees: Number(values.trees),
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
			threads: Number(values.threads),
		},
		{ seed: 1 },
	);
	const fitMs = Number(process.hrtime.bigint() - started) / 1e6;
	const hash = createHash('sha256').update(JSON.stringify(model.toJSON())).digest('hex').slice(0, 16);
	const test = oracleData(100_000, 1001).data;
	const testAuc = auc(test.label, model.predictRaw(test));
	process.stdout.write(
		`fit of ${data.rows.toLocaleString('en-US')} rows on ${values.threads} thread(s): ${(fitMs / 1000).toFixed(2)} s, model ${hash}, test AUC ${testAuc.toFixed(4)}, load average ${os.loadavg()[0].toFixed(1)}\n`,
	);
	let timed = 0;
	for (const [name, { ms, dispatches }] of [...spent].sort((a, b) => b[1].ms - a[1].ms)) {
		timed += ms;
		process.stdout.write(
			`  ${name.padEnd(24)} ${(ms / 1000).toFixed(2).padStart(7)} s ${percent(ms, fitMs)} ${String(dispatches).padStart(6)} dispatches\n`,
		);
	}
	process.stdout.write(`  ${'the rest'.padEnd(24)} ${((fitMs - timed) / 1000).toFixed(2).padStart(7)} s ${percent(fitMs - timed, fitMs)}\n`);
}

/** Wraps WorkerPool.run to add up the wall time of each command's dispatches. */
function timeDispatches(): Map<string, { ms: number; dispatches: number }> {
	const names = new Map<number, string>(Object.entries(COMMAND).map(([name, code]) => [code, name]));
	const spent = new Map<string, { ms: number; dispatches: number }>();
	const run = WorkerPool.prototype.run;
	WorkerPool.prototype.run = function (this: WorkerPool, command: number, tasks: number, parallel?: boolean): void {
		const started = process.hrtime.bigint();
		run.call(this, command, tasks, parallel);
		const name = `${names.get(command) ?? command}${parallel === false ? ' (1)' : ''}`;
		const entry = spent.get(name) ?? { ms: 0, dispatches: 0 };
		entry.ms += Number(process.hrtime.bigint() - started) / 1e6;
		entry.dispatches++;
		spent.set(name, entry);
	};
	return spent;
}

function percent(part: number, whole: number): string {
	return `${((100 * part) / whole).toFixed(1).padStart(5)}%`;
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
