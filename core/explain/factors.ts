/**
 * A profile's influential factors: its features ranked by the size of their contribution to
 * the score (|impact| in log-odds), each with its value, signed impact, importance and sentence.
 */
import { InputError } from '../errors';
import type { FeatureDecl } from '../features/declaration';
import type { PropensityType } from '../goal/schema';
import { relatedGroups } from './related';
import { factorSentence } from './sentences';

export type Importance = 'low' | 'medium' | 'high';

/** One influential factor of one profile's score. */
export interface Factor {
	/** Feature machine name, e.g. `purchase_count_30d`. */
	readonly feature: string;
	/** Human label, e.g. "purchases in the last 30 days". */
	readonly label: string;
	/** The profile's value of the feature (null when missing). */
	readonly value: number | null;
	/** Signed contribution to the score in log-odds units: > 0 raises the chance, < 0 lowers it. */
	readonly impact: number;
	readonly importance: Importance;
	/** A sentence a marketer can read. */
	readonly sentence: string;
}

/**
 * Importance cut-offs on |impact| (log-odds), the same for every profile and model so that
 * "high" always means the same thing: a factor is high when it multiplies or divides the odds
 * by at least 1.5 (|impact| ≥ ln 1.5 ≈ 0.405, e.g. 50% → 60%), medium from 1.1 (≈ 0.095,
 * e.g. 50% → 52.4%), low below.
 */
export const importanceThresholds = Object.freeze({ high: Math.log(1.5), medium: Math.log(1.1) });

/** The importance of a contribution of `impact` log-odds, by `importanceThresholds`. */
export function importanceOf(impact: number): Importance {
	const size = Math.abs(impact);
	if (size >= importanceThresholds.high) return 'high';
	if (size >= importanceThresholds.medium) return 'medium';
	return 'low';
}

export interface TopFactorOptions {
	/** How many factors at most. */
	readonly k: number;
	readonly propensityType: PropensityType;
	/** For conversion goals, what "the chance of …" names, e.g. "a purchase within 30 days" (default "converting"). */
	readonly outcome?: string;
}

/**
 * The profile's top `k` factors by |impact|, largest first (ties by feature order), one per
 * group of related features (related.ts); features with no impact are left out. `contributions[f]` is feature f's impact, `values(f)` its value
 * (NaN = missing), `decls[f]` its declaration.
 */
export function topFactors(
	decls: readonly FeatureDecl[],
	contributions: ArrayLike<number>,
	values: (feature: number) => number,
	options: TopFactorOptions,
): Factor[] {
	if (contributions.length !== decls.length) {
		throw new InputError(
			`There are ${contributions.length} contributions but ${decls.length} feature declarations; explain with the declarations the model was trained on.`,
			'feature-mismatch',
		);
	}
	checkK(options.k);
	const groups = relatedGroups(decls);
	const into = new Int32Array(Math.min(options.k, decls.length));
	const chosen = into.slice(0, topIndicesInto(contributions, 0, decls.length, into, groups));
	return Array.from(chosen, (f) => {
		const decl = decls[f];
		const raw = values(f);
		const value = Number.isNaN(raw) ? null : raw;
		const impact = contributions[f];
		return {
			feature: decl.name,
			label: decl.label,
			value,
			impact,
			importance: importanceOf(impact),
			sentence: factorSentence(decl, value, impact, options.propensityType, options.outcome),
		};
	});
}

/**
 * Writes into `into` the indices (0-based within the row) of the largest |contributions| among
 * the row's `features` values starting at `offset`, largest first, ties by index; zero and NaN
 * contributions never count. Returns how many were written (at most into.length). A partial
 * insertion sort without allocation: k is small and features are tens. With `groups` (a group
 * number per feature), only the largest of each group is written.
 */
export function topIndicesInto(contributions: ArrayLike<number>, offset: number, features: number, into: Int32Array, groups?: Int32Array): number {
	if (groups) return topPerGroupInto(contributions, offset, features, into, groups);
	const limit = into.length;
	let size = 0;
	for (let f = 0; f < features; f++) {
		const magnitude = Math.abs(contributions[offset + f]);
		if (!(magnitude > 0)) continue;
		if (size === limit && !(limit > 0 && magnitude > Math.abs(contributions[offset + into[size - 1]]))) continue;
		let at = size < limit ? size++ : size - 1;
		while (at > 0 && magnitude > Math.abs(contributions[offset + into[at - 1]])) {
			into[at] = into[at - 1];
			at--;
		}
		into[at] = f;
	}
	return size;
}

/** `topIndicesInto` keeping one feature per group: k rounds of picking the largest of the groups not yet taken. */
function topPerGroupInto(contributions: ArrayLike<number>, offset: number, features: number, into: Int32Array, groups: Int32Array): number {
	let size = 0;
	while (size < into.length) {
		let best = -1;
		let bestMagnitude = 0;
		for (let f = 0; f < features; f++) {
			const magnitude = Math.abs(contributions[offset + f]);
			if (!(magnitude > bestMagnitude) || taken(into, size, groups, groups[f])) continue;
			best = f;
			bestMagnitude = magnitude;
		}
		if (best === -1) break;
		into[size++] = best;
	}
	return size;
}

function taken(into: Int32Array, size: number, groups: Int32Array, group: number): boolean {
	for (let i = 0; i < size; i++) if (groups[into[i]] === group) return true;
	return false;
}

/** The indices of the `k` largest non-zero |contributions|, largest first, ties by index. */
export function topIndices(contributions: ArrayLike<number>, k: number): Int32Array {
	const into = new Int32Array(Math.max(0, Math.min(Math.floor(k), contributions.length)));
	return into.slice(0, topIndicesInto(contributions, 0, contributions.length, into));
}

/** Throws InputError unless k is a whole number of factors, 0 or more. */
export function checkK(k: number, name = 'k'): void {
	if (!Number.isInteger(k) || k < 0)
		throw new InputError(`${name} is the number of factors per profile and must be a whole number, 0 or more (got ${k}).`, 'bad-input');
}
