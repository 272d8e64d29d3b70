import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { deciles, validationMetrics } from '../../core/evaluate';
import { summariseScores } from '../../core/report';
import { createRng } from '../../core/util/rng';

describe('report: summarising scores', () => {
	it('puts every score in one five-point histogram bin, with 100 in the last bin', () => {
		const summary = summariseScores({ probabilities: [0, 0.04, 0.05, 0.5, 0.99, 1] });
		assert.equal(summary.histogram.length, 20);
		assert.deepEqual(summary.histogram[0], { from: 0, to: 5, count: 2 });
		assert.equal(summary.histogram[1].count, 1);
		assert.equal(summary.histogram[10].count, 1);
		assert.deepEqual(summary.histogram[19], { from: 95, to: 100, count: 2 });
		assert.equal(
			summary.histogram.reduce((sum, bin) => sum + bin.count, 0),
			6,
		);
	});

	it('counts profiles and outcomes per bucket with the default boundaries 0–24, 25–74, 75–100', () => {
		const summary = summariseScores({ probabilities: [0.1, 0.24, 0.25, 0.6, 0.74, 0.75, 0.9], labels: [0, 0, 1, 0, 1, 1, 1] });
		assert.deepEqual(summary.buckets, [
			{ bucket: 'low', from: 0, to: 24, count: 2, positives: 0 },
			{ bucket: 'medium', from: 25, to: 74, count: 3, positives: 2 },
			{ bucket: 'high', from: 75, to: 100, count: 2, positives: 2 },
		]);
		assert.equal(summary.positives, 4);
		assert.equal(summary.population, 'validation');
	});

	it('uses configured bucket boundaries', () => {
		const summary = summariseScores({ probabilities: [0.1, 0.3, 0.5], boundaries: { mediumFrom: 20, highFrom: 50 } });
		assert.deepEqual(
			summary.buckets.map((bucket) => [bucket.bucket, bucket.from, bucket.to, bucket.count]),
			[
				['low', 0, 19, 1],
				['medium', 20, 49, 1],
				['high', 50, 100, 1],
			],
		);
	});

	it('splits twenty profiles into ten deciles of two, highest probabilities first', () => {
		const probabilities = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);
		const labels = probabilities.map((p) => (p > 0.7 ? 1 : 0));
		const summary = summariseScores({ probabilities, labels });
		assert.equal(summary.deciles.length, 10);
		assert.deepEqual(summary.deciles[0], { decile: 1, count: 2, positives: 2, meanProbability: (probabilities[19] + probabilities[18]) / 2 });
		assert.equal(summary.deciles[2].positives, 2);
		assert.equal(summary.deciles[3].positives, 0);
		assert.equal(summary.deciles[9].meanProbability, (probabilities[1] + probabilities[0]) / 2);
	});

	it('shares a run of tied probabilities that straddles a cut between the deciles, as the metrics do', () => {
		const labels = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
		const summary = summariseScores({ probabilities: new Array(10).fill(0.3), labels });
		assert.deepEqual(
			summary.deciles.map((decile) => [decile.count, decile.positives]),
			new Array(10).fill([1, 0.1]),
		);
	});

	it('uses the deciles of core/evaluate over the usable rows', () => {
		const rng = createRng(3);
		const rows = 1037;
		const probabilities = Array.from({ length: rows }, (_, i) => (i % 97 === 0 ? NaN : Math.round(rng.next() ** 2 * 20) / 20));
		const labels = probabilities.map((p) => (rng.next() < (p || 0) ? 1 : 0));
		const usable = probabilities.flatMap((p, i) => (Number.isNaN(p) ? [] : [i]));
		const expected = deciles(
			usable.map((i) => labels[i]),
			usable.map((i) => probabilities[i]),
		).map((d) => ({ decile: d.decile, count: d.rows, positives: d.positives, meanProbability: d.meanScore }));
		assert.deepEqual(summariseScores({ probabilities, labels }).deciles, expected);
	});

	it('takes the deciles and calibration from validationMetrics when given, with the same result as computing them', () => {
		const rng = createRng(5);
		const probabilities = Float64Array.from({ length: 500 }, () => rng.next());
		const labels = Uint8Array.from(probabilities, (p) => (rng.next() < p ? 1 : 0));
		const metrics = validationMetrics(labels, probabilities, probabilities);
		const given = summariseScores({ probabilities, labels, metrics });
		assert.deepEqual(given, summariseScores({ probabilities, labels }));
		const marked = summariseScores({ probabilities, labels, metrics: { ...metrics, deciles: metrics.deciles.map((d) => ({ ...d, positives: -1 })) } });
		assert.ok(
			marked.deciles.every((decile) => decile.positives === -1),
			'the given deciles are used, not recomputed',
		);
	});

	it('cuts fewer than ten profiles into ten deciles of a fraction of a profile each', () => {
		const summary = summariseScores({ probabilities: [0.9, 0.7, 0.5, 0.3, 0.1], labels: [1, 1, 0, 0, 0] });
		assert.deepEqual(
			summary.deciles.map((decile) => [decile.decile, decile.count, decile.positives]),
			[
				[1, 0.5, 0.5],
				[2, 0.5, 0.5],
				[3, 0.5, 0.5],
				[4, 0.5, 0.5],
				[5, 0.5, 0],
				[6, 0.5, 0],
				[7, 0.5, 0],
				[8, 0.5, 0],
				[9, 0.5, 0],
				[10, 0.5, 0],
			],
		);
	});

	it('has no deciles when no profile reached the goal, since lift is then undefined', () => {
		assert.deepEqual(summariseScores({ probabilities: [0.2, 0.4], labels: [0, 0] }).deciles, []);
	});

	it('gives calibration bins from the lowest predictions to the highest, with the actual rate of each', () => {
		const probabilities = Array.from({ length: 20 }, (_, i) => (i + 0.5) / 20);
		const labels = probabilities.map((_, i) => (i % 2 === 0 ? 1 : 0));
		const summary = summariseScores({ probabilities, labels });
		assert.equal(summary.calibration.length, 10);
		assert.ok(Math.abs(summary.calibration[0].meanPredicted - 0.05) < 1e-12);
		assert.equal(summary.calibration[0].actualRate, 0.5);
		assert.equal(summary.calibration[0].count, 2);
		assert.ok(summary.calibration.every((bin, i) => i === 0 || bin.meanPredicted > summary.calibration[i - 1].meanPredicted));
	});

	it('counts probabilities that are NaN or outside 0–1 as skipped instead of drawing them', () => {
		const summary = summariseScores({ probabilities: [0.2, NaN, 1.5, -0.1, 0.8], labels: [0, 1, 1, 0, 1] });
		assert.equal(summary.count, 2);
		assert.equal(summary.skipped, 3);
		assert.equal(summary.positives, 1);
	});

	it('leaves deciles and calibration empty for a scored population without outcomes', () => {
		const summary = summariseScores({ probabilities: [0.2, 0.8] });
		assert.equal(summary.population, 'scored');
		assert.equal(summary.positives, null);
		assert.deepEqual(summary.deciles, []);
		assert.deepEqual(summary.calibration, []);
		assert.equal(summary.buckets[2].positives, null);
	});

	it('summarises an empty population without failing', () => {
		const summary = summariseScores({ probabilities: [], labels: [] });
		assert.equal(summary.count, 0);
		assert.deepEqual(summary.deciles, []);
		assert.ok(summary.histogram.every((bin) => bin.count === 0));
	});

	it('refuses outcomes that are not one 0 or 1 per probability, saying what to give', () => {
		assert.throws(
			() => summariseScores({ probabilities: [0.1, 0.2], labels: [1] }),
			(error: unknown) => error instanceof InputError && /1 outcomes for 2 probabilities/.test(error.message),
		);
		assert.throws(
			() => summariseScores({ probabilities: [0.1, 0.2], labels: [1, 2] }),
			(error: unknown) => error instanceof InputError && /Outcome 2 is 2, not 0 or 1/.test(error.message),
		);
	});

	it('refuses bucket boundaries that are out of order or not numbers', () => {
		assert.throws(
			() => summariseScores({ probabilities: [0.5], boundaries: { mediumFrom: 80, highFrom: 30 } }),
			(error: unknown) => error instanceof InputError && /medium from 80, high from 30/.test(error.message),
		);
		assert.throws(() => summariseScores({ probabilities: [0.5], boundaries: { mediumFrom: NaN, highFrom: 75 } }), InputError);
	});

	it('shows a bucket that boundaries leave empty as a range from above its end', () => {
		const summary = summariseScores({ probabilities: [0.1, 0.9], boundaries: { mediumFrom: 50, highFrom: 50 } });
		assert.deepEqual(summary.buckets[1], { bucket: 'medium', from: 50, to: 49, count: 0, positives: null });
	});

	it('is plain JSON: a round trip through JSON gives the same summary', () => {
		const summary = summariseScores({ probabilities: [0.1, 0.5, 0.9], labels: [0, 1, 1] });
		assert.deepEqual(JSON.parse(JSON.stringify(summary)), summary);
	});
});
