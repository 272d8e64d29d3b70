import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSegment, resendSegmentRun, type SegmentMember, type SegmentRule } from '../../core/segment';
import { openStore, type Store, type StoreConfig } from '../../core/store';
import { testPostgres } from '../support/postgres';
import { profile, shop } from './fixtures';

const high: SegmentRule = { bucket: ['high'] };
const day = (n: number) => `2024-05-0${n}T06:00:00.000Z`;
const ids = (rows: readonly { profileId: string }[]) => rows.map((row) => row.profileId);

let counter = 0;
const backends: [string, () => Promise<StoreConfig>][] = [
	[
		'folder',
		async () => {
			const dir = path.resolve('test-output', 'segment', `store-${process.pid}-${randomBytes(4).toString('hex')}`);
			fs.mkdirSync(dir, { recursive: true });
			return { kind: 'folder', path: dir };
		},
	],
	[
		'PostgreSQL',
		async () => {
			const { host, port, user, password, database } = await testPostgres();
			return { kind: 'postgres', connection: { host, port, user, password, database }, schema: `segment_${process.pid}_${++counter}` };
		},
	],
];

for (const [label, freshConfig] of backends) {
	describe(`segment membership remembered in the ${label} store`, function () {
		this.timeout(60000);
		let store: Store;
		beforeEach(async () => {
			store = await openStore(await freshConfig());
		});
		afterEach(() => store.close());

		it('counts every member as entered on the first run, and none as left', async () => {
			const result = await buildSegment(shop(), high, { name: 'vip', mode: 'entered', store, runAt: day(1) });
			assert.deepEqual(ids(result.entered), ['ann', 'bob']);
			assert.deepEqual(result.left, []);
			assert.equal(result.summary.previousRunAt, null);
			assert.deepEqual(await store.loadMembership('vip'), { members: ['ann', 'bob'], runAt: day(1) });
		});

		it('announces each entrant once: the same scores again bring no one new', async () => {
			await buildSegment(shop(), high, { name: 'vip', mode: 'entered', store, runAt: day(1) });
			const again = await buildSegment(shop(), high, { name: 'vip', mode: 'entered', store, runAt: day(2) });
			assert.deepEqual(again.output, []);
			assert.deepEqual(ids(again.members), ['ann', 'bob']);
			assert.equal(again.summary.previousRunAt, day(1));
		});

		it('reports who entered and who left since the last run, with the current score of a leaver still scored and only the id of one no longer scored', async () => {
			await buildSegment(shop(), high, { name: 'vip', mode: 'all', store, runAt: day(1) });
			// Day 2: bob drops to medium, cid rises to high, ann is no longer scored at all.
			const day2 = shop()
				.filter((p) => p.profileId !== 'ann')
				.map((p) => (p.profileId === 'bob' ? profile('bob', 50) : p.profileId === 'cid' ? profile('cid', 88, { attributes: p.attributes }) : p));
			const entered = await buildSegment(day2, high, { name: 'vip', mode: 'entered', store, runAt: day(2) });
			assert.deepEqual(ids(entered.output), ['cid']);
			assert.deepEqual(ids(entered.left), ['ann', 'bob']);
			assert.deepEqual(entered.left[0], { profileId: 'ann' });
			assert.equal((entered.left[1] as SegmentMember).score, 50);
			assert.equal((entered.left[1] as SegmentMember).bucket, 'medium');
			assert.deepEqual((await store.loadMembership('vip'))?.members, ['cid']);

			// Day 3 in mode "left": cid falls out.
			const day3 = day2.map((p) => (p.profileId === 'cid' ? profile('cid', 20) : p));
			const left = await buildSegment(day3, high, { name: 'vip', mode: 'left', store, runAt: day(3) });
			assert.deepEqual(ids(left.output), ['cid']);
			assert.deepEqual(left.members, []);
			assert.equal(left.summary.output, 1);
			assert.equal(left.summary.left, 1);
		});

		it('commits nothing when handing the rows on fails, so the next run finds the same entrants', async () => {
			await assert.rejects(
				buildSegment(shop(), high, {
					name: 'vip',
					mode: 'entered',
					store,
					runAt: day(1),
					deliver: () => Promise.reject(new Error('No space left on device')),
				}),
				/No space left on device/,
			);
			assert.equal(await store.loadMembership('vip'), undefined);
			assert.deepEqual(await store.listSegmentRuns('vip'), []);
			let delivered: string[] = [];
			const retry = await buildSegment(shop(), high, {
				name: 'vip',
				mode: 'entered',
				store,
				runAt: day(2),
				deliver: (result) => void (delivered = ids(result.output)),
			});
			assert.deepEqual(delivered, ['ann', 'bob']);
			assert.equal(retry.summary.entered, 2);
			assert.equal(retry.summary.run, 1);
		});

		it("keeps each run's entrants and leavers, numbered, so a past run can be sent again", async () => {
			await buildSegment(shop(), high, { name: 'vip', mode: 'entered', store, runAt: day(1) });
			const day2 = shop().map((p) =>
				p.profileId === 'bob' ? profile('bob', 50) : p.profileId === 'cid' ? profile('cid', 88, { attributes: p.attributes }) : p,
			);
			const second = await buildSegment(day2, high, { name: 'vip', mode: 'entered', store, runAt: day(2) });
			assert.equal(second.summary.run, 2);
			const runs = await store.listSegmentRuns('vip');
			assert.deepEqual(runs, [
				{ segment: 'vip', run: 1, runAt: day(1), mode: 'entered', entered: 2, left: 0 },
				{ segment: 'vip', run: 2, runAt: day(2), mode: 'entered', entered: 1, left: 1 },
			]);
			const resent = await resendSegmentRun(store, 'vip', 2);
			assert.deepEqual(resent.rows, JSON.parse(JSON.stringify(second.output)));
			assert.deepEqual(ids((await resendSegmentRun(store, 'vip', 'latest', 'left')).rows), ['bob']);
			assert.deepEqual(ids((await resendSegmentRun(store, 'vip', 1)).rows), ['ann', 'bob']);
			assert.deepEqual((await store.loadMembership('vip'))?.members, ['ann', 'cid'], 'a resend changes no membership');
			await assert.rejects(
				resendSegmentRun(store, 'vip', 3),
				(error: Error & { code?: string }) =>
					error.code === 'segment-run-not-found' &&
					/Run 3 of segment "vip" is not kept .* are 1–2\. The store keeps the last 30 runs/.test(error.message),
			);
			await assert.rejects(resendSegmentRun(store, 'vip', 0), /Run 0 of segment "vip" is not a run/);
		});

		it('keeps the last 30 runs of a segment and drops older ones', async () => {
			for (let i = 0; i < 33; i++) {
				await buildSegment([profile(`p${i}`, 90)], high, {
					name: 'daily',
					mode: 'entered',
					store,
					runAt: new Date(Date.UTC(2024, 0, 1 + i)).toISOString(),
				});
			}
			const runs = await store.listSegmentRuns('daily');
			assert.deepEqual(
				runs.map((run) => run.run),
				Array.from({ length: 30 }, (_, i) => i + 4),
			);
			assert.deepEqual(ids((await resendSegmentRun(store, 'daily', 4)).rows), ['p3']);
			await assert.rejects(resendSegmentRun(store, 'daily', 3), /Run 3 of segment "daily" is not kept .* are 4–33/);
		});

		it('keeps separate memberships for separate segment names', async () => {
			await buildSegment(shop(), high, { name: 'vip', mode: 'all', store, runAt: day(1) });
			const other = await buildSegment(shop(), { bucket: ['low'] }, { name: 'win-back', mode: 'entered', store, runAt: day(1) });
			assert.deepEqual(ids(other.entered), ['fay', 'gus', 'hal']);
			assert.deepEqual((await store.loadMembership('vip'))?.members, ['ann', 'bob']);
		});
	});
}

