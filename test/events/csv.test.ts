import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { InputError } from '../../core/errors';
import { detectDelimiter, readCsv } from '../../core/events/csv';
import { createRng } from '../../core/util/rng';

interface Parsed {
	header: string[];
	records: { fields: string[]; line: number }[];
	bad: { line: number; why: string }[];
}

async function* chunked(text: string, cuts: number[]): AsyncGenerator<string> {
	let from = 0;
	for (const cut of [...cuts, text.length]) {
		if (cut > from) yield text.slice(from, cut);
		from = Math.max(from, cut);
	}
}

async function readAll(text: string, cuts: number[] = [], delimiter = ','): Promise<Parsed> {
	const parsed: Parsed = { header: [], records: [], bad: [] };
	await readCsv(
		chunked(text, cuts),
		{
			header: (columns) => (parsed.header = columns),
			record: (fields, line) => parsed.records.push({ fields: [...fields], line }),
			bad: (line, _raw, why) => parsed.bad.push({ line, why }),
			chunkDone: () => undefined,
		},
		delimiter,
		'test.csv',
	);
	return parsed;
}

/** Every way of cutting `text` into two chunks, and some into many: chunk borders must not matter. */
function cutsOf(text: string, rng: ReturnType<typeof createRng>): number[][] {
	const cuts: number[][] = [[]];
	for (let i = 1; i < text.length; i++) cuts.push([i]);
	for (let k = 0; k < 20; k++) cuts.push([...new Set(Array.from({ length: 5 }, () => rng.int(text.length)))].sort((a, b) => a - b));
	cuts.push(Array.from({ length: text.length }, (_, i) => i));
	return cuts;
}

const tricky = [
	'id,name,note\n1,plain,text\n',
	'id,name,note\r\n1,"quoted, with comma","and ""quotes"""\r\n2,,\r\n',
	'id,name,note\n1,"a line\nbreak inside",x\n2,"",""\n',
	'id,name,note\n1,a,b',
	'id,name,note\n\n1,a,b\n\n\n2,c,d\n',
	'id,name,note\n1,"ends with quote""",z\n',
	'"id","name","note"\n"1","x","y"\n',
	'id,name,note\r\n1,"crlf\r\ninside",z\r\n3,é ü,日本\r\n',
];

describe('the CSV reader', () => {
	it('reads quoted fields, doubled quotes, line breaks inside quotes and CRLF as csv-parse does, wherever the chunks are cut', async () => {
		const rng = createRng(3);
		for (const text of tricky) {
			const expected = parse(text, { skip_empty_lines: true, relax_column_count: false }) as string[][];
			for (const cuts of cutsOf(text, rng)) {
				const parsed = await readAll(text, cuts);
				assert.deepEqual(
					[parsed.header, ...parsed.records.map((record) => record.fields)],
					expected,
					`${JSON.stringify(text)} cut at ${cuts.join(',')}`,
				);
				assert.deepEqual(parsed.bad, []);
			}
		}
	});

	it('agrees with csv-parse on random files of awkward fields', async () => {
		const rng = createRng(11);
		const pieces = ['a', 'b c', '', ',', '"', '""', '\n', '\r\n', 'x"y', 'é', '  ', ';'];
		for (let file = 0; file < 150; file++) {
			const rows: string[][] = [['h1', 'h2', 'h3']];
			for (let r = 0; r < 1 + rng.int(6); r++) {
				rows.push(Array.from({ length: 3 }, () => Array.from({ length: rng.int(4) }, () => pieces[rng.int(pieces.length)]).join('')));
			}
			const cell = (value: string): string => (/[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value);
			const text = rows.map((row) => row.map(cell).join(',')).join(rng.next() < 0.5 ? '\n' : '\r\n');
			const expected = parse(text, { skip_empty_lines: true }) as string[][];
			const cuts = [rng.int(text.length), rng.int(text.length)].sort((a, b) => a - b);
			const parsed = await readAll(text, cuts);
			assert.deepEqual([parsed.header, ...parsed.records.map((record) => record.fields)], expected, JSON.stringify(text));
		}
	});

	it('numbers rows by the line they start on, counting line breaks inside quotes and blank lines', async () => {
		const parsed = await readAll('id,note\n1,"two\nlines"\n\n2,x\n3,"a\r\nb\r\nc"\n4,y\n');
		assert.deepEqual(
			parsed.records.map((record) => [record.fields[0], record.line]),
			[
				['1', 2],
				['2', 5],
				['3', 6],
				['4', 9],
			],
		);
	});

	it('reports a row with the wrong number of fields or a stray quote as bad, with its line, and reads on', async () => {
		const parsed = await readAll('id,a,b\n1,x,y\n2,only two\n3,x"y,z\n4,"q"junk,z\n5,x,y,extra\n6,ok,ok\n');
		assert.deepEqual(
			parsed.records.map((record) => record.fields[0]),
			['1', '6'],
		);
		assert.deepEqual(
			parsed.bad.map((bad) => bad.line),
			[3, 4, 5, 6],
		);
		assert.match(parsed.bad[0].why, /2 fields, the header has 3/);
		assert.match(parsed.bad[1].why, /quote appears inside a field/);
		assert.match(parsed.bad[2].why, /quoted field is followed by other text/);
	});

	it('reports a quote that is never closed at the end of the file as one bad row', async () => {
		const parsed = await readAll('id,a\n1,x\n2,"never closed\n3,y\n');
		assert.deepEqual(
			parsed.records.map((record) => record.fields[0]),
			['1'],
		);
		assert.equal(parsed.bad.length, 1);
		assert.equal(parsed.bad[0].line, 3);
		assert.match(parsed.bad[0].why, /never closed/);
	});

	it('refuses a file without a header (saying it is empty), and a header naming a column twice', async () => {
		await assert.rejects(
			readAll(''),
			(error: unknown) => error instanceof InputError && /is empty: there is no text in it, not even a header row/.test(error.message),
		);
		await assert.rejects(readAll('id,id\n1,2\n'), (error: unknown) => error instanceof InputError && /"id" twice/.test(error.message));
	});

	it('trims spaces around header names but keeps values as written', async () => {
		const parsed = await readAll('id , name\n 1 , a b \n');
		assert.deepEqual(parsed.header, ['id', 'name']);
		assert.deepEqual(parsed.records[0].fields, [' 1 ', ' a b ']);
	});

	it('finds semicolon, tab and pipe delimiters from the header line', async () => {
		assert.equal(detectDelimiter('customer_id;timestamp;event_type\n1;2;3'), ';');
		assert.equal(detectDelimiter('customer_id\ttimestamp\tevent_type'), '\t');
		assert.equal(detectDelimiter('a|b|c'), '|');
		assert.equal(detectDelimiter('a,b;c,d'), ',');
		const parsed = await readAll('id;note\n1;"a;b"\n', [], ';');
		assert.deepEqual(parsed.records[0].fields, ['1', 'a;b']);
	});
});
