import assert from 'node:assert/strict';
import { selectRows, type LabelledDataset } from '../../core/learn/dataset';
import { trainGbdt, type GbdtJson } from '../../core/learn/gbdt';
import { fitOne, trainLearner } from '../../core/learn/train';
import type { LearnerKind } from '../../core/learn/learner';
import type { Progress } from '../../core/util/progress';
import { synthetic } from './fixtures';

/**
 * The mirror of honest metrics (core/model/build.ts) comes from the same fits as the deployed
 * learner: these tests check it is exactly what a second, separate training with the
 * validation halves' roles swapped would give.
 */
describe('learn: the mirror learner comes from the same fits', function () {
	this.timeout(300_000);
	const train = synthetic({ rows: 3000, seed: 51, interaction: 1.5 });
	const validation = synthetic({ rows: 1600, seed: 52, interaction: 1.5 });
	const half = (start: number): LabelledDataset =>
		selectRows(
			validation,
			Array.from({ length: validation.rows / 2 }, (_, i) => 2 * i + start),
		);
	const choose = half(0);
	const reported = half(1);
	const json = (learner: { toJSON(): unknown }) => JSON.stringify(learner.toJSON());
	// Noisy enough that early stopping ends each run at a different tree, well before maxTrees.
	const options = { gbdt: { maxTrees: 400, learningRate: 0.3, maxDepth: 4, earlyStoppingRounds: 8 }, forest: { trees: 12 } };

	it('boosted trees: one run gives the learner each half would stop, whichever stops later', async () => {
		for (const [first, second] of [
			[choose, reported],
			[reported, choose],
		]) {
			const seen: Progress[] = [];
			const both = await trainLearner('gbdt', train, first, options, { seed: 3, mirrorValidation: second, hooks: { onProgress: (p) => seen.push(p) } });
			const alone = await trainLearner('gbdt', train, first, options, { seed: 3 });
			const mirrorAlone = await trainLearner('gbdt', train, second, options, { seed: 3 });
			assert.equal(json(both.learner), json(alone.learner));
			assert.ok(both.mirror, 'a mirror was asked for');
			assert.equal(json(both.mirror), json(mirrorAlone.learner));
			const counts = [alone.learner, mirrorAlone.learner].map((l) => (l.toJSON() as GbdtJson).bestIteration);
			assert.notEqual(counts[0], counts[1], 'the halves stop at different trees, so the test tells the two apart');
			// The run went on until the later of the two stopped, and no further.
			const built = Math.max(...seen.filter((p) => p.stage === 'training').map((p) => p.done));
			assert.equal(built, Math.max(...counts) + options.gbdt.earlyStoppingRounds);
		}
	});

	it('auto: the mirror is the learner a selection on the other half would have made', async () => {
		for (const [first, second] of [
			[choose, reported],
			[reported, choose],
		]) {
			const both = await trainLearner('auto', train, first, options, { seed: 5, mirrorValidation: second });
			const mirrorAlone = await trainLearner('auto', train, second, options, { seed: 5 });
			const alone = await trainLearner('auto', train, first, options, { seed: 5 });
			assert.equal(json(both.learner), json(alone.learner));
			assert.deepEqual(
				both.selection.candidates.map(({ seconds: _s, ...kept }) => kept),
				alone.selection.candidates.map(({ seconds: _s, ...kept }) => kept),
			);
			assert.ok(both.mirror);
			assert.equal(json(both.mirror), json(mirrorAlone.learner));
		}
	});

	it('a learner asked for by name that reads no validation rows is its own mirror', async () => {
		const fixed = await trainLearner('logistic', train, choose, options, { seed: 5, mirrorValidation: reported });
		assert.equal(fixed.mirror, fixed.learner);
	});

	it('every learner but the boosted trees ignores the validation rows, so it may be its own mirror', async () => {
		for (const kind of ['logistic', 'naiveBayes', 'forest'] as LearnerKind[]) {
			const one = await fitOne(kind, train, choose, options, { seed: 7 });
			const other = await fitOne(kind, train, reported, options, { seed: 7 });
			assert.equal(json(one), json(other), kind);
		}
		// The boosted trees do read them: the test above would catch a learner that does without a mirrored fit.
		const [one, other] = await Promise.all([choose, reported].map((rows) => trainGbdt(train, options.gbdt, { seed: 7, validation: rows })));
		assert.notEqual(json(one), json(other));
	});

	it('without validation rows nothing stops early: the mirror is the whole run', async () => {
		const both = await trainLearner('gbdt', train, undefined, { gbdt: { maxTrees: 20 } }, { seed: 3, mirrorValidation: reported });
		assert.equal(both.mirror && json(both.mirror), json(both.learner));
		assert.equal((both.learner.toJSON() as GbdtJson).bestIteration, 20);
	});
});
