/**
 * Node "propensity-explain-factors": the top factors behind each scored profile on
 * msg.payload (a list, or one profile), in sentences a marketer reads, and the top factors
 * of each bucket on msg.bucketFactors. The profiles must carry their feature values
 * (Score Profiles: "Include feature values"), so the model alone explains them. A profile that
 * cannot be explained goes to Catch nodes on its own (msg.payload: that profile), and the rest
 * go on, as in n8n.
 */
import { defaultTopK, explainProfilesEach, InputError, type ScoredProfile } from '../../core';
import { chosenModel } from './config';
import type { NodeAPI } from './red';
import { count, forNodeRed, handleMessages, registerNode } from './run';
import { asWholeNumber, describe } from './settings';

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
			const { model } = await chosenModel(RED, node, msg, config, 'Explain Factors');
			const topK = asWholeNumber(config.topK, 'factors per profile', 1) ?? defaultTopK;
			const each = await explainProfilesEach(model, profiles, { topK, perBucket: config.perBucket !== false }, hooks);
			const explained: ScoredProfile[] = [];
			const failed: { profile: ScoredProfile; error: InputError }[] = [];
			each.outcomes.forEach((outcome, i) =>
				'error' in outcome ? failed.push({ profile: profiles[i], error: outcome.error }) : explained.push(outcome.profile),
			);
			// Nothing explained: the message fails as a whole, with the first profile's reason.
			if (explained.length === 0 && failed.length > 0) throw failed[0].error;
			for (const { profile, error } of failed) node.error(forNodeRed(error), { ...msg, payload: profile });
			msg.payload = one ? explained[0] : explained;
			msg.bucketFactors = each.buckets ?? null;
			msg.model = model;
			send(msg);
			const skipped = failed.length > 0 ? `, ${count(failed.length)} could not be` : '';
			return {
				fill: failed.length > 0 ? 'yellow' : 'green',
				shape: 'dot',
				text: `${count(explained.length)} profiles explained${skipped}, ${topK} factors each`,
			};
		});
	});
};
