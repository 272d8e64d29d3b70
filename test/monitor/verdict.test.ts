import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import type { RunBacktest } from '../../core/monitor/backtest';
import { binCounts, binOf, populationStability, quantileEdges } from '../../core/monitor/distribution';
import type { RunDrift } from '../../core/monitor/drift';
import type { MonitorResult } from '../../core/monitor/monitor';
import { parseThresholds, verdictOf } from '../../core/monitor/verdict';
import { renderMonitorReport } from '../../core/report/monitor';

const run = { model: 'm', id: '1', scoreDate: '2026-05-01T00:00:00.000Z', modelVersion: 1, scored: 100, savedAt: '2026-05-01T06:00:00.000Z' };

function backtest(auc: number, realisedRate = 0.1, meanPredicted = 0.1): RunBacktest {
	return {
		run,
		status: 'done',
		windowClosesAt: '2026-05-31T00:00:00.000Z',
		goalChanged: false,
		message: '',
		profiles: { scored: 100, withOutcome: 100, positives: 10, vanished: 0, noLongerEligible: 0 },
		metrics: { auc, logLoss: 0.3, brier: 0.1, realisedRate, meanPredicted, topDecileLift: 3 },
	};
}

function drift(scorePsi: number, featurePsi = 0.01, newTypes: string[] = []): RunDrift {
	const feature = { feature: 'purchase_count_30d', label: 'purchases in the last 30 days', psi: featurePsi };
	return {
		hasReference: true,
		scorePsi,
		features: [feature],
		maxFeaturePsi: feature,
		eligibleShare: { training: 0.5, run: 0.52 },
		newEventTypes: newTypes.map((type) => ({ type, events: 3 })),
	};
}

describe('the population stability index', () => {
	it('pins a worked example: half and half moving to a quarter and three quarters gives 0.2747', () => {
		const expected = (0.25 - 0.5) * Math.log(0.25 / 0.5) + (0.75 - 0.5) * Math.log(0.75 / 0.5);
		assert.ok(Math.abs((populationStability([0.5, 0.5], [0.25, 0.75]) as number) - expected) < 1e-15);
		assert.equal(expected.toFixed(4), '0.2747');
	});

	it('does not count a shift of part of a day in whole-day values as drift (scoring at another hour)', () => {
		const days = Array.from({ length: 1000 }, (_, i) => (i * 7) % 60);
		const edges = quantileEdges(days);
		const shares = (values: number[]) => binCounts(values, edges).map((count) => count / values.length);
		for (const shift of [-0.4, 0.4]) {
			const psi = populationStability(shares(days), shares(days.map((d) => d + shift))) as number;
			assert.ok(psi < 1e-9, `shift ${shift}: PSI ${psi}`);
		}
		assert.ok((populationStability(shares(days), shares(days.map((d) => d + 9))) as number) > 0.25, 'a shift of 9 days is drift');
	});

	it('is 0 for the same distribution, and null when a side is empty', () => {
		assert.equal(populationStability([0.2, 0.8, 0], [0.2, 0.8, 0]), 0);
		assert.equal(populationStability([0, 0], [0.5, 0.5]), null);
	});

	it('bins values at decile edges with ties, and missing values apart (edge cases: empty, NaN, all equal)', () => {
		assert.deepEqual(quantileEdges([]), []);
		assert.deepEqual(quantileEdges([3, 3, 3]), []);
		assert.deepEqual(quantileEdges([1, 2, 3, 4], 4), [1.5, 2.5, 3.5]);
		assert.deepEqual(quantileEdges([1, 1, 5, 5], 2), [3]);
		assert.equal(binOf(NaN, [2, 3]), 3);
		assert.equal(binOf(2, [2, 3]), 1);
		assert.deepEqual(binCounts([1, 2, 3, 4, NaN], [2, 3, 4]), [1, 1, 1, 1, 1]);
	});
});

