/**
 * Which scored profiles a rule admits. Each rule becomes a mask over all profiles (one byte
 * per profile), groups combine masks, so a million profiles need no per-profile objects and
 * the order of clauses never changes the result.
 */
import { InputError } from '../errors';
import { didYouMean, listNames } from '../goal/suggest';
import type { Factor, ScoredProfile } from '../score/types';
import type { AttributeTest, AttributeValue, Comparison, FactorTest, SegmentRule, TopTest } from './rules';
import { compareStrings } from '../events/table';

export interface RuleMatch {
	/** 1 where the profile at that index is in the segment. */
	readonly mask: Uint8Array;
	/** Things that are allowed but probably not meant, e.g. a factor no profile has. */
	readonly warnings: string[];
}

/**
 * The mask of profiles the rule admits, with warnings; throws when a rule cannot apply to these
 * profiles at all. `decided` holds the masks of parts of the rule already judged elsewhere (by
 * SQL in a warehouse, over every scored profile), keyed by the very rule objects of `rule`.
 */
export function matchRule(profiles: readonly ScoredProfile[], rule: SegmentRule, decided?: ReadonlyMap<SegmentRule, Uint8Array>): RuleMatch {
	const context = new Context(profiles, decided);
	return { mask: context.mask(rule), warnings: context.warnings };
}

/**
 * The ranking of `top`: higher score first, then higher probability, then the smaller profile
 * id (in character-code order), so ties at the cut are settled the same way on every run.
 */
export function compareRank(a: ScoredProfile, b: ScoredProfile): number {
	if (a.score !== b.score) return b.score - a.score;
	if (a.probability !== b.probability) return b.probability - a.probability;
	return compareStrings(a.profileId, b.profileId);
}

class Context {
	readonly warnings: string[] = [];
	private attributeNames: Set<string> | undefined;

	constructor(
		private readonly profiles: readonly ScoredProfile[],
		private readonly decided?: ReadonlyMap<SegmentRule, Uint8Array>,
	) {}

	mask(rule: SegmentRule): Uint8Array {
		const n = this.profiles.length;
		const known = this.decided?.get(rule);
		if (known) return Uint8Array.from(known);
		if ('all' in rule) {
			const mask = new Uint8Array(n).fill(1);
			for (const item of rule.all) {
				const other = this.mask(item);
				for (let i = 0; i < n; i++) mask[i] &= other[i];
			}
			return mask;
		}
		if ('any' in rule) {
			const mask = new Uint8Array(n);
			for (const item of rule.any) {
				const other = this.mask(item);
				for (let i = 0; i < n; i++) mask[i] |= other[i];
			}
			return mask;
		}
		if ('not' in rule) {
			const mask = this.mask(rule.not);
			for (let i = 0; i < n; i++) mask[i] ^= 1;
			return mask;
		}
		if ('bucket' in rule) {
			const buckets = new Set<string>(rule.bucket);
			return this.each((profile) => buckets.has(profile.bucket));
		}
		if ('score' in rule) return this.each((profile) => compares(profile.score, rule.score));
		if ('probability' in rule) return this.each((profile) => compares(profile.probability, rule.probability));
		if ('percentile' in rule) return this.each((profile) => compares(profile.percentile, rule.percentile));
		if ('top' in rule) return this.top(rule.top);
		if ('factor' in rule) return this.factor(rule.factor);
		return this.attribute(rule.attribute);
	}

	private each(test: (profile: ScoredProfile) => boolean): Uint8Array {
		const mask = new Uint8Array(this.profiles.length);
		for (let i = 0; i < mask.length; i++) if (test(this.profiles[i])) mask[i] = 1;
		return mask;
	}

	private top(test: TopTest): Uint8Array {
		const among = test.among ? this.mask(test.among) : new Uint8Array(this.profiles.length).fill(1);
		const ranked: number[] = [];
		for (let i = 0; i < among.length; i++) if (among[i]) ranked.push(i);
		// Rounded up, so "top 10%" of 5 profiles is 1 profile, not none; the epsilon keeps 10% of 1000 at exactly 100.
		const size = test.count ?? Math.ceil(((test.percent as number) * ranked.length) / 100 - 1e-9);
		ranked.sort((a, b) => compareRank(this.profiles[a], this.profiles[b]));
		const mask = new Uint8Array(this.profiles.length);
		for (let k = 0; k < Math.min(size, ranked.length); k++) mask[ranked[k]] = 1;
		return mask;
	}

