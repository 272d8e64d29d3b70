/**
 * The byte reader of profile tables (core/events/tableBytes.ts) is a shortcut: a table reads the
 * same through it as through the text reader, to the bit, and whatever it does not handle goes
 * to the text reader. A UTF-8 byte-order mark sends a table to the text reader without changing
 * its text, so each table is read both ways and compared.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readProfileTable, tableReadOutcomes, type ProfileTableOptions, type ProfileTable } from '../../core/events/profileTable';
import { plainDecimal } from '../../core/events/tableBytes';
import { createRng, type Rng } from '../../core/util/rng';

const bom = Buffer.from([0xef, 0xbb, 0xbf]);

/** Reads the table's bytes, and says which reader read it. */
async function read(bytes: Buffer, options: ProfileTableOptions): Promise<{ table: ProfileTable; by: 'bytes' | 'text' }> {
	const before = { ...tableReadOutcomes };
	const table = await readProfileTable({ data: bytes, name: 'profiles.csv' }, options);
	return { table, by: tableReadOutcomes.bytes > before.bytes ? 'bytes' : 'text' };
}

/** Reads a table both ways: the byte reader must take it, and give exactly what the text reader gives. */
async function bothWays(text: string, options: ProfileTableOptions): Promise<ProfileTable> {
	const fast = await read(Buffer.from(text), options);
	const slow = await read(Buffer.concat([bom, Buffer.from(text)]), options);
	assert.equal(fast.by, 'bytes', 'the byte reader read the table');
	assert.equal(slow.by, 'text', 'the marked copy went to the text reader');
	assert.deepEqual(fast.table, slow.table);
	return fast.table;
}

/** A number as people and programs write them: integers, decimals, long decimals, signs, exponents, -0, 5., .5, empty. */
function cell(rng: Rng): string {
	const kind = rng.int(14);
	const x = (rng.next() - 0.5) * 10 ** rng.int(8);
	switch (kind) {
		case 0:
			return String(Math.round(x));
		case 1:
			return x.toFixed(rng.int(6));
		case 2:
			return String(x);
		case 3:
			return x.toPrecision(1 + rng.int(21)).replace(/e\+?/, 'e');
		case 4:
			return '';
		case 5:
			return ['-0', '0', '-0.0', '5.', '.5', '-.5', '0.1', '000123.4500'][rng.int(8)];
		case 6:
			return `+${Math.abs(x).toFixed(2)}`;
		case 7:
			return String(rng.next() * 1e-30);
		case 8:
			return `${rng.int(10)}${'9'.repeat(10 + rng.int(12))}.${rng.int(1000)}`;
		case 9:
			return `1E${rng.int(30) - 15}`;
		default:
			return (Math.round(x * 1000) / 1000).toString();
	}
}

function randomTable(rng: Rng, rows: number, options: { delimiter?: string; crlf?: boolean; finalBreak?: boolean; blankLines?: boolean } = {}): string {
	const d = options.delimiter ?? ',';
	const lines = [['customer_id', 'a', 'b', 'email', 'c', 'label'].join(d)];
	for (let r = 0; r < rows; r++) {
		lines.push([`cust-${r} `, cell(rng), cell(rng), `p${r}@example.com`, cell(rng), String(rng.int(2))].join(d));
		if (options.blankLines && rng.int(50) === 0) lines.push('');
	}
	const br = options.crlf ? '\r\n' : '\n';
	return lines.join(br) + (options.finalBreak === false ? '' : br);
}

