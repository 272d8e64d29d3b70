/**
 * The present moment and the default "as of". The default as-of is the latest event, but one
 * event dated in the future (a typo, year 9999) would move it for everyone and leave almost no
 * one eligible. So events after `now` are counted and shown, and the default as-of ignores
 * them. `now` is always given by the caller (Date.now() at the adapter or CLI edge), never
 * read here, so the same inputs give the same results and models hold no wall-clock time.
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import { withThousands } from '../util/counts';

/** Events dated after the present moment, with the first few as examples. */
export interface FutureEvents {
	/** The present moment they were compared with, ISO 8601 UTC. */
	readonly now: string;
	readonly events: number;
	readonly profiles: number;
	/** The first examples in table order (profile, then time). */
	readonly examples: readonly { readonly profileId: string; readonly time: string; readonly eventType: string }[];
}

/** Checks a present moment given as UTC ms. */
export function checkNow(now: number | undefined): void {
	if (now !== undefined && !Number.isFinite(now))
		throw new InputError(`The present moment ("now") must be a valid moment in UTC milliseconds, not ${String(now)}.`, 'bad-now');
}

/**
 * The as-of a run uses, and the events after `now`. An explicit `asOf` is kept as it is.
 * Without one, when events lie after `now`, the as-of is the latest event at or before `now`
 * (undefined, meaning the latest event, when there are none after it: nothing changes then).
 */
export function presentAsOf(
	table: EventTable,
	asOf: number | undefined,
	now: number | undefined,
	maxExamples = 5,
): { asOf: number | undefined; future: FutureEvents | null } {
	checkNow(now);
	if (now === undefined) return { asOf, future: null };
	let events = 0;
	let profiles = 0;
	let latestPast = -Infinity;
	const examples: { profileId: string; time: string; eventType: string }[] = [];
	const P = table.profileIds.length;
	for (let p = 0; p < P; p++) {
		const start = table.profileStart[p];
		const end = table.profileStart[p + 1];
		// Events are sorted by time within a profile: find the first one after now.
		let i = end;
		while (i > start && table.time[i - 1] > now) i--;
		if (i > start && table.time[i - 1] > latestPast) latestPast = table.time[i - 1];
		if (i === end) continue;
		profiles++;
		events += end - i;
		for (let j = i; j < end && examples.length < maxExamples; j++) {
			examples.push({ profileId: table.profileIds[p], time: new Date(table.time[j]).toISOString(), eventType: table.types[table.type[j]] });
		}
	}
	if (events === 0) return { asOf, future: null };
	const future: FutureEvents = { now: new Date(now).toISOString(), events, profiles, examples };
	return { asOf: asOf ?? (latestPast === -Infinity ? undefined : latestPast), future };
}

/** A sentence about the events after the present moment, for summaries and warnings. */
export function describeFutureEvents(future: FutureEvents, explicitAsOf: boolean): string {
	const shown = future.examples.map((example) => `${example.profileId} ${example.eventType} at ${example.time}`).join('; ');
	const effect = explicitAsOf ? 'The as-of date given is used as it is.' : 'The default as-of date (the latest event) ignores them.';
	return (
		`${withThousands(future.events)} event${future.events === 1 ? ' is' : 's are'} dated after the present moment (${future.now}), for ${withThousands(future.profiles)} profile${future.profiles === 1 ? '' : 's'}, e.g. ${shown}. ` +
		`${effect} Check the timestamps of those events (a typo, or a time zone or unit mix-up) at their source.`
	);
}

/**
 * The moment by which 99% of profiles had their last event: "the bulk of the data". A run
 * as of a much later moment judges most profiles inactive.
 */
export function bulkMoment(table: EventTable): number | undefined {
	const P = table.profileIds.length;
	const last = new Float64Array(P);
	let n = 0;
	for (let p = 0; p < P; p++) if (table.profileStart[p + 1] > table.profileStart[p]) last[n++] = table.time[table.profileStart[p + 1] - 1];
	if (n === 0) return undefined;
	const sorted = last.subarray(0, n).sort();
	return sorted[Math.min(n - 1, Math.floor(n * 0.99))];
}
