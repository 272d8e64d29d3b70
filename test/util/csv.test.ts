import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvCell, fromSpreadsheetSafe, safeCsvCell, spreadsheetSafe } from '../../core/util/csv';

describe('CSV cells written by Propensity', () => {
	it('leave plain text and numbers as they are, and write nothing for no value', () => {
		assert.equal(csvCell('cust-0001'), 'cust-0001');
		assert.equal(csvCell(0.125), '0.125');
		assert.equal(csvCell(null), '');
		assert.equal(csvCell(undefined), '');
	});

	it('quote commas, quotes, line breaks and edge spaces, and read back as written', () => {
		const values = ['Smith, Jane', 'say "hi"', 'two\nlines', ' padded ', 'tab\there'];
		const line = values.map(csvCell).join(',');
		assert.equal(csvCell('say "hi"'), '"say ""hi"""');
		assert.deepEqual(parse(line, { trim: true }), [values]);
	});
});

describe('spreadsheet-safe CSV cells', () => {
	it('put an apostrophe before text starting with = + - @, a tab or a carriage return, and leave numbers and other text alone', () => {
		assert.equal(safeCsvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
		assert.equal(safeCsvCell('+33 1 23'), "'+33 1 23");
		assert.equal(safeCsvCell('-5'), "'-5");
		assert.equal(safeCsvCell('@SUM(A1)'), "'@SUM(A1)");
		assert.equal(safeCsvCell('\tcmd'), "'\tcmd");
		assert.equal(safeCsvCell('\rcmd'), '"\'\rcmd"');
		assert.equal(safeCsvCell(-0.5), '-0.5');
		assert.equal(safeCsvCell('ann@example.com'), 'ann@example.com');
		assert.equal(safeCsvCell("it's"), "it's");
	});

	it('read back exactly as they were written, apostrophes included', () => {
		for (const text of ['=1+1', "'=1+1", "''@x", "'plain", 'plain', '-', "'", '', '\t', "'\r"]) {
			assert.equal(fromSpreadsheetSafe(spreadsheetSafe(text)), text, JSON.stringify(text));
		}
		assert.equal(fromSpreadsheetSafe("'plain"), "'plain", 'an apostrophe before ordinary text is kept');
	});
});
