/**
 * Drift between the training data and a scoring run: PSI of the score distribution and of each
 * followed feature (against the reference the model kept, core/model/monitoring.ts), the share
 * of profiles eligible, and event types the training never saw.
 */
import type { Model } from '../model/schema';
import type { ScoringRunRecord } from '../store/runs';
import { binCounts, populationStability, sharesOf } from './distribution';

export interface FeatureDrift {
	readonly feature: string;
	readonly label: string;
	readonly psi: number | null;
}

export interface RunDrift {
	/** False for a model trained before drift references were kept: only eligibility is compared then. */
	readonly hasReference: boolean;
	readonly scorePsi: number | null;
	/** The followed features, most influential first. */
	readonly features: readonly FeatureDrift[];
	/** The largest feature PSI, or null. */
	readonly maxFeaturePsi: FeatureDrift | null;
	/** Share of profiles with an event by the date that were eligible: at training, and in this run. */
	readonly eligibleShare: { readonly training: number | null; readonly run: number | null };
	/** Event types in the run's lookback that the training events never held, with their counts. */
	readonly newEventTypes: readonly { readonly type: string; readonly events: number }[];
}

/** The drift of one remembered run against the reference of the model version that scored it. */
export function runDrift(record: ScoringRunRecord, scoredWith: Model): RunDrift {
	const reference = scoredWith.monitoring;
	const runShare = record.profilesActive > 0 ? record.scored / record.profilesActive : null;
	if (!reference)
		return { hasReference: false, scorePsi: null, features: [], maxFeaturePsi: null, eligibleShare: { training: null, run: runShare }, newEventTypes: [] };
	// A warehouse run kept its scores binned by these same edges; an in-process run keeps every probability.
	const scoreCounts = record.warehouse ? record.warehouse.scoreCounts : binCounts(record.probability, reference.scores.edges);
	const scorePsi = populationStability(reference.scores.shares, sharesOf(scoreCounts));
	const countsOf = new Map(record.features.map((f) => [f.feature, f.counts]));
	const features = reference.features.map(({ feature, label, shares }): FeatureDrift => {
		const counts = countsOf.get(feature);
		return { feature, label, psi: counts ? populationStability(shares, sharesOf(counts)) : null };
	});
	let maxFeaturePsi: FeatureDrift | null = null;
	for (const f of features) if (f.psi !== null && (maxFeaturePsi === null || f.psi > (maxFeaturePsi.psi as number))) maxFeaturePsi = f;
	const known = new Set(reference.eventTypes);
	const newEventTypes = Object.entries(record.eventTypes)
		.filter(([type]) => !known.has(type))
		.map(([type, events]) => ({ type, events }));
	return { hasReference: true, scorePsi, features, maxFeaturePsi, eligibleShare: { training: reference.eligibleShare, run: runShare }, newEventTypes };
}
