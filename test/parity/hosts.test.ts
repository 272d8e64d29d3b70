/**
 * One behaviour per node on both hosts: the same input through the n8n node (in-process, through
 * the stand-in context) and through the Node-RED node (in the test helper's runtime), and the
 * rows compared. Where the hosts differ only in how rows travel (items against messages), the
 * comparison reads through that; anything else that differs is a bug in one adapter.
 */
import assert from 'node:assert/strict';
import type { INodeExecutionData } from 'n8n-workflow';
import { type Model, openStore, saveModel, scoreProfiles, type ScoredProfile, serializeModel } from '../../core';
import { BuildSegment } from '../../nodes/n8n/BuildSegment/BuildSegment.node';
import { ExplainFactors } from '../../nodes/n8n/ExplainFactors/ExplainFactors.node';
import { ScoreProfiles } from '../../nodes/n8n/ScoreProfiles/ScoreProfiles.node';
import { TrainModel } from '../../nodes/n8n/TrainModel/TrainModel.node';
import buildSegmentNode from '../../nodes/node-red/build-segment';
import explainFactorsNode from '../../nodes/node-red/explain-factors';
import scoreProfilesNode from '../../nodes/node-red/score-profiles';
import storeConfigNode from '../../nodes/node-red/store-config';
import trainModelNode from '../../nodes/node-red/train-model';
import { runNode } from '../n8n/fakeContext';
import { freshDir, simulatedEvents, trainedModel } from '../node-red/support/fixtures';
import { helper, message, statusWhere, type FlowNode, type TestNode } from '../node-red/support/helper';
import { customerRows, customerTable } from '../support/profileTable';

type Row = { profileId: string; status?: string; factors?: unknown; error?: string };

/** Every message a helper node receives until the node under test shows a finished status. */
async function collect(node: TestNode, finished: Promise<unknown>): Promise<Record<string, unknown>[]> {
	const got: Record<string, unknown>[] = [];
	node.on('input', (msg: Record<string, unknown>) => got.push(msg));
	await finished;
	// Messages travel on the next turns of the event loop.
	await new Promise((resolve) => setTimeout(resolve, 200));
	return got;
}

const finishedStatus = (node: TestNode) => statusWhere(node, (status) => status.fill === 'green' || status.fill === 'yellow' || status.fill === 'red');

