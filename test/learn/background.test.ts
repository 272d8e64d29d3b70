/**
 * Work moved off the boosting thread must not change a byte: `auto`'s extra candidates fitted on
 * a worker (core/learn/background.ts) and early stopping evaluated on a worker
 * (core/learn/gbdt/stoppingThread.ts) give the learners and trees of doing both in line.
 */
import assert from 'node:assert/strict';
import { BACKGROUND_MIN_ROWS, startBackgroundFits } from '../../core/learn/background';
import { SHARED_COPY_MAX_BYTES } from '../../core/learn/dataset';
import { InputError } from '../../core/errors';
import { trainGbdtWithMirror } from '../../core/learn/gbdt';
import { LocalWatches } from '../../core/learn/gbdt/stopping';
import { startWatches, WATCH_WORKER_MIN_ROWS } from '../../core/learn/gbdt/stoppingThread';
import { trainLogistic } from '../../core/learn/logistic';
import { trainNaiveBayes } from '../../core/learn/naiveBayes';
import { learnerFromJson, trainLearner } from '../../core/learn/train';
import { oracleData } from '../support/gbdtOracle';

describe('work on worker threads while the trees train', function () {
	this.timeout(300_000);
	const train = oracleData(BACKGROUND_MIN_ROWS + 4_000, 31).data;
	const validation = oracleData(4_000, 32).data;
	const mirrorValidation = oracleData(4_000, 33).data;
	const json = (value: unknown) => JSON.stringify(value);

	it('fits logistic regression and naive Bayes on a worker into the same learners as on this thread', async () => {
		const background = startBackgroundFits(['logistic', 'naiveBayes'], train, {}, 7, learnerFromJson);
		assert.ok(background, 'the data is large enough for a worker');
		try {
			const logistic = await background.take('logistic');
			const naiveBayes = await background.take('naiveBayes');
			assert.ok(logistic && 'learner' in logistic && naiveBayes && 'learner' in naiveBayes);
			assert.equal(json(logistic.learner), json(await trainLogistic(train, {}, { seed: 7 })));
			assert.equal(json(naiveBayes.learner), json(await trainNaiveBayes(train, {}, { seed: 7 })));
			assert.deepEqual(logistic.learner.predictRaw(validation), (await trainLogistic(train, {}, { seed: 7 })).predictRaw(validation));
			assert.ok(logistic.seconds >= 0);
		} finally {
			await background.close();
		}
	});

	it("hands back a candidate's InputError as the fit on this thread throws it", async () => {
		const weighted = { ...train, weight: Float32Array.from({ length: train.rows }, (_, r) => 1 + (r % 3)) };
		const background = startBackgroundFits(['naiveBayes'], weighted, {}, 7, learnerFromJson);
		assert.ok(background);
		try {
			const outcome = await background.take('naiveBayes');
			assert.ok(outcome && 'error' in outcome);
			assert.ok(outcome.error instanceof InputError);
			await assert.rejects(trainNaiveBayes(weighted, {}, { seed: 7 }), (error: Error) => error.message === outcome.error.message);
		} finally {
			await background.close();
		}
	});

	it('keeps small data, large data, one asked thread and the trees themselves on this thread', () => {
		assert.equal(startBackgroundFits(['logistic'], oracleData(BACKGROUND_MIN_ROWS - 1, 34).data, {}, 1, learnerFromJson), undefined);
		const wide = Math.ceil(SHARED_COPY_MAX_BYTES / (4 * BACKGROUND_MIN_ROWS)) + 1;
		const column = train.columns[0].subarray(0, BACKGROUND_MIN_ROWS);
		const large = {
			rows: BACKGROUND_MIN_ROWS,
			label: train.label,
			featureNames: Array.from({ length: wide }, (_, f) => `f${f}`),
			columns: Array.from({ length: wide }, () => column),
		};
		assert.equal(startBackgroundFits(['logistic'], large, {}, 1, learnerFromJson), undefined);
		assert.equal(startBackgroundFits(['logistic'], train, { gbdt: { threads: 1 } }, 1, learnerFromJson), undefined);
		assert.equal(startBackgroundFits(['gbdt', 'forest'], train, {}, 1, learnerFromJson), undefined);
	});

	it('chooses the same learner with the same candidates whether they fit on a worker or here', async () => {
		const options = { gbdt: { maxTrees: 40 } };
		const context = { seed: 5, mirrorValidation };
		const worker = await trainLearner('auto', train, validation, options, context);
		const here = await trainLearner('auto', train, validation, { gbdt: { ...options.gbdt, threads: 1 } }, context);
		const kept = (selection: typeof worker.selection) => selection.candidates.map(({ seconds: _seconds, ...rest }) => rest);
		assert.deepEqual(kept(worker.selection), kept(here.selection));
		assert.equal(worker.selection.reason, here.selection.reason);
		assert.equal(json(worker.learner), json(here.learner));
		assert.equal(json(worker.mirror), json(here.mirror));
		assert.deepEqual(
			worker.selection.candidates.map((c) => c.status),
			['fitted', 'fitted', 'fitted', 'skipped'],
		);
	});

	it('evaluates early stopping on a worker to the same losses, best counts and stops as here', async () => {
		const fitted = await trainGbdtWithMirror(train, { maxTrees: 60, earlyStoppingRounds: 0, threads: 1 }, { seed: 2 });
		const watched = [validation, mirrorValidation];
		assert.ok(validation.rows + mirrorValidation.rows >= WATCH_WORKER_MIN_ROWS);
		const worker = startWatches(watched, fitted.learner.baseScore, 1, 5, 2);
		const here = new LocalWatches(watched, fitted.learner.baseScore, 1, 5);
		assert.notEqual(worker.constructor, LocalWatches, 'the worker path runs');
		try {
			fitted.learner.trees.forEach((tree, t) => {
				worker.add(tree, t + 1);
				here.add(tree, t + 1);
			});
			assert.deepEqual(await worker.settle(), here.states());
		} finally {
			await worker.close();
		}
	});

	it('goes on here from the first tree when the early-stopping worker dies, to the same states', async () => {
		const fitted = await trainGbdtWithMirror(train, { maxTrees: 40, earlyStoppingRounds: 0, threads: 1 }, { seed: 2 });
		const watched = [validation, mirrorValidation];
		const worker = startWatches(watched, fitted.learner.baseScore, 1, 5, 2);
		const here = new LocalWatches(watched, fitted.learner.baseScore, 1, 5);
		try {
			const trees = fitted.learner.trees;
			trees.forEach((tree, t) => here.add(tree, t + 1));
			trees.slice(0, 20).forEach((tree, t) => worker.add(tree, t + 1));
			// The worker goes away as one killed or out of memory would: its exit, not a close.
			const thread = (worker as unknown as { worker: { terminate(): Promise<number> } }).worker;
			await thread.terminate();
			await new Promise((resolve) => setImmediate(resolve));
			trees.slice(20).forEach((tree, t) => worker.add(tree, t + 21));
			assert.deepEqual(await worker.settle(), here.states());
		} finally {
			await worker.close();
		}
	});

	it('stops the boosting where early stopping on this thread stops it, and keeps the same trees', async () => {
		const options = { maxTrees: 400, learningRate: 0.5, maxDepth: 4, earlyStoppingRounds: 8 };
		const context = { seed: 4, validation, mirrorValidation };
		const two = await trainGbdtWithMirror(train, { ...options, threads: 2 }, context);
		const one = await trainGbdtWithMirror(train, { ...options, threads: 1 }, context);
		assert.ok(one.learner.trees.length < options.maxTrees, 'early stopping stopped the run');
		assert.equal(json(two.learner), json(one.learner));
		assert.equal(json(two.mirror), json(one.mirror));
	});
});
