/**
 * Node-RED with a table in place: Load Events refers to a table on PostgreSQL or on the
 * two-shard ClickHouse cluster (msg.warehouse, never the password), Define Goal counts
 * readiness there and Train Model computes the examples there. The model is the one trained on
 * the same events in memory, and each message says where the work ran.
 */
import assert from 'node:assert/strict';
import { EventTableBuilder } from '../../core/events/table';
import { trainModel } from '../../core/pipeline';
import { simulateShop } from '../../core/simulate';
import type { Model } from '../../core/model/schema';
import clickHouseConfigNode from '../../nodes/node-red/clickhouse-config';
import defineGoalNode from '../../nodes/node-red/define-goal';
import loadEventsNode from '../../nodes/node-red/load-events';
import postgresConfigNode from '../../nodes/node-red/postgres-config';
import trainModelNode from '../../nodes/node-red/train-model';
import scoreProfilesNode from '../../nodes/node-red/score-profiles';
import monitorModelNode from '../../nodes/node-red/monitor-model';
import { openStore, saveModel, scoreProfiles } from '../../core/pipeline';
import { connectWarehouse } from '../../core/warehouse/client';
import type { EventTable } from '../../core/events/table';
import type { WarehouseSource } from '../../core/warehouse/source';
import { type TestColumn, type TestRow, engines, writeRows } from '../warehouse/support';
import { purchaseGoal, smallMinimums } from './support/fixtures';
import { helper, message, type FlowNode } from './support/helper';
import fs from 'node:fs';
import path from 'node:path';
import storeConfigNode from '../../nodes/node-red/store-config';
import { freshDir } from './support/fixtures';
import { repoRoot } from '../support/n8n';

const nodes = [postgresConfigNode, clickHouseConfigNode, storeConfigNode, loadEventsNode, defineGoalNode, trainModelNode, scoreProfilesNode];

const columns: TestColumn[] = [
	{ name: 'customer_id', kind: 'text' },
	{ name: 'timestamp', kind: 'time' },
	{ name: 'event_type', kind: 'text' },
	{ name: 'value', kind: 'number' },
	{ name: 'channel', kind: 'text' },
];

/** Simulated shop events as rows, times to the whole second (ClickHouse's DateTime). */
function simulatedRows(): TestRow[] {
	return [...simulateShop({ profiles: 1200, seed: 5, historyDays: 200 })].map((event) => ({
		customer_id: event.profileId,
		timestamp: Math.floor(event.time / 1000) * 1000,
		event_type: event.type,
		value: event.value,
		channel: event.channel,
	}));
}

function eventTable(rows: readonly TestRow[]): EventTable {
	const builder = new EventTableBuilder([{ name: 'channel', kind: 'category' }]);
	for (const row of rows)
		builder.add(row.customer_id as string, row.timestamp as number, row.event_type as string, (row.value as number | undefined) ?? NaN, [
			(row.channel as string | undefined) ?? undefined,
		]);
	return builder.build().table;
}

function inMemoryModel(rows: readonly TestRow[]): Promise<Model> {
	return trainModel(eventTable(rows), purchaseGoal, { learner: 'gbdt', seed: 3, ...smallMinimums }).then((outcome) => outcome.model);
}

/** The rows of a scores table, by profile. */
async function scoresIn(
	source: WarehouseSource,
	table: string,
): Promise<Map<string, { probability: number; score: number; percentile: number; bucket: string }>> {
	const client = await connectWarehouse(source);
	try {
		const rows = await client.rows(`SELECT profile_id, probability, score, percentile, bucket FROM ${table}`, []);
		return new Map(
			rows.map((row) => [
				String(row.profile_id),
				{ probability: Number(row.probability), score: Number(row.score), percentile: Number(row.percentile), bucket: String(row.bucket) },
			]),
		);
	} finally {
		await client.close();
	}
}

/** A model without its checksum and readiness warnings' wording. */
function withoutWording(model: unknown): unknown {
	return JSON.parse(JSON.stringify(model), (key, value: unknown) => (key === 'checksum' || key === 'warnings' ? undefined : value));
}

