/**
 * The warehouse path against the in-memory path, on the test ClickHouse cluster (two shards
 * of Debian's 18.16 on this machine) and the test PostgreSQL: simulated shop events are
 * written into both, then for each engine
 * - warehouse: the time until the training examples are ready (readiness, statistics,
 *   feature declaration and one aggregation per cutoff, all in the warehouse);
 * - in memory: reading every event out of the same table, building the event table, then
 *   readiness, features and examples in this process;
 * and the peak RSS of this process after each (the warehouse path runs first, so its
 * figure is its own). Training itself is the same code on the same examples either way.
 *
 * Events are simulated and written in chunks; the in-memory side streams the table out into
 * an event table (as `load` does), so neither side holds the events as row objects.
 *
 * Run: node dist/bench/warehouse.js [events]   (default 1000000; the size is 20000000)
 */
import { EventTableBuilder } from '../core/events/table';
import { buildExamples, generateFeatures, planCutoffs } from '../core/features';
import { declareFeatures } from '../core/features/generate';
import { buildWarehouseExamples, warehouseDataRange } from '../core/warehouse/examples';
import { parseGoal } from '../core/goal';
import { assessReadiness } from '../core/features/readiness';
import { profilesForEvents, simulateShop } from '../core/simulate';
import { type WarehouseClient, openEvents } from '../core/warehouse/client';
import { planTrainingInRange } from '../core/features/cutoffs';
import { warehouseFeatureStats } from '../core/warehouse/stats';
import { profilesBy } from '../core/warehouse/data';
import { assessWarehouse } from '../core/pipeline';
import { appendRows, createTable, engines, type TestColumn, type TestRow } from '../test/warehouse/support';

const goal = parseGoal({
	name: 'purchase-in-14-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 14, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	lookbackDays: 90,
	training: { cutoffs: 4, spacingDays: 7 },
});

const columns: TestColumn[] = [
	{ name: 'customer_id', kind: 'text' },
	{ name: 'timestamp', kind: 'time' },
	{ name: 'event_type', kind: 'text' },
	{ name: 'value', kind: 'number' },
	{ name: 'channel', kind: 'text' },
	{ name: 'device', kind: 'text' },
	{ name: 'country', kind: 'text' },
];
const attributeNames = columns.slice(4).map((column) => column.name);

/** Time spent per statement kind (the statement's first words), to see where the warehouse path spends it. */
function timed(client: WarehouseClient, spent: Map<string, { count: number; ms: number }>): WarehouseClient {
	const record = async <T>(sql: string, work: () => Promise<T>): Promise<T> => {
		const started = performance.now();
		try {
			return await work();
		} finally {
			const kind = sql.includes('HAVING')
				? sql.startsWith('SELECT k, count(*) AS eligible')
					? 'readiness, all cutoffs'
					: 'examples, all cutoffs'
				: sql.slice(0, 60);
			const entry = spent.get(kind) ?? { count: 0, ms: 0 };
			entry.count++;
			entry.ms += performance.now() - started;
			spent.set(kind, entry);
		}
	};
	return {
		source: client.source,
		rows: (sql, params) => record(sql, () => client.rows(sql, params)),
		each: (sql, params, onRow) => record(sql, () => client.each(sql, params, onRow)),
		close: () => client.close(),
	};
}

/** Events simulated and written at a time. */
const chunkRows = 200_000;

function peakMb(): number {
	return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function main(): Promise<void> {
	const target = Number(process.argv[2] ?? 1_000_000);
	const historyDays = 180;
	const profiles = profilesForEvents(target, { seed: 1, historyDays });
	// Written in chunks as simulated, so the bench itself never holds every event.
	const sources = [];
	for (const engine of engines) sources.push(await createTable(engine, 'bench_events', columns));
	let rows: TestRow[] = [];
	let written = 0;
	const flush = async () => {
		for (const engine of engines) await appendRows(engine, 'bench_events', columns, rows);
		written += rows.length;
		rows = [];
	};
	for (const event of simulateShop({ profiles, seed: 1, historyDays })) {
		rows.push({
			customer_id: event.profileId,
			timestamp: Math.floor(event.time / 1000) * 1000,
			event_type: event.type,
			value: event.value,
			channel: event.channel,
			device: event.device,
			country: event.country,
		});
		if (rows.length === chunkRows) await flush();
	}
	await flush();
	console.log(`${written.toLocaleString('en-US')} events of ${profiles.toLocaleString('en-US')} simulated customers`);
	const base = peakMb();
	console.log(`peak RSS after simulating and writing: ${base} MB`);
	for (const source of sources) {
		const opened = await openEvents(source);
		const spent = new Map<string, { count: number; ms: number }>();
		const client = timed(opened.client, spent);
		const mapped = opened.columns;
		try {
			let started = performance.now();
			const { readiness } = await assessWarehouse(client, mapped, goal, { minPositives: 1, minNegatives: 1 });
			const declarations = declareFeatures(await warehouseFeatureStats(client, mapped, goal), goal);
			const range = await warehouseDataRange(client, mapped);
			const cutoffs = planTrainingInRange(range, range ? await profilesBy(client, mapped, range.end) : 0, goal).cutoffs;
			const inWarehouse = await buildWarehouseExamples(client, mapped, goal, declarations, cutoffs);
			const warehouseSeconds = (performance.now() - started) / 1000;
			const warehousePeak = peakMb();
			const breakdown = [...spent].sort((a, b) => b[1].ms - a[1].ms);
			console.log(`${source.engine}: where the warehouse path spent its time:`);
			for (const [kind, { count, ms }] of breakdown) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${String(count).padStart(3)}×  ${kind}`);

			started = performance.now();
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
			const table = builder.build().table;
			assessReadiness(table, goal, { minPositives: 1, minNegatives: 1 });
			const features = generateFeatures(table, goal);
			const inMemory = await buildExamples(table, goal, features, { cutoffs: planCutoffs(table, goal) });
			const memorySeconds = (performance.now() - started) / 1000;
			const same = inMemory.data.rows === inWarehouse.data.rows && features.length === declarations.length;
			console.log(
				`${source.engine}: examples ready in the warehouse ${warehouseSeconds.toFixed(1)} s (peak RSS ${warehousePeak} MB); ` +
					`read out + in memory ${memorySeconds.toFixed(1)} s (peak RSS ${peakMb()} MB); ratio ${(warehouseSeconds / memorySeconds).toFixed(2)}x; ` +
					`${inWarehouse.data.rows.toLocaleString('en-US')} examples × ${declarations.length} features, ${readiness.totals.positives.toLocaleString('en-US')} positive; same rows and features: ${same}`,
			);
		} finally {
			await client.close();
		}
	}
	process.exit(0);
}

main().catch((error) => {
	console.error(error);
	process.exit(1);
});
