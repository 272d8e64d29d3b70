/**
 * Explain Factors plumbing: the model of each profile item (from the store by the name and
 * version the profile carries, or from a binary field), the items grouped by model so each
 * group is explained in one batch, and each item passed on with `factors` (and `bucketFactors`).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import {
	type BucketFactorSummary,
	defaultTopK,
	explainInWarehouse,
	explainProfilesEach,
	InputError,
	loadModel,
	type Model,
	modelOfRun,
	type ScoredProfile,
	type ScoresRun,
	scoresTableWhere,
	withThousands,
} from '../../../../core';
import { modelOfItem } from '../../shared/binary';
import { workHooksOf } from '../../shared/hooks';
import { modelVersionOf } from '../../shared/model';
import { nodeErrorOf, errorItem } from '../../shared/errors';
import { openNodeStore, withStore } from '../../shared/store';
import { type WarehouseEngine, scoresTableOf, warehouseOfItems } from '../../shared/warehouse';
import type { FoundModel, ModelCache } from '../../ScoreProfiles/v1/utils';

export interface ModelGroup {
	readonly found: FoundModel;
	readonly indexes: number[];
}

interface ExplainOptions {
	modelName?: string;
	modelVersion?: string;
}

/** Where an item's model is and how to read it. */
function modelRequest(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): { key: string; load: () => Promise<FoundModel> } {
	if (ctx.getNodeParameter('modelSource', itemIndex, 'store') === 'binary') {
		const property = (ctx.getNodeParameter('modelBinaryPropertyName', itemIndex, 'model') as string).trim() || 'model';
		const binary = item.binary?.[property];
		// Items that share one stored binary share one read; inline data is told apart by its size and name.
		const key = `binary:${binary?.id ?? `${binary?.fileName}:${binary?.fileSize}:${binary?.data?.length}:${itemIndex}`}`;
		return { key, load: async () => ({ model: await modelOfItem(ctx, item, itemIndex, property), version: null }) };
	}
	const options = ctx.getNodeParameter('options', itemIndex, {}) as ExplainOptions;
	const given = options.modelName?.trim();
	const carried = item.json.model as { name?: unknown; version?: unknown } | undefined;
	const name = given || (typeof carried?.name === 'string' ? carried.name : '');
	if (name === '') {
		throw new InputError(
			`Item ${itemIndex + 1} names no model (no model.name): explain profiles as Score Profiles outputs them, or set Options › Model Name.`,
			'missing-model-name',
		);
	}
	const version = given ? modelVersionOf(options.modelVersion, name) : typeof carried?.version === 'number' ? carried.version : 'latest';
	return {
		key: `store:${name}@${version}`,
		load: () =>
			withStore(ctx, itemIndex, async (store) => {
				const { model, info } = await loadModel(store, name, version);
				return { model, version: info.version };
			}),
	};
}

/** The items grouped by the model that explains them, and the items whose model could not be read. */
export async function groupByModel(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	models: ModelCache,
): Promise<{ groups: ModelGroup[]; failures: [number, unknown][] }> {
	const groups = new Map<string, ModelGroup>();
	const failures: [number, unknown][] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const { key, load } = modelRequest(ctx, items[itemIndex], itemIndex);
			const found = await models.get(key, load);
			const group = groups.get(key) ?? { found, indexes: [] };
			group.indexes.push(itemIndex);
			groups.set(key, group);
		} catch (error) {
			failures.push([itemIndex, error]);
		}
	}
	return { groups: [...groups.values()], failures };
}

type Outcome = { item: INodeExecutionData } | { error: unknown };

/**
 * Explains a group's profiles in one batch; a profile the core cannot explain (no feature values,
 * or scored by another model) gets its own error and the rest are explained (explainProfilesEach).
 */
export async function explainGroup(ctx: IExecuteFunctions, items: INodeExecutionData[], group: ModelGroup): Promise<Map<number, Outcome>> {
	const topK = ctx.getNodeParameter('topK', group.indexes[0], defaultTopK) as number;
	const perBucket = ctx.getNodeParameter('bucketSummary', group.indexes[0], false) as boolean;
	const profiles = group.indexes.map((i) => items[i].json as unknown as ScoredProfile);
	const each = await explainProfilesEach(group.found.model, profiles, { topK, perBucket, itemNumbers: group.indexes.map((i) => i + 1) }, workHooksOf(ctx));
	const outcomes = new Map<number, Outcome>();
	const good: number[] = [];
	const explained = { profiles: [] as ScoredProfile[], buckets: each.buckets };
	each.outcomes.forEach((outcome, i) => {
		if ('error' in outcome) outcomes.set(group.indexes[i], { error: outcome.error });
		else {
			good.push(group.indexes[i]);
			explained.profiles.push(outcome.profile);
		}
	});
	const bucketOf = new Map<string, BucketFactorSummary>((explained.buckets ?? []).map((summary) => [summary.bucket, summary]));
	good.forEach((itemIndex, i) => {
		const profile = explained.profiles[i];
		const json = { ...items[itemIndex].json, factors: profile.factors } as IDataObject;
		if (perBucket) json.bucketFactors = (bucketOf.get(profile.bucket) ?? null) as unknown as IDataObject;
		outcomes.set(itemIndex, { item: { json, ...(items[itemIndex].binary ? { binary: items[itemIndex].binary } : {}), pairedItem: { item: itemIndex } } });
	});
	return outcomes;
}

