import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { CancelledError, InputError } from '../../core/errors';
import { loadEvents, type LoadOptions, type LoadResult } from '../../core/events/load';
import { parallelCsvOutcomes, parallelCsvSettings } from '../../core/events/parallelCsv';
import { EventTableBuilder, maxEventTypes } from '../../core/events/table';
import { utf8Text } from '../../core/events/text';
import { writeSimulation } from '../../core/simulate';
import { outputDir, sameTable } from './support';

type Outcome = { result?: LoadResult; error?: { message: string; code: string; details: unknown } };

/** Loads `file` with one thread, then with the second half on a worker; says what the worker's half came to. */
async function loadBothWays(file: string, options: LoadOptions = {}): Promise<{ one: Outcome; two: Outcome; kept: number; readAgain: number }> {
	const saved = parallelCsvSettings.minBytes;
	const run = async (minBytes: number): Promise<Outcome> => {
		parallelCsvSettings.minBytes = minBytes;
		try {
			return { result: await loadEvents({ kind: 'file', path: file }, options) };
		} catch (error) {
			if (!(error instanceof InputError)) throw error;
			return { error: { message: error.message, code: error.code, details: error.details } };
		} finally {
			parallelCsvSettings.minBytes = saved;
		}
	};
	const one = await run(Infinity);
	const before = { ...parallelCsvOutcomes };
	const two = await run(0);
	return { one, two, kept: parallelCsvOutcomes.kept - before.kept, readAgain: parallelCsvOutcomes.readAgain - before.readAgain };
}

/** The two loads gave the same table, report and summary, or the same error. */
function assertSame(one: Outcome, two: Outcome): void {
	if (one.error || two.error) {
		assert.deepEqual(two.error, one.error);
		return;
	}
	const [a, b] = [one.result as LoadResult, two.result as LoadResult];
	assert.ok(sameTable(b.table, a.table), 'the tables differ');
	assert.deepEqual(b.report, a.report);
	assert.deepEqual(b.summary, a.summary);
}

const header = 'customer_id,timestamp,event_type,value,channel,campaign';

/** `count` good rows, customer ids from `first`, with a non-ASCII campaign now and then. */
function rows(first: number, count: number): string[] {
	return Array.from({ length: count }, (_, k) => {
		const n = first + k;
		const day = String(1 + (n % 28)).padStart(2, '0');
		return `c${n % 97},2024-03-${day}T10:${String(n % 60).padStart(2, '0')}:00Z,${n % 5 === 0 ? 'purchase' : 'visit'},${n % 5 === 0 ? (n % 7) * 1.25 : ''},web,${n % 11 === 0 ? 'été' : 'spring'}`;
	});
}

