import assert from 'node:assert/strict';
import { trainGbdt, gbdtFromJson, defaultGbdtOptions, type GbdtModel, type GbdtOptions } from '../../core/learn/gbdt';
import { flattenTrees, predictForest } from '../../core/learn/gbdt/predict';
import { leafOf, type Tree } from '../../core/learn/tree';
import type { LabelledDataset } from '../../core/learn/dataset';
import { CancelledError, InputError } from '../../core/errors';
import type { Progress } from '../../core/util/progress';
import { createRng } from '../../core/util/rng';
import { oracleData, MISSING_SIGNAL_FEATURE } from '../support/gbdtOracle';
import { auc } from '../../core/evaluate/auc';

/** A quick, small configuration for tests that check behaviour rather than accuracy. */
const quick: Partial<GbdtOptions> = { maxTrees: 20, learningRate: 0.2, maxDepth: 4, earlyStoppingRounds: 0, rowSubsample: 1, colSubsample: 1 };

function dataset(columns: Float32Array[], label: Uint8Array, weight?: Float32Array): LabelledDataset {
	return { rows: label.length, featureNames: columns.map((_, f) => `f${f}`), columns, label, weight };
}

/** Rows where only `f0` matters: P(outcome) = 0.8 when f0 > 0, else 0.2; f1 is noise. */
function stepData(rows: number, seed: number): LabelledDataset {
	const rng = createRng(seed);
	const f0 = new Float32Array(rows);
	const f1 = new Float32Array(rows);
	const label = new Uint8Array(rows);
	for (let r = 0; r < rows; r++) {
		f0[r] = rng.normal();
		f1[r] = rng.normal();
		label[r] = rng.next() < (f0[r] > 0 ? 0.8 : 0.2) ? 1 : 0;
	}
	return dataset([f0, f1], label);
}

function json(model: GbdtModel): string {
	return JSON.stringify(model.toJSON());
}

