/**
 * Explaining profiles that were scored earlier (the Explain Factors step): each profile
 * carries its feature values, so the model alone is enough — no events needed. Adds the top
 * factors to every profile and, on request, the top factors of each bucket.
 */
import { InputError } from '../errors';
import type { Dataset } from '../learn/dataset';
import { loadLearner } from '../model/predict';
import type { Model } from '../model/schema';
import type { WorkHooks } from '../util/progress';
import { bucketFactors, type BucketFactorSummary } from '../explain/buckets';
import { explainRows } from '../explain/explainer';
import { topFactors } from '../explain/factors';
import { explainerOf, factorWordsOf } from '../explain/fromModel';
import type { ScoredProfile } from './types';

/** Factors per profile when none is asked for: what both hosts' dialogs show by default. */
export const defaultTopK = 3;

export interface ExplainProfilesOptions {
	/** Factors per profile (default 3). */
	readonly topK?: number;
	/** Also summarise the top factors of each bucket. */
	readonly perBucket?: boolean;
	/** The 1-based item numbers to name the profiles by in messages (default 1, 2, 3…), for callers that explain a subset. */
	readonly itemNumbers?: readonly number[];
}

export interface ExplainedProfiles {
	readonly profiles: ScoredProfile[];
	readonly buckets?: BucketFactorSummary[];
}

/** The same profiles with `factors` filled in (from their `features`), and optionally per-bucket factors. */
export async function explainProfiles(
	model: Model,
	profiles: readonly ScoredProfile[],
	options: ExplainProfilesOptions,
	hooks?: WorkHooks,
): Promise<ExplainedProfiles> {
	if (model.features.mode !== 'events') {
		throw new InputError(`The model "${model.name}" was trained on a profile table; Explain Factors explains events-mode models.`, 'table-model');
	}
	const k = options.topK ?? defaultTopK;
	const { declarations, propensityType, outcome } = factorWordsOf(model);
	const data = datasetOf(
		profiles,
		declarations.map((decl) => decl.name),
		options.itemNumbers,
	);
	const rows = Uint32Array.from({ length: data.rows }, (_, r) => r);
	const explained = await explainRows(explainerOf(loadLearner(model)), data, rows, hooks);
	const features = declarations.length;
	const out = profiles.map((profile, r) => ({
		...profile,
		factors: topFactors(declarations, explained.contributions.subarray(r * features, (r + 1) * features), (f) => data.columns[f][r], {
			k,
			propensityType,
			outcome,
		}),
	}));
	if (!options.perBucket) return { profiles: out };
	const buckets = bucketFactors(
		declarations,
		explained.contributions,
		(r, f) => data.columns[f][r],
		profiles.map((p) => p.bucket),
		{ k, propensityType, outcome },
	);
	return { profiles: out, buckets };
}

/** One profile's result when profiles are explained each on its own merits. */
export type ExplainOutcome = { readonly profile: ScoredProfile } | { readonly error: InputError };

export interface ExplainedEach {
	/** Per profile, in the order given: the explained profile, or why it alone could not be explained. */
	readonly outcomes: ExplainOutcome[];
	/** The per-bucket factors of the profiles that were explained (when asked for). */
	readonly buckets?: BucketFactorSummary[];
}

/**
 * As explainProfiles, but one profile that cannot be explained (no feature values, or scored by
 * another model) does not sink the rest: when the batch is refused, each profile is tried alone to
 * find the ones at fault, and the rest are explained together again. Both hosts explain this way.
 */
export async function explainProfilesEach(
	model: Model,
	profiles: readonly ScoredProfile[],
	options: ExplainProfilesOptions,
	hooks?: WorkHooks,
): Promise<ExplainedEach> {
	const numbers = options.itemNumbers ?? profiles.map((_, i) => i + 1);
	const explain = (indexes: readonly number[]) =>
		explainProfiles(
			model,
			indexes.map((i) => profiles[i]),
			{ ...options, itemNumbers: indexes.map((i) => numbers[i]) },
			hooks,
		);
	const all = profiles.map((_, i) => i);
	try {
		const explained = await explain(all);
		return { outcomes: explained.profiles.map((profile) => ({ profile })), buckets: explained.buckets };
	} catch (error) {
		if (!(error instanceof InputError)) throw error;
	}
	const outcomes: ExplainOutcome[] = new Array(profiles.length);
	const good: number[] = [];
	for (const i of all) {
		try {
			await explain([i]);
			good.push(i);
		} catch (alone) {
			if (!(alone instanceof InputError)) throw alone;
			outcomes[i] = { error: alone };
		}
	}
	const explained: ExplainedProfiles = good.length > 0 ? await explain(good) : { profiles: [] };
	good.forEach((i, r) => (outcomes[i] = { profile: explained.profiles[r] }));
	return { outcomes, buckets: explained.buckets };
}

/** The profiles' feature values as a dataset in the model's feature order; names the first profile lacking them. */
function datasetOf(profiles: readonly ScoredProfile[], names: readonly string[], itemNumbers?: readonly number[]): Dataset {
	const columns = names.map(() => new Float32Array(profiles.length));
	profiles.forEach((profile, r) => {
		const item = itemNumbers?.[r] ?? r + 1;
		const features = profile.features;
		if (!features) {
			throw new InputError(
				`Profile "${profile.profileId}" (item ${item}) has no feature values, so its score cannot be explained. Score with feature values included (Score Profiles: "Include Feature Values"; CLI: score with --explain instead).`,
				'no-features',
			);
		}
		names.forEach((name, f) => {
			const value = features[name];
			if (value === undefined) {
				throw new InputError(
					`Profile "${profile.profileId}" (item ${item}) lacks the feature "${name}" of this model: it was scored by a different model. Explain with the model that scored it.`,
					'missing-features',
				);
			}
			columns[f][r] = value === null ? NaN : value;
		});
	});
	return { rows: profiles.length, featureNames: names, columns };
}
