/**
 * `auto`'s baseline candidate: a logistic regression on the baseline features alone (the
 * buy-till-you-die chance), fitted last and kept when it ranks the choosing rows better than
 * every full learner, or when the best of them leads by less than one standard error (DeLong).
 */
import assert from 'node:assert/strict';
import type { LabelledDataset } from '../../core/learn/dataset';
import { aucDifference } from '../../core/evaluate/auc';
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

	it('is kept when the best full learner leads it by less than one standard error of the difference', async () => {
		// x1 adds a little, so the full learners may lead, but not by more than the choosing rows can tell.
		const weights = [1.5, 0.1, 0, 0];
		const train = synthetic({ rows: 3000, seed: 91, weights });
		const validation = synthetic({ rows: 1000, seed: 95, weights });
		const { learner, selection } = await trainLearner('auto', train, validation, { ...fast, auto: { baselineFeatures: ['x0'] } }, { seed: 1 });
		const baseline = selection.candidates[selection.candidates.length - 1];
		assert.ok(baseline.chosen && baseline.note, selection.reason);
		const best = selection.candidates.filter((c) => !c.note && c.status === 'fitted').reduce((a, b) => ((b.auc as number) > (a.auc as number) ? b : a));
		assert.ok((best.auc as number) > (baseline.auc as number), `${best.learner} ${best.auc}, baseline ${baseline.auc}`);
		assert.match(
			selection.reason,
			/^logistic regression on the buy-till-you-die features alone \(x0\) \(validation AUC 0\.\d{3}\) was kept: the best full learner, .+ ranked better by 0\.\d{4}, less than one standard error of the difference \(0\.\d{4}\), so the simpler model wins/,
		);
		// The rule's own figures: the baseline's scores against the best full learner's (refitted the same way, fixed).
		const full = await trainLearner(best.learner, train, validation, fast, { seed: 1 });
		const { difference, standardError } = aucDifference(validation.label, full.learner.predictRaw(validation), learner.predictRaw(validation));
		assert.ok(difference > 0 && difference <= standardError, `difference ${difference}, standard error ${standardError}`);
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
