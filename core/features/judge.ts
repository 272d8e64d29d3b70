/**
 * Eligibility and labels at each cutoff, from the same walk as the features.
 *
 * A profile is eligible at cutoff c when it has at least one (non-excluded) event in the
 * lookback [c − lookback, c] and meets the goal's eligibility conditions, all judged on
 * events at or before c. Its label looks only at (c, c + window]: for `will_occur` it is 1
 * when a goal event happens there, for `will_not_occur` (churn) 1 when none does.
 */
import { type EventTable, attributeColumn } from '../events/table';
import { type FieldKind, type ResolvedCondition, resolveCondition, valueTest } from '../goal/conditions';
import { type EligibilityItem, type Goal, groupParts } from '../goal/schema';
import { type FilterSet, everything } from './rows';
import { DAY_MS, Op, type OpSpec, slots } from './walk';

/** A test on one profile's accumulators for one cutoff (at offset `base`). */
export type Judge = (acc: Float64Array, base: number) => boolean;

export interface JudgeOps {
	readonly specs: OpSpec[];
	readonly filterOfOp: number[];
	/** Eligibility (the activity in the lookback included). */
	readonly eligible: Judge;
	/** The op counting goal events after the cutoff; -1 when labels are not asked for. */
	readonly labelOp: number;
	readonly willOccur: boolean;
}

/** Compiles the goal's eligibility (and, when asked, its label) into probe operations. */
export function compileJudge(table: EventTable, goal: Goal, kinds: ReadonlyMap<string, FieldKind>, filters: FilterSet, labels: boolean): JudgeOps {
	const specs: OpSpec[] = [];
	const filterOfOp: number[] = [];
	const keys = new Map<string, number>();
	// The same probe (filter, operation, reach, field) is computed once however often it is named.
	const probe = (filter: ResolvedCondition, spec: OpSpec, field = ''): number => {
		const f = filters.add(filter);
		const key = `${f}|${spec.code}|${spec.reachMs}|${field}`;
		const known = keys.get(key);
		if (known !== undefined) return known;
		specs.push(spec);
		filterOfOp.push(f);
		keys.set(key, specs.length - 1);
		return specs.length - 1;
	};
	const lookbackMs = goal.lookbackDays * DAY_MS;
	const seen = probe(everything, { code: Op.count, reachMs: lookbackMs });
	const judge = (item: EligibilityItem): Judge => {
		if ('all' in item || 'any' in item) {
			const { mode, items } = groupParts<EligibilityItem>(item);
			const parts = items.map(judge);
			return mode === 'all' ? (acc, base) => parts.every((part) => part(acc, base)) : (acc, base) => parts.some((part) => part(acc, base));
		}
		if ('activeWithinDays' in item) {
			const o = probe(everything, { code: Op.count, reachMs: item.activeWithinDays * DAY_MS });
			return (acc, base) => acc[base + o * slots] > 0;
		}
		if ('did' in item || 'didNot' in item) {
			const group = 'did' in item ? item.did : item.didNot;
			const o = probe(resolveCondition(group, kinds), { code: Op.count, reachMs: item.withinDays * DAY_MS });
			return 'did' in item ? (acc, base) => acc[base + o * slots] > 0 : (acc, base) => acc[base + o * slots] === 0;
		}
		return profileJudge(table, item.profile.field, resolveCondition(item.profile, kinds), lookbackMs, probe);
	};
	const conditions = judge(goal.eligibility);
	const eligible: Judge = (acc, base) => acc[base + seen * slots] > 0 && conditions(acc, base);
	const labelOp = labels ? probe(resolveCondition(goal.outcome.when, kinds), { code: Op.countAfter, reachMs: goal.outcome.windowDays * DAY_MS }) : -1;
	return { specs, filterOfOp, eligible, labelOp, willOccur: goal.outcome.occur === 'will_occur' };
}

/** A profile attribute test: the latest value of the field in the lookback, then the condition on it. */
function profileJudge(
	table: EventTable,
	field: string,
	condition: ResolvedCondition,
	lookbackMs: number,
	probe: (filter: ResolvedCondition, spec: OpSpec, field: string) => number,
): Judge {
	if (condition.kind !== 'test') throw new Error('a profile condition is a single test');
	const test = valueTest(condition);
	const column = attributeColumn(table, field);
	if (column?.kind === 'category') {
		const identity = Int32Array.from(column.dictionary, (_, code) => code);
		const o = probe(everything, { code: Op.latestCategory, reachMs: lookbackMs, codes: column.codes, codeMap: identity }, field);
		const passes = column.dictionary.map((text) => test(text));
		const missing = test(null);
		return (acc, base) => {
			const code = acc[base + o * slots];
			return code === code ? passes[code] : missing;
		};
	}
	const numbers = column?.kind === 'number' ? column.values : table.value;
	const o = probe(everything, { code: Op.latestNumber, reachMs: lookbackMs, numbers }, field);
	return (acc, base) => {
		const value = acc[base + o * slots];
		return test(value === value ? value : null);
	};
}

/** Per (profile, cutoff): 0 = not eligible, 1 = eligible with label 0 (or no label), 2 = eligible with label 1. */
export function judgeState(ops: JudgeOps, acc: Float64Array, base: number): number {
	if (!ops.eligible(acc, base)) return 0;
	if (ops.labelOp < 0) return 1;
	const happened = acc[base + ops.labelOp * slots] > 0;
	return happened === ops.willOccur ? 2 : 1;
}
