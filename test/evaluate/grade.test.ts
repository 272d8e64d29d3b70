import assert from 'node:assert/strict';
import { gradeModel, gradeThresholds } from '../../core/evaluate/grade';
import { validationMetrics } from '../../core/evaluate/metrics';

describe('quality grade', () => {
	it('grades by the stated thresholds: under 0.65 poor, 0.65 fair, 0.75 good, 0.85 excellent', () => {
		assert.equal(gradeModel(0.6499).grade, 'poor');
		assert.equal(gradeModel(0.65).grade, 'fair');
		assert.equal(gradeModel(0.7499).grade, 'fair');
		assert.equal(gradeModel(0.75).grade, 'good');
		assert.equal(gradeModel(0.85).grade, 'excellent');
		assert.deepEqual(
			gradeThresholds.map((t) => t.minAuc),
			[0.85, 0.75, 0.65, 0],
		);
	});

	it('flags a poor model with the advice commercial services give', () => {
		const grade = gradeModel(0.58);
		assert.equal(grade.poor, true);
		assert.match(grade.summary, /0\.580.*under 0\.65/);
		assert.equal(grade.advice.length, 4);
		assert.ok(grade.advice.some((a) => /more history/i.test(a)));
		assert.ok(grade.advice.some((a) => /eligible population/i.test(a)));
		assert.ok(grade.advice.some((a) => /window/i.test(a)));
		assert.ok(grade.advice.some((a) => /event types/i.test(a)));
	});

	it('asks to check an excellent model for leakage', () => {
		assert.match(gradeModel(0.93).advice.join(' '), /leakage/);
	});

	it('says "unknown" rather than guessing when the AUC is missing', () => {
		assert.equal(gradeModel(NaN).grade, 'unknown');
		assert.equal(gradeModel(null).auc, null);
	});
});

describe('validation metrics', () => {
	it('gathers every metric as plain JSON, with null where a metric is undefined', () => {
		const metrics = validationMetrics([0, 0, 0], [0.1, 0.2, 0.3], [-2, -1, 0]);
		assert.equal(metrics.auc, null);
		assert.equal(metrics.grade.grade, 'unknown');
		assert.deepEqual(metrics.deciles, []);
		assert.equal(metrics.baseRate, 0);
		assert.equal(JSON.parse(JSON.stringify(metrics)).rows, 3);
	});

	it('measures calibrated probabilities and raw scores separately', () => {
		const metrics = validationMetrics([0, 1, 0, 1], [0.2, 0.2, 0.1, 0.9], [0.5, 0.6, 0.1, 0.9]);
		assert.equal(metrics.rawAuc, 1);
		assert.equal(metrics.auc, 0.875);
		assert.equal(metrics.positives, 2);
		assert.equal(metrics.deciles.length, 10);
	});
});
