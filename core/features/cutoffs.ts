/**
 * Cutoffs: the moments at which training examples are taken. The latest is (end of data −
 * window), so its whole outcome window is inside the data; earlier ones step back by
 * `training.spacingDays` (default: the window) while at least min(lookback, window) days of
 * history remain before them. With an as-of date, the data ends there: later events are
 * ignored entirely.
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import type { Goal } from '../goal/schema';
import { DAY_MS } from './walk';

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

/**
 * The cutoffs for training, ascending, in UTC ms; the last is the validation cutoff.
 * Throws InputError when the history is too short for even one.
 */
export function planCutoffs(table: EventTable, goal: Goal, options: { asOf?: number } = {}): number[] {
	checkAsOf(options.asOf);
	return planCutoffsInRange(dataRange(table, options.asOf), goal, options);
}

/** planCutoffs for data of this range (see dataRange), wherever the events are. */
export function planCutoffsInRange(range: DataRange | undefined, goal: Goal, options: { asOf?: number } = {}): number[] {
	if (!range) {
		const when = options.asOf === undefined ? '' : ` at or before ${new Date(options.asOf).toISOString()}`;
		throw new InputError(`There are no events${when} to learn from: load events first${when ? ', or choose a later as-of date' : ''}.`, 'no-events');
	}
	const window = goal.outcome.windowDays;
	const minimum = minimumHistoryDays(goal);
	const latest = range.end - window * DAY_MS;
	if (latest - range.start < minimum * DAY_MS) {
		const spanDays = Math.floor((range.end - range.start) / DAY_MS);
		throw new InputError(
			`The events cover ${spanDays} days (${isoDay(range.start)} to ${isoDay(range.end)}), too short for a ${window}-day outcome window with at least ${minimum} days of history before it: ` +
				`load at least ${window + minimum} days of events, or shorten outcome.windowDays.`,
			'too-little-history',
		);
	}
	const spacing = (goal.training.spacingDays ?? window) * DAY_MS;
	const cutoffs: number[] = [];
	for (let k = 0; k < goal.training.cutoffs; k++) {
		const cutoff = latest - k * spacing;
		if (cutoff - range.start < minimum * DAY_MS) break;
		cutoffs.push(cutoff);
	}
	return cutoffs.reverse();
}

export function isoDay(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}
