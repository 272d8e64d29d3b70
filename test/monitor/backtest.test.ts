import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { InputError } from '../../core/errors';
import {
	loadModel,
	monitorModel,
	openStore,
	rememberScoringRun,
	saveModel,
	scoreProfiles,
	trainModel,
	type MonitorResult,
	type Store,
} from '../../core/pipeline';
import { simulateShop, type SimulatedEvent } from '../../core/simulate';
import type { ScoredProfile } from '../../core/score/types';

const DAY = 86_400_000;
const goal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 120,
};
const trainedAsOf = Date.parse('2026-03-15T00:00:00Z');
const scoredAsOf = Date.parse('2026-05-01T00:00:00Z');
const lateScore = Date.parse('2026-06-20T00:00:00Z');

function tableOf(events: readonly SimulatedEvent[]): EventTable {
	const builder = new EventTableBuilder([{ name: 'channel', kind: 'category' }]);
	for (const e of events) builder.add(e.profileId, e.time, e.type, e.value ?? NaN, [e.channel]);
	return builder.build().table;
}

/** AUC by counting every (positive, negative) pair, ties counting half: no shared code with core/evaluate. */
function pairAuc(labels: number[], scores: number[]): number {
	let wins = 0;
	let pairs = 0;
	for (let i = 0; i < labels.length; i++) {
		if (labels[i] !== 1) continue;
		for (let j = 0; j < labels.length; j++) {
			if (labels[j] !== 0) continue;
			pairs++;
			wins += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0;
		}
	}
	return wins / pairs;
}

describe('backtesting a remembered scoring run on the simulated shop', function () {
	this.timeout(600_000);
	let events: SimulatedEvent[];
	let store: Store;
	let scored: ScoredProfile[];
	let result: MonitorResult;

	before(async () => {
		events = [...simulateShop({ profiles: 3000, seed: 5 })];
		const table = tableOf(events);
		const root = path.resolve('test-output', 'monitor-backtest', String(process.pid));
		fs.rmSync(root, { recursive: true, force: true });
		store = await openStore({ kind: 'folder', path: root });
		const trained = await trainModel(table, goal, { learner: 'logistic', seed: 2, asOf: trainedAsOf });
		const info = await saveModel(store, trained.model, trained.modelText);
		const { model } = await loadModel(store, trained.model.name);
		// Scoring "back then": the events as they were on the score date.
		const then = tableOf(events.filter((e) => e.time <= scoredAsOf));
		const run = await scoreProfiles(then, model, { asOf: scoredAsOf, modelVersion: info.version });
		scored = await run.all();
		await rememberScoringRun(store, then, model, run);
		const late = await scoreProfiles(table, model, { asOf: lateScore, modelVersion: info.version });
		await rememberScoringRun(store, table, model, late);
		result = await monitorModel(store, model.name, table);
	});

	after(async () => {
		await store.close();
	});

	it('gives the realised AUC and per-bucket rates computed independently from the raw events', () => {
		const [done] = result.runs;
		assert.equal(done.backtest.status, 'done');
		const bought = (id: string) =>
			events.some((e) => e.profileId === id && e.type === 'purchase' && e.time > scoredAsOf && e.time <= scoredAsOf + 30 * DAY);
		const labels: number[] = scored.map((p) => (bought(p.profileId) ? 1 : 0));
		const expectedAuc = pairAuc(
			labels,
			scored.map((p) => p.probability),
		);
		assert.ok(Math.abs((done.backtest.metrics?.auc as number) - expectedAuc) < 1e-12, `AUC ${done.backtest.metrics?.auc} against ${expectedAuc}`);
		assert.equal(done.backtest.profiles.withOutcome, scored.length);
		assert.equal(
			done.backtest.profiles.positives,
			labels.reduce((a, b) => a + b, 0),
		);
		for (const bucket of done.backtest.buckets ?? []) {
			const members = scored.map((p, i) => ({ p, label: labels[i] })).filter(({ p }) => p.bucket === bucket.bucket);
			assert.equal(bucket.profiles, members.length, bucket.bucket);
			if (members.length === 0) continue;
			assert.ok(Math.abs((bucket.realisedRate as number) - members.reduce((s, m) => s + m.label, 0) / members.length) < 1e-12, bucket.bucket);
			assert.ok(Math.abs((bucket.meanPredicted as number) - members.reduce((s, m) => s + m.p.probability, 0) / members.length) < 1e-12, bucket.bucket);
		}
		const deciles = done.backtest.deciles ?? [];
		assert.equal(deciles.length, 10);
		assert.ok(deciles[0].rate > deciles[9].rate, 'the top tenth of scores bought more often than the bottom tenth');
	});

	it('says "not yet", with the closing date, for a run whose window reaches past the events', () => {
		const pending = result.runs[1].backtest;
		assert.equal(pending.status, 'pending');
		assert.equal(pending.windowClosesAt, new Date(lateScore + 30 * DAY).toISOString());
		assert.match(pending.message, /^Not yet: .* closes on 2026-07-20/);
		assert.equal(result.counts.pending, 1);
		assert.equal(result.counts.backtested, 1);
	});

	it('compares with the training figures and gives a verdict with reasons in sentences', () => {
		assert.ok(['healthy', 'watch', 'retrain'].includes(result.verdict.status));
		assert.ok(result.verdict.reasons.length > 0);
		assert.ok(result.training.auc !== null);
		assert.match(result.runs[0].backtest.message, /realised AUC \d\.\d\d/);
		if (result.verdict.status === 'healthy') assert.match(result.verdict.reasons[0], /Realised AUC \d\.\d\d against \d\.\d\d at training/);
		const drift = result.runs[0].drift;
		assert.equal(drift.hasReference, true);
		assert.ok(drift.scorePsi !== null && drift.scorePsi >= 0);
		assert.ok(drift.features.length > 0 && drift.features.length <= 10);
		assert.deepEqual(drift.newEventTypes, []);
	});

	it('counts profiles that vanished from the events instead of dropping them silently', async () => {
		const gone = new Set(scored.slice(0, 25).map((p) => p.profileId));
		const fewer = tableOf(events.filter((e) => !gone.has(e.profileId)));
		const again = await monitorModel(store, 'purchase-in-30-days', fewer, { run: '2026-05-01' });
		assert.equal(again.runs.length, 1);
		assert.equal(again.runs[0].backtest.profiles.vanished, 25);
		assert.equal(again.runs[0].backtest.profiles.withOutcome, scored.length - 25);
		assert.match(again.runs[0].backtest.message, /25 are no longer in the events/);
	});

	it('refuses a run date that matches no remembered run, listing the dates there are', async () => {
		await assert.rejects(
			monitorModel(store, 'purchase-in-30-days', tableOf(events), { run: '2026-01-01' }),
			(error: unknown) => error instanceof InputError && error.code === 'run-not-found' && /2026-05-01/.test(error.message),
		);
	});

	it('leaves runs scored under another goal out of the verdict, and says so', async () => {
		const changed = { ...goal, eligibility: { all: [{ activeWithinDays: 60 }] } };
		const table = tableOf(events);
		const retrained = await trainModel(table, changed, { learner: 'logistic', seed: 2, asOf: trainedAsOf });
		await saveModel(store, retrained.model, retrained.modelText);
		const after = await monitorModel(store, 'purchase-in-30-days', table);
		assert.ok(after.runs.every((run) => run.backtest.goalChanged));
		assert.equal(after.counts.goalChanged, 2);
		assert.equal(after.verdict.status, 'watch');
		assert.match(after.verdict.reasons[0], /another goal/);
	});
});
