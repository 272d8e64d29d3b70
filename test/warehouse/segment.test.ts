/**
 * Segments over a warehouse scores table: the SQL rule picks the same members as the rule over
 * the same scores in memory (buckets, comparisons, top N and P% with ties, groups), entered and
 * left are measured against the store, and two runs at once of one segment hand each entrant
 * on exactly once (PostgreSQL and ClickHouse).
 */
import assert from 'node:assert/strict';
import { EventTableBuilder } from '../../core/events/table';
import { buildSegment, scoreProfiles, scoreWarehouse, segmentWarehouse, trainModel } from '../../core/pipeline';
import { openStore } from '../../core/store';
import { connectWarehouse, openEvents } from '../../core/warehouse/client';
import type { SegmentRule } from '../../core/segment/rules';
import type { SegmentResult } from '../../core/segment/build';
import { engines, purchaseGoal, shopColumns, shopRows, writeRows } from './support';
import { suiteTempFolders } from '../support/tempFolders';

const columns = shopColumns();

const goal = purchaseGoal;

const rules: SegmentRule[] = [
	{ top: { percent: 10 } },
	{ top: { count: 7, among: { bucket: ['low'] } } },
	{ all: [{ bucket: ['high', 'medium'] }, { percentile: { gte: 50 } }] },
	{ any: [{ score: { between: [20, 30] } }, { not: { probability: { lt: 0.5 } } }] },
];

