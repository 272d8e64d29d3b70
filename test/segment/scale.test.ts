/** A segment of a million scored profiles, remembered in the folder store: a scale suite, out of `npm run test:unit`. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { buildSegment } from '../../core/segment';
import { openStore } from '../../core/store';
import { day, profile } from './fixtures';

describe('building a segment at scale', () => {
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
