/**
 * Node-RED's explain factors on a warehouse table in place (msg.warehouse, as Load Events,
 * Score Profiles and Build Segment pass it on), on PostgreSQL and the two-shard ClickHouse
 * cluster: Build Segment's members over the scores table go on to explain factors, whose
 * features are computed there by SQL and explained in process; each profile carries the
 * in-memory path's scores and factors, and a profile not in the run goes to a catch node alone.
 */
import assert from 'node:assert/strict';
import buildSegmentNode from '../../nodes/node-red/build-segment';
import clickHouseConfigNode from '../../nodes/node-red/clickhouse-config';
import explainFactorsNode from '../../nodes/node-red/explain-factors';
import postgresConfigNode from '../../nodes/node-red/postgres-config';
import storeConfigNode from '../../nodes/node-red/store-config';
import { saveModel, scoreInWarehouse } from '../../core/pipeline';
import type { ScoredProfile } from '../../core/score/types';
import { openStore } from '../../core/store';
import type { WarehouseSource } from '../../core/warehouse/source';
import { engines } from '../warehouse/support';
import { WarehouseSegmentFixture, firstAsOf } from '../warehouse/hostSegment';
import { freshDir } from './support/fixtures';
import { helper, message, type FlowNode } from './support/helper';

const nodes = [postgresConfigNode, clickHouseConfigNode, storeConfigNode, buildSegmentNode, explainFactorsNode];
const k = 3;

function flow(source: WarehouseSource, storePath: string, modelName: string): FlowNode[] {
	const connection =
		source.engine === 'postgres'
			? { id: 'conn', type: 'propensity-postgres', host: source.host, port: String(source.port), database: source.database, ssl: 'off' }
			: { id: 'conn', type: 'propensity-clickhouse', host: source.host, port: String(source.port), database: source.database };
	return [
		{ id: 'tab', type: 'tab', label: 'warehouse explain' },
		connection,
		{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
		{
			id: 'segment',
			z: 'tab',
			type: 'propensity-build-segment',
			rule: 'top=5%',
			ruleType: 'str',
			segmentName: 'keen',
			mode: 'all',
			store: 'store',
			output: 'array',
			scoresTable: 'nr_wx_scores',
			wires: [['explain'], []],
		},
		{
			id: 'explain',
			z: 'tab',
			type: 'propensity-explain-factors',
			modelFrom: 'store',
			store: 'store',
			modelName,
			modelNameType: 'str',
			modelVersion: 'latest',
			topK: k,
			perBucket: true,
			scoresTable: 'nr_wx_scores',
			wires: [['out']],
		},
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: explain factors on a warehouse table in place (PostgreSQL and the ClickHouse cluster)', function () {
	this.timeout(600000);
	const fixture = new WarehouseSegmentFixture();
	afterEach(() => helper.unload());

	for (const engine of engines) {
		it(`explains Build Segment's members from features computed in ${engine}, as the in-memory path does`, async () => {
			const { source, reference } = await fixture.prepare(engine, 'nr_wx_events', 'nr_wx_scores', 'conn');
			const storePath = freshDir(`warehouse-explain-${engine}`);
			const model = await fixture.model;
			const store = await openStore({ kind: 'folder', path: storePath });
			const saved = await saveModel(store, model).finally(() => store.close());
			const summary = await scoreInWarehouse(source, {}, model, { scoresTable: 'nr_wx_scores', asOf: firstAsOf, modelVersion: saved.version });
			await helper.load(nodes, flow(source, storePath, model.name), { conn: { user: source.user, password: source.password } });
			const failed = new Promise<never>((_, reject) =>
				helper.getNode('errors').on('input', (msg: Record<string, unknown>) => reject(new Error(`failed: ${JSON.stringify(msg.error)}`))),
			);
			const got = message(helper.getNode('out'), 300000);
			helper.getNode('segment').receive({ payload: summary, scoreSummary: summary, warehouse: reference });
			const msg = await Promise.race([got, failed]);
			const profiles = msg.payload as ScoredProfile[];
			assert.ok(profiles.length > 5, `${profiles.length} members: a weak test`);
			const expected = await fixture.explained(
				firstAsOf,
				k,
				profiles.map((profile) => profile.profileId),
			);
			for (const profile of profiles) {
				const want = expected.get(profile.profileId);
				assert.ok(want, profile.profileId);
				assert.deepEqual(profile.factors, want.factors, 'the factors of the in-memory path');
				assert.deepEqual([profile.score, profile.percentile, profile.bucket], [want.score, want.percentile, want.bucket]);
				assert.ok(!('features' in profile), 'the feature values stay out of the message');
			}
			assert.equal(
				msg.workRanIn,
				`${engine}://${source.user}@${source.host}:${source.port}/${source.database}?table=${engine === 'postgres' ? 'public.' : ''}nr_wx_events`,
			);
			assert.ok(Array.isArray(msg.bucketFactors) && (msg.bucketFactors as unknown[]).length > 0);
			assert.ok(!JSON.stringify(msg).includes(source.password || 'no password set'), 'no password on a message');

			// Ids alone work too; one not in the run goes to the catch node on its own.
			const error = message(helper.getNode('errors'), 300000);
			const alone = message(helper.getNode('out'), 300000);
			helper.getNode('explain').receive({ payload: ['nobody-at-all', profiles[0].profileId], warehouse: reference });
			assert.match(((await error).error as { message: string }).message, /"nobody-at-all" is not in the latest run of the model "purchase-soon"/);
			const rest = (await alone).payload as ScoredProfile[];
			assert.deepEqual(
				rest.map((profile) => profile.factors),
				[expected.get(profiles[0].profileId)?.factors],
			);
		});
	}
});