describe('both hosts, one behaviour', function () {
	this.timeout(180000);
	let profiles: ScoredProfile[];
	let storeFolder: string;

	before(async () => {
		const { model } = await trainedModel();
		const { loaded } = await simulatedEvents();
		storeFolder = freshDir('parity-models');
		const store = await openStore({ kind: 'folder', path: storeFolder });
		const info = await saveModel(store, model);
		await store.close();
		profiles = await (await scoreProfiles(loaded.table, model, { includeFeatures: true, modelVersion: info.version })).all();
	});

	afterEach(() => helper.unload());

	describe('Build Segment', () => {
		const n8nNode = new BuildSegment();
		const runs = [
			{ rule: 'top=25', mode: 'entered', runAt: '2026-07-01T07:00:00Z' },
			{ rule: 'top=25', mode: 'entered', runAt: '2026-07-02T07:00:00Z' },
			{ rule: 'top=20', mode: 'left', runAt: '2026-07-03T07:00:00Z' },
		];

		async function n8nRows(folder: string, run: (typeof runs)[number]): Promise<Row[][]> {
			const items: INodeExecutionData[] = profiles.map((profile) => ({ json: { ...profile } as unknown as INodeExecutionData['json'] }));
			const result = await runNode(n8nNode, {
				parameters: {
					store: 'folder',
					storeFolder: folder,
					segmentName: 'parity',
					ruleMode: 'text',
					ruleText: run.rule,
					mode: run.mode,
					options: { runAt: run.runAt },
				},
				items,
			});
			return result.outputs.map((output) =>
				output.map(({ json }) => ({ profileId: String(json.profileId), status: (json.segment as { status: string }).status })),
			);
		}

		async function nodeRedRows(folder: string, run: (typeof runs)[number]): Promise<Row[][]> {
			const flow: FlowNode[] = [
				{ id: 'tab', type: 'tab', label: 'parity' },
				{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: folder },
				{
					id: 'segment',
					z: 'tab',
					type: 'propensity-build-segment',
					rule: run.rule,
					ruleType: 'str',
					segmentName: 'parity',
					mode: run.mode,
					store: 'store',
					output: 'array',
					wires: [['in'], ['not-in']],
				},
				{ id: 'in', z: 'tab', type: 'helper' },
				{ id: 'not-in', z: 'tab', type: 'helper' },
			];
			await helper.load([buildSegmentNode, storeConfigNode], flow);
			const segment = helper.getNode('segment');
			const finished = finishedStatus(segment);
			const inside = collect(helper.getNode('in'), finished);
			const outside = collect(helper.getNode('not-in'), finished);
			segment.receive({ payload: profiles, runAt: run.runAt });
			const rows = (messages: Record<string, unknown>[]) =>
				messages.flatMap((msg) =>
					(msg.payload as { profileId: string }[]).map((row, i) => ({ profileId: row.profileId, status: (msg.statuses as string[])[i] })),
				);
			const result = [rows(await inside), rows(await outside)];
			await helper.unload();
			return result;
		}

		it('passes on the same profiles with the same status (entered, stayed, left, out) on each output, run after run', async () => {
			const n8nFolder = freshDir('parity-segment-n8n');
			const redFolder = freshDir('parity-segment-node-red');
			const results: Row[][][] = [];
			for (const run of runs) {
				const fromN8n = await n8nRows(n8nFolder, run);
				const fromNodeRed = await nodeRedRows(redFolder, run);
				assert.deepEqual(fromNodeRed, fromN8n, `${run.rule}, mode ${run.mode}, at ${run.runAt}`);
				results.push(fromN8n);
			}
			// The runs say something: 25 entered first, nobody new the next day, then 5 left.
			assert.deepEqual(
				results.map(([inSegment]) => inSegment.length),
				[25, 0, 5],
			);
			assert.deepEqual(new Set(results[0][0].map((row) => row.status)), new Set(['entered']));
			assert.deepEqual(new Set(results[2].flat().map((row) => row.status)), new Set(['left', 'out']));
		});

		it("refuses a mode it does not know with the core's message, on both hosts", async () => {
			const items = profiles.slice(0, 3).map((profile) => ({ json: { ...profile } as unknown as INodeExecutionData['json'] }));
			const n8nError = await runNode(n8nNode, { parameters: { ruleMode: 'text', ruleText: 'top=2', mode: 'sometimes' }, items }).then(
				() => assert.fail('n8n accepted the mode'),
				(error: Error) => error.message,
			);
			await helper.load(
				[buildSegmentNode, storeConfigNode],
				[
					{ id: 'tab', type: 'tab', label: 'parity' },
					{
						id: 'segment',
						z: 'tab',
						type: 'propensity-build-segment',
						rule: 'top=2',
						ruleType: 'str',
						segmentName: '',
						mode: 'sometimes',
						store: '',
						output: 'array',
						wires: [[], []],
					},
					{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
					{ id: 'errors', z: 'tab', type: 'helper' },
				],
			);
			const caught = new Promise<Record<string, unknown>>((resolve) => helper.getNode('errors').on('input', resolve));
			helper.getNode('segment').receive({ payload: profiles.slice(0, 3) });
			const nodeRedError = ((await caught).error as { message: string }).message;
			assert.match(nodeRedError, /The segment mode "sometimes" is not known/);
			assert.equal(nodeRedError, n8nError);
		});
	});

	describe('Explain Factors', () => {
		const n8nNode = new ExplainFactors();

		it('explains the same profiles with the same factors (3 by default on both), and sets aside the same profile that cannot be explained', async () => {
			const given = profiles.slice(0, 6).map((profile) => ({ ...profile }));
			delete (given[2] as { features?: unknown }).features;

			const run = await runNode(n8nNode, {
				parameters: { store: 'folder', storeFolder },
				items: given.map((profile) => ({ json: { ...profile } as unknown as INodeExecutionData['json'] })),
				continueOnFail: true,
			});
			const fromN8n: Row[] = run.outputs[0].map(({ json }, i) =>
				json.error === undefined
					? { profileId: String(json.profileId), factors: json.factors }
					: { profileId: given[i].profileId, error: String(json.error) },
			);

			const { model } = await trainedModel();
			await helper.load(
				[explainFactorsNode, storeConfigNode],
				[
					{ id: 'tab', type: 'tab', label: 'parity' },
					{
						id: 'explain',
						z: 'tab',
						type: 'propensity-explain-factors',
						modelFrom: 'msg',
						store: '',
						modelName: '',
						modelNameType: 'str',
						modelVersion: 'latest',
						topK: '',
						perBucket: false,
						wires: [['out']],
					},
					{ id: 'out', z: 'tab', type: 'helper' },
					{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
					{ id: 'errors', z: 'tab', type: 'helper' },
				],
			);
			const explain = helper.getNode('explain');
			const finished = finishedStatus(explain);
			const out = collect(helper.getNode('out'), finished);
			const errors = collect(helper.getNode('errors'), finished);
			explain.receive({ payload: given, model });
			const explained = (await out)[0].payload as ScoredProfile[];
			const failed = (await errors).map((msg) => ({
				profileId: (msg.payload as ScoredProfile).profileId,
				error: (msg.error as { message: string }).message,
			}));
			const fromNodeRed: Row[] = given.map(
				(profile) =>
					failed.find((row) => row.profileId === profile.profileId) ?? {
						profileId: profile.profileId,
						factors: explained.find((row) => row.profileId === profile.profileId)?.factors,
					},
			);

			assert.deepEqual(JSON.parse(JSON.stringify(fromNodeRed)), JSON.parse(JSON.stringify(fromN8n)));
			assert.equal(fromN8n.filter((row) => row.error !== undefined).length, 1);
			assert.ok(fromN8n.every((row) => row.error !== undefined || (row.factors as unknown[]).length === 3));
		});
	});

	describe('Train Model and Score Profiles on a profile table', () => {
		const csv = customerTable(600, 5);
		const tableBinary = { data: Buffer.from(csv).toString('base64'), mimeType: 'text/csv', fileName: 'customers.csv' };

		/** Trains and scores through the n8n nodes: the model's JSON, the training summary and the scored rows. */
		async function throughN8n(): Promise<{ modelText: string; summary: Record<string, unknown>; rows: unknown[] }> {
			const trained = await runNode(new TrainModel(), {
				parameters: {
					trainOn: 'table',
					labelColumn: 'converted',
					idColumn: 'customer_id',
					learner: 'logistic',
					saveToStore: false,
					options: { seed: 2 },
				},
				items: [{ json: {}, binary: { data: tableBinary } }],
			});
			const item = trained.outputs[0][0];
			const scored = await runNode(new ScoreProfiles(), {
				parameters: { scoreFrom: 'table', modelSource: 'binary', modelBinaryPropertyName: 'model' },
				items: [{ json: {}, binary: { data: tableBinary, model: item.binary?.model as NonNullable<INodeExecutionData['binary']>[string] } }],
			});
			const modelText = Buffer.from(item.binary?.model.data as string, 'base64').toString('utf8');
			return { modelText, summary: item.json as Record<string, unknown>, rows: scored.outputs[0].map(({ json }) => json) };
		}

		/** The same through the Node-RED nodes, the CSV on msg.payload as a File In node sends it. */
		async function throughNodeRed(): Promise<{ model: Model; summary: Record<string, unknown>; rows: unknown[] }> {
			await helper.load(
				[trainModelNode, scoreProfilesNode, storeConfigNode],
				[
					{ id: 'tab', type: 'tab', label: 'parity' },
					{
						id: 'train',
						z: 'tab',
						type: 'propensity-train-model',
						trainOn: 'table',
						labelColumn: 'converted',
						idColumn: 'customer_id',
						ignoreColumns: '',
						modelName: '',
						modelNameType: 'str',
						store: '',
						learner: 'logistic',
						seed: '2',
						wires: [['trained']],
					},
					{ id: 'trained', z: 'tab', type: 'helper' },
					{
						id: 'score',
						z: 'tab',
						type: 'propensity-score-profiles',
						scoreFrom: 'table',
						idColumn: '',
						modelFrom: 'msg',
						store: '',
						modelName: '',
						modelNameType: 'str',
						modelVersion: 'latest',
						output: 'array',
						wires: [['scored']],
					},
					{ id: 'scored', z: 'tab', type: 'helper' },
				],
			);
			const trained = message(helper.getNode('trained'));
			helper.getNode('train').receive({ payload: Buffer.from(csv), filename: 'customers.csv' });
			const trainedMsg = await trained;
			const model = trainedMsg.model as Model;
			// As a flow would, with a second File In: the CSV on msg.payload again, the model on msg.model.
			const scored = message(helper.getNode('scored'));
			helper.getNode('score').receive({ payload: Buffer.from(csv), filename: 'customers.csv', model });
			const rows = (await scored).payload as unknown[];
			await helper.unload();
			return { model, summary: trainedMsg.payload as Record<string, unknown>, rows };
		}

		it('train the same model from the same table and seed, and score its rows the same, on both hosts', async () => {
			const fromN8n = await throughN8n();
			const fromNodeRed = await throughNodeRed();
			assert.equal(serializeModel(fromNodeRed.model), fromN8n.modelText);
			assert.equal(fromNodeRed.model.features.mode, 'table');
			assert.deepEqual({ ...fromNodeRed.summary, saved: null }, { ...fromN8n.summary, saved: null });
			assert.deepEqual((fromN8n.summary.table as { rows: number }).rows, 600);
			assert.deepEqual(fromNodeRed.rows, fromN8n.rows);
			assert.equal(fromN8n.rows.length, 600);
			assert.deepEqual(Object.keys(fromN8n.rows[0] as object), ['id', 'probability', 'score', 'percentile', 'bucket']);
			assert.equal((fromN8n.rows[0] as { id: string }).id, 'c0', "the training table's id column by default");
		});

		/** n8n with the table as its input items (each item's JSON a row), trained and scored in one run each. */
		async function itemsThroughN8n(
			rows: Record<string, unknown>[],
		): Promise<{ modelText: string; trained: INodeExecutionData[]; scored: INodeExecutionData[] }> {
			const items = rows.map((json) => ({ json: json as INodeExecutionData['json'] }));
			const trained = await runNode(new TrainModel(), {
				parameters: {
					trainOn: 'items',
					labelColumn: 'converted',
					idColumn: 'customer_id',
					modelName: 'customers',
					learner: 'logistic',
					saveToStore: false,
					options: { seed: 2 },
				},
				items,
			});
			const model = trained.outputs[0][0].binary?.model as NonNullable<INodeExecutionData['binary']>[string];
			const modelText = Buffer.from(model.data, 'base64').toString('utf8');
			// The model rides on the first item, as a Merge node would put it there; the other items are rows only.
			const scored = await runNode(new ScoreProfiles(), {
				parameters: { scoreFrom: 'items', modelSource: 'binary', modelBinaryPropertyName: 'model' },
				items: items.map((item, i) => (i === 0 ? { ...item, binary: { model } } : item)),
			});
			return { modelText, trained: trained.outputs[0], scored: scored.outputs[0] };
		}

		/** Node-RED with the table as an array of objects on msg.payload, as a CSV node sends it. */
		async function itemsThroughNodeRed(rows: Record<string, unknown>[]): Promise<{ model: Model; rows: unknown[] }> {
			await helper.load(
				[trainModelNode, scoreProfilesNode, storeConfigNode],
				[
					{ id: 'tab', type: 'tab', label: 'parity' },
					{
						id: 'train',
						z: 'tab',
						type: 'propensity-train-model',
						trainOn: 'table',
						labelColumn: 'converted',
						idColumn: 'customer_id',
						ignoreColumns: '',
						modelName: 'customers',
						modelNameType: 'str',
						store: '',
						learner: 'logistic',
						seed: '2',
						wires: [['trained']],
					},
					{ id: 'trained', z: 'tab', type: 'helper' },
					{
						id: 'score',
						z: 'tab',
						type: 'propensity-score-profiles',
						scoreFrom: 'table',
						idColumn: '',
						modelFrom: 'msg',
						store: '',
						modelName: '',
						modelNameType: 'str',
						modelVersion: 'latest',
						output: 'array',
						wires: [['scored']],
					},
					{ id: 'scored', z: 'tab', type: 'helper' },
				],
			);
			const trained = message(helper.getNode('trained'));
			helper.getNode('train').receive({ payload: rows });
			const model = (await trained).model as Model;
			const scored = message(helper.getNode('scored'));
			helper.getNode('score').receive({ payload: rows, model });
			const scoredRows = (await scored).payload as unknown[];
			await helper.unload();
			return { model, rows: scoredRows };
		}

		it('train the same model from the table as rows (n8n items, a Node-RED array) as from its CSV, and score the rows the same', async () => {
			const rows = customerRows(600, 5);
			const fromCsv = await throughN8n();
			const fromItems = await itemsThroughN8n(rows);
			const fromArray = await itemsThroughNodeRed(rows);
			assert.equal(fromItems.modelText, fromCsv.modelText, 'the same bytes as the model trained on the CSV file');
			assert.equal(serializeModel(fromArray.model), fromCsv.modelText);
			assert.equal(fromItems.trained.length, 1, 'one model for all the items');
			assert.equal((fromItems.trained[0].pairedItem as unknown[]).length, 600, 'paired with every input item');
			assert.deepEqual(
				fromItems.scored.map(({ json }) => json),
				fromCsv.rows,
			);
			assert.deepEqual(fromArray.rows, fromCsv.rows);
			assert.deepEqual(fromItems.scored[17].pairedItem, { item: 17 }, 'each score paired with its row');
		});

		it('name the row and column of a bad cell in the items, on both hosts', async () => {
			const rows: Record<string, unknown>[] = customerRows(50, 5);
			rows[3] = { ...rows[3], orders: 'many' };
			await assert.rejects(itemsThroughN8n(rows), /Row 4 of the input items, column "orders": "many" is not a number/);
			await helper.load(
				[trainModelNode, storeConfigNode],
				[
					{ id: 'tab', type: 'tab', label: 'parity' },
					{
						id: 'train',
						z: 'tab',
						type: 'propensity-train-model',
						trainOn: 'table',
						labelColumn: 'converted',
						idColumn: 'customer_id',
						ignoreColumns: '',
						modelName: '',
						modelNameType: 'str',
						store: '',
						learner: 'logistic',
						seed: '2',
						wires: [[]],
					},
					{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
					{ id: 'caught', z: 'tab', type: 'helper' },
				],
			);
			const caught = new Promise<Record<string, unknown>>((resolve) => helper.getNode('caught').on('input', resolve));
			helper.getNode('train').receive({ payload: rows });
			assert.match(((await caught).error as { message: string }).message, /Row 4 of msg\.payload, column "orders": "many" is not a number/);
			await helper.unload();
		});
	});
});
