import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { csvCell } from '../../core/util/csv';

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
