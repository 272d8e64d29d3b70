import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Model } from '../../core/model/schema';
import { openStore, saveModel } from '../../core/pipeline';
import type { ScoreSummary } from '../../core/score/run';
import type { ScoredProfile } from '../../core/score/types';
import { readScoresFile } from '../../core/segment/files';
import { loadEvents } from '../../core/events/load';
import scoreProfilesNode from '../../nodes/node-red/score-profiles';
import storeConfigNode from '../../nodes/node-red/store-config';
import { freshDir, simulatedEvents, trainedModel } from './support/fixtures';
import { helper, message, messages, statuses, type FlowNode } from './support/helper';

const nodes = [scoreProfilesNode, storeConfigNode];

function flow(settings: Record<string, unknown>, storePath = ''): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
		{
			id: 'score',
			z: 'tab',
			type: 'propensity-score-profiles',
			modelFrom: 'msg',
			store: storePath ? 'store' : '',
			modelName: '',
			modelNameType: 'str',
			modelVersion: 'latest',
			asOf: '',
			asOfType: 'str',
			explain: '0',
			includeFeatures: false,
			output: 'array',
			filename: '',
			filenameType: 'str',
			mediumFrom: '25',
			highFrom: '75',
			...settings,
			wires: [['out']],
		},
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: score profiles', function () {
	this.timeout(120000);
	let model: Model;

	before(async () => {
		model = (await trainedModel()).model;
	});

	afterEach(() => helper.unload());

	it('scores every eligible profile with msg.model and sends them as one list, with the AUC and count in the status', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({}));
		const shown = statuses(helper.getNode('score'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		const msg = await arriving;
		const profiles = msg.payload as ScoredProfile[];
		const summary = msg.scoreSummary as ScoreSummary;
		assert.equal(profiles.length, summary.scored);
		assert.ok(summary.scored > 100 && summary.scored < loaded.summary.profiles, `${summary.scored} eligible of ${loaded.summary.profiles}`);
		for (const profile of profiles) {
			assert.ok(profile.score >= 0 && profile.score <= 100);
			assert.equal(profile.bucket, profile.score >= 75 ? 'high' : profile.score >= 25 ? 'medium' : 'low');
			assert.equal(typeof profile.attributes?.email, 'string', 'the email attribute travels with the score');
		}
		assert.deepEqual((msg.model as Model).metrics, model.metrics, 'the model travels on for explain factors');
		const auc = (model.metrics.validation.auc as number).toFixed(2);
		assert.deepEqual(shown.at(-1), {
			fill: 'green',
			shape: 'dot',
			text: `AUC ${auc}, ${summary.scored.toLocaleString('en-US')} scored · ${summary.buckets.high} high`,
		});
	});

	it("adds the run's HTML report on msg.report when asked, and none otherwise", async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ report: true }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		const msg = await arriving;
		assert.equal(typeof msg.report, 'string');
		assert.match(msg.report as string, /Propensity scoring report/);
		assert.match(msg.report as string, new RegExp(`<dt>Profiles scored</dt><dd>${(msg.payload as unknown[]).length.toLocaleString('en-US')}</dd>`));
		await helper.unload();
		await helper.load(nodes, flow({}));
		const plain = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		assert.equal((await plain).report, undefined);
	});

	it('loads the model from the store by name, and uses the bucket boundaries of the dialog', async () => {
		const { loaded } = await simulatedEvents();
		const storePath = freshDir('score-store');
		const store = await openStore({ kind: 'folder', path: storePath });
		await saveModel(store, model);
		await store.close();
		await helper.load(nodes, flow({ modelFrom: 'store', modelName: 'purchase-in-30-days', mediumFrom: '10', highFrom: '20' }, storePath));
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table });
		const msg = await arriving;
		const profiles = msg.payload as ScoredProfile[];
		assert.deepEqual(profiles[0].model, { name: 'purchase-in-30-days', version: 1 });
		for (const profile of profiles) assert.equal(profile.bucket, profile.score >= 20 ? 'high' : profile.score >= 10 ? 'medium' : 'low');
	});

	it('says which models the store has when the model name is unknown', async () => {
		const { loaded } = await simulatedEvents();
		const storePath = freshDir('score-unknown');
		const store = await openStore({ kind: 'folder', path: storePath });
		await saveModel(store, model);
		await store.close();
		await helper.load(nodes, flow({ modelFrom: 'store', modelName: 'purchase' }, storePath));
		const caught = message(helper.getNode('errors'));
		helper.getNode('score').receive({ events: loaded.table, modelName: 'no-such-model' });
		const error = (await caught).error as { message: string };
		assert.match(error.message, /^No model named "no-such-model" in the store/);
		assert.match(error.message, /purchase-in-30-days/);
	});

	it('sends one message per profile with msg.parts, so a Join node can gather them', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ output: 'each' }));
		const first = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		const one = await first;
		const count = (one.parts as { count: number }).count;
		const rest = await messages(helper.getNode('out'), count - 1);
		const all = [one, ...rest];
		assert.deepEqual(
			all.map((msg) => (msg.parts as { index: number }).index),
			Array.from({ length: count }, (_, i) => i),
		);
		assert.equal(new Set(all.map((msg) => (msg.payload as ScoredProfile).profileId)).size, count);
		assert.equal(one.events, undefined, 'the events are not copied onto every profile');
		assert.equal((one.scoreSummary as ScoreSummary).scored, count);
	});

	it('adds top factors with sentences when asked, and feature values for explain factors', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ explain: '2', includeFeatures: true }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		const profile = ((await arriving).payload as ScoredProfile[])[0];
		assert.equal(profile.factors?.length, 2);
		assert.match(profile.factors?.[0].sentence ?? '', /(raises|lowers) the chance of/);
		assert.ok(profile.features && Object.keys(profile.features).length > 10);
	});

	it('includes feature values unless told not to, so explain factors works after it out of the box', async () => {
		const { loaded } = await simulatedEvents();
		const settings = flow({});
		delete (settings[2] as Record<string, unknown>).includeFeatures;
		await helper.load(nodes, settings);
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		const profile = ((await arriving).payload as ScoredProfile[])[0];
		assert.ok(profile.features && Object.keys(profile.features).length > 10);
	});

	it('scores as of msg.asOf when the message sets it', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({ asOf: '2026-06-01', asOfType: 'str' }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model, asOf: '2026-04-01T00:00:00Z' });
		assert.equal(((await arriving).scoreSummary as ScoreSummary).scoreDate, '2026-04-01T00:00:00.000Z');
	});

	it('writes the scores to the file in msg.filename and sends the summary with the file', async () => {
		const { loaded } = await simulatedEvents();
		const dir = freshDir('score-file');
		await helper.load(nodes, flow({ output: 'file', filename: path.join(dir, 'ignored.csv') }));
		const arriving = message(helper.getNode('out'));
		const target = path.join(dir, 'scores.csv');
		helper.getNode('score').receive({ events: loaded.table, model, filename: target });
		const msg = await arriving;
		const lines = fs.readFileSync(target, 'utf8').trim().split('\n');
		const summary = msg.payload as ScoreSummary & { file: string };
		assert.equal(summary.file, target);
		assert.equal(lines.length, summary.scored + 1);
		assert.match(lines[0], /^profile_id,probability,score,percentile,bucket/);
		assert.equal(fs.existsSync(path.join(dir, 'ignored.csv')), false);
	});

	it('writes spreadsheet-safe CSV when asked: no cell starts a formula, and the segment reader undoes it', async () => {
		const { file } = await simulatedEvents();
		const dir = freshDir('score-safe');
		fs.writeFileSync(path.join(dir, 'events.csv'), fs.readFileSync(file, 'utf8').replace(/^(cust-.*,)([A-Z]{2})$/gm, '$1=$2'));
		const loaded = await loadEvents({ kind: 'file', path: path.join(dir, 'events.csv') });
		await helper.load(nodes, flow({ output: 'file', filename: path.join(dir, 'scores.csv'), spreadsheetSafe: true }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('score').receive({ events: loaded.table, model });
		await arriving;
		const [header, ...rows] = fs.readFileSync(path.join(dir, 'scores.csv'), 'utf8').trim().split('\n');
		const country = header.split(',').indexOf('country');
		assert.ok(country > 0 && rows.length > 100 && rows.every((row) => /^'=[A-Z]{2}$/.test(row.split(',')[country])));
		const read = await readScoresFile(path.join(dir, 'scores.csv'));
		assert.ok(read.every((profile) => /^=[A-Z]{2}$/.test(String(profile.attributes?.country))));
	});

	it('sends a message without a model to a Catch node, saying where a model comes from', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({}));
		const caught = message(helper.getNode('errors'));
		helper.getNode('score').receive({ events: loaded.table });
		assert.equal(
			((await caught).error as { message: string }).message,
			'The message has no msg.model: put Train Model before Score Profiles, or set its Model to "from the store".',
		);
	});

	it('refuses JSON on msg.model that is not a model, saying what it is', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(nodes, flow({}));
		const caught = message(helper.getNode('errors'));
		helper.getNode('score').receive({ events: loaded.table, model: '{"name": "purchase-in-30-days"}' });
		assert.match(((await caught).error as { message: string }).message, /^This is not a Propensity model/);
	});
});
