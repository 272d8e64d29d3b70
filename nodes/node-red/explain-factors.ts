/**
 * Node "propensity-explain-factors": the top factors behind each scored profile on
 * msg.payload (a list, or one profile), in sentences a marketer reads, and the top factors
 * of each bucket on msg.bucketFactors. The profiles must carry their feature values
 * (Score Profiles: "Include feature values"), so the model alone explains them. A profile that
 * cannot be explained goes to Catch nodes on its own (msg.payload: that profile), and the rest
 * go on, as in n8n.
 *
 * With msg.warehouse (a table in place, as Load Events, Score Profiles and Build Segment leave
 * it), the profiles are those of the latest run in the scores table: their features are
 * computed there by SQL, as of that run, and explained here.
 */
import {
	defaultTopK,
	explainInWarehouse,
	explainProfilesEach,
	InputError,
	loadModel,
	type Model,
	modelOfRun,
	type ScoredProfile,
	type ScoresRun,
} from '../../core';
import { chosenModel, storeModelChoice, storeNode, warehouseOfMessage, withStore } from './config';
import type { Node, NodeAPI, NodeDef, NodeMessage, SendFunction } from './red';
import { count, forNodeRed, handleMessages, registerNode } from './run';
import { asWholeNumber, describe, modelOf, scoresTableOf } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-explain-factors', (node, config) => {
		handleMessages(node, async (msg, send, { hooks }) => {
			const payload = msg.payload;
			const one = payload !== null && typeof payload === 'object' && !Array.isArray(payload);
			if (!one && !Array.isArray(payload)) {
				throw new InputError(
					`msg.payload must be the scored profiles (a list from Score Profiles, or one profile), not ${describe(payload)}.`,
					'bad-payload',
				);
			}
			const profiles = (one ? [payload] : payload) as ScoredProfile[];
			const topK = asWholeNumber(config.topK, 'factors per profile', 1) ?? defaultTopK;
			if (msg.warehouse !== undefined && msg.warehouse !== null) return explainInPlace(RED, node, msg, config, send, { profiles, one, topK });
			const { model } = await chosenModel(RED, node, msg, config, 'Explain Factors');
			const each = await explainProfilesEach(model, profiles, { topK, perBucket: config.perBucket !== false }, hooks);
			const explained: ScoredProfile[] = [];
			const failed: { profile: ScoredProfile; error: InputError }[] = [];
			each.outcomes.forEach((outcome, i) =>
				'error' in outcome ? failed.push({ profile: profiles[i], error: outcome.error }) : explained.push(outcome.profile),
			);
			return sendExplained(node, msg, send, { one, explained, failed, buckets: each.buckets ?? null, model, topK });
		});
	});
};

interface Explained {
	readonly one: boolean;
	readonly explained: ScoredProfile[];
	readonly failed: { profile: ScoredProfile; error: InputError }[];
	readonly buckets: unknown;
	readonly model: Model;
	readonly topK: number;
}

/** The explained profiles on msg.payload, each one that failed to Catch nodes on its own; the status. */
function sendExplained(node: Node, msg: NodeMessage, send: SendFunction, result: Explained) {
	const { one, explained, failed, buckets, model, topK } = result;
	// Nothing explained: the message fails as a whole, with the first profile's reason.
	if (explained.length === 0 && failed.length > 0) throw failed[0].error;
	for (const { profile, error } of failed) node.error(forNodeRed(error), { ...msg, payload: profile });
	msg.payload = one ? explained[0] : explained;
	msg.bucketFactors = buckets;
	msg.model = model;
	send(msg);
	const skipped = failed.length > 0 ? `, ${count(failed.length)} could not be` : '';
	return {
		fill: failed.length > 0 ? 'yellow' : 'green',
		shape: 'dot',
		text: `${count(explained.length)} profiles explained${skipped}, ${topK} factors each`,
	} as const;
}

/** The model to explain a table in place with: msg.model, a named model from the store, or (no name) the model of the scores table's latest run. */
async function modelInPlace(
	RED: NodeAPI,
	node: Node,
	msg: NodeMessage,
	config: NodeDef,
): Promise<{ model: Model | ((run: ScoresRun) => Promise<Model>); name?: string }> {
	if (config.modelFrom !== 'store') {
		const model = modelOf(msg);
		if (!model)
			throw new InputError('The message has no msg.model: set Model to "from the model store", which finds the model that scored the run.', 'no-model');
		return { model };
	}
	const { name, version } = await storeModelChoice(RED, node, msg, config);
	const store = storeNode(RED, config.store, 'Explain Factors');
	if (!name) return { model: (run) => withStore(store, (opened) => modelOfRun(opened)(run)) };
	return { model: (await withStore(store, (opened) => loadModel(opened, name, version))).model, name };
}

/**
 * msg.warehouse: the profiles (by profileId, or ids alone) of the latest run in the scores table
 * (the setting, or msg.scoresTable) beside the events, explained from features computed there.
 */
async function explainInPlace(
	RED: NodeAPI,
	node: Node,
	msg: NodeMessage,
	config: NodeDef,
	send: SendFunction,
	given: { profiles: readonly unknown[]; one: boolean; topK: number },
) {
	const warehouse = warehouseOfMessage(RED, msg, 'Explain Factors');
	if (!warehouse) throw new Error('explainInPlace: msg.warehouse is missing');
	const scoresTable = scoresTableOf(msg, config);
	const ids = given.profiles.map((profile, i) => profileIdOf(profile, i));
	const { model, name } = await modelInPlace(RED, node, msg, config);
	const result = await explainInWarehouse(
		warehouse.source,
		warehouse.mapping,
		model,
		ids.filter((id): id is string => typeof id === 'string'),
		{ scoresTable, topK: given.topK, perBucket: config.perBucket !== false, ...(name ? { modelName: name } : {}) },
	);
	const byId = new Map(result.profiles.map((profile) => [profile.profileId, profile]));
	const explained: ScoredProfile[] = [];
	const failed: { profile: ScoredProfile; error: InputError }[] = [];
	given.profiles.forEach((input, i) => {
		const id = ids[i];
		const profile = typeof id === 'string' ? byId.get(id) : undefined;
		const carried = (input !== null && typeof input === 'object' ? input : { profileId: input }) as ScoredProfile;
		if (profile) {
			// The run's scores and the reasons, beside what the profile carried; the feature values stay out.
			const { features: _features, ...scored } = profile;
			explained.push({ ...carried, ...scored });
		} else
			failed.push({
				profile: carried,
				error: typeof id === 'string' ? (result.unexplained.get(id) ?? new InputError(`Profile "${id}" was not explained.`, 'not-explained')) : id,
			});
	});
	msg.workRanIn = warehouse.where;
	return sendExplained(node, msg, send, { one: given.one, explained, failed, buckets: result.buckets ?? null, model: result.model, topK: given.topK });
}

/** The profile id of a profile (or of an id given alone), or why it has none. */
function profileIdOf(profile: unknown, index: number): string | InputError {
	const id = profile !== null && typeof profile === 'object' ? (profile as { profileId?: unknown }).profileId : profile;
	if (typeof id === 'string' && id.trim() !== '') return id;
	if (typeof id === 'number' && Number.isFinite(id)) return String(id);
	return new InputError(
		`Profile ${index + 1} of msg.payload has no profileId: give the profiles as Build Segment or Score Profiles sends them, or their ids.`,
		'missing-profile-id',
	);
}
