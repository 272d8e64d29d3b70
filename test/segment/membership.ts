/**
 * Segment membership remembered in a store, run against each backend: the folder store in
 * build.test.ts, PostgreSQL in postgres.test.ts (an integration suite, out of `npm run test:unit`).
 */
import assert from 'node:assert/strict';
import { buildSegment, resendSegmentRun, type SegmentMember } from '../../core/segment';
import { openStore, type Store, type StoreConfig } from '../../core/store';
import { day, high, ids, profile, shop } from './fixtures';

export function membershipSuite(label: string, freshConfig: () => Promise<StoreConfig>): void {
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
