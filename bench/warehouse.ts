/**
 * The warehouse path against the in-memory path, on the test ClickHouse cluster (two shards
 * of Debian's 18.16 on this machine) and the test PostgreSQL: simulated shop events are
 * written into both, then for each engine the whole `train`, each path in a process of its own
 * (so each peak RSS is that path's own):
 * - warehouse: readiness, statistics, feature declaration and one aggregation over all cutoffs
 *   in the warehouse (with the time spent per kind of statement), then training in process;
 * - in memory: reading every event out of the same table into an event table, then `train`
 *   on it (readiness, features, examples and training in this process);
 * printing for each the time and peak RSS until the examples are ready, the whole train's time
 * and peak RSS, the validation AUC, and whether both gave the same model bytes.
 *
 * Events are simulated and written in chunks; the in-memory side streams the table out into
 * an event table (as `load` does), so neither side holds the events as row objects.
 *
 * Run: node dist/bench/warehouse.js [events] [postgres|clickhouse] [--copies K] [--max-examples N] [--memory-budget MB]
 *   (default 1000000 events on both engines; the size is 20000000)
 *
 * With --copies K, events ÷ K are simulated and written, then the warehouse copies them K − 1
 * times under new profile ids (id~1, id~2 …): the same shop K times over, with K times the
 * profiles, written in minutes where simulating 20,000,000 events here would take an hour.
 */
import { createHash } from 'node:crypto';
import { EventTableBuilder } from '../core/events/table';
import { parseGoal } from '../core/goal';
import { profilesForEvents, simulateShop } from '../core/simulate';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type WarehouseClient, openEvents } from '../core/warehouse/client';
import type { WarehouseSource } from '../core/warehouse/source';
import { type TrainOutcome, type TrainSettings, trainModel, trainWarehouse } from '../core/pipeline';
import type { Progress } from '../core/util/progress';
import {
	type EngineName,
	appendRows,
	createTable,
	engines,
	type ShopAttribute,
	shopColumns,
	shopRow,
	type TestRow,
	withPostgres,
} from '../test/warehouse/support';
import { testClickHouse } from '../test/support/clickhouse';

const goal = parseGoal({
	name: 'purchase-in-14-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 14, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	lookbackDays: 90,
	training: { cutoffs: 4, spacingDays: 7 },
});

const attributes: ShopAttribute[] = ['channel', 'device', 'country'];
const columns = shopColumns(attributes);
const attributeNames = columns.slice(4).map((column) => column.name);

/** Time per statement kind: summed over its statements, and from the first one's start to the last one's end (statements may overlap). */
interface Spent {
	count: number;
	ms: number;
	first: number;
	last: number;
}

