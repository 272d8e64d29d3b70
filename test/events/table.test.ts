import assert from 'node:assert/strict';
import { expectedLines } from '../../core/events/load';
import { compareStrings, EventTableBuilder } from '../../core/events/table';

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

	it('builds the same table whatever room was made for the events: none, too little, too much, with a part appended', () => {
		const fill = (builder: EventTableBuilder, from: number, to: number): EventTableBuilder => {
			for (let i = from; i < to; i++)
				builder.add(`p${(i * 7) % 13}`, (i % 17) * 1000, i % 3 ? 'view' : 'purchase', i % 4 ? i : NaN, [`c${i % 5}`, i % 6 ? i / 2 : NaN]);
			return builder;
		};
		const specs = [
			{ name: 'channel', kind: 'category' as const },
			{ name: 'amount', kind: 'number' as const },
		];
		const reference = fill(new EventTableBuilder(specs), 0, 5000).build().table;
		for (const room of [0, 10, 2500, 5000, 1e6]) {
			const whole = new EventTableBuilder(specs);
			whole.reserve(room);
			assert.deepEqual(fill(whole, 0, 5000).build().table, reference, `room for ${room}`);
			const first = new EventTableBuilder(specs);
			first.reserve(room);
			fill(first, 0, 2000).append(fill(new EventTableBuilder(specs), 2000, 5000).part());
			assert.deepEqual(first.build().table, reference, `room for ${room}, then a part appended`);
		}
	});

	it('keeps the arrays of events that came nearly in order, and builds the same table as from the same events shuffled', () => {
		const specs = [
			{ name: 'channel', kind: 'category' as const },
			{ name: 'amount', kind: 'number' as const },
		];
		const events = Array.from({ length: 3000 }, (_, i) => ({ id: `p${String(Math.floor(i / 30)).padStart(3, '0')}`, time: (i % 30) * 1000, i }));
		const add = (builder: EventTableBuilder, event: { id: string; time: number; i: number }): void =>
			builder.add(event.id, event.time, event.i % 3 ? 'view' : 'buy', event.i % 4 ? event.i : NaN, [event.i % 5 ? `c${event.i % 7}` : '', event.i / 3]);
		const inOrder = new EventTableBuilder(specs);
		inOrder.reserve(3010);
		// Nearly in order: two events of one profile swapped, and one at the same time as the next but of a later type.
		const nearly = [...events];
		[nearly[100], nearly[101]] = [nearly[101], nearly[100]];
		nearly[200] = { ...nearly[200], time: nearly[201].time };
		for (const event of nearly) add(inOrder, event);
		const kept = inOrder.build().table;
		// The 10 spare rows show it is the builder's own array, not a gathered copy.
		assert.equal(kept.time.buffer.byteLength, 3010 * 8);
		const shuffled = new EventTableBuilder(specs);
		for (let k = 0; k < nearly.length; k++) add(shuffled, nearly[(k * 1237) % nearly.length]);
		const gathered = shuffled.build().table;
		assert.equal(gathered.time.buffer.byteLength, 3000 * 8);
		assert.deepEqual(kept, gathered);
		// With room for twice the events, the arrays are gathered into ones of the right size.
		const roomy = new EventTableBuilder(specs);
		roomy.reserve(6000);
		for (const event of nearly) add(roomy, event);
		const roomyTable = roomy.build().table;
		assert.equal(roomyTable.time.buffer.byteLength, 3000 * 8);
		assert.deepEqual(roomyTable, gathered);
	});

	it('sorts ids, types and categories by UTF-16 code units, astral and accented characters included', () => {
		const ids = ['b', 'B', 'é', 'e\u0301', '\u{1F600}', '\uFFFD', 'a10', 'a9', ' a', 'ä'];
		const builder = new EventTableBuilder([{ name: 'tag', kind: 'category' }]);
		ids.forEach((id, i) => builder.add(id, i, ids[ids.length - 1 - i], NaN, [id]));
		const { table } = builder.build();
		const expected = [...ids].sort(compareStrings);
		assert.deepEqual(table.profileIds, expected);
		assert.deepEqual(table.types, expected);
		const category = table.attributes[0];
		assert.ok(category.kind === 'category');
		assert.deepEqual(category.dictionary, expected);
		// Each event keeps its own tag: the codes follow the sorted dictionary.
		for (let p = 0; p < table.profileIds.length; p++) assert.equal(category.dictionary[category.codes[table.profileStart[p]]], table.profileIds[p]);
	});

	it('estimates the lines of a text from its first chunk: exact when the chunk is the whole text', () => {
		assert.equal(expectedLines('', 1000), 0);
		assert.equal(expectedLines('a,b\n1,2\n3,4\n', 12), 4);
		assert.equal(expectedLines('a,b\n1,2', 7), 2);
		// 10 bytes a line in the first 100 bytes: about 1,000 lines in 10,000 bytes, a little over.
		const head = '123456789\n'.repeat(10);
		const estimate = expectedLines(head, 10000);
		assert.ok(estimate >= 1000 && estimate <= 1130, `estimate ${estimate}`);
	});

	it('refuses more events once it has built its table, instead of building a wrong one', () => {
		const builder = new EventTableBuilder();
		builder.add('a', 1000, 'view', NaN);
		builder.build();
		assert.throws(() => builder.add('b', 2000, 'view', NaN), /already built its table; start a new builder/);
		assert.throws(() => builder.build(), /already built its table/);
	});
});
