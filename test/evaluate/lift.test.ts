import assert from 'node:assert/strict';
import { deciles } from '../../core/evaluate/lift';

describe('lift and cumulative gains by decile', () => {
	it('gives one row per decile for ten distinct scores, highest first', () => {
		const labels = [1, 1, 0, 1, 0, 0, 0, 0, 0, 0];
		const scores = [0.95, 0.85, 0.75, 0.65, 0.55, 0.45, 0.35, 0.25, 0.15, 0.05];
		const d = deciles(labels, scores);
		assert.equal(d.length, 10);
		assert.deepEqual(
			d.map((g) => g.positives),
			[1, 1, 0, 1, 0, 0, 0, 0, 0, 0],
		);
		assert.equal(d[0].lift, 1 / 0.3);
		assert.equal(d[0].maxScore, 0.95);
		assert.ok(Math.abs(d[1].cumulativeGain - 2 / 3) < 1e-12);
		assert.ok(Math.abs(d[3].cumulativeGain - 1) < 1e-12);
		assert.ok(Math.abs(d[9].cumulativeLift - 1) < 1e-12);
	});

	it('shares a tie group straddling a cut in proportion, spreading its outcomes evenly (hand-computed)', () => {
		// Ranked: 0.9 (1) | 0.5 (1), 0.5 (0) tied across the cut | 0.1 (0); two groups of two rows.
		const d = deciles([1, 1, 0, 0], [0.9, 0.5, 0.5, 0.1], 2);
		assert.deepEqual(d[0], {
			decile: 1,
			rows: 2,
			positives: 1.5,
			rate: 0.75,
			lift: 1.5,
			meanScore: 0.7,
			minScore: 0.5,
			maxScore: 0.9,
			cumulativeGain: 0.75,
			cumulativeLift: 1.5,
		});
		assert.deepEqual(d[1], {
			decile: 2,
			rows: 2,
			positives: 0.5,
			rate: 0.25,
			lift: 0.5,
			meanScore: 0.3,
			minScore: 0.1,
			maxScore: 0.5,
			cumulativeGain: 1,
			cumulativeLift: 1,
		});
	});

	it('gives the same result whatever the order of the rows, ties included', () => {
		const labels = [1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 1];
		const scores = [0.3, 0.3, 0.3, 0.8, 0.1, 0.8, 0.5, 0.5, 0.9, 0.2, 0.3, 0.1, 0.3];
		const order = labels.map((_, i) => i).reverse();
		assert.deepEqual(
			deciles(
				order.map((i) => labels[i]),
				order.map((i) => scores[i]),
			),
			deciles(labels, scores),
		);
	});

	it('splits rows fractionally when their count is not a multiple of ten', () => {
		const n = 25;
		const d = deciles(
			Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)),
			Array.from({ length: n }, (_, i) => i),
		);
		assert.ok(d.every((g) => g.rows === 2.5));
		assert.ok(Math.abs(d.reduce((a, g) => a + g.positives, 0) - 5) < 1e-12);
	});

	it('ends the cumulative gain at exactly 1 and keeps every share within [0, 1] when ties are shared (it once reached 1.0000000000000002)', () => {
		// 20 rows on three score levels: shared tie groups used to add up fractional outcomes past 1.
		const labels = [...'00101010100010010001'].map(Number);
		const scores = [1, 0, 2, 2, 1, 0, 1, 0, 0, 2, 2, 1, 1, 2, 2, 0, 0, 2, 1, 2].map((level) => level / 3);
		const d = deciles(labels, scores);
		assert.equal(d[9].cumulativeGain, 1);
		for (const g of d) {
			assert.ok(g.cumulativeGain >= 0 && g.cumulativeGain <= 1, `decile ${g.decile}: gain ${g.cumulativeGain}`);
			assert.ok(g.rate >= 0 && g.rate <= 1, `decile ${g.decile}: rate ${g.rate}`);
			assert.ok(g.positives >= 0 && g.positives <= g.rows, `decile ${g.decile}: ${g.positives} of ${g.rows}`);
		}
		assert.ok(Math.abs(d.reduce((sum, g) => sum + g.positives, 0) - 7) < 1e-12);
	});

	it('is empty for empty input and refuses a NaN score, naming the row', () => {
		assert.deepEqual(deciles([], []), []);
		assert.throws(() => deciles([0, 1], [0.2, NaN]), /row 2 is NaN/);
	});
});
