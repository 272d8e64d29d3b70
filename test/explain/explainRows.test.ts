import assert from 'node:assert/strict';
import { explainRows, type Explainer, type LinearExplanation } from '../../core/explain/explainer';
import { treeShap } from '../../core/explain/treeShap';
import { forestContributions } from '../../core/explain/forest';
import { CancelledError, InputError } from '../../core/errors';
import type { Dataset, LabelledDataset } from '../../core/learn/dataset';
import { trainForest } from '../../core/learn/forest';
import { trainGbdt } from '../../core/learn/gbdt';
import { trainLogistic } from '../../core/learn/logistic';
import { trainNaiveBayes } from '../../core/learn/naiveBayes';
import type { Tree } from '../../core/learn/tree';
import type { Progress } from '../../core/util/progress';
import { createRng } from '../../core/util/rng';
import { predictRaw, randomTree } from './support';

/** A dataset of `rows` random rows over `features` columns in [0, 1), some values missing. */
function randomDataset(seed: number, rows: number, features: number): Dataset {
	const rng = createRng(seed);
	const columns = Array.from({ length: features }, () => {
		const column = new Float32Array(rows);
		for (let r = 0; r < rows; r++) column[r] = rng.next() < 0.1 ? NaN : Math.round(rng.next() * 100) / 100;
		return column;
	});
	return { rows, featureNames: columns.map((_, f) => `feature_${f}`), columns };
}

function rowOf(data: Dataset, row: number): Float64Array {
	return Float64Array.from(data.columns, (column) => column[row]);
}

/** A tiny logistic model: raw = intercept + Σ w_f x_f, a missing value counted at the feature's mean. */
function logisticExplainer(
	intercept: number,
	weights: readonly number[],
	means: readonly number[],
): Extract<Explainer, { kind: 'linear' }> & { raw(x: Float64Array): number } {
	const valueOf = (x: number, f: number): number => (Number.isNaN(x) ? means[f] : x);
	return {
		kind: 'linear',
		raw: (x) => weights.reduce((sum, w, f) => sum + w * valueOf(x[f], f), intercept),
		explain(row): LinearExplanation {
			const contributions = Float64Array.from(weights, (w, f) => w * (valueOf(row(f), f) - means[f]));
			return { expected: weights.reduce((sum, w, f) => sum + w * means[f], intercept), contributions };
		},
	};
}

/**
 * A tiny naive Bayes model on binned features: raw = log prior odds + Σ log-likelihood ratios of
 * each feature's bin (missing = no evidence); a contribution is the ratio minus its average.
 */
function naiveBayesExplainer(
	priorLogOdds: number,
	ratios: readonly (readonly number[])[],
	average: readonly number[],
): Extract<Explainer, { kind: 'linear' }> & { raw(x: Float64Array): number } {
	const ratioOf = (x: number, f: number): number =>
		Number.isNaN(x) ? average[f] : ratios[f][Math.min(ratios[f].length - 1, Math.floor(x * ratios[f].length))];
	return {
		kind: 'linear',
		raw: (x) => ratios.reduce((sum, _, f) => sum + ratioOf(x[f], f), priorLogOdds),
		explain(row): LinearExplanation {
			const contributions = Float64Array.from(ratios, (_, f) => ratioOf(row(f), f) - average[f]);
			return { expected: average.reduce((sum, a) => sum + a, priorLogOdds), contributions };
		},
	};
}

const trees = (seed: number, count: number, features: number): Tree[] => {
	const rng = createRng(seed);
	return Array.from({ length: count }, () => randomTree(rng, { features, maxDepth: 6 }));
};

