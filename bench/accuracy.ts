/**
 * How close the default goal comes to the best possible ranking: on the BG/NBD process (whose
 * exact optimum is known), on a short history of it (9 months, lookback 400 days, eligibility
 * active within 400 days), on a steadily joining BG/NBD population over 3 years, and on the
 * simulated shop. Prints, per case, the AUC on genuinely future outcomes (ours, the optimum,
 * recency alone, the model's buy-till-you-die feature alone) and the validation AUC the model
 * reported. ACCURACY_CASE=k runs case k only; ACCURACY_SEEDS=n runs each case on n simulations
 * (seeds base, base+1, …) and prints the mean of each figure and of |reported − ours|;
 * ACCURACY_LEARNER='{"learner":"gbdt","learnerOptions":{"gbdt":{"maxDepth":6}}}' trains with
 * other learner settings (to compare them with the defaults).
 *
 *   node dist/bench/accuracy.js [customers=100000] [shopProfiles=20000]
 */
import { simulateBgnbd } from '../core/simulate/bgnbd';
import type { TrainSettings } from '../core/pipeline';
import {
	accuracyAgainstFuture,
	bgnbdOptimum,
	bgnbdOptimumAuc,
	bgnbdTable,
	purchaseGoal,
	reportedOnFutureWindow,
	shopTable,
	type FutureAccuracy,
} from '../test/support/accuracyHarness';

const DAY_MS = 86_400_000;

function line(name: string, result: FutureAccuracy, seconds: number): string {
	const f = (v: number | undefined) => (v === undefined ? '  —   ' : v.toFixed(4));
	const model = result.outcome.model;
	const plan = model.dataRange.cutoffs.length;
	const gap =
		result.optimum === undefined
			? ''
			: `  ours/optimum ${(result.future / result.optimum).toFixed(4)} (gap ${(result.optimum - result.future).toFixed(4)})`;
	const learner = model.learner as { trees?: unknown[] };
	const baseline = model.selection.candidates.some((c) => c.chosen && c.note) ? ' (buy-till-you-die baseline)' : '';
	const trees = Array.isArray(learner.trees) ? ` (${learner.trees.length} trees)` : baseline;
	const interval = model.metrics.validation.aucInterval;
	const within = interval
		? `  interval ${interval[0].toFixed(3)}–${interval[1].toFixed(3)}${result.future >= interval[0] && result.future <= interval[1] ? ' (holds ours)' : ' (misses ours)'}`
		: '';
	return `${name.padEnd(34)} scored ${String(result.scored).padStart(7)}  rate ${result.rate.toFixed(3)}  ours ${f(result.future)}  optimum ${f(result.optimum)}  recency ${f(result.recency)}  btyd ${f(result.buyTillYouDie)}  reported ${f(result.reported)}${within}  cutoffs ${plan}  learner ${model.selection.winner}${trees}  ${seconds.toFixed(0)} s${gap}`;
}

/** The mean of each figure over the seeds, and the mean distance between the reported and the future AUC. */
function meanLine(name: string, results: readonly FutureAccuracy[]): string {
	const mean = (pick: (r: FutureAccuracy) => number | undefined) => {
		const values = results.map(pick).filter((v): v is number => v !== undefined && Number.isFinite(v));
		return values.length === 0 ? '  —   ' : (values.reduce((a, b) => a + b, 0) / values.length).toFixed(4);
	};
	const held = results.filter((r) => {
		const interval = r.outcome.model.metrics.validation.aucInterval;
		return interval !== undefined && r.future >= interval[0] && r.future <= interval[1];
	}).length;
	return `${`${name}: mean of ${results.length}`.padEnd(34)} ours ${mean((r) => r.future)}  optimum ${mean((r) => r.optimum)}  recency ${mean((r) => r.recency)}  btyd ${mean((r) => r.buyTillYouDie)}  reported ${mean((r) => r.reported)}  |reported − ours| ${mean((r) => Math.abs(r.reported - r.future))} (max ${Math.max(...results.map((r) => Math.abs(r.reported - r.future))).toFixed(4)}; signed mean ${mean((r) => r.reported - r.future)}: what the seeds share, a bias or the two windows differing; the rest is noise)  interval holds ours ${held}/${results.length}`;
}

