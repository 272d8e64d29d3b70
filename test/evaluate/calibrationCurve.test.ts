import assert from 'node:assert/strict';
import { calibrationCurve } from '../../core/evaluate/calibrationCurve';

describe('calibration curve', () => {
	it('with uniform bins gives each non-empty bin its mean prediction, outcome rate and count', () => {
		const points = calibrationCurve([0, 1, 0, 1], [0.05, 0.15, 0.12, 0.95], 10, 'uniform');
		assert.equal(points.length, 3);
		assert.deepEqual(points[0], { from: 0, to: 0.1, count: 1, meanPredicted: 0.05, actualRate: 0 });
		assert.equal(points[1].count, 2);
		assert.ok(Math.abs(points[1].meanPredicted - 0.135) < 1e-12);
		assert.equal(points[1].actualRate, 0.5);
		assert.deepEqual(points[2], { from: 0.9, to: 1, count: 1, meanPredicted: 0.95, actualRate: 1 });
	});

	it('with quantile bins holds about equally many rows per bin', () => {
		const points = calibrationCurve([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4], 2);
		assert.deepEqual(
			points.map((p) => p.count),
			[2, 2],
		);
		assert.deepEqual(
			points.map((p) => p.actualRate),
			[0, 1],
		);
		assert.equal(points[0].to, 0.3);
	});

	it('keeps equal predictions in one bin, so ties give fewer bins', () => {
		const points = calibrationCurve([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5], 10);
		assert.equal(points.length, 1);
		assert.deepEqual(points[0], { from: 0.5, to: 1, count: 4, meanPredicted: 0.5, actualRate: 0.5 });
	});

	it('puts a probability of exactly 1 in the last bin', () => {
		const points = calibrationCurve([1], [1], 10, 'uniform');
		assert.deepEqual(points, [{ from: 0.9, to: 1, count: 1, meanPredicted: 1, actualRate: 1 }]);
	});

	it('is empty for empty input and refuses NaN or out-of-range probabilities, naming the row', () => {
		assert.deepEqual(calibrationCurve([], []), []);
		assert.throws(() => calibrationCurve([0, 1], [0.1, NaN]), /row 2/);
		assert.throws(() => calibrationCurve([0], [1.2]), /row 1 is 1.2/);
	});
});