describe('gradient-boosted trees', function () {
	this.timeout(300_000);

	it("recovers known structure: test AUC within 0.01 of the oracle's on 50,000 training rows", async () => {
		const train = oracleData(50_000, 11).data;
		const validation = oracleData(20_000, 12).data;
		const test = oracleData(50_000, 13);
		const model = await trainGbdt(train, {}, { seed: 7, validation });
		const ours = auc(test.data.label, model.predictRaw(test.data));
		const oracle = auc(test.data.label, test.probability);
		assert.ok(oracle - ours <= 0.01, `test AUC ${ours.toFixed(4)} is more than 0.01 below the oracle's ${oracle.toFixed(4)}`);
	});

	it('writes the same model bytes for the same data, options and seed, and different ones for another seed', async () => {
		const train = oracleData(3000, 21).data;
		const options = { ...quick, rowSubsample: 0.7, colSubsample: 0.6 };
		const a = await trainGbdt(train, options, { seed: 1 });
		const b = await trainGbdt(train, options, { seed: 1 });
		const c = await trainGbdt(train, options, { seed: 2 });
		assert.equal(json(a), json(b));
		assert.notEqual(json(a), json(c));
	});

	it('writes the same model bytes with one thread or two, on data large enough to use both', async () => {
		const train = oracleData(40_000, 22).data;
		const validation = oracleData(5_000, 23).data;
		const options = { maxTrees: 12, maxDepth: 5, learningRate: 0.3, rowSubsample: 0.8, colSubsample: 0.8, earlyStoppingRounds: 5 };
		const one = await trainGbdt(train, { ...options, threads: 1 }, { seed: 3, validation });
		const two = await trainGbdt(train, { ...options, threads: 2 }, { seed: 3, validation });
		assert.equal(json(one), json(two));
		const leafwise = { ...options, growth: 'leafwise' as const, maxLeaves: 20 };
		assert.equal(
			json(await trainGbdt(train, { ...leafwise, threads: 1 }, { seed: 3 })),
			json(await trainGbdt(train, { ...leafwise, threads: 2 }, { seed: 3 })),
		);
	});

	it('learns a direction for missing values when missingness itself predicts the outcome', async () => {
		// f0 is missing for 30% of rows; those convert 80% of the time, the others 20%, whatever their value.
		const rng = createRng(5);
		const rows = 5000;
		const f0 = new Float32Array(rows);
		const label = new Uint8Array(rows);
		for (let r = 0; r < rows; r++) {
			const missing = rng.next() < 0.3;
			f0[r] = missing ? NaN : rng.normal();
			label[r] = rng.next() < (missing ? 0.8 : 0.2) ? 1 : 0;
		}
		const model = await trainGbdt(dataset([f0], label), { ...quick, maxDepth: 1 }, { seed: 1 });
		const root = model.trees[0];
		assert.equal(root.feature[0], 0);
		// All present values go one way (threshold above every value), missing ones the other.
		assert.equal(root.missingLeft[0], 0);
		assert.ok(root.threshold[0] >= 3, `threshold ${root.threshold[0]} splits the present values`);
		const scores = model.predictRaw(dataset([Float32Array.from([NaN, 0, -2, 2])], new Uint8Array(4)));
		const probability = Array.from(scores, (z) => 1 / (1 + Math.exp(-z)));
		assert.ok(Math.abs(probability[0] - 0.8) < 0.05, `missing values score ${probability[0]}, expected about 0.8`);
		for (const p of probability.slice(1)) assert.ok(Math.abs(p - 0.2) < 0.05, `present values score ${p}, expected about 0.2`);

		// The oracle's missing-signal feature is used with missing values sent to the higher-scoring side.
		const oracle = oracleData(20_000, 31).data;
		const full = await trainGbdt(oracle, { ...quick, maxTrees: 40 }, { seed: 1 });
		const probe = oracleData(2000, 32).data;
		const present = full.predictRaw(probe);
		probe.columns[MISSING_SIGNAL_FEATURE].fill(NaN);
		const absent = full.predictRaw(probe);
		let higher = 0;
		for (let r = 0; r < probe.rows; r++) if (absent[r] > present[r]) higher++;
		assert.ok(higher / probe.rows > 0.7, `only ${higher} of ${probe.rows} rows score higher with the feature missing`);
	});

	it('sends a missing value never seen in training to the child that had more training weight', async () => {
		const train = stepData(4000, 6);
		const model = await trainGbdt(train, { ...quick, maxDepth: 1, maxTrees: 1 }, { seed: 1 });
		const tree = model.trees[0];
		const heavier = tree.cover[tree.left[0]] >= tree.cover[tree.right[0]] ? 1 : 0;
		assert.equal(tree.missingLeft[0], heavier);
	});

	it('stops early on a noisy task, well before maxTrees, and keeps the best iteration', async () => {
		// Labels are coin flips: nothing generalises, so the validation loss soon rises.
		const rng = createRng(9);
		const make = (rows: number): LabelledDataset => {
			const columns = Array.from({ length: 5 }, () => Float32Array.from({ length: rows }, () => rng.normal()));
			return dataset(
				columns,
				Uint8Array.from({ length: rows }, () => (rng.next() < 0.3 ? 1 : 0)),
			);
		};
		const train = make(3000);
		const validation = make(3000);
		const seen: Progress[] = [];
		const options = { maxTrees: 500, learningRate: 0.3, maxDepth: 6, earlyStoppingRounds: 10, rowSubsample: 1, colSubsample: 1 };
		const model = await trainGbdt(train, options, { seed: 1, validation, hooks: { onProgress: (p) => seen.push(p) } });
		const built = seen[seen.length - 1].done;
		assert.ok(built < 100, `built ${built} trees`);
		assert.equal(built, model.bestIteration + 10);
		assert.equal(model.trees.length, model.bestIteration);
		// The kept trees are exactly the first bestIteration trees of a run without early stopping.
		const again = await trainGbdt(train, { ...options, maxTrees: built, earlyStoppingRounds: 0 }, { seed: 1, validation });
		assert.deepEqual(
			model.trees.map((t) => Array.from(t.value)),
			again.trees.slice(0, model.bestIteration).map((t) => Array.from(t.value)),
		);
	});

	it("keeps each node's cover as the sum of its children's and each internal value as their cover-weighted mean", async () => {
		const train = oracleData(5000, 41).data;
		const model = await trainGbdt(train, { ...quick, growth: 'leafwise', maxLeaves: 12, maxDepth: 8 }, { seed: 1 });
		for (const tree of model.trees) {
			for (let node = 0; node < tree.left.length; node++) {
				const l = tree.left[node];
				const r = tree.right[node];
				assert.ok(tree.cover[node] > 0);
				if (l === -1) continue;
				assert.equal(tree.cover[node], tree.cover[l] + tree.cover[r]);
				const mean = (tree.cover[l] * tree.value[l] + tree.cover[r] * tree.value[r]) / tree.cover[node];
				assert.ok(Math.abs(tree.value[node] - mean) <= 1e-12 * (1 + Math.abs(mean)));
			}
		}
		// The first tree's root cover is the training hessian sum: n p (1 - p) at the base rate.
		const positives = train.label.reduce((sum, y) => sum + y, 0);
		const p = positives / train.rows;
		const expected = train.rows * p * (1 - p);
		assert.ok(Math.abs(model.trees[0].cover[0] - expected) < 1e-4 * expected, `root cover ${model.trees[0].cover[0]}, expected ${expected}`);
	});

	it('grows no deeper than maxDepth, and leaf-wise no more than maxLeaves leaves', async () => {
		const train = oracleData(8000, 51).data;
		const depthOf = (tree: Tree, node = 0): number =>
			tree.left[node] === -1 ? 0 : 1 + Math.max(depthOf(tree, tree.left[node]), depthOf(tree, tree.right[node]));
		const leavesOf = (tree: Tree): number => tree.left.filter((child) => child === -1).length;
		const depthwise = await trainGbdt(train, { ...quick, maxDepth: 3 }, { seed: 1 });
		assert.ok(depthwise.trees.every((tree) => depthOf(tree) <= 3));
		assert.ok(depthwise.trees.some((tree) => depthOf(tree) === 3));
		const leafwise = await trainGbdt(train, { ...quick, growth: 'leafwise', maxLeaves: 7, maxDepth: 30 }, { seed: 1 });
		assert.ok(leafwise.trees.every((tree) => leavesOf(tree) <= 7));
		assert.ok(
			leafwise.trees.some((tree) => depthOf(tree) > 3),
			'leaf-wise trees should grow unevenly',
		);
		const capped = await trainGbdt(train, { ...quick, maxDepth: 6, maxLeaves: 5 }, { seed: 1 });
		assert.ok(capped.trees.every((tree) => leavesOf(tree) <= 5));
		assert.equal(leafwise.options.maxLeaves, 7);
		assert.equal((await trainGbdt(train, { ...quick, maxTrees: 1, growth: 'leafwise' }, { seed: 1 })).options.maxLeaves, 31);
	});

	it('starts from the log-odds of the weighted base rate; balanced class weights start at even odds', async () => {
		const train = stepData(2000, 61);
		const positives = train.label.reduce((sum, y) => sum + y, 0);
		const plain = await trainGbdt(train, quick, { seed: 1 });
		assert.ok(Math.abs(plain.baseScore - Math.log(positives / (train.rows - positives))) < 1e-12);
		const weighted = await trainGbdt(train, { ...quick, positiveWeight: 3 }, { seed: 1 });
		assert.ok(Math.abs(weighted.baseScore - Math.log((3 * positives) / (train.rows - positives))) < 1e-12);
		const rare = { ...train, label: train.label.map((y, r) => (y === 1 && r % 5 === 0 ? 1 : 0)) };
		const balanced = await trainGbdt(rare, { ...quick, positiveWeight: 'balanced' }, { seed: 1 });
		assert.ok(Math.abs(balanced.baseScore) < 1e-12);
		assert.equal(balanced.options.positiveWeight, 'balanced');
		// Row weights count like repeated rows in the base rate.
		const weights = Float32Array.from({ length: train.rows }, (_, r) => (train.label[r] === 1 ? 2 : 1));
		const rowWeighted = await trainGbdt({ ...train, weight: weights }, quick, { seed: 1 });
		assert.ok(Math.abs(rowWeighted.baseScore - Math.log((2 * positives) / (train.rows - positives))) < 1e-12);
	});

	it('reports trees built with the validation log loss, and stops with CancelledError when cancelled', async () => {
		const train = stepData(3000, 71);
		const validation = stepData(1000, 72);
		const seen: Progress[] = [];
		await trainGbdt(train, { ...quick, maxTrees: 30 }, { seed: 1, validation, hooks: { onProgress: (p) => seen.push(p) } });
		const last = seen[seen.length - 1];
		assert.equal(last.done, 30);
		assert.equal(last.total, 30);
		assert.equal(last.unit, 'trees');
		assert.match(last.note ?? '', /^validation log loss 0\.\d+$/);

		const controller = new AbortController();
		const cancelled = trainGbdt(
			train,
			{ ...quick, maxTrees: 100_000 },
			{
				seed: 1,
				hooks: { signal: controller.signal, onProgress: (p) => (p.done >= 5 ? controller.abort() : undefined) },
			},
		);
		setTimeout(() => controller.abort(), 50);
		await assert.rejects(cancelled, CancelledError);
	});

	it('reads back its own JSON and scores exactly as before', async () => {
		const train = oracleData(4000, 81).data;
		const model = await trainGbdt(train, quick, { seed: 1 });
		const text = JSON.stringify(model);
		const back = gbdtFromJson(JSON.parse(text));
		assert.equal(JSON.stringify(back), text);
		assert.deepEqual(back.predictRaw(train), model.predictRaw(train));
		assert.equal(back.kind, 'gbdt');
		assert.equal(back.bestIteration, model.trees.length);
		assert.deepEqual(back.options, model.options);
	});

	it('refuses a malformed model, saying what is wrong and where', async () => {
		const model = (await trainGbdt(stepData(1000, 82), { ...quick, maxTrees: 2 }, { seed: 1 })).toJSON();
		const broken = (change: (copy: Record<string, unknown> & { trees: Record<string, number[]>[] }) => void): unknown => {
			const copy = JSON.parse(JSON.stringify(model));
			change(copy);
			return copy;
		};
		assert.throws(
			() => gbdtFromJson('not a model'),
			(e: Error) => e instanceof InputError && /not valid/.test(e.message),
		);
		assert.throws(() => gbdtFromJson(broken((m) => delete m.baseScore)), /baseScore/);
		assert.throws(() => gbdtFromJson(broken((m) => (m.formatVersion = 2))), /format 2/);
		assert.throws(() => gbdtFromJson(broken((m) => (m.trees[1].left[0] = 99))), /trees\[1\] node 0 has children 99/);
		assert.throws(() => gbdtFromJson(broken((m) => m.trees[0].value.pop())), /trees\[0\] has \d+ value entries/);
		assert.throws(() => gbdtFromJson(broken((m) => (m.trees[0].feature[0] = 7))), /feature 7, but the model has 2 features/);
		assert.throws(() => gbdtFromJson(broken((m) => (m.trees[0].cover[0] = -1))), /trees\[0\]\.cover\[0\]/);
	});

	it('refuses empty data, one class, labels other than 0/1, mismatched columns and infinite values with clear errors', async () => {
		const good = stepData(200, 91);
		const rejects = (data: LabelledDataset, pattern: RegExp, code: string) =>
			assert.rejects(
				trainGbdt(data, quick, { seed: 1 }),
				(e: Error) => e instanceof InputError && pattern.test(e.message) && (e as InputError).code === code,
			);
		await rejects(dataset([new Float32Array(0)], new Uint8Array(0)), /has no rows/, 'empty-data');
		await rejects({ ...good, label: new Uint8Array(200) }, /only negative \(label 0\) rows/, 'one-class');
		await rejects({ ...good, label: new Uint8Array(200).fill(1) }, /only positive \(label 1\) rows/, 'one-class');
		const nanLabels = Float32Array.from(good.label, (y, r) => (r === 17 ? NaN : y)) as unknown as Uint8Array;
		await rejects({ ...good, label: nanLabels }, /label NaN \(missing\) at row 18/, 'bad-label');
		await rejects({ ...good, label: good.label.map((y, r) => (r === 3 ? 2 : y)) }, /label 2 at row 4/, 'bad-label');
		await rejects(
			{ ...good, columns: [good.columns[0], good.columns[1].subarray(0, 150)] },
			/"f1" of the training data has 150 values but the data has 200 rows/,
			'bad-dataset',
		);
		await rejects({ ...good, featureNames: ['f0'] }, /names 1 features but holds 2 columns/, 'bad-dataset');
		const infinite = good.columns[1].slice();
		infinite[9] = Infinity;
		await rejects({ ...good, columns: [good.columns[0], infinite] }, /"f1" of the training data is Infinity at row 10/, 'bad-dataset');
		await rejects({ ...good, weight: new Float32Array(200).fill(-1) }, /weight -1 at row 1/, 'bad-weight');
		await assert.rejects(trainGbdt(good, quick, { seed: 1, validation: { ...good, featureNames: ['a', 'b'] } }), /same features in the same order/);
	});

	it('refuses bad options, naming each one and the value given', async () => {
		const data = stepData(200, 92);
		await assert.rejects(
			trainGbdt(data, { maxDepth: 0, learningRate: 2 }, { seed: 1 }),
			(e: Error) => e instanceof InputError && /maxDepth/.test(e.message) && /learningRate must be above 0 and at most 1 \(got 2\)/.test(e.message),
		);
		await assert.rejects(trainGbdt(data, { positiveWeight: 'even' as unknown as number }, { seed: 1 }), /positiveWeight/);
		await assert.rejects(trainGbdt(data, { maxBins: 256 }, { seed: 1 }), /maxBins/);
		await assert.rejects(trainGbdt(data, { colour: 'red' } as unknown as Partial<GbdtOptions>, { seed: 1 }), /colour/);
	});

	it('scores by feature name, ignoring extra columns, and says which features the data lacks', async () => {
		const train = stepData(2000, 93);
		const model = await trainGbdt(train, quick, { seed: 1 });
		const reordered = {
			rows: train.rows,
			featureNames: ['extra', 'f1', 'f0'],
			columns: [new Float32Array(train.rows), train.columns[1], train.columns[0]],
		};
		assert.deepEqual(model.predictRaw(reordered), model.predictRaw(train));
		assert.throws(() => model.predictRaw({ rows: train.rows, featureNames: ['f0'], columns: [train.columns[0]] }), /lacks the model's feature "f1"/);
	});

	it('scores every row as walking each tree one node at a time would, missing values included', async () => {
		const data = oracleData(3000, 94).data;
		const model = await trainGbdt(data, { ...quick, growth: 'leafwise', maxLeaves: 16, maxDepth: 10 }, { seed: 1 });
		const scores = predictForest(flattenTrees(model.trees, data.columns.length), data.columns, data.rows, model.baseScore);
		for (let r = 0; r < data.rows; r++) {
			let expected = model.baseScore;
			for (const tree of model.trees) expected += tree.value[leafOf(tree, (f) => data.columns[f][r])];
			assert.equal(scores[r], expected);
		}
	});

	it('scores a large table (coded through its lookup tables) exactly as walking each tree would, odd values included', async () => {
		const model = await trainGbdt(oracleData(5000, 95).data, { ...quick, maxDepth: 6 }, { seed: 1 });
		const data = oracleData(60_000, 96).data;
		const odd = [Infinity, -Infinity, -0, 0, 1e-40, -1e30, 3.4e38, NaN];
		data.columns.forEach((column, f) => odd.forEach((v, k) => (column[(f * 97 + k * 7919) % data.rows] = v)));
		const scores = model.predictRaw(data);
		for (let r = 0; r < data.rows; r++) {
			let expected = model.baseScore;
			for (const tree of model.trees) expected += tree.value[leafOf(tree, (f) => data.columns[f][r])];
			assert.equal(scores[r], expected, `row ${r}`);
		}
	});

	it('scores the same with the complete-tree layout as with the general one, and with one thread as with two', async () => {
		// Early stopping off and a low minimum leaf weight: trees of several depths, with leaves above the bottom level.
		const model = await trainGbdt(oracleData(8000, 97).data, { ...quick, maxTrees: 40, maxDepth: 7, minChildWeight: 20 }, { seed: 2 });
		const data = oracleData(70_000, 98).data;
		const flat = flattenTrees(model.trees, data.columns.length);
		assert.ok(flat.heap, 'trees of depth 7 use the complete-tree layout');
		const general = predictForest({ ...flat, heap: undefined }, data.columns, data.rows, model.baseScore, 1);
		const heap = predictForest(flat, data.columns, data.rows, model.baseScore, 1);
		const twoThreads = predictForest(flat, data.columns, data.rows, model.baseScore, 2);
		assert.deepEqual(heap, general);
		assert.deepEqual(twoThreads, general);
		assert.ok(!(twoThreads.buffer instanceof SharedArrayBuffer), 'scores come back in ordinary memory');
		const stump = {
			feature: Int32Array.of(0),
			threshold: Float64Array.of(0),
			left: Int32Array.of(-1),
			right: Int32Array.of(-1),
			missingLeft: Uint8Array.of(0),
			value: Float64Array.of(0.25),
			cover: Float64Array.of(1),
		};
		assert.deepEqual(Array.from(predictForest(flattenTrees([stump], 30), data.columns, 3, 1)), [1.25, 1.25, 1.25]);
	});

	it('uses sane defaults for propensity data', () => {
		assert.equal(defaultGbdtOptions.growth, 'depthwise');
		assert.ok(defaultGbdtOptions.earlyStoppingRounds > 0);
		assert.ok(defaultGbdtOptions.maxBins === 255);
		assert.throws(() => {
			(defaultGbdtOptions as { maxTrees: number }).maxTrees = 1;
		});
	});
});
