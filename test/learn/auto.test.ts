import assert from 'node:assert/strict';
import { selectRows } from '../../core/learn/dataset';
import { learnerFromJson, parseLearnerChoice, trainLearner } from '../../core/learn/train';
import { synthetic } from './fixtures';

describe('training a learner, and auto', function () {
	this.timeout(300_000);
	const train = synthetic({ rows: 600, seed: 41, interaction: 1.5 });
	const validation = synthetic({ rows: 400, seed: 42, interaction: 1.5 });
	const fast = { gbdt: { maxTrees: 60 }, forest: { trees: 16 } };

	it('auto fits every candidate on small data and keeps the one with the best validation AUC, saying why', async () => {
		const { learner, selection } = await trainLearner('auto', train, validation, fast, { seed: 1 });
		assert.equal(selection.mode, 'auto');
		assert.deepEqual(
			selection.candidates.map((c) => c.learner),
			['gbdt', 'logistic', 'naiveBayes', 'forest'],
		);
		assert.ok(selection.candidates.every((c) => c.status === 'fitted' && c.auc !== null && typeof c.seconds === 'number'));
		const best = Math.max(...selection.candidates.map((c) => c.auc as number));
		const winner = selection.candidates.find((c) => c.chosen);
		assert.equal(winner?.auc, best);
		assert.equal(learner.kind, selection.winner);
		assert.equal(selection.candidates.filter((c) => c.chosen).length, 1);
		for (const name of ['gradient-boosted trees', 'logistic regression', 'naive Bayes', 'random forest'])
			assert.ok(selection.reason.includes(name), selection.reason);
		assert.match(selection.reason, /highest validation AUC \(0\.\d{3} against/);
	});

	it('gives every fitted candidate a validation log loss of its raw scores, measured on the same rows as its AUC', async () => {
		const { selection, learner } = await trainLearner('auto', train, validation, fast, { seed: 1 });
		for (const candidate of selection.candidates) {
			assert.equal(typeof candidate.logLoss, 'number', `${candidate.learner} has a log loss`);
			assert.ok((candidate.logLoss as number) > 0 && (candidate.logLoss as number) < 5, `${candidate.learner}: ${candidate.logLoss}`);
		}
		const raw = learner.predictRaw(validation);
		let expected = 0;
		for (let r = 0; r < raw.length; r++) {
			const p = 1 / (1 + Math.exp(-raw[r]));
			expected -= validation.label[r] === 1 ? Math.log(p) : Math.log(1 - p);
		}
		const winner = selection.candidates.find((c) => c.chosen);
		assert.ok(Math.abs((winner?.logLoss as number) - expected / raw.length) < 1e-9);
		const fixed = await trainLearner('logistic', train, validation, fast, { seed: 1 });
		assert.equal(typeof fixed.selection.candidates[0].logLoss, 'number', 'a learner asked for by name has one too');
	});

	it('auto leaves the random forest out of larger data, and says why', async () => {
		const { selection } = await trainLearner('auto', train, validation, { ...fast, forest: { maxRows: 500 } }, { seed: 1 });
		const forest = selection.candidates.find((c) => c.learner === 'forest');
		assert.equal(forest?.status, 'skipped');
		assert.match(forest?.note ?? '', /600 training rows, more than the 500/);
		assert.match(selection.reason, /random forest skipped/);
	});

	it('auto skips candidates whose estimated fit time exceeds the budget, never the boosted trees', async () => {
		const { learner, selection } = await trainLearner('auto', train, validation, { ...fast, auto: { timeBudgetSeconds: 0 } }, { seed: 1 });
		assert.equal(learner.kind, 'gbdt');
		assert.ok(selection.candidates.slice(1).every((c) => c.status === 'skipped' && /exceeds what is left of the 0 s budget/.test(c.note ?? '')));
	});

	it('auto falls back to the boosted trees when validation holds one outcome only', async () => {
		const oneClass = selectRows(
			validation,
			Array.from({ length: validation.rows }, (_, r) => r).filter((r) => validation.label[r] === 0),
		);
		const { learner, selection } = await trainLearner('auto', train, oneClass, fast, { seed: 1 });
		assert.equal(learner.kind, 'gbdt');
		assert.match(selection.reason, /do not hold both outcomes/);
	});

	it('chooses the same learner with the same model for the same seed', async () => {
		const a = await trainLearner('auto', train, validation, fast, { seed: 7 });
		const b = await trainLearner('auto', train, validation, fast, { seed: 7 });
		assert.equal(a.selection.winner, b.selection.winner);
		assert.equal(JSON.stringify(a.learner.toJSON()), JSON.stringify(b.learner.toJSON()));
	});

	it('trains each learner by name and reads each back from its JSON with the same scores', async () => {
		for (const kind of ['gbdt', 'logistic', 'naiveBayes', 'forest'] as const) {
			const { learner, selection } = await trainLearner(kind, train, validation, fast, { seed: 1 });
			assert.equal(learner.kind, kind);
			assert.equal(selection.mode, 'fixed');
			assert.ok((selection.candidates[0].auc as number) > 0.6, `${kind}: AUC ${selection.candidates[0].auc}`);
			const back = learnerFromJson(JSON.parse(JSON.stringify(learner.toJSON())));
			assert.deepEqual(back.predictRaw(validation), learner.predictRaw(validation));
		}
	});

	it('notes when the random forest was fitted on a subsample', async () => {
		const { notes } = await trainLearner('forest', train, validation, { forest: { trees: 5, maxRows: 200 } }, { seed: 1 });
		assert.match(notes.join(' '), /seeded sample of 200 of the 600 training rows/);
	});

	it('accepts the learner names of the command line and refuses unknown ones', () => {
		assert.equal(parseLearnerChoice('rf'), 'forest');
		assert.equal(parseLearnerChoice('nb'), 'naiveBayes');
		assert.equal(parseLearnerChoice('AUTO'), 'auto');
		assert.throws(() => parseLearnerChoice('svm'), /Unknown learner "svm": choose auto, gbdt, logistic, rf/);
		assert.throws(() => learnerFromJson({ kind: 'svm' }), /cannot read/);
	});
});
