import assert from 'node:assert/strict';
import { Client } from 'pg';
import type { EventTable } from '../../core/events/table';
import type { Model } from '../../core/model/schema';
import { openStore, saveModel } from '../../core/pipeline';
import type { ScoredProfile } from '../../core/score/types';
import loadEventsNode from '../../nodes/node-red/load-events';
import postgresConfigNode from '../../nodes/node-red/postgres-config';
import scoreProfilesNode from '../../nodes/node-red/score-profiles';
import storeConfigNode from '../../nodes/node-red/store-config';
import { testPostgres, type TestPostgres } from '../support/postgres';
import { simulatedEvents, trainedModel } from './support/fixtures';
import { helper, message, type FlowNode } from './support/helper';

const nodes = [postgresConfigNode, storeConfigNode, loadEventsNode, scoreProfilesNode];

describe('Node-RED: the PostgreSQL connection and store', function () {
	this.timeout(120000);
	let server: TestPostgres;

	before(async () => {
		server = await testPostgres();
		const client = new Client({ host: server.host, port: server.port, user: server.user, password: server.password, database: server.database });
		await client.connect();
		await client.query('drop table if exists nr_events');
		await client.query('create table nr_events (customer_id text, occurred_at timestamptz, event_type text, amount numeric)');
		await client.query(`insert into nr_events values
			('c1', '2026-01-01T10:00:00Z', 'visit', null), ('c1', '2026-01-02T10:00:00Z', 'purchase', 40),
			('c2', '2026-01-03T10:00:00Z', 'visit', null), ('c3', '2026-01-04T10:00:00Z', 'visit', null)`);
		await client.end();
	});

	afterEach(() => helper.unload());

	/** The connection config node as the editor saves it: no user or password in the flow. */
	function connection(database = server.database): FlowNode {
		return { id: 'pg', type: 'propensity-postgres', name: '', host: server.host, port: String(server.port), database, ssl: 'off' };
	}

	it('loads events from a query, with the user and password taken from the credential store', async () => {
		const flow: FlowNode[] = [
			{ id: 'tab', type: 'tab', label: 'test' },
			connection(),
			{
				id: 'load',
				z: 'tab',
				type: 'propensity-load-events',
				source: 'postgres',
				postgres: 'pg',
				query: 'select customer_id, occurred_at as timestamp, event_type, amount as value from nr_events where customer_id <> $1',
				attributes: [],
				wires: [['out']],
			},
			{ id: 'out', z: 'tab', type: 'helper' },
		];
		assert.ok(!JSON.stringify(flow).includes(server.password), 'the flow itself holds no password');
		await helper.load(nodes, flow, { pg: { user: server.user, password: server.password } });
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({ params: ['c3'] });
		const msg = await arriving;
		const events = msg.events as EventTable;
		assert.deepEqual(events.profileIds, ['c1', 'c2']);
		assert.deepEqual(Array.from(events.value).filter(Number.isFinite), [40]);
	});

	it('says where it could not connect, without the password, when the credentials are wrong', async () => {
		const flow: FlowNode[] = [
			{ id: 'tab', type: 'tab', label: 'test' },
			connection(),
			{
				id: 'load',
				z: 'tab',
				type: 'propensity-load-events',
				source: 'postgres',
				postgres: 'pg',
				query: 'select * from nr_events',
				attributes: [],
				wires: [['out']],
			},
			{ id: 'out', z: 'tab', type: 'helper' },
			{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
			{ id: 'errors', z: 'tab', type: 'helper' },
		];
		await helper.load(nodes, flow, { pg: { user: server.user, password: 'wrong-secret' } });
		const caught = message(helper.getNode('errors'));
		helper.getNode('load').receive({});
		const text = ((await caught).error as { message: string }).message;
		assert.match(text, new RegExp(`^Could not connect to PostgreSQL at ${server.user}@${server.host}:${server.port}/${server.database}`));
		assert.ok(!text.includes('wrong-secret'));
	});

	it('scores with a model kept in a PostgreSQL model store', async () => {
		const { loaded } = await simulatedEvents();
		const model: Model = (await trainedModel()).model;
		const store = await openStore({
			kind: 'postgres',
			connection: { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database },
			schema: 'nr_models',
		});
		await saveModel(store, model);
		await store.close();
		const flow: FlowNode[] = [
			{ id: 'tab', type: 'tab', label: 'test' },
			connection(),
			{ id: 'store', type: 'propensity-store', name: '', kind: 'postgres', path: '', postgres: 'pg', schema: 'nr_models' },
			{
				id: 'score',
				z: 'tab',
				type: 'propensity-score-profiles',
				modelFrom: 'store',
				store: 'store',
				modelName: 'purchase-in-30-days',
				modelNameType: 'str',
				modelVersion: 'latest',
				output: 'array',
				wires: [['out']],
			},
			{ id: 'out', z: 'tab', type: 'helper' },
		];
		await helper.load(nodes, flow, { pg: { user: server.user, password: server.password } });
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table });
		const profiles = (await arriving).payload as ScoredProfile[];
		assert.ok(profiles.length > 100);
		assert.deepEqual(profiles[0].model, { name: 'purchase-in-30-days', version: 1 });
	});
});
