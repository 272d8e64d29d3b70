/**
 * Feature computation against the floor: for a table of about 10,000,000 simulated events
 * of 1,000,000 customers, the time buildExamples takes to judge eligibility and labels and
 * compute every automatic feature at 4 weekly cutoffs (goal: a purchase within 14 days,
 * default lookback), next to one bare pass over the same table (summing each profile's event
 * times: the least any per-profile computation must do).
 *
 * The table comes from the shop simulator (core/simulate), built with EventTableBuilder;
 * pilot runs choose the history length (about 10 events per customer) and how many customers
 * to simulate so about 1,000,000 have events. Simulating takes a few minutes; it is not timed.
 *
 * Run: node dist/bench/features.js [events] [profiles] [rounds]   (defaults 10000000 1000000 1)
 */
import os from 'node:os';
import { EventTableBuilder, type EventTable } from '../core/events/table';
import { buildExamples, generateFeatures, planCutoffs } from '../core/features';
import { threadCount } from '../core/features/parallel';
import { parseGoal } from '../core/goal';
import { simulateShop } from '../core/simulate';

const attributes = ['channel', 'campaign', 'product_category', 'device', 'email', 'country'] as const;

interface Pilot {
	readonly historyDays: number;
	/** Events per customer who has any. */
	readonly eventsPerProfile: number;
	/** Share of simulated customers with at least one event in the history. */
	readonly activeShare: number;
}

/** The history length that gives about `eventsPerProfile` events per customer, from 2,000-customer pilots. */
function pilotFor(eventsPerProfile: number): Pilot {
	const pilot = (historyDays: number): Pilot => {
		let events = 0;
		const seen = new Set<string>();
		for (const event of simulateShop({ profiles: 2000, seed: 1, historyDays })) {
			events++;
			seen.add(event.profileId);
		}
		return { historyDays, eventsPerProfile: events / seen.size, activeShare: seen.size / 2000 };
	};
	let low = 20;
	let high = 730;
	while (high - low > 2) {
		const middle = Math.round((low + high) / 2);
		if (pilot(middle).eventsPerProfile < eventsPerProfile) low = middle;
		else high = middle;
	}
	return pilot(high);
}

function simulatedTable(profiles: number, historyDays: number): EventTable {
	const builder = new EventTableBuilder(attributes.map((name) => ({ name, kind: 'category' as const })));
	const values: (string | undefined)[] = new Array(attributes.length);
	for (const event of simulateShop({ profiles, seed: 1, historyDays })) {
		values[0] = event.channel;
		values[1] = event.campaign;
		values[2] = event.productCategory;
		values[3] = event.device;
		values[4] = event.email;
		values[5] = event.country;
		builder.add(event.profileId, event.time, event.type, event.value ?? NaN, values);
	}
	return builder.build().table;
}

/** The floor: one pass over every profile's events, summing their times. */
function barePass(table: EventTable): number {
	let total = 0;
	const time = table.time;
	const start = table.profileStart;
	for (let p = 0; p < table.profileIds.length; p++) {
		let sum = 0;
		for (let i = start[p]; i < start[p + 1]; i++) sum += time[i];
		total += sum / 1e12;
	}
	return total;
}

/** Wall-clock and CPU seconds (user, every thread of the process) of `work`. */
async function timed<T>(work: () => Promise<T>): Promise<{ wall: number; cpu: number; result: T }> {
	const cpu = process.cpuUsage();
	const wall = process.hrtime.bigint();
	const result = await work();
	return { wall: seconds(wall), cpu: process.cpuUsage(cpu).user / 1e6, result };
}

function seconds(startNs: bigint): number {
	return Number(process.hrtime.bigint() - startNs) / 1e9;
}

async function main(): Promise<void> {
	const events = Number(process.argv[2] ?? 10_000_000);
	const profiles = Number(process.argv[3] ?? 1_000_000);
	const rounds = Number(process.argv[4] ?? 1);
	const pilot = pilotFor(events / profiles);
	const simulated = Math.round(profiles / pilot.activeShare);
	console.log(
		`Feature benchmark: ${simulated.toLocaleString('en-US')} simulated customers (seed 1) over ${pilot.historyDays} days, ` +
			`aiming at ${profiles.toLocaleString('en-US')} active profiles and ${events.toLocaleString('en-US')} events.`,
	);
	console.log(
		`Node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(1)} (timings are noisy; the ratio is measured side by side).`,
	);

	let started = process.hrtime.bigint();
	const table = simulatedTable(simulated, pilot.historyDays);
	console.log(
		`Simulated and built the table: ${table.length.toLocaleString('en-US')} events, ${table.profileIds.length.toLocaleString('en-US')} profiles, ${table.types.length} event types in ${seconds(started).toFixed(1)} s.`,
	);

	const goal = parseGoal({
		name: 'purchase-in-14-days',
		propensityType: 'conversion',
		outcome: { occur: 'will_occur', windowDays: 14, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		profileAttributes: [{ field: 'country' }, { field: 'device' }],
		training: { cutoffs: 4, spacingDays: 7 },
	});
	started = process.hrtime.bigint();
	const features = generateFeatures(table, goal);
	const cutoffs = planCutoffs(table, goal);
	const generateSeconds = seconds(started);
	console.log(
		`Declared ${features.length} features and ${cutoffs.length} cutoffs (${cutoffs.map((c) => new Date(c).toISOString().slice(0, 10)).join(', ')}) in ${generateSeconds.toFixed(2)} s.`,
	);
	console.log('');

	const bare = { wall: Infinity, cpu: Infinity };
	const build = { wall: Infinity, cpu: Infinity };
	let rows = 0;
	let positives = 0;
	for (let round = 0; round < rounds; round++) {
		for (let repeat = 0; repeat < 3; repeat++) {
			const time = await timed(async () => barePass(table));
			if (time.result < 0) throw new Error('impossible');
			bare.wall = Math.min(bare.wall, time.wall);
			bare.cpu = Math.min(bare.cpu, time.cpu);
		}
		const time = await timed(() => buildExamples(table, goal, features, { cutoffs }));
		build.wall = Math.min(build.wall, time.wall);
		build.cpu = Math.min(build.cpu, time.cpu);
		rows = time.result.data.rows;
		positives = time.result.perCutoff.reduce((sum, c) => sum + c.positives, 0);
	}
	const matrixMb = (rows * features.length * 4) / 1e6;
	console.log('step                                     wall s    CPU s (all threads)');
	console.log(`bare pass (sum of times per profile)   ${bare.wall.toFixed(3).padStart(8)} ${bare.cpu.toFixed(3).padStart(8)}`);
	console.log(`buildExamples (eligibility, labels,    ${build.wall.toFixed(3).padStart(8)} ${build.cpu.toFixed(3).padStart(8)}`);
	console.log(`  ${features.length} features × ${cutoffs.length} cutoffs, ${threadCount(table.length)} threads)`);
	console.log('');
	console.log(`${rows.toLocaleString('en-US')} examples (${positives.toLocaleString('en-US')} positive), a ${matrixMb.toFixed(0)} MB Float32 matrix.`);
	console.log(
		`Ratio buildExamples / bare pass: ${(build.wall / bare.wall).toFixed(0)}x wall, ${(build.cpu / bare.cpu).toFixed(0)}x CPU; ${(table.length / build.wall / 1e6).toFixed(2)} million events per second.`,
	);
	console.log(
		`Target, under 60 s wall: ${build.wall < 60 ? 'met' : 'MISSED'} (load average now ${os.loadavg()[0].toFixed(1)}; CPU time is what an idle machine would need on one thread).`,
	);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
