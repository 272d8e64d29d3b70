import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { parseCell, readProfileTable } from '../../core/events/profileTable';
import { holdoutSplit } from '../../core/learn/split';

const table = (text: string) => ({ data: Buffer.from(text), name: 'profiles.csv' });

describe('profile tables', () => {
	it('reads numeric features, a 0/1 label and ids; empty, NA and null are missing', async () => {
		const read = await readProfileTable(table('id,visits,spend,converted\na,3,12.5,1\nb,,NA,0\nc,1e2,null,0\n'), { label: 'converted', id: 'id' });
		assert.deepEqual(read.data.featureNames, ['visits', 'spend']);
		assert.deepEqual(Array.from(read.data.columns[0]), [3, NaN, 100]);
		assert.deepEqual(Array.from(read.data.columns[1]), [12.5, NaN, NaN]);
		assert.deepEqual(Array.from(read.data.label ?? []), [1, 0, 0]);
		assert.deepEqual(read.ids, ['a', 'b', 'c']);
	});

	it('reads true and false as 1 and 0, and semicolon-separated files', async () => {
		const read = await readProfileTable(table('vip;y\ntrue;1\nFALSE;0\n'), { label: 'y' });
		assert.deepEqual(Array.from(read.data.columns[0]), [1, 0]);
		assert.equal(parseCell(' 0x10 '), undefined);
		assert.equal(parseCell('-.5'), -0.5);
	});

	it('reads a cell as a number exactly when it is a decimal number, true, false or a missing marker', () => {
		const decimal = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
		const expected = (cell: string): number | undefined => {
			const text = cell.trim();
			if (['', 'na', 'n/a', 'nan', 'null'].includes(text.toLowerCase())) return NaN;
			if (/^(true|false)$/i.test(text)) return text.toLowerCase() === 'true' ? 1 : 0;
			return decimal.test(text) && Math.abs(Number(text)) <= 3.4028234663852886e38 ? Number(text) : undefined;
		};
		const cells = [
			'0',
			'12',
			'-3.25',
			'+.5',
			'5.',
			'1e5',
			'1E-5',
			'-1e+2',
			'.',
			'+',
			'-',
			'e5',
			'1e',
			'1.5.3',
			'--1',
			'1e+-2',
			'+-1',
			'1e999',
			'3.5e38',
			'3.4e38',
		];
		cells.push('-1e-999', ' 7 ', '0x10', '0b1', 'Infinity', '-Infinity', '1_000', '\u22125', '', ' ', 'NA', 'null', 'TRUE', 'false', '12a', '١٢');
		for (const cell of cells) assert.deepEqual(parseCell(cell), expected(cell), JSON.stringify(cell));
	});

	it('names a missing label column and lists the columns it has', async () => {
		await assert.rejects(
			readProfileTable(table('a,b\n1,0\n'), { label: 'converted' }),
			(error: Error) => error instanceof InputError && /no label column "converted" \(its columns are "a", "b"\)/.test(error.message),
		);
	});

	it('names the row and column of a non-numeric cell, and how to leave the column out', async () => {
		await assert.rejects(
			readProfileTable(table('email,visits,y\nx@y.z,1,0\n'), { label: 'y' }),
			/Row 1 \(line 2\) of profiles\.csv, column "email": "x@y\.z" is not a number.*--ignore/,
		);
		const read = await readProfileTable(table('email,visits,y\nx@y.z,1,0\nw@y.z,2,1\n'), { label: 'y', ignore: ['email'] });
		assert.deepEqual(read.data.featureNames, ['visits']);
	});

	it('refuses label values other than 0 and 1, and an empty label, naming the row', async () => {
		await assert.rejects(readProfileTable(table('x,y\n1,0\n2,yes\n'), { label: 'y' }), /Row 2 \(line 3\).*label "y" is "yes"; labels must be 1/);
		await assert.rejects(readProfileTable(table('x,y\n1,0\n2,2\n'), { label: 'y' }), /label "y" is "2"/);
		await assert.rejects(readProfileTable(table('x,y\n1,\n'), { label: 'y' }), /label "y" is empty/);
	});

	it('refuses a table with one class only', async () => {
		await assert.rejects(
			readProfileTable(table('x,y\n1,0\n2,0\n'), { label: 'y' }),
			(error: Error) => error instanceof InputError && (error as InputError).code === 'one-class' && /holds only 0s \(2 rows\)/.test(error.message),
		);
	});

	it('refuses a row with the wrong number of fields, naming the line', async () => {
		await assert.rejects(
			readProfileTable(table('x,y\n1,0\n2,1,3\n'), { label: 'y' }),
			/Line 3 of profiles\.csv is not a valid row: the row has 3 fields, the header has 2/,
		);
	});

	it("reads only the model's feature columns when scoring, naming any that are missing", async () => {
		const read = await readProfileTable(table('b,a,note\n1,2,hello\n'), { features: ['a', 'b'] });
		assert.deepEqual(read.data.featureNames, ['a', 'b']);
		assert.deepEqual(
			read.data.columns.map((c) => c[0]),
			[2, 1],
		);
		await assert.rejects(readProfileTable(table('b,note\n1,hello\n'), { features: ['a', 'b'] }), /lacks 1 feature column the model needs: "a"/);
	});
});

