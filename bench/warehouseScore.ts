/**
 * Scoring into the warehouse against loading the events and scoring in process, on the test
 * ClickHouse cluster (two shards of Debian's 18.16 on this machine) and the test PostgreSQL.
 * Simulated shop events are written into both engines and a model is trained on them once (in
 * memory); then, for each engine, each path runs in a child process of its own, so each peak
 * RSS is that path's alone:
 * - warehouse: scoreWarehouse (features computed in the warehouse, probabilities in process
 *   from streamed batches, one row per profile appended to a scores table);
 * - in process: every event read out of the same table (streamed), the event table built,
 *   every eligible profile scored, the scores written to a CSV file.
 * It prints both times, the ratio (warehouse / in process), both peak RSS figures, and where
 * the warehouse path's time went: waiting for the feature query's first row, streaming the rest
 * of the rows, the work done on each row in process (final feature values and scoring), the
 * percentiles, writing the rows back, and swapping the run in.
 *
 * Above a million events, the simulated shop's first million events are written from here and
 * copied in the warehouse under new profile ids (`<id>~<k>`) until the count is reached: writing
 * 20 million events through a client would take the best part of an hour on this machine, and
 * the copies cost the engines what any other events of that count would. The model is trained
 * in memory on the first million.
 *
 * Run: node dist/bench/warehouseScore.js [events]   (default 1000000)
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventTableBuilder } from '../core/events/table';
import { parseModel, scoreProfiles, scoreWarehouse, serializeModel, trainModel, writeScoresFile } from '../core/pipeline';
import { profilesForEvents, simulateShop } from '../core/simulate';
import { type WarehouseClient, openEvents } from '../core/warehouse/client';
import type { WarehouseSource } from '../core/warehouse/source';
import { engines, type ShopAttribute, shopColumns, shopRow, type TestRow, withPostgres, writeRows } from '../test/warehouse/support';
import { clusterSource, createClusterTable, testClickHouse } from '../test/support/clickhouse';
import { createClient } from '@clickhouse/client';

const goal = {
	name: 'purchase-in-14-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 14, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	lookbackDays: 90,
	training: { cutoffs: 2, spacingDays: 14 },
};

const attributes: ShopAttribute[] = ['channel', 'device', 'country'];
const columns = shopColumns(attributes);

/**
 * This process's peak RSS (VmHWM): unlike getrusage's maxRSS, which a child started by the
 * parent inherits as a floor, it counts from this program's own start.
 */