describe('loading a large CSV file on two threads', function () {
	this.timeout(120000);
	let dir: string;
	before(() => {
		dir = outputDir('parallel');
	});
	const write = (name: string, lines: string[] | string): string => {
		const file = path.join(dir, name);
		fs.writeFileSync(file, typeof lines === 'string' ? lines : `${lines.join('\n')}\n`);
		return file;
	};

	it('gives the same table, report and summary as one thread, with the worker half kept', async () => {
		const file = path.join(dir, 'shop.csv');
		await writeSimulation({ profiles: 300, seed: 9, format: 'csv', out: file });
		const { one, two, kept } = await loadBothWays(file);
		assert.ok((one.result?.table.length ?? 0) > 5000);
		assertSame(one, two);
		assert.equal(kept, 1, 'the worker half was kept');
	});

	it('keeps the first half when it ends with CRLF line ends and blank lines', async () => {
		const file = write('crlf.csv', `${[header, ...rows(0, 400), '', ...rows(400, 400)].join('\r\n')}\r\n`);
		const { one, two, kept } = await loadBothWays(file);
		assertSame(one, two);
		assert.equal(one.result?.table.length, 800);
		assert.equal(kept, 1);
	});

	it('reads the second half again on the calling thread when it has a bad row: same rows and lines reported, under skip and fail', async () => {
		const lines = [header, ...rows(0, 500), ...rows(500, 300), 'c1,not a time,visit,,web,x', ...rows(800, 100), 'c2,2024-02-30T00:00:00Z,visit,,web,x'];
		const file = write('bad-second.csv', lines);
		const skip = await loadBothWays(file, { badRows: 'skip' });
		assertSame(skip.one, skip.two);
		assert.deepEqual(skip.one.result?.report.rejected.byReason, { 'bad-time': 1, 'impossible-date': 1 });
		assert.equal(skip.one.result?.report.rejected.examples[0].line, 802);
		assert.equal(skip.readAgain, 1);
		assert.equal(skip.kept, 0);
		const fail = await loadBothWays(file);
		assert.ok(fail.one.error?.message.startsWith('Row 801 (line 802) of bad-second.csv'), fail.one.error?.message);
		assertSame(fail.one, fail.two);
	});

	it('stops at a bad row in the first half under fail, as one thread does', async () => {
		const file = write('bad-first.csv', [header, ...rows(0, 10), 'c1,2024-03-01T00:00:00Z,,,web,x', ...rows(10, 900)]);
		const { one, two } = await loadBothWays(file);
		assert.equal(one.error?.code, 'bad-row');
		assertSame(one, two);
	});

	it('reads on when a quoted field with line breaks spans the middle of the file', async () => {
		const inner = Array.from({ length: 600 }, (_, k) => `line ${k}, with a comma`).join('\n');
		const file = write('quoted.csv', [header, ...rows(0, 300), `c5,2024-03-01T00:00:00Z,visit,,web,"${inner}"`, ...rows(300, 300)]);
		const { one, two, kept, readAgain } = await loadBothWays(file);
		assertSame(one, two);
		assert.equal(one.result?.table.length, 601);
		assert.equal(kept, 0);
		assert.equal(readAgain, 1);
	});

	it('treats a U+FFFD in the second half as a bad encoding when the first half had invalid bytes, as one thread does', async () => {
		const first = Buffer.from(`${[header, ...rows(0, 5)].join('\n')}\nc1,2024-03-01T00:00:00Z,visit,,web,M`);
		const broken = Buffer.concat([
			first,
			Buffer.from([0xfc]),
			Buffer.from(`nchen\n${[...rows(5, 800), 'c3,2024-03-01T00:00:00Z,visit,,web,\uFFFD'].join('\n')}\n`),
		]);
		const file = path.join(dir, 'encoding.csv');
		fs.writeFileSync(file, broken);
		const { one, two } = await loadBothWays(file, { badRows: 'skip' });
		assertSame(one, two);
		assert.equal(one.result?.report.rejected.byReason['bad-encoding'], 2);
	});

	it('stops with CancelledError when cancelled while the worker reads its half', async () => {
		const file = write('cancel.csv', [header, ...rows(0, 3000)]);
		const saved = parallelCsvSettings.minBytes;
		parallelCsvSettings.minBytes = 0;
		try {
			const controller = new AbortController();
			const load = loadEvents({ kind: 'file', path: file }, {}, { signal: controller.signal, onProgress: () => controller.abort() });
			await assert.rejects(load, CancelledError);
		} finally {
			parallelCsvSettings.minBytes = saved;
		}
		// The next load of the same file is whole again.
		const { one, two } = await loadBothWays(file);
		assertSame(one, two);
		assert.equal(two.result?.table.length, 3000);
	});

	it('does not split gzip, UTF-16 or NDJSON files, and loads them as one thread does', async () => {
		const csv = `${[header, ...rows(0, 600)].join('\n')}\n`;
		const files = [
			write('packed.csv', zlib.gzipSync(csv).toString('latin1')),
			path.join(dir, 'wide.csv'),
			write(
				'events.ndjson',
				rows(0, 600).map((row) => JSON.stringify({ customer_id: row.split(',')[0], timestamp: row.split(',')[1], event_type: 'visit' })),
			),
		];
		fs.writeFileSync(files[0], zlib.gzipSync(csv));
		fs.writeFileSync(files[1], Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]));
		for (const file of files) {
			const { one, two, kept, readAgain } = await loadBothWays(file);
			assertSame(one, two);
			assert.equal(one.result?.table.length, 600, file);
			assert.equal(kept + readAgain, 0, `${file}: no worker`);
		}
	});
});

