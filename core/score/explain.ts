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

export interface ExplainProfilesOptions {
	/** Factors per profile. */
	readonly topK: number;
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
export async function explainProfiles(model: Model, profiles: readonly ScoredProfile[], options: ExplainProfilesOptions, hooks?: WorkHooks): Promise<ExplainedProfiles> {
	if (model.features.mode !== 'events') {
		throw new InputError(`The model "${model.name}" was trained on a profile table; Explain Factors explains events-mode models.`, 'table-model');
	}
	const { declarations, propensityType, outcome } = factorWordsOf(model);
	const data = datasetOf(profiles, declarations.map((decl) => decl.name), options.itemNumbers);
	const rows = Uint32Array.from({ length: data.rows }, (_, r) => r);
	const explained = await explainRows(explainerOf(loadLearner(model)), data, rows, hooks);
	const features = declarations.length;
	const out = profiles.map((profile, r) => ({
		...profile,
		factors: topFactors(declarations, explained.contributions.subarray(r * features, (r + 1) * features), (f) => data.columns[f][r], { k: options.topK, propensityType, outcome }),
	}));
	if (!options.perBucket) return { profiles: out };
	const buckets = bucketFactors(declarations, explained.contributions, (r, f) => data.columns[f][r], profiles.map((p) => p.bucket), { k: options.topK, propensityType, outcome });
	return { profiles: out, buckets };
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
				throw new InputError(`Profile "${profile.profileId}" (item ${item}) lacks the feature "${name}" of this model: it was scored by a different model. Explain with the model that scored it.`, 'missing-features');
			}
			columns[f][r] = value === null ? NaN : value;
		});
	});
	return { rows: profiles.length, featureNames: names, columns };
}
