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
 * Run: node dist/bench/warehouse.js [events]   (default 1000000)
 */
import { EventTableBuilder } from '../core/events/table';
import { buildExamples, generateFeatures, planCutoffs } from '../core/features';
import { declareFeatures } from '../core/features/generate';
import { buildWarehouseExamples, warehouseDataRange } from '../core/warehouse/examples';
import { parseGoal } from '../core/goal';
import { assessReadiness } from '../core/features/readiness';
import { profilesForEvents, simulateShop } from '../core/simulate';
import { openEvents } from '../core/warehouse/client';
import { planTrainingInRange } from '../core/features/cutoffs';
import { warehouseFeatureStats } from '../core/warehouse/stats';
import { profilesBy } from '../core/warehouse/data';
import { assessWarehouse } from '../core/pipeline';
import { engines, type TestColumn, type TestRow, writeRows } from '../test/warehouse/support';

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

function peakMb(): number {
	return Math.round(process.resourceUsage().maxRSS / 1024);
}

async function main(): Promise<void> {
	const target = Number(process.argv[2] ?? 1_000_000);
	const historyDays = 180;
	const profiles = profilesForEvents(target, { seed: 1, historyDays });
	const rows: TestRow[] = [];
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
	}
	console.log(`${rows.length.toLocaleString('en-US')} events of ${profiles.toLocaleString('en-US')} simulated customers`);
	const sources = [];
	for (const engine of engines) sources.push(await writeRows(engine, 'bench_events', columns, rows));
	rows.length = 0;
	const base = peakMb();
	console.log(`peak RSS after simulating and writing: ${base} MB`);
	for (const source of sources) {
		const { client, columns: mapped } = await openEvents(source);
		try {
			let started = performance.now();
			const { readiness } = await assessWarehouse(client, mapped, goal, { minPositives: 1, minNegatives: 1 });
			const declarations = declareFeatures(await warehouseFeatureStats(client, mapped, goal), goal);
			const range = await warehouseDataRange(client, mapped);
			const cutoffs = planTrainingInRange(range, range ? await profilesBy(client, mapped, range.end) : 0, goal).cutoffs;
			const inWarehouse = await buildWarehouseExamples(client, mapped, goal, declarations, cutoffs);
			const warehouseSeconds = (performance.now() - started) / 1000;
			const warehousePeak = peakMb();

			started = performance.now();
			const builder = new EventTableBuilder(attributeNames.map((name) => ({ name, kind: 'category' as const })));
			const everything = await client.rows(
				`SELECT customer_id, ${mapped.timeMs} AS t, event_type, value, ${attributeNames.join(', ')} FROM ${mapped.table}`,
				[],
			);
			for (const row of everything) {
				builder.add(
					String(row.customer_id),
					Number(row.t),
					String(row.event_type),
					row.value === null ? NaN : Number(row.value),
					attributeNames.map((name) => (row[name] === null ? undefined : String(row[name]))),
				);
			}
			everything.length = 0;
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