describe('appending one event builder to another', () => {
	const specs = [
		{ name: 'channel', kind: 'category' as const },
		{ name: 'score', kind: 'number' as const },
	];
	type Event = [string, number, string, number, (string | number | undefined)[]];
	const events: Event[] = Array.from({ length: 500 }, (_, i): Event => [
		`p${(i * 7) % 23}`,
		1700000000000 + ((i * 13) % 50) * 1000,
		`t${i % 4}${i > 300 ? 'late' : ''}`,
		i % 3 ? NaN : i / 4,
		[i % 5 ? `ch${i % 3}${i > 250 ? 'new' : ''}` : undefined, i % 2 ? i : undefined],
	]);

	it('builds the same table as one builder fed every event, new ids, types and categories included', () => {
		const feed = (builder: EventTableBuilder, from: number, to: number): EventTableBuilder => {
			for (let i = from; i < to; i++) builder.add(...events[i]);
			return builder;
		};
		const whole = feed(new EventTableBuilder(specs), 0, events.length).build().table;
		for (const cut of [0, 1, 250, 499, 500]) {
			const first = feed(new EventTableBuilder(specs), 0, cut);
			first.append(feed(new EventTableBuilder(specs), cut, events.length).part());
			assert.ok(sameTable(first.build().table, whole), `cut at ${cut}`);
		}
	});

	it('refuses a part that would bring more than the most event types', () => {
		const first = new EventTableBuilder();
		const second = new EventTableBuilder();
		for (let t = 0; t < 40000; t++) first.add('p', t, `a${t}`, NaN);
		for (let t = 0; t < maxEventTypes - 40000 + 1; t++) second.add('p', t, `b${t}`, NaN);
		assert.equal(first.canAppend(second.part()), false);
		assert.throws(() => first.append(second.part()), RangeError);
	});
});

describe('UTF-8 chunks to text', () => {
	const decodeAll = (chunks: Buffer[], fast: boolean): string => {
		const decoder = new StringDecoder('utf8');
		return chunks.map((chunk) => (fast ? utf8Text(decoder, chunk) : decoder.write(chunk))).join('') + decoder.end();
	};

	it('gives what the decoder gives: ASCII chunks, characters cut between chunks, and bytes cut short before ASCII', () => {
		const cases: number[][][] = [
			[[0x61, 0x62], [0x63]],
			[[0x61, 0xc3], [0xa9, 0x62], [0x63]],
			[[0x61, 0xe2, 0x82], [0xac], [0x78]],
			[[0x61, 0xe2, 0x82], [0x78, 0x79], [0x7a]],
			[[0xf0, 0x9f], [0x98], [0x80, 0x41]],
			[[0xf0, 0x9f, 0x98], [0x41]],
			[[0xff], [0x41]],
			[[0x41, 0xc3], []],
		];
		for (const chunks of cases) {
			const buffers = chunks.map((bytes) => Buffer.from(bytes));
			assert.equal(decodeAll(buffers, true), decodeAll(buffers, false), JSON.stringify(chunks));
		}
	});

	it('reads a plain Uint8Array as well as a Buffer', () => {
		const decoder = new StringDecoder('utf8');
		assert.equal(utf8Text(decoder, new Uint8Array([0x68, 0x69])), 'hi');
		assert.equal(utf8Text(decoder, new TextEncoder().encode('é')), 'é');
	});
});
