/**
 * Features that say the same thing in different words. "Purchases in the last 30 days: 8" and
 * "purchases on 8 different days in the last 30 days" count the same events over the same
 * window, so as two reasons for one profile they read as one reason told twice. Related
 * features share a group, and a profile's reasons keep only the strongest of each group.
 *
 * The relation is read from the declarations alone (so it is the same at training and at
 * scoring, and needs no data): same event filter and same window, and either both count how
 * often the events happened (count, distinct days, mean gap) or both summarise the same field
 * (sum, mean, max of it). Recency, trends, attributes and buy-till-you-die chances stay apart.
 */
import type { FeatureAggregate, FeatureDecl } from '../features/declaration';

const frequency: ReadonlySet<FeatureAggregate> = new Set(['count', 'distinctDays', 'meanGapDays']);
const amount: ReadonlySet<FeatureAggregate> = new Set(['sum', 'mean', 'max']);

const cache = new WeakMap<readonly FeatureDecl[], Int32Array>();

/** A group number per declaration: equal numbers mark related features; unrelated ones get their own. */
export function relatedGroups(decls: readonly FeatureDecl[]): Int32Array {
	const cached = cache.get(decls);
	if (cached && cached.length === decls.length) return cached;
	const keys = new Map<string, number>();
	const groups = Int32Array.from(decls, (decl, f) => {
		const key = relationKey(decl) ?? `#${f}`;
		const known = keys.get(key);
		if (known !== undefined) return known;
		keys.set(key, f);
		return f;
	});
	cache.set(decls, groups);
	return groups;
}

function relationKey(decl: FeatureDecl): string | null {
	const where = `${JSON.stringify(decl.filter)}|${decl.windowDays}`;
	if (frequency.has(decl.aggregate)) return `often|${where}`;
	if (amount.has(decl.aggregate) && decl.field !== undefined) return `amount|${decl.field}|${where}`;
	return null;
}
