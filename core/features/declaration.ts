/**
 * Features are declared, not hand-coded: each is an event filter × a time window × an
 * aggregate, with a label a marketer can read. The declaration is data, stored in the
 * model, so the in-memory executor, a SQL executor and the explanation sentences all
 * read the same thing.
 */
import type { ConditionGroup } from '../goal/schema';

export type FeatureAggregate =
	/** Matching events in the window. */
	| 'count'
	/** Sum / mean / max of `field` over matching events in the window. */
	| 'sum'
	| 'mean'
	| 'max'
	/** Days from the last (first) matching event to the cutoff; missing when there is none. */
	| 'daysSinceLast'
	| 'daysSinceFirst'
	/** Distinct UTC days with a matching event in the window. */
	| 'distinctDays'
	/** Rate in the last `windowDays` divided by the rate in the `baselineDays` before it. */
	| 'trend'
	/** Mean days between consecutive matching events in the window. */
	| 'meanGapDays'
	/** The latest value of `field` at or before the cutoff (profile attributes). */
	| 'latest'
	/**
	 * Buy-till-you-die (BG/NBD, fitted at training): the chance of at least one matching event
	 * in the next `horizonDays`, and the chance the profile is still "alive", from the count, first
	 * and last matching event in the window. Computed by the in-memory executor; in SQL it is an
	 * expression over count, min and max of the time with the stored parameters.
	 */
	| 'repeatChance'
	| 'activeChance';

/** Fitted BG/NBD parameters (time in days), as a buy-till-you-die feature stores them. */
export interface BgnbdDecl {
	readonly r: number;
	readonly alpha: number;
	readonly a: number;
	readonly b: number;
}

export interface FeatureDecl {
	/** Stable machine name, unique within a model, e.g. `purchase_count_30d`. */
	readonly name: string;
	/** Human label, e.g. "purchases in the last 30 days". */
	readonly label: string;
	/** What the matching events are called in sentences, e.g. "purchases", "email opens". */
	readonly subject: string;
	/** Which events count; null means every event (after the goal's exclusions). */
	readonly filter: ConditionGroup | null;
	/** The window ending at the cutoff, in days; null means the goal's whole lookback. */
	readonly windowDays: number | null;
	readonly aggregate: FeatureAggregate;
	/** `value` or an attribute name, for sum, mean, max and latest. */
	readonly field?: string;
	/** For `trend`: the length in days of the earlier window it compares with. */
	readonly baselineDays?: number;
	/** For `latest` on a category: the category values are coded in this order (index = value). */
	readonly categories?: readonly string[];
	/** For `repeatChance` and `activeChance`: the fitted model. */
	readonly bgnbd?: BgnbdDecl;
	/** For `repeatChance`: how many days ahead it looks (the goal's window). */
	readonly horizonDays?: number;
}

/**
 * The same declarations with the lookback written out where a window is null ("the whole
 * lookback"): identical features, but sentences can then say "in the last 180 days".
 */
export function withLookbackWindows(declarations: readonly FeatureDecl[], lookbackDays: number): FeatureDecl[] {
	return declarations.map((decl) => (decl.windowDays === null ? { ...decl, windowDays: lookbackDays } : decl));
}
