/**
 * `auto`'s baseline candidate: a logistic regression on the baseline features alone (the
 * buy-till-you-die chance), fitted last and kept only when it ranks the choosing rows strictly
 * better than every full learner.
 */
import assert from 'node:assert/strict';
import type { LabelledDataset } from '../../core/learn/dataset';
import { trainLearner } from '../../core/learn/train';
import { synthetic } from './fixtures';

const fast = { gbdt: { maxTrees: 60 }, forest: { trees: 8 } };

describe('auto with a baseline', function () {
	this.timeout(300_000);

	it('keeps the baseline when the data says only it matters, and the other features never move its scores', async () => {
		// One informative feature (x0) and seven of noise, with few training rows: the full learners fit noise.
		const weights = [1.5, 0, 0, 0, 0, 0, 0, 0];
		const train = synthetic({ rows: 300, seed: 81, weights });
		const validation = synthetic({ rows: 3000, seed: 82, weights });
		const baseline = [train.featureNames[0]];
		const { learner, selection } = await trainLearner('auto', train, validation, { ...fast, auto: { baselineFeatures: baseline } }, { seed: 1 });
		const last = selection.candidates[selection.candidates.length - 1];
		assert.equal(last.learner, 'logistic');
		assert.match(last.note ?? '', /on the buy-till-you-die features alone \(x0\)/);
		assert.ok(last.chosen, selection.reason);
		assert.equal(selection.winner, 'logistic');
		assert.match(
			selection.reason,
			/logistic regression on the buy-till-you-die features alone \(x0\) had the highest validation AUC \(0\.\d{3} against gradient-boosted trees/,
		);
		const scrambled: LabelledDataset = { ...validation, columns: validation.columns.map((column, f) => (f === 0 ? column : column.map((v) => -3 * v))) };
		assert.deepEqual(Array.from(learner.predictRaw(scrambled)), Array.from(learner.predictRaw(validation)));
	});

	it('is fitted but not kept when the full learners rank better', async () => {
		const train = synthetic({ rows: 1500, seed: 83, interaction: 1.5 });
		const validation = synthetic({ rows: 1500, seed: 84, interaction: 1.5 });
		const { selection } = await trainLearner('auto', train, validation, { ...fast, auto: { baselineFeatures: [train.featureNames[3]] } }, { seed: 1 });
		const last = selection.candidates[selection.candidates.length - 1];
		assert.ok(last.status === 'fitted' && last.note && !last.chosen, JSON.stringify(last));
		assert.equal(selection.candidates.filter((c) => c.chosen).length, 1);
		assert.notEqual(selection.winner, undefined);
	});

	it('is not fitted when the data lacks a baseline feature', async () => {
		const train = synthetic({ rows: 300, seed: 85 });
		const validation = synthetic({ rows: 300, seed: 86 });
		const { selection } = await trainLearner('auto', train, validation, { ...fast, auto: { baselineFeatures: ['no_such_feature'] } }, { seed: 1 });
		assert.ok(selection.candidates.every((c) => !c.note?.includes('buy-till-you-die')));
	});
});
