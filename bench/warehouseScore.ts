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
 * It prints both times, the ratio (warehouse / in process) and both peak RSS figures.
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
import { openEvents } from '../core/warehouse/client';
import type { WarehouseSource } from '../core/warehouse/source';
import { engines, type ShopAttribute, shopColumns, shopRow, type TestRow, writeRows } from '../test/warehouse/support';
import { createClusterTable, testClickHouse } from '../test/support/clickhouse';
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

interface PathFigures {
	readonly seconds: number;
	readonly peakMb: number;
	readonly scored: number;
	/** Warehouse path: seconds spent writing the scores back. */
	readonly writeSeconds?: number;
}

/** One path, in this (child) process: prints its figures as JSON on the last line. */
async function child(which: 'warehouse' | 'memory', source: WarehouseSource, modelFile: string): Promise<void> {
	const model = parseModel(fs.readFileSync(modelFile, 'utf8'));
	const started = performance.now();
	const { client, columns: mapped } = await openEvents(source);
	let scored: number;
	let writeStarted: number | undefined;
	try {
		if (which === 'warehouse') {
			await client.command('DROP TABLE IF EXISTS bench_scores', []);
			// When the write-back starts: the time before it is the features' aggregation and the scoring.
			const hooks = {
				onProgress: (progress: { stage: string }) => {
					if (progress.stage.startsWith('writing') && writeStarted === undefined) writeStarted = performance.now();
				},
			};
			scored = (await scoreWarehouse(client, mapped, model, { scoresTable: 'bench_scores' }, hooks)).written;
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
		...(writeStarted === undefined ? {} : { writeSeconds: (ended - writeStarted) / 1000 }),
	};
	console.log(JSON.stringify(figures));
}

function runChild(which: 'warehouse' | 'memory', source: WarehouseSource, modelFile: string): PathFigures {
	const result = spawnSync(process.execPath, [__filename, '--child', which, JSON.stringify(source), modelFile], { encoding: 'utf8', maxBuffer: 1 << 26 });
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
	return {
		engine: 'clickhouse',
		host: cluster.host,
		port: cluster.nodes[0].httpPort,
		user: cluster.user,
		password: cluster.password,
		database: 'default',
		table: name,
	};
}

async function main(): Promise<void> {
	const target = Number(process.argv[2] ?? 1_000_000);
	const historyDays = 180;
	const profiles = profilesForEvents(target, { seed: 1, historyDays });
	const rows: TestRow[] = [];
	const builder = new EventTableBuilder(attributes.map((name) => ({ name, kind: 'category' as const })));
	for (const event of simulateShop({ profiles, seed: 1, historyDays })) {
		rows.push(shopRow(event, attributes));
		builder.add(event.profileId, Math.floor(event.time / 1000) * 1000, event.type, event.value ?? NaN, [event.channel, event.device, event.country]);
	}
	console.log(`${rows.length.toLocaleString('en-US')} events of ${profiles.toLocaleString('en-US')} simulated customers`);
	const trained = await trainModel(builder.build().table, goal, { learner: 'gbdt', minPositives: 1, minNegatives: 1, seed: 1 });
	const modelFile = path.join(os.tmpdir(), `bench-model-${process.pid}.json`);
	fs.writeFileSync(modelFile, serializeModel(trained.model));
	console.log(
		`model: ${trained.model.features.mode === 'events' ? trained.model.features.declarations.length : 0} features, learner ${trained.summary.learner}`,
	);
	const sources = [];
	for (const engine of engines)
		sources.push(engine === 'postgres' ? await writeRows(engine, 'bench_score_events', columns, rows) : await writeClusterRows(rows));
	rows.length = 0;
	for (const source of sources) {
		const warehouse = runChild('warehouse', source, modelFile);
		const memory = runChild('memory', source, modelFile);
		console.log(
			`${source.engine}: ${warehouse.scored.toLocaleString('en-US')} profiles scored; into the warehouse ${warehouse.seconds.toFixed(1)} s (of which writing back ${(warehouse.writeSeconds ?? NaN).toFixed(1)} s; peak RSS ${warehouse.peakMb} MB); ` +
				`read out + scored in process ${memory.seconds.toFixed(1)} s (peak RSS ${memory.peakMb} MB, ${memory.scored.toLocaleString('en-US')} scored); ratio ${(warehouse.seconds / memory.seconds).toFixed(2)}x`,
		);
	}
	fs.rmSync(modelFile, { force: true });
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
