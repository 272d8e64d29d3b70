import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Model } from '../../core/model/schema';
import { loadModel, openStore } from '../../core/pipeline';
import storeConfigNode from '../../nodes/node-red/store-config';
import trainModelNode from '../../nodes/node-red/train-model';
import { customerTable } from '../support/profileTable';
import { freshDir, purchaseGoal, simulatedEvents } from './support/fixtures';
import { helper, message, noMessage, statuses, statusWhere, type FlowNode } from './support/helper';

const nodes = [trainModelNode, storeConfigNode];

function flow(settings: Record<string, unknown>, storePath = ''): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
		{
			id: 'train',
			z: 'tab',
			type: 'propensity-train-model',
			modelName: '',
			modelNameType: 'str',
			store: storePath ? 'store' : '',
			learner: 'gbdt',
			seed: '1',
			asOf: '',
			asOfType: 'str',
			minPositives: '50',
			minNegatives: '50',
			...settings,
			wires: [['out']],
		},
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: train model', function () {
	this.timeout(120000);
	afterEach(() => helper.unload());

	it('trains on msg.events for msg.goal, saves version 1 in the store and sends the model and report', async () => {
		const { loaded } = await simulatedEvents();
		const storePath = freshDir('train-store');
		await helper.load(nodes, flow({}, storePath));
		const shown = statuses(helper.getNode('train'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal, loadSummary: loaded.summary, loadReport: loaded.report });
		const msg = await arriving;
		const model = msg.model as Model;
		assert.equal(model.name, 'purchase-in-30-days', 'a blank model name is the goal name');
		assert.equal(model.selection.winner, 'gbdt');
		assert.match(msg.report as string, /^<!DOCTYPE html>/i);
		const summary = msg.payload as { auc: number; grade: string; saved: { version: number }; cutoffPlan: { chosenBy: string; reason: string } };
		assert.ok(summary.auc > 0.6, `validation AUC ${summary.auc}`);
		assert.equal(summary.saved.version, 1);
		// The cutoff plan in words, as the model records it and the CLI prints it.
		assert.equal(summary.cutoffPlan.reason, model.dataRange.plan?.reason);
		assert.match(summary.cutoffPlan.reason, /^\d+ training cutoffs? \d+ days apart.*, because /);
		assert.equal((msg.modelInfo as { version: number }).version, 1);

		const store = await openStore({ kind: 'folder', path: storePath });
		const saved = await loadModel(store, 'purchase-in-30-days');
		await store.close();
		assert.deepEqual(saved.model.metrics, model.metrics, 'the store holds the model that was sent');

		assert.ok(
			shown.some((status) => /^training: [\d,]+\/[\d,]+ trees/.test(status.text ?? '')),
			`trees built were shown: ${JSON.stringify(shown.map((s) => s.text))}`,
		);
		assert.deepEqual(shown.at(-1), { fill: 'green', shape: 'dot', text: `AUC ${summary.auc.toFixed(2)} (${summary.grade}) · saved as version 1` });
	});

	it('takes an example cap and a memory budget, from the dialog or the message ("none" lifts the budget)', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ memoryBudget: '1' }));
		let arriving = message(helper.getNode('out'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal });
		const budgeted = (await arriving).model as Model;
		assert.equal(budgeted.sample?.memoryBudgetMb, 1);
		assert.ok((budgeted.sample?.negatives.kept ?? 0) < (budgeted.sample?.negatives.eligible ?? 0));
		arriving = message(helper.getNode('out'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal, memoryBudgetMb: 'none', maxExamples: 600 });
		const capped = (await arriving).model as Model;
		assert.equal(capped.sample?.maxExamples, 600);
		assert.equal(capped.sample?.memoryBudgetMb, undefined, 'the cap, not a budget, set it');
		const failed = message(helper.getNode('errors'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal, memoryBudgetMb: 'lots' });
		assert.match(String(((await failed).error as { message: string }).message), /The memory budget \(MB\) is "lots"; give whole megabytes/);
	});

	it('gives the same model bytes for the same events, goal and seed, and saves each run as a new version', async () => {
		const { loaded } = await simulatedEvents();
		const storePath = freshDir('train-versions');
		await helper.load(nodes, flow({ modelName: 'buyers' }, storePath));
		const runs: Record<string, unknown>[] = [];
		const twoArrive = new Promise<void>((resolve) =>
			helper.getNode('out').on('input', (msg: Record<string, unknown>) => {
				runs.push(msg);
				if (runs.length === 2) resolve();
			}),
		);
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal });
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal });
		await twoArrive;
		assert.deepEqual(
			runs.map((msg) => (msg.modelInfo as { version: number }).version),
			[1, 2],
		);
		assert.deepEqual(
			runs.map((msg) => (msg.modelInfo as { name: string }).name),
			['buyers', 'buyers'],
		);
		const [first, second] = runs.map((msg) => (msg.modelInfo as { checksum: string }).checksum);
		assert.equal(first, second);
	});

	it('names the model after msg.modelName, trains as of msg.asOf, and reads msg.goal given as JSON text', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ modelName: 'from-the-dialog' }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('train').receive({ events: loaded.table, goal: JSON.stringify(purchaseGoal), modelName: 'from-the-message', asOf: '2026-05-01' });
		const msg = await arriving;
		const model = msg.model as Model;
		assert.equal(model.name, 'from-the-message');
		assert.equal(model.dataRange.asOf, '2026-05-01T23:59:59.999Z');
		assert.equal(msg.modelInfo, null, 'without a store nothing is saved');
	});

	it('sends a message without msg.goal to a Catch node, saying which node sets it', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({}));
		const caught = message(helper.getNode('errors'));
		helper.getNode('train').receive({ events: loaded.table });
		assert.equal(
			((await caught).error as { message: string }).message,
			'The message has no msg.goal: put a Define Goal node before Train Model (it sets msg.goal).',
		);
	});

	it('sends a message without events to a Catch node, saying which node sets them', async () => {
		await helper.load(nodes, flow({}));
		const caught = message(helper.getNode('errors'));
		helper.getNode('train').receive({ goal: purchaseGoal });
		assert.match(((await caught).error as { message: string }).message, /^The message has no msg\.events: put a Load Events node before this one/);
	});

	it('refuses a goal the events cannot train, with the readiness problems in the message', async () => {
		const { loaded } = await simulatedEvents();
		// The automatic cutoff plan finds enough examples for the default minimums: ask for more than there are.
		await helper.load(nodes, flow({ minPositives: '100000', minNegatives: '' }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal });
		assert.match(((await caught).error as { message: string }).message, /^The events cannot train the goal "purchase-in-30-days" yet: /);
	});

	it('sends a store that cannot be written to a Catch node, and the node goes on working', async () => {
		const { loaded } = await simulatedEvents();
		const dir = freshDir('train-unwritable');
		const blocker = path.join(dir, 'a-file');
		fs.writeFileSync(blocker, 'not a folder');
		await helper.load(nodes, flow({}, path.join(blocker, 'store')));
		const shown = statuses(helper.getNode('train'));
		const caught = message(helper.getNode('errors'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal });
		const failed = await caught;
		const error = failed.error as { message: string };
		assert.match(error.message, /^Could not open the model store folder .*a-file\/store: .*Give a folder this user may create and write\.$/);
		assert.equal(shown.at(-1)?.fill, 'red');
		// The trained model and its report reach the Catch node with the error: nothing made is lost.
		assert.equal((failed.model as Model).name, 'purchase-in-30-days');
		assert.match(String(failed.report), /<!DOCTYPE html>/);

		// The same node trains the next message once the store is usable.
		fs.rmSync(blocker);
		const arriving = message(helper.getNode('out'));
		helper.getNode('train').receive({ events: loaded.table, goal: purchaseGoal });
		assert.equal(((await arriving).modelInfo as { version: number }).version, 1);
	});

	it('stops training when the flow is redeployed or stopped, sending nothing and no error', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ learner: 'auto' }));
		const node = helper.getNode('train');
		let caughtError = false;
		helper.getNode('errors').on('input', () => (caughtError = true));
		const silent = noMessage(helper.getNode('out'), 3000);
		node.receive({ events: loaded.table, goal: purchaseGoal });
		await statusWhere(node, (status) => status.fill === 'blue' && status.text !== 'working');
		const started = Date.now();
		await helper.unload();
		const closeMs = Date.now() - started;
		await silent;
		assert.ok(closeMs < 8000, `closing took ${closeMs} ms`);
		assert.equal(caughtError, false);
		// unload() ran; reload an empty flow so afterEach has something to unload.
		await helper.load(nodes, [{ id: 'tab', type: 'tab', label: 'empty' }]);
	});

	it('in table mode, trains on the CSV in msg.payload without a goal, and refuses a message without a table, saying how to send one', async () => {
		await helper.load(nodes, flow({ trainOn: 'table', labelColumn: 'converted', idColumn: 'customer_id', ignoreColumns: 'spend', learner: 'logistic' }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('train').receive({ payload: customerTable(400, 9), filename: '/data/customers.csv' });
		const msg = await arriving;
		const model = msg.model as Model;
		assert.equal(model.name, 'customers');
		assert.deepEqual(model.features, {
			mode: 'table',
			columns: ['recency_days', 'orders', 'email_opens'],
			idColumn: 'customer_id',
			labelColumn: 'converted',
		});
		assert.equal(msg.report, undefined, 'no report in table mode');
		assert.equal((msg.payload as { table: { rows: number } }).table.rows, 400);

		const caught = message(helper.getNode('errors'));
		helper.getNode('train').receive({ payload: { not: 'a table' } });
		const error = (await caught).error as { message: string };
		assert.match(error.message, /no profile table: msg\.payload is an object\. Send the CSV as msg\.payload/);
	});
});