/** Time spent per statement kind (the statement's first words), to see where the warehouse path spends it. */
function timed(client: WarehouseClient, spent: Map<string, Spent>): WarehouseClient {
	const record = async <T>(sql: string, work: () => Promise<T>): Promise<T> => {
		const started = performance.now();
		try {
			return await work();
		} finally {
			const kind = sql.startsWith('SELECT propensity_k AS k, count(*)')
				? 'readiness, all cutoffs'
				: sql.includes('HAVING')
					? /ARRAY JOIN arrayFilter|CROSS JOIN \(VALUES/.test(sql)
						? 'examples, all cutoffs'
						: 'examples, one cutoff (the buy-till-you-die fit)'
					: sql.slice(0, 60);
			const entry = spent.get(kind) ?? { count: 0, ms: 0, first: started, last: started };
			const ended = performance.now();
			entry.count++;
			entry.ms += ended - started;
			entry.last = Math.max(entry.last, ended);
			spent.set(kind, entry);
		}
	};
	return {
		source: client.source,
		rows: (sql, params) => record(sql, () => client.rows(sql, params)),
		each: (sql, params, onRow) => record(sql, () => client.each(sql, params, onRow)),
		eachCells: (sql, params, where, onRow) => record(sql, () => client.eachCells(sql, params, where, onRow)),
		command: (sql, params) => record(sql, () => client.command(sql, params)),
		insertJson: (table, rows) => client.insertJson(table, rows),
		insertRows: (table, names, count, rowAt) => client.insertRows(table, names, count, rowAt),
		close: () => client.close(),
	};
}

const run = promisify(execFile);

/** Events simulated and written at a time. */
const chunkRows = 200_000;

function peakMb(): number {
	return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Copies the table's events `copies` − 1 times inside the warehouse, each copy under new profile ids (id~n). */
async function replicate(engine: EngineName, copies: number): Promise<void> {
	const names = columns.map((column) => column.name);
	const rest = names.slice(1).join(', ');
	if (engine === 'postgres') {
		await withPostgres((client) =>
			client.query(
				`INSERT INTO bench_events SELECT customer_id || '~' || n, ${rest} FROM bench_events CROSS JOIN generate_series(1, ${copies - 1}) AS n`,
			),
		);
		return;
	}
	const cluster = await testClickHouse();
	// The simulated events are first set apart in a table of their own on the node asked, then
	// copied one copy per statement (each well within the test client's time limit).
	await cluster.query('DROP TABLE IF EXISTS bench_seed');
	await cluster.query('CREATE TABLE bench_seed AS bench_events_local ENGINE = MergeTree() ORDER BY customer_id');
	await cluster.query('INSERT INTO bench_seed SELECT * FROM bench_events');
	for (let n = 1; n < copies; n++)
		await cluster.query(
			`INSERT INTO bench_events SELECT concat(customer_id, '~${n}') AS customer_id, ${rest} FROM bench_seed`,
			0,
			'insert_distributed_sync=1',
		);
	await cluster.query('DROP TABLE bench_seed');
	const [count] = (await cluster.query('SELECT count() FROM bench_events')).split('\n');
	console.log(`${Number(count).toLocaleString('en-US')} events in the ClickHouse table after copying`);
}

/** One path's figures on one line. */
function line(name: string, m: Measured): string {
	return (
		`${name}: examples ready ${m.ready.seconds.toFixed(1)} s (peak RSS ${m.ready.peakMb} MB, ${m.ready.rows.toLocaleString('en-US')} examples); ` +
		`whole train ${m.seconds.toFixed(1)} s, peak RSS ${m.peakMb} MB; ${m.trainingRows.toLocaleString('en-US')} training + ${m.validationRows.toLocaleString('en-US')} validation rows × ${m.features} features, ` +
		`sampled: ${m.sampled}; ${m.learner}, validation AUC ${m.auc === null ? 'n/a' : m.auc.toFixed(4)}`
	);
}

function trace(m: Measured): string {
	return m.stages.map((stage) => `${stage.stage} ${stage.rssMb}`).join(' → ');
}

async function main(): Promise<void> {
	const copiesAt = process.argv.indexOf('--copies');
	const copies = copiesAt >= 0 ? Number(process.argv[copiesAt + 1]) : 1;
	if (!(Number.isInteger(copies) && copies >= 1)) throw new Error(`--copies takes a whole number of at least 1, not ${process.argv[copiesAt + 1]}`);
	const [target, only] = [Number(process.argv[2] ?? 1_000_000), process.argv[3]?.startsWith('--') ? undefined : process.argv[3]];
	if (only !== undefined && !engines.includes(only as EngineName)) throw new Error(`the engine is postgres or clickhouse, not ${only}`);
	const benched = only === undefined ? engines : [only as EngineName];
	const historyDays = 180;
	const profiles = profilesForEvents(Math.round(target / copies), { seed: 1, historyDays });
	// Written in chunks as simulated, so the bench itself never holds every event.
	const sources = [];
	for (const engine of benched) sources.push(await createTable(engine, 'bench_events', columns));
	let rows: TestRow[] = [];
	let written = 0;
	const flush = async () => {
		for (const engine of benched) await appendRows(engine, 'bench_events', columns, rows);
		written += rows.length;
		rows = [];
	};
	for (const event of simulateShop({ profiles, seed: 1, historyDays })) {
		rows.push(shopRow(event, attributes));
		if (rows.length === chunkRows) await flush();
	}
	await flush();
	if (copies > 1) for (const engine of benched) await replicate(engine, copies);
	const copied =
		copies > 1
			? ` × ${copies} copies = ${(written * copies).toLocaleString('en-US')} events of ${(profiles * copies).toLocaleString('en-US')} profiles`
			: '';
	console.log(`${written.toLocaleString('en-US')} events of ${profiles.toLocaleString('en-US')} simulated customers${copied}`);
	console.log(`peak RSS after simulating and writing: ${peakMb()} MB (each path below runs in a process of its own)`);
	for (const source of sources) {
		const warehouse = await inChild('warehouse', source);
		console.log(`${source.engine}: where the warehouse path spent its time:`);
		for (const { kind, count, seconds, spanSeconds } of warehouse.breakdown) {
			const span = count > 1 ? ` (first start to last end: ${spanSeconds.toFixed(2)} s)` : '';
			console.log(`  ${seconds.toFixed(2).padStart(7)} s  ${String(count).padStart(3)}×  ${kind}${span}`);
		}
		const statements = warehouse.breakdown.reduce((total, entry) => total + entry.count, 0);
		const inStatements = warehouse.breakdown.reduce((total, entry) => total + entry.seconds, 0);
		console.log(
			`  ${inStatements.toFixed(2).padStart(7)} s  ${String(statements).padStart(3)}×  in all (after connecting and reading the columns; statements that run at once each count)`,
		);
		console.log(`  ${warehouse.beforeExamples.toFixed(2).padStart(7)} s        from the start until the examples' first statement`);
		console.log(`${source.engine}: ${line('warehouse', warehouse)}`);
		console.log(`    RSS trace (MB, highest per stage): ${trace(warehouse)}`);
		const memory = await inChild('memory', source);
		console.log(`${source.engine}: ${line('read out + in memory', memory)}`);
		console.log(`    RSS trace (MB, highest per stage): ${trace(memory)}`);
		console.log(
			`  ratios, warehouse ÷ in memory: examples ready ${(warehouse.ready.seconds / memory.ready.seconds).toFixed(2)}x (target ≤ 0.5x on ClickHouse), ` +
				`whole train ${(warehouse.seconds / memory.seconds).toFixed(2)}x; warehouse peak RSS ${warehouse.peakMb} MB (target ≤ 500 MB); ` +
				`same model: ${warehouse.modelHash === memory.modelHash}`,
		);
	}
	process.exit(0);
}

interface Measured {
	/** Until the examples were ready (readiness, features, examples), and the peak RSS by then. */
	readonly ready: { readonly seconds: number; readonly peakMb: number; readonly rows: number };
	/** The whole train: examples, fitting, calibration, report. */
	readonly seconds: number;
	readonly peakMb: number;
	readonly features: number;
	readonly trainingRows: number;
	readonly validationRows: number;
	readonly learner: string;
	readonly auc: number | null;
	readonly sampled: string;
	readonly modelHash: string;
	/** The highest RSS in each stage, in order (a stage met again is listed again). */
	readonly stages: { stage: string; rssMb: number }[];
	readonly breakdown: { kind: string; count: number; seconds: number; spanSeconds: number }[];
	/** Seconds from the start until the examples' first statement (readiness, statistics and the buy-till-you-die fit; 0 in memory). */
	readonly beforeExamples: number;
}

/** Runs one path in a fresh process, so its peak RSS is its own (not the simulation's or the other path's). */
async function inChild(side: 'warehouse' | 'memory', source: WarehouseSource): Promise<Measured> {
	const { stdout } = await run(process.execPath, [__filename, '--child', side], {
		env: { ...process.env, PROPENSITY_BENCH_SOURCE: JSON.stringify(source), PROPENSITY_BENCH_SETTINGS: JSON.stringify(trainSettings(process.argv)) },
		maxBuffer: 16 * 1024 * 1024,
	});
	return JSON.parse(stdout.trim().split('\n').pop() as string) as Measured;
}

/** Training settings both paths get, from the command line (--max-examples N, --memory-budget MB). */
function trainSettings(argv: readonly string[]): TrainSettings {
	const option = (name: string) => {
		const at = argv.indexOf(name);
		return at >= 0 ? Number(argv[at + 1]) : undefined;
	};
	const maxExamples = option('--max-examples');
	const memoryBudgetMb = option('--memory-budget');
	return { minPositives: 1, minNegatives: 1, ...(maxExamples ? { maxExamples } : {}), ...(memoryBudgetMb ? { memoryBudgetMb } : {}) };
}

/** The child: one path over the table the parent wrote, the whole `train`; prints its measurements as JSON. */
async function child(side: string): Promise<void> {
	const source = JSON.parse(process.env.PROPENSITY_BENCH_SOURCE as string) as WarehouseSource;
	const settings = JSON.parse(process.env.PROPENSITY_BENCH_SETTINGS as string) as TrainSettings;
	const opened = await openEvents(source);
	const spent = new Map<string, Spent>();
	const client = timed(opened.client, spent);
	const mapped = opened.columns;
	try {
		const started = performance.now();
		let ready: { seconds: number; peakMb: number; rows: number } | undefined;
		// The RSS trace: the highest RSS seen in each stage of the work, read at each progress report and every 100 ms.
		const stages: { stage: string; rssMb: number }[] = [
			{ stage: side === 'warehouse' ? 'readiness, statistics, examples' : 'reading events, examples', rssMb: 0 },
		];
		const sampleRss = () => {
			const current = stages[stages.length - 1];
			current.rssMb = Math.max(current.rssMb, Math.round(process.memoryUsage.rss() / 2 ** 20));
		};
		const timer = setInterval(sampleRss, 100);
		// Training announces its examples before it splits them: the time and peak until then.
		const hooks = {
			onProgress: (progress: Progress) => {
				sampleRss();
				if (progress.stage === 'examples ready' && !ready)
					ready = { seconds: (performance.now() - started) / 1000, peakMb: peakMb(), rows: progress.done };
				const stage = progress.stage === 'training' ? 'boosted trees' : progress.stage;
				if (stage !== stages[stages.length - 1].stage) stages.push({ stage, rssMb: 0 });
				sampleRss();
			},
		};
		let outcome: TrainOutcome;
		if (side === 'warehouse') {
			outcome = await trainWarehouse(client, mapped, goal, settings, hooks);
		} else {
			const builder = new EventTableBuilder(attributeNames.map((name) => ({ name, kind: 'category' as const })));
			// Streamed: the reference holds the event table, never every row as an object.
			await client.each(`SELECT customer_id, ${mapped.timeMs} AS t, event_type, value, ${attributeNames.join(', ')} FROM ${mapped.table}`, [], (row) =>
				builder.add(
					String(row.customer_id),
					Number(row.t),
					String(row.event_type),
					row.value === null ? NaN : Number(row.value),
					attributeNames.map((name) => (row[name] === null ? undefined : String(row[name]))),
				),
			);
			outcome = await trainModel(builder.build().table, goal, settings, hooks);
		}
		clearInterval(timer);
		const seconds = (performance.now() - started) / 1000;
		const breakdown = [...spent]
			.sort((a, b) => b[1].ms - a[1].ms)
			.map(([kind, { count, ms, first, last }]) => ({ kind, count, seconds: ms / 1000, spanSeconds: (last - first) / 1000 }));
		const examplesStarted = spent.get('examples, all cutoffs')?.first;
		const { summary, model } = outcome;
		const measured: Measured = {
			ready: ready ?? { seconds, peakMb: peakMb(), rows: NaN },
			seconds,
			peakMb: peakMb(),
			features: summary.features,
			trainingRows: summary.trainingRows,
			validationRows: summary.validationRows,
			learner: summary.learner,
			auc: summary.auc,
			sampled: model.sample
				? `${model.sample.positives.kept + model.sample.negatives.kept} of ${model.sample.positives.eligible + model.sample.negatives.eligible} rows`
				: 'no',
			modelHash: createHash('sha256').update(outcome.modelText).digest('hex').slice(0, 16),
			stages: stages.filter((stage, i) => i === 0 || stage.stage !== stages[i - 1].stage),
			breakdown,
			beforeExamples: examplesStarted === undefined ? 0 : (examplesStarted - started) / 1000,
		};
		console.log(JSON.stringify(measured));
	} finally {
		await client.close();
	}
}

const childAt = process.argv.indexOf('--child');
(childAt >= 0 ? child(process.argv[childAt + 1]).then(() => process.exit(0)) : main()).catch((error) => {
	console.error(error);
	process.exit(1);
});
