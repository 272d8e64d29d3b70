/**
 * Factors per bucket: for the profiles scored low, medium and high, which features move their
 * scores most, in which direction, and how much more common each is there than elsewhere.
 *
 * Definitions (the report and the Explain Factors node show these):
 * - rank: mean |impact| over the bucket's profiles (log-odds), largest first, top 10;
 * - direction: "raises" when at least 3/4 of the bucket's non-zero impacts of the feature are
 *   positive, "lowers" when at least 3/4 are negative, "mixed" otherwise;
 * - how common: `shareInBucket`, the share of the bucket's profiles for which the feature is
 *   among their own top K factors (the ones shown per profile), against `shareElsewhere`, the
 *   same share among the profiles of the other buckets; and the feature's mean value in the
 *   bucket against the other buckets (over profiles that have a value; none for categories).
 */
import { InputError } from '../errors';
import type { FeatureDecl } from '../features/declaration';
import type { PropensityType } from '../goal/schema';
import { checkK, importanceOf, topIndicesInto, type Importance } from './factors';
import { relatedGroups } from './related';
import { bucketFactorSentence } from './sentences';

/** The three buckets a score falls into, low to high. */
export type Bucket = 'low' | 'medium' | 'high';

export const bucketOrder: readonly Bucket[] = ['low', 'medium', 'high'];

export type FactorDirection = 'raises' | 'lowers' | 'mixed';

export interface BucketFactor {
	readonly feature: string;
	readonly label: string;
	/** Mean |impact| over the bucket's profiles, in log-odds. */
	readonly meanAbsImpact: number;
	/** Mean signed impact over the bucket's profiles, in log-odds. */
	readonly meanImpact: number;
	readonly direction: FactorDirection;
	/** The importance of the mean |impact|, by the same cut-offs as a profile's factors. */
	readonly importance: Importance;
	/** Share (0–1) of the bucket's profiles for which this feature is among their top K factors. */
	readonly shareInBucket: number;
	/** The same share among the other buckets' profiles; null when there are none. */
	readonly shareElsewhere: number | null;
	/** Mean value over the bucket's profiles that have one; null when none has, or for categories. */
	readonly meanValue: number | null;
	/** The same over the other buckets' profiles. */
	readonly meanValueElsewhere: number | null;
	/** The factor in words, e.g. "Purchases in the last 30 days: 2.4 on average here against 0.3 elsewhere; …". */
	readonly sentence: string;
}

export interface BucketFactorSummary {
	readonly bucket: Bucket;
	/** Profiles in the bucket (among those explained). */
	readonly profiles: number;
	/** At most `top` factors, by mean |impact|; empty when the bucket has no profiles. */
	readonly factors: readonly BucketFactor[];
}

export interface BucketFactorOptions {
	/** The per-profile top K used for "how common" (the number of factors each profile shows). */
	readonly k: number;
	/** Factors per bucket (default 10). */
	readonly top?: number;
	readonly propensityType: PropensityType;
	/** For conversion goals, what "the chance of …" names (default "converting"). */
	readonly outcome?: string;
}

/** Per-bucket, per-feature sums gathered in one pass over the profiles. */
interface Tally {
	readonly profiles: Float64Array;
	readonly sumAbs: Float64Array;
	readonly sum: Float64Array;
	readonly positive: Float64Array;
	readonly negative: Float64Array;
	readonly inTop: Float64Array;
	readonly valueSum: Float64Array;
	readonly valueCount: Float64Array;
}

/**
 * The top factors of each bucket (low, medium, high, in that order). `contributions` holds one
 * row per explained profile (rows × features, row-major), `values(i, f)` the i-th profile's
 * value of feature f (NaN = missing) and `buckets[i]` its bucket.
 */
export function bucketFactors(
	decls: readonly FeatureDecl[],
	contributions: ArrayLike<number>,
	values: (profile: number, feature: number) => number,
	buckets: ArrayLike<Bucket>,
	options: BucketFactorOptions,
): BucketFactorSummary[] {
	const features = decls.length;
	const rows = buckets.length;
	if (contributions.length !== rows * features) {
		throw new InputError(
			`There are ${contributions.length} contributions for ${rows} profiles and ${features} features; expected ${rows * features} (one per profile and feature).`,
			'feature-mismatch',
		);
	}
	checkK(options.k);
	const tally = tallyBuckets(features, contributions, values, buckets, options.k, relatedGroups(decls));
	const top = options.top ?? 10;
	checkK(top, 'top');
	return bucketOrder.map((_, b) => summarize(decls, tally, b, top, options));
}

