/**
 * Writing scores back into ClickHouse: the rows as TabSeparated text built as it is sent (one
 * INSERT, what scoreWarehouse does) against JSONEachRow batches of 50,000 objects (what it did
 * before), into a fresh scores-shaped MergeTree table on the test cluster each time, in one
 * command. The two sides alternate; each side's fastest run counts.
 *
 *   node dist/bench/warehouseInsert.js [rows]   (default 588,580: the profiles scored at 20M events)
 */
import { connectWarehouse } from '../core/warehouse/client';
import { scoresTableColumns } from '../core/warehouse/scores';
import { clusterSource, testClickHouse } from '../test/support/clickhouse';

const table = 'bench_insert_scores';
const structure =
	'(profile_id String, probability Float64, score UInt8, percentile UInt8, bucket String, propensity_type String, score_date String, model_name String, model_version Nullable(Int64)) ' +
	'ENGINE = MergeTree() PARTITION BY (model_name, score_date, ifNull(model_version, -1)) ORDER BY profile_id';

/** A scores row as the run builds it: an id like the bench's copies, a probability with every digit. */
function rowAt(r: number): readonly unknown[] {
	const probability = (r * 0.6180339887498949) % 1;
	return [
		`customer-${r}~${r % 20}`,
		probability,
		Math.round(probability * 100),
		1 + (r % 100),
		'medium',
		'conversion',
		'2026-05-01T00:00:00.000Z',
		'purchase-in-14-days',
		null,
	];
}

async function main(): Promise<void> {
	const rows = Number(process.argv[2] ?? 588_580);
	const client = await connectWarehouse(clusterSource(await testClickHouse(), table));
	const columns = [...scoresTableColumns];
	const best = { tsv: Infinity, json: Infinity };
	try {
		for (let round = 0; round < 3; round++) {
			for (const side of ['json', 'tsv'] as const) {
				await client.command(`DROP TABLE IF EXISTS ${table}`, []);
				await client.command(`CREATE TABLE ${table} ${structure}`, []);
				const started = performance.now();
				if (side === 'tsv') await client.insertRows(table, columns, rows, rowAt);
				else
					for (let from = 0; from < rows; from += 50_000) {
						const batch = [];
						for (let r = from; r < Math.min(rows, from + 50_000); r++) {
							const values = rowAt(r);
							batch.push(Object.fromEntries(columns.map((name, c) => [name, values[c]])));
						}
						await client.insertJson(table, batch);
					}
				best[side] = Math.min(best[side], performance.now() - started);
			}
		}
	} finally {
		await client.command(`DROP TABLE IF EXISTS ${table}`, []).catch(() => undefined);
		await client.close();
	}
	const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
	console.log(
		`${rows.toLocaleString('en-US')} scores rows: TabSeparated, streamed ${seconds(best.tsv)}; JSONEachRow, 50,000 a batch ${seconds(best.json)}; ratio ${(best.tsv / best.json).toFixed(2)}x (fastest of 3 each)`,
	);
}

main()
	.then(() => process.exit(0))
	.catch((error) => {
		console.error(error);
		process.exit(1);
	});
