/**
 * What scoring hands to explanation, segments, nodes and files: one record per profile.
 */
export type Bucket = 'low' | 'medium' | 'high';
export type PropensityType = 'conversion' | 'churn';
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

export interface ScoredProfile {
	readonly profileId: string;
	/** Calibrated probability of the goal, 0–1. */
	readonly probability: number;
	/** 0–100 (the probability in percent, rounded). */
	readonly score: number;
	/** 1–100: the share of scored profiles with this score or lower. */
	readonly percentile: number;
	readonly bucket: Bucket;
	readonly propensityType: PropensityType;
	/** The "as of" moment of the features, ISO 8601 UTC. */
	readonly scoreDate: string;
	readonly model: { readonly name: string; readonly version: number | null };
	/** Top factors, when explanation was asked for. */
	readonly factors?: readonly Factor[];
	/** Profile attributes that were loaded (e.g. email), latest value as of scoreDate. */
	readonly attributes?: Readonly<Record<string, string | number | null>>;
	/**
	 * The profile's feature values as of scoreDate (null = missing), by feature name. They travel
	 * with the profile so a later step (Explain Factors) can explain the score without the events.
	 */
	readonly features?: Readonly<Record<string, number | null>>;
}

/** Score boundaries of the buckets: low is [0, mediumFrom), medium [mediumFrom, highFrom), high [highFrom, 100]. */
export interface BucketBoundaries {
	readonly mediumFrom: number;
	readonly highFrom: number;
}

export const defaultBuckets: BucketBoundaries = { mediumFrom: 25, highFrom: 75 };
