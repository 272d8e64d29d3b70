/**
 * The seven n8n nodes run in-process through a stand-in execution context (fakeContext.ts), chained
 * as a workflow would chain them, to cover the parameter paths a real n8n run would take too long
 * to cover one by one. workflows.test.ts runs the real n8n.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NodeOperationError, type INodeExecutionData } from 'n8n-workflow';
import { writeSimulation } from '../../core/simulate';
import { withThousands } from '../../core/util/counts';
import { BuildSegment } from '../../nodes/n8n/BuildSegment/BuildSegment.node';
import { DefineGoal } from '../../nodes/n8n/DefineGoal/DefineGoal.node';
import { ExplainFactors } from '../../nodes/n8n/ExplainFactors/ExplainFactors.node';
import { LoadEvents } from '../../nodes/n8n/LoadEvents/LoadEvents.node';
import { MonitorModel } from '../../nodes/n8n/MonitorModel/MonitorModel.node';
import { ScoreProfiles } from '../../nodes/n8n/ScoreProfiles/ScoreProfiles.node';
import { TrainModel } from '../../nodes/n8n/TrainModel/TrainModel.node';
import { testPostgres } from '../support/postgres';
import { customerTable } from '../support/profileTable';
import { runNode } from './fakeContext';

const root = path.resolve('test-output', 'n8n-nodes', String(process.pid));
const eventsFile = path.join(root, 'events.csv');
const storeFolder = path.join(root, 'store');
const storagePath = path.join(root, 'n8n-storage');

const goalForm = {
	mode: 'form',
	goalName: 'purchase-in-30-days',
	propensityType: 'conversion',
	occur: 'will_occur',
	conditions: { condition: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
	windowDays: 30,
	activeWithinDays: 45,
	lookbackDays: 365,
	options: { minPositives: 50, minNegatives: 50 },
};

const loadEvents = new LoadEvents();
const defineGoal = new DefineGoal();
const trainModel = new TrainModel();
const scoreProfiles = new ScoreProfiles();
const explainFactors = new ExplainFactors();
const buildSegment = new BuildSegment();
const monitorModel = new MonitorModel();

/** Fails the test with the node's error when a call was expected to throw one. */
async function nodeError(work: Promise<unknown>): Promise<NodeOperationError> {
	try {
		await work;
	} catch (error) {
		assert.ok(error instanceof NodeOperationError, `expected a NodeOperationError, got ${String(error)}`);
		return error;
	}
	assert.fail('the node did not fail');
}

