/**
 * What scoring hands to segments, nodes and files: one record per profile. The words it is
 * made of are defined by the lower layers (the goal's propensity type, explanation's factors
 * and buckets) and re-exported here, so explain/ never needs to import score/.
 */
import type { Bucket } from '../explain/buckets';
import type { Factor } from '../explain/factors';
import type { PropensityType } from '../goal/schema';

export type { Bucket } from '../explain/buckets';
export type { Factor, Importance } from '../explain/factors';
export type { PropensityType } from '../goal/schema';

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
