/**
 * Scoring events with a model: the features of every profile eligible "as of" a moment, the
 * calibrated probability, score, percentile and bucket, the profile attributes that were
 * loaded, and — when asked — the top factors. Results are columnar; profiles are materialised
 * in batches so a million-profile run never holds a million objects with their factors.
 */
import { type EventTable, isProfileAttribute } from '../events/table';
import { InputError } from '../errors';
import { explainerOf, factorWordsOf } from '../explain/fromModel';
import { explainRows } from '../explain/explainer';
import { topFactors } from '../explain/factors';
import { latestAttributeValues } from '../features/attributes';
import { computeFeaturesAsOf } from '../features/examples';
import { dataRange } from '../features/cutoffs';
import { judgeCutoffs } from '../features/examples';
import { bulkMoment, describeFutureEvents, type FutureEvents, presentAsOf } from '../features/present';
import { DAY_MS } from '../features/walk';
import type { Goal } from '../goal/schema';
import type { Dataset } from '../learn/dataset';
import { loadLearner, predictScores } from '../model/predict';
import type { Model } from '../model/schema';
import type { WorkHooks } from '../util/progress';
import { bucketOf, checkBoundaries, percentiles, scoreFromProbability } from './buckets';
import { defaultBuckets, type Bucket, type BucketBoundaries, type Factor, type ScoredProfile } from './types';
import { withThousands } from '../util/counts';

export interface ScoreOptions {
	/** The "present moment" (UTC ms): events after it are ignored. Default: the latest event. */
	readonly asOf?: number;
	readonly boundaries?: BucketBoundaries;
	/** Top factors per profile (0 or absent: none). */
	readonly explain?: number;
	/** Carry each profile's feature values (needed by a later Explain Factors step). */
	readonly includeFeatures?: boolean;
	/** Profile attributes to carry (default: every attribute with one value per profile, e.g. email). */
	readonly attributes?: readonly string[];
	/** Only output these profile ids (percentiles are still among everyone scored). */
	readonly profiles?: readonly string[];
	/** The model's version in a store, shown on every profile. */
	readonly modelVersion?: number | null;
	/**
	 * The present moment (UTC ms; adapters pass Date.now()): events after it are reported and
	 * the default as-of ignores them. Absent: every event counts, as before.
	 */
	readonly now?: number;
}

export interface ScoreSummary {
	readonly model: { readonly name: string; readonly version: number | null };
	readonly propensityType: ScoredProfile['propensityType'];
	/** The "as of" moment, ISO 8601 UTC. */
	readonly scoreDate: string;
	/** Profiles in the events, and those eligible (and so scored) as of scoreDate. */
	readonly profilesInData: number;
	readonly scored: number;
	/** Profiles output (fewer than scored when `profiles` picked some). */
	readonly output: number;
	readonly buckets: Readonly<Record<Bucket, number>>;
	readonly boundaries: BucketBoundaries;
	readonly meanProbability: number | null;
	readonly attributes: readonly string[];
	/** Events dated after the present moment (null when there are none, or no present moment was given). */
	readonly futureEvents: FutureEvents | null;
	/** What the user should know about this run: future events, far fewer profiles scored than the data holds. */
	readonly warnings: readonly string[];
}

export interface ScoreRun {
	readonly summary: ScoreSummary;
	/** Profiles that will be output. */
	readonly count: number;
	/** The output profiles in batches, in profile id order, with factors when asked. */
	batches(size?: number, hooks?: WorkHooks): AsyncGenerator<ScoredProfile[]>;
	/** Every output profile at once (for runs that fit in memory). */
	all(hooks?: WorkHooks): Promise<ScoredProfile[]>;
	/** Every scored profile (not only those output), columnar: what a store remembers of the run. */
	scored(): ScoredColumns;
}

/** The scored profiles in columns, in profile id order, with their feature values. */
export interface ScoredColumns {
	readonly profileIds: readonly string[];
	readonly probability: Float64Array;
	readonly score: Uint8Array;
	readonly bucket: readonly Bucket[];
	readonly data: Dataset;
}