describe('segments over a warehouse scores table', function () {
	this.timeout(600_000);
	const rows = shopRows({ profiles: 800, seed: 9, historyDays: 200 });
	const builder = new EventTableBuilder([]);
	for (const row of rows)
		builder.add(row.customer_id as string, row.timestamp as number, row.event_type as string, (row.value as number | undefined) ?? NaN, []);
	const table = builder.build().table;
	const asOf = '2026-05-01T00:00:00.000Z';
	const model = trainModel(table, goal, { learner: 'logistic', minPositives: 20, minNegatives: 20, seed: 1 }).then((outcome) => outcome.model);
	const folder = suiteTempFolders('propensity-wh-segment-');

	for (const engine of engines) {
		it(`picks the members the same rule picks in memory, and remembers them (${engine})`, async () => {
			const source = await writeRows(engine, 'segment_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			const scored = await (await scoreProfiles(table, await model, { asOf })).all();
			try {
				await client.command('DROP TABLE IF EXISTS segment_scores', []);
				await scoreWarehouse(client, mapped, await model, { scoresTable: 'segment_scores', asOf: '2026-04-01' });
				await scoreWarehouse(client, mapped, await model, { scoresTable: 'segment_scores', asOf });
				for (const rule of rules) {
					const expected = await buildSegment(scored, rule, { mode: 'all', runAt: asOf });
					const got = await segmentWarehouse(client, rule, { scoresTable: 'segment_scores', mode: 'all', runAt: asOf });
					assert.equal(got.run.scoreDate, asOf, 'the latest run is segmented');
					assert.equal(got.summary.scored, scored.length);
					assert.ok(expected.members.length > 0, `${JSON.stringify(rule)} admits nobody: a weak test`);
					assert.deepEqual(got.members.map((m) => m.profileId).sort(), expected.members.map((m) => m.profileId).sort(), JSON.stringify(rule));
					const byId = new Map(expected.members.map((m) => [m.profileId, m]));
					for (const member of got.members) {
						const want = byId.get(member.profileId);
						assert.ok(want);
						assert.deepEqual({ ...member }, { ...want, factors: [], attributes: {} });
					}
				}
				const store = await openStore({ kind: 'folder', path: folder() });
				try {
					const options = { scoresTable: 'segment_scores', name: 'top-tenth', store, mode: 'entered' as const };
					const first = await segmentWarehouse(client, rules[0], { ...options, runAt: '2026-05-01T01:00:00Z' });
					assert.equal(first.entered.length, first.members.length);
					const second = await segmentWarehouse(client, rules[0], { ...options, runAt: '2026-05-02T01:00:00Z' });
					assert.equal(second.entered.length, 0);
					assert.equal(second.summary.previousRunAt, '2026-05-01T01:00:00Z');
					const narrower = await segmentWarehouse(client, { top: { percent: 5 } }, { ...options, mode: 'left', runAt: '2026-05-03T01:00:00Z' });
					assert.deepEqual(
						narrower.output.map((row) => row.profileId).sort(),
						first.members
							.map((m) => m.profileId)
							.filter((id) => !narrower.members.some((m) => m.profileId === id))
							.sort(),
					);
				} finally {
					await store.close();
				}
			} finally {
				await client.close();
			}
		});
	}

	it('refuses factor and attribute rules with what to do instead, and a missing scores table (postgres)', async () => {
		const source = await writeRows('postgres', 'segment_events', columns, rows);
		const client = await connectWarehouse(source);
		try {
			await assert.rejects(
				segmentWarehouse(client, { factor: { feature: 'x' } }, { scoresTable: 'segment_scores', mode: 'all', runAt: asOf }),
				/factor rule cannot run over a scores table in the warehouse/,
			);
			await assert.rejects(
				segmentWarehouse(
					client,
					{ all: [{ bucket: ['high'] }, { not: { attribute: { name: 'email', exists: true } } }] },
					{ scoresTable: 'segment_scores', mode: 'all', runAt: asOf },
				),
				/attribute rule cannot run over a scores table in the warehouse/,
			);
			await assert.rejects(
				segmentWarehouse(client, { bucket: ['high'] }, { scoresTable: 'missing_scores', mode: 'all', runAt: asOf }),
				/missing_scores does not exist\. Score into it first/,
			);
		} finally {
			await client.close();
		}
	});

	for (const engine of engines) {
		it(`refuses a scores table holding what scoring never writes, naming the value, the row and the column (${engine})`, async () => {
			const source = await writeRows(engine, 'segment_events', columns, rows);
			const client = await connectWarehouse(source);
			// Another tool's table with the scores columns: the probability as text, a bucket no rule knows.
			const types =
				engine === 'postgres'
					? 'profile_id text, probability text, score smallint, percentile smallint, bucket text, propensity_type text, score_date timestamptz, model_name text, model_version integer'
					: 'profile_id String, probability String, score UInt8, percentile UInt8, bucket String, propensity_type String, score_date String, model_name String, model_version Nullable(Int64)';
			const date = engine === 'postgres' ? `'${asOf}'::timestamptz` : `'${asOf}'`;
			const row = (id: string, probability: string, score: number, bucket: string) =>
				`('${id}', '${probability}', ${score}, ${score}, '${bucket}', 'conversion', ${date}, 'other-tool', 1)`;
			try {
				await client.command('DROP TABLE IF EXISTS segment_foreign_scores', []);
				await client.command(
					`CREATE TABLE segment_foreign_scores (${types})${engine === 'postgres' ? '' : ' ENGINE = MergeTree() ORDER BY profile_id'}`,
					[],
				);
				await client.command(
					`INSERT INTO segment_foreign_scores VALUES ${[row('a', '0.9', 90, 'high'), row('b', 'n/a', 80, 'high'), row('c', '0.1', 10, 'hot')].join(', ')}`,
					[],
				);
				const options = { scoresTable: 'segment_foreign_scores', mode: 'all' as const, runAt: asOf };
				const refusal = (pattern: RegExp) => (error: Error & { code?: string }) => error.code === 'warehouse-result' && pattern.test(error.message);
				const reading = `of the answer when reading the run of 2026-05-01T00:00:00\\.000Z from ${engine}://.*segment_foreign_scores`;
				await assert.rejects(
					segmentWarehouse(client, { bucket: ['high'] }, options),
					refusal(new RegExp(`^The warehouse returned "n/a" for probability in row 2 ${reading}, where a number was expected\\.$`)),
				);
				await assert.rejects(
					segmentWarehouse(client, { score: { lt: 50 } }, options),
					refusal(new RegExp(`^The scores table holds "hot" for bucket in row 1 ${reading}, where scoring writes low, medium, high`)),
				);
			} finally {
				await client.command('DROP TABLE IF EXISTS segment_foreign_scores', []).catch(() => undefined);
				await client.close();
			}
		});
	}

	for (const engine of engines) {
		// On PostgreSQL the warehouse's advisory lock and the store's lease both hold the second run back; on ClickHouse, the store's lease alone.
		it(`hands each entrant on once when two runs of one segment start at once (${engine})`, async () => {
			const source = await writeRows(engine, 'segment_events', columns, rows);
			const setup = await openEvents(source);
			try {
				await setup.client.command('DROP TABLE IF EXISTS segment_scores_both', []);
				await scoreWarehouse(setup.client, setup.columns, await model, { scoresTable: 'segment_scores_both', asOf });
			} finally {
				await setup.client.close();
			}
			const dir = folder();
			const run = async (runAt: string) => {
				const client = await connectWarehouse(source);
				const store = await openStore({ kind: 'folder', path: dir });
				const delivered: string[] = [];
				try {
					await segmentWarehouse(client, rules[0], {
						scoresTable: 'segment_scores_both',
						name: 'both-at-once',
						store,
						mode: 'entered',
						runAt,
						deliver: async (result: SegmentResult) => {
							// A slow delivery, so the two runs overlap.
							await new Promise((resolve) => setTimeout(resolve, 300));
							delivered.push(...result.output.map((row) => row.profileId));
						},
					});
					return delivered;
				} finally {
					await store.close();
					await client.close();
				}
			};
			const [a, b] = await Promise.all([run('2026-05-01T01:00:00Z'), run('2026-05-01T01:00:01Z')]);
			const all = [...a, ...b];
			assert.ok(all.length > 0);
			assert.equal(new Set(all).size, all.length, 'an entrant was handed on twice');
			assert.ok(a.length === 0 || b.length === 0, 'both runs handed on entrants');
			const kept = await openStore({ kind: 'folder', path: dir });
			try {
				assert.deepEqual(
					(await kept.listSegmentRuns('both-at-once')).map((info) => info.entered),
					[all.length, 0],
					'both runs were kept, the second with no entrant',
				);
			} finally {
				await kept.close();
			}
		});
	}
});
