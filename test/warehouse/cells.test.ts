/**
 * Rows read by position: ClickHouse's TabSeparated bytes decoded as they arrive, and pg's arrays,
 * give the values the object rows gave (numbers as `Number` reads the server's text, NULL as
 * NaN, text unescaped), wherever the chunks cut the answer; a malformed value or row is an
 * error naming the row and the column, and the server's own error met part-way reads as its.
 */
import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { ArrayCells, type RowCells, TsvRowDecoder, tsvField, tsvLines } from '../../core/warehouse/cells';
import { connectWarehouse } from '../../core/warehouse/client';
import { SqlValues, dialectOf } from '../../core/warehouse/dialect';
import { numberOf } from '../../core/warehouse/examples';
import { engines, hostileValues, shopColumns, writeRows } from './support';

/** Each row's cells as [numbers or undefined where not a number, texts], read while the row is current. */
function decodeTsv(chunks: readonly Buffer[], numeric: readonly boolean[]): { numbers: number[][]; texts: (string | null)[][] } {
	const numbers: number[][] = [];
	const texts: (string | null)[][] = [];
	const decoder = new TsvRowDecoder((cells: RowCells) => {
		numbers.push(numeric.map((isNumber, i) => (isNumber ? cells.number(i) : NaN)));
		texts.push(numeric.map((_, i) => cells.text(i)));
	}, 'in the test');
	for (const chunk of chunks) decoder.push(chunk);
	decoder.end();
	return { numbers, texts };
}

