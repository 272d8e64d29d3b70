import assert from 'node:assert/strict';
import { createClusterTable, insertClusterRows, testClickHouse } from './clickhouse';

describe('the test ClickHouse cluster', () => {
	it('runs two shards under one Distributed table, sharded by profile', async () => {
		const cluster = await testClickHouse();
		assert.equal(cluster.nodes.length, 2);
		await createClusterTable(cluster, 'support_check', 'customer_id String, timestamp DateTime, event_type String');
		const rows = Array.from({ length: 200 }, (_, i) => ({ customer_id: `p${i}`, timestamp: '2024-01-01 00:00:00', event_type: 'visit' }));
		await insertClusterRows(cluster, 'support_check', rows);
		assert.equal((await cluster.query('SELECT count() FROM support_check')).trim(), '200');
		assert.equal((await cluster.query('SELECT count() FROM support_check', 1)).trim(), '200');
		const local = [0, 1].map(async (n) => Number((await cluster.query('SELECT count() FROM support_check_local', n)).trim()));
		const [first, second] = await Promise.all(local);
		assert.equal(first + second, 200);
		assert.ok(first > 0 && second > 0, `both shards hold rows (${first}, ${second})`);
		assert.equal((await cluster.query("SELECT toString(toDateTime('2024-01-01 00:00:00'))")).trim(), '2024-01-01 00:00:00');
		assert.equal((await cluster.query("SELECT toUInt32(toDateTime('2024-01-01 00:00:00'))")).trim(), String(Date.UTC(2024, 0, 1) / 1000));
	});
});
