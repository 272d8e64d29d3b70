/**
 * Cutoffs: the moments at which training examples are taken. The latest is (end of data −
 * window), so its whole outcome window is inside the data, and validates; earlier ones train,
 * each with at least min(lookback, window) days of history before it. The goal's `training`
 * block sets their count and spacing; without one the plan fits the history (planTraining).
 * With an as-of date, the data ends there: later events are ignored entirely.
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import type { Goal } from '../goal/schema';
import { DAY_MS } from './walk';
import { withThousands } from '../util/counts';

export interface DataRange {
	/** Time of the earliest event (UTC ms). */
	readonly start: number;
	/** Time of the latest event, or the as-of date when one is given (UTC ms). */
	readonly end: number;
}

/** The span of the events at or before `asOf` (all events without it); undefined when there are none. */
export function dataRange(table: EventTable, asOf?: number): DataRange | undefined {
	let start = Infinity;
	let latest = -Infinity;
	const time = table.time;
	const P = table.profileIds.length;
	// Each profile's events are sorted, so its first event is its earliest.
	for (let p = 0; p < P; p++) {
		const first = table.profileStart[p];
		if (first === table.profileStart[p + 1]) continue;
		if (time[first] < start) start = time[first];
		if (asOf === undefined) {
			const last = time[table.profileStart[p + 1] - 1];
			if (last > latest) latest = last;
		}
	}
	if (start === Infinity || (asOf !== undefined && start > asOf)) return undefined;
	return { start, end: asOf ?? latest };
}

/** Days of history the earliest cutoff must leave before it: the lookback, or the window when shorter. */
export function minimumHistoryDays(goal: Goal): number {
	return Math.min(goal.lookbackDays, goal.outcome.windowDays);
}

/** Checks an as-of date given as UTC ms. */
export function checkAsOf(asOf: number | undefined): void {
	if (asOf !== undefined && !Number.isFinite(asOf)) {
		throw new InputError(`The as-of date must be a valid moment (UTC milliseconds or an ISO date), not ${String(asOf)}.`, 'bad-as-of');
	}
}

/** Example rows the automatic plan aims at, at most (training and validation together). */
export const defaultExampleBudget = 1_000_000;

/** The closest two automatic cutoffs come, in days. */
export const minimumSpacingDays = 7;

/** The share of profiles held out for validation when training cutoffs come closer than a window to it. */
export const heldOutShare = 0.3;

/** Which cutoffs take examples, and why: the model keeps it, the CLI prints it. */
export interface CutoffPlan {
	/** UTC ms, ascending; the last is the validation cutoff. */
	readonly cutoffs: number[];
	/** 'goal': the goal's own `training` block; 'automatic': fitted to the history and the example budget. */
	readonly chosenBy: 'goal' | 'automatic';
	/** Days between training cutoffs. */
	readonly spacingDays: number;
	/**
	 * When true, some training cutoff's outcome window reaches past the validation cutoff, so the
	 * validation profiles (a seeded share) are kept out of training at every cutoff: no profile's
	 * outcome is both learnt and checked.
	 */
	readonly holdOutProfiles: boolean;
	/** The choice in words. */
	readonly reason: string;
}

export interface PlanOptions {
	asOf?: number;
	/** Example rows the automatic plan aims at (default 1,000,000). */
	exampleBudget?: number;
}

/**
 * The cutoffs for training, ascending, in UTC ms; the last is the validation cutoff.
 * Throws InputError when the history is too short for even one.
 */
export function planCutoffs(table: EventTable, goal: Goal, options: PlanOptions = {}): number[] {
	return planTraining(table, goal, options).cutoffs;
}

/**
 * The cutoff plan. The latest cutoff is (end − window) and validates. With a `training` block
 * the goal decides: `cutoffs` of them, `spacingDays` apart (default: the window). Otherwise
 * the plan fits the data: training cutoffs a window apart whose outcome windows end by the
 * validation cutoff, as many as the history and the example budget allow; closer (down to 7
 * days apart) when fewer than two fit; and when not even that fits, closer than a window to the
 * validation cutoff, with the validation profiles held out of training.
 */
export function planTraining(table: EventTable, goal: Goal, options: PlanOptions = {}): CutoffPlan {
	checkAsOf(options.asOf);
	const range = dataRange(table, options.asOf);
	return planTrainingInRange(range, range ? profilesActiveBy(table, range.end) : 0, goal, options);
}

/**
 * planTraining for data of this range (see dataRange) and this many profiles with an event by
 * its end, wherever the events are (in memory or in a warehouse).
 */
export function planTrainingInRange(range: DataRange | undefined, profiles: number, goal: Goal, options: PlanOptions = {}): CutoffPlan {
	if (!range) {
		const when = options.asOf === undefined ? '' : ` at or before ${new Date(options.asOf).toISOString()}`;
		throw new InputError(`There are no events${when} to learn from: load events first${when ? ', or choose a later as-of date' : ''}.`, 'no-events');
	}
	const window = goal.outcome.windowDays;
	const minimum = minimumHistoryDays(goal);
	const latest = range.end - window * DAY_MS;
	const earliest = range.start + minimum * DAY_MS;
	if (latest < earliest) {
		const spanDays = Math.floor((range.end - range.start) / DAY_MS);
		throw new InputError(
			`The events cover ${spanDays} days (${isoDay(range.start)} to ${isoDay(range.end)}), too short for a ${window}-day outcome window with at least ${minimum} days of history before it: ` +
				`load at least ${window + minimum} days of events, or shorten outcome.windowDays.`,
			'too-little-history',
		);
	}
	if (goal.training) return goalPlan(goal, latest, earliest);
	const budget = options.exampleBudget ?? defaultExampleBudget;
	const most = Math.max(3, Math.min(52, Math.floor(budget / Math.max(1, profiles))));
	const bounds: PlanBounds = { latest, earliest, window, most, history: historyInWords(range.end - range.start), budget, profiles };
	return planApart(bounds) ?? planClose(bounds);
}

