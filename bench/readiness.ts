/**
 * Readiness and examples in one pass: on the demo's data (the shop simulator's 20,000
 * customers, seed 42, as `propensity demo` loads them) and the demo's goal, the time training
 * takes from the loaded events to the training examples, two ways in the same command:
 * - reference (two passes, as training did before): readiness judges every profile at every
 *   cutoff, the buy-till-you-die fit judges them again at the last one, and buildExamples
 *   judges them a third time before computing the features;
 * - one pass (as trainModel does now): judgeExamples once, and readiness, the fit and
 *   buildExamples all read that judgement.
 * Both give the same examples (checked, byte for byte). Rounds alternate the two ways; the
 * best of each is compared.
 *
 * Run: node dist/bench/readiness.js [profiles] [rounds]   (defaults 20000 3)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type EventTable, loadEvents, writeSimulation } from '../core/index';
import { buildExamples, type Examples, judgeExamples } from '../core/features/examples';
import { withBuyTillYouDie } from '../core/features/buyTillYouDie';
import { planTraining } from '../core/features/cutoffs';
import { generateFeatures } from '../core/features/generate';
import { assessReadiness } from '../core/features/readiness';
import { parseGoal } from '../core/goal/parse';
import type { Goal } from '../core/goal/schema';

const demoGoal = parseGoal({
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 180,
});

/** Training's way before: readiness, the fit and the examples each judge the profiles. */
async function twoPasses(table: EventTable, goal: Goal): Promise<Examples> {
	const readiness = assessReadiness(table, goal);
	if (!readiness.ready) throw new Error(readiness.problems.map((problem) => problem.message).join(' '));
	const plan = planTraining(table, goal);
	const last = plan.cutoffs[plan.cutoffs.length - 1];
	const declarations = await withBuyTillYouDie(table, goal, generateFeatures(table, goal), last);
	return buildExamples(table, goal, declarations, { cutoffs: plan.cutoffs });
}

/** Training's way now: one judgement that readiness, the fit and the examples read. */
async function onePass(table: EventTable, goal: Goal): Promise<Examples> {
	const plan = planTraining(table, goal);
	const judgement = await judgeExamples(table, goal, plan.cutoffs);
	const readiness = assessReadiness(table, goal, {}, { plan, judgement });
	if (!readiness.ready) throw new Error(readiness.problems.map((problem) => problem.message).join(' '));
	const last = plan.cutoffs[plan.cutoffs.length - 1];
	const declarations = await withBuyTillYouDie(table, goal, generateFeatures(table, goal), last, undefined, judgement);
	return buildExamples(table, goal, declarations, { cutoffs: plan.cutoffs, judged: judgement });
}

async function timed<T>(work: () => Promise<T>): Promise<{ wall: number; cpu: number; result: T }> {
	const cpu = process.cpuUsage();
	const started = process.hrtime.bigint();
	const result = await work();
	return { wall: Number(process.hrtime.bigint() - started) / 1e9, cpu: process.cpuUsage(cpu).user / 1e6, result };
}

function sameExamples(a: Examples, b: Examples): boolean {
	const bytes = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
	return (
		a.data.rows === b.data.rows &&
		a.data.featureNames.join() === b.data.featureNames.join() &&
		a.data.columns.every((column, j) => bytes(column).equals(bytes(b.data.columns[j]))) &&
		bytes(a.data.label).equals(bytes(b.data.label)) &&
		bytes(a.profile).equals(bytes(b.profile))
	);
}

async function main(): Promise<void> {
	const profiles = Number(process.argv[2] ?? 20_000);
	const rounds = Number(process.argv[3] ?? 3);
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propensity-bench-'));
	try {
		const file = path.join(dir, 'events.csv');
		await writeSimulation({ profiles, seed: 42, format: 'csv', out: file });
		const { table } = await loadEvents({ kind: 'file', path: file }, { preset: 'flat' });
		console.log(
			`Readiness + examples on the demo data: ${table.length.toLocaleString('en-US')} events of ${table.profileIds.length.toLocaleString('en-US')} customers (seed 42), the demo goal.`,
		);
		console.log(`Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} (the ratio is measured side by side).`);
		const best = { two: { wall: Infinity, cpu: Infinity }, one: { wall: Infinity, cpu: Infinity } };
		for (let round = 0; round < rounds; round++) {
			const two = await timed(() => twoPasses(table, demoGoal));
			const one = await timed(() => onePass(table, demoGoal));
			if (!sameExamples(two.result, one.result)) throw new Error('the one-pass examples differ from the two-pass ones');
			best.two = { wall: Math.min(best.two.wall, two.wall), cpu: Math.min(best.two.cpu, two.cpu) };
			best.one = { wall: Math.min(best.one.wall, one.wall), cpu: Math.min(best.one.cpu, one.cpu) };
			console.log(
				`round ${round + 1}: two passes ${two.wall.toFixed(2)} s, one pass ${one.wall.toFixed(2)} s (${one.result.data.rows.toLocaleString('en-US')} examples, identical)`,
			);
		}
		console.log('');
		console.log(`reference (two passes): ${best.two.wall.toFixed(2)} s wall, ${best.two.cpu.toFixed(2)} s CPU`);
		console.log(`one pass:               ${best.one.wall.toFixed(2)} s wall, ${best.one.cpu.toFixed(2)} s CPU`);
		console.log(`one pass / reference:   ${(best.one.wall / best.two.wall).toFixed(2)}x wall, ${(best.one.cpu / best.two.cpu).toFixed(2)}x CPU`);
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
