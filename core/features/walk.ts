/**
 * The walk every per-profile computation shares (eligibility, labels, features): for a
 * profile, visit in time order the events each cutoff can see, and update that cutoff's
 * accumulators of a compiled program (three numbers per operation and cutoff, in one
 * Float64Array). Each event is looked up by its row class (rows.ts), which lists exactly the
 * operations it feeds. No objects are created per event.
 *
 * Time rules, for a cutoff c and an event at time t:
 * - history operations see the event when 0 ≤ c − t ≤ reach (the window is closed at both
 *   ends: an event exactly at c, or exactly `reach` before it, counts);
 * - future operations (labels) see it when c < t ≤ c + reach.
 */
import { bgnbdAliveChance, bgnbdPurchaseChance } from './bgnbd';
import type { ClassOps } from './rows';
import { DAY_MS } from '../util/days';

export { DAY_MS };

/** Operation codes. Each uses up to three accumulator slots (a, b, c). */
export const Op = {
	/** a: matching events. */
	count: 0,
	/** a: sum of the field. */
	sum: 1,
	/** a: sum of the field, b: events with a value. */
	mean: 2,
	/** a: the largest value (NaN: none). */
	max: 3,
	/** a: time of the last event (NaN: none). */
	daysSinceLast: 4,
	/** a: time of the first event (NaN: none). */
	daysSinceFirst: 5,
	/** a: distinct UTC days, b: the last day counted. */
	distinctDays: 6,
	/** a: events in the recent window, b: events in the baseline before it. */
	trend: 7,
	/** a: first time, b: last time, c: events. */
	meanGapDays: 8,
	/** a: the latest value of a number field (NaN: none). */
	latestNumber: 9,
	/** a: the latest category of a text field, as a code (NaN: none). */
	latestCategory: 10,
	/** a: matching events after the cutoff (labels). */
	countAfter: 11,
	/** BG/NBD chances (params: r, α, a, b, horizon days, 1 = repeat chance / 0 = active chance); a: first time, b: last time, c: events. */
	bgnbd: 12,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

/** Operations as parallel typed arrays, so the hot loop reads numbers, not objects. */
export interface Program {
	readonly size: number;
	readonly code: Uint8Array;
	/** History: how far back the op looks (ms). Future: how far ahead. */
	readonly reachMs: Float64Array;
	/** Trend: the recent window (ms); the rest of the reach is the baseline. */
	readonly recentMs: Float64Array;
	/** Per op, the number column it reads (an empty array when it reads none). */
	readonly numbers: readonly Float64Array[];
	/** Per op, the category codes it reads (an empty array when it reads none). */
	readonly codes: readonly Int32Array[];
	/** Per op, dictionary code → output code for latestCategory (-1: not a known category). */
	readonly codeMap: readonly Int32Array[];
	/** Per op, model parameters (bgnbd), else empty. */
	readonly params: readonly Float64Array[];
	/** The template a profile's accumulators start from (one cutoff's worth). */
	readonly initial: Float64Array;
}

export const slots = 3;

export interface OpSpec {
	readonly code: OpCode;
	readonly reachMs: number;
	readonly recentMs?: number;
	readonly numbers?: Float64Array;
	readonly codes?: Int32Array;
	readonly codeMap?: Int32Array;
	readonly params?: Float64Array;
}

const noCodes = new Int32Array(0);

const noNumbers = new Float64Array(0);

/** Packs op specs into a program. */
export function compileProgram(specs: readonly OpSpec[]): Program {
	const size = specs.length;
	const initial = new Float64Array(size * slots);
	specs.forEach((spec, o) => {
		const x = o * slots;
		switch (spec.code) {
			case Op.max:
			case Op.daysSinceLast:
			case Op.daysSinceFirst:
			case Op.latestNumber:
			case Op.latestCategory:
				initial[x] = NaN;
				break;
			case Op.distinctDays:
				initial[x + 1] = NaN;
				break;
		}
	});
	return {
		size,
		code: Uint8Array.from(specs, (spec) => spec.code),
		reachMs: Float64Array.from(specs, (spec) => spec.reachMs),
		recentMs: Float64Array.from(specs, (spec) => spec.recentMs ?? spec.reachMs),
		numbers: specs.map((spec) => spec.numbers ?? noNumbers),
		codes: specs.map((spec) => spec.codes ?? noCodes),
		codeMap: specs.map((spec) => spec.codeMap ?? noCodes),
		params: specs.map((spec) => spec.params ?? noNumbers),
		initial,
	};
}

/** The part of an event table a walk reads: times and where each profile's events start. */
export interface EventsView {
	readonly time: Float64Array;
	readonly profileStart: Uint32Array;
}

/** What one walk over a profile needs besides the table. */
export interface WalkPlan {
	readonly program: Program;
	readonly history: ClassOps;
	readonly future: ClassOps;
	readonly maxHistoryMs: number;
	readonly maxFutureMs: number;
}

/**
 * Walks the events of profile `p` and updates `acc` (laid out [active slot][op][3]) for the
 * cutoffs listed in `active[0 … activeCount)`, which must be ascending. For each cutoff only
 * the events it can see are visited: those in [c − maxHistory, c] for history operations and
 * in (c, c + maxFuture] for labels. `acc` must hold the program's initial values for those
 * cutoffs. Events of class 0 (excluded) are skipped.
 */
export function accumulateProfile(
	table: EventsView,
	classOf: Uint32Array,
	plan: WalkPlan,
	p: number,
	cutoffs: Float64Array,
	active: Int32Array,
	activeCount: number,
	acc: Float64Array,
): void {
	const { program, history, future } = plan;
	const time = table.time;
	const stride = program.size * slots;
	const end = table.profileStart[p + 1];
	let from = table.profileStart[p];
	for (let q = 0; q < activeCount; q++) {
		const cutoff = cutoffs[active[q]];
		// Cutoffs ascend, so the first visible event never moves back.
		const oldest = cutoff - plan.maxHistoryMs;
		while (from < end && time[from] < oldest) from++;
		let i = from;
		for (; i < end && time[i] <= cutoff; i++) {
			const cls = classOf[i];
			if (cls !== 0) updateHistory(program, history, i, cls, time[i], cutoff - time[i], acc, q * stride);
		}
		if (future.ops.length === 0) continue;
		const latest = cutoff + plan.maxFutureMs;
		for (; i < end && time[i] <= latest; i++) {
			const cls = classOf[i];
			if (cls === 0) continue;
			const ahead = time[i] - cutoff;
			const base = q * stride;
			for (let j = future.start[cls], stop = future.start[cls + 1]; j < stop; j++) {
				const o = future.ops[j];
				if (ahead <= program.reachMs[o]) acc[base + o * slots] += 1;
			}
		}
	}
}

/** Applies event i (of class cls, `rel` ms before the cutoff) to the history operations of its class. */
function updateHistory(program: Program, history: ClassOps, i: number, cls: number, t: number, rel: number, acc: Float64Array, base: number): void {
	const code = program.code;
	const reach = program.reachMs;
	const ops = history.ops;
	for (let j = history.start[cls], stop = history.start[cls + 1]; j < stop; j++) {
		const o = ops[j];
		if (rel > reach[o]) continue;
		const x = base + o * slots;
		switch (code[o]) {
			case Op.count:
				acc[x] += 1;
				break;
			case Op.sum: {
				const v = program.numbers[o][i];
				if (v === v) acc[x] += v;
				break;
			}
			case Op.mean: {
				const v = program.numbers[o][i];
				if (v === v) {
					acc[x] += v;
					acc[x + 1] += 1;
				}
				break;
			}
			case Op.max: {
				const v = program.numbers[o][i];
				if (v === v && !(acc[x] >= v)) acc[x] = v;
				break;
			}
			case Op.daysSinceLast:
				acc[x] = t;
				break;
			case Op.daysSinceFirst:
				if (acc[x] !== acc[x]) acc[x] = t;
				break;
			case Op.distinctDays: {
				const day = Math.floor(t / DAY_MS);
				if (day !== acc[x + 1]) {
					acc[x] += 1;
					acc[x + 1] = day;
				}
				break;
			}
			case Op.trend:
				if (rel <= program.recentMs[o]) acc[x] += 1;
				else acc[x + 1] += 1;
				break;
			case Op.meanGapDays:
			case Op.bgnbd:
				if (acc[x + 2] === 0) acc[x] = t;
				acc[x + 1] = t;
				acc[x + 2] += 1;
				break;
			case Op.latestNumber: {
				const v = program.numbers[o][i];
				if (v === v) acc[x] = v;
				break;
			}
			case Op.latestCategory: {
				const c = program.codes[o][i];
				if (c >= 0) {
					const mapped = program.codeMap[o][c];
					acc[x] = mapped >= 0 ? mapped : NaN;
				}
				break;
			}
		}
	}
}

/** Whether an op's final value is its first accumulator as it is (no division or time arithmetic). */
export function isDirect(code: number): boolean {
	return code !== Op.mean && code !== Op.daysSinceLast && code !== Op.daysSinceFirst && code !== Op.trend && code !== Op.meanGapDays && code !== Op.bgnbd;
}

/** The final value of op `o` for the cutoff at `cutoff`, from its accumulator at `x`. */
export function finalValue(program: Program, o: number, acc: Float64Array, x: number, cutoff: number): number {
	switch (program.code[o]) {
		case Op.mean:
			return acc[x + 1] > 0 ? acc[x] / acc[x + 1] : NaN;
		case Op.daysSinceLast:
		case Op.daysSinceFirst:
			return (cutoff - acc[x]) / DAY_MS;
		case Op.trend: {
			if (!(acc[x + 1] > 0)) return NaN;
			const recentDays = program.recentMs[o];
			const baselineDays = program.reachMs[o] - recentDays;
			return acc[x] / recentDays / (acc[x + 1] / baselineDays);
		}
		case Op.meanGapDays:
			return acc[x + 2] >= 2 ? (acc[x + 1] - acc[x]) / (acc[x + 2] - 1) / DAY_MS : NaN;
		case Op.bgnbd:
			return acc[x + 2] >= 1 ? bgnbdValue(program.params[o], acc[x + 2] - 1, (acc[x + 1] - acc[x]) / DAY_MS, (cutoff - acc[x]) / DAY_MS) : NaN;
		default:
			return acc[x];
	}
}

/** A BG/NBD chance for x repeat events, the last t_x days after the first, T days after it. */
function bgnbdValue(params: Float64Array, x: number, tx: number, T: number): number {
	const model = { r: params[0], alpha: params[1], a: params[2], b: params[3] };
	return params[5] === 1 ? bgnbdPurchaseChance(model, x, tx, T, params[4]) : bgnbdAliveChance(model, x, tx, T);
}
