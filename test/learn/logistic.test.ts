import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import type { LabelledDataset } from '../../core/learn/dataset';
import { logisticFromJson, trainLogistic } from '../../core/learn/logistic';
import { auc } from '../../core/evaluate/auc';
import { synthetic } from './fixtures';

/** Ten rows, two features: scikit-learn's LogisticRegression(C=1, solver='newton-cg', tol=1e-14) on the standardised features gives the pinned values. */
const tiny: LabelledDataset = {
	rows: 10,
	featureNames: ['a', 'b'],
	columns: [Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 2.5, 6.5]), Float32Array.from([3, 1, 4, 1.5, 2, 5, 0.5, 3.5, 2.5, 1])],
	label: Uint8Array.from([0, 0, 1, 0, 1, 1, 0, 1, 0, 1]),
};

describe('logistic regression', () => {
	it('finds the same L2-penalised fit as scikit-learn (C = 1) on standardised features', async () => {
		const model = await trainLogistic(tiny, { l2: 1 }, { seed: 1 });
		const json = model.toJSON();
		assert.ok(json.converged);
		assert.ok(Math.abs(json.coefficients[0] - 0.92690394) < 1e-7, `a: ${json.coefficients[0]}`);
		assert.ok(Math.abs(json.coefficients[1] - 0.89184879) < 1e-7, `b: ${json.coefficients[1]}`);
		assert.ok(Math.abs(json.intercept - 0.08252298348961755) < 1e-7, `intercept: ${json.intercept}`);
		const raw = model.predictRaw(tiny);
		const sklearn = [-0.98412509, -1.85022128, 0.4852331, -0.70101814, 0.03366096, 2.36911534, -0.09775612, 2.23769825, -0.68249409, 0.01513691];
		sklearn.forEach((expected, r) => assert.ok(Math.abs(raw[r] - expected) < 1e-7, `row ${r}: ${raw[r]} vs ${expected}`));
	});

	it('gives coefficients on the original scale that reproduce the raw output', async () => {
		const model = await trainLogistic(tiny, {}, { seed: 1 });
		const { intercept, coefficients } = model.originalScale();
		const raw = model.predictRaw(tiny);
		for (let r = 0; r < tiny.rows; r++) {
			const direct = intercept + coefficients[0] * tiny.columns[0][r] + coefficients[1] * tiny.columns[1][r];
			assert.ok(Math.abs(direct - raw[r]) < 1e-12);
		}
	});

	it('recovers the true coefficients of a logistic model from 20,000 rows', async () => {
		const data = synthetic({ rows: 20_000, seed: 3, weights: [1.2, -0.8, 0.5, 0], intercept: -1 });
		const model = await trainLogistic(data, { l2: 0.01 }, { seed: 1 });
		const { intercept, coefficients } = model.originalScale();
		[1.2, -0.8, 0.5, 0].forEach((w, f) => assert.ok(Math.abs(coefficients[f] - w) < 0.06, `x${f}: ${coefficients[f]} vs ${w}`));
		assert.ok(Math.abs(intercept + 1) < 0.06, `intercept ${intercept}`);
	});

	it('learns from missing values through a missing-indicator, imputing the training mean', async () => {
		const data = synthetic({ rows: 8000, seed: 4, missingShare: 0.3, missingEffect: 1.5 });
		const model = await trainLogistic(data, {}, { seed: 1 });
		const json = model.toJSON();
		assert.ok(json.missingCoefficients[0] !== null && json.missingCoefficients[0] > 0.8, `missing coefficient ${json.missingCoefficients[0]}`);
		assert.deepEqual(json.missingCoefficients.slice(1), [null, null, null]);
		assert.ok(Math.abs(json.missingRates[0] - 0.3) < 0.02);
		const test = synthetic({ rows: 4000, seed: 5, missingShare: 0.3, missingEffect: 1.5 });
		assert.ok(auc(test.label, model.predictRaw(test)) > auc(test.label, test.oracle) - 0.01);
	});

	it('splits each raw output exactly into the expected value plus per-feature contributions', async () => {
		const data = synthetic({ rows: 3000, seed: 6, missingShare: 0.2, missingEffect: 1 });
		const model = await trainLogistic(data, {}, { seed: 1 });
		const raw = model.predictRaw(data);
		let meanRaw = 0;
		for (let r = 0; r < data.rows; r++) {
			const { expected, contributions } = model.explain((f) => data.columns[f][r]);
			const sum = contributions.reduce((a, b) => a + b, expected);
			assert.ok(Math.abs(sum - raw[r]) < 1e-12, `row ${r}: ${sum} vs ${raw[r]}`);
			meanRaw += raw[r] / data.rows;
		}
		// The expected value is the raw output of the average training row.
		assert.ok(Math.abs(model.expectedValue - meanRaw) < 1e-9);
	});

	it('reads back from its JSON with the same predictions, and refuses a damaged JSON', async () => {
		const data = synthetic({ rows: 500, seed: 7 });
		const model = await trainLogistic(data, {}, { seed: 1 });
		const json = JSON.parse(JSON.stringify(model.toJSON()));
		assert.deepEqual(logisticFromJson(json).predictRaw(data), model.predictRaw(data));
		assert.throws(
			() => logisticFromJson({ ...json, scales: json.scales.slice(1) }),
			(error: Error) => error instanceof InputError && /scales has 3 entries for 4 features/.test(error.message),
		);
		assert.throws(
			() => logisticFromJson({ ...json, intercept: 'x' }),
			(error: Error) => error instanceof InputError && /intercept/.test(error.message),
		);
	});

	it('names the features a dataset to score lacks', async () => {
		const model = await trainLogistic(tiny, {}, { seed: 1 });
		assert.throws(() => model.predictRaw({ rows: 1, featureNames: ['a'], columns: [new Float32Array(1)] }), /lacks the model's feature "b"/);
	});

	it('refuses training data with one class only', async () => {
		await assert.rejects(trainLogistic({ ...tiny, label: new Uint8Array(10) }, {}, { seed: 1 }), /only negative/);
	});
});
