import assert from 'node:assert/strict';
import { baseRate, brierScore, logLoss } from '../../core/evaluate/loss';

const close = (actual: number, expected: number, tolerance = 1e-12) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} vs ${expected}`);

describe('log loss, Brier score and base rate', () => {
	it('log loss averages −ln of the probability given to what happened', () => {
		// −(ln 0.8 + ln 0.6) / 2
		close(logLoss([1, 0], [0.8, 0.4]), (0.2231435513142097 + 0.5108256237659907) / 2);
	});

	it('log loss clips a confident miss to ln(1e15) instead of infinity', () => {
		close(logLoss([1], [0]), -Math.log(1e-15), 1e-9);
		close(logLoss([0], [1]), -Math.log(1 - (1 - 1e-15)), 1e-12);
	});

	it('the Brier score is the mean squared gap between probability and outcome', () => {
		close(brierScore([1, 0], [0.8, 0.4]), (0.04 + 0.16) / 2);
		close(brierScore([1, 0, 1], [1, 0, 1]), 0);
	});

	it('the base rate is the share of rows with the outcome', () => {
		assert.equal(baseRate([1, 0, 0, 1, 1]), 0.6);
		assert.equal(baseRate([0, 0]), 0);
	});

	it('are NaN for empty input, and NaN when a probability is NaN', () => {
		assert.ok(Number.isNaN(logLoss([], [])));
		assert.ok(Number.isNaN(brierScore([], [])));
		assert.ok(Number.isNaN(baseRate([])));
		assert.ok(Number.isNaN(brierScore([1], [NaN])));
	});
});
