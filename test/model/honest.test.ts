/**
 * Honest validation numbers: the reported metrics cover every validation row, each scored by a
 * model whose early stopping, choice of learner and calibration never saw it, and the AUC
 * comes with its interval.
 */
import assert from 'node:assert/strict';
import { aucInterval } from '../../core/evaluate/metrics';
import { auc } from '../../core/evaluate/auc';
import { buildModel, splitValidation, type BuildModelInput } from '../../core/model/build';
import { serializeModel } from '../../core/model/io';
import { synthetic } from '../learn/fixtures';

describe('honest validation numbers', function () {
	this.timeout(600_000);

	it('report on every validation row, cross-fitted, with the same bytes on a second run', async () => {
		const train = synthetic({ rows: 3000, seed: 61 });
		const validation = synthetic({ rows: 2400, seed: 62 });
		const input: BuildModelInput = {
			name: 'cross-fitted',
			features: { mode: 'table', columns: train.featureNames, idColumn: 'id', labelColumn: 'y' },
			train,
			validation,
			validationSplit: 'a separate sample',
			learner: 'auto',
			options: { gbdt: { maxTrees: 60 }, forest: { trees: 8 } },
			seed: 5,
		};
		const built = await buildModel(input);
		const metrics = built.model.metrics.validation;
		assert.equal(metrics.rows, validation.rows, 'both halves are reported on');
		assert.equal(
			metrics.positives,
			validation.label.reduce((sum, y) => sum + y, 0),
		);
		assert.equal(built.reported.rows, splitValidation(validation, 5).reported.rows, 'the report reads the deployed model on its own half');
		assert.match(built.model.metrics.validationSplit, /cross-fitted over all of them/);
		const [low, high] = metrics.aucInterval ?? [NaN, NaN];
		assert.ok(low < (metrics.auc as number) && (metrics.auc as number) < high, `${low} < ${metrics.auc} < ${high}`);
		// The truth is known: the AUC of the generating probabilities on the same rows.
		const oracle = auc(validation.label, validation.oracle);
		assert.ok(Math.abs((metrics.auc as number) - oracle) < 0.03, `reported ${metrics.auc}, oracle ${oracle}`);
		assert.equal(serializeModel((await buildModel(input)).model), serializeModel(built.model));
	});

	it('do not flatter a model of pure noise: the interval of the reported AUC holds 0.5', async () => {
		const noise = (rows: number, seed: number) => synthetic({ rows, seed, weights: new Array(12).fill(0), intercept: -1.2 });
		const train = noise(4000, 71);
		const validation = noise(3000, 72);
		const built = await buildModel({
			name: 'noise',
			features: { mode: 'table', columns: train.featureNames, idColumn: 'id', labelColumn: 'y' },
			train,
			validation,
			validationSplit: 'a separate sample',
			learner: 'auto',
			options: { gbdt: { maxTrees: 60 }, forest: { trees: 8 } },
			seed: 7,
		});
		const [low, high] = built.model.metrics.validation.aucInterval ?? [NaN, NaN];
		assert.ok(low <= 0.5 && 0.5 <= high, `interval ${low}–${high}`);
		// Control: the half that chose the learner rates the winner above the others, by construction.
		const chosen = built.selection.candidates.find((c) => c.chosen);
		const others = built.selection.candidates.filter((c) => !c.chosen && c.auc !== null);
		assert.ok(others.every((c) => (c.auc as number) <= (chosen?.auc as number)));
	});

	it('give an interval by Hanley and McNeil that narrows as the rows grow', () => {
		// A = 0.5, 100 of each: Q1 = Q2 = 1/3, variance (0.25 + 2 × 99 × (1/3 − 1/4)) / 10,000 = 0.001675.
		const half = 1.96 * Math.sqrt(0.001675);
		assert.deepEqual(aucInterval(0.5, 100, 100), [Math.round((0.5 - half) * 1e4) / 1e4, Math.round((0.5 + half) * 1e4) / 1e4]);
		const small = aucInterval(0.8, 50, 500);
		const large = aucInterval(0.8, 500, 5000);
		assert.ok(large[1] - large[0] < (small[1] - small[0]) / 2.5, `${small} against ${large}`);
		assert.deepEqual(aucInterval(1, 10, 10), [1, 1]);
	});
});
