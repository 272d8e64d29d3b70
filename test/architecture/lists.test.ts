/**
 * Lists the hosts show by hand, pinned to the core's: the condition operators, the learners,
 * the store's rule for names and the model-source settings of the Node-RED dialogs. A list
 * changed in one place and not the others fails here, not in front of a user.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { conditionOperators, goalDefaults, operatorsTakingNoValue } from '../../core/goal/schema';
import { learnerKinds, parseLearnerChoice } from '../../core/learn/registry';
import { checkStoreName } from '../../core/util/names';
import { operatorOptions } from '../../nodes/n8n/shared/conditions';
import { defineGoalProperties } from '../../nodes/n8n/DefineGoal/v1/DefineGoalV1.description';
import { trainModelProperties } from '../../nodes/n8n/TrainModel/v1/TrainModelV1.description';
import { repoRoot } from '../support/imports';
import { warehouseEngines } from '../../core/warehouse/reference';
import { dialectOf } from '../../core/warehouse/dialect';
import { loadEventsProperties } from '../../nodes/n8n/LoadEvents/v1/LoadEventsV1.description';
import { eventsInProperty, scoresTableProperty } from '../../nodes/n8n/shared/warehouse';
import { defaultScoresTable, scoresTableName } from '../../core/warehouse/scores';

const read = (file: string) => fs.readFileSync(path.join(repoRoot, file), 'utf8');
const sorted = (values: readonly string[]) => [...values].sort();

/** The `value: '…'` entries of a JavaScript array literal `var name = [ … ];` in an editor file. */
function editorArray(html: string, name: string): string[] {
	const literal = new RegExp(`var ${name} = \\[([\\s\\S]*?)\\];`).exec(html);
	assert.ok(literal, `the editor declares ${name}`);
	const values = [...literal[1].matchAll(/value: '([^']+)'/g)].map((m) => m[1]);
	return values.length > 0 ? values : [...literal[1].matchAll(/'([^']+)'/g)].map((m) => m[1]);
}

/** A setting of a Node-RED dialog's defaults: its value and validator. */
interface EditorSetting {
	value: unknown;
	validate?: (this: Record<string, unknown>, v: unknown, opt?: unknown) => unknown;
}

/** The editor's shared script, run as the browser runs it. */
function editorScript(): {
	storeName: RegExp;
	modelSourceDefaults(options?: { blankName?: boolean }): Record<string, EditorSetting>;
	modelSourceMarker: string;
	modelSourceRows(options?: { from?: string; blankName?: boolean }): string;
	defaultScoresTable: string;
	scoresTableSetting(): EditorSetting;
} {
	const window: Record<string, unknown> = {};
	vm.runInNewContext(read('resources/editor.js'), { window, $: () => ({ val: () => undefined }) });
	return window.PropensityEditor as ReturnType<typeof editorScript>;
}

