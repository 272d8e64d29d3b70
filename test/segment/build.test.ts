import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { buildSegment, type SegmentRule } from '../../core/segment';
import { openStore } from '../../core/store';
import { day, high, ids, profile, shop } from './fixtures';
import { membershipSuite } from './membership';

membershipSuite('folder', async () => {
	const dir = path.resolve('test-output', 'segment', `store-${process.pid}-${randomBytes(4).toString('hex')}`);
	fs.mkdirSync(dir, { recursive: true });
	return { kind: 'folder', path: dir };
});

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
});
