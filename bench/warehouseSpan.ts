/**
 * The event types and the span of a warehouse table, as `propensity features --events` reads
 * them: in one statement grouped by type (warehouseTypesAndSpan) against the two statements
 * it replaced (DISTINCT types, then count/min/max), on the simulated shop in the test
 * PostgreSQL and on the two-shard ClickHouse cluster, in one command. The two sides alternate;
 * each side's fastest run counts.
 *
 *   node dist/bench/warehouseSpan.js [profiles] [rounds]   (default 20,000 profiles: about 780,000 events; 11 rounds)
 */
import { openEvents } from '../core/warehouse/client';
import { warehouseDataRange } from '../core/warehouse/examples';
import { warehouseTypesAndSpan } from '../core/warehouse/span';
import { warehouseTypes } from '../core/warehouse/stats';
import { engines, shopColumns, shopRows, writeRows } from '../test/warehouse/support';

async function main(): Promise<void> {
	const profiles = Number(process.argv[2] ?? 20_000);
	const rounds = Number(process.argv[3] ?? 11);
	const rows = shopRows({ profiles, seed: 3, historyDays: 365 });
	for (const engine of engines) {
		const { client, columns } = await openEvents(await writeRows(engine, 'bench_span_events', shopColumns(), rows));
		const best = { apart: Infinity, together: Infinity };
		try {
			for (let round = 0; round < rounds; round++) {
				let started = performance.now();
				await warehouseTypes(client, columns);
				await warehouseDataRange(client, columns);
				best.apart = Math.min(best.apart, performance.now() - started);
				started = performance.now();
				await warehouseTypesAndSpan(client, columns);
				best.together = Math.min(best.together, performance.now() - started);
			}
		} finally {
			await client.close();
		}
		console.log(
			`${engine}: ${rows.length.toLocaleString('en-US')} events; types and span in one statement ${best.together.toFixed(1)} ms, in two ${best.apart.toFixed(1)} ms; ratio ${(best.together / best.apart).toFixed(2)}x (fastest of ${rounds} each)`,
		);
	}
}

main()
	.then(() => process.exit(0))
	.catch((error) => {
		console.error(error);
		process.exit(1);
	});
