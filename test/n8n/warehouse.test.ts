/**
 * The n8n nodes on a table in place, for both engines (PostgreSQL and the two-shard ClickHouse
 * cluster), through n8n's execute API: Load Events refers to the table (nothing loaded, no
 * password in the item), Define Goal and Train Model run there, Score Profiles writes one row
 * per profile into a scores table beside the events, and each item says where the work ran.
 * The real-n8n run of the example workflow is in workflows.test.ts.
 */
import assert from 'node:assert/strict';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';
import { DefineGoal } from '../../nodes/n8n/DefineGoal/DefineGoal.node';
import { LoadEvents } from '../../nodes/n8n/LoadEvents/LoadEvents.node';
import { MonitorModel } from '../../nodes/n8n/MonitorModel/MonitorModel.node';
import { ScoreProfiles } from '../../nodes/n8n/ScoreProfiles/ScoreProfiles.node';
import { TrainModel } from '../../nodes/n8n/TrainModel/TrainModel.node';
import { simulateShop } from '../../core/simulate';
import { connectWarehouse } from '../../core/warehouse/client';
import type { WarehouseSource } from '../../core/warehouse/source';
import { type TestColumn, engines, writeRows } from '../warehouse/support';
import { runNode } from './fakeContext';
import { suiteTempFolders } from '../support/tempFolders';

const columns: TestColumn[] = [
	{ name: 'customer_id', kind: 'text' },
	{ name: 'timestamp', kind: 'time' },
	{ name: 'event_type', kind: 'text' },
	{ name: 'value', kind: 'number' },
];

const goalJson = JSON.stringify({
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 120,
});

function credentialsOf(source: WarehouseSource): Record<string, ICredentialDataDecryptedObject> {
	const data = { host: source.host, port: source.port, database: source.database, user: source.user, password: source.password };
	return source.engine === 'postgres' ? { propensityPostgresApi: { ...data, ssl: 'disable' } } : { propensityClickHouseApi: data };
}

describe('n8n nodes on a table in place (PostgreSQL and the ClickHouse cluster)', function () {
	this.timeout(600000);
	const tempFolder = suiteTempFolders('propensity-n8n-wh-');
	const rows = [...simulateShop({ profiles: 1000, seed: 9, historyDays: 200 })].map((event) => ({
		customer_id: event.profileId,
		timestamp: Math.floor(event.time / 1000) * 1000,
		event_type: event.type,
		value: event.value,
	}));

	for (const engine of engines) {
		it(`refers to the table, checks, trains and scores in ${engine}, and each item says so`, async () => {
			const source = await writeRows(engine, 'n8n_wh_events', columns, rows);
			const credentials = credentialsOf(source);
			const eventsIn = engine;
			const where = new RegExp(`^${engine}://${source.user}@${source.host}:${source.port}/${source.database}\\?table=(public\\.)?n8n_wh_events$`);

			const loaded = await runNode(new LoadEvents(), { parameters: { source: `${engine}Table`, table: 'n8n_wh_events' }, credentials });
			const reference = loaded.outputs[0][0];
			assert.equal(reference.binary, undefined, 'nothing is loaded');
			assert.ok(!JSON.stringify(reference.json).includes(source.password), 'the item holds no password');
			assert.equal((reference.json.summary as { events: number }).events, rows.length);
			assert.match(String(reference.json.workRanIn), where);

			const goal = await runNode(new DefineGoal(), {
				parameters: { mode: 'json', goalJson, eventsIn, options: { minPositives: 50, minNegatives: 50 } },
				items: [reference],
				credentials,
			});
			const checked = goal.outputs[0][0];
			assert.equal((checked.json.readiness as { ready: boolean }).ready, true);
			assert.match(String(checked.json.workRanIn), where);

			// n8n shows one PostgreSQL credential entry: Train Model reads a PostgreSQL table with its store's credential.
			const storeFolder = tempFolder();
			const store = engine === 'postgres' ? { store: 'postgres', storeSchema: 'propensity_n8n_wh' } : { store: 'folder', storeFolder };
			const train = await runNode(new TrainModel(), {
				parameters: { goalSource: 'input', modelName: 'wh-model', learner: 'logistic', saveToStore: true, ...store, eventsIn, options: {} },
				items: [checked],
				credentials,
			});
			const trained = train.outputs[0][0];
			assert.match(String(trained.json.workRanIn), where);
			assert.ok(trained.binary?.model, 'the model comes back as binary data');

			const dropping = await connectWarehouse(source);
			await dropping.rows('DROP TABLE IF EXISTS n8n_wh_scores', []);
			await dropping.close();
			const score = await runNode(new ScoreProfiles(), {
				parameters: { modelSource: 'binary', eventsIn, scoresTable: 'n8n_wh_scores', options: {} },
				items: [trained],
				credentials,
			});
			assert.equal(score.outputs[0].length, 1, 'one summary item, not one per profile');
			const summary = score.outputs[0][0].json as { scored: number; written: number; workRanIn: string };
			assert.ok(summary.scored > 100, `${summary.scored} scored`);
			assert.equal(summary.written, summary.scored);
			assert.match(summary.workRanIn, where);
			const counting = await connectWarehouse(source);
			const [count] = await counting.rows('SELECT count(*) AS n FROM n8n_wh_scores', []);
			await counting.close();
			assert.equal(Number(count.n), summary.scored, 'one row per scored profile in the scores table');

			// With the model from the store, the run is remembered there; Monitor Model judges it in the warehouse.
			const lastEvent = Math.max(...rows.map((row) => row.timestamp));
			const remembered = await runNode(new ScoreProfiles(), {
				parameters: {
					modelSource: 'store',
					modelName: 'wh-model',
					...store,
					eventsIn,
					scoresTable: 'n8n_wh_scores',
					asOf: new Date(lastEvent - 40 * 86_400_000).toISOString(),
					options: {},
				},
				items: [reference],
				credentials,
			});
			const rememberedRun = remembered.outputs[0][0].json as { scored: number; remembered?: { scored: number } };
			assert.equal(rememberedRun.remembered?.scored, rememberedRun.scored, 'the run is remembered in the store');
			const monitor = await runNode(new MonitorModel(), {
				parameters: { modelName: 'wh-model', ...store, eventsIn, options: {} },
				items: [reference],
				credentials,
			});
			const health = monitor.outputs[0][0].json as {
				verdict: string;
				workRanIn: string;
				runs: { backtest: { status: string; profiles: { scored: number } } }[];
			};
			assert.match(health.workRanIn, where);
			const judged = health.runs.filter((entry) => entry.backtest.status === 'done');
			assert.equal(judged.length, 1, JSON.stringify(health.runs.map((entry) => entry.backtest.status)));
			assert.equal(judged[0].backtest.profiles.scored, rememberedRun.scored);
			assert.ok(monitor.outputs[0][0].binary?.report, 'the report comes back');
		});
	}

	it('an item that refers to a table, given to a node left on Event Table, is refused with what to set', async () => {
		const run = await runNode(new DefineGoal(), {
			parameters: { mode: 'json', goalJson, eventsIn: 'table' },
			items: [{ json: { warehouse: { kind: 'warehouse-table', engine: 'clickhouse', source: 'clickhouse://u@h:8123/d?table=t' } } }],
			continueOnFail: true,
		});
		assert.match(
			String(run.outputs[0][0].json.error),
			/refers to a warehouse table \(clickhouse:\/\/u@h:8123\/d\?table=t\), not to loaded events: set Events In/,
		);
	});
});