/** The connection config node as the editor saves it: no user or password in the flow. */
function connectionNode(source: WarehouseSource): FlowNode {
	return source.engine === 'postgres'
		? { id: 'conn', type: 'propensity-postgres', host: source.host, port: String(source.port), database: source.database, ssl: 'off' }
		: { id: 'conn', type: 'propensity-clickhouse', host: source.host, port: String(source.port), database: source.database };
}

function flow(source: WarehouseSource, table: string): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'warehouse' },
		connectionNode(source),
		{
			id: 'load',
			z: 'tab',
			type: 'propensity-load-events',
			source: 'warehouse',
			warehouseType: source.engine,
			[source.engine]: 'conn',
			table,
			attributes: [],
			wires: [['loaded', 'goal']],
		},
		{ id: 'loaded', z: 'tab', type: 'helper' },
		{
			id: 'goal',
			z: 'tab',
			type: 'propensity-define-goal',
			mode: 'json',
			goalJson: JSON.stringify(purchaseGoal),
			minPositives: String(smallMinimums.minPositives),
			minNegatives: String(smallMinimums.minNegatives),
			wires: [['checked', 'train']],
		},
		{ id: 'checked', z: 'tab', type: 'helper' },
		{
			id: 'train',
			z: 'tab',
			type: 'propensity-train-model',
			learner: 'gbdt',
			seed: 3,
			minPositives: String(smallMinimums.minPositives),
			minNegatives: String(smallMinimums.minNegatives),
			wires: [['trained', 'score']],
		},
		{ id: 'trained', z: 'tab', type: 'helper' },
		{ id: 'score', z: 'tab', type: 'propensity-score-profiles', modelFrom: 'msg', scoresTable: 'nr_wh_scores', output: 'array', wires: [['scored']] },
		{ id: 'scored', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: a table in place (PostgreSQL and the ClickHouse cluster)', function () {
	this.timeout(600000);
	const rows = simulatedRows();
	let expected: Promise<Model> | undefined;

	afterEach(() => helper.unload());

	for (const engine of engines) {
		it(`loads nothing, checks the goal and trains in ${engine}: the same model as in memory, the password nowhere`, async () => {
			expected ??= inMemoryModel(rows);
			const source = await writeRows(engine, 'nr_wh_events', columns, rows);
			await helper.load(nodes, flow(source, 'nr_wh_events'), { conn: { user: source.user, password: source.password } });
			const loaded = message(helper.getNode('loaded'), 300000);
			const checked = message(helper.getNode('checked'), 300000);
			const trained = message(helper.getNode('trained'), 300000);
			const scored = message(helper.getNode('scored'), 300000);
			// A scores table left by an earlier run of this test would hold an earlier run too.
			const drop = await connectWarehouse(source);
			await drop.rows('DROP TABLE IF EXISTS nr_wh_scores', []);
			await drop.close();
			const failed = message(helper.getNode('errors'), 300000).then((msg) => {
				throw new Error(`a node failed: ${JSON.stringify(msg.error)}`);
			});
			helper.getNode('load').receive({});

			const first = await Promise.race([loaded, failed]);
			assert.equal(first.events, undefined, 'no event table is loaded');
			const reference = first.warehouse as { kind: string; engine: string; table: string; connection: string; source: string };
			assert.equal(reference.kind, 'warehouse-table');
			assert.equal(reference.engine, engine);
			assert.equal(reference.table, 'nr_wh_events');
			assert.equal(reference.connection, 'conn');
			assert.ok(!JSON.stringify(first.warehouse).includes(source.password), 'the reference holds no password');
			const summary = first.loadSummary as { events: number; profiles: number; source: string };
			assert.equal(summary.events, rows.length, 'the summary counts every event, by SQL');
			assert.equal(summary.profiles, new Set(rows.map((row) => row.customer_id)).size);
			assert.match(String(first.workRanIn), new RegExp(`^${engine}://`));

			const second = await Promise.race([checked, failed]);
			assert.equal((second.readiness as { ready: boolean }).ready, true);
			assert.match(String(second.workRanIn), new RegExp(`^${engine}://.*table=(public\\.)?nr_wh_events$`));

			const third = await Promise.race([trained, failed]);
			assert.match(String(third.workRanIn), new RegExp(`^${engine}://`));
			// The same trees, calibration and metrics; only the readiness warning's wording differs (the
			// in-memory one counts profiles in the lookback), and with it the checksum.
			assert.deepEqual(withoutWording(third.model), withoutWording(await expected), 'the model trained in the warehouse is the model trained in memory');

			// Scored in the warehouse: one row per eligible profile in the scores table, equal to scoring in memory.
			const fourth = await Promise.race([scored, failed]);
			const summary4 = fourth.payload as { scored: number; written: number; scoresTable: string };
			assert.match(String(fourth.workRanIn), new RegExp(`^${engine}://`));
			const inMemory = await (await scoreProfiles(eventTable(rows), third.model as Model)).all();
			assert.equal(summary4.scored, inMemory.length);
			assert.equal(summary4.written, inMemory.length);
			const written = await scoresIn(source, 'nr_wh_scores');
			assert.equal(written.size, inMemory.length);
			for (const profile of inMemory) {
				const row = written.get(profile.profileId);
				assert.ok(row, `${profile.profileId} has a row`);
				assert.ok(Math.abs(row.probability - profile.probability) <= 1e-9, `${profile.profileId}: ${row.probability} against ${profile.probability}`);
				assert.deepEqual([row.score, row.percentile, row.bucket], [profile.score, profile.percentile, profile.bucket]);
			}
		});
	}

	for (const engine of engines)
		it(`scores into the warehouse with the model from the store, remembers the run, and Monitor Model judges it there (${engine})`, async () => {
			expected ??= inMemoryModel(rows);
			const model = await expected;
			const source = await writeRows(engine, 'nr_wh_monitor', columns, rows);
			const storePath = freshDir(`nr-wh-monitor-${engine}`);
			const store = await openStore({ kind: 'folder', path: storePath });
			try {
				await saveModel(store, model);
			} finally {
				await store.close();
			}
			const drop = await connectWarehouse(source);
			await drop.rows('DROP TABLE IF EXISTS nr_wh_monitor_scores', []);
			await drop.close();
			const lastEvent = Math.max(...rows.map((row) => row.timestamp as number));
			const monitorFlow: FlowNode[] = [
				{ id: 'tab', type: 'tab', label: 'warehouse monitor' },
				connectionNode(source),
				{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
				{
					id: 'load',
					z: 'tab',
					type: 'propensity-load-events',
					source: 'warehouse',
					warehouseType: engine,
					[engine]: 'conn',
					table: 'nr_wh_monitor',
					attributes: [],
					wires: [['score']],
				},
				{
					id: 'score',
					z: 'tab',
					type: 'propensity-score-profiles',
					modelFrom: 'store',
					store: 'store',
					modelName: model.name,
					modelNameType: 'str',
					modelVersion: 'latest',
					keepRuns: '60',
					asOf: new Date(lastEvent - 40 * 86_400_000).toISOString(),
					asOfType: 'str',
					scoresTable: 'nr_wh_monitor_scores',
					output: 'array',
					wires: [['scored', 'monitor']],
				},
				{ id: 'scored', z: 'tab', type: 'helper' },
				{
					id: 'monitor',
					z: 'tab',
					type: 'propensity-monitor-model',
					store: 'store',
					modelName: model.name,
					modelNameType: 'str',
					run: '',
					thresholds: '',
					wires: [['out']],
				},
				{ id: 'out', z: 'tab', type: 'helper' },
				{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
				{ id: 'errors', z: 'tab', type: 'helper' },
			];
			await helper.load([...nodes, monitorModelNode], monitorFlow, { conn: { user: source.user, password: source.password } });
			const scored = message(helper.getNode('scored'), 300000);
			const out = message(helper.getNode('out'), 300000);
			const failed = message(helper.getNode('errors'), 300000).then((msg) => {
				throw new Error(`a node failed: ${JSON.stringify(msg.error)}`);
			});
			helper.getNode('load').receive({});
			const summary = (await Promise.race([scored, failed])).payload as { scored: number; remembered?: { scored: number } };
			assert.equal(summary.remembered?.scored, summary.scored, 'the run is remembered in the store');
			const health = await Promise.race([out, failed]);
			assert.match(String(health.workRanIn), new RegExp(`^${engine}://.*table=(public\\.)?nr_wh_monitor$`));
			const result = health.payload as { runs: { backtest: { status: string; profiles: { scored: number; withOutcome: number } } }[] };
			assert.equal(result.runs.length, 1);
			assert.equal(result.runs[0].backtest.status, 'done');
			assert.equal(result.runs[0].backtest.profiles.scored, summary.scored);
			assert.ok(result.runs[0].backtest.profiles.withOutcome > 0);
			assert.equal(typeof health.report, 'string');
		});

	it('says clearly when the table is missing, and when the reference has lost its connection', async () => {
		const source = await writeRows('clickhouse', 'nr_wh_small', columns, rows.slice(0, 50));
		await helper.load(nodes, flow(source, 'no_such_table'), { conn: { user: source.user, password: source.password } });
		const error = message(helper.getNode('errors'), 60000);
		helper.getNode('load').receive({});
		const caught = (await error).error as { message: string };
		assert.match(caught.message, /The table clickhouse:\/\/.*no_such_table does not exist/);
		assert.ok(!caught.message.includes(source.password));

		const goalError = message(helper.getNode('errors'), 60000);
		helper
			.getNode('goal')
			.receive({ warehouse: { kind: 'warehouse-table', engine: 'clickhouse', database: 'default', table: 'x', mapping: {}, source: 's' } });
		assert.match(((await goalError).error as { message: string }).message, /Define Goal \(for the table s\) has no warehouse connection/);
	});

	it('the example "Train weekly in the warehouse" trains on the cluster with the settings from the environment', async () => {
		const example = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', 'Train weekly in the warehouse.json'), 'utf8')) as FlowNode[];
		const rowsForExample = [...simulateShop({ profiles: 3000, seed: 11 })].map((event) => ({
			customer_id: event.profileId,
			timestamp: Math.floor(event.time / 1000) * 1000,
			event_type: event.type,
			value: event.value,
			channel: event.channel,
		}));
		const source = await writeRows('clickhouse', 'nr_example_events', columns, rowsForExample);
		Object.assign(process.env, {
			PROPENSITY_CLICKHOUSE_HOST: source.host,
			PROPENSITY_CLICKHOUSE_DATABASE: source.database,
			PROPENSITY_WAREHOUSE_TABLE: 'nr_example_events',
			PROPENSITY_STORE: freshDir('warehouse-example-store'),
		});
		// The example's own nodes up to Train Model, its output wired to a helper; the port is the test cluster's.
		const kept = example
			.filter((node) => node.type === 'tab' || node.type.startsWith('propensity-'))
			.map((node) => (node.type === 'propensity-clickhouse' ? { ...node, port: String(source.port) } : node))
			.map((node) => (node.type === 'propensity-train-model' ? { ...node, wires: [['out']] } : node));
		const tab = kept.find((node) => node.type === 'tab') as FlowNode;
		const config = kept.find((node) => node.type === 'propensity-clickhouse') as FlowNode;
		const load = kept.find((node) => node.type === 'propensity-load-events') as FlowNode;
		await helper.load(nodes, [...kept, { id: 'out', z: tab.id, type: 'helper' }], { [config.id]: { user: source.user, password: source.password } });
		const trained = message(helper.getNode('out'), 300000);
		helper.getNode(load.id).receive({});
		const msg = await trained;
		assert.match(String(msg.workRanIn), /^clickhouse:\/\/.*table=nr_example_events$/);
		assert.equal((msg.payload as { name: string }).name, 'purchase-in-30-days');
		assert.equal((msg.modelInfo as { version: number }).version, 1, 'saved in the store');
	});
});