/** One pass over the profiles: impacts, signs, top-K membership and values per bucket and feature. */
function tallyBuckets(
	features: number,
	contributions: ArrayLike<number>,
	values: (profile: number, feature: number) => number,
	buckets: ArrayLike<Bucket>,
	k: number,
	groups: Int32Array,
): Tally {
	const size = bucketOrder.length * features;
	const tally: Tally = {
		profiles: new Float64Array(bucketOrder.length),
		sumAbs: new Float64Array(size),
		sum: new Float64Array(size),
		positive: new Float64Array(size),
		negative: new Float64Array(size),
		inTop: new Float64Array(size),
		valueSum: new Float64Array(size),
		valueCount: new Float64Array(size),
	};
	const chosen = new Int32Array(Math.min(k, features));
	for (let i = 0; i < buckets.length; i++) {
		const b = bucketOrder.indexOf(buckets[i]);
		if (b === -1) throw new InputError(`Profile ${i} has bucket ${JSON.stringify(buckets[i])}; a bucket is "low", "medium" or "high".`, 'bad-input');
		tally.profiles[b]++;
		const at = i * features;
		const base = b * features;
		for (let f = 0; f < features; f++) {
			const impact = contributions[at + f];
			tally.sumAbs[base + f] += Math.abs(impact);
			tally.sum[base + f] += impact;
			if (impact > 0) tally.positive[base + f]++;
			else if (impact < 0) tally.negative[base + f]++;
			const value = values(i, f);
			if (value === value) {
				tally.valueSum[base + f] += value;
				tally.valueCount[base + f]++;
			}
		}
		const count = topIndicesInto(contributions, at, features, chosen, groups);
		for (let j = 0; j < count; j++) tally.inTop[base + chosen[j]]++;
	}
	return tally;
}

/** Bucket b's top factors from the tally. */
function summarize(decls: readonly FeatureDecl[], tally: Tally, b: number, top: number, options: BucketFactorOptions): BucketFactorSummary {
	const features = decls.length;
	const profiles = tally.profiles[b];
	const others = tally.profiles.reduce((sum, n) => sum + n, 0) - profiles;
	const bucket = bucketOrder[b];
	if (profiles === 0) return { bucket, profiles: 0, factors: [] };
	const base = b * features;
	const meanAbs = Float64Array.from({ length: features }, (_, f) => tally.sumAbs[base + f] / profiles);
	const ranked = Array.from({ length: features }, (_, f) => f)
		.filter((f) => meanAbs[f] > 0)
		.sort((a, c) => meanAbs[c] - meanAbs[a] || a - c)
		.slice(0, top);
	const factors = ranked.map((f): BucketFactor => {
		const decl = decls[f];
		const elsewhere = (field: Float64Array): number => bucketOrder.reduce((sum, _, o) => (o === b ? sum : sum + field[o * features + f]), 0);
		const signed = tally.positive[base + f] + tally.negative[base + f];
		const direction: FactorDirection =
			tally.positive[base + f] >= 0.75 * signed ? 'raises' : tally.negative[base + f] >= 0.75 * signed ? 'lowers' : 'mixed';
		const categorical = decl.categories !== undefined;
		const valueCountElsewhere = elsewhere(tally.valueCount);
		const factor = {
			feature: decl.name,
			label: decl.label,
			meanAbsImpact: meanAbs[f],
			meanImpact: tally.sum[base + f] / profiles,
			direction,
			importance: importanceOf(meanAbs[f]),
			shareInBucket: tally.inTop[base + f] / profiles,
			shareElsewhere: others > 0 ? elsewhere(tally.inTop) / others : null,
			meanValue: !categorical && tally.valueCount[base + f] > 0 ? tally.valueSum[base + f] / tally.valueCount[base + f] : null,
			meanValueElsewhere: !categorical && valueCountElsewhere > 0 ? elsewhere(tally.valueSum) / valueCountElsewhere : null,
		};
		return { ...factor, sentence: bucketFactorSentence(decl, factor, options.k, options.propensityType, options.outcome) };
	});
	return { bucket, profiles, factors };
}
