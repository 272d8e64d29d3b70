import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import fs from 'node:fs';
import path from 'node:path';
import { loadEvents, type LoadOptions } from '../../core/events/load';
import { readScoresFile } from '../../core/segment/files';
import { outputDir } from './support';

const header = 'customer_id,timestamp,event_type,value\n';

function csv(text: string, options: LoadOptions = {}) {
	return loadEvents({ kind: 'buffer', data: Buffer.from(text), fileName: 'events.csv' }, options);
}

function ndjson(lines: string[], options: LoadOptions = {}) {
	return loadEvents({ kind: 'buffer', data: Buffer.from(`${lines.join('\n')}\n`), fileName: 'events.ndjson' }, options);
}

/** A value nested `levels` deep: arrays or objects. */
function nested(levels: number, kind: 'array' | 'object'): string {
	return kind === 'array' ? `${'['.repeat(levels)}1${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

describe('loading events: numbers that overflow', () => {
	for (const [name, text] of [
		['1e309', '1e309'],
		['a 400-digit integer', '9'.repeat(400)],
		['-1e400', '-1e400'],
	] as const) {
		it(`refuses ${name} as a bad value with its row and field, as it refuses Infinity`, async () => {
			await assert.rejects(csv(`${header}c1,2024-01-01,purchase,${text}\n`), (error: unknown) => {
				assert.ok(error instanceof InputError);
				assert.equal(error.code, 'bad-row');
				assert.match(error.message, /^Row 1 \(line 2\) of events\.csv: the value is not a number \(field value at "value"/);
				assert.match(error.message, /±1\.7e308/);
				return true;
			});
			const { report, table } = await csv(`${header}c1,2024-01-01,purchase,${text}\nc1,2024-01-02,purchase,5\n`, { badRows: 'skip' });
			assert.equal(table.length, 1);
			assert.deepEqual(report.rejected.byReason, { 'bad-value': 1 });
			assert.ok(Number.isFinite(table.value[0]));
		});
	}

	it('refuses a BigInt flow item too large for a number, and keeps one that fits', async () => {
		const rows = [
			{ customer_id: 'c1', timestamp: '2024-01-01', event_type: 'purchase', value: 10n ** 400n },
			{ customer_id: 'c1', timestamp: '2024-01-02', event_type: 'purchase', value: 12n },
		];
		const { report, table } = await loadEvents({ kind: 'rows', rows }, { badRows: 'skip' });
		assert.deepEqual(report.rejected.byReason, { 'bad-value': 1 });
		assert.equal(report.rejected.examples[0].field, 'value');
		assert.equal(report.rejected.examples[0].row, 1);
		assert.match(report.rejected.examples[0].value, /^1000/, 'the value is shown as digits, not as a quoted JSON string');
		assert.deepEqual(Array.from(table.value), [12]);
	});

	it('shows an Infinity or NaN value as Infinity or NaN, not as "null"', async () => {
		const rows = [
			{ customer_id: 'c1', timestamp: '2024-01-01', event_type: 'purchase', value: Infinity },
			{ customer_id: 'c1', timestamp: '2024-01-01', event_type: 'purchase', value: Number.NaN },
			{ customer_id: 'c1', timestamp: '2024-01-01', event_type: 'purchase', value: 1, price: -Infinity },
		];
		const { report } = await loadEvents({ kind: 'rows', rows }, { badRows: 'skip', attributes: { price: { path: 'price', kind: 'number' } } });
		assert.deepEqual(
			report.rejected.examples.map((example) => example.value),
			['Infinity', 'NaN', '-Infinity'],
		);
	});
});

describe('loading events: records nested too deep', () => {
	it('counts a record nested 10,000 levels under skip as a bad row instead of aborting the load', async () => {
		for (const kind of ['array', 'object'] as const) {
			const lines = [
				'{"customer_id":"c1","timestamp":"2024-01-01","event_type":"visit","campaign":"a"}',
				`{"customer_id":"c2","timestamp":"2024-01-01","event_type":"visit","campaign":${nested(10000, kind)}}`,
				`{"customer_id":${nested(10000, 'array')},"timestamp":"2024-01-01","event_type":"visit"}`,
			];
			const { report, table } = await ndjson(lines, { badRows: 'skip', attributes: { campaign: 'campaign' } });
			assert.equal(table.length, 1, kind);
			assert.equal(report.rowsRead, 3);
			assert.deepEqual(report.rejected.byReason, { 'too-deep': 2 }, kind);
			assert.match(report.rejected.examples[0].message, /Row 2 \(line 2\) of events\.ndjson: a value is nested too deeply \(field attribute campaign/);
			assert.ok(report.rejected.examples[0].value.length < 100, 'the example is short');
		}
	});

	it('stops at a record nested 10,000 levels under fail with an error naming the row and field', async () => {
		await assert.rejects(ndjson([`{"customer_id":${nested(10000, 'array')},"timestamp":"2024-01-01","event_type":"visit"}`]), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.equal(error.code, 'bad-row');
			assert.match(error.message, /Row 1 \(line 1\).*nested too deeply \(field profile id/);
			return true;
		});
	});

	it('reports a deeply nested flow item that is not an object without overflowing the stack', async () => {
		let deep: unknown = 1;
		for (let i = 0; i < 10000; i++) deep = [deep];
		const { report } = await loadEvents(
			{ kind: 'rows', rows: [{ customer_id: 'c1', timestamp: '2024-01-01', event_type: 'visit' }, deep] },
			{ badRows: 'skip' },
		);
		assert.deepEqual(report.rejected.byReason, { unparsable: 1 });
	});
});

describe('loading events: messages that say what is wrong', () => {
	it('says an empty events file such as /dev/null is empty, naming its path', async () => {
		await assert.rejects(loadEvents({ kind: 'file', path: '/dev/null' }), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.equal(error.code, 'empty-file');
			assert.match(error.message, /^"\/dev\/null" is empty/);
			return true;
		});
	});

	it('says a CSV file with blank lines only is empty', async () => {
		await assert.rejects(csv('\n\n'), /empty/);
	});

	it('says an empty scores file is an empty scores file, naming the scores columns rather than the events ones', async () => {
		const file = path.join(outputDir('reliability'), 'scores.csv');
		fs.writeFileSync(file, '');
		await assert.rejects(readScoresFile(file), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.match(error.message, /^The scores file ".*scores\.csv" is empty: .*profile_id,probability/);
			assert.doesNotMatch(error.message, /customer_id,timestamp/);
			return true;
		});
	});
});

describe('loading events: encodings and line endings', () => {
	const text = 'customer_id,timestamp,event_type,city\nc1,2024-01-01,visit,München\nc2,2024-01-02,visit,Paris\n';
	const cities = async (data: Uint8Array, options: LoadOptions = {}) => {
		const { table, report } = await loadEvents({ kind: 'buffer', data, fileName: 'events.csv' }, options);
		const city = table.attributes.find((column) => column.name === 'city');
		return { cities: city?.kind === 'category' ? [...city.dictionary].sort() : [], report, events: table.length };
	};

	it('counts rows with Latin-1 bytes read as UTF-8 as bad-encoding rows with advice, instead of loading U+FFFD', async () => {
		const latin1 = Buffer.from(text, 'latin1');
		const { cities: read, report, events } = await cities(latin1, { badRows: 'skip' });
		assert.equal(events, 1);
		assert.deepEqual(read, ['Paris']);
		assert.deepEqual(report.rejected.byReason, { 'bad-encoding': 1 });
		assert.match(
			report.rejected.examples[0].message,
			/^Row 1 \(line 2\) of events\.csv: the row is not valid text: it holds bytes that are not valid UTF-8 .*--encoding latin1/,
		);
		await assert.rejects(
			cities(latin1),
			(error: unknown) => error instanceof InputError && error.code === 'bad-row' && /bad-rows skip/.test(error.message),
		);
	});

	it('reads Latin-1 (Windows-1252) when told to', async () => {
		assert.deepEqual((await cities(Buffer.from(text, 'latin1'), { encoding: 'latin1' })).cities, ['München', 'Paris']);
		assert.deepEqual(
			(await cities(Buffer.from('customer_id,timestamp,event_type,city\nc1,2024-01-01,visit,\x80 shop\n', 'latin1'), { encoding: 'windows-1252' }))
				.cities,
			['€ shop'],
		);
	});

	it('reads UTF-16 with or without a byte-order mark, little- or big-endian', async () => {
		const le = Buffer.from(text, 'utf16le');
		const be = Buffer.from(le).swap16();
		for (const [name, data, options] of [
			['LE with a BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), le]), {}],
			['BE with a BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), be]), {}],
			['LE without a BOM', le, {}],
			['BE without a BOM', be, {}],
			['LE declared', le, { encoding: 'utf-16le' }],
		] as const) {
			assert.deepEqual((await cities(data, options as LoadOptions)).cities, ['München', 'Paris'], name);
		}
	});

	it('reads lines that end with a lone CR (classic Mac OS) as lines', async () => {
		const { cities: read, events } = await cities(Buffer.from(text.replace(/\n/g, '\r')));
		assert.equal(events, 2);
		assert.deepEqual(read, ['München', 'Paris']);
	});

	it('refuses a header with invalid bytes, naming the encoding option', async () => {
		await assert.rejects(cities(Buffer.from('customer_id,timestamp,event_type,Straße\nc1,2024-01-01,visit,x\n', 'latin1')), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.equal(error.code, 'bad-encoding');
			assert.match(error.message, /The header row of "events\.csv" holds bytes that are not valid UTF-8/);
			return true;
		});
	});

	it('refuses an unknown encoding as a bad option', async () => {
		await assert.rejects(
			cities(Buffer.from(text), { encoding: 'ebcdic' } as unknown as LoadOptions),
			(error: unknown) => error instanceof InputError && error.code === 'bad-options',
		);
	});

	it('keeps a U+FFFD that the UTF-8 file really holds', async () => {
		assert.deepEqual((await cities(Buffer.from('customer_id,timestamp,event_type,city\nc1,2024-01-01,visit,\uFFFD\n'))).cities, ['\uFFFD']);
	});
});
