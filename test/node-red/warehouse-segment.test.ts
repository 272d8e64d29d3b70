/**
 * Node-RED's build segment over a warehouse scores table (msg.warehouse, as Load Events and
 * Score Profiles leave it), on PostgreSQL and the two-shard ClickHouse cluster: the rule runs
 * there, only the entrants come back (the members the same rule picks in memory), each message
 * says where the work ran, and a second run hands on no one already in the segment.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import scoreProfilesNode from '../../nodes/node-red/score-profiles';
import loadEventsNode from '../../nodes/node-red/load-events';
import { saveModel, scoreInWarehouse } from '../../core/pipeline';
import { openStore } from '../../core/store';
import { repoRoot } from '../support/n8n';
import buildSegmentNode from '../../nodes/node-red/build-segment';
import clickHouseConfigNode from '../../nodes/node-red/clickhouse-config';
import postgresConfigNode from '../../nodes/node-red/postgres-config';
import storeConfigNode from '../../nodes/node-red/store-config';
import type { SegmentMember } from '../../core/segment';
import type { WarehouseSource } from '../../core/warehouse/source';
import { engines } from '../warehouse/support';
import { WarehouseSegmentFixture, firstAsOf, secondAsOf } from '../warehouse/hostSegment';
import { freshDir } from './support/fixtures';
import { helper, message, messages, noMessage, statusWhere, type FlowNode } from './support/helper';

const nodes = [postgresConfigNode, clickHouseConfigNode, storeConfigNode, buildSegmentNode, loadEventsNode, scoreProfilesNode];
const rule = 'top=10%';

function flow(source: WarehouseSource, storePath: string, settings: Record<string, unknown> = {}): FlowNode[] {
	const connection =
		source.engine === 'postgres'
			? { id: 'conn', type: 'propensity-postgres', host: source.host, port: String(source.port), database: source.database, ssl: 'off' }
			: { id: 'conn', type: 'propensity-clickhouse', host: source.host, port: String(source.port), database: source.database };
	return [
		{ id: 'tab', type: 'tab', label: 'warehouse segment' },
		connection,
		{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
		{
			id: 'segment',
			z: 'tab',
			type: 'propensity-build-segment',
			rule,
			ruleType: 'str',
			segmentName: 'top-tenth',
			mode: 'entered',
			store: 'store',
			output: 'each',
			scoresTable: 'nr_seg_scores',
			...settings,
			wires: [['in'], ['not-in']],
		},
		{ id: 'in', z: 'tab', type: 'helper' },
		{ id: 'not-in', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: build segment over a warehouse scores table (PostgreSQL and the ClickHouse cluster)', function () {
	this.timeout(600000);
	const fixture = new WarehouseSegmentFixture();

	afterEach(() => helper.unload());

	for (const engine of engines) {
		it(`hands on only the entrants, chosen in ${engine}, and none again on the next run`, async () => {
			const { source, reference } = await fixture.prepare(engine, 'nr_seg_events', 'nr_seg_scores', 'conn');
			await helper.load(nodes, flow(source, freshDir(`warehouse-segment-${engine}`)), { conn: { user: source.user, password: source.password } });
			const node = helper.getNode('segment');
			// No timer: a failure ends the race at once, and nothing keeps mocha waiting after the test.
			const failed = new Promise<never>((_, reject) =>
				helper.getNode('errors').on('input', (msg: Record<string, unknown>) => reject(new Error(`build segment failed: ${JSON.stringify(msg.error)}`))),
			);
			let outside = 0;
			helper.getNode('not-in').on('input', () => (outside += 1));
			const where = new RegExp(`^${engine}://${source.user}@${source.host}:${source.port}/${source.database}\\?table=(public\\.)?nr_seg_scores$`);

			// First run: the scores of the first date; everyone in the segment has entered.
			const first = await fixture.score(source, 'nr_seg_scores', firstAsOf);
			const expected1 = await fixture.members(rule, firstAsOf);
			assert.ok(expected1.length > 10, `${expected1.length} members: a weak test`);
			let done = statusWhere(node, (status) => status.fill === 'green', 300000);
			let got = messages(helper.getNode('in'), expected1.length, 300000);
			node.receive({ payload: first, scoreSummary: first, warehouse: reference, runAt: '2026-04-01T06:00:00Z' });
			const entrants1 = await Promise.race([got, failed]);
			assert.deepEqual(entrants1.map((msg) => (msg.payload as SegmentMember).profileId).sort(), expected1, 'the members the rule picks in memory');
			for (const msg of entrants1) {
				assert.equal((msg.segment as { status: string }).status, 'entered');
				assert.match(String(msg.workRanIn), where);
				assert.ok(!JSON.stringify(msg).includes(source.password), 'no password on a message');
			}
			assert.match(
				String((await done).text),
				new RegExp(`^${expected1.length} entered · ${expected1.length} in segment, ${first.scored - expected1.length} not · run 1$`),
			);

			// Again on the same scores: nobody new, nothing handed on.
			done = statusWhere(node, (status) => status.fill === 'green', 300000);
			const quiet = noMessage(helper.getNode('in'), 3000);
			node.receive({ payload: first, scoreSummary: first, warehouse: reference, runAt: '2026-04-02T06:00:00Z' });
			assert.match(String((await Promise.race([done, failed])).text), /^0 entered · /);
			await quiet;

			// A month later: only those who were not in the segment before.
			const second = await fixture.score(source, 'nr_seg_scores', secondAsOf);
			const expected2 = (await fixture.members(rule, secondAsOf)).filter((id) => !expected1.includes(id));
			assert.ok(expected2.length > 0, 'someone entered: a weak test');
			got = messages(helper.getNode('in'), expected2.length, 300000);
			node.receive({ payload: second, scoreSummary: second, warehouse: reference, runAt: '2026-05-01T06:00:00Z' });
			const entrants2 = await Promise.race([got, failed]);
			assert.deepEqual(entrants2.map((msg) => (msg.payload as SegmentMember).profileId).sort(), expected2);
			assert.ok(
				entrants2.every((msg) => !expected1.includes((msg.payload as SegmentMember).profileId)),
				'no one already in the segment',
			);
			assert.equal(outside, 0, 'output 2 sends nothing: only the members come back from the warehouse');
		});
	}

	it('refuses a rule on factors without factors asked for, with what to do instead, and msg.scoresTable names another table', async () => {
		const { source, reference } = await fixture.prepare('clickhouse', 'nr_seg_events', 'nr_seg_scores', 'conn');
		await helper.load(nodes, flow(source, freshDir('warehouse-segment-errors'), { rule: 'factor=recency:raises' }), {
			conn: { user: source.user, password: source.password },
		});
		let error = message(helper.getNode('errors'), 60000);
		helper.getNode('segment').receive({ warehouse: reference, payload: {} });
		assert.match(
			((await error).error as { message: string }).message,
			/The factor rule on "recency" needs each profile's factors: ask for them .*Node-RED: Factors/,
		);
		error = message(helper.getNode('errors'), 60000);
		helper.getNode('segment').receive({ warehouse: reference, payload: {}, rules: 'top=5', scoresTable: 'no_such_scores' });
		assert.match(((await error).error as { message: string }).message, /The scores table clickhouse:\/\/.*no_such_scores does not exist/);
	});

	it("hands on each entrant with its reasons, read from the events and explained with the run's model from the store (Factors)", async () => {
		const { source, reference } = await fixture.prepare('clickhouse', 'nr_seg_events', 'nr_seg_scores', 'conn');
		const storePath = freshDir('warehouse-segment-reasons');
		const store = await openStore({ kind: 'folder', path: storePath });
		const saved = await saveModel(store, await fixture.model).finally(() => store.close());
		const summary = await scoreInWarehouse(source, {}, await fixture.model, { scoresTable: 'nr_seg_scores', asOf: firstAsOf, modelVersion: saved.version });
		await helper.load(nodes, flow(source, storePath, { factors: 2, segmentName: 'with-reasons' }), {
			conn: { user: source.user, password: source.password },
		});
		const failed = new Promise<never>((_, reject) =>
			helper.getNode('errors').on('input', (msg: Record<string, unknown>) => reject(new Error(`build segment failed: ${JSON.stringify(msg.error)}`))),
		);
		const expected = await fixture.explainedMembers(rule, firstAsOf, 2);
		const got = messages(helper.getNode('in'), expected.size, 300000);
		helper.getNode('segment').receive({ payload: summary, scoreSummary: summary, warehouse: reference, runAt: '2026-04-01T06:00:00Z' });
		for (const msg of await Promise.race([got, failed])) {
			const member = msg.payload as SegmentMember;
			assert.deepEqual(member, expected.get(member.profileId), 'the reasons and attributes of the in-memory path');
			assert.equal(member.factors.length, 2);
		}
	});

	it('the example "Score daily in the warehouse" scores on the cluster and mails the entrants once, each with its reasons', async () => {
		const example = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'Score daily in the warehouse.json'), 'utf8')) as FlowNode[];
		const { source } = await fixture.prepare('clickhouse', 'nr_example_daily_events', 'propensity_scores', 'unused');
		const storePath = freshDir('warehouse-daily-example-store');
		const model = await fixture.model;
		const store = await openStore({ kind: 'folder', path: storePath });
		await saveModel(store, model).finally(() => store.close());
		Object.assign(process.env, {
			PROPENSITY_CLICKHOUSE_HOST: source.host,
			PROPENSITY_CLICKHOUSE_DATABASE: source.database,
			PROPENSITY_WAREHOUSE_TABLE: 'nr_example_daily_events',
			PROPENSITY_STORE: storePath,
		});
		// The example's own nodes, Build Segment's first output wired to a helper; the port is the test cluster's, the model the fixture's.
		const kept = example
			.filter((node) => node.type === 'tab' || node.type.startsWith('propensity-'))
			.map((node) => (node.type === 'propensity-clickhouse' ? { ...node, port: String(source.port) } : node))
			.map((node) => (node.type === 'propensity-score-profiles' ? { ...node, modelName: model.name } : node))
			.map((node) => (node.type === 'propensity-build-segment' ? { ...node, wires: [['out'], []] } : node));
		const tab = kept.find((node) => node.type === 'tab') as FlowNode;
		const config = kept.find((node) => node.type === 'propensity-clickhouse') as FlowNode;
		const load = kept.find((node) => node.type === 'propensity-load-events') as FlowNode;
		const segment = kept.find((node) => node.type === 'propensity-build-segment') as FlowNode;
		await helper.load(nodes, [...kept, { id: 'out', z: tab.id, type: 'helper' }], { [config.id]: { user: source.user, password: source.password } });
		const entered = message(helper.getNode('out'), 300000);
		const committed = statusWhere(helper.getNode(segment.id), (status) => status.fill === 'green', 300000);
		helper.getNode(load.id).receive({});
		const msg = await entered;
		assert.match(String((await committed).text), /entered · .* · run 1$/);
		const latest = new Date(Math.max(...fixture.rows.map((row) => row.timestamp as number))).toISOString();
		const expected = await fixture.members('top=5%', latest);
		assert.deepEqual((msg.payload as SegmentMember[]).map((member) => member.profileId).sort(), expected, 'the top 5% of the latest scores, all entered');
		// Each entrant comes with its three reasons, those of the in-memory path, and the example's email lists them.
		const explained = await fixture.explainedMembers('top=5%', latest, 3);
		for (const member of msg.payload as SegmentMember[]) assert.deepEqual(member.factors, explained.get(member.profileId)?.factors);
		const email = example.find((node) => node.type === 'function' && node.name === 'entrants email') as FlowNode & { func: string };
		const env = { get: (name: string) => ({ PROPENSITY_REPORT_TO: 'sales@example.com', PROPENSITY_MAIL_FROM: 'propensity@example.com' })[name] };
		const mail = new Function('msg', 'env', email.func)(structuredClone(msg), env) as { payload: string; to: string };
		assert.equal(mail.to, 'sales@example.com');
		for (const member of msg.payload as SegmentMember[]) {
			assert.equal(member.factors.length, 3);
			for (const reason of member.factors)
				assert.ok(mail.payload.includes(`  - ${reason}`), `the email gives the reason "${reason}" of ${member.profileId}`);
		}
		assert.ok((msg.statuses as string[]).every((status) => status === 'entered'));
		assert.match(String(msg.workRanIn), /^clickhouse:\/\/.*table=propensity_scores$/);

		// The next day on the same events: nobody new, nothing handed on.
		const done = statusWhere(helper.getNode(segment.id), (status) => status.fill === 'green', 300000);
		const quiet = noMessage(helper.getNode('out'), 3000);
		helper.getNode(load.id).receive({});
		assert.match(String((await done).text), /^0 entered · /);
		await quiet;
	});
});
