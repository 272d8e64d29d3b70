/**
 * Node "propensity-explain-factors": the top factors behind each scored profile on
 * msg.payload (a list, or one profile), in sentences a marketer reads, and the top factors
 * of each bucket on msg.bucketFactors. The profiles must carry their feature values
 * (Score Profiles: "Include feature values"), so the model alone explains them.
 */
import { explainProfiles, InputError, type ScoredProfile } from '../../core';
import { chosenModel } from './config';
import type { NodeAPI } from './red';
import { count, handleMessages, registerNode } from './run';
import { asWholeNumber, describe } from './settings';

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-explain-factors', (node, config) => {
		handleMessages(node, async (msg, send, { hooks }) => {
			const payload = msg.payload;
			const one = payload !== null && typeof payload === 'object' && !Array.isArray(payload);
			if (!one && !Array.isArray(payload)) {
				throw new InputError(`msg.payload must be the scored profiles (a list from Score Profiles, or one profile), not ${describe(payload)}.`, 'bad-payload');
			}
			const profiles = (one ? [payload] : payload) as ScoredProfile[];
			const { model } = await chosenModel(RED, node, msg, config, 'Explain Factors');
			const topK = asWholeNumber(config.topK, 'factors per profile', 1) ?? 3;
			const explained = await explainProfiles(model, profiles, { topK, perBucket: config.perBucket !== false }, hooks);
			msg.payload = one ? explained.profiles[0] : explained.profiles;
			msg.bucketFactors = explained.buckets ?? null;
			msg.model = model;
			send(msg);
			return { fill: 'green', shape: 'dot', text: `${count(profiles.length)} profiles explained, ${topK} factors each` };
		});
	});
};
