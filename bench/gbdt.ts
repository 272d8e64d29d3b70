/**
 * Boosted trees against XGBoost 1.7 `hist`, on the same CSV files, in one command:
 *
 *   node dist/bench/gbdt.js [--rows 100000,1000000] [--test-rows 100000] [--trees 200]
 *                           [--repeat 1] [--seed 1] [--out bench-output/gbdt]
 *
 * For each training size it draws oracle data (test/support/gbdtOracle.ts: 30 numeric features, some
 * missing), writes train and test CSV files, then runs each side in its own process: ours
 * (this file with --fit) and XGBoost (bench/xgboost_reference.py, /usr/bin/python3). Both time
 * only the fit (not CSV parsing), with 200 trees, depth 6, learning rate 0.1, 256 bins
 * (ours: 255 value bins + missing), lambda 1, min child weight 1, no subsampling, no early
 * stopping, 2 threads, and the training base rate as base score. It prints fit-time ratios,
 * test AUCs and our peak memory against the targets: fit <= 1.5x XGBoost's, test AUC at most
 * 0.003 below XGBoost's (100,000 rows), peak RSS <= 1.5 GB (1,000,000 rows).
 * With --repeat N each side runs N times, alternating, and the fastest fit counts (the
 * machine is shared, so the minimum is the least noisy estimate).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { trainGbdt, type GbdtOptions } from '../core/learn/gbdt';
import type { LabelledDataset } from '../core/learn/dataset';
import { oracleData } from '../test/support/gbdtOracle';
import { auc } from '../core/evaluate/auc';

/** Issue 18's targets: at most 1.1x XGBoost's fit time at 100,000 rows, 1.0x at 1,000,000. */
const targetFitRatio = (rows: number): number => (rows >= 1_000_000 ? 1.0 : 1.1);
const TARGET_AUC_GAP = 0.003;
const TARGET_PEAK_MB = 1536;

/** The settings both sides use (XGBoost's are in xgboost_reference.py's arguments and defaults). */
function benchOptions(trees: number): GbdtOptions {
	return {
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
	};
}

interface SideResult {
	fitSeconds: number;
	auc: number;
	peakRssMb: number;
	predictSeconds?: number;
	predictRows?: number;
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			rows: { type: 'string', default: '100000,1000000' },
			'test-rows': { type: 'string', default: '100000' },
			trees: { type: 'string', default: '200' },
			repeat: { type: 'string', default: '1' },
			seed: { type: 'string', default: '1' },
			out: { type: 'string', default: path.join('bench-output', 'gbdt') },
			fit: { type: 'string' },
			test: { type: 'string' },
		},
	});
	const trees = Number(values.trees);
	if (values.fit && values.test) {
		// Child mode: our side of one comparison.
		process.stdout.write(`${JSON.stringify(await fitOurs(values.fit, values.test, trees))}\n`);
		return;
	}
	const sizes = values.rows.split(',').map(Number);
	const testRows = Number(values['test-rows']);
	const repeat = Math.max(1, Number(values.repeat));
	const seed = Number(values.seed);
	fs.mkdirSync(values.out, { recursive: true });
	const testFile = path.join(values.out, `test-${testRows}.csv`);
	writeCsv(testFile, oracleData(testRows, seed + 1000).data);

	const lines: string[] = [];
	for (const rows of sizes) {
		const trainFile = path.join(values.out, `train-${rows}.csv`);
		writeCsv(trainFile, oracleData(rows, seed).data);
		let ours: SideResult | undefined;
		let theirs: SideResult | undefined;
		const runs = { ours: [] as number[], theirs: [] as number[] };
		for (let run = 0; run < repeat; run++) {
			const a = runOurs(trainFile, testFile, trees);
			const b = runXgboost(trainFile, testFile, trees);
			runs.ours.push(a.fitSeconds);
			runs.theirs.push(b.fitSeconds);
			process.stderr.write(
				`${rows} rows, run ${run + 1}: ours ${a.fitSeconds.toFixed(2)} s, XGBoost ${b.fitSeconds.toFixed(2)} s (load ${os.loadavg()[0].toFixed(1)})\n`,
			);
			if (!ours || a.fitSeconds < ours.fitSeconds) ours = { ...a, peakRssMb: Math.max(a.peakRssMb, ours?.peakRssMb ?? 0) };
			else ours.peakRssMb = Math.max(ours.peakRssMb, a.peakRssMb);
			if (!theirs || b.fitSeconds < theirs.fitSeconds) theirs = b;
		}
		if (!ours || !theirs) continue;
		lines.push(report(rows, ours, theirs, runs));
	}
	process.stdout.write(
		`\nBoosted trees vs XGBoost ${xgboostVersion()} hist: ${trees} trees, depth 6, learning rate 0.1, 256 bins, 2 threads, ${testRows.toLocaleString('en-US')} test rows\n`,
	);
	// The machine may be shared: a high load average means both sides ran slowed down.
	process.stdout.write(
		`load average at the end: ${os
			.loadavg()
			.map((v) => v.toFixed(1))
			.join(', ')} on ${os.availableParallelism()} cores\n`,
	);
	process.stdout.write(`${lines.join('\n')}\n`);
}

