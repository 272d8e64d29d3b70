import assert from 'node:assert/strict';
import { auc, aucDifference, sortedOrder } from '../../core/evaluate/auc';
import { createRng } from '../../core/util/rng';

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

	it('measures the difference of two AUCs on the same rows, with a standard error that matches its spread over samples (DeLong)', () => {
		const textbook = aucDifference([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8], [0.1, 0.2, 0.35, 0.8]);
		assert.equal(textbook.difference, 0.75 - 1);
		assert.deepEqual(aucDifference([0, 1, 0, 1], [1, 2, 3, 4], [1, 2, 3, 4]), { difference: 0, standardError: 0 });
		assert.ok(Number.isNaN(aucDifference([1, 1], [1, 2], [2, 1]).difference));
		// Two scores sharing most of their noise: each AUC alone varies far more than their difference.
		const rng = createRng(5);
		const differences: number[] = [];
		const errors: number[] = [];
		const alone: number[] = [];
		for (let sample = 0; sample < 300; sample++) {
			const labels: number[] = [];
			const a: number[] = [];
			const b: number[] = [];
			for (let i = 0; i < 400; i++) {
				const y = rng.next() < 0.3 ? 1 : 0;
				const shared = rng.normal();
				labels.push(y);
				a.push(y + shared + 0.3 * rng.normal());
				b.push(0.9 * y + shared + 0.3 * rng.normal());
			}
			const { difference, standardError } = aucDifference(labels, a, b);
			assert.ok(Math.abs(difference - (auc(labels, a) - auc(labels, b))) < 1e-12);
			differences.push(difference);
			errors.push(standardError);
			alone.push(auc(labels, a));
		}
		const sd = (xs: number[]) => {
			const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
			return Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
		};
		const meanError = errors.reduce((s, x) => s + x, 0) / errors.length;
		assert.ok(Math.abs(meanError / sd(differences) - 1) < 0.15, `mean standard error ${meanError}, spread ${sd(differences)}`);
		assert.ok(sd(differences) < sd(alone) / 2, `difference spread ${sd(differences)}, one AUC's ${sd(alone)}`);
	});
});

describe('sortedOrder', () => {
	/** The order by definition: ascending score, ties (-0 with 0 too) by row index. */
	function byComparator(scores: ArrayLike<number>): number[] {
		return Array.from(scores, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
	}

	it('orders rows as a comparator sort does: negatives, both zeros, infinities, ties and tiny differences', () => {
		const scores = [0.5, -0, 0, -1e-300, 1e-300, -Infinity, Infinity, 0.5, -2.5, 3, -0, 0.5 + 2 ** -53, 5e-324, -5e-324, -2.5];
		assert.deepEqual(Array.from(sortedOrder(scores)), byComparator(scores));
		assert.deepEqual(Array.from(sortedOrder([])), []);
		assert.deepEqual(Array.from(sortedOrder([7])), [0]);
	});

	it('agrees with the comparator sort on random scores with many ties, in doubles and floats', () => {
		const rng = createRng(18);
		for (const n of [2, 100, 5000]) {
			const doubles = Float64Array.from({ length: n }, () => (rng.next() < 0.3 ? Math.round(rng.normal() * 4) / 4 : rng.normal() * 10 ** rng.int(6)));
			assert.deepEqual(Array.from(sortedOrder(doubles)), byComparator(doubles));
			const floats = Float32Array.from(doubles);
			assert.deepEqual(Array.from(sortedOrder(floats)), byComparator(floats));
		}
	});
});
