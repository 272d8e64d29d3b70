import assert from 'node:assert/strict';
import type { MonitorResult } from '../../core/pipeline';
import { openStore, saveModel } from '../../core/pipeline';
import monitorModelNode from '../../nodes/node-red/monitor-model';
import scoreProfilesNode from '../../nodes/node-red/score-profiles';
import storeConfigNode from '../../nodes/node-red/store-config';
import { freshDir, simulatedEvents, trainedModel } from './support/fixtures';
import { helper, message, statuses, statusWhere, type FlowNode } from './support/helper';

const nodes = [monitorModelNode, scoreProfilesNode, storeConfigNode];

function flow(storePath: string, settings: Record<string, unknown> = {}): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
		{
			id: 'score',
			z: 'tab',
			type: 'propensity-score-profiles',
			modelFrom: 'store',
			store: 'store',
			modelName: 'purchase-in-30-days',
			modelNameType: 'str',
			modelVersion: 'latest',
			keepRuns: '60',
			asOf: '',
			asOfType: 'str',
			explain: '0',
			includeFeatures: false,
			output: 'array',
			filename: '',
			filenameType: 'str',
			mediumFrom: '25',
			highFrom: '75',
			wires: [['scored']],
		},
		{ id: 'scored', z: 'tab', type: 'helper' },
		{
			id: 'monitor',
			z: 'tab',
			type: 'propensity-monitor-model',
			store: 'store',
			modelName: 'purchase-in-30-days',
			modelNameType: 'str',
			run: '',
			thresholds: '',
			...settings,
			wires: [['out']],
		},
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: monitor model', function () {
	this.timeout(180000);
	let storePath: string;

	before(async () => {
		storePath = freshDir('monitor-store');
		const store = await openStore({ kind: 'folder', path: storePath });
		await saveModel(store, (await trainedModel()).model);
		await store.close();
	});

	afterEach(() => helper.unload());

	it('backtests the runs score profiles remembered, sends msg.verdict, the figures and the report, and shows the verdict as status', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow(storePath));
		// Scored 45 days before the events end, so the 30-day window has closed.
		const scored = message(helper.getNode('scored'));
		helper.getNode('score').receive({ events: loaded.table, asOf: '2026-05-15' });
		await scored;
		const shown = statuses(helper.getNode('monitor'));
		const finished = statusWhere(helper.getNode('monitor'), (status) => ['green', 'yellow', 'red'].includes(status.fill ?? ''));
		const arriving = message(helper.getNode('out'));
		helper.getNode('monitor').receive({ events: loaded.table });
		const msg = await arriving;
		const result = msg.payload as MonitorResult;
		assert.ok(['healthy', 'watch', 'retrain'].includes(msg.verdict as string));
		assert.equal(result.verdict.status, msg.verdict);
		assert.equal(result.runs.length, 1);
		assert.equal(result.runs[0].backtest.status, 'done');
		assert.ok(msg.events, 'msg.events stays for a retrain');
		assert.match(String(msg.report), /^<!DOCTYPE html>[\s\S]*How the model did/);
		const done = await finished;
		assert.equal(done.fill, { healthy: 'green', watch: 'yellow', retrain: 'red' }[msg.verdict as string]);
		assert.ok((done.text ?? '').startsWith(`${msg.verdict}: `));
		assert.ok(shown.length > 0);
	});

	it('takes thresholds from msg.thresholds as JSON text, and sends bad ones to the catch node with the fix', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow(storePath));
		const arriving = message(helper.getNode('out'));
		helper.getNode('monitor').receive({ events: loaded.table, thresholds: '{"scorePsiWatch": 0, "scorePsiRetrain": 0}' });
		assert.equal((await arriving).verdict, 'retrain');
		const caught = message(helper.getNode('errors'));
		helper.getNode('monitor').receive({ events: loaded.table, thresholds: '{"scorePsi": 1}' });
		assert.match(((await caught).error as { message: string }).message, /The monitoring threshold "scorePsi" is not valid: there is no such threshold/);
	});

	it('says which models the store has when the model name is unknown', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow(storePath, { modelName: 'nobody' }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('monitor').receive({ events: loaded.table });
		assert.match(((await caught).error as { message: string }).message, /^No model named "nobody" in the store .* Saved models: purchase-in-30-days\./);
	});
});