describe('profile tables read from their bytes', () => {
	it('reads every plain decimal as Number() reads its text (Clinger: an exact integer over an exact power of ten)', () => {
		const rng = createRng(3);
		for (let i = 0; i < 20000; i++) {
			const digits = 1 + rng.int(15);
			let text = '';
			for (let k = 0; k < digits; k++) text += String(rng.int(10));
			const decimals = rng.int(digits + 1);
			const written = decimals === 0 ? text : `${text.slice(0, digits - decimals)}.${text.slice(digits - decimals)}`;
			const negative = rng.int(2) === 1;
			assert.ok(Object.is(plainDecimal(Number(text), decimals, negative), Number(`${negative ? '-' : ''}${written}`)), written);
		}
	});

	it('gives exactly the table the text reader gives: ids, ignored text, signs, exponents, long decimals, -0, missing cells', async () => {
		const rng = createRng(11);
		const table = await bothWays(randomTable(rng, 3000), { label: 'label', id: 'customer_id', ignore: ['email'] });
		assert.equal(table.data.rows, 3000);
		assert.deepEqual(table.data.featureNames, ['a', 'b', 'c']);
		assert.equal(table.ids?.[7], 'cust-7');
	});

	it('gives the same table with CRLF line ends, no final line break, blank lines, tabs or semicolons', async () => {
		const rng = createRng(12);
		const options = { label: 'label', id: 'customer_id', ignore: ['email'] };
		await bothWays(randomTable(rng, 500, { crlf: true }), options);
		await bothWays(randomTable(rng, 500, { finalBreak: false }), options);
		await bothWays(randomTable(rng, 500, { crlf: true, finalBreak: false, blankLines: true }), options);
		await bothWays(randomTable(rng, 500, { delimiter: '\t' }), options);
		await bothWays(randomTable(rng, 500, { delimiter: ';' }), options);
	});

	it('gives the same table when rows straddle the 1 MiB chunks, from a buffer and from a file', async () => {
		const rng = createRng(13);
		const text = randomTable(rng, 40000);
		assert.ok(text.length > 2 * 1024 * 1024, `${text.length} bytes`);
		const options = { label: 'label', id: 'customer_id', ignore: ['email'] };
		const table = await bothWays(text, options);
		const dir = path.resolve('test-output', 'tableBytes');
		fs.mkdirSync(dir, { recursive: true });
		const file = path.join(dir, 'profiles.csv');
		fs.writeFileSync(file, text);
		const fromFile = await readProfileTable({ path: file }, options);
		assert.deepEqual(fromFile.data, table.data);
		assert.deepEqual(fromFile.ids, table.ids);
	});

	it("reads only a model's feature columns when scoring, in the model's order, the same both ways", async () => {
		const rng = createRng(14);
		const table = await bothWays(randomTable(rng, 200), { features: ['c', 'a', 'a'] });
		assert.deepEqual(table.data.featureNames, ['c', 'a', 'a']);
		assert.equal(table.data.label, undefined);
	});

	it('leaves to the text reader what it does not handle, which then reads it as before', async () => {
		const options = { label: 'y', id: 'id' };
		const cases: [string, Buffer][] = [
			['quotes', Buffer.from('id,x,y\n"a",1,0\nb,2,1\n')],
			['NA and true', Buffer.from('id,x,y\na,NA,0\nb,true,1\n')],
			['spaces around a number', Buffer.from('id,x,y\na, 1 ,0\nb,2,1\n')],
			['a label written 1.0', Buffer.from('id,x,y\na,1,0\nb,2,1.0\n')],
			['an id outside ASCII', Buffer.from('id,x,y\nMüller,1,0\nb,2,1\n')],
			['gzip', gzipSync(Buffer.from('id,x,y\na,1,0\nb,2,1\n'))],
			['a blank first line', Buffer.from('\nid,x,y\na,1,0\nb,2,1\n')],
		];
		for (const [what, bytes] of cases) {
			const { table, by } = await read(bytes, options);
			assert.equal(by, what === 'a label written 1.0' ? 'bytes' : 'text', what);
			assert.equal(table.data.rows, 2, what);
			assert.deepEqual(Array.from(table.data.label ?? []), [0, 1], what);
		}
	});

	it('leaves faulty tables to the text reader, whose messages name the row, the line and the fix', async () => {
		const options = { label: 'y' };
		await assert.rejects(read(Buffer.from('x,y\n1,0\n2,yes\n'), options), /Row 2 \(line 3\).*label "y" is "yes"/);
		await assert.rejects(read(Buffer.from('x,y\n1,0\nabc,1\n'), options), /Row 2 \(line 3\) of profiles\.csv, column "x": "abc" is not a number/);
		await assert.rejects(read(Buffer.from('x,y\n1,0\n1.2.3,1\n'), options), /"1\.2\.3" is not a number/);
		await assert.rejects(read(Buffer.from('x,y\n1,0\n1e39,1\n'), options), /"1e39" is not a number/);
		await assert.rejects(
			read(Buffer.from('x,y\n1,0\n2,1,3\n'), options),
			/Line 3 of profiles\.csv is not a valid row: the row has 3 fields, the header has 2/,
		);
		await assert.rejects(read(Buffer.from('x,x,y\n1,2,0\n'), options), /names the column "x" twice/);
		await assert.rejects(read(Buffer.from('x,z\n1,0\n'), options), /no label column "y"/);
		await assert.rejects(read(Buffer.from('x,y\n'), options), /has a header but no rows/);
	});
});