/** ClickHouse's TabSeparated escaping of text. */
function escapeTsv(text: string): string {
	return text.replace(
		/[\\\t\n\r\b\f\0']/g,
		(c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\0': '\\0', "'": "\\'" })[c] as string,
	);
}

describe('rows read by position', () => {
	// What ClickHouse writes for its numbers, and what the object rows read from them.
	const numbers: [string, number][] = [
		['0', 0],
		['7', 7],
		['-12', -12],
		['-0', -0],
		['281474976710655', 2 ** 48 - 1],
		['999999999999999', 999999999999999],
		['9007199254740993', Number('9007199254740993')],
		['18446744073709551615', Number('18446744073709551615')],
		['1764547200000', 1764547200000],
		['0.1', 0.1],
		['-2.5e-8', -2.5e-8],
		['1e+300', 1e300],
		['123456.78901234567', 123456.78901234567],
		['inf', Infinity],
		['-inf', -Infinity],
		['nan', NaN],
		['\\N', NaN],
	];
	const texts = ['plain', 'tab\there', 'line\nbreak', 'back\\slash', "it's", 'é 日本 😀', '\\N', '', 'cr\rnul\0'];
	const header = 'p\tx\ty\n';
	const lines = numbers.map(([x], r) => `${escapeTsv(texts[r % texts.length])}\t${x}\t${numbers[numbers.length - 1 - r][0]}\n`);
	const answer = Buffer.from(header + lines.join(''));
	const expected = {
		numbers: numbers.map(([, x], r) => [NaN, x, numbers[numbers.length - 1 - r][1]]),
		texts: numbers.map(([x], r) => [
			texts[r % texts.length],
			x === '\\N' ? null : x,
			numbers[numbers.length - 1 - r][0] === '\\N' ? null : numbers[numbers.length - 1 - r][0],
		]),
	};

	it('decode ClickHouse’s TabSeparated numbers as Number reads them, NULL as NaN, and its escaped text exactly', () => {
		assert.deepEqual(decodeTsv([answer], [false, true, true]), expected);
	});

	it('give the same rows wherever the answer is cut into chunks', () => {
		for (let cut = 0; cut <= answer.length; cut++) {
			const parts = [answer.subarray(0, cut), answer.subarray(cut)];
			assert.deepEqual(decodeTsv(parts, [false, true, true]), expected, `cut at byte ${cut}`);
		}
		const bytes = Array.from(answer, (byte) => Buffer.from([byte]));
		assert.deepEqual(decodeTsv(bytes, [false, true, true]), expected, 'one byte at a time');
	});

	it('refuse a value that is not a number, naming the value, the column and the row', () => {
		for (const bad of ['abc', '', '1.2.3', '--1', '12a', ' ']) {
			const tsv = Buffer.from(`p\tk\ta7\nx\t1\t2\ny\t1\t${bad}\n`);
			assert.throws(
				() => decodeTsv([tsv], [false, true, true]),
				(error: unknown) =>
					error instanceof InputError &&
					error.code === 'warehouse-result' &&
					error.message.includes(`${JSON.stringify(bad)} for a7 in row 2 of the answer in the test, where a number was expected`),
				JSON.stringify(bad),
			);
		}
	});

	it('refuse a row with too few or too many columns, and an answer cut part-way through a row', () => {
		for (const row of ['x\t1', 'x\t1\t2\t3']) {
			assert.throws(
				() => decodeTsv([Buffer.from(`p\tk\ta0\nx\t1\t2\n${row}\n`)], [false, true, true]),
				(error: unknown) => error instanceof InputError && /not a row of 3 columns .* after row 1 in the test/.test(error.message),
				row,
			);
		}
		assert.throws(
			() => decodeTsv([Buffer.from('p\tk\ta0\nx\t1\t2\ny\t1')], [false, true, true]),
			(error: unknown) => error instanceof InputError && /ended part-way through a row\) after row 1/.test(error.message),
		);
	});

	it('read the server’s error met after some rows as the server’s, not as a malformed row', () => {
		const tsv = Buffer.from('p\tk\nx\t1\nCode: 395, e.displayText() = DB::Exception: Value passed to throwIf function is non zero\n');
		assert.throws(
			() => decodeTsv([tsv], [false, true]),
			(error: unknown) =>
				error instanceof Error && !(error instanceof InputError) && /stopped part-way through the result: Code: 395/.test(error.message),
		);
	});

	it('read pg’s arrays as numberOf reads object rows, and name the row and column of a bad value', () => {
		const cells = new ArrayCells(['p', 'n', 'f'], 'in the test');
		const rows: unknown[][] = [
			['a', '9007199254740993', 1.5],
			['b', null, -0],
			['c', '-12', 'Infinity'],
		];
		for (const [r, row] of rows.entries()) {
			cells.values = row;
			cells.row = r + 1;
			const object = { p: row[0], n: row[1], f: row[2] };
			assert.equal(cells.text(0), row[0]);
			assert.deepEqual([cells.number(1), cells.number(2)], [numberOf(object, 'n', ''), numberOf(object, 'f', '')]);
		}
		cells.values = ['d', 'twelve', 1];
		cells.row = 4;
		assert.throws(
			() => cells.number(1),
			(error: unknown) => error instanceof InputError && error.message.includes('"twelve" for n in row 4 of the answer in the test'),
		);
	});

	for (const engine of engines) {
		it(`give, on ${engine}, the values the object rows give, streamed: hostile text, 64-bit integers, fractions and NULL`, async function () {
			this.timeout(300_000);
			const source = await writeRows(engine, 'cells_echo', shopColumns(), [{ customer_id: 'a', timestamp: 0, event_type: 'visit', value: 1 }]);
			const client = await connectWarehouse(source);
			try {
				const wholes = [0, 1, -1, 2 ** 48 - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 1764547200000];
				const fractions = [0.1, -2.5e-8, 1e300, 123456.78901234567, 1 / 3];
				const corpus = engine === 'postgres' ? hostileValues : [...hostileValues, 'nul\0byte'];
				const values = new SqlValues(dialectOf(engine));
				const types =
					engine === 'postgres'
						? { text: 'text', whole: 'bigint', fraction: 'float8', none: 'float8' }
						: { text: 'String', whole: 'Int64', fraction: 'Float64', none: 'Nullable(Float64)' };
				const selects = corpus.map((text, r) => {
					const whole = wholes[r % wholes.length];
					const fraction = fractions[r % fractions.length];
					const none = r % 2 === 0 ? 'NULL' : values.value(fraction);
					return `SELECT ${r} AS r, CAST(${values.value(text)} AS ${types.text}) AS t, CAST(${values.value(whole)} AS ${types.whole}) AS w, CAST(${values.value(fraction)} AS ${types.fraction}) AS f, CAST(${none} AS ${types.none}) AS n`;
				});
				const sql = `SELECT r, t, w, f, n FROM (${selects.join(' UNION ALL ')}) AS u ORDER BY r`;
				const objects = await client.rows(sql, values.params);
				const positional: unknown[][] = [];
				await client.eachCells(sql, values.params, 'in the test', (cells) =>
					positional.push([cells.number(0), cells.text(1), cells.number(2), cells.number(3), cells.number(4), cells.row]),
				);
				assert.equal(positional.length, corpus.length);
				assert.deepEqual(
					positional,
					objects.map((row, r) => [numberOf(row, 'r', ''), row.t, numberOf(row, 'w', ''), numberOf(row, 'f', ''), numberOf(row, 'n', ''), r + 1]),
				);
				assert.deepEqual(
					positional.map((row) => row[1]),
					corpus,
				);
				// A row refused part-way fails the read with its reason (an InputError as it is), and the connection goes on working.
				const refused = new InputError('refused at row 2', 'test');
				await assert.rejects(
					client.eachCells(sql, values.params, 'in the test', (cells) => {
						if (cells.row === 2) throw refused;
					}),
					(error) => error === refused,
				);
				await assert.rejects(
					client.eachCells(sql, values.params, 'in the test', (cells) => {
						if (cells.row === 3) throw new Error('not a row');
					}),
					(error: unknown) =>
						error instanceof Error &&
						/while reading the answer of the warehouse .*: not a row\./.test(error.message) &&
						!/refused a query/.test(error.message),
				);
				assert.equal((await client.rows(sql, values.params)).length, corpus.length);
			} finally {
				await client.close();
			}
		});
	}
});

describe('rows written as TabSeparated', () => {
	it('write numbers in the digits that read back exactly, NULL as \\N, and text escaped', () => {
		assert.equal(tsvField(null), '\\N');
		assert.equal(tsvField(0.1 + 0.2), '0.30000000000000004');
		assert.equal(tsvField(-0), '0');
		assert.equal(tsvField(Infinity), 'inf');
		assert.equal(tsvField("a\tb\nc\\d'e"), "a\\tb\\nc\\\\d\\'e");
		const lines = [...tsvLines(3, (r) => [`id\t${r}`, r / 3, r === 1 ? null : r])].join('');
		assert.equal(lines, 'id\\t0\t0\t0\nid\\t1\t0.3333333333333333\t\\N\nid\\t2\t0.6666666666666666\t2\n');
	});

	it('come back from ClickHouse as JSONEachRow rows do, hostile text exactly', async function () {
		this.timeout(300_000);
		const source = await writeRows('clickhouse', 'cells_write', shopColumns(), [{ customer_id: 'a', timestamp: 0, event_type: 'visit', value: 1 }]);
		const client = await connectWarehouse(source);
		try {
			await client.command('DROP TABLE IF EXISTS cells_written', []);
			await client.command('DROP TABLE IF EXISTS cells_written_json', []);
			await client.command('CREATE TABLE cells_written (r UInt32, t String, x Float64, v Nullable(Int64)) ENGINE = Memory', []);
			await client.command('CREATE TABLE cells_written_json AS cells_written', []);
			const corpus = [...hostileValues, 'nul\0byte'];
			const row = (r: number) => [r, corpus[r], Math.PI * 10 ** (r - 10), r % 3 === 0 ? null : -r] as const;
			await client.insertRows('cells_written', ['r', 't', 'x', 'v'], corpus.length, row);
			await client.insertJson(
				'cells_written_json',
				corpus.map((_, i) => Object.fromEntries(['r', 't', 'x', 'v'].map((name, c) => [name, row(i)[c]]))),
			);
			const read = async (table: string) =>
				(await client.rows(`SELECT r, t, x, v FROM ${table} ORDER BY r`, [])).map((written) => [
					numberOf(written, 'r', ''),
					written.t,
					numberOf(written, 'x', ''),
					written.v === null ? null : numberOf(written, 'v', ''),
				]);
			const back = await read('cells_written');
			assert.deepEqual(
				back.map(([r, t, , v]) => [r, t, v]),
				corpus.map((_, r) => [r, corpus[r], row(r)[3]]),
			);
			// ClickHouse 18.16 reads a decimal fraction to within an ulp, not always to the nearest double, whatever the format.
			for (const [r, , x] of back) assert.ok(Math.abs((x as number) / row(r as number)[2] - 1) < 1e-15, `row ${r}`);
			assert.deepEqual(back, await read('cells_written_json'), 'the same as rows inserted as JSON');
		} finally {
			await client.command('DROP TABLE IF EXISTS cells_written', []);
			await client.command('DROP TABLE IF EXISTS cells_written_json', []);
			await client.close();
		}
	});
});