/** What an automatic plan fits in: the validation cutoff, the earliest usable one, the window, the most cutoffs the budget allows, and the history in words. */
interface PlanBounds {
	readonly latest: number;
	readonly earliest: number;
	readonly window: number;
	readonly most: number;
	readonly history: string;
	readonly budget: number;
	readonly profiles: number;
}

/** A span of history as a marketer says it: "80 days", "9 months", "3 years". */
export function historyInWords(ms: number): string {
	const days = Math.floor(ms / DAY_MS);
	if (days < 90) return `${days} day${days === 1 ? '' : 's'}`;
	if (days < 730) return `${Math.round(days / 30.44)} months`;
	return `${Math.round((days / 365.25) * 2) / 2} years`;
}

function goalPlan(goal: Goal, latest: number, earliest: number): CutoffPlan {
	const training = goal.training as NonNullable<Goal['training']>;
	const spacingDays = training.spacingDays ?? goal.outcome.windowDays;
	const cutoffs: number[] = [];
	for (let k = 0; k < training.cutoffs; k++) {
		const cutoff = latest - k * spacingDays * DAY_MS;
		if (cutoff < earliest) break;
		cutoffs.push(cutoff);
	}
	const count = `${cutoffs.length} cutoff${cutoffs.length === 1 ? '' : 's'} ${spacingDays} days apart`;
	return { cutoffs: cutoffs.reverse(), chosenBy: 'goal', spacingDays, holdOutProfiles: false, reason: `${count}, as the goal's training block sets` };
}

/**
 * Training cutoffs at or before (latest − window), so their outcomes never reach the validation
 * window: a window apart while at least two fit (as many as the history and the budget allow),
 * else closer, down to 7 days apart; undefined when not even two fit.
 */
function planApart({ latest, earliest, window, most, history, budget, profiles }: PlanBounds): CutoffPlan | undefined {
	const last = latest - window * DAY_MS;
	if (last < earliest) return undefined;
	const spanDays = Math.floor((last - earliest) / DAY_MS);
	const atWindow = Math.floor(spanDays / window) + 1;
	// How many the history holds: a window apart, or else at least 7 days apart.
	const fit = atWindow >= 2 ? atWindow : Math.floor(spanDays / minimumSpacingDays) + 1;
	const count = Math.min(most - 1, fit);
	if (count < 2) return undefined;
	const spacingDays = atWindow >= 2 ? window : Math.max(minimumSpacingDays, Math.floor(spanDays / (count - 1)));
	const cutoffs = [latest];
	for (let k = 0; k < count; k++) cutoffs.push(last - k * spacingDays * DAY_MS);
	const because =
		fit > count
			? `the ${history} of history hold more, but ${count + 1} cutoffs of ${rows(profiles)} customers each fill the budget of ${rows(budget)} example rows`
			: spacingDays < window
				? `only ${history} of history leave no room for two a whole ${window}-day window apart, so they come closer (at least ${minimumSpacingDays} days apart)`
				: `${history} of history hold that many a whole ${window}-day window apart`;
	return {
		cutoffs: cutoffs.reverse(),
		chosenBy: 'automatic',
		spacingDays,
		holdOutProfiles: false,
		reason:
			`${count} training cutoffs ${spacingDays} days apart, because ${because}; the model is checked on the latest cutoff, a whole window after the last training one, ` +
			'so nothing it learnt from happens in the days it is checked on',
	};
}

/** Training cutoffs closer than a window to the validation cutoff (short histories); the validation profiles are then held out of training. */
function planClose({ latest, earliest, window, most, history }: PlanBounds): CutoffPlan {
	const spanDays = Math.floor((latest - earliest) / DAY_MS);
	const fit = Math.floor(spanDays / minimumSpacingDays);
	const count = Math.min(most - 1, fit);
	const spacingDays = count > 0 ? Math.max(minimumSpacingDays, Math.min(window, Math.floor(spanDays / count))) : window;
	const cutoffs = [latest];
	for (let k = 1; k <= count; k++) cutoffs.push(latest - k * spacingDays * DAY_MS);
	const held = `${Math.round(heldOutShare * 100)}%`;
	return {
		cutoffs: cutoffs.reverse(),
		chosenBy: 'automatic',
		spacingDays,
		holdOutProfiles: count > 0,
		reason:
			count === 0
				? `only the validation cutoff fits, because only ${history} of history leave no room for another at least ${minimumSpacingDays} days before it`
				: `${count} training cutoff${count === 1 ? '' : 's'} ${spacingDays} days apart up to the validation cutoff, because only ${history} of history leave no room for them a whole ${window}-day window before it; ` +
					`a seeded ${held} of the customers are kept out of training to check the model on, so no customer's outcome is both learnt and checked`,
	};
}

/** A count of rows as written in messages (thousands separated). */
function rows(n: number): string {
	return withThousands(n);
}

/** Profiles with an event at or before the moment: the rows each cutoff may give, at most. */
export function profilesActiveBy(table: EventTable, moment: number): number {
	let count = 0;
	for (let p = 0; p < table.profileIds.length; p++) {
		const first = table.profileStart[p];
		if (first < table.profileStart[p + 1] && table.time[first] <= moment) count++;
	}
	return count;
}

export function isoDay(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}
