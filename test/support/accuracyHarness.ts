/**
 * Accuracy against the future, for the tests and `bench/accuracy.ts` (so it lives in test
 * support, beside the oracle data of gbdtOracle.ts): train a goal "as of" a moment, score as
 * of that moment, and measure the AUC on what the customers really did in the window after it,
 * beside the AUC the model reported from its own validation, and the references: the exact
 * BG/NBD optimum (on BG/NBD data) and recency alone.
 */
import { auc } from '../../core/evaluate/auc';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { computeFeaturesAsOf } from '../../core/features/examples';
import { scoreProfiles, trainModel, type TrainOutcome, type TrainSettings } from '../../core/pipeline';
import { bgnbdPurchaseChance, rfmAsOf, type BgnbdSimulation } from '../../core/simulate/bgnbd';
import { simulateShop, type SimulationOptions } from '../../core/simulate';

const DAY_MS = 86_400_000;

/** A conversion goal: a purchase within `windowDays`, learning from `lookbackDays`, no `training` block. */
export function purchaseGoal(windowDays: number, lookbackDays: number, activeWithinDays?: number): Record<string, unknown> {
	return {
		name: `purchase-in-${windowDays}-days`,
		propensityType: 'conversion',
		outcome: { occur: 'will_occur', windowDays, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		eligibility: { all: activeWithinDays ? [{ activeWithinDays }] : [] },
		lookbackDays,
	};
}

/** Every purchase of the simulation (history and future) as an event table. */
export function bgnbdTable(sim: BgnbdSimulation): EventTable {
	const builder = new EventTableBuilder([]);
	for (const customer of sim.customers) {
		customer.purchases.forEach((time, i) => builder.add(customer.id, time, 'purchase', customer.values[i], []));
	}
	return builder.build().table;
}

/** The simulated shop's events (all types) as an event table, with its channel attribute. */
export function shopTable(options: SimulationOptions): EventTable {
	const builder = new EventTableBuilder([{ name: 'channel', kind: 'category' }]);
	for (const event of simulateShop(options)) builder.add(event.profileId, event.time, event.type, event.value ?? NaN, [event.channel]);
	return builder.build().table;
}

export interface FutureAccuracy {
	/** Profiles scored as of the moment (eligible then). */
	readonly scored: number;
	/** Share of them that bought in the window after it. */
	readonly rate: number;
	/** The validation AUC the model reported. */
	readonly reported: number;
	/** The AUC of the model's scores on the real outcomes after the moment. */
	readonly future: number;
	/** Recency alone (fewer days since the last purchase ranks higher). */
	readonly recency: number;
	/** The exact optimum, when the process is BG/NBD. */
	readonly optimum?: number;
	/** The model's own buy-till-you-die feature (chance of a repeat in the window) alone, when it has one. */
	readonly buyTillYouDie?: number;
	readonly outcome: TrainOutcome;
}

/**
 * Trains `goal` on `table` as of `asOf`, scores as of `asOf`, and measures on purchases in
 * (asOf, asOf + window]. `optimumOf(profileId)` gives the exact optimum's score when known.
 */
export async function accuracyAgainstFuture(
	table: EventTable,
	goal: Record<string, unknown>,
	asOf: number,
	optimumOf?: (profile: number) => number,
	seed = 1,
	learner: Pick<TrainSettings, 'learner' | 'learnerOptions'> = {},
): Promise<FutureAccuracy> {
	const outcome = await trainModel(table, goal, { asOf, seed, ...learner });
	const run = await scoreProfiles(table, outcome.model, { asOf });
	const profiles = await run.all();
	const windowMs = (goal.outcome as { windowDays: number }).windowDays * DAY_MS;
	const purchase = table.types.indexOf('purchase');
	const index = new Map(table.profileIds.map((id, p) => [id, p]));
	const label = new Uint8Array(profiles.length);
	const ours = new Float64Array(profiles.length);
	const recency = new Float64Array(profiles.length);
	const optimum = new Float64Array(profiles.length);
	profiles.forEach((profile, r) => {
		const p = index.get(profile.profileId) as number;
		let last = -Infinity;
		for (let i = table.profileStart[p]; i < table.profileStart[p + 1]; i++) {
			const t = table.time[i];
			if (table.type[i] !== purchase) continue;
			if (t <= asOf) last = t;
			else if (t <= asOf + windowMs) label[r] = 1;
		}
		ours[r] = profile.probability;
		recency[r] = last === -Infinity ? -1e12 : last;
		if (optimumOf) optimum[r] = optimumOf(p);
	});
	const positives = label.reduce((sum, y) => sum + y, 0);
	const rowOf = new Map(profiles.map((profile, r) => [index.get(profile.profileId) as number, r]));
	return {
		scored: profiles.length,
		rate: positives / profiles.length,
		reported: outcome.summary.auc ?? NaN,
		future: auc(label, ours),
		recency: auc(label, recency),
		optimum: optimumOf ? auc(label, optimum) : undefined,
		buyTillYouDie: await repeatChanceAuc(table, outcome, asOf, label, rowOf),
		outcome,
	};
}

/**
 * The validation AUC a model reports when trained a window later (as of `asOf` + window), so
 * that its validation window is the very window `accuracyAgainstFuture(…, asOf)` measures the
 * future on. Beside that future AUC it separates the two sources of a gap between reported
 * and future: a bias of the report (this figure then differs from the future AUC on the same
 * outcomes) from the future window being harder or easier to rank than the validation window
 * (this figure then matches the future AUC, and both differ from the earlier report).
 */
export async function reportedOnFutureWindow(
	table: EventTable,
	goal: Record<string, unknown>,
	asOf: number,
	seed = 1,
	learner: Pick<TrainSettings, 'learner' | 'learnerOptions'> = {},
): Promise<number> {
	const windowMs = (goal.outcome as { windowDays: number }).windowDays * DAY_MS;
	const later = await trainModel(table, goal, { asOf: asOf + windowMs, seed, ...learner });
	return later.summary.auc ?? NaN;
}

/** The AUC of the model's repeat-chance feature alone, on the same profiles and outcomes. */
async function repeatChanceAuc(
	table: EventTable,
	outcome: TrainOutcome,
	asOf: number,
	label: Uint8Array,
	rowOf: ReadonlyMap<number, number>,
): Promise<number | undefined> {
	const { model } = outcome;
	const decl = model.features.mode === 'events' ? model.features.declarations.find((d) => d.aggregate === 'repeatChance') : undefined;
	if (!decl || !model.goal) return undefined;
	const { data, profile } = await computeFeaturesAsOf(table, model.goal, [decl], asOf);
	const scores = new Float64Array(label.length).fill(-1);
	profile.forEach((p, i) => {
		const r = rowOf.get(p);
		// Missing (no purchase yet) ranks lowest.
		if (r !== undefined && data.columns[0][i] === data.columns[0][i]) scores[r] = data.columns[0][i];
	});
	return auc(label, scores);
}

/**
 * The exact optimum's AUC among the customers who had joined by `asOf`, on their purchases in
 * the `windowDays` after it: at the validation cutoff (asOf − window), it shows what the reported
 * AUC can reach there, since the population (and so the best AUC) changes as customers age.
 */
export function bgnbdOptimumAuc(sim: BgnbdSimulation, asOf: number, windowDays: number): number {
	const labels: number[] = [];
	const scores: number[] = [];
	for (const customer of sim.customers) {
		const rfm = rfmAsOf(customer.purchases, asOf);
		if (!rfm) continue;
		labels.push(customer.purchases.some((t) => t > asOf && t <= asOf + windowDays * DAY_MS) ? 1 : 0);
		scores.push(bgnbdPurchaseChance(sim.params, rfm.x, rfm.tx, rfm.T, windowDays));
	}
	return auc(labels, scores);
}

/** The exact BG/NBD chance of a purchase in the window after `asOf`, per profile of `bgnbdTable(sim)`. */
export function bgnbdOptimum(sim: BgnbdSimulation, table: EventTable, asOf: number, windowDays: number): (profile: number) => number {
	const byId = new Map(sim.customers.map((customer) => [customer.id, customer]));
	return (p) => {
		const rfm = rfmAsOf((byId.get(table.profileIds[p]) as BgnbdSimulation['customers'][number]).purchases, asOf);
		return rfm ? bgnbdPurchaseChance(sim.params, rfm.x, rfm.tx, rfm.T, windowDays) : 0;
	};
}
