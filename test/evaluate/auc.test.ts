import assert from 'node:assert/strict';
import { auc } from '../../core/evaluate/auc';

describe('auc', () => {
	it('is 0.75 on the textbook example (one of four positive-negative pairs misordered)', () => {
		assert.equal(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
	});

	it('counts a tie between a positive and a negative as half a correctly ordered pair', () => {
		// Pairs: (0.5+, 0.5−) ½, (0.5+, 0.2−) 1, (0.9+, 0.5−) 1, (0.9+, 0.2−) 1 → 3.5 / 4.
		assert.equal(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875);
	});

	it('is 0.5 when every score is tied, 1 for a perfect ranking and 0 for a reversed one', () => {
		assert.equal(auc([0, 1, 0, 1], [3, 3, 3, 3]), 0.5);
		assert.equal(auc([0, 0, 1], [1, 2, 3]), 1);
		assert.equal(auc([1, 1, 0], [1, 2, 3]), 0);
	});

	it('does not depend on the order of the rows', () => {
		assert.equal(auc([1, 0, 1, 0, 0], [0.7, 0.2, 0.2, 0.9, 0.1]), auc([0, 0, 1, 0, 1], [0.1, 0.9, 0.2, 0.2, 0.7]));
	});

	it('is NaN for empty input, for one class only, and when a score is NaN', () => {
		assert.ok(Number.isNaN(auc([], [])));
		assert.ok(Number.isNaN(auc([1, 1], [0.2, 0.3])));
		assert.ok(Number.isNaN(auc([0, 0], [0.2, 0.3])));
		assert.ok(Number.isNaN(auc([0, 1], [NaN, 0.3])));
	});

	it('refuses labels and scores of different lengths', () => {
		assert.throws(() => auc([0, 1], [0.5]), RangeError);
	});
});
