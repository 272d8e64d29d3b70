/**
 * What a model keeps of its training data so that later scoring runs can be compared with it
 * (drift): the distribution of its validation probabilities and of its top features, the share
 * of profiles that were eligible, and the event types it saw. Optional in the model JSON, so
 * models trained before it existed still read (they are monitored without drift figures).
 */
import { z } from 'zod';

/**
 * Values cut into bins by `edges` (ascending): bin 0 holds values under edges[0], bin i values in
 * [edges[i−1], edges[i]), the last but one values from the last edge up, and the last bin the
 * missing values. `shares` (one per bin, summing to 1) are the reference population's.
 */
export interface Distribution {
	readonly edges: readonly number[];
	readonly shares: readonly number[];
}

export interface FeatureDistribution extends Distribution {
	readonly feature: string;
	readonly label: string;
}

export interface MonitoringReference {
	/** Validation rows the distributions were measured on (the latest cutoff). */
	readonly rows: number;
	/** The calibrated probabilities of the validation rows. */
	readonly scores: Distribution;
	/** The most influential features (at most 10), most influential first. */
	readonly features: readonly FeatureDistribution[];
	/** Eligible profiles at the validation cutoff among those with an event by then; null when none had. */
	readonly eligibleShare: number | null;
	/** Every event type in the training events, sorted. */
	readonly eventTypes: readonly string[];
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const share = finite.refine((v) => v >= 0 && v <= 1, 'must be in [0, 1]');

const distributionShape = {
	edges: z.array(finite),
	shares: z.array(share),
};

const withBins = <T extends { edges: number[]; shares: number[] }>(value: T, ctx: z.RefinementCtx) => {
	if (value.shares.length !== value.edges.length + 2)
		ctx.addIssue({ code: 'custom', message: `holds ${value.shares.length} shares for ${value.edges.length} edges (it needs edges + 2)` });
	if (value.edges.some((edge, i) => i > 0 && !(edge > value.edges[i - 1])))
		ctx.addIssue({ code: 'custom', message: 'its edges must ascend without repeats' });
};

export const distributionSchema = z.strictObject(distributionShape).superRefine(withBins);

export const monitoringReferenceSchema = z.strictObject({
	rows: z.number().int().min(0),
	scores: distributionSchema,
	features: z.array(z.strictObject({ feature: z.string().min(1), label: z.string(), ...distributionShape }).superRefine(withBins)).max(10),
	eligibleShare: share.nullable(),
	eventTypes: z.array(z.string()),
});