describe('the verdict', () => {
	const thresholds = parseThresholds({});

	it('says retrain when the realised AUC fell 0.10 or more, in a sentence with both figures', () => {
		const verdict = verdictOf(backtest(0.7), drift(0.02), { auc: 0.8 }, thresholds, { runs: 1 });
		assert.equal(verdict.status, 'retrain');
		assert.equal(verdict.reasons[0], 'Realised AUC 0.70 against 0.80 at training (run of 2026-05-01).');
	});

	it('says retrain when the scores moved by PSI 0.25 or more, and watch from 0.1', () => {
		assert.deepEqual(verdictOf(backtest(0.8), drift(0.31), { auc: 0.8 }, thresholds, { runs: 1 }), {
			status: 'retrain',
			reasons: ['Scores moved: PSI 0.31 on the score distribution.'],
		});
		assert.equal(verdictOf(backtest(0.8), drift(0.12), { auc: 0.8 }, thresholds, { runs: 1 }).status, 'watch');
	});

	it('says watch for a moved feature, new event types and probabilities far from what happened', () => {
		const verdict = verdictOf(backtest(0.79, 0.3, 0.1), drift(0.01, 0.4, ['refund']), { auc: 0.8 }, thresholds, { runs: 1 });
		assert.equal(verdict.status, 'watch');
		assert.deepEqual(verdict.reasons, [
			'Probabilities are off: 30.0% had the outcome against 10.0% predicted.',
			'Behaviour moved: PSI 0.40 on "purchases in the last 30 days".',
			'Event types the model never saw: refund (3).',
		]);
	});

	it('says healthy with what was checked when nothing moved', () => {
		const verdict = verdictOf(backtest(0.79), drift(0.03), { auc: 0.8 }, thresholds, { runs: 1 });
		assert.deepEqual(verdict, {
			status: 'healthy',
			reasons: ['Realised AUC 0.79 against 0.80 at training.', 'Scores are stable: PSI 0.03 on the score distribution.'],
		});
	});

	it('follows thresholds given as options, and refuses a retrain threshold under its watch threshold', () => {
		assert.equal(verdictOf(backtest(0.8), drift(0.31), { auc: 0.8 }, parseThresholds({ scorePsiRetrain: 0.5 }), { runs: 1 }).status, 'watch');
		assert.throws(
			() => parseThresholds({ scorePsiRetrain: 0.05 }),
			(error: unknown) => error instanceof InputError && error.code === 'bad-thresholds',
		);
		assert.throws(
			() => parseThresholds({ aucDrop: 0.1 }),
			(error: unknown) => error instanceof InputError && /"aucDrop" is not valid: there is no such threshold/.test(error.message),
		);
	});
});

describe('the monitoring report', () => {
	it('escapes every string that reaches the page, such as a feature label or a reason', () => {
		const hostile = '<img src=x onerror=alert(1)>';
		const d = { ...drift(0.3, 0.5), features: [{ feature: 'f', label: hostile, psi: 0.5 }], maxFeaturePsi: { feature: 'f', label: hostile, psi: 0.5 } };
		const result: MonitorResult = {
			model: { name: 'buyers', version: 2, propensityType: 'conversion', windowDays: 30 },
			verdict: { status: 'retrain', reasons: [`Behaviour moved: PSI 0.50 on "${hostile}".`] },
			thresholds: parseThresholds({}),
			training: { auc: 0.8, logLoss: 0.3, baseRate: 0.1, buckets: [] },
			events: { from: '2026-01-01T00:00:00.000Z', to: '2026-06-30T00:00:00.000Z' },
			runs: [
				{ backtest: { ...backtest(0.7), buckets: [{ bucket: 'high', profiles: 10, positives: 5, meanPredicted: 0.6, realisedRate: 0.5 }] }, drift: d },
			],
			counts: { runs: 1, backtested: 1, pending: 0, goalChanged: 0 },
		};
		const html = renderMonitorReport(result);
		assert.ok(!html.includes(hostile));
		assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
		assert.match(html, /id="chart-how-it-did"/);
		assert.match(html, /id="chart-drift"/);
		assert.match(html, /<span class="badge bad">retrain<\/span>/);
	});
});
