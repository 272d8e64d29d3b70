import assert from 'node:assert/strict';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { InputError } from '../../core/errors';
import { explainerOf } from '../../core/explain/fromModel';
import { explainRows } from '../../core/explain/explainer';
import { computeFeaturesAsOf } from '../../core/features/examples';
import { loadLearner } from '../../core/model/predict';
import { defineGoal, explainProfiles, parseModel, renderModelReport, scoreProfiles, serializeModel, trainModel, type TrainOutcome } from '../../core/pipeline';
import { simulateShop } from '../../core/simulate';
import type { Progress } from '../../core/util/progress';

const goal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 120,
};

/** The simulated shop as an event table, optionally without (or with changed) events after a moment. */
function shopTable(profiles: number, seed: number, change?: { after: number; drop?: boolean; shiftValue?: number }): EventTable {
	const builder = new EventTableBuilder([
		{ name: 'channel', kind: 'category' },
		{ name: 'email', kind: 'category' },
	]);
	for (const event of simulateShop({ profiles, seed })) {
		let value = event.value ?? NaN;
		if (change && event.time > change.after) {
			if (change.drop) continue;
			value = Number.isNaN(value) ? 1 : value + (change.shiftValue ?? 0);
		}
		builder.add(event.profileId, event.time, event.type, value, [event.channel, event.email]);
	}
	return builder.build().table;
}