function peakMb(): number {
	const line = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
	return line ? Math.round(Number(line[1]) / 1024) : Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Where the warehouse path's time went, in seconds. */
interface Steps {
	/** From sending the feature query to its first row: the aggregation, mostly. */
	firstRow: number;
	/** From the first row to the last, less the work done on the rows in process. */
	streaming: number;
	/** Inside the row callbacks: final feature values, batching and scoring. */
	inProcess: number;
	/** Inserting the rows (into the staging table on ClickHouse, in the transaction on PostgreSQL). */
	inserting: number;
	/** Every other statement after the rows arrived: the partition swap or DELETE and COMMIT, the staging table. */
	statements: number;
}

interface PathFigures {
	readonly seconds: number;
	readonly peakMb: number;
	readonly scored: number;
	readonly steps?: Steps;
}

/** The client, timing its calls into `steps`. */
function timedClient(client: WarehouseClient, steps: Steps): WarehouseClient {
	const since = (started: number) => (performance.now() - started) / 1000;
	return {
		...client,
		async each(sql, params, onRow) {
			const started = performance.now();
			let first: number | undefined;
			let inside = 0;
			await client.each(sql, params, (row) => {
				const t = performance.now();
				first ??= t;
				onRow(row);
				inside += performance.now() - t;
			});
			const ended = performance.now();
			steps.firstRow += ((first ?? ended) - started) / 1000;
			steps.streaming += (ended - (first ?? ended) - inside) / 1000;
			steps.inProcess += inside / 1000;
		},
		async eachCells(sql, params, where, onRow) {
			const started = performance.now();
			let first: number | undefined;
			let inside = 0;
			await client.eachCells(sql, params, where, (cells) => {
				const t = performance.now();
				first ??= t;
				onRow(cells);
				inside += performance.now() - t;
			});
			const ended = performance.now();
			steps.firstRow += ((first ?? ended) - started) / 1000;
			steps.streaming += (ended - (first ?? ended) - inside) / 1000;
			steps.inProcess += inside / 1000;
		},
		async insertJson(table, rows) {
			const started = performance.now();
			await client.insertJson(table, rows);
			steps.inserting += since(started);
		},
		async insertRows(table, names, count, rowAt) {
			const started = performance.now();
			await client.insertRows(table, names, count, rowAt);
			steps.inserting += since(started);
		},
		async command(sql, params) {
			const started = performance.now();
			await client.command(sql, params);
			// PostgreSQL's scores go in as INSERT statements (unnested arrays).
			if (/^INSERT /.test(sql)) steps.inserting += since(started);
			else steps.statements += since(started);
		},
	};
}

/** One path, in this (child) process: prints its figures as JSON on the last line. */
async function child(which: 'warehouse' | 'memory', source: WarehouseSource, modelFile: string): Promise<void> {
	const model = parseModel(fs.readFileSync(modelFile, 'utf8'));
	const started = performance.now();
	const { client, columns: mapped } = await openEvents(source);
	let scored: number;
	let steps: Steps | undefined;
	try {
		if (which === 'warehouse') {
			await client.command('DROP TABLE IF EXISTS bench_scores', []);
			steps = { firstRow: 0, streaming: 0, inProcess: 0, inserting: 0, statements: 0 };
			scored = (await scoreWarehouse(timedClient(client, steps), mapped, model, { scoresTable: 'bench_scores' })).written;
		} else {
			const builder = new EventTableBuilder(attributes.map((name) => ({ name, kind: 'category' as const })));
			await client.each(`SELECT customer_id, ${mapped.timeMs} AS t, event_type, value, ${attributes.join(', ')} FROM ${mapped.table}`, [], (row) =>
				builder.add(
					String(row.customer_id),
					Number(row.t),
					String(row.event_type),
					row.value === null ? NaN : Number(row.value),
					attributes.map((name) => (row[name] === null ? undefined : String(row[name]))),
				),
			);
			const table = builder.build().table;
			const run = await scoreProfiles(table, model);
			const out = path.join(os.tmpdir(), `bench-scores-${process.pid}.csv`);
			await writeScoresFile(out, run.batches(4096), { factors: 0, attributes: run.summary.attributes });
			fs.rmSync(out, { force: true });
			scored = run.summary.scored;
		}
	} finally {
		await client.close();
	}
	const ended = performance.now();
	const figures: PathFigures = {
		seconds: (ended - started) / 1000,
		peakMb: peakMb(),
		scored,
		...(steps ? { steps } : {}),
	};
	console.log(JSON.stringify(figures));
}

function runChild(which: 'warehouse' | 'memory', source: WarehouseSource, modelFile: string): PathFigures {
	// The children take this process's node flags, so `node --cpu-prof dist/bench/warehouseScore.js` profiles each path.
	const args = [...process.execArgv, __filename, '--child', which, JSON.stringify(source), modelFile];
	const result = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
	if (result.status !== 0) throw new Error(`${which} path failed: ${result.stderr}`);
	const lines = result.stdout.trim().split('\n');
	return JSON.parse(lines[lines.length - 1]) as PathFigures;
}

/** The rows into a Distributed table on the test cluster, through ClickHouse's client, 50,000 at a time. */
async function writeClusterRows(rows: readonly TestRow[]): Promise<WarehouseSource> {
	const cluster = await testClickHouse();
	const name = 'bench_score_events';
	await createClusterTable(
		cluster,
		name,
		'customer_id String, timestamp DateTime, event_type String, value Nullable(Float64), channel Nullable(String), device Nullable(String), country Nullable(String)',
	);
	const client = createClient({
		url: `http://${cluster.host}:${cluster.nodes[0].httpPort}`,
		username: cluster.user,
		password: cluster.password,
		request_timeout: 600_000,
	});
	try {
		for (let from = 0; from < rows.length; from += 50_000) {
			const values = rows.slice(from, from + 50_000).map((row) => ({
				...row,
				timestamp: new Date(row.timestamp as number).toISOString().slice(0, 19).replace('T', ' '),
				value: row.value ?? null,
			}));
			await client.insert({ table: name, values, format: 'JSONEachRow', clickhouse_settings: { insert_distributed_sync: 1 } });
		}
	} finally {
		await client.close();
	}
	return clusterSource(cluster, name);
}

/** Events written from the client; beyond them the warehouse copies them (see the header). */
const writtenEvents = 1_000_000;

/** Copies the table's events `copies - 1` more times under new profile ids `<id>~<k>`, in the warehouse. */
async function copyEvents(source: WarehouseSource, copies: number): Promise<void> {
	if (copies <= 1) return;
	const list = ['timestamp', 'event_type', 'value', ...attributes].join(', ');
	if (source.engine === 'postgres') {
		await withPostgres(async (client) => {
			await client.query(
				`INSERT INTO ${source.table} (customer_id, ${list}) SELECT customer_id || '~' || k, ${list} FROM ${source.table}, generate_series(1, ${copies - 1}) AS k`,
			);
			await client.query(`ANALYZE ${source.table}`);
		});
		return;
	}
	// On each shard, from its own part: a copy stays on the shard of its original profile, whole.
	// One copy per statement, from the written events only (no '~' in their ids), each well within the test client's minute.
	const cluster = await testClickHouse();
	for (let n = 0; n < cluster.nodes.length; n++)
		for (let k = 1; k < copies; k++)
			await cluster.query(
				`INSERT INTO ${source.table}_local (customer_id, ${list}) SELECT concat(customer_id, '~${k}'), ${list} FROM ${source.table}_local WHERE position(customer_id, '~') = 0`,
				n,
			);
}

function seconds(value: number): string {
	return `${value.toFixed(1)} s`;
}

/** Where the warehouse path's time went, in words. */
function stepsText(figures: PathFigures): string {
	const steps = figures.steps;
	if (!steps) return '';
	const other = figures.seconds - steps.firstRow - steps.streaming - steps.inProcess - steps.inserting - steps.statements;
	return (
		`  feature query to its first row ${seconds(steps.firstRow)}, streaming the rows ${seconds(steps.streaming)}, in process (features, scoring) ${seconds(steps.inProcess)}, ` +
		`inserting the scores ${seconds(steps.inserting)}, other statements (swap or commit, staging) ${seconds(steps.statements)}, the rest (connect, checks, percentiles, rows built) ${seconds(other)}`
	);
}

async function main(): Promise<void> {
	const target = Number(process.argv[2] ?? 1_000_000);
	const historyDays = 180;
	const written = Math.min(target, writtenEvents);
	const profiles = profilesForEvents(written, { seed: 1, historyDays });
	const rows: TestRow[] = [];
	const builder = new EventTableBuilder(attributes.map((name) => ({ name, kind: 'category' as const })));
	for (const event of simulateShop({ profiles, seed: 1, historyDays })) {
		rows.push(shopRow(event, attributes));
		builder.add(event.profileId, Math.floor(event.time / 1000) * 1000, event.type, event.value ?? NaN, [event.channel, event.device, event.country]);
	}
	const copies = Math.max(1, Math.round(target / rows.length));
	console.log(
		`${(rows.length * copies).toLocaleString('en-US')} events of ${(profiles * copies).toLocaleString('en-US')} simulated customers` +
			(copies > 1 ? ` (${rows.length.toLocaleString('en-US')} written, copied ${copies} times in the warehouse)` : ''),
	);
	const trained = await trainModel(builder.build().table, goal, { learner: 'gbdt', minPositives: 1, minNegatives: 1, seed: 1 });
	const modelFile = path.join(os.tmpdir(), `bench-model-${process.pid}.json`);
	fs.writeFileSync(modelFile, serializeModel(trained.model));
	console.log(
		`model: ${trained.model.features.mode === 'events' ? trained.model.features.declarations.length : 0} features, learner ${trained.summary.learner}`,
	);
	// The model file goes whatever happens: a failed run left one in /tmp each time.
	try {
		const only = process.env.BENCH_ENGINE;
		const sources = [];
		// ClickHouse first: the engine the targets are set for.
		for (const engine of [...engines].reverse().filter((name) => !only || name === only)) {
			const source = engine === 'postgres' ? await writeRows(engine, 'bench_score_events', columns, rows) : await writeClusterRows(rows);
			const copyStarted = performance.now();
			await copyEvents(source, copies);
			if (copies > 1) console.log(`${engine}: events copied in ${seconds((performance.now() - copyStarted) / 1000)}`);
			sources.push(source);
		}
		rows.length = 0;
		for (const source of sources) {
			const warehouse = runChild('warehouse', source, modelFile);
			const memory = runChild('memory', source, modelFile);
			console.log(
				`${source.engine}: ${warehouse.scored.toLocaleString('en-US')} profiles scored; into the warehouse ${seconds(warehouse.seconds)} (peak RSS ${warehouse.peakMb} MB); ` +
					`read out + scored in process ${seconds(memory.seconds)} (peak RSS ${memory.peakMb} MB, ${memory.scored.toLocaleString('en-US')} scored); ratio ${(warehouse.seconds / memory.seconds).toFixed(2)}x`,
			);
			console.log(stepsText(warehouse));
		}
	} finally {
		fs.rmSync(modelFile, { force: true });
	}
	process.exit(0);
}

if (process.argv[2] === '--child') {
	child(process.argv[3] as 'warehouse' | 'memory', JSON.parse(process.argv[4]) as WarehouseSource, process.argv[5])
		.then(() => process.exit(0))
		.catch((error) => {
			console.error(error);
			process.exit(1);
		});
} else {
	main().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}