describe('profile tables as rows of objects (n8n items, a Node-RED array)', () => {
	const rows = (list: unknown[]) => ({ rows: list, name: 'the input items' });

	it('reads the same table as the CSV with the same cells: numbers, numeric text, true / false, null / empty / absent as missing', async () => {
		const csv = await readProfileTable(table('id,visits,spend,vip,converted\na,3,12.5,true,1\nb,,NA,false,0\nc,1e2,0.1,,0\n'), {
			label: 'converted',
			id: 'id',
		});
		const fromRows = await readProfileTable(
			rows([
				{ id: 'a', visits: 3, spend: '12.5', vip: true, converted: 1 },
				{ id: 'b', visits: null, spend: 'NA', vip: false, converted: '0' },
				{ id: 'c', visits: 100, spend: 0.1, converted: 0 },
			]),
			{ label: 'converted', id: 'id' },
		);
		assert.deepEqual(fromRows.data, csv.data);
		assert.deepEqual(fromRows.ids, ['a', 'b', 'c']);
		assert.equal(fromRows.source, 'the input items');
	});

	it('takes the columns of every row, in the order first seen, and numeric ids as text', async () => {
		const read = await readProfileTable(
			rows([
				{ id: 7, a: 1, y: 0 },
				{ id: 8, b: 2, a: 3, y: 1 },
			]),
			{ label: 'y', id: 'id' },
		);
		assert.deepEqual(read.data.featureNames, ['a', 'b']);
		assert.deepEqual(Array.from(read.data.columns[1]), [NaN, 2]);
		assert.deepEqual(read.ids, ['7', '8']);
	});

	it('names the row and column of a cell that is not a number (an object, text, infinity), without a line number', async () => {
		await assert.rejects(
			readProfileTable(
				rows([
					{ x: 1, y: 0 },
					{ x: { n: 1 }, y: 1 },
				]),
				{ label: 'y' },
			),
			/^InputError: Row 2 of the input items, column "x": "\{"n":1\}" is not a number/,
		);
		await assert.rejects(readProfileTable(rows([{ x: 'ten', y: 0 }]), { label: 'y' }), /Row 1 of the input items, column "x": "ten" is not a number/);
		await assert.rejects(readProfileTable(rows([{ x: Infinity, y: 0 }]), { label: 'y' }), /column "x": "Infinity" is not a number/);
		await assert.rejects(readProfileTable(rows([{ x: 1, y: 2 }]), { label: 'y' }), /Row 1 of the input items: the label "y" is "2"/);
	});

	it('refuses rows that are not objects, and no rows at all, saying what to give', async () => {
		await assert.rejects(
			readProfileTable(rows([{ x: 1 }, [1, 2]]), {}),
			/Row 2 of the input items is an array, not an object: give one object per profile/,
		);
		await assert.rejects(readProfileTable(rows([{ x: 1 }, 'x,1']), {}), /Row 2 of the input items is a string, not an object/);
		await assert.rejects(readProfileTable(rows([]), {}), /There are no rows in the input items: give one object per profile/);
	});
});

describe('holdout split', () => {
	it('holds out a seeded share of each class and keeps every row exactly once', () => {
		const label = Uint8Array.from({ length: 100 }, (_, i) => (i < 30 ? 1 : 0));
		const { train, validation } = holdoutSplit(label, 0.2, 5);
		assert.equal(validation.length, 20);
		assert.equal(Array.from(validation).filter((r) => label[r] === 1).length, 6);
		assert.deepEqual(
			[...train, ...validation].sort((a, b) => a - b),
			Array.from({ length: 100 }, (_, i) => i),
		);
		assert.deepEqual(holdoutSplit(label, 0.2, 5), { train, validation });
		assert.notDeepEqual(holdoutSplit(label, 0.2, 6).validation, validation);
	});

	it('refuses a class with fewer than two rows', () => {
		assert.throws(() => holdoutSplit(Uint8Array.from([1, 0, 0, 0]), 0.2, 1), /Only 1 row has label 1/);
	});
});
