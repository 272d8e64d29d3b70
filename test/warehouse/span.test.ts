/**
 * The event types and the span of a warehouse table, asked in one statement (what the features
 * command's goal check and cutoff read): the same as asking them apart, hostile type names
 * included, on PostgreSQL and the two-shard ClickHouse cluster; none and undefined for an empty table.
 */
import assert from 'node:assert/strict';
import { compareStrings } from '../../core/events/table';
import { openEvents } from '../../core/warehouse/client';
import { warehouseDataRange } from '../../core/warehouse/examples';
import { warehouseTypesAndSpan } from '../../core/warehouse/span';
import { warehouseTypes } from '../../core/warehouse/stats';
import { type TestEvent, at } from '../features/support';
import { engines, hostileValues, writeEvents } from './support';

describe('the event types and the span of a warehouse table, in one statement', function () {
	this.timeout(600_000);
	const events: TestEvent[] = [
		{ profile: 'p9', day: 3, type: 'purchase' },
		...hostileValues.map((type, i) => ({ profile: `p${i % 5}`, day: 10 + i, type })),
		{ profile: 'p9', day: 200, type: 'purchase' },
	];

	for (const engine of engines) {
		it(`equal the types and the span read apart, hostile type names included, with one statement (${engine})`, async () => {
			const source = await writeEvents(engine, 'span_events', events);
			const { client, columns } = await openEvents(source);
			try {
				let statements = 0;
				const counted = {
					...client,
					eachCells: (...args: Parameters<typeof client.eachCells>) => {
						statements++;
						return client.eachCells(...args);
					},
					rows: (...args: Parameters<typeof client.rows>) => {
						statements++;
						return client.rows(...args);
					},
				};
				const got = await warehouseTypesAndSpan(counted, columns);
				assert.equal(statements, 1);
				assert.deepEqual(got.types, [...new Set(events.map((event) => event.type))].sort(compareStrings));
				assert.deepEqual(got.types, await warehouseTypes(client, columns));
				assert.deepEqual(got.range, { start: at(3), end: at(200) });
				assert.deepEqual(got.range, await warehouseDataRange(client, columns));
			} finally {
				await client.close();
			}
			const empty = await openEvents(await writeEvents(engine, 'span_empty', []));
			try {
				assert.deepEqual(await warehouseTypesAndSpan(empty.client, empty.columns), { types: [], range: undefined });
			} finally {
				await empty.client.close();
			}
		});
	}
});
