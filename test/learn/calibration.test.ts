import assert from 'node:assert/strict';
import { applyCalibration, calibrate, calibratorSchema, compile, fitIsotonic, fitPlatt } from '../../core/learn/calibration';
import { auc } from '../../core/evaluate/auc';
import { logLoss } from '../../core/evaluate/loss';
import { createRng } from '../../core/util/rng';

/** Raw scores three times too confident and shifted: the true log-odds are (raw − 1) / 3. */
function miscalibrated(rows: number, seed: number): { raw: Float64Array; labels: Uint8Array } {
	const rng = createRng(seed);
	const raw = new Float64Array(rows);
	const labels = new Uint8Array(rows);
	for (let i = 0; i < rows; i++) {
		const z = rng.normal() - 1;
		raw[i] = 3 * z + 1;
		labels[i] = rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
	}
	return { raw, labels };
}

const all = () => true;

describe('calibration', () => {
	it('isotonic regression pools adjacent violators and interpolates between the blocks\u2019 centres (hand-computed)', () => {
		// Labels 0, 1, 0, 1 by rising score: the middle two pool to 0.5 at their mean score 2.5; the ends are kept half an outcome from 0 and 1.
		// Tails reach 10 spans of the centres (3) beyond them, halfway towards 0 and 1.
		const fit = fitIsotonic([1, 2, 3, 4], [0, 1, 0, 1], all);
		assert.deepEqual(fit, { method: 'isotonic', raw: [-29, 1, 2.5, 4, 34], probability: [0.0625, 0.125, 0.5, 0.875, 0.9375] });
		const f = compile(fit);
		assert.equal(f(1.5), 0.25);
		assert.ok(f(2) < f(3), 'the pooled scores keep their order');
		assert.equal(f(-14), 0.09375);
		assert.equal(f(-100), 0.0625);
		assert.equal(f(100), 0.9375);
	});

	it('isotonic calibration keeps the order of scores beyond the validated range, and stays flat with one block', () => {
		const { raw, labels } = miscalibrated(2000, 9);
		const f = compile(fitIsotonic(raw, labels, all));
		const lowest = Math.min(...raw);
		const highest = Math.max(...raw);
		for (const [a, b] of [
			[lowest - 2, lowest - 1],
			[highest + 1, highest + 2],
		])
			assert.ok(f(a) < f(b), `${a} → ${f(a)}, ${b} → ${f(b)}`);
		assert.ok(f(lowest - 1) > 0 && f(highest + 1) < 1);
		assert.deepEqual(fitIsotonic([1, 2, 3], [1, 0, 0], all), { method: 'isotonic', raw: [2], probability: [1 / 3] });
	});

	it('isotonic regression pools equal scores before anything else', () => {
		const fit = fitIsotonic([1, 1, 2, 2], [0, 1, 1, 1], all);
		assert.deepEqual(fit, { method: 'isotonic', raw: [-9, 1, 2, 12], probability: [0.25, 0.5, 0.875, 0.9375] });
	});

	it('isotonic calibration keeps the ranking of the raw scores on new rows (no ties within blocks), and calibrates them', () => {
		const validation = miscalibrated(4000, 7);
		const test = miscalibrated(20_000, 8);
		const calibrated = applyCalibration(fitIsotonic(validation.raw, validation.labels, all), test.raw);
		const rawAuc = auc(test.labels, test.raw);
		assert.ok(Math.abs(auc(test.labels, calibrated) - rawAuc) < 0.0005, `calibrated ${auc(test.labels, calibrated)}, raw ${rawAuc}`);
		assert.ok(new Set(calibrated).size > 0.9 * test.raw.length, `${new Set(calibrated).size} distinct probabilities`);
		// The true probabilities' log loss is the floor; the calibrated ones come close to it.
		const truth = Float64Array.from(test.raw, (r) => 1 / (1 + Math.exp(-(r - 1) / 3)));
		assert.ok(
			logLoss(test.labels, calibrated) < logLoss(test.labels, truth) + 0.005,
			`${logLoss(test.labels, calibrated)} vs ${logLoss(test.labels, truth)}`,
		);
	});

	it('Platt scaling recovers the slope and intercept of a miscalibrated score', () => {
		const { raw, labels } = miscalibrated(20_000, 1);
		const fit = fitPlatt(raw, labels, all);
		assert.ok(fit.method === 'platt');
		assert.ok(Math.abs(fit.slope - 1 / 3) < 0.03, `slope ${fit.slope}`);
		assert.ok(Math.abs(fit.intercept + 1 / 3) < 0.05, `intercept ${fit.intercept}`);
	});

	it('lowers the log loss of a miscalibrated score, on the validation rows (cross-fitted) and on new rows', () => {
		const validation = miscalibrated(3000, 2);
		const result = calibrate(validation.raw, validation.labels, { seed: 1 });
		const uncalibrated = result.choice.crossValidatedLogLoss.uncalibrated as number;
		assert.ok(logLoss(validation.labels, result.crossFitted) < uncalibrated - 0.05, `${logLoss(validation.labels, result.crossFitted)} vs ${uncalibrated}`);
		const test = miscalibrated(3000, 3);
		const before = logLoss(
			test.labels,
			Float64Array.from(test.raw, (r) => 1 / (1 + Math.exp(-r))),
		);
		const after = logLoss(test.labels, applyCalibration(result.calibrator, test.raw));
		assert.ok(after < before - 0.05, `test log loss ${after} vs ${before}`);
	});

	it('chooses the method with the lower cross-validated log loss and says so', () => {
		const { raw, labels } = miscalibrated(2000, 4);
		const result = calibrate(raw, labels, { seed: 1 });
		const { platt, isotonic } = result.choice.crossValidatedLogLoss;
		assert.equal(result.choice.method, (isotonic as number) < (platt as number) ? 'isotonic' : 'platt');
		assert.equal(result.calibrator.method, result.choice.method);
		assert.equal(result.choice.folds, 5);
		assert.match(result.choice.reason, /lower cross-validated log loss/);
		// A score that is a step function of the truth suits isotonic regression better than a sigmoid.
		const step = Float64Array.from(raw, (r) => (r > 0 ? 1 : 0) + r / 1000);
		assert.equal(calibrate(step, labels, { seed: 1 }).choice.method, 'isotonic');
	});

	it('is cheap and monotone: a higher raw score never gets a lower probability', () => {
		const { raw, labels } = miscalibrated(1000, 5);
		for (const method of ['platt', 'isotonic'] as const) {
			const { calibrator } = calibrate(raw, labels, { seed: 1, method });
			const grid = Float64Array.from({ length: 2001 }, (_, i) => -20 + i / 50);
			const p = applyCalibration(calibrator, grid);
			for (let i = 1; i < p.length; i++) assert.ok(p[i] >= p[i - 1], `${method} falls at ${grid[i]}`);
		}
	});

	it("cross-fits: a row's honest probability comes from a calibrator that did not see it", () => {
		const { raw, labels } = miscalibrated(500, 6);
		const result = calibrate(raw, labels, { seed: 1, method: 'isotonic' });
		const final = applyCalibration(result.calibrator, raw);
		assert.notDeepEqual(Array.from(result.crossFitted), Array.from(final));
		assert.deepEqual(calibrate(raw, labels, { seed: 1, method: 'isotonic' }).crossFitted, result.crossFitted);
	});

	it('leaves scores uncalibrated, and says why, when validation lacks one outcome', () => {
		const result = calibrate([0.1, 0.2, 0.3], [0, 0, 1], { seed: 1 });
		assert.equal(result.calibrator.method, 'none');
		assert.match(result.choice.reason, /1 with and 2 without the outcome/);
		assert.equal(result.crossFitted[0], 1 / (1 + Math.exp(-0.1)));
	});

	it('refuses an isotonic calibrator whose probabilities fall', () => {
		assert.equal(calibratorSchema.safeParse({ method: 'isotonic', raw: [0, 1], probability: [0.6, 0.4] }).success, false);
		assert.equal(calibratorSchema.safeParse({ method: 'isotonic', raw: [0, 1], probability: [0.4, 0.6] }).success, true);
	});
});
