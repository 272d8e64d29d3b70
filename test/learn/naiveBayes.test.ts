import assert from 'node:assert/strict';
import { GaussianNB } from 'ml-naivebayes';
import { InputError } from '../../core/errors';
import type { LabelledDataset } from '../../core/learn/dataset';
import { naiveBayesFromJson, trainNaiveBayes } from '../../core/learn/naiveBayes';
import { auc } from '../../core/evaluate/auc';
import { synthetic } from './fixtures';

/** Class 0 has x = 1, 2, 3 and class 1 has x = 4, 5, 6: means 2 and 5, sample variances 1 and 1. */
const tiny: LabelledDataset = {
	rows: 6,
	featureNames: ['x'],
	columns: [Float32Array.from([1, 2, 3, 4, 5, 6])],
	label: Uint8Array.from([0, 0, 0, 1, 1, 1]),
};

/** The population variance of a column's present values, summed as the model sums it. */
function presentVariance(column: Float32Array): number {
	const present = Array.from(column).filter((x) => !Number.isNaN(x));
	const mean = present.reduce((a, b) => a + b, 0) / present.length;
	return present.reduce((a, x) => a + (x - mean) ** 2, 0) / present.length;
}

describe('naive Bayes', () => {
	it("fits ml-naivebayes's class means and variances to the bit, on the rows where a feature is present", async () => {
		const data = synthetic({ rows: 3000, seed: 17, missingShare: 0.2, missingEffect: 1 });
		const floor = 0;
		const model = await trainNaiveBayes(data, { varianceFloor: floor }, { seed: 1 });
		const features = model.toJSON().features;
		// The model adds scikit-learn's smoothing to every variance: 1e-9 × the largest variance of a feature's present values.
		const smoothing = 1e-9 * Math.max(...data.columns.map(presentVariance));
		for (let f = 0; f < data.columns.length; f++) {
			const present = Array.from({ length: data.rows }, (_, r) => r).filter((r) => !Number.isNaN(data.columns[f][r]));
			const library = new GaussianNB();
			library.train(
				present.map((r) => [data.columns[f][r]]),
				present.map((r) => data.label[r]),
			);
			const gaussian = features[f].gaussian;
			assert.ok(gaussian, `feature ${f} has a Gaussian`);
			assert.deepEqual(gaussian.means, [library.means[0][0], library.means[1][0]], `feature ${f} means`);
			for (const c of [0, 1]) {
				const variance = -(library.calculateProbabilities[c][1] as [number, number])[1] / 2;
				assert.equal(gaussian.variances[c], variance + smoothing, `feature ${f} class ${c} variance`);
			}
		}
	});

	it('computes the log-odds from the fitted means, variances and priors', async () => {
		const model = await trainNaiveBayes(tiny, {}, { seed: 1 });
		// log(3/3) + log N(x | 5, 1) − log N(x | 2, 1) = ((x − 2)² − (x − 5)²) / 2, variances 1 plus 1e-9 × the overall variance.
		const raw = model.predictRaw({ rows: 3, featureNames: ['x'], columns: [Float32Array.from([3.5, 5, 0])] });
		assert.ok(Math.abs(raw[0] - 0) < 1e-9, `x = 3.5: ${raw[0]}`);
		assert.ok(Math.abs(raw[1] - 4.5) < 1e-6, `x = 5: ${raw[1]}`);
		assert.ok(Math.abs(raw[2] + 10.5) < 1e-6, `x = 0: ${raw[2]}`);
	});

	// Two features, because the library's own predict reads only the first two (it loops over the
	// length of a [C1, C2] pair instead of the features); our log-odds use every feature.
	it('decides as the library classifies when nothing is missing', async () => {
		const data = synthetic({ rows: 2000, seed: 11, weights: [1.2, -0.8] });
		const model = await trainNaiveBayes(data, {}, { seed: 1 });
		const raw = model.predictRaw(data);
		const library = new GaussianNB();
		const rows = Array.from({ length: data.rows }, (_, r) => data.columns.map((c) => c[r]));
		library.train(rows, Array.from(data.label));
		const classes = library.predict(rows);
		let agree = 0;
		for (let r = 0; r < data.rows; r++) if ((raw[r] > 0 ? 1 : 0) === classes[r]) agree++;
		// Only the variance floor and smoothing differ from the library; they move no decision on this data.
		assert.equal(agree, data.rows);
	});

	it('scores well on data from a logistic model and splits each score exactly into feature contributions', async () => {
		const data = synthetic({ rows: 4000, seed: 12 });
		const model = await trainNaiveBayes(data, {}, { seed: 1 });
		const test = synthetic({ rows: 4000, seed: 13 });
		assert.ok(auc(test.label, model.predictRaw(test)) > auc(test.label, test.oracle) - 0.02);
		const raw = model.predictRaw(test);
		for (let r = 0; r < 50; r++) {
			const { expected, contributions } = model.explain((f) => test.columns[f][r]);
			assert.ok(Math.abs(contributions.reduce((a, b) => a + b, expected) - raw[r]) < 1e-12);
		}
		// Centred contributions: the expected value is the mean raw output over the training rows.
		const trainRaw = model.predictRaw(data);
		assert.ok(Math.abs(trainRaw.reduce((a, b) => a + b, 0) / data.rows - model.expectedValue) < 1e-9);
	});

	it('models missing values: how often each class misses a feature counts as evidence', async () => {
		const data = synthetic({ rows: 6000, seed: 14, missingShare: 0.3, missingEffect: 2 });
		const model = await trainNaiveBayes(data, {}, { seed: 1 });
		const json = model.toJSON();
		const rates = json.features[0].missingRates;
		assert.ok(rates !== null && rates[1] > rates[0], `missing rates ${rates}`);
		assert.equal(json.features[1].missingRates, null);
		const row = [NaN, 0, 0, 0];
		const { contributions } = model.explain((f) => row[f]);
		assert.ok(Math.abs(contributions[0] - (Math.log(rates[1] / rates[0]) - json.features[0].meanContribution)) < 1e-12);
		assert.ok(contributions[0] > 0, 'a missing x0 raises the chance here');
		assert.ok(model.predictRaw({ rows: 1, featureNames: data.featureNames, columns: row.map((v) => Float32Array.of(v)) }).every(Number.isFinite));
	});

	it('reads back from its JSON with the same predictions, and refuses a damaged JSON', async () => {
		const data = synthetic({ rows: 300, seed: 15 });
		const model = await trainNaiveBayes(data, {}, { seed: 1 });
		const json = JSON.parse(JSON.stringify(model.toJSON()));
		assert.deepEqual(naiveBayesFromJson(json).predictRaw(data), model.predictRaw(data));
		const broken = structuredClone(json);
		broken.features[2].gaussian.variances[0] = -1;
		assert.throws(
			() => naiveBayesFromJson(broken),
			(error: Error) => error instanceof InputError && /features\.2\.gaussian\.variances\.0/.test(error.message),
		);
	});

	it('refuses row weights it cannot use, naming learners that can', async () => {
		const weight = Float32Array.from([1, 2, 1, 1, 1, 1]);
		await assert.rejects(trainNaiveBayes({ ...tiny, weight }, {}, { seed: 1 }), /cannot use row weights.*gbdt/);
	});

	it('fits a seeded, stratified subsample when the data has more rows than maxRows', async () => {
		const data = synthetic({ rows: 1000, seed: 16 });
		const a = await trainNaiveBayes(data, { maxRows: 200 }, { seed: 5 });
		const b = await trainNaiveBayes(data, { maxRows: 200 }, { seed: 5 });
		assert.equal(a.fittedRows, 200);
		assert.equal(a.trainingRows, 1000);
		assert.equal(JSON.stringify(a.toJSON()), JSON.stringify(b.toJSON()));
	});
});