describe('explainRows', () => {
	it('gives each requested row the same contributions as treeShap, and they add up to the raw output', async () => {
		const data = randomDataset(1, 300, 7);
		const model = trees(2, 20, 7);
		const rows = [5, 0, 299, 5, 123];
		const { expected, contributions } = await explainRows({ kind: 'tree', trees: model, baseScore: -1.2 }, data, rows);
		rows.forEach((row, i) => {
			const phi = new Float64Array(7);
			const direct = treeShap(model, -1.2, (f) => data.columns[f][row], phi);
			assert.equal(expected, direct);
			let sum = expected;
			for (let f = 0; f < 7; f++) {
				assert.equal(contributions[i * 7 + f], Math.fround(phi[f]));
				sum += contributions[i * 7 + f];
			}
			assert.ok(Math.abs(sum - predictRaw(model, -1.2, rowOf(data, row))) < 1e-4, `row ${row}`);
		});
	});

	it('gives byte-identical results on one thread and on worker threads', async function () {
		this.timeout(120_000);
		const data = randomDataset(3, 3000, 12);
		const model = trees(4, 60, 12);
		const rows = Array.from({ length: data.rows }, (_, r) => data.rows - 1 - r);
		const single = await explainRows({ kind: 'tree', trees: model, baseScore: 0.3 }, data, rows, undefined, { threads: 1 });
		const threaded = await explainRows({ kind: 'tree', trees: model, baseScore: 0.3 }, data, rows, undefined, { threads: 3 });
		assert.equal(threaded.expected, single.expected);
		assert.deepEqual(Buffer.from(threaded.contributions.buffer), Buffer.from(single.contributions.buffer));
	});

	it('reports progress up to the number of profiles, on threads too', async () => {
		const data = randomDataset(5, 1000, 4);
		const model = trees(6, 5, 4);
		for (const threads of [1, 2]) {
			const seen: Progress[] = [];
			await explainRows(
				{ kind: 'tree', trees: model, baseScore: 0 },
				data,
				Array.from({ length: 1000 }, (_, r) => r),
				{ onProgress: (p) => seen.push(p) },
				{ threads },
			);
			const last = seen[seen.length - 1];
			assert.deepEqual([last.done, last.total, last.unit], [1000, 1000, 'profiles'], `threads ${threads}`);
		}
	});

	it('stops with a cancellation error when the signal fires, on one thread or several', async () => {
		const data = randomDataset(7, 4000, 6);
		const model = trees(8, 50, 6);
		const rows = Array.from({ length: data.rows }, (_, r) => r);
		for (const threads of [1, 2]) {
			const controller = new AbortController();
			const work = explainRows({ kind: 'tree', trees: model, baseScore: 0 }, data, rows, { signal: controller.signal }, { threads });
			setImmediate(() => controller.abort());
			await assert.rejects(work, CancelledError, `threads ${threads}`);
		}
	});

	it('keeps working after a cancelled run, and two runs at once on one model both get the single-thread answer', async () => {
		const data = randomDataset(13, 2000, 5);
		const model = trees(14, 30, 5);
		const explainer: Explainer = { kind: 'tree', trees: model, baseScore: 0 };
		const rows = Array.from({ length: data.rows }, (_, r) => r);
		const expected = await explainRows(explainer, data, rows, undefined, { threads: 1 });
		const controller = new AbortController();
		const cancelled = explainRows(explainer, data, rows, { signal: controller.signal }, { threads: 2 });
		setImmediate(() => controller.abort());
		await assert.rejects(cancelled, CancelledError);
		const [a, b] = await Promise.all([
			explainRows(explainer, data, rows, undefined, { threads: 2 }),
			explainRows(explainer, data, rows.slice(0, 700), undefined, { threads: 2 }),
		]);
		assert.deepEqual(Buffer.from(a.contributions.buffer), Buffer.from(expected.contributions.buffer));
		assert.deepEqual(Buffer.from(b.contributions.buffer), Buffer.from(expected.contributions.buffer, 0, 700 * 5 * 4));
	});

	it('refuses a row index outside the data, naming it', async () => {
		const data = randomDataset(9, 10, 3);
		await assert.rejects(
			explainRows({ kind: 'tree', trees: trees(1, 1, 3), baseScore: 0 }, data, [0, 10]),
			(error: unknown) => error instanceof InputError && /Row 10 \(position 1/.test(error.message),
		);
	});

	it('refuses trees that split on a feature the data does not have', async () => {
		const data = randomDataset(9, 10, 3);
		await assert.rejects(explainRows({ kind: 'tree', trees: trees(1, 5, 6), baseScore: 0 }, data, [0]), /feature columns/);
	});

	it('returns an empty result for no rows, with the expected value', async () => {
		const model = trees(1, 3, 3);
		const result = await explainRows({ kind: 'tree', trees: model, baseScore: 1 }, randomDataset(1, 5, 3), []);
		assert.equal(result.contributions.length, 0);
		assert.equal(
			result.expected,
			treeShap(model, 1, () => 0, new Float64Array(3)),
		);
	});
});

describe('linear contributions', () => {
	it("add up to a logistic model's raw output for every row (local accuracy to 1e-9), a missing value counting as the mean", async () => {
		const model = logisticExplainer(-2, [1.5, -0.7, 0, 3.2], [0.4, 0.5, 0.3, 0.1]);
		const data = randomDataset(11, 50, 4);
		for (let row = 0; row < data.rows; row++) {
			const x = rowOf(data, row);
			const { expected, contributions } = model.explain((f) => x[f]);
			const sum = contributions.reduce((a, b) => a + b, expected);
			assert.ok(Math.abs(sum - model.raw(x)) < 1e-9, `row ${row}`);
			assert.ok(contributions[2] === 0, 'a zero weight gives a zero contribution');
		}
		const rows = Array.from({ length: data.rows }, (_, r) => r);
		const explained = await explainRows(model, data, rows);
		assert.equal(explained.expected, model.explain(() => NaN).expected);
		for (const row of rows) {
			const direct = model.explain((f) => data.columns[f][row]).contributions;
			for (let f = 0; f < 4; f++) assert.equal(explained.contributions[row * 4 + f], Math.fround(direct[f]));
		}
	});

	it("add up to a naive Bayes model's raw output for every row (local accuracy to 1e-9)", async () => {
		const model = naiveBayesExplainer(
			-1.1,
			[
				[-0.5, 0.2, 0.9],
				[0.3, -0.3],
				[-1, 0, 0.5, 1.5],
			],
			[0.1, 0, 0.2],
		);
		const data = randomDataset(12, 40, 3);
		for (let row = 0; row < data.rows; row++) {
			const x = rowOf(data, row);
			const { expected, contributions } = model.explain((f) => x[f]);
			assert.ok(Math.abs(contributions.reduce((a, b) => a + b, expected) - model.raw(x)) < 1e-9, `row ${row}`);
		}
		const explained = await explainRows(model, data, [3, 7]);
		assert.equal(explained.contributions.length, 6);
	});

	it('refuses a linear model that gives the wrong number of contributions', async () => {
		const broken: Explainer = { kind: 'linear', explain: () => ({ expected: 0, contributions: new Float64Array(2) }) };
		await assert.rejects(explainRows(broken, randomDataset(1, 3, 4), [0]), /2 contributions for a row of 4 features/);
	});
});

/** A labelled dataset where features 0 and 3 matter, for the learners' own explanations. */
function learnable(seed: number, rows: number, features: number): LabelledDataset {
	const data = randomDataset(seed, rows, features);
	const rng = createRng(seed + 1);
	const label = new Uint8Array(rows);
	for (let r = 0; r < rows; r++) {
		const x0 = data.columns[0][r];
		const score = (Number.isNaN(x0) ? 0.5 : x0) * 3 - (data.columns[3][r] > 0.6 ? 1.5 : 0) + rng.normal() * 0.5;
		label[r] = score > 0.8 ? 1 : 0;
	}
	return { ...data, label };
}

/** max over rows of |expected + Σ contributions − the model's raw output|. */
function worstLocalAccuracy(data: Dataset, raw: Float64Array, explain: (row: (f: number) => number) => LinearExplanation, rows: number): number {
	let worst = 0;
	for (let row = 0; row < rows; row++) {
		const { expected, contributions } = explain((f) => data.columns[f][row]);
		worst = Math.max(worst, Math.abs(contributions.reduce((a, b) => a + b, expected) - raw[row]));
	}
	return worst;
}

describe('explanations of the trained learners', () => {
	it("TreeSHAP on trees from trainGbdt adds up to the model's raw output (local accuracy to 1e-9)", async () => {
		const data = learnable(30, 2000, 8);
		const model = await trainGbdt(data, { maxTrees: 60, earlyStoppingRounds: 0, threads: 1 }, { seed: 1 });
		assert.ok(model.trees.length === 60 && model.trees.some((tree) => tree.left.length > 7), 'the model has real trees');
		const raw = model.predictRaw(data);
		const explain = (row: (f: number) => number): LinearExplanation => {
			const contributions = new Float64Array(8);
			return { expected: treeShap(model.trees, model.baseScore, row, contributions), contributions };
		};
		assert.ok(worstLocalAccuracy(data, raw, explain, data.rows) < 1e-9);
		const both = await explainRows({ kind: 'tree', trees: model.trees, baseScore: model.baseScore }, data, [0, 1, 2]);
		for (let row = 0; row < 3; row++) {
			const sum = Array.from(both.contributions.subarray(row * 8, row * 8 + 8)).reduce((a, b) => a + b, both.expected);
			assert.ok(Math.abs(sum - raw[row]) < 1e-5, `row ${row} through explainRows (float32)`);
		}
	});

	it("logistic regression's contributions add up to its raw output (local accuracy to 1e-9)", async () => {
		const data = learnable(40, 800, 5);
		const model = await trainLogistic(data, {}, { seed: 1 });
		assert.ok(worstLocalAccuracy(data, model.predictRaw(data), (row) => model.explain(row), data.rows) < 1e-9);
		const explained = await explainRows({ kind: 'linear', explain: (row) => model.explain(row) }, data, [0, 5]);
		assert.equal(explained.expected, model.explain(() => NaN).expected);
	});

	it("naive Bayes's contributions add up to its raw output (local accuracy to 1e-9)", async () => {
		const data = learnable(50, 800, 5);
		const model = await trainNaiveBayes(data, {}, { seed: 1 });
		assert.ok(worstLocalAccuracy(data, model.predictRaw(data), (row) => model.explain(row), data.rows) < 1e-9);
	});

	it("the random forest's contributions (TreeSHAP over its trees) add up to its raw output (local accuracy to 1e-9)", async () => {
		const data = learnable(60, 150, 4);
		const model = await trainForest(data, { trees: 8, maxDepth: 4 }, { seed: 1 });
		assert.ok(worstLocalAccuracy(data, model.predictRaw(data), (row) => forestContributions(model, row), data.rows) < 1e-9);
	});
});
