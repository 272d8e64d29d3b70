/**
 * Load throughput against the floor: for CSV and NDJSON files of about 1,000,000 simulated
 * events, the time loadEvents takes next to the time it takes just to read the same file and
 * split its lines (the least any loader must do), as a ratio. Rounds alternate floor and load
 * so both see the same machine load; the best round of each is reported, in wall-clock time
 * and in CPU time (which other work on a busy machine disturbs less).
 *
 * The CSV file is also loaded by DuckDB (its node package, a development dependency used only
 * here, 2 threads): `read_csv` into a table, timed from opening the database to the table being
 * filled, alternating with our load. Target: our load at most 1.5x DuckDB's time. Our CSV load
 * reads the file's second half on a worker thread (core/events/parallelCsv.ts); the report says
 * in how many loads that half was kept.
 *
 * Run: node dist/bench/load.js [events] [rounds]   (defaults 1000000 and 3)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadEvents } from '../core/events/load';
import { parallelCsvOutcomes } from '../core/events/parallelCsv';
import { profilesForEvents, writeSimulation } from '../core/simulate';

/** Reads the file in 1 MiB chunks, decodes UTF-8 and cuts it into lines: the floor. */
async function readAndSplit(file: string): Promise<number> {
	const decoder = new StringDecoder('utf8');
	let rest = '';
	let lines = 0;
	let chars = 0;
	for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
		const text = rest + decoder.write(chunk as Buffer);
		let pos = 0;
		for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', pos)) {
			const line = text.slice(pos, end);
			chars += line.length;
			lines++;
			pos = end + 1;
		}
		rest = text.slice(pos);
	}
	if (rest.length) lines++;
	// Using `chars` keeps the slices from being optimised away.
	return chars >= 0 ? lines : -1;
}

const TARGET_DUCKDB_RATIO = 1.5;

/** DuckDB reads the CSV into a table (in memory, 2 threads); returns the rows it loaded. */
async function duckdbLoad(file: string): Promise<number> {
	const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
	const connection = await instance.connect();
	try {
		const escaped = file.replace(/'/g, "''");
		await connection.run(`CREATE TABLE events AS SELECT * FROM read_csv('${escaped}', header = true)`);
		const count = await connection.runAndReadAll('SELECT count(*) FROM events');
		return Number(count.getRows()[0][0]);
	} finally {
		connection.closeSync();
		instance.closeSync();
	}
}

/**
 * CPU milliseconds the calling (main) thread has used, from Linux's per-thread counters (10 ms
 * ticks), or NaN elsewhere. With the second half on a worker, this thread is the critical path:
 * on a quiet machine the load takes about this long.
 */
function callingThreadCpuMs(): number {
	try {
		const stat = fs.readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
	} catch {
		return NaN;
	}
}

interface Timing<T> {
	/** Wall-clock milliseconds. */
	ms: number;
	/** Process CPU milliseconds (user + system, all threads): steadier than wall time on a busy machine. */
	cpuMs: number;
	/** CPU milliseconds of the calling thread alone (NaN where unknown). */
	threadCpuMs: number;
	result: T;
}

async function timed<T>(work: () => Promise<T>): Promise<Timing<T>> {
	const cpu = process.cpuUsage();
	const thread = callingThreadCpuMs();
	const start = process.hrtime.bigint();
	const result = await work();
	const used = process.cpuUsage(cpu);
	return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000, threadCpuMs: callingThreadCpuMs() - thread, result };
}