/** Scores every profile eligible as of `options.asOf` with an events-mode model. */
export async function scoreEvents(table: EventTable, model: Model, options: ScoreOptions = {}, hooks?: WorkHooks): Promise<ScoreRun> {
	if (model.features.mode !== 'events' || !model.goal) {
		throw new InputError(
			`The model "${model.name}" was trained on a profile table, not on events: score it with "propensity score --table".`,
			'table-model',
		);
	}
	const boundaries = options.boundaries ?? defaultBuckets;
	checkBoundaries(boundaries);
	const present = presentAsOf(table, options.asOf, options.now);
	const asOf = present.asOf ?? dataRange(table)?.end;
	if (asOf === undefined) throw new InputError('There are no events to score: the event table is empty.', 'no-events');
	const declarations = model.features.declarations;
	const { data, profile } = await computeFeaturesAsOf(table, model.goal, declarations, asOf, hooks);
	const { probability } = predictScores(model, data);
	const percentile = percentiles(probability);
	const score = Uint8Array.from(probability, scoreFromProbability);
	const rows = outputRows(table, profile, options.profiles);
	const attributes = options.attributes ?? table.attributes.filter((column) => isProfileAttribute(table, column)).map((column) => column.name);
	const attributeValues = latestAttributeValues(
		table,
		Array.from(rows, (r) => profile[r]),
		asOf,
		attributes,
	);

	const version = options.modelVersion ?? null;
	const scoreDate = new Date(asOf).toISOString();
	const counts: Record<Bucket, number> = { low: 0, medium: 0, high: 0 };
	let sum = 0;
	for (let r = 0; r < probability.length; r++) {
		counts[bucketOf(score[r], boundaries)]++;
		sum += probability[r];
	}
	const summary: ScoreSummary = {
		model: { name: model.name, version },
		propensityType: model.propensityType,
		scoreDate,
		profilesInData: table.profileIds.length,
		scored: probability.length,
		output: rows.length,
		buckets: counts,
		boundaries,
		meanProbability: probability.length > 0 ? sum / probability.length : null,
		attributes,
		futureEvents: present.future,
		warnings: [
			...(present.future ? [describeFutureEvents(present.future, options.asOf !== undefined)] : []),
			...sparseRunWarning(table, model.goal, asOf, probability.length, options.asOf !== undefined),
		],
	};

	const k = options.explain ?? 0;
	const explainer = k > 0 ? explainerOf(loadLearner(model)) : undefined;
	const words = factorWordsOf(model);
	const profileAt = (j: number, factors: Factor[] | undefined): ScoredProfile => {
		const r = rows[j];
		return {
			profileId: table.profileIds[profile[r]],
			probability: probability[r],
			score: score[r],
			percentile: percentile[r],
			bucket: bucketOf(score[r], boundaries),
			propensityType: model.propensityType,
			scoreDate,
			model: { name: model.name, version },
			...(factors ? { factors } : {}),
			attributes: Object.fromEntries(attributes.map((name) => [name, attributeValues[name][j]])),
			...(options.includeFeatures ? { features: featureRecord(data, r) } : {}),
		};
	};

	async function* batches(size = 4096, batchHooks?: WorkHooks): AsyncGenerator<ScoredProfile[]> {
		for (let from = 0; from < rows.length; from += size) {
			const slice = rows.subarray(from, Math.min(rows.length, from + size));
			let factorsOf: ((i: number) => Factor[]) | undefined;
			if (explainer) {
				const explained = await explainRows(explainer, data, slice, batchHooks ?? hooks);
				const features = data.columns.length;
				factorsOf = (i) =>
					topFactors(words.declarations, explained.contributions.subarray(i * features, (i + 1) * features), (f) => data.columns[f][slice[i]], {
						k,
						propensityType: words.propensityType,
						outcome: words.outcome,
					});
			}
			yield Array.from(slice, (_, i) => profileAt(from + i, factorsOf?.(i)));
		}
	}

	return {
		summary,
		count: rows.length,
		batches,
		scored: () => ({
			profileIds: Array.from(profile, (p) => table.profileIds[p]),
			probability,
			score,
			bucket: Array.from(score, (value) => bucketOf(value, boundaries)),
			data,
		}),
		async all(allHooks) {
			const out: ScoredProfile[] = [];
			for await (const batch of batches(4096, allHooks)) out.push(...batch);
			return out;
		},
	};
}

/** Rows of the scored data to output: all, or those of the listed profile ids (each must be scored). */
function outputRows(table: EventTable, profile: Uint32Array, only: readonly string[] | undefined): Uint32Array {
	if (!only) return Uint32Array.from({ length: profile.length }, (_, r) => r);
	const rowOfProfile = new Map<string, number>();
	profile.forEach((p, r) => rowOfProfile.set(table.profileIds[p], r));
	const missing = only.filter((id) => !rowOfProfile.has(id));
	if (missing.length > 0) {
		const known = new Set(table.profileIds);
		const absent = missing.filter((id) => !known.has(id));
		const ineligible = missing.filter((id) => known.has(id));
		const parts = [
			absent.length ? `not in the events: ${absent.slice(0, 10).join(', ')}` : '',
			ineligible.length ? `not eligible for the goal as of the score date: ${ineligible.slice(0, 10).join(', ')}` : '',
		].filter(Boolean);
		throw new InputError(`Some profiles cannot be scored (${parts.join('; ')}). Check the ids, or the as-of date.`, 'unknown-profiles', {
			absent,
			ineligible,
		});
	}
	return Uint32Array.from(only, (id) => rowOfProfile.get(id) as number);
}

function featureRecord(data: Dataset, row: number): Record<string, number | null> {
	const record: Record<string, number | null> = {};
	data.featureNames.forEach((name, f) => {
		const value = data.columns[f][row];
		record[name] = Number.isNaN(value) ? null : value;
	});
	return record;
}

/**
 * A warning when the run scores far fewer profiles (under half) than would be eligible as of
 * the moment by which 99% of the profiles had their last event: the as-of lies well after the
 * bulk of the data, so most profiles look inactive. Judged only when the as-of is more than a
 * day past that moment, so ordinary runs pay nothing for it.
 */
function sparseRunWarning(table: EventTable, goal: Goal, asOf: number, scored: number, explicitAsOf: boolean): string[] {
	const bulk = bulkMoment(table);
	if (bulk === undefined || asOf - bulk <= DAY_MS) return [];
	const eligible = judgeCutoffs(table, goal, [bulk])[0].eligible;
	if (scored * 2 >= eligible) return [];
	const cause = explicitAsOf
		? 'Check the as-of date given.'
		: "A few late events moved the default as-of date (the latest event): give an as-of date (CLI: --as-of), or check those events' timestamps.";
	return [
		`Only ${withThousands(scored)} of ${withThousands(table.profileIds.length)} profiles were eligible and scored as of ${new Date(asOf).toISOString()}, ` +
			`while ${withThousands(eligible)} would be as of ${new Date(bulk).toISOString()}, by when 99% of the profiles had had their last event. ${cause}`,
	];
}