function report(rows: number, ours: SideResult, theirs: SideResult, runs: { ours: number[]; theirs: number[] }): string {
	const ratio = ours.fitSeconds / theirs.fitSeconds;
	const gap = theirs.auc - ours.auc;
	const target = targetFitRatio(rows);
	const checks = [`fit ratio ${ratio.toFixed(2)} ${ratio <= target ? 'ok' : 'MISSED'} (target <= ${target.toFixed(1)})`];
	const spread = (side: number[]) => `${side.map((s) => s.toFixed(2)).join(', ')} s, spread ${(Math.max(...side) / Math.min(...side)).toFixed(2)}x`;
	if (rows <= 100_000)
		checks.push(
			`AUC ${gap > 0 ? `${gap.toFixed(4)} below` : `${(-gap).toFixed(4)} above`} XGBoost's ${gap <= TARGET_AUC_GAP ? 'ok' : 'MISSED'} (target: at most ${TARGET_AUC_GAP} below)`,
		);
	if (rows >= 1_000_000)
		checks.push(`peak RSS ${ours.peakRssMb.toFixed(0)} MB ${ours.peakRssMb <= TARGET_PEAK_MB ? 'ok' : 'MISSED'} (target <= ${TARGET_PEAK_MB} MB)`);
	const predictRate =
		ours.predictSeconds && ours.predictRows ? `; predict ${ours.predictRows.toLocaleString('en-US')} rows in ${ours.predictSeconds.toFixed(2)} s` : '';
	return [
		`${rows.toLocaleString('en-US')} training rows:`,
		`  fit (fastest of ${runs.ours.length}): ours ${ours.fitSeconds.toFixed(2)} s, XGBoost ${theirs.fitSeconds.toFixed(2)} s, ratio ${ratio.toFixed(2)}`,
		`  runs: ours ${spread(runs.ours)}; XGBoost ${spread(runs.theirs)}`,
		`  test AUC: ours ${ours.auc.toFixed(4)}, XGBoost ${theirs.auc.toFixed(4)}, difference ${(-gap).toFixed(4)}`,
		`  our peak RSS ${ours.peakRssMb.toFixed(0)} MB (XGBoost ${theirs.peakRssMb.toFixed(0)} MB)${predictRate}`,
		`  ${checks.join('; ')}`,
	].join('\n');
}

function runOurs(trainFile: string, testFile: string, trees: number): SideResult {
	return runJson(process.execPath, [__filename, '--fit', trainFile, '--test', testFile, '--trees', String(trees)]);
}

function runXgboost(trainFile: string, testFile: string, trees: number): SideResult {
	const script = path.resolve(__dirname, '..', '..', 'bench', 'xgboost_reference.py');
	return runJson('/usr/bin/python3', [
		script,
		trainFile,
		testFile,
		'--trees',
		String(trees),
		'--depth',
		'6',
		'--eta',
		'0.1',
		'--max-bin',
		'256',
		'--nthread',
		'2',
	]);
}

function runJson(command: string, args: string[]): SideResult {
	const run = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
	if (run.status !== 0) throw new Error(`${path.basename(args[0])} failed (${run.status}): ${run.stderr}`);
	return JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as SideResult;
}