describe('n8n nodes, chained in-process', function () {
	this.timeout(120000);
	let loaded: INodeExecutionData;
	let goalItem: INodeExecutionData;
	let trained: INodeExecutionData;
	let profiles: INodeExecutionData[];

	before(async () => {
		fs.rmSync(root, { recursive: true, force: true });
		fs.mkdirSync(root, { recursive: true });
		await writeSimulation({ profiles: 1000, seed: 11, format: 'csv', out: eventsFile });
	});

	after(() => fs.rmSync(root, { recursive: true, force: true }));

	describe('Load Events', () => {
		it('loads a file into one item: the summary and report as JSON, the event table as binary data', async () => {
			const run = await runNode(loadEvents, { parameters: { source: 'file', filePath: eventsFile } });
			assert.equal(run.outputs[0].length, 1);
			loaded = run.outputs[0][0];
			const summary = loaded.json.summary as { events: number; profiles: number };
			assert.ok(summary.events > 10000 && summary.profiles > 900);
			assert.equal((loaded.json.report as { source: string }).source, 'events.csv');
			assert.equal(loaded.binary?.events.fileName, 'events.petb');
			assert.equal(loaded.binary?.events.mimeType, 'application/vnd.propensity.events');
			assert.deepEqual(loaded.pairedItem, { item: 0 });
			assert.ok(
				run.logs.some((line) => line.includes(`loaded ${withThousands(summary.events)} events of ${withThousands(summary.profiles)} profiles`)),
				'the load is logged, its counts written as every count is',
			);
		});

		it('a binary file gives the same table as the same file read from disk', async () => {
			const data = fs.readFileSync(eventsFile);
			const item = { json: {}, binary: { data: { data: data.toString('base64'), mimeType: 'text/csv', fileName: 'events.csv' } } };
			const run = await runNode(loadEvents, { parameters: { source: 'binary' }, items: [item] });
			assert.deepEqual(run.outputs[0][0].json.summary, loaded.json.summary);
			assert.equal(run.outputs[0][0].binary?.events.data, loaded.binary?.events.data);
		});

		it('incoming items become one table, paired with every item, with a mapped attribute', async () => {
			const items = [
				{ json: { user: 'a', at: '2026-01-01T10:00:00Z', what: 'visit', tier: 'gold' } },
				{ json: { user: 'a', at: '2026-01-02T10:00:00Z', what: 'purchase', amount: 30, tier: 'gold' } },
				{ json: { user: 'b', at: '2026-01-03T10:00:00Z', what: 'visit', tier: 'silver' } },
			];
			const run = await runNode(loadEvents, {
				parameters: {
					source: 'items',
					preset: 'flat',
					fieldPaths: { profileId: 'user', time: 'at', type: 'what', value: 'amount' },
					attributes: { attribute: [{ name: 'loyalty', path: 'tier' }] },
				},
				items,
			});
			assert.equal(run.outputs[0].length, 1);
			const summary = run.outputs[0][0].json.summary as { events: number; profiles: number; attributes: { name: string }[] };
			assert.deepEqual([summary.events, summary.profiles, summary.attributes.map((a) => a.name)], [3, 2, ['loyalty']]);
			assert.deepEqual(run.outputs[0][0].pairedItem, [{ item: 0 }, { item: 1 }, { item: 2 }]);
		});

		it('rows that cannot be read are skipped on request, counted, and shown as a hint', async () => {
			const items = [
				{ json: { customer_id: 'a', timestamp: 'not a time', event_type: 'visit' } },
				{ json: { customer_id: 'a', timestamp: '2026-01-01', event_type: 'visit' } },
			];
			const run = await runNode(loadEvents, { parameters: { source: 'items', options: { badRows: 'skip' } }, items });
			assert.equal((run.outputs[0][0].json.summary as { rejectedRows: number }).rejectedRows, 1);
			assert.ok(run.hints.some((hint) => /1 of 2 rows could not be read and were left out/.test(hint.message)));
		});

		it('a Latin-1 file reads with the Encoding option; without it, its rows are counted as bad-encoding rows', async () => {
			const latin1 = Buffer.from('customer_id,timestamp,event_type,city\na,2026-01-01,visit,M\xfcnchen\nb,2026-01-02,visit,Paris\n', 'latin1');
			const item = { json: {}, binary: { data: { data: latin1.toString('base64'), mimeType: 'text/csv', fileName: 'latin1.csv' } } };
			const read = await runNode(loadEvents, { parameters: { source: 'binary', options: { encoding: 'latin1' } }, items: [item] });
			const summary = read.outputs[0][0].json.summary as { events: number; attributes: { name: string; distinctValues: number }[] };
			assert.equal(summary.events, 2);
			assert.equal(summary.attributes.find((attribute) => attribute.name === 'city')?.distinctValues, 2);
			const skipped = await runNode(loadEvents, { parameters: { source: 'binary', options: { badRows: 'skip' } }, items: [item] });
			assert.deepEqual((skipped.outputs[0][0].json.summary as { rejectedByReason: object }).rejectedByReason, { 'bad-encoding': 1 });
		});

		it('a file outside the folders n8n allows is refused with the setting to change', async () => {
			const error = await nodeError(runNode(loadEvents, { parameters: { source: 'file', filePath: eventsFile }, blocked: () => true }));
			assert.match(error.message, /n8n does not allow this workflow to access the events file .*N8N_RESTRICT_FILE_ACCESS_TO/);
			assert.equal(error.context.itemIndex, 0);
		});

		it('a stopped execution stops the load, saying it was cancelled', async () => {
			const error = await nodeError(runNode(loadEvents, { parameters: { source: 'file', filePath: eventsFile }, cancelled: true }));
			assert.equal(error.message, 'The event load was cancelled before it finished.');
		});

		it('an attribute declared twice is refused, naming it', async () => {
			const attributes = {
				attribute: [
					{ name: 'channel', path: 'channel' },
					{ name: 'channel', path: 'campaign' },
				],
			};
			const error = await nodeError(runNode(loadEvents, { parameters: { source: 'file', filePath: eventsFile, attributes } }));
			assert.match(error.message, /The attribute "channel" is declared twice \(attribute 2\)/);
		});

		it('each input item loads its own file, and a missing one becomes an error item under Continue On Fail', async () => {
			const items = [{ json: { file: path.join(root, 'absent.csv') } }, { json: { file: eventsFile } }];
			const filePath = (itemIndex: number) => items[itemIndex].json.file;
			const run = await runNode(loadEvents, { parameters: { source: 'file', filePath }, items, continueOnFail: true });
			assert.equal(run.outputs[0].length, 2);
			assert.match(String(run.outputs[0][0].json.error), /The events file ".*absent\.csv" cannot be read: it does not exist/);
			assert.deepEqual(run.outputs[0][0].pairedItem, { item: 0 });
			assert.deepEqual(run.outputs[0][1].json.summary, loaded.json.summary);
			assert.deepEqual(run.outputs[0][1].pairedItem, { item: 1 });
		});
	});

	describe('Define Goal', () => {
		it('adds the goal, its words and a ready readiness report, keeping the events', async () => {
			const run = await runNode(defineGoal, { parameters: goalForm, items: [loaded] });
			goalItem = run.outputs[0][0];
			assert.equal((goalItem.json.goal as { name: string }).name, 'purchase-in-30-days');
			assert.match(String(goalItem.json.goalInWords), /^A purchase within 30 days/);
			assert.equal((goalItem.json.readiness as { ready: boolean }).ready, true);
			assert.ok(goalItem.json.summary, 'the load summary travels on for the report');
			assert.equal(goalItem.binary?.events, loaded.binary?.events);
		});

		it('with minimums the data cannot meet, the same data is not ready: the item says so and a hint explains', async () => {
			// The automatic cutoff plan finds over 500 positives in these 1,000 profiles, so the default minimums are met.
			const run = await runNode(defineGoal, { parameters: { ...goalForm, options: { minPositives: 100_000, minNegatives: 50 } }, items: [loaded] });
			assert.equal((run.outputs[0][0].json.readiness as { ready: boolean }).ready, false);
			assert.ok(run.hints.some((hint) => /Not ready to train "purchase-in-30-days": .*positive/.test(hint.message)));
		});

		it('JSON mode takes the goal as JSON, and without events checks it on its own with a hint', async () => {
			const goal = {
				name: 'churn-60',
				propensityType: 'churn',
				outcome: { occur: 'will_not_occur', windowDays: 60, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
			};
			const run = await runNode(defineGoal, { parameters: { mode: 'json', goalJson: JSON.stringify(goal) } });
			assert.equal(run.outputs[0][0].json.readiness, null);
			assert.match(String(run.outputs[0][0].json.goalInWords), /No purchase within 60 days/i);
			assert.ok(run.hints.some((hint) => /has no events .* Connect Load Events/.test(hint.message)));
		});

		it('a goal naming an event type the events lack becomes an error item naming it', async () => {
			const parameters = { ...goalForm, conditions: { condition: [{ field: 'eventType', op: 'equals', value: 'purchse' }] } };
			const run = await runNode(defineGoal, { parameters, items: [loaded], continueOnFail: true });
			assert.match(String(run.outputs[0][0].json.error), /names the event type "purchse", which the events do not have \(did you mean "purchase"\?\)/);
			assert.equal(run.outputs[0][0].json.errorCode, 'goal-data-mismatch');
		});

		it('warns in a hint and on the item about a churn goal whose outcome will happen, as the CLI and Node-RED do', async () => {
			const run = await runNode(defineGoal, { parameters: { ...goalForm, propensityType: 'churn' }, items: [loaded] });
			const warning = /^A churn goal whose outcome will happen scores who will do it, not who will stop/;
			assert.ok(run.hints.some((hint) => warning.test(hint.message) && hint.type === 'warning'));
			assert.match(String((run.outputs[0][0].json.warnings as string[])[0]), warning);
		});

		it('names a goal left without a name after its outcome, and reads event_type as eventType, saying so', async () => {
			const parameters = { ...goalForm, goalName: '', conditions: { condition: [{ field: 'event_type', op: 'equals', value: 'purchase' }] } };
			const run = await runNode(defineGoal, { parameters, items: [loaded] });
			const json = run.outputs[0][0].json as { goal: { name: string; outcome: { when: unknown } }; goalInWords: string; warnings: string[] };
			assert.equal(json.goal.name, 'purchase-in-30-days');
			assert.deepEqual(json.goal.outcome.when, { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] });
			assert.match(json.goalInWords, /The field "event_type" is read as the event type \(eventType\)\.$/);
			assert.ok(!json.warnings.some((warning) => /churn/.test(warning)));
		});

		it('broken goal JSON is refused as not JSON', async () => {
			const error = await nodeError(runNode(defineGoal, { parameters: { mode: 'json', goalJson: '{ name: ' } }));
			assert.match(error.message, /The goal JSON is not valid JSON/);
		});
	});

	describe('Train Model', () => {
		it('trains, saves the model by name and outputs the metrics with the model and report as binary data', async () => {
			const run = await runNode(trainModel, { parameters: { modelName: 'buyers', store: 'folder', storeFolder }, items: [goalItem] });
			trained = run.outputs[0][0];
			assert.equal(trained.json.name, 'buyers');
			assert.equal((trained.json.saved as { version: number }).version, 1);
			assert.ok(fs.existsSync(path.join(storeFolder, 'models', 'buyers', 'v000001.json')));
			assert.equal(trained.binary?.model.fileName, 'model.json');
			assert.equal(trained.binary?.report.fileName, 'report.html');
			assert.match(Buffer.from(trained.binary?.report.data ?? '', 'base64').toString('utf8'), /<svg/);
			assert.ok(trained.binary?.events, 'the events travel on so Score Profiles can follow');
		});

		it("without a folder the store is n8n's storage folder, and the same seed gives the same model bytes", async () => {
			const run = await runNode(trainModel, { parameters: { modelName: 'buyers' }, items: [goalItem], storagePath });
			assert.ok(fs.existsSync(path.join(storagePath, 'propensity', 'models', 'buyers', 'v000001.json')));
			assert.equal(run.outputs[0][0].binary?.model.data, trained.binary?.model.data);
		});

		it('with the PostgreSQL store, the model is saved there and Score Profiles finds it by name', async () => {
			const pg = await testPostgres();
			const credentials = {
				propensityPostgresApi: { host: pg.host, port: pg.port, database: pg.database, user: pg.user, password: pg.password, ssl: 'disable' },
			};
			const store = { store: 'postgres', storeSchema: `n8n_nodes_${process.pid}` };
			const run = await runNode(trainModel, { parameters: { modelName: 'buyers', ...store }, items: [goalItem], credentials });
			const saved = run.outputs[0][0].json.saved as { version: number; location: string };
			assert.equal(saved.version, 1);
			assert.equal(saved.location, `PostgreSQL ${pg.user}@${pg.host}:${pg.port}/${pg.database}, schema "n8n_nodes_${process.pid}"`);
			const scored = await runNode(scoreProfiles, { parameters: { modelName: 'buyers', ...store }, items: [loaded], credentials });
			assert.ok(scored.outputs[0].length > 100);
		});

		it('takes the example cap and memory budget as Advanced Options: a budget samples and says so, 0 lifts it', async () => {
			const budgeted = await runNode(trainModel, { parameters: { saveToStore: false, options: { memoryBudgetMb: 1 } }, items: [goalItem] });
			const sample = JSON.parse(Buffer.from(budgeted.outputs[0][0].binary?.model.data ?? '', 'base64').toString('utf8')).sample;
			assert.equal(sample.memoryBudgetMb, 1);
			assert.ok(sample.negatives.kept < sample.negatives.eligible);
			const capped = await runNode(trainModel, {
				parameters: { saveToStore: false, options: { maxExamples: 500, memoryBudgetMb: 0 } },
				items: [goalItem],
			});
			const cappedSample = JSON.parse(Buffer.from(capped.outputs[0][0].binary?.model.data ?? '', 'base64').toString('utf8')).sample;
			assert.equal(cappedSample.maxExamples, 500);
			assert.equal(cappedSample.memoryBudgetMb, undefined, 'the cap, not a budget, set it');
			const error = await nodeError(runNode(trainModel, { parameters: { saveToStore: false, options: { memoryBudgetMb: 2.5 } }, items: [goalItem] }));
			assert.match(error.message, /The Memory Budget \(MB\) option is "2.5"; give whole megabytes/);
		});

		it('an item without a goal is refused with what to connect', async () => {
			const error = await nodeError(runNode(trainModel, { parameters: { saveToStore: false }, items: [loaded] }));
			assert.match(error.message, /Item 1 has no goal field. Put Define Goal before Train Model/);
		});
	});

	describe('Score Profiles', () => {
		it('scores with the model from the store by name: one item per eligible profile, paired with the events item', async () => {
			const run = await runNode(scoreProfiles, {
				parameters: { modelSource: 'store', store: 'folder', storeFolder, modelName: 'buyers' },
				items: [loaded],
			});
			profiles = run.outputs[0];
			assert.ok(profiles.length > 100);
			const first = profiles[0].json as { model: { version: number }; features: object; attributes: { email: string } };
			assert.equal(first.model.version, 1);
			assert.ok(Object.keys(first.features).length > 10, 'feature values travel for Explain Factors');
			assert.match(first.attributes.email, /@example\./);
			assert.ok(profiles.every((item) => (item.pairedItem as { item: number }).item === 0));
		});

		it('the model from the binary field scores the same', async () => {
			const run = await runNode(scoreProfiles, { parameters: { modelSource: 'binary' }, items: [trained] });
			assert.deepEqual(
				run.outputs[0].map((item) => item.json.probability),
				profiles.map((item) => item.json.probability),
			);
		});

		it('with Run Report Binary Field it puts the HTML report of the run on the first item, compared with training', async () => {
			const run = await runNode(scoreProfiles, {
				parameters: { modelSource: 'binary', options: { reportBinaryPropertyName: 'report' } },
				items: [trained],
			});
			const report = run.outputs[0][0].binary?.report;
			assert.equal(report?.fileName, 'scoring-run.html');
			assert.equal(report?.mimeType, 'text/html');
			const page = Buffer.from(report?.data ?? '', 'base64').toString('utf8');
			assert.match(page, /Propensity scoring report/);
			assert.match(page, new RegExp(`<dt>Profiles scored</dt><dd>${run.outputs[0].length.toLocaleString('en-US')}</dd>`));
			assert.match(page, /validation profiles the model was checked on at training/);
			assert.ok(
				run.outputs[0].slice(1).every((item) => item.binary?.report === undefined),
				'only the first item carries it',
			);
		});

		it('above the item limit it outputs one summary item with every score in a CSV file', async () => {
			const run = await runNode(scoreProfiles, { parameters: { modelSource: 'binary', itemLimit: 10, options: { topFactors: 2 } }, items: [trained] });
			assert.equal(run.outputs[0].length, 1);
			const item = run.outputs[0][0];
			assert.equal((item.json.file as { profiles: number }).profiles, profiles.length);
			const csv = Buffer.from(item.binary?.scores.data ?? '', 'base64')
				.toString('utf8')
				.trim()
				.split('\n');
			assert.equal(csv.length, profiles.length + 1);
			assert.match(csv[0], /^profile_id,probability,score,percentile,bucket,.*factor_2_importance,email,country$/);
			assert.ok(run.hints.some((hint) => /more than the item limit \(10\)/.test(hint.message)));
		});

		it('an as-of date before any event scores no one and says why in a hint', async () => {
			const run = await runNode(scoreProfiles, { parameters: { modelSource: 'binary', asOf: '2020-01-01' }, items: [trained] });
			assert.equal(run.outputs[0].length, 0);
			assert.ok(run.hints.some((hint) => /No profile was scored/.test(hint.message)));
		});

		it('an item without events is refused, saying which node to connect', async () => {
			const error = await nodeError(
				runNode(scoreProfiles, { parameters: { modelSource: 'binary' }, items: [{ json: {}, binary: { model: trained.binary?.model as never } }] }),
			);
			assert.equal(
				error.message,
				'Item 1 has no binary field "events" holding the events (it has "model"). Connect Load Events before this node, or set the binary field\'s name.',
			);
		});

		it('a model name the store lacks is refused, naming the store', async () => {
			const error = await nodeError(runNode(scoreProfiles, { parameters: { store: 'folder', storeFolder, modelName: 'sellers' }, items: [loaded] }));
			assert.match(error.message, /No model named "sellers" in the store \(folder .*store\)\. Saved models: buyers\./);
		});
	});

	describe('Monitor Model', () => {
		it('backtests the runs Score Profiles remembered, shows the verdict as a hint, and adds the report beside the events', async () => {
			// A run 45 days before the events end: its 30-day window has closed.
			await runNode(scoreProfiles, {
				parameters: { modelSource: 'store', store: 'folder', storeFolder, modelName: 'buyers', asOf: '2026-05-15' },
				items: [loaded],
			});
			const run = await runNode(monitorModel, { parameters: { store: 'folder', storeFolder, modelName: 'buyers' }, items: [loaded] });
			assert.equal(run.outputs[0].length, 1);
			const item = run.outputs[0][0];
			const verdict = item.json.verdict as string;
			assert.ok(['healthy', 'watch', 'retrain'].includes(verdict));
			const runs = item.json.runs as { backtest: { status: string; run: { scoreDate: string } } }[];
			assert.ok(runs.length >= 2, 'every run Score Profiles made from the store is remembered');
			assert.ok(runs.some((r) => r.backtest.status === 'done' && r.backtest.run.scoreDate.startsWith('2026-05-15')));
			assert.deepEqual(item.pairedItem, { item: 0 });
			assert.equal(item.binary?.events.fileName, 'events.petb', 'the events stay for a retrain');
			assert.equal(item.binary?.report.fileName, 'model-health.html');
			assert.match(Buffer.from(item.binary?.report.data ?? '', 'base64').toString('utf8'), /How the model did/);
			assert.ok(
				run.hints.some((hint) => hint.message.startsWith(`"buyers": ${verdict}.`)),
				'the hint shows the verdict',
			);
		});

		it('under Continue On Fail, an unknown model and bad thresholds become error items paired to their input', async () => {
			const run = await runNode(monitorModel, {
				parameters: {
					store: 'folder',
					storeFolder,
					modelName: (i: number) => (i === 0 ? 'nobody' : 'buyers'),
					options: (i: number) => (i === 1 ? { thresholds: '{"scorePsi": 1}' } : {}),
				},
				items: [loaded, loaded],
				continueOnFail: true,
			});
			assert.equal(run.outputs[0].length, 2);
			assert.match(String(run.outputs[0][0].json.error), /No model named "nobody" in the store/);
			assert.deepEqual(run.outputs[0][0].pairedItem, { item: 0 });
			assert.match(String(run.outputs[0][1].json.error), /The monitoring threshold "scorePsi" is not valid/);
			assert.deepEqual(run.outputs[0][1].pairedItem, { item: 1 });
		});
	});

	describe('Explain Factors', () => {
		it("adds the top factors to each profile, with the bucket's factors when asked", async () => {
			const run = await runNode(explainFactors, {
				parameters: { modelSource: 'store', store: 'folder', storeFolder, topK: 2, bucketSummary: true },
				items: profiles,
			});
			assert.equal(run.outputs[0].length, profiles.length);
			const json = run.outputs[0][0].json as { factors: { sentence: string }[]; bucket: string; bucketFactors: { bucket: string; factors: unknown[] } };
			assert.equal(json.factors.length, 2);
			assert.match(json.factors[0].sentence, /chance/);
			assert.equal(json.bucketFactors.bucket, json.bucket);
			assert.deepEqual(run.outputs[0][5].pairedItem, { item: 5 });
			profiles = run.outputs[0];
		});

		it('a profile without feature values fails alone, named by its own item number', async () => {
			const items = profiles.slice(0, 4).map((item) => ({ ...item, json: { ...item.json } }));
			delete items[2].json.features;
			const run = await runNode(explainFactors, { parameters: { store: 'folder', storeFolder }, items, continueOnFail: true });
			assert.deepEqual(
				run.outputs[0].map((item) => (item.json.error === undefined ? 'ok' : String(item.json.error))),
				[
					'ok',
					'ok',
					`Profile "${items[2].json.profileId}" (item 3) has no feature values, so its score cannot be explained. Score with feature values included (Score Profiles: "Include Feature Values"; CLI: score with --explain instead).`,
					'ok',
				],
			);
			const error = await nodeError(runNode(explainFactors, { parameters: { store: 'folder', storeFolder }, items }));
			assert.equal(error.context.itemIndex, 2);
		});
	});

	describe('Build Segment', () => {
		const segmentParameters = { store: 'folder', storeFolder, segmentName: 'top-buyers' };

		it('the first run in "entered" mode passes on every member; the rest leave by Not In Segment', async () => {
			const run = await runNode(buildSegment, {
				parameters: {
					...segmentParameters,
					rules: { rule: [{ kind: 'top', topBy: 'count', size: 25 }] },
					mode: 'entered',
					options: { runAt: '2026-07-01T07:00:00Z' },
				},
				items: profiles,
			});
			const [inSegment, notIn] = run.outputs;
			assert.equal(inSegment.length, 25);
			assert.equal(inSegment.length + notIn.length, profiles.length);
			const member = inSegment[0].json as { factors: string[]; attributes: { email: string }; segment: { name: string; status: string } };
			assert.deepEqual([member.segment.name, member.segment.status], ['top-buyers', 'entered']);
			assert.equal(member.factors.length, 2, 'the reasons travel as sentences for the email or CRM');
			assert.ok(run.hints.some((hint) => /25 of \d+ profiles are in the segment .* 25 entered and 0 left/.test(hint.message)));
		});

		it('with Run Report Binary Field the first In Segment item carries the HTML report of the run: members, entrants, leavers', async () => {
			const run = await runNode(buildSegment, {
				parameters: {
					ruleMode: 'text',
					ruleText: 'top=10',
					mode: 'all',
					options: { runAt: '2026-07-01T07:00:00Z', reportBinaryPropertyName: 'runReport' },
				},
				items: profiles,
			});
			const page = Buffer.from(run.outputs[0][0].binary?.runReport.data ?? '', 'base64').toString('utf8');
			assert.match(page, /<div class="label">Members<\/div><div class="value">10<\/div>/);
			assert.equal([...page.matchAll(/<tr><td><code>/g)].length, 10, 'every member is listed');
			assert.equal(run.outputs[1][0].binary, undefined);
		});

		it('the same rule in short syntax on the next run finds no one new; with a smaller top, "left" finds who dropped out', async () => {
			const again = await runNode(buildSegment, {
				parameters: { ...segmentParameters, ruleMode: 'text', ruleText: 'top=25', mode: 'entered', options: { runAt: '2026-07-02T07:00:00Z' } },
				items: profiles,
			});
			assert.equal(again.outputs[0].length, 0);
			assert.ok(
				again.hints.some((hint) =>
					/0 entered and 0 left\. Nobody to hand on: the store remembers the "top-buyers" members of the last run/.test(hint.message),
				),
			);
			const smaller = await runNode(buildSegment, {
				parameters: {
					...segmentParameters,
					ruleMode: 'json',
					ruleJson: '{"top": {"count": 20}}',
					mode: 'left',
					options: { runAt: '2026-07-03T07:00:00Z' },
				},
				items: profiles,
			});
			assert.equal(smaller.outputs[0].length, 5);
			assert.ok(smaller.outputs[0].every((item) => (item.json.segment as { status: string }).status === 'left'));
		});

		it("each run reports the number it is kept under, and Resend Run sends a past run's entrants again without changing the membership", async () => {
			const first = await runNode(buildSegment, {
				parameters: {
					...segmentParameters,
					segmentName: 'resend-buyers',
					ruleMode: 'text',
					ruleText: 'top=10',
					mode: 'entered',
					options: { runAt: '2026-07-01T07:00:00Z' },
				},
				items: profiles,
			});
			assert.ok(first.outputs[0].every((item) => (item.json.segment as { run: number }).run === 1));
			assert.ok(first.hints.some((hint) => /Kept as run 1\./.test(hint.message)));
			const resent = await runNode(buildSegment, {
				parameters: { ...segmentParameters, segmentName: 'resend-buyers', mode: 'entered', options: { resendRun: '1' } },
				items: profiles,
			});
			assert.deepEqual(
				resent.outputs[0].map((item) => item.json.profileId),
				first.outputs[0].map((item) => item.json.profileId),
			);
			assert.deepEqual(resent.outputs[0][0].json.segment, {
				name: 'resend-buyers',
				mode: 'entered',
				run: 1,
				runAt: '2026-07-01T07:00:00Z',
				status: 'entered',
				resent: true,
			});
			assert.equal(resent.outputs[1].length, 0);
			const latest = await runNode(buildSegment, {
				parameters: { ...segmentParameters, segmentName: 'resend-buyers', mode: 'entered', options: { resendRun: 'latest' } },
				items: profiles,
			});
			assert.equal(latest.outputs[0].length, 10);
			const next = await runNode(buildSegment, {
				parameters: {
					...segmentParameters,
					segmentName: 'resend-buyers',
					ruleMode: 'text',
					ruleText: 'top=10',
					mode: 'entered',
					options: { runAt: '2026-07-02T07:00:00Z' },
				},
				items: profiles,
			});
			assert.equal(next.outputs[0].length, 0, 'the resends changed no membership');
			const error = await nodeError(
				runNode(buildSegment, {
					parameters: { ...segmentParameters, segmentName: 'resend-buyers', mode: 'entered', options: { resendRun: '9' } },
					items: profiles,
				}),
			);
			assert.match(error.message, /Run 9 of segment "resend-buyers" is not kept .* are 1–2/);
		});

		it('"entered" without a segment name is refused, saying what to give', async () => {
			const error = await nodeError(runNode(buildSegment, { parameters: { store: 'folder', storeFolder, mode: 'entered' }, items: profiles }));
			assert.match(error.message, /needs a store and a segment name|Name the segment/);
		});

		it('an item that is not a scored profile becomes an error item and the rest are segmented', async () => {
			const items = [{ json: { error: 'upstream failed' } }, ...profiles.slice(0, 10)];
			const run = await runNode(buildSegment, {
				parameters: { rules: { rule: [{ kind: 'bucket', buckets: ['low', 'medium', 'high'] }] } },
				items,
				continueOnFail: true,
			});
			assert.match(String(run.outputs[0][0].json.error), /Item 1 is not a scored profile: it is an error item \("upstream failed"\)/);
			assert.equal(run.outputs[0].length, 11);
			assert.deepEqual(run.outputs[0][1].pairedItem, { item: 1 });
		});
	});

	describe('table mode', () => {
		const csv = customerTable(400, 7);
		const tableItem = (): INodeExecutionData => ({
			json: {},
			binary: { data: { data: Buffer.from(csv).toString('base64'), mimeType: 'text/csv', fileName: 'shop-customers.csv' } },
		});

		it("Train Model trains on a profile table, saves the model under the file's name, and Score Profiles scores the table with it from the store", async () => {
			const folder = path.join(root, 'table-store');
			const train = await runNode(trainModel, {
				parameters: { trainOn: 'table', labelColumn: 'converted', idColumn: 'customer_id', learner: 'logistic', store: 'folder', storeFolder: folder },
				items: [tableItem()],
			});
			const summary = train.outputs[0][0].json as { name: string; table: { rows: number; features: number }; saved: { version: number }; auc: number };
			assert.equal(summary.name, 'shop-customers');
			assert.deepEqual([summary.table.rows, summary.table.features], [400, 4]);
			assert.equal(summary.saved.version, 1);
			assert.ok(summary.auc > 0.6, `validation AUC ${summary.auc}`);
			assert.deepEqual(Object.keys(train.outputs[0][0].binary ?? {}).sort(), ['data', 'model'], 'no report in table mode; the input binary kept');

			const score = await runNode(scoreProfiles, {
				parameters: { scoreFrom: 'table', modelSource: 'store', modelName: 'shop-customers', store: 'folder', storeFolder: folder },
				items: [tableItem()],
			});
			const rows = score.outputs[0].map(({ json }) => json as { id: string; score: number; bucket: string });
			assert.equal(rows.length, 400);
			assert.equal(rows[0].id, 'c0');
			assert.ok(rows.every((row) => row.score >= 0 && row.score <= 100 && ['low', 'medium', 'high'].includes(row.bucket)));
			assert.deepEqual(score.outputs[0][399].pairedItem, { item: 0 });
		});

		it('Score Profiles puts a table above the item limit into one scores CSV, with the bucket boundaries given', async () => {
			const train = await runNode(trainModel, {
				parameters: { trainOn: 'table', labelColumn: 'converted', ignoreColumns: 'customer_id', learner: 'logistic', saveToStore: false },
				items: [tableItem()],
			});
			const score = await runNode(scoreProfiles, {
				parameters: { scoreFrom: 'table', modelSource: 'binary', itemLimit: 100, options: { mediumFrom: 10, highFrom: 20 } },
				items: [
					{
						...tableItem(),
						binary: { ...tableItem().binary, model: train.outputs[0][0].binary?.model as NonNullable<INodeExecutionData['binary']>[string] },
					},
				],
			});
			assert.equal(score.outputs[0].length, 1);
			const item = score.outputs[0][0];
			const summary = item.json as { scored: number; idColumn: string | null; buckets: Record<string, number>; file: { fileName: string } };
			assert.equal(summary.scored, 400);
			assert.equal(summary.idColumn, null, 'the training table had no id column: rows are numbered');
			assert.equal(summary.buckets.low + summary.buckets.medium + summary.buckets.high, 400);
			assert.equal(summary.file.fileName, 'scores.csv');
			const lines = Buffer.from(item.binary?.scores.data as string, 'base64')
				.toString('utf8')
				.trim()
				.split('\n');
			assert.equal(lines[0], 'row,probability,score,percentile,bucket');
			assert.equal(lines.length, 401);
			const highs = lines.slice(1).filter((line) => Number(line.split(',')[2]) >= 20).length;
			assert.equal(summary.buckets.high, highs, 'high from 20, as set');
		});

		it('Train Model on a table without a label column says to name it', async () => {
			const error = await nodeError(runNode(trainModel, { parameters: { trainOn: 'table', saveToStore: false }, items: [tableItem()] }));
			assert.match(error.message, /needs its label column: name the 0\/1 outcome column/);
		});
	});
});
