import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { bucketCountsInWords, bucketOf, percentiles, scoreFromProbability } from '../../core/score/buckets';
import { defaultBuckets } from '../../core/score/types';
import { createRng } from '../../core/util/rng';

describe('scores, percentiles and buckets', () => {
	it('writes the bucket counts highest first, with thousands separated as every other count', () => {
		assert.equal(bucketCountsInWords({ high: 1943, medium: 640, low: 1_250_000 }), '1,943 high, 640 medium, 1,250,000 low');
		assert.equal(bucketCountsInWords({ high: 0, medium: 0, low: 0 }), '0 high, 0 medium, 0 low');
	});

	it('turns a probability into a whole score from 0 to 100', () => {
		assert.deepEqual([0, 0.004, 0.244, 0.746, 0.995, 1].map(scoreFromProbability), [0, 0, 24, 75, 100, 100]);
		assert.throws(() => scoreFromProbability(NaN), RangeError);
	});

	it('ranks percentiles among the scored: the highest is 100, ties share one', () => {
		assert.deepEqual(Array.from(percentiles([0.1, 0.5, 0.5, 0.9])), [25, 75, 75, 100]);
		assert.deepEqual(Array.from(percentiles([0.3])), [100]);
		assert.deepEqual(Array.from(percentiles([])), []);
	});

	it('never gives a percentile below 1, however many profiles are scored', () => {
		const many = Array.from({ length: 1000 }, (_, i) => i / 1000);
		const p = percentiles(many);
		assert.equal(p[0], 1);
		assert.equal(p[999], 100);
		assert.equal(p[499], 50);
	});

	it('gives every profile ceil(100 × profiles at or below it / profiles), as a full sort would, with ties, spikes and extremes', () => {
		const rng = createRng(4);
		const byDefinition = (values: readonly number[]) => {
			const sorted = values.slice().sort((a, b) => a - b);
			return values.map((p) => {
				let atOrBelow = 0;
				while (atOrBelow < sorted.length && sorted[atOrBelow] <= p) atOrBelow++;
				return Math.max(1, Math.ceil((atOrBelow * 100) / values.length));
			});
		};
		const cases: number[][] = [
			Array.from({ length: 997 }, () => rng.next()),
			Array.from({ length: 1500 }, () => Math.round(rng.next() * 20) / 20),
			// Most values in one narrow spike, a few far away: the spike's bucket holds many order statistics.
			Array.from({ length: 2000 }, (_, i) => (i % 50 === 0 ? rng.next() : 0.5 + rng.next() * 1e-12)),
			Array.from({ length: 300 }, () => 0.25),
			[0, -0, 1, 1e-300, 0.5, 0.5],
			[-Infinity, 0.2, Infinity, 0.2, 0.7],
		];
		for (const values of cases) assert.deepEqual(Array.from(percentiles(values)), byDefinition(values));
		assert.throws(() => percentiles([0.1, NaN]), /row 2 is NaN/);
	});

	it('does not depend on the order of the profiles', () => {
		const probabilities = [0.2, 0.7, 0.2, 0.4, 0.9];
		const reversed = probabilities.slice().reverse();
		assert.deepEqual(Array.from(percentiles(reversed)).reverse(), Array.from(percentiles(probabilities)));
	});

	it('puts the default bucket boundaries at 25 and 75: 0–24 low, 25–74 medium, 75–100 high', () => {
		assert.deepEqual(
			[0, 24, 25, 74, 75, 100].map((s) => bucketOf(s, defaultBuckets)),
			['low', 'low', 'medium', 'medium', 'high', 'high'],
		);
	});

	it('puts every score from 0 to 100 in exactly one bucket, for any valid boundaries', () => {
		for (const boundaries of [defaultBuckets, { mediumFrom: 10, highFrom: 90 }, { mediumFrom: 50, highFrom: 50 }, { mediumFrom: 0, highFrom: 100 }]) {
			const counts = { low: 0, medium: 0, high: 0 };
			for (let s = 0; s <= 100; s++) counts[bucketOf(s, boundaries)]++;
			assert.equal(counts.low, boundaries.mediumFrom);
			assert.equal(counts.medium, boundaries.highFrom - boundaries.mediumFrom);
			assert.equal(counts.high, 101 - boundaries.highFrom);
		}
	});

	it('refuses boundaries out of order or outside 0–100', () => {
		assert.throws(() => bucketOf(50, { mediumFrom: 80, highFrom: 20 }), InputError);
		assert.throws(() => bucketOf(50, { mediumFrom: 10, highFrom: 120 }), /0 ≤ medium from ≤ high from ≤ 100/);
	});
});
