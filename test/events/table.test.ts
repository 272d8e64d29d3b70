import assert from 'node:assert/strict';
import { EventTableBuilder } from '../../core/events/table';

describe('the event table builder', () => {
	it('grows past its first block and sorts by profile, then time', () => {
		const builder = new EventTableBuilder([{ name: 'channel', kind: 'category' }]);
		for (let i = 2999; i >= 0; i--) builder.add(`p${i % 3}`, i * 1000, i % 2 ? 'view' : 'purchase', i, [i % 5 ? 'web' : 'app']);
		const { table } = builder.build();
		assert.equal(table.length, 3000);
		assert.deepEqual(table.profileIds, ['p0', 'p1', 'p2']);
		assert.deepEqual([...table.profileStart], [0, 1000, 2000, 3000]);
		assert.deepEqual([...table.time.subarray(0, 3)], [0, 3000, 6000]);
		assert.deepEqual([...table.value.subarray(1000, 1003)], [1, 4, 7]);
	});

	it('refuses more events once it has built its table, instead of building a wrong one', () => {
		const builder = new EventTableBuilder();
		builder.add('a', 1000, 'view', NaN);
		builder.build();
		assert.throws(() => builder.add('b', 2000, 'view', NaN), /already built its table; start a new builder/);
		assert.throws(() => builder.build(), /already built its table/);
	});
});