async function main(): Promise<void> {
	const events = Number(process.argv[2] ?? 1_000_000);
	const rounds = Number(process.argv[3] ?? 3);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propensity-bench-load-'));
	try {
		const profiles = profilesForEvents(events, { seed: 1 });
		console.log(
			`Load benchmark: ${events.toLocaleString('en-US')} events requested (${profiles.toLocaleString('en-US')} simulated customers, seed 1), ${rounds} rounds, best of each.`,
		);
		console.log(
			`Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} (other work makes timings noisy; ratios are measured side by side).`,
		);
		console.log('');
		console.log('format   events      MB   floor ms  load ms  events/s   ratio  | floor cpu  load cpu  cpu ratio');
		const duckdbLines: string[] = [];
		for (const format of ['csv', 'ndjson'] as const) {
			const file = path.join(dir, `events.${format}`);
			const written = await writeSimulation({ profiles, seed: 1, format, out: file });
			const best = { floor: Infinity, load: Infinity, floorCpu: Infinity, loadCpu: Infinity };
			const runs = { load: [] as number[], duckdb: [] as number[], loadCpu: [] as number[], loadThreadCpu: [] as number[], waited: [] as number[] };
			let loaded = 0;
			const keptBefore = parallelCsvOutcomes.kept;
			for (let round = 0; round < rounds; round++) {
				const floor = await timed(() => readAndSplit(file));
				const waitedBefore = parallelCsvOutcomes.waitedMs;
				const load = await timed(() => loadEvents({ kind: 'file', path: file }, { badRows: 'fail' }));
				runs.waited.push(parallelCsvOutcomes.waitedMs - waitedBefore);
				runs.load.push(load.ms);
				runs.loadCpu.push(load.cpuMs);
				runs.loadThreadCpu.push(load.threadCpuMs);
				if (format === 'csv') {
					const duck = await timed(() => duckdbLoad(file));
					if (duck.result !== written.events) throw new Error(`DuckDB loaded ${duck.result} rows of ${written.events}`);
					runs.duckdb.push(duck.ms);
				}
				best.floor = Math.min(best.floor, floor.ms);
				best.floorCpu = Math.min(best.floorCpu, floor.cpuMs);
				best.load = Math.min(best.load, load.ms);
				best.loadCpu = Math.min(best.loadCpu, load.cpuMs);
				loaded = load.result.table.length;
				if (loaded !== written.events) throw new Error(`loaded ${loaded} events of ${written.events}`);
			}
			const workerHalves = parallelCsvOutcomes.kept - keptBefore;
			const rate = Math.round(loaded / (best.load / 1000));
			const pad = (value: string, width: number) => value.padStart(width);
			console.log(
				`${format.padEnd(8)} ${pad(loaded.toLocaleString('en-US'), 9)} ${pad((written.bytes / 1e6).toFixed(0), 6)} ${pad(best.floor.toFixed(0), 9)} ${pad(best.load.toFixed(0), 8)} ${pad(rate.toLocaleString('en-US'), 9)} ${pad(`${(best.load / best.floor).toFixed(2)}x`, 7)}  | ${pad(best.floorCpu.toFixed(0), 9)} ${pad(best.loadCpu.toFixed(0), 9)} ${pad(`${(best.loadCpu / best.floorCpu).toFixed(2)}x`, 10)}`,
			);
			if (runs.duckdb.length > 0) duckdbLines.push(duckdbReport(format, runs, workerHalves));
		}
		console.log('');
		for (const line of duckdbLines) console.log(line);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

/** Ours against DuckDB: fastest of each side, the runs, the ratio and the target. */
function duckdbReport(
	format: string,
	runs: { load: number[]; duckdb: number[]; loadCpu: number[]; loadThreadCpu: number[]; waited: number[] },
	workerHalves: number,
): string {
	const { load: ours, duckdb } = runs;
	const fastest = (runs: number[]) => Math.min(...runs);
	const runsText = (runs: number[]) => `${runs.map((ms) => ms.toFixed(0)).join(', ')} ms, spread ${(Math.max(...runs) / fastest(runs)).toFixed(2)}x`;
	const ratio = fastest(ours) / fastest(duckdb);
	return [
		`${format} into a table, ours against DuckDB (node, 2 threads, read_csv into a table), fastest of ${ours.length} alternating runs:`,
		`  ours ${fastest(ours).toFixed(0)} ms (runs ${runsText(ours)}; second half read by a worker thread in ${workerHalves} of ${ours.length}); DuckDB ${fastest(duckdb).toFixed(0)} ms (runs ${runsText(duckdb)})`,
		`  ours in CPU time, fastest: ${Math.min(...runs.loadCpu).toFixed(0)} ms for the process, ${Math.min(...runs.loadThreadCpu).toFixed(0)} ms for the calling thread (the critical path)`,
		// Long waits say the worker's share is too large for this machine; none, that it could be larger.
		`  the calling thread waited for the worker's half: ${runs.waited.map((ms) => ms.toFixed(0)).join(', ')} ms`,
		`  ratio ${ratio.toFixed(2)}x (target ≤ ${TARGET_DUCKDB_RATIO}x: ${ratio <= TARGET_DUCKDB_RATIO ? 'met' : 'NOT met'})`,
	].join('\n');
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
