import assert from 'node:assert/strict';
import path from 'node:path';
import zlib from 'node:zlib';
import { InputError } from '../../core/errors';
import { decodeEventTable, encodeEventTable, eventTableFormatVersion } from '../../core/events/codec';
import { loadEvents } from '../../core/events/load';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { writeSimulation } from '../../core/simulate';
import { outputDir, sameTable } from './support';

function smallTable(): EventTable {
	const builder = new EventTableBuilder([
		{ name: 'channel', kind: 'category' },
		{ name: 'quantity', kind: 'number' },
	]);
	builder.add('b', Date.UTC(2024, 0, 2), 'purchase', 12.5, ['web', 2]);
	builder.add('a', Date.UTC(2024, 0, 1), 'visit', NaN, [undefined, undefined]);
	builder.add('a', -86400000, 'visit', -0, ['é 日本', 1.5]);
	return builder.build().table;
}

function refusal(pattern: RegExp) {
	return (error: unknown) => error instanceof InputError && error.code === 'bad-event-table' && pattern.test(error.message);
}

describe('the event table codec', () => {
	it('round-trips a table exactly: ids, times, types, values (NaN and -0 too), both attribute kinds', () => {
		const table = smallTable();
		const decoded = decodeEventTable(encodeEventTable(table));
		assert.ok(sameTable(decoded, table));
		assert.ok(Object.is(decoded.value[0], -0) || Object.is(decoded.value[1], -0));
	});

	it('round-trips an empty table and a simulated shop, and gives the same bytes for the same table', async function () {
		this.timeout(60000);
		const empty = new EventTableBuilder([]).build().table;
		assert.ok(sameTable(decodeEventTable(encodeEventTable(empty)), empty));
		const file = path.join(outputDir('codec'), 'shop.csv');
		await writeSimulation({ profiles: 300, seed: 9, format: 'csv', out: file });
		const { table } = await loadEvents({ kind: 'file', path: file });
		const bytes = encodeEventTable(table);
		assert.ok(sameTable(decodeEventTable(bytes), table));
		assert.deepEqual(encodeEventTable(decodeEventTable(bytes)), bytes);
		// The typed arrays dominate: the header (ids, dictionaries) adds little per event.
		assert.ok(bytes.length < table.length * 60, `${bytes.length} bytes for ${table.length} events`);
	});

	it('decodes from a Uint8Array that is a view into a larger, unaligned buffer', () => {
		const bytes = encodeEventTable(smallTable());
		const larger = new Uint8Array(bytes.length + 3);
		larger.set(bytes, 3);
		assert.ok(sameTable(decodeEventTable(larger.subarray(3)), smallTable()));
	});

	it('refuses bytes that are not an event table', () => {
		assert.throws(() => decodeEventTable(new TextEncoder().encode('customer_id,timestamp\n')), refusal(/signature/));
		assert.throws(() => decodeEventTable(new Uint8Array(0)), refusal(/signature/));
	});

	it('refuses a newer format version and says to update the package', () => {
		const bytes = encodeEventTable(smallTable());
		new DataView(bytes.buffer).setUint32(8, eventTableFormatVersion + 1, true);
		assert.throws(() => decodeEventTable(bytes), refusal(/format version 2.*Update n8n-nodes-propensity/));
	});

	it('refuses a payload whose bytes were changed, by its checksum, and one cut short', () => {
		const bytes = encodeEventTable(smallTable());
		for (const at of [40, bytes.length - 1, bytes.length - 30]) {
			const damaged = bytes.slice();
			damaged[at] ^= 0x10;
			assert.throws(() => decodeEventTable(damaged), refusal(/checksum/), `byte ${at}`);
		}
		assert.throws(() => decodeEventTable(bytes.subarray(0, bytes.length - 8)), refusal(/cut short/));
	});

	it('refuses a table whose parts do not fit together, even when its checksum was recomputed', () => {
		const bytes = encodeEventTable(smallTable());
		const view = new DataView(bytes.buffer);
		const headerLength = view.getUint32(12, true);
		const header = JSON.parse(new TextDecoder().decode(bytes.subarray(32, 32 + headerLength))) as { type: { offset: number } };
		const dataStart = Math.ceil((32 + headerLength) / 8) * 8;
		view.setUint16(dataStart + header.type.offset, 7, true);
		view.setUint32(16, zlib.crc32(bytes.subarray(32)), true);
		assert.throws(() => decodeEventTable(bytes), refusal(/event type code with no name/));
	});
});
