/**
 * What sampling the examples costs in accuracy, measured fairly: two models of the same goal on
 * the same simulated shop, one trained with a setting (the reference: no budget, the cap of
 * 2,000,000 rows; or --reference-budget MB) and one per memory budget (--memory-budget MB, or
 * several separated by commas; default 256), all
 * scored on the SAME profiles as of the same moment and judged on what those profiles really
 * did in the window after it (the "future AUC" of bench/accuracy.ts). Each model's own
 * validation AUC is measured on its own (sampled) validation rows, so two reports cannot be
 * compared; these can.
 *
 * Printed per model: example rows kept, reported validation AUC, future AUC (95% interval),
 * future log loss (95% interval); then the paired differences: AUC by DeLong's test (standard
 * error, 95% interval, z) and log loss by the per-profile differences' mean and its interval.
 *
 * The models are trained in memory: the same events, goal, settings and seed give the same
 * model bytes from a warehouse table (test/warehouse/sample.test.ts, and bench/warehouse.ts's
 * "same model"), so the cost measured here is the warehouse path's cost too.
 *
 * Run: node dist/bench/sampleCost.js [events=10000000] [--memory-budget MB[,MB…]] [--reference-budget MB] [--copies K]
 *
 * The goal is bench/warehouse.ts's (a purchase in 14 days, 4 cutoffs 7 days apart, 90 days of
 * lookback), trained as of 14 days before the simulated history ends. With --copies K, events ÷ K
 * are simulated and the table holds them K times under new profile ids, as bench/warehouse.ts's
 * --copies does; copies repeat the same customers, so a sample of them loses less than a sample
 * of as many distinct customers would: the default (no copies) is the honest measurement.
 */
import { auc, aucDifference } from '../core/evaluate/auc';
import { aucInterval } from '../core/evaluate/metrics';
import { EventTableBuilder, type EventTable } from '../core/events/table';
import { type TrainSettings, scoreProfiles, trainModel } from '../core/pipeline';
import { profilesForEvents, simulateShop } from '../core/simulate';

const DAY_MS = 86_400_000;
const windowDays = 14;
const goal = {
	name: 'purchase-in-14-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	lookbackDays: 90,
	training: { cutoffs: 4, spacingDays: 7 },
};
const attributes = ['channel', 'device', 'country'] as const;
const historyDays = 180;

function option(name: string): number | undefined {
	const at = process.argv.indexOf(name);
	if (at < 0) return undefined;
	const value = Number(process.argv[at + 1]);
	if (!(Number.isInteger(value) && value >= 1)) throw new Error(`${name} takes a whole number of at least 1, not ${process.argv[at + 1]}`);
	return value;
}

/** The simulated shop (bench/warehouse.ts's: 180 days, seed 1, three attributes), `copies` times under new ids. */
function shopEvents(events: number, copies: number): EventTable {
	const profiles = profilesForEvents(Math.round(events / copies), { seed: 1, historyDays });
	const builder = new EventTableBuilder(attributes.map((name) => ({ name, kind: 'category' as const })));
	for (const event of simulateShop({ profiles, seed: 1, historyDays })) {
		const time = Math.floor(event.time / 1000) * 1000;
		const values = attributes.map((name) => event[name]);
		for (let n = 0; n < copies; n++) builder.add(n === 0 ? event.profileId : `${event.profileId}~${n}`, time, event.type, event.value ?? NaN, values);
	}
	const { table } = builder.build();
	console.log(
		`${table.time.length.toLocaleString('en-US')} events of ${table.profileIds.length.toLocaleString('en-US')} profiles` +
			(copies > 1 ? ` (${profiles.toLocaleString('en-US')} simulated customers × ${copies} copies)` : ' (every customer distinct)'),
	);
	return table;
}

/** Whether each profile of the table bought in (asOf, asOf + window]. */
function futurePurchases(table: EventTable, asOf: number): Uint8Array {
	const bought = new Uint8Array(table.profileIds.length);
	const purchase = table.types.indexOf('purchase');
	const end = asOf + windowDays * DAY_MS;
	for (let p = 0; p < bought.length; p++)
		for (let i = table.profileStart[p]; i < table.profileStart[p + 1]; i++)
			if (table.type[i] === purchase && table.time[i] > asOf && table.time[i] <= end) bought[p] = 1;
	return bought;
}

interface Judged {
	readonly name: string;
	readonly kept: string;
	readonly reported: number | null;
	readonly seconds: number;
	/** Probability per scored profile, in the order of `ids`. */
	readonly probability: Float64Array;
	readonly ids: readonly string[];
}

async function trainAndScore(name: string, table: EventTable, asOf: number, settings: TrainSettings): Promise<Judged> {
	const started = performance.now();
	const { model, summary } = await trainModel(table, goal, { asOf, seed: 1, ...settings });
	const seconds = (performance.now() - started) / 1000;
	const run = await scoreProfiles(table, model, { asOf, attributes: [] });
	const { profileIds, probability } = run.scored();
	const sample = model.sample;
	const kept = sample
		? `${(sample.positives.kept + sample.negatives.kept).toLocaleString('en-US')} of ${(sample.positives.eligible + sample.negatives.eligible).toLocaleString('en-US')} example rows (cap ${sample.maxExamples.toLocaleString('en-US')}: ${sample.positives.kept.toLocaleString('en-US')} of ${sample.positives.eligible.toLocaleString('en-US')} positives, ${sample.negatives.kept.toLocaleString('en-US')} of ${sample.negatives.eligible.toLocaleString('en-US')} negatives)`
		: `every example row (${(summary.trainingRows + summary.validationRows).toLocaleString('en-US')})`;
	return { name, kept, reported: summary.auc, seconds, probability: Float64Array.from(probability), ids: profileIds };
}

