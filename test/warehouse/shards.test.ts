/**
 * The shards finish the aggregation themselves only when the Distributed table's sharding key
 * keeps each profile on one shard; a table sharded any other way keeps the merge on the node
 * asked, and both give the same examples.
 */
import assert from 'node:assert/strict';
import { parseGoal } from '../../core/goal';
import { declareFeatures } from '../../core/features/generate';
import { planTrainingInRange } from '../../core/features/cutoffs';
import { buildWarehouseExamples, shardingKeyIsProfile, warehouseDataRange } from '../../core/warehouse/examples';
import { warehouseFeatureStats } from '../../core/warehouse/stats';
import { profilesBy } from '../../core/warehouse/data';
import { openEvents } from '../../core/warehouse/client';
import { testClickHouse, testClusterName } from '../support/clickhouse';
import { purchaseGoal, shopColumns, shopRows, writeRows } from './support';

describe('which cluster tables let the shards finish the aggregation', () => {
	it('a key hashing only the profile column keeps each profile on one shard', () => {
		for (const engine of [
			'Distributed(propensity, default, events_local, cityHash64(customer_id))',
			'Distributed(propensity, default, events_local, customer_id)',
			'Distributed(c, db, t, intHash64(toUInt64(`customer_id`)))',
			'Distributed(c, db, t, sipHash64(customer_id), policy)',
			'Distributed(c, db, t, xxHash64( customer_id ))',
		])
			assert.equal(shardingKeyIsProfile(engine, 'customer_id'), true, engine);
	});

	it('a random key, another column, extra arguments or no key keep the merge on the node asked', () => {
		for (const engine of [
			'Distributed(propensity, default, events_local, rand())',
			'Distributed(propensity, default, events_local, cityHash64(session_id))',
			'Distributed(propensity, default, events_local, cityHash64(customer_id, event_type))',
			'Distributed(propensity, default, events_local, cityHash64(customer_id_2))',
			'Distributed(propensity, default, events_local, plus(customer_id, rand()))',
			'Distributed(propensity, default, events_local)',
			'MergeTree() ORDER BY customer_id',
		])
			assert.equal(shardingKeyIsProfile(engine, 'customer_id'), false, engine);
	});

	it('a table sharded at random, or an aggregation split into several queries, gives the same examples as one query on a table sharded by profile', async () => {
		const rows = shopRows({ profiles: 300, seed: 5, historyDays: 150 });
		const byProfile = await writeRows('clickhouse', 'shard_by_profile', shopColumns(), rows);
		const atRandom = await writeRows('clickhouse', 'shard_at_random', shopColumns(), []);
		const cluster = await testClickHouse();
		for (let n = 0; n < cluster.nodes.length; n++) {
			await cluster.query('DROP TABLE shard_at_random', n);
			await cluster.query(
				`CREATE TABLE shard_at_random AS shard_at_random_local ENGINE = Distributed(${testClusterName}, default, shard_at_random_local, rand())`,
				n,
			);
		}
		await cluster.query(`INSERT INTO shard_at_random SELECT * FROM shard_by_profile`, 0, 'insert_distributed_sync=1');
		const goal = parseGoal(purchaseGoal);
		const examples = [];
		for (const source of [byProfile, atRandom]) {
			const { client, columns } = await openEvents(source);
			try {
				const range = await warehouseDataRange(client, columns);
				const cutoffs = planTrainingInRange(range, range ? await profilesBy(client, columns, range.end) : 0, goal).cutoffs;
				const features = declareFeatures(await warehouseFeatureStats(client, columns, goal), goal);
				examples.push(await buildWarehouseExamples(client, columns, goal, features, cutoffs));
			} finally {
				await client.close();
			}
		}
		// The same table again, its aggregation split into several queries by ranges of the profile id.
		const { client, columns } = await openEvents(byProfile);
		try {
			const range = await warehouseDataRange(client, columns);
			const cutoffs = planTrainingInRange(range, range ? await profilesBy(client, columns, range.end) : 0, goal).cutoffs;
			const features = declareFeatures(await warehouseFeatureStats(client, columns, goal), goal);
			const queries: string[] = [];
			const counting = {
				rows: (sql: string, params: readonly unknown[]) => client.rows(sql, params),
				each: (sql: string, params: readonly unknown[], onRow: (row: Record<string, unknown>) => void) => {
					queries.push(sql);
					return client.each(sql, params, onRow);
				},
			};
			// Each shard holds about half the groups: 100 a query splits them into several parts.
			examples.push(await buildWarehouseExamples(counting, columns, goal, features, cutoffs, undefined, { groupsPerQuery: 100 }));
			assert.ok(queries.length >= 4, `${queries.length} queries`);
			// Each part reads a range of profile ids (which the table's sorting key can skip to), not every row.
			const ranges = queries.map((sql) => /`customer_id` >= '[^']*'|`customer_id` < '[^']*'/.test(sql));
			assert.deepEqual(
				ranges,
				queries.map(() => true),
			);
			assert.ok(!queries.some((sql) => sql.includes('cityHash64')));
		} finally {
			await client.close();
		}
		const [expected, actual, split] = examples;
		assert.deepEqual(split.profileIds, expected.profileIds);
		assert.deepEqual(split.data.label, expected.data.label);
		assert.deepEqual(split.data.columns, expected.data.columns);
		assert.deepEqual(split.perCutoff, expected.perCutoff);
		assert.ok(expected.data.rows > 100, `${expected.data.rows} examples`);
		// Every profile on both shards: a merge skipped here would split their groups.
		const [second] = (await cluster.query('SELECT count() FROM (SELECT customer_id FROM shard_at_random_local GROUP BY customer_id)', 1)).split('\n');
		assert.ok(Number(second) > 200, `${second} profiles on the second shard`);
		assert.deepEqual(actual.profileIds, expected.profileIds);
		assert.deepEqual(actual.data.label, expected.data.label);
		assert.deepEqual(actual.data.columns, expected.data.columns);
	});
});