function xgboostVersion(): string {
	const run = spawnSync('/usr/bin/python3', ['-c', 'import xgboost; print(xgboost.__version__)'], { encoding: 'utf8' });
	return run.stdout.trim() || '(unknown version)';
}

/** Our side: read the CSVs, train (timed), score the test rows and the training rows (timed). */
async function fitOurs(trainFile: string, testFile: string, trees: number): Promise<SideResult> {
	const train = readCsv(trainFile);
	const test = readCsv(testFile);
	const started = process.hrtime.bigint();
	const model = await trainGbdt(train, benchOptions(trees), { seed: 1 });
	const fitSeconds = Number(process.hrtime.bigint() - started) / 1e9;
	const testAuc = auc(test.label, model.predictRaw(test));
	const predictStarted = process.hrtime.bigint();
	model.predictRaw(train);
	const predictSeconds = Number(process.hrtime.bigint() - predictStarted) / 1e9;
	return { fitSeconds, auc: testAuc, peakRssMb: process.resourceUsage().maxRSS / 1024, predictSeconds, predictRows: train.rows };
}

/** A value as short text that reads back as the same float32. */
function formatValue(value: number): string {
	if (Number.isNaN(value)) return 'nan';
	const short = String(Math.round(value * 1000) / 1000);
	return Math.fround(Number(short)) === value ? short : String(value);
}

function writeCsv(file: string, data: LabelledDataset): void {
	const fd = fs.openSync(file, 'w');
	try {
		fs.writeSync(fd, `${[...data.featureNames, 'label'].join(',')}\n`);
		const block = 20_000;
		for (let start = 0; start < data.rows; start += block) {
			const lines: string[] = [];
			for (let r = start; r < Math.min(data.rows, start + block); r++) {
				const fields = data.columns.map((column) => formatValue(column[r]));
				fields.push(String(data.label[r]));
				lines.push(fields.join(','));
			}
			fs.writeSync(fd, `${lines.join('\n')}\n`);
		}
	} finally {
		fs.closeSync(fd);
	}
}

/** Reads a CSV written by writeCsv straight into float32 columns, a block of the file at a time. */
function readCsv(file: string): LabelledDataset {
	const rows = countLines(file) - 1;
	const fd = fs.openSync(file, 'r');
	const chunk = Buffer.alloc(16 << 20);
	let carry = '';
	let header: string[] | undefined;
	let columns: Float32Array[] = [];
	const label = new Uint8Array(rows);
	let row = 0;
	const take = (line: string): void => {
		if (line.length === 0) return;
		const fields = line.split(',');
		if (!header) {
			header = fields;
			columns = fields.slice(0, -1).map(() => new Float32Array(rows));
			return;
		}
		for (let f = 0; f < columns.length; f++) columns[f][row] = fields[f] === 'nan' ? NaN : Number(fields[f]);
		label[row++] = Number(fields[fields.length - 1]);
	};
	try {
		for (;;) {
			const read = fs.readSync(fd, chunk, 0, chunk.length, null);
			if (read === 0) break;
			const lines = (carry + chunk.toString('latin1', 0, read)).split('\n');
			carry = lines.pop() ?? '';
			for (const line of lines) take(line);
		}
		take(carry);
	} finally {
		fs.closeSync(fd);
	}
	if (!header || row !== rows) throw new Error(`${file} has ${row} data rows, expected ${rows}`);
	return { rows, featureNames: header.slice(0, -1), columns, label };
}

/** Lines in a file (its newline count, plus one if the last line has none). */
function countLines(file: string): number {
	const fd = fs.openSync(file, 'r');
	const chunk = Buffer.alloc(16 << 20);
	let lines = 0;
	let last = 10;
	try {
		for (;;) {
			const read = fs.readSync(fd, chunk, 0, chunk.length, null);
			if (read === 0) break;
			for (let i = 0; i < read; i++) if (chunk[i] === 10) lines++;
			last = chunk[read - 1];
		}
	} finally {
		fs.closeSync(fd);
	}
	return last === 10 ? lines : lines + 1;
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exit(1);
});
