import assert from 'node:assert/strict';
import type { BucketFactorSummary } from '../../core/explain/buckets';
import type { Model } from '../../core/model/schema';
import { scoreProfiles } from '../../core/pipeline';
import type { ScoredProfile } from '../../core/score/types';
import explainFactorsNode from '../../nodes/node-red/explain-factors';
import storeConfigNode from '../../nodes/node-red/store-config';
import { simulatedEvents, trainedModel } from './support/fixtures';
import { helper, message, statuses, type FlowNode } from './support/helper';

const nodes = [explainFactorsNode, storeConfigNode];

function flow(settings: Record<string, unknown>): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{
			id: 'explain',
			z: 'tab',
			type: 'propensity-explain-factors',
			modelFrom: 'msg',
			store: '',
			modelName: '',
			modelNameType: 'str',
			modelVersion: 'latest',
			topK: '3',
			perBucket: true,
			...settings,
			wires: [['out']],
		},
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: explain factors', function () {
	this.timeout(120000);
	let model: Model;
	let scored: ScoredProfile[];

	before(async () => {
		model = (await trainedModel()).model;
		const { loaded } = await simulatedEvents();
		scored = await (await scoreProfiles(loaded.table, model, { includeFeatures: true })).all();
	});

	afterEach(() => helper.unload());

	it('adds the top factors with sentences to every profile, and the top factors of each bucket', async () => {
		await helper.load(nodes, flow({}));
		const shown = statuses(helper.getNode('explain'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('explain').receive({ payload: scored, model });
		const msg = await arriving;
		const profiles = msg.payload as ScoredProfile[];
		assert.equal(profiles.length, scored.length);
		assert.deepEqual(
			profiles.map((p) => p.profileId),
			scored.map((p) => p.profileId),
		);
		for (const profile of profiles) {
			assert.equal(profile.factors?.length, 3);
			for (const factor of profile.factors ?? []) assert.match(factor.sentence, /\.$/);
		}
		const buckets = msg.bucketFactors as BucketFactorSummary[];
		assert.deepEqual(
			buckets.map((b) => b.bucket),
			['low', 'medium', 'high'],
		);
		assert.equal(
			buckets.reduce((sum, b) => sum + b.profiles, 0),
			scored.length,
		);
		assert.deepEqual(shown.at(-1), { fill: 'green', shape: 'dot', text: `${scored.length.toLocaleString('en-US')} profiles explained, 3 factors each` });
	});

	it('explains one profile sent on its own, and returns it on its own', async () => {
		await helper.load(nodes, flow({ topK: '1', perBucket: false }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('explain').receive({ payload: scored[0], model });
		const msg = await arriving;
		const profile = msg.payload as ScoredProfile;
		assert.equal(profile.profileId, scored[0].profileId);
		assert.equal(profile.factors?.length, 1);
		assert.equal(msg.bucketFactors, null);
	});

	it('sends profiles scored without feature values to a Catch node, saying how to score them', async () => {
		await helper.load(nodes, flow({}));
		const caught = message(helper.getNode('errors'));
		const { features: _features, ...bare } = scored[0];
		helper.getNode('explain').receive({ payload: [bare], model });
		assert.match(
			((await caught).error as { message: string }).message,
			/has no feature values, so its score cannot be explained\. Score with feature values included/,
		);
	});

	it('refuses a payload that is not scored profiles', async () => {
		await helper.load(nodes, flow({}));
		const caught = message(helper.getNode('errors'));
		helper.getNode('explain').receive({ payload: 'hello', model });
		assert.equal(
			((await caught).error as { message: string }).message,
			'msg.payload must be the scored profiles (a list from Score Profiles, or one profile), not "hello".',
		);
	});
});