describe('the pipeline from events to explained scores', function () {
	this.timeout(600_000);
	let table: EventTable;
	let trained: TrainOutcome;
	/** The stages training reported as finished, in order. */
	const finished: string[] = [];

	before(async () => {
		table = shopTable(4000, 11);
		const onProgress = (progress: Progress) => {
			if (progress.total !== undefined && progress.total > 0 && progress.done === progress.total) finished.push(progress.stage);
		};
		trained = await trainModel(table, goal, { learner: 'gbdt', seed: 3 }, { onProgress });
	});

	it('judges who is eligible once: readiness, the buy-till-you-die fit and the examples read the same judgement', () => {
		assert.equal(finished.filter((stage) => stage === 'finding eligible profiles').length, 1, finished.join(', '));
		assert.ok(finished.includes('computing features'), finished.join(', '));
		const counted = trained.readiness.cutoffs.map((c) => c.eligible);
		assert.equal(
			trained.readiness.totals.eligible,
			counted.reduce((a, b) => a + b, 0),
		);
		assert.ok(trained.readiness.ready);
	});

	it('trains a model that ranks next month\u2019s buyers well above chance, validated on the latest cutoff', () => {
		const { summary, model } = trained;
		assert.equal(summary.learner, 'gradient-boosted trees');
		assert.ok(summary.auc !== null && summary.auc > 0.7, `validation AUC ${summary.auc}`);
		// Without a training block the cutoffs are planned: a year of history allows many, at least 7 days apart.
		assert.ok(model.dataRange.cutoffs.length >= 4, `${model.dataRange.cutoffs.length} cutoffs`);
		assert.equal(model.dataRange.plan?.chosenBy, 'automatic');
		assert.match(model.metrics.validationSplit, /^the latest cutoff/);
		assert.ok(summary.trainingRows > summary.validationRows);
	});

	it('gives the same model bytes for the same events, goal and seed', async () => {
		const again = await trainModel(shopTable(4000, 11), goal, { learner: 'gbdt', seed: 3 });
		assert.equal(again.modelText, trained.modelText);
	});

	it('writes a model that reads back losslessly and renders the same report as training did', () => {
		const read = parseModel(trained.modelText);
		assert.equal(serializeModel(read), trained.modelText);
		assert.equal(renderModelReport(read), trained.reportHtml);
		for (const id of ['chart-distribution', 'chart-lift', 'chart-gains', 'chart-calibration', 'chart-factors']) {
			assert.ok(trained.reportHtml.includes(`id="${id}"`), `the report draws ${id}`);
		}
	});

	it('ignores every event after the as-of date when training "back then"', async () => {
		const asOf = Date.parse('2026-05-01T00:00:00Z');
		const before = await trainModel(table, goal, { learner: 'logistic', seed: 3, asOf });
		const changedLater = shopTable(4000, 11, { after: asOf, shiftValue: 1000 });
		const after = await trainModel(changedLater, goal, { learner: 'logistic', seed: 3, asOf });
		const withoutLater = await trainModel(shopTable(4000, 11, { after: asOf, drop: true }), goal, { learner: 'logistic', seed: 3, asOf });
		assert.equal(after.modelText, before.modelText, 'changing later events changes nothing');
		assert.equal(withoutLater.modelText, before.modelText, 'deleting later events changes nothing');
		assert.equal(before.model.dataRange.asOf, '2026-05-01T00:00:00.000Z');
	});

	it('scores every eligible profile exactly once, with percentiles, buckets and the loaded email', async () => {
		const run = await scoreProfiles(table, trained.model);
		const profiles = await run.all();
		assert.equal(profiles.length, run.summary.scored);
		assert.equal(new Set(profiles.map((p) => p.profileId)).size, profiles.length);
		assert.ok(profiles.every((p) => p.percentile >= 1 && p.percentile <= 100 && p.score === Math.round(p.probability * 100)));
		const buckets = run.summary.buckets;
		assert.equal(buckets.low + buckets.medium + buckets.high, profiles.length);
		assert.deepEqual(run.summary.attributes, ['email'], 'email is one value per profile; channel is not');
		assert.ok(profiles.every((p) => typeof p.attributes?.email === 'string' && p.attributes.email.includes('@')));
	});

	it('explains each profile with factors whose impacts are exact TreeSHAP values of the model', async () => {
		const run = await scoreProfiles(table, trained.model, { explain: 3, includeFeatures: true });
		const profiles = await run.all();
		const declarations = trained.model.features.mode === 'events' ? trained.model.features.declarations : [];
		const { data } = await computeFeaturesAsOf(table, trained.model.goal!, declarations);
		const learner = loadLearner(trained.model);
		const raw = learner.predictRaw(data);
		const explained = await explainRows(explainerOf(learner), data, [0, 1, 2]);
		for (let r = 0; r < 3; r++) {
			const sum = explained.contributions.subarray(r * declarations.length, (r + 1) * declarations.length).reduce((a, b) => a + b, 0);
			assert.ok(Math.abs(explained.expected + sum - raw[r]) < 1e-4, 'contributions add up to the raw score');
			const top = profiles[r].factors!;
			assert.equal(top.length, 3);
			assert.ok(Math.abs(top[0].impact) >= Math.abs(top[1].impact) && Math.abs(top[1].impact) >= Math.abs(top[2].impact));
			assert.ok(top.every((factor) => factor.sentence.length > 10));
		}
	});

	it('lets a later step explain scored profiles from their feature values alone, matching scoring\u2019s factors', async () => {
		const run = await scoreProfiles(table, trained.model, { explain: 4, includeFeatures: true });
		const scored = (await run.all()).slice(0, 50);
		const withoutFactors = scored.map(({ factors: _factors, ...rest }) => rest);
		const { profiles, buckets } = await explainProfiles(trained.model, withoutFactors, { topK: 4, perBucket: true });
		assert.deepEqual(
			profiles.map((p) => p.factors),
			scored.map((p) => p.factors),
		);
		assert.deepEqual(
			buckets?.map((b) => b.bucket),
			['low', 'medium', 'high'],
		);
	});

	it('refuses to explain profiles that carry no feature values, saying how to fix it', async () => {
		const run = await scoreProfiles(table, trained.model);
		const [first] = await run.all();
		await assert.rejects(explainProfiles(trained.model, [first], { topK: 3 }), /has no feature values.*Include Feature Values/);
	});

	it('refuses a goal the events cannot train yet, with counts and what to change', async () => {
		const rare = { ...goal, outcome: { ...goal.outcome, when: { all: [{ field: 'value', op: 'gt', value: 5000 }] } } };
		await assert.rejects(trainModel(table, rare), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.equal(error.code, 'not-ready');
			assert.match(error.message, /positive/);
			return true;
		});
	});

	it('refuses an unknown learner name before any work, listing the choices, and takes the CLI\u2019s aliases', async () => {
		await assert.rejects(trainModel(table, goal, { learner: 'xgboost' }), (error: unknown) => {
			assert.ok(error instanceof InputError);
			assert.equal(error.code, 'bad-learner');
			assert.match(error.message, /choose auto, gbdt, logistic, rf \(random forest\) or nb/);
			return true;
		});
		const viaAlias = await trainModel(table, goal, { learner: 'boosted', seed: 3 });
		assert.equal(viaAlias.modelText, trained.modelText);
	});

	it('checks a goal against the events and reports readiness per cutoff', () => {
		const check = defineGoal(goal, table);
		assert.equal(check.readiness?.ready, true);
		assert.equal(check.readiness?.cutoffs.at(-1)?.role, 'validation');
		assert.throws(
			() => defineGoal({ ...goal, outcome: { ...goal.outcome, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchased' }] } } }, table),
			/purchase/,
		);
	});
});