async function main(): Promise<void> {
	const customers = Number(process.argv[2] ?? 100_000);
	const shopProfiles = Number(process.argv[3] ?? 20_000);
	// For comparisons: a goal's own training block (e.g. ACCURACY_TRAINING='{"cutoffs":4}') replaces the automatic plan.
	const extra = process.env.ACCURACY_TRAINING ? { training: JSON.parse(process.env.ACCURACY_TRAINING) as unknown } : {};
	const learner = process.env.ACCURACY_LEARNER ? (JSON.parse(process.env.ACCURACY_LEARNER) as Pick<TrainSettings, 'learner' | 'learnerOptions'>) : {};
	const goal = (windowDays: number, lookbackDays: number, activeWithinDays?: number) => ({
		...purchaseGoal(windowDays, lookbackDays, activeWithinDays),
		...extra,
	});
	const cases: { name: string; run: (k: number) => Promise<FutureAccuracy> }[] = [
		{
			name: 'BG/NBD, 52 weeks, 13-week',
			run: (k) => {
				const sim = simulateBgnbd({ customers, seed: 1 + k });
				const table = bgnbdTable(sim);
				console.log(`  (the optimum at the validation cutoff, a window earlier: ${bgnbdOptimumAuc(sim, sim.end - 91 * DAY_MS, 91).toFixed(4)})`);
				return accuracyAgainstFuture(table, goal(91, 365), sim.end, bgnbdOptimum(sim, table, sim.end, 91), 1, learner);
			},
		},
		{
			name: 'BG/NBD, 9 months, lookback 400',
			run: (k) => {
				const sim = simulateBgnbd({ customers: Math.round(customers / 4), seed: 2 + k, historyDays: 272 });
				const table = bgnbdTable(sim);
				console.log(`  (the optimum at the validation cutoff, a window earlier: ${bgnbdOptimumAuc(sim, sim.end - 91 * DAY_MS, 91).toFixed(4)})`);
				return accuracyAgainstFuture(table, goal(91, 400, 400), sim.end, bgnbdOptimum(sim, table, sim.end, 91), 1, learner);
			},
		},
		{
			name: 'BG/NBD, steady joining, 3 years',
			run: (k) => {
				const sim = simulateBgnbd({ customers: Math.round(customers / 2), seed: 3 + k, historyDays: 1095, joinDays: 1186 });
				const table = bgnbdTable(sim);
				console.log(`  (the optimum at the validation cutoff, a window earlier: ${bgnbdOptimumAuc(sim, sim.end - 91 * DAY_MS, 91).toFixed(4)})`);
				return accuracyAgainstFuture(table, goal(91, 365), sim.end, bgnbdOptimum(sim, table, sim.end, 91), 1, learner);
			},
		},
		{
			name: 'simulated shop, 30-day',
			run: async (k) => {
				const table = shopTable({ profiles: shopProfiles, seed: 7 + k });
				const end = Date.parse('2026-06-30T00:00:00Z') - 30 * DAY_MS;
				const result = await accuracyAgainstFuture(table, goal(30, 365, 90), end, undefined, 1, learner);
				// Bias or a different window: the report of a model trained a window later, whose validation window is the future one.
				const later = await reportedOnFutureWindow(table, goal(30, 365, 90), end, 1, learner);
				console.log(
					`  (trained a window later, reported on the future window itself: ${later.toFixed(4)}; its distance from ours ${(later - result.future).toFixed(4)} is the report's bias, ` +
						`the rest of reported − ours, ${(result.reported - later).toFixed(4)}, is the validation window against the future one)`,
				);
				return result;
			},
		},
	];
	const only = process.env.ACCURACY_CASE;
	const seeds = Number(process.env.ACCURACY_SEEDS ?? 1);
	for (const [index, c] of cases.entries()) {
		if (only !== undefined && String(index) !== only) continue;
		const results: FutureAccuracy[] = [];
		for (let k = 0; k < seeds; k++) {
			const started = Date.now();
			const result = await c.run(k);
			results.push(result);
			console.log(line(seeds > 1 ? `${c.name} (seed +${k})` : c.name, result, (Date.now() - started) / 1000));
		}
		if (seeds > 1) console.log(meanLine(c.name, results));
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
