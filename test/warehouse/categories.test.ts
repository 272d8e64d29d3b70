/**
 * The top categories of text attributes counted in the warehouse equal the in-memory ones where
 * the profile counts decide: values shared by exactly as many profiles as it takes, values with
 * many events from one profile, profile ids that fall in the same bucket of ClickHouse's lower
 * bound, and attributes too many to group by their combinations at once. On ClickHouse the
 * exact count of a value's profiles is asked only where the lower bounds leave its place open.
 */
import assert from 'node:assert/strict';
import { type GenerateOptions, tableFeatureStats } from '../../core/features/generate';
import { type Goal, parseGoal } from '../../core/goal';
import { openEvents } from '../../core/warehouse/client';
import type { SqlRunner } from '../../core/warehouse/examples';
import { profileBuckets, warehouseFeatureStats } from '../../core/warehouse/stats';
import { type TestEvent, tableOf } from '../features/support';
import { engines, eventAttributes, writeEvents } from './support';

const goal: Goal = parseGoal({
	name: 'categories',
	propensityType: 'conversion',
	lookbackDays: 60,
	outcome: { occur: 'will_occur', windowDays: 20, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	profileAttributes: [{ field: 'country' }],
});

const ids = Array.from({ length: 17 }, (_, i) => `p${String(i).padStart(2, '0')}`);

/** `count` events of profile `profile` with these attributes, one a day. */
function eventsOf(profile: string, count: number, attributes: Partial<TestEvent>): TestEvent[] {
	return Array.from({ length: count }, (_, day) => ({ profile, day: day + 1, type: day % 3 === 0 ? 'purchase' : 'visit', ...attributes }));
}

/** Statements a runner was asked, in order. */
function recorded(client: SqlRunner): { runner: SqlRunner; statements: string[] } {
	const statements: string[] = [];
	const rows: SqlRunner['rows'] = (sql, params) => {
		statements.push(sql);
		return client.rows(sql, params);
	};
	return { runner: { rows }, statements };
}

/** The text attributes' top categories and volumes, as the features read them. */
function categories(stats: { attributes: readonly { name: string; kind: string }[] }): unknown[] {
	return stats.attributes.filter((attribute) => attribute.kind === 'category');
}

/** The warehouse's statistics of the events against the in-memory ones; returns the statements asked. */
async function compare(engine: (typeof engines)[number], name: string, events: TestEvent[], options: GenerateOptions): Promise<string[]> {
	const table = tableOf(events, eventAttributes);
	const source = await writeEvents(engine, name, events);
	const { client, columns } = await openEvents(source);
	try {
		const { runner, statements } = recorded(client);
		const stats = await warehouseFeatureStats(runner, columns, goal, options);
		const expected = tableFeatureStats(table, goal, options);
		const topOf = (list: unknown[]) => list.map((attribute) => (attribute as { top: string[] }).top);
		const byVolumeOf = (list: unknown[]) => list.map((attribute) => (attribute as { byVolume: string[] }).byVolume);
		assert.deepEqual(topOf(categories(stats)), topOf(categories(expected)), `${engine}: the same top categories`);
		assert.deepEqual(byVolumeOf(categories(stats)), byVolumeOf(categories(expected)), `${engine}: the same categories by volume`);
		return statements;
	} finally {
		await client.close();
	}
}

/** The statements that count exactly the profiles of values the lower bounds left open. */
const exactCounts = (statements: readonly string[]) => statements.filter((sql) => sql.includes('category_profiles'));

describe('profile buckets of the lower bound', () => {
	it('are eight times the profiles that decide, a power of two, at most 2^20', () => {
		assert.equal(profileBuckets(2), 16);
		assert.equal(profileBuckets(3_762), 32_768);
		assert.equal(profileBuckets(4_096), 32_768);
		assert.equal(profileBuckets(4_097), 65_536);
		assert.equal(profileBuckets(10_000_000), 2 ** 20);
	});
});

for (const engine of engines) {
	describe(`top categories on ${engine === 'postgres' ? 'PostgreSQL' : 'a two-shard ClickHouse cluster'}`, () => {
		it('equal the in-memory ones for values shared by exactly two profiles, some of whose ids share a bucket', async () => {
			// 17 profiles: a category is shared by max(2, 0.5% of 17) = 2 of them, and 17 ids in 16
			// buckets put at least two in one, so some pair's lower bound is 1 where its profiles are 2.
			assert.ok(ids.length > profileBuckets(2));
			const events: TestEvent[] = [];
			for (let i = 0; i < ids.length; i++)
				for (let j = i + 1; j < ids.length; j++) for (const id of [ids[i], ids[j]]) events.push(...eventsOf(id, 1, { channel: `pair ${i}-${j}` }));
			// Busier than any pair, from one profile: its events cannot make it shared.
			events.push(...eventsOf(ids[0], 5, { channel: 'alone', country: 'DE' }));
			events.push(...eventsOf(ids[1], 2, { country: 'FR' }));
			const statements = await compare(engine, 'cat_pairs', events, { topCategories: 200 });
			if (engine === 'clickhouse') assert.equal(exactCounts(statements).length, 1, 'the open values counted exactly, in one statement');
		});

		it('count no profiles exactly when the lower bounds decide the top, and only the open values when they do not', async () => {
			const events = [
				...ids.slice(0, 10).flatMap((id) => eventsOf(id, 3, { channel: 'web' })),
				...ids.slice(0, 8).flatMap((id) => eventsOf(id, 2, { channel: 'email', country: 'DE' })),
				...eventsOf(ids[9], 10, { channel: 'sms' }),
			];
			const decided = await compare(engine, 'cat_decided', events, { topCategories: 2 });
			const open = await compare(engine, 'cat_open', events, { topCategories: 3 });
			if (engine === 'clickhouse') {
				assert.deepEqual(exactCounts(decided), [], 'web and email are shared by their bounds, and sms comes after them');
				assert.equal(exactCounts(open).length, 1);
				assert.match(exactCounts(open)[0], /IN \('sms'\)/, 'only sms is counted exactly');
			}
		});

		it('equal the in-memory ones when the attributes are grouped by their combinations in more than one pass', async () => {
			// 150 × 150 combinations of channel and campaign are more than one pass holds.
			const events = ids.flatMap((id, p) =>
				Array.from({ length: 150 }, (_, v) => ({
					profile: id,
					day: 1 + (v % 40),
					type: 'visit',
					channel: `ch ${(v * 7 + p) % 150}`,
					campaign: `c ${(v * 11 + 3 * p) % 150}`,
					country: p % 3 === 0 ? 'DE' : 'FR',
				})),
			);
			const statements = await compare(engine, 'cat_passes', events, { topCategories: 5 });
			// No top categories: the profile attribute's values by volume only, no profiles counted.
			const volumesOnly = await compare(engine, 'cat_volumes', events, { topCategories: 0 });
			if (engine === 'clickhouse') {
				const volumes = volumesOnly.filter((sql) => sql.includes('category_events'));
				assert.equal(volumes.length, 1);
				assert.doesNotMatch(volumes[0], /uniqExact/, 'no profiles counted');
			}
			if (engine === 'clickhouse') {
				const volumes = statements.filter((sql) => sql.includes('uniqExactMerge'));
				assert.equal(volumes.length, 1, 'one statement');
				assert.equal(volumes[0].split('ARRAY JOIN').length - 1, 2, 'of two passes');
			}
		});
	});
}