	private factor(test: FactorTest): Uint8Array {
		const name = test.feature ?? (test.label as string);
		if (this.profiles.length > 0 && !this.profiles.some((profile) => profile.factors !== undefined)) {
			throw new InputError(
				`The factor rule on "${name}" needs each profile's factors, and these scores have none${this.profiles.some((profile) => 'factorSentences' in profile) ? ' with their features and impacts (only sentences)' : ''}. Score with explanations (e.g. propensity score --explain 5, written as NDJSON), or drop the factor rule.`,
				'factors-missing',
			);
		}
		this.checkFactorName(test, name);
		const named = (factor: Factor) => (test.feature !== undefined ? factor.feature === test.feature : factor.label === test.label);
		const pointed = (factor: Factor) => (test.direction === 'raises' ? factor.impact > 0 : test.direction === 'lowers' ? factor.impact < 0 : true);
		return this.each((profile) => {
			if (!profile.factors) return false;
			const factors = test.withinTop === undefined ? profile.factors : mostInfluential(profile.factors, test.withinTop);
			return factors.some((factor) => named(factor) && pointed(factor));
		});
	}

	/**
	 * A feature (or label) the model does not have is a typo: a rule on it would admit no one, the
	 * segment would be saved empty and everyone would "re-enter" on the next run. The features known
	 * are those in any profile's factors or feature values.
	 */
	private checkFactorName(test: FactorTest, name: string): void {
		if (this.profiles.length === 0) return;
		const known = new Set<string>();
		for (const profile of this.profiles) {
			for (const factor of profile.factors ?? []) known.add(test.feature !== undefined ? factor.feature : factor.label);
			if (test.feature !== undefined && profile.features) for (const feature of Object.keys(profile.features)) known.add(feature);
		}
		if (known.has(name)) return;
		const what = test.feature !== undefined ? 'feature' : 'label';
		throw new InputError(
			`The factor rule names the ${what} "${name}", which no scored profile has${didYouMean(name, known)}. The ${what}s in the scores' factors are ${listNames([...known].sort(compareStrings), 20)}. Check the spelling; for a feature of the model that is in no one's top factors, score with more factors (e.g. --explain 10).`,
			'unknown-factor',
			{ [what]: name },
		);
	}

	private attribute(test: AttributeTest): Uint8Array {
		if (this.profiles.length > 0 && test.exists !== false && !this.knownAttributes().has(test.name)) {
			const known = [...this.knownAttributes()];
			throw new InputError(
				`No scored profile has the attribute "${test.name}". ${known.length > 0 ? `The attributes loaded are: ${known.slice(0, 30).join(', ')}${known.length > 30 ? ', …' : ''}.` : 'No attributes were loaded with the scores.'} Check the name, or load that attribute with the events.`,
				'unknown-attribute',
			);
		}
		return this.each((profile) => attributeHolds(profile.attributes?.[test.name], test));
	}

	private knownAttributes(): Set<string> {
		if (!this.attributeNames) {
			this.attributeNames = new Set();
			for (const profile of this.profiles) if (profile.attributes) for (const key of Object.keys(profile.attributes)) this.attributeNames.add(key);
		}
		return this.attributeNames;
	}
}

/** The K factors with the largest absolute impact (ties by feature name), largest first. */
function mostInfluential(factors: readonly Factor[], k: number): readonly Factor[] {
	return [...factors].sort((a, b) => Math.abs(b.impact) - Math.abs(a.impact) || compareStrings(a.feature, b.feature)).slice(0, k);
}

function compares(value: number | null | undefined, test: Comparison): boolean {
	if (typeof value !== 'number' || !Number.isFinite(value)) return false;
	if (test.gt !== undefined && !(value > test.gt)) return false;
	if (test.gte !== undefined && !(value >= test.gte)) return false;
	if (test.lt !== undefined && !(value < test.lt)) return false;
	if (test.lte !== undefined && !(value <= test.lte)) return false;
	if (test.between !== undefined && !(value >= test.between[0] && value <= test.between[1])) return false;
	return true;
}

type Loaded = string | number | null | undefined;

function present(value: Loaded): value is string | number {
	return value !== undefined && value !== null && value !== '';
}

/** A loaded value as a number: numbers as they are, numeric text parsed, anything else NaN. */
function asNumber(value: Loaded | boolean): number {
	if (typeof value === 'number') return value;
	if (typeof value === 'string' && value.trim() !== '') return Number(value);
	return Number.NaN;
}

/** Equal as given, or as numbers when one side is a number (so "3" equals 3), or "true" equals true. */
function sameValue(actual: Loaded, expected: AttributeValue): boolean {
	if (!present(actual)) return false;
	if (typeof expected === 'boolean') return String(actual).toLowerCase() === String(expected);
	if (typeof actual === typeof expected) return actual === expected;
	const number = asNumber(actual);
	return Number.isFinite(number) && number === asNumber(expected);
}

function attributeHolds(value: Loaded, test: AttributeTest): boolean {
	if (test.exists !== undefined && present(value) !== test.exists) return false;
	if (test.equals !== undefined && !sameValue(value, test.equals)) return false;
	if (test.in !== undefined && !test.in.some((expected) => sameValue(value, expected))) return false;
	if (test.contains !== undefined && !(present(value) && String(value).includes(test.contains))) return false;
	if ((test.gt ?? test.gte ?? test.lt ?? test.lte ?? test.between) !== undefined && !compares(asNumber(value), test)) return false;
	return true;
}