describe('building a segment', () => {
	it('gives each member what a CRM or email step needs: id, score, probability, bucket, percentile, factor sentences and attributes', async () => {
		const { members, nonMembers } = await buildSegment(shop(), { score: { gte: 80 } }, { mode: 'all', runAt: day(1) });
		assert.deepEqual(members[0], {
			profileId: 'ann',
			score: 91,
			probability: 0.91,
			percentile: 91,
			bucket: 'high',
			propensityType: 'conversion',
			scoreDate: '2024-05-01T00:00:00.000Z',
			factors: ['email click count 30d raises the chance', 'days since last purchase lowers the chance'],
			attributes: { email: 'ann@example.com', country: 'FR', orders: 7 },
		});
		assert.deepEqual(ids(nonMembers), ['cid', 'dee', 'eve', 'fay', 'gus', 'hal']);
	});

	it('hands on members, entrants or leavers as the mode asks', async () => {
		const dir = path.resolve('test-output', 'segment', `modes-${process.pid}-${randomBytes(4).toString('hex')}`);
		const store = await openStore({ kind: 'folder', path: dir });
		await buildSegment([profile('a', 90), profile('b', 90)], high, { name: 's', mode: 'all', store, runAt: day(1) });
		const scores = [profile('a', 90), profile('b', 10), profile('c', 95)];
		const all = await buildSegment(scores, high, { name: 's', mode: 'all', store, runAt: day(2) });
		assert.deepEqual(ids(all.output), ['a', 'c']);
		assert.deepEqual([all.summary.entered, all.summary.left], [1, 1]);
		// The "all" run above saved a and c, so against it:
		const entered = await buildSegment(scores, high, { name: 's', mode: 'entered', store, runAt: day(3) });
		assert.deepEqual(ids(entered.output), []);
		const left = await buildSegment([profile('c', 95)], high, { name: 's', mode: 'left', store, runAt: day(4) });
		assert.deepEqual(left.output, [{ profileId: 'a' }]);
		assert.equal(left.summary.rule, 'bucket is high');
		await store.close();
	});

	it('treats everyone as entered without a store, and remembers nothing', async () => {
		const result = await buildSegment(shop(), high, { name: 'vip', mode: 'all', runAt: day(1) });
		assert.deepEqual(ids(result.entered), ['ann', 'bob']);
		assert.equal(result.summary.remembered, false);
	});

	it('refuses modes entered and left without a store, and a store without a segment name', async () => {
		await assert.rejects(
			buildSegment(shop(), high, { mode: 'entered', runAt: day(1) }),
			/Mode "entered" compares with the segment's last run, so it needs a store and a segment name/,
		);
		const store = await openStore({ kind: 'folder', path: path.resolve('test-output', 'segment', `noname-${process.pid}`) });
		await assert.rejects(buildSegment(shop(), high, { mode: 'all', store, runAt: day(1) }), /Name the segment to remember its membership/);
		await assert.rejects(buildSegment(shop(), high, { name: '../vip', mode: 'all', store, runAt: day(1) }), /segment name "\.\.\/vip" is not allowed/);
		await assert.rejects(buildSegment(shop(), high, { mode: 'sometimes' as 'all', runAt: day(1) }), /mode "sometimes" is not known/);
		await assert.rejects(buildSegment(shop(), high, { mode: 'all', runAt: 'today' }), /not an ISO 8601 date-time/);
		await store.close();
	});

	it('refuses scores that list a profile twice', async () => {
		await assert.rejects(
			buildSegment([profile('a', 1), profile('b', 2), profile('a', 3)], high, { mode: 'all', runAt: day(1) }),
			/Profile "a" is scored twice \(the second time at 3\)/,
		);
	});

	it('refuses a rule that is not valid before touching the store', async () => {
		await assert.rejects(buildSegment(shop(), { bucket: ['warm'] } as unknown as SegmentRule, { mode: 'all', runAt: day(1) }), /not valid at bucket\[0\]/);
	});

	it('warns when a run is earlier than the one it compares with', async () => {
		const store = await openStore({
			kind: 'folder',
			path: path.resolve('test-output', 'segment', `order-${process.pid}-${randomBytes(4).toString('hex')}`),
		});
		await buildSegment(shop(), high, { name: 'vip', mode: 'all', store, runAt: day(5) });
		const result = await buildSegment(shop(), high, { name: 'vip', mode: 'entered', store, runAt: day(2) });
		assert.match(result.summary.warnings[0], /earlier than the last one/);
		await store.close();
	});

	it('handles 1,000,000 scored profiles with entered and left counted against the last run', async function () {
		this.timeout(180000);
		const store = await openStore({
			kind: 'folder',
			path: path.resolve('test-output', 'segment', `million-${process.pid}-${randomBytes(4).toString('hex')}`),
		});
		const population = Array.from({ length: 1_000_000 }, (_, i) => profile(`p${i}`, i % 100));
		const first = await buildSegment(population, { score: { gte: 90 } }, { name: 'big', mode: 'entered', store, runAt: day(1) });
		assert.equal(first.summary.entered, 100_000);
		// Moving the band down by one point: the 89s enter and the 99s leave, a tenth of the band each.
		const second = await buildSegment(population, { score: { between: [89, 98] } }, { name: 'big', mode: 'entered', store, runAt: day(2) });
		assert.equal(second.summary.members, 100_000);
		assert.equal(second.summary.entered, 10_000);
		assert.equal(second.summary.left, 10_000);
		assert.ok(second.entered.every((member) => member.score === 89));
		assert.ok(second.left.every((row) => 'score' in row && row.score === 99));
		await store.close();
	});
});