/** The log loss of each row: −log of the probability given to what happened. */
function rowLosses(label: Uint8Array, probability: Float64Array): Float64Array {
	const eps = 1e-15;
	return probability.map((p, i) => -Math.log(Math.min(1 - eps, Math.max(eps, label[i] === 1 ? p : 1 - p))));
}

/** Mean and its 95% interval (normal approximation: the rows are hundreds of thousands). */
function meanInterval(values: Float64Array): { mean: number; low: number; high: number } {
	const n = values.length;
	let sum = 0;
	for (const v of values) sum += v;
	const mean = sum / n;
	let squares = 0;
	for (const v of values) squares += (v - mean) ** 2;
	const half = 1.96 * Math.sqrt(squares / (n - 1) / n);
	return { mean, low: mean - half, high: mean + half };
}

/** --memory-budget's megabytes: one number, or several separated by commas (default 256). */
function budgets(): number[] {
	const at = process.argv.indexOf('--memory-budget');
	if (at < 0) return [256];
	const values = String(process.argv[at + 1])
		.split(',')
		.map(Number);
	if (!values.every((value) => Number.isInteger(value) && value >= 1))
		throw new Error(`--memory-budget takes whole megabytes of at least 1, separated by commas, not ${process.argv[at + 1]}`);
	return values;
}

async function main(): Promise<void> {
	const events = Number(process.argv[2]?.startsWith('--') ? 10_000_000 : (process.argv[2] ?? 10_000_000));
	const copies = option('--copies') ?? 1;
	const referenceBudget = option('--reference-budget');
	const table = shopEvents(events, copies);
	const end = table.time.reduce((a, b) => Math.max(a, b), -Infinity);
	const asOf = Math.floor(end / DAY_MS) * DAY_MS - windowDays * DAY_MS;
	const reference = await trainAndScore(
		referenceBudget === undefined ? 'default cap' : `memory budget ${referenceBudget} MB`,
		table,
		asOf,
		referenceBudget === undefined ? { memoryBudgetMb: null } : { memoryBudgetMb: referenceBudget },
	);
	const index = new Map(table.profileIds.map((id, p) => [id, p]));
	const bought = futurePurchases(table, asOf);
	const label = Uint8Array.from(reference.ids, (id) => bought[index.get(id) as number]);
	const positives = label.reduce((a, b) => a + b, 0);
	console.log(
		`as of ${new Date(asOf).toISOString().slice(0, 10)}: ${label.length.toLocaleString('en-US')} profiles scored, ` +
			`${positives.toLocaleString('en-US')} bought in the ${windowDays} days after (the future outcomes every model is judged on)`,
	);
	const judge = (m: Judged): Float64Array => {
		const losses = rowLosses(label, m.probability);
		const future = auc(label, m.probability);
		const [low, high] = aucInterval(future, positives, label.length - positives);
		const loss = meanInterval(losses);
		console.log(
			`${m.name.padEnd(22)} trained in ${m.seconds.toFixed(1)} s on ${m.kept}; reported validation AUC ${m.reported?.toFixed(4) ?? 'n/a'}; ` +
				`future AUC ${future.toFixed(4)} (${low.toFixed(4)}–${high.toFixed(4)}), log loss ${loss.mean.toFixed(5)} (${loss.low.toFixed(5)}–${loss.high.toFixed(5)})`,
		);
		return losses;
	};
	const referenceLosses = judge(reference);
	for (const budget of budgets()) {
		const budgeted = await trainAndScore(`memory budget ${budget} MB`, table, asOf, { memoryBudgetMb: budget });
		if (reference.ids.length !== budgeted.ids.length || reference.ids.some((id, i) => id !== budgeted.ids[i]))
			throw new Error('the two models scored different profiles; they should score every profile eligible at the same moment');
		const losses = judge(budgeted);
		const { difference, standardError } = aucDifference(label, budgeted.probability, reference.probability);
		const lossDifference = meanInterval(losses.map((v, i) => v - referenceLosses[i]));
		console.log(
			`  ${budgeted.name} − ${reference.name}, on the same profiles and outcomes: ` +
				`future AUC ${difference >= 0 ? '+' : ''}${difference.toFixed(4)} (DeLong standard error ${standardError.toFixed(4)}, 95% interval ${(difference - 1.96 * standardError).toFixed(4)} to ${(difference + 1.96 * standardError).toFixed(4)}, z ${(difference / standardError).toFixed(2)}); ` +
				`log loss ${lossDifference.mean >= 0 ? '+' : ''}${lossDifference.mean.toFixed(5)} (95% interval ${lossDifference.low.toFixed(5)} to ${lossDifference.high.toFixed(5)})`,
		);
	}
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
