/**
 * Buy-till-you-die features: a BG/NBD model of the goal's outcome events, fitted once at
 * training on the profiles' histories (never their outcomes), gives each profile two numbers
 * the purchase-process literature finds hard to beat: its chance of at least one outcome event
 * in the goal's window, and its chance of still being an active customer. The fitted
 * parameters are stored in the declarations, so scoring computes the same function.
 */
import type { EventTable } from '../events/table';
import { describeCondition } from '../goal/describe';
import { type ConditionItem, type Goal, groupParts, isConditionGroup, valuesOf } from '../goal/schema';
import type { WorkHooks } from '../util/progress';
import { fitBgnbd } from './bgnbd';
import type { FeatureDecl } from './declaration';
import { type Judgement, computeFeaturesAsOf, judgementAt } from './examples';
import { slug } from './generate';

/** Profiles the fit reads at most (every k-th eligible profile with an outcome event): the estimates settle long before. */
const fitRows = 50_000;

/**
 * The declarations plus the two buy-till-you-die features of the goal's outcome events,
 * fitted on the histories of the profiles eligible at `cutoff`; the declarations unchanged
 * when the data cannot identify the model (too few profiles repeat the outcome). With a
 * judgement made at that cutoff (training's), who is eligible is read from it, not judged again.
 */
export function withBuyTillYouDie(
	table: EventTable,
	goal: Goal,
	declarations: readonly FeatureDecl[],
	cutoff: number,
	hooks?: WorkHooks,
	judged?: Judgement,
): Promise<FeatureDecl[]> {
	const eligible = judged && judgementAt(judged, cutoff);
	return fitBuyTillYouDie(goal, declarations, (summary) => computeFeaturesAsOf(table, goal, summary, cutoff, hooks, { eligible }));
}

/** What the fit reads of each eligible profile: its outcome events' count, and the days since the first and the last of them. */
export function buyTillYouDieSummary(goal: Goal): FeatureDecl[] {
	const when = goal.outcome.when;
	const plural = describeCondition(when, 'plural');
	return [
		{ name: 'n', label: 'n', subject: plural, filter: when, windowDays: null, aggregate: 'count' },
		{ name: 'first', label: 'first', subject: plural, filter: when, windowDays: null, aggregate: 'daysSinceFirst' },
		{ name: 'last', label: 'last', subject: plural, filter: when, windowDays: null, aggregate: 'daysSinceLast' },
	];
}

/** The summary columns (buyTillYouDieSummary) of the eligible profiles at the fitting cutoff, in the order declared. */
export type SummaryColumns = (summary: FeatureDecl[]) => Promise<{ readonly data: { readonly rows: number; readonly columns: readonly Float32Array[] } }>;

/**
 * withBuyTillYouDie wherever the events are: `summaryAt` computes the count, days since the
 * first and days since the last outcome event (in memory, or in a warehouse by SQL).
 */
export async function fitBuyTillYouDie(goal: Goal, declarations: readonly FeatureDecl[], summaryAt: SummaryColumns): Promise<FeatureDecl[]> {
	const when = goal.outcome.when;
	const base = outcomeSlug(when);
	const plural = describeCondition(when, 'plural');
	const { data } = await summaryAt(buyTillYouDieSummary(goal));
	const [n, first, last] = data.columns;
	const buyers: number[] = [];
	for (let r = 0; r < data.rows; r++) if (n[r] >= 1) buyers.push(r);
	const step = Math.max(1, Math.ceil(buyers.length / fitRows));
	const rows = buyers.filter((_, i) => i % step === 0);
	const params = fitBgnbd({
		x: rows.map((r) => n[r] - 1),
		tx: rows.map((r) => first[r] - last[r]),
		T: rows.map((r) => first[r]),
	});
	if (!params) return [...declarations];
	const bgnbd = { r: round(params.r), alpha: round(params.alpha), a: round(params.a), b: round(params.b) };
	const window = goal.outcome.windowDays;
	const names = new Set(declarations.map((decl) => decl.name));
	const unique = (name: string) => {
		let candidate = name;
		for (let k = 2; names.has(candidate); k++) candidate = `${name}_${k}`;
		names.add(candidate);
		return candidate;
	};
	return [
		...declarations,
		{
			name: unique(`${base}_repeat_chance_${window}d`),
			label: `chance of ${describeCondition(when, 'a')} within ${window} days, by the rhythm of ${plural} so far (buy-till-you-die model)`,
			subject: plural,
			filter: when,
			windowDays: null,
			aggregate: 'repeatChance',
			bgnbd,
			horizonDays: window,
		},
		{
			name: unique(`${base}_active_chance`),
			label: `chance of still being an active customer, by the rhythm of ${plural} so far (buy-till-you-die model)`,
			subject: plural,
			filter: when,
			windowDays: null,
			aggregate: 'activeChance',
			bgnbd,
		},
	];
}

/** Stored parameters keep 6 significant digits: the model JSON stays short and the same bytes on every platform. */
function round(value: number): number {
	return Number(value.toPrecision(6));
}

/** `purchase` for a goal on one event type, else `goal_event`. */
function outcomeSlug(when: ConditionItem): string {
	const types = typeNames(when);
	return types && types.length === 1 ? slug(types[0]) : 'goal_event';
}

function typeNames(item: ConditionItem): string[] | undefined {
	if (isConditionGroup(item)) {
		const parts = groupParts<ConditionItem>(item).items.map(typeNames);
		return parts.every((part) => part !== undefined) ? parts.flat() : undefined;
	}
	return item.field === 'eventType' && (item.op === 'equals' || item.op === 'in') ? valuesOf(item).map(String) : undefined;
}