/** The profile id of an item, or why it has none. */
function profileIdOf(item: INodeExecutionData, itemIndex: number): string | InputError {
	const id = item.json.profileId;
	if (typeof id === 'string' && id.trim() !== '') return id;
	if (typeof id === 'number' && Number.isFinite(id)) return String(id);
	return new InputError(
		`Item ${itemIndex + 1} has no profileId: give one profile per item, as Build Segment or Score Profiles hands them on (or a Set node writing profileId).`,
		'missing-profile-id',
	);
}

/**
 * Features From a table in place: the items' profiles (by profileId) of the latest run in the
 * scores table, their features computed by the warehouse as of that run and explained here
 * (one core call for all items). Each item goes on with the run's scores, the attributes, the
 * factors and where the work ran; an item that cannot be explained gets its own error.
 */
export async function explainInPlace(ctx: IExecuteFunctions, items: INodeExecutionData[]): Promise<INodeExecutionData[]> {
	const engine = ctx.getNodeParameter('featuresFrom', 0) as WarehouseEngine;
	const topK = ctx.getNodeParameter('topK', 0, defaultTopK) as number;
	const perBucket = ctx.getNodeParameter('bucketSummary', 0, false) as boolean;
	const scoresTable = scoresTableOf(ctx, 0);
	const { source, reference } = await warehouseOfItems(ctx, items, engine, {
		setting: 'Features From',
		before: 'Score Profiles (writing the scores table)',
		instead: 'Profile Items',
	});
	const ids = items.map((item, itemIndex) => profileIdOf(item, itemIndex));
	const wanted = ids.filter((id): id is string => typeof id === 'string');
	const options = ctx.getNodeParameter('options', 0, {}) as ExplainOptions;
	const named = options.modelName?.trim() || undefined;
	const store = ctx.getNodeParameter('modelSource', 0, 'store') === 'store' ? await openNodeStore(ctx, 0) : undefined;
	try {
		let model: Model | ((run: ScoresRun) => Promise<Model>);
		if (!store) {
			const property = (ctx.getNodeParameter('modelBinaryPropertyName', 0, 'model') as string).trim() || 'model';
			model = await modelOfItem(ctx, items[0], 0, property);
		} else if (named) model = (await loadModel(store, named, modelVersionOf(options.modelVersion, named))).model;
		else model = modelOfRun(store);
		const explained = await explainInWarehouse(source, reference.mapping, model, wanted, {
			scoresTable,
			topK,
			perBucket,
			...(named ? { modelName: named } : {}),
		});
		const byId = new Map(explained.profiles.map((profile) => [profile.profileId, profile]));
		const bucketOf = new Map<string, BucketFactorSummary>((explained.buckets ?? []).map((summary) => [summary.bucket, summary]));
		const where = { workRanIn: reference.source, scoresTable: scoresTableWhere(source, scoresTable) };
		ctx.logger.info(
			`${ctx.getNode().name}: explained ${withThousands(explained.profiles.length)} of ${withThousands(items.length)} profiles of the run at ${explained.run.scoreDate} in ${where.scoresTable}, features computed in ${where.workRanIn}`,
		);
		const out: INodeExecutionData[] = [];
		items.forEach((item, itemIndex) => {
			const id = ids[itemIndex];
			const profile = typeof id === 'string' ? byId.get(id) : undefined;
			if (!profile) {
				const error =
					typeof id === 'string' ? (explained.unexplained.get(id) ?? new InputError(`Profile "${id}" was not explained.`, 'not-explained')) : id;
				if (!ctx.continueOnFail()) throw nodeErrorOf(ctx, error, itemIndex);
				out.push(errorItem(error, { item: itemIndex }));
				return;
			}
			// The run's scores and the reasons, beside what the item carried; the feature values stay in the warehouse's answer.
			const { features: _features, ...scored } = profile;
			const json = { ...item.json, ...scored, ...where } as unknown as IDataObject;
			if (perBucket) json.bucketFactors = (bucketOf.get(profile.bucket) ?? null) as unknown as IDataObject;
			out.push({ json, ...(item.binary ? { binary: item.binary } : {}), pairedItem: { item: itemIndex } });
		});
		return out;
	} finally {
		await store?.close().catch(() => undefined);
	}
}