describe('lists the hosts keep beside the core', () => {
	it("the n8n condition rows offer exactly the goal schema's operators", () => {
		assert.deepEqual(sorted(operatorOptions.map((option) => String(option.value))), sorted(conditionOperators));
	});

	it('both hosts offer a table in place on exactly the engines the core has a dialect for', () => {
		for (const engine of warehouseEngines) assert.equal(dialectOf(engine).engine, engine);
		const sources = ((loadEventsProperties.find((property) => property.name === 'source')?.options ?? []) as INodePropertyOptions[]).map((option) =>
			String(option.value),
		);
		const n8nSources = sources.filter((value) => value.endsWith('Table')).map((value) => value.replace(/Table$/, ''));
		const n8nEventsIn = ((eventsInProperty.options ?? []) as INodePropertyOptions[])
			.map((option) => String(option.value))
			.filter((value) => value !== 'table');
		const html = read('nodes/node-red/load-events.html');
		const select = html.slice(
			html.indexOf('<select id="node-input-warehouseType">'),
			html.indexOf('</select>', html.indexOf('<select id="node-input-warehouseType">')),
		);
		const redEngines = [...select.matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]);
		for (const offered of [n8nSources, n8nEventsIn, redEngines]) assert.deepEqual(sorted(offered), sorted(warehouseEngines));
	});

	it("the Node-RED goal dialog offers exactly the goal schema's operators, and knows which take no value", () => {
		const html = read('nodes/node-red/define-goal.html');
		assert.deepEqual(sorted(editorArray(html, 'operators')), sorted(conditionOperators));
		assert.deepEqual(sorted(editorArray(html, 'valueless')), sorted(operatorsTakingNoValue));
	});

	it('both hosts offer every learner and auto, each a name the core accepts', () => {
		const learner = trainModelProperties.find((property: INodeProperties) => property.name === 'learner');
		const n8nValues = ((learner?.options ?? []) as INodePropertyOptions[]).map((option) => String(option.value));
		const html = read('nodes/node-red/train-model.html');
		const redValues = editorArray(html, 'learners');
		const redOptions = [
			...html
				.slice(html.indexOf('<select id="node-input-learner">'), html.indexOf('</select>', html.indexOf('<select id="node-input-learner">')))
				.matchAll(/<option value="([^"]+)"/g),
		].map((m) => m[1]);
		for (const values of [n8nValues, redValues, redOptions]) {
			assert.deepEqual(sorted(values.map(parseLearnerChoice)), sorted(['auto', ...learnerKinds]));
		}
	});

	it("the goal forms of both hosts start from the core's default window and lookback", () => {
		const n8nDefault = (name: string) => defineGoalProperties.find((property: INodeProperties) => property.name === name)?.default;
		assert.equal(n8nDefault('windowDays'), goalDefaults.windowDays);
		assert.equal(n8nDefault('lookbackDays'), goalDefaults.lookbackDays);
		const html = read('nodes/node-red/define-goal.html');
		assert.equal(Number(/windowDays: \{ value: (\d+)/.exec(html)?.[1]), goalDefaults.windowDays);
		// The dialog leaves the lookback blank, and says what blank means.
		assert.match(html, /lookbackDays: \{ value: ''/);
		assert.ok(html.includes(`(blank: ${goalDefaults.lookbackDays})`), `the dialog says a blank lookback is ${goalDefaults.lookbackDays}`);
	});

	it('the Node-RED editor and the store accept and refuse the same model and segment names', () => {
		const { storeName } = editorScript();
		const names = [
			'a',
			'churn-30d',
			'buyers.v2',
			'_x',
			'-x',
			'A'.repeat(100),
			'A'.repeat(101),
			'',
			'.hidden',
			'a/b',
			'a b',
			'naïve',
			'con',
			'CON.txt',
			'lpt1',
			'com0.json',
			'console',
			'nul.',
			'..',
			'x..y',
		];
		for (const name of names) {
			let core = true;
			try {
				checkStoreName(name, 'model');
			} catch {
				core = false;
			}
			assert.equal(storeName.test(name), core, `the name ${JSON.stringify(name)}`);
		}
	});

	it('score profiles and explain factors take their model-source settings from one shared definition', () => {
		for (const dialog of ['score-profiles', 'explain-factors']) {
			const html = read(`nodes/node-red/${dialog}.html`);
			assert.match(html, /PropensityEditor\.modelSourceDefaults\((\{ blankName: true \})?\)/, `${dialog} uses the shared settings`);
			for (const setting of ['modelFrom', 'modelName', 'modelNameType', 'modelVersion']) {
				assert.doesNotMatch(html, new RegExp(`^\\s*${setting}: \\{`, 'm'), `${dialog} does not define ${setting} again`);
			}
		}
		const defaults = editorScript().modelSourceDefaults();
		assert.deepEqual(Object.keys(defaults), ['modelFrom', 'store', 'modelName', 'modelNameType', 'modelVersion']);
		const version = defaults.modelVersion.validate!;
		assert.equal(version.call({}, 'latest'), true);
		assert.equal(version.call({}, '3'), true);
		assert.equal(typeof version.call({}, '0'), 'string', 'version 0 is refused with a reason');
		assert.equal(typeof version.call({}, 'newest'), 'string');
		const name = defaults.modelName.validate!;
		assert.equal(name.call({ modelFrom: 'store', modelNameType: 'str' }, 'purchase-30d'), true);
		assert.equal(typeof name.call({ modelFrom: 'store', modelNameType: 'str' }, '../up'), 'string');
		assert.equal(name.call({ modelFrom: 'msg' }, ''), true, 'no name is needed when the model comes with the message');
		assert.equal(typeof name.call({ modelFrom: 'store', modelNameType: 'str' }, ''), 'string', 'score profiles needs a name to load from the store');
		const blankName = editorScript().modelSourceDefaults({ blankName: true }).modelName.validate!;
		assert.equal(blankName.call({ modelFrom: 'store', modelNameType: 'str' }, ''), true, "explain factors takes the run's model when the name is blank");
		assert.equal(blankName.call({ modelFrom: 'store', modelNameType: 'str' }, ' '), true);
		assert.equal(typeof blankName.call({ modelFrom: 'store', modelNameType: 'str' }, '../up'), 'string');
		assert.match(read('nodes/node-red/explain-factors.html'), /PropensityEditor\.modelSourceDefaults\(\{ blankName: true \}\)/);
		assert.match(read('nodes/node-red/score-profiles.html'), /PropensityEditor\.modelSourceDefaults\(\)/);
	});

	it('score profiles and explain factors take their model-source form rows from one shared piece, with an input for each shared setting', () => {
		const editor = editorScript();
		for (const [dialog, options] of [
			['score-profiles', "{ from: 'train model' }"],
			['explain-factors', "{ from: 'score profiles', blankName: true }"],
		] as const) {
			const html = read(`nodes/node-red/${dialog}.html`);
			const template = new RegExp(`<script type="text/html" data-template-name="propensity-${dialog}">([\\s\\S]*?)</script>`).exec(html)?.[1] ?? '';
			assert.equal(template.split(editor.modelSourceMarker).length, 2, `${dialog}'s template marks where the rows go, once`);
			assert.doesNotMatch(html, /id="node-input-(modelFrom|store|modelName|modelNameType|modelVersion)"/, `${dialog} does not write the rows again`);
			assert.ok(html.includes(`PropensityEditor.includeModelSource('propensity-${dialog}', ${options});`), `${dialog} puts the shared rows in`);
			assert.ok(html.includes('PropensityEditor.prepareModelSource();'), `${dialog} sets them up when its dialog opens`);
		}
		const rows = editor.modelSourceRows({ from: 'score profiles', blankName: true });
		for (const setting of Object.keys(editor.modelSourceDefaults())) assert.match(rows, new RegExp(`id="node-input-${setting}"`), `a ${setting} input`);
		assert.match(rows, /msg\.model \(from score profiles\)/);
		assert.match(rows, /a blank <b>Model name<\/b> takes the model that scored the run/);
		assert.doesNotMatch(editor.modelSourceRows({ from: 'train model' }), /blank <b>Model name/, 'score profiles needs a name: no tip');
	});

	it("score profiles, build segment and explain factors take the scores table setting from one shared definition, with the core's default", () => {
		const nodeRed = path.join(repoRoot, 'nodes/node-red');
		for (const file of fs.readdirSync(nodeRed))
			assert.doesNotMatch(read(`nodes/node-red/${file}`), /propensity_scores/, `${file} does not spell the default`);
		for (const dialog of ['score-profiles', 'build-segment', 'explain-factors']) {
			const html = read(`nodes/node-red/${dialog}.html`);
			assert.match(html, /scoresTable: PropensityEditor\.scoresTableSetting\(\)/, `${dialog} uses the shared setting`);
			assert.match(html, /PropensityEditor\.prepareScoresTable\(\);/, `${dialog} shows the default when blank`);
			assert.match(read(`nodes/node-red/${dialog}.ts`), /scoresTableOf\(msg, config\)/, `${dialog}'s runtime reads it the shared way`);
		}
		const editor = editorScript();
		assert.equal(editor.defaultScoresTable, defaultScoresTable);
		assert.equal(scoresTableProperty('', {}).default, defaultScoresTable);
		const setting = editor.scoresTableSetting();
		assert.equal(setting.value, defaultScoresTable);
		// Blank is the default; else what the core takes on PostgreSQL (SCHEMA.TABLE; ClickHouse takes TABLE alone).
		for (const name of [
			'',
			'  ',
			'scores',
			'analytics.scores',
			' analytics.scores ',
			'my-scores',
			'Scores 2024',
			'a.b.c',
			'.scores',
			'scores.',
			'a..b',
			'.',
		]) {
			let core = true;
			try {
				if (name.trim() !== '') scoresTableName({ engine: 'postgres', database: 'shop' }, name);
			} catch {
				core = false;
			}
			assert.equal(setting.validate!.call({}, name) === true, core, `the scores table ${JSON.stringify(name)}`);
		}
	});
});
