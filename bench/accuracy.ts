/**
 * How close the default goal comes to the best possible ranking: on the BG/NBD process (whose
 * exact optimum is known), on a short history of it (9 months, lookback 400 days, eligibility
 * active within 400 days), on a steadily joining BG/NBD population over 3 years, and on the
 * simulated shop. Prints, per case, the AUC on genuinely future outcomes (ours, the optimum,
 * recency alone) and the validation AUC the model reported. ACCURACY_CASE=k runs case k only;
 * ACCURACY_LEARNER='{"learner":"gbdt","learnerOptions":{"gbdt":{"maxDepth":6}}}' trains with
 * other learner settings (to compare them with the defaults).
 *
 *   node dist/bench/accuracy.js [customers=100000] [shopProfiles=20000]
 */
import { simulateBgnbd } from '../core/simulate/bgnbd';
import type { TrainSettings } from '../core/pipeline';
import { accuracyAgainstFuture, bgnbdOptimum, bgnbdOptimumAuc, bgnbdTable, purchaseGoal, shopTable, type FutureAccuracy } from './accuracyHarness';

const DAY_MS = 86_400_000;

function line(name: string, result: FutureAccuracy, seconds: number): string {
	const f = (v: number | undefined) => (v === undefined ? '  —   ' : v.toFixed(4));
	const model = result.outcome.model;
	const plan = model.dataRange.cutoffs.length;
	const gap =
		result.optimum === undefined
			? ''
			: `  ours/optimum ${(result.future / result.optimum).toFixed(4)} (gap ${(result.optimum - result.future).toFixed(4)})`;
	return `${name.padEnd(28)} scored ${String(result.scored).padStart(7)}  rate ${result.rate.toFixed(3)}  ours ${f(result.future)}  optimum ${f(result.optimum)}  recency ${f(result.recency)}  reported ${f(result.reported)}  cutoffs ${plan}  learner ${model.selection.winner}  ${seconds.toFixed(0)} s${gap}`;
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
	const cases: { name: string; run: () => Promise<FutureAccuracy> }[] = [
		{
			name: 'BG/NBD, 52 weeks, 13-week',
			run: () => {
				const sim = simulateBgnbd({ customers, seed: 1 });
				const table = bgnbdTable(sim);
				console.log(`  (the optimum at the validation cutoff, a window earlier: ${bgnbdOptimumAuc(sim, sim.end - 91 * DAY_MS, 91).toFixed(4)})`);
				return accuracyAgainstFuture(table, goal(91, 365), sim.end, bgnbdOptimum(sim, table, sim.end, 91), 1, learner);
			},
		},
		{
			name: 'BG/NBD, 9 months, lookback 400',
			run: () => {
				const sim = simulateBgnbd({ customers: Math.round(customers / 4), seed: 2, historyDays: 272 });
				const table = bgnbdTable(sim);
				console.log(`  (the optimum at the validation cutoff, a window earlier: ${bgnbdOptimumAuc(sim, sim.end - 91 * DAY_MS, 91).toFixed(4)})`);
				return accuracyAgainstFuture(table, goal(91, 400, 400), sim.end, bgnbdOptimum(sim, table, sim.end, 91), 1, learner);
			},
		},
		{
			name: 'BG/NBD, steady joining, 3 years',
			run: () => {
				const sim = simulateBgnbd({ customers: Math.round(customers / 2), seed: 3, historyDays: 1095, joinDays: 1186 });
				const table = bgnbdTable(sim);
				console.log(`  (the optimum at the validation cutoff, a window earlier: ${bgnbdOptimumAuc(sim, sim.end - 91 * DAY_MS, 91).toFixed(4)})`);
				return accuracyAgainstFuture(table, goal(91, 365), sim.end, bgnbdOptimum(sim, table, sim.end, 91), 1, learner);
			},
		},
		{
			name: 'simulated shop, 30-day',
			run: () => {
				const table = shopTable({ profiles: shopProfiles, seed: 7 });
				const end = Date.parse('2026-06-30T00:00:00Z') - 30 * DAY_MS;
				return accuracyAgainstFuture(table, goal(30, 365, 90), end, undefined, 1, learner);
			},
		},
	];
	const only = process.env.ACCURACY_CASE;
	for (const [k, c] of cases.entries()) {
		if (only !== undefined && String(k) !== only) continue;
		const started = Date.now();
		const result = await c.run();
		console.log(line(c.name, result, (Date.now() - started) / 1000));
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
