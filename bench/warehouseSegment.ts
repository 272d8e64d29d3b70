/**
 * What the reasons of a warehouse segment cost: the same segment over a scores table (the top
 * 5% of the latest run) without the events (the reference: SQL over the scores table only),
 * with `--explain 3` (each member's features computed by the warehouse for the members only,
 * explained in process, attributes read as of the score date), and with a factor rule judged in
 * process on the top 10% the SQL part leaves. On the test ClickHouse cluster and PostgreSQL;
 * the sides alternate, fastest of the repeats. Prints times, ratios against the reference and
 * the cost per member explained.
 *
 * Run: node dist/bench/warehouseSegment.js [profiles] [repeats]   (default 20000 2)
 */
import { EventTableBuilder } from '../core/events/table';
import { scoreProfiles, scoreWarehouse, segmentWarehouse, trainModel } from '../core/pipeline';
import { simulateShop } from '../core/simulate';
import { openEvents } from '../core/warehouse/client';
import { engines, purchaseGoal, type ShopAttribute, shopColumns, shopRow } from '../test/warehouse/support';
import { writeRows } from '../test/warehouse/support';

const attributes: ShopAttribute[] = ['country'];
const columns = shopColumns(attributes);
const asOf = '2026-05-01T00:00:00.000Z';

async function main(): Promise<void> {
	const profiles = Number(process.argv[2] ?? 20_000);
	const repeats = Number(process.argv[3] ?? 2);
	const rows = Array.from(simulateShop({ profiles, seed: 21, historyDays: 200 }), (event) => shopRow(event, attributes));
	const builder = new EventTableBuilder([{ name: 'country', kind: 'category' }]);
	for (const row of rows)
		builder.add(row.customer_id as string, row.timestamp as number, row.event_type as string, (row.value as number | undefined) ?? NaN, [
			(row.country as string | undefined) ?? undefined,
		]);
	const table = builder.build().table;
	const model = (await trainModel(table, purchaseGoal, { learner: 'gbdt', seed: 1 })).model;
	// The feature most often among the top reasons raising the chance: a factor rule that admits some.
	const scored = await (await scoreProfiles(table, model, { asOf, explain: 3 })).all();
	const counts = new Map<string, number>();
	for (const profile of scored)
		for (const factor of profile.factors ?? []) if (factor.impact > 0) counts.set(factor.feature, (counts.get(factor.feature) ?? 0) + 1);
	const feature = [...counts].sort((a, b) => b[1] - a[1])[0][0];
	console.log(
		`${rows.length.toLocaleString('en-US')} events, ${scored.length.toLocaleString('en-US')} profiles scored as of ${asOf}; model ${model.selection.winner}`,
	);
	for (const engine of engines) {
		const source = await writeRows(engine, 'bench_seg_events', columns, rows);
		const { client, columns: mapped } = await openEvents(source);
		try {
			await client.command('DROP TABLE IF EXISTS bench_seg_scores', []);
			await scoreWarehouse(client, mapped, model, { scoresTable: 'bench_seg_scores', asOf });
			const base = { scoresTable: 'bench_seg_scores', mode: 'all' as const, runAt: asOf };
			const events = { columns: mapped, model, explain: 3 };
			const sides = {
				'SQL only (reference)': () => segmentWarehouse(client, { top: { percent: 5 } }, base),
				'with --explain 3': () => segmentWarehouse(client, { top: { percent: 5 } }, { ...base, events }),
				'factor rule on the top 10%': () =>
					segmentWarehouse(
						client,
						{ all: [{ top: { percent: 10 } }, { factor: { feature, direction: 'raises', withinTop: 3 } }] },
						{ ...base, events },
					),
			};
			const best = new Map<string, { seconds: number; members: number }>();
			for (let r = 0; r < repeats; r++) {
				for (const [name, run] of Object.entries(sides)) {
					const started = performance.now();
					const result = await run();
					const seconds = (performance.now() - started) / 1000;
					const known = best.get(name);
					if (!known || seconds < known.seconds) best.set(name, { seconds, members: result.members.length });
				}
			}
			const reference = best.get('SQL only (reference)')?.seconds ?? NaN;
			console.log(`\n${engine}:`);
			for (const [name, figures] of best) {
				const ratio = figures.seconds / reference;
				console.log(`  ${name.padEnd(28)} ${figures.seconds.toFixed(2)} s  ${ratio.toFixed(1)}×  ${figures.members.toLocaleString('en-US')} members`);
			}
			const explained = best.get('with --explain 3');
			if (explained)
				console.log(`  explaining costs ${(((explained.seconds - reference) * 1000) / explained.members).toFixed(2)} ms per member handed on`);
		} finally {
			await client.close();
		}
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
