import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freshDir, outputDir, simulatedEvents } from './support/fixtures';
import type { FlowNode } from './support/helper';
import { startNodeRed, userDirWithPackage, type RunningNodeRed } from './support/runtime';

const tab = 'b0b0000000000000';
const inject = 'b0b0000000000001';
const load = 'b0b0000000000002';
const debug = 'b0b0000000000003';

const repoRoot = path.resolve(__dirname, '../../..');

/** Where the screenshots go, for a person to look at. */
const shots = outputDir;

/** A store, and an Explain Factors and a Score Profiles node reading their model from it (`fromStore`), stacked from `y` down. */
function modelSourceNodes(o: { store: string; name: string; explain: string; score: string; y: number; fromStore: Record<string, unknown> }) {
	return [
		{ id: o.store, type: 'propensity-store', name: o.name, kind: 'folder', path: 'models', postgres: '', schema: '' },
		{ id: o.explain, type: 'propensity-explain-factors', x: 320, y: o.y, topK: 3, perBucket: true, ...o.fromStore },
		{
			id: o.score,
			type: 'propensity-score-profiles',
			x: 320,
			y: o.y + 80,
			scoreFrom: 'events',
			keepRuns: 60,
			explain: 0,
			includeFeatures: true,
			output: 'array',
			mediumFrom: 25,
			highFrom: 75,
			...o.fromStore,
		},
	];
}

describe('Node-RED: the nodes in the editor, in a real browser', function () {
	this.timeout(300000);
	let red: RunningNodeRed;
	let browser: Browser;
	let page: Page;
	/** Errors the editor's scripts threw, as the browser's console would show them. */
	const pageErrors: string[] = [];

	before(async () => {
		const { file } = await simulatedEvents();
		const run = freshDir('browser');
		const userDir = await userDirWithPackage(path.join(run, 'user-dir'));
		// A flow to build on: inject → load events, and a debug node not yet wired.
		const flows: FlowNode[] = [
			{ id: tab, type: 'tab', label: 'Try define goal' },
			{
				id: inject,
				type: 'inject',
				z: tab,
				name: 'go',
				props: [{ p: 'payload' }],
				payload: '',
				payloadType: 'date',
				repeat: '',
				crontab: '',
				once: false,
				x: 110,
				y: 160,
				wires: [[load]],
			},
			{
				id: load,
				type: 'propensity-load-events',
				z: tab,
				name: '',
				source: 'file',
				path: file,
				pathType: 'str',
				format: 'auto',
				preset: 'auto',
				attributes: [],
				badRows: 'fail',
				x: 300,
				y: 160,
				wires: [[]],
			},
			{
				id: debug,
				type: 'debug',
				z: tab,
				name: 'goal check',
				active: true,
				tosidebar: true,
				console: false,
				complete: 'payload',
				targetType: 'msg',
				x: 760,
				y: 160,
				wires: [],
			},
		];
		// The example flows too, as Import > Examples would add them.
		for (const example of ['Train weekly', 'Score daily', 'Check model weekly']) {
			for (const node of JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', `${example}.json`), 'utf8')) as FlowNode[]) {
				if (!flows.some((known) => known.id === node.id)) flows.push(node);
			}
		}
		fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flows));
		red = await startNodeRed(userDir, path.join(userDir, 'flows.json'), {});
		browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			args: [
				'--headless',
				'--no-sandbox',
				'--disable-gpu',
				'--disable-background-networking',
				'--disable-component-update',
				'--no-first-run',
				'--disable-sync',
			],
		});
		page = await browser.newPage({ viewport: { width: 1440, height: 1300 } });
		page.on('pageerror', (error) => pageErrors.push(error.message));
		await page.goto(red.url);
		await page.waitForSelector('#red-ui-palette .red-ui-palette-node', { timeout: 60000 });
		await page.waitForSelector(`#red-ui-workspace-chart [id="${load}"]`, { timeout: 60000 });
	});

	after(async () => {
		await browser?.close();
		await red?.stop();
	});

	it('shows the seven nodes in the palette under "propensity", with their labels', async () => {
		const category = page.locator('#red-ui-palette-propensity');
		await category.scrollIntoViewIfNeeded();
		const labels = await category.locator('.red-ui-palette-node .red-ui-palette-label').allTextContents();
		assert.deepEqual(
			labels.map((label) => label.replace(/\s+/g, ' ').trim()),
			['load events', 'define goal', 'train model', 'score profiles', 'explain factors', 'build segment', 'monitor model'],
		);
		for (const type of ['load-events', 'define-goal', 'train-model', 'score-profiles', 'explain-factors', 'build-segment', 'monitor-model']) {
			const icon = category.locator(`.red-ui-palette-node[data-palette-type="propensity-${type}"] .red-ui-palette-icon`);
			assert.match((await icon.getAttribute('style')) ?? '', new RegExp(`propensity-${type}\\.svg`), `the ${type} icon is served`);
		}
		await page.locator('#red-ui-palette').screenshot({ path: path.join(shots, 'palette.png') });
	});

	it('opens the example flows with every node valid: no red triangle before deploy', async () => {
		const invalid = await page.evaluate(`(() => {
			const found = [];
			RED.nodes.eachNode((node) => { if (node.valid === false) found.push(node.type + ' ' + (node.name || node.id) + ': ' + JSON.stringify(node.validationErrors)); });
			RED.nodes.eachConfig((node) => { if (node.valid === false) found.push(node.type + ' ' + (node.name || node.id) + ': ' + JSON.stringify(node.validationErrors)); });
			return found;
		})()`);
		assert.deepEqual(invalid, []);
		const checked = await page.evaluate(`(() => { let valid = 0; RED.nodes.eachNode((node) => { if (node.valid === true) valid++; }); return valid; })()`);
		assert.ok((checked as number) >= 25, `${checked} nodes were validated`);
		const types = await page.evaluate(
			`(() => { const types = new Set(); RED.nodes.eachNode((node) => types.add(node.type)); return [...types].filter((t) => t.startsWith('propensity-')).sort(); })()`,
		);
		assert.deepEqual(types, [
			'propensity-build-segment',
			'propensity-define-goal',
			'propensity-explain-factors',
			'propensity-load-events',
			'propensity-monitor-model',
			'propensity-score-profiles',
			'propensity-train-model',
		]);
	});

	it('builds a goal with two added conditions in the Define Goal dialog (a bad window marked red), deploys, runs and shows the result in the debug sidebar', async () => {
		// Drag Define Goal from the palette onto the workspace, between Load Events and the debug node.
		const chart = await box('#red-ui-workspace-chart');
		const source = await box('#red-ui-palette-propensity .red-ui-palette-node[data-palette-type="propensity-define-goal"]');
		await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
		await page.mouse.down();
		await page.mouse.move(chart.x + 500, chart.y + 170, { steps: 25 });
		await page.mouse.move(chart.x + 530, chart.y + 160, { steps: 5 });
		await page.mouse.up();
		const goalNode = page.locator('#red-ui-workspace-chart g.red-ui-flow-node-group', { hasText: 'define goal' });
		await goalNode.waitFor();
		const goalId = await goalNode.getAttribute('id');
		assert.ok(goalId);

		// Wire Load Events → Define Goal → debug.
		await wire(`[id="${load}"] .red-ui-flow-port-output`, `[id="${goalId}"] .red-ui-flow-port-input`);
		await wire(`[id="${goalId}"] .red-ui-flow-port-output`, `[id="${debug}"] .red-ui-flow-port-input`);

		// Open its dialog: name the goal, add two conditions to the one it starts with.
		await goalNode.locator('.red-ui-flow-node').dblclick();
		await page.waitForSelector('#node-input-goalName', { state: 'visible' });
		await page.fill('#node-input-goalName', 'web-purchase-30d');
		// A bad setting is marked before deploy: the window is 1 to 365 days.
		const windowDays = page.locator('#node-input-windowDays');
		await windowDays.fill('');
		await windowDays.pressSequentially('400');
		await page.waitForSelector('#node-input-windowDays.input-error', { timeout: 5000 });
		await windowDays.fill('');
		await windowDays.pressSequentially('30');
		await page.waitForSelector('#node-input-windowDays:not(.input-error)', { timeout: 5000 });
		const list = page.locator('#node-input-conditions-container');
		const addButton = page.locator('.red-ui-editableList-addButton').first();
		await addButton.click();
		await addButton.click();
		const rows = list.locator('.red-ui-editableList-item-content');
		assert.equal(await rows.count(), 3);
		await rows.nth(1).locator('.propensity-row-field').fill('value');
		await rows.nth(1).locator('.propensity-row-op').selectOption('gte');
		await rows.nth(1).locator('.propensity-row-value').fill('20');
		await rows.nth(2).locator('.propensity-row-field').fill('channel');
		await rows.nth(2).locator('.propensity-row-op').selectOption('in');
		await rows.nth(2).locator('.propensity-row-value').fill('web, app');
		await page.fill('#node-input-minPositives', '50');
		await page.fill('#node-input-minNegatives', '50');
		const preview = page.locator('#node-propensity-goal-preview');
		await page.waitForFunction(
			`/value of at least 20 and where channel is "web" or "app"/.test(document.querySelector('#node-propensity-goal-preview')?.textContent ?? '')`,
			undefined,
			{ timeout: 20000 },
		);
		const inWords = (await preview.innerText()).trim();
		assert.equal(
			inWords,
			'A purchase with value of at least 20 and where channel is "web" or "app" within 30 days (conversion), for profiles active within the last 45 days. Learns from the last 365 days of events.',
		);
		await page
			.locator('.red-ui-tray-body')
			.first()
			.evaluate((body) => body.scrollTo(0, 0));
		await page.mouse.move(5, 5);
		await page
			.locator('.red-ui-tray')
			.first()
			.screenshot({ path: path.join(shots, 'goal-dialog.png') });
		await page.click('#node-dialog-ok');
		await page.waitForSelector('#node-input-goalName', { state: 'detached' });

		// Deploy, press the inject button, and read the result in the debug sidebar.
		await page.click('#red-ui-header-button-deploy');
		await page.waitForSelector('#red-ui-header-button-deploy.disabled', { timeout: 30000 });
		await page.click('#red-ui-tab-debug-link-button');
		const injected = page.waitForResponse((response) => response.url().endsWith(`/inject/${inject}`), { timeout: 30000 });
		await page.locator(`[id="${inject}"] .red-ui-flow-node-button`).click();
		assert.equal((await injected).status(), 200, 'the runtime took the button press');
		const message = page.locator('.red-ui-debug-msg').first();
		try {
			await message.waitFor({ timeout: 120000 });
		} catch (error) {
			await page.screenshot({ path: path.join(shots, 'debug-output-missing.png') });
			throw new Error(`no message in the debug sidebar; Node-RED's log ends:\n${red.log().slice(-3000)}`, { cause: error });
		}
		await message.locator('.red-ui-debug-msg-object-handle').first().click();
		await page.waitForFunction(`/inWords/.test(document.querySelector('.red-ui-debug-msg')?.textContent ?? '')`, undefined, { timeout: 10000 });
		const shown = await message.innerText();
		assert.match(shown, /goal check/);
		assert.match(shown, /web-purchase-30d/);
		assert.match(shown, /ready:\s*true/);
		// The whole editor: the wired flow with each node's status, and the result in the debug sidebar.
		await page.mouse.move(700, 700);
		await page.locator('#red-ui-workspace-chart').evaluate((chart) => chart.scrollTo(0, 0));
		await page.waitForFunction(`document.querySelectorAll('.red-ui-notification').length === 0`, undefined, { timeout: 15000 });
		await page.screenshot({ path: path.join(shots, 'debug-output.png') });

		// The runtime got the goal as the dialog built it.
		const flows = (await red.api('GET', '/flows')).body as FlowNode[];
		const saved = flows.find((node) => node.id === goalId) as FlowNode & { conditions: unknown[] };
		assert.deepEqual(saved.conditions, [
			{ field: 'eventType', op: 'equals', value: 'purchase' },
			{ field: 'value', op: 'gte', value: '20' },
			{ field: 'channel', op: 'in', value: 'web, app' },
		]);
		assert.ok(
			red.statuses.some((status) => status.id === goalId && /^ready: /.test(status.text ?? '')),
			'the node shows its readiness',
		);
	});

	it('lays out each example flow without overlapping nodes, with its debug nodes on, and no node shared with the other', async () => {
		const seenIds = new Set<string>();
		for (const example of ['Train weekly', 'Score daily', 'Check model weekly']) {
			const nodes = JSON.parse(fs.readFileSync(path.join(repoRoot, 'examples', `${example}.json`), 'utf8')) as (FlowNode & { active?: boolean })[];
			const tabId = nodes.find((node) => node.type === 'tab')?.id;
			assert.ok(tabId);
			await page.evaluate(`RED.workspaces.show(${JSON.stringify(tabId)})`);
			await page.waitForSelector(`#red-ui-workspace-chart [id="${nodes.find((node) => node.z === tabId && node.type !== 'comment')?.id}"]`);
			// Each node's drawn rectangle, as the editor laid it out with its label.
			const rects = (await page.evaluate(`(() => [...document.querySelectorAll('#red-ui-workspace-chart g.red-ui-flow-node-group')].map((group) => {
				const box = group.querySelector('rect.red-ui-flow-node').getBoundingClientRect();
				return { id: group.id, label: group.textContent.trim(), left: box.left, right: box.right, top: box.top, bottom: box.bottom };
			}))()`)) as { id: string; label: string; left: number; right: number; top: number; bottom: number }[];
			assert.ok(rects.length >= 10, `${example}: ${rects.length} nodes drawn`);
			for (let a = 0; a < rects.length; a++) {
				for (let b = a + 1; b < rects.length; b++) {
					const [p, q] = [rects[a], rects[b]];
					// Overlapping, or closer than a wire's room (20 px) side by side on one row.
					const overlap = p.left < q.right + 20 && q.left < p.right + 20 && p.top < q.bottom && q.top < p.bottom;
					assert.ok(!overlap, `${example}: "${p.label}" and "${q.label}" overlap or touch`);
				}
			}
			// Its own store config node, scoped to its tab: importing the other example then meets no node it already has.
			const stores = nodes.filter((node) => node.type === 'propensity-store');
			assert.equal(stores.length, 1);
			assert.equal(stores[0].z, tabId);
			assert.ok(!seenIds.has(stores[0].id) && nodes.every((node) => !seenIds.has(node.id)), `${example} shares no node id with the other example`);
			for (const node of nodes) seenIds.add(node.id);
			const debugs = nodes.filter((node) => node.type === 'debug');
			assert.ok(debugs.length >= 1 && debugs.every((node) => node.active === true), `${example}: every debug node ships switched on`);
			await page.locator('#red-ui-workspace-chart').screenshot({ path: path.join(shots, `example-${example.replace(' ', '-').toLowerCase()}.png`) });
		}
		await page.evaluate(`RED.workspaces.show(${JSON.stringify(tab)})`);
	});

	it('a define goal, a build segment and a score profiles dropped from the palette are valid as they are, features on', async () => {
		await page.evaluate(`RED.workspaces.show(${JSON.stringify(tab)})`);
		const dropped: string[] = [];
		for (const [type, y] of [
			['propensity-define-goal', 300],
			['propensity-build-segment', 380],
			['propensity-score-profiles', 460],
		] as const) {
			const before = (await page.evaluate(
				`(() => { const ids = []; RED.nodes.eachNode((node) => { if (node.type === ${JSON.stringify(type)}) ids.push(node.id); }); return ids; })()`,
			)) as string[];
			const chart = await box('#red-ui-workspace-chart');
			const source = await box(`#red-ui-palette-propensity .red-ui-palette-node[data-palette-type="${type}"]`);
			await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
			await page.mouse.down();
			await page.mouse.move(chart.x + 300, chart.y + y + 10, { steps: 20 });
			await page.mouse.move(chart.x + 320, chart.y + y, { steps: 5 });
			await page.mouse.up();
			await page.waitForFunction(
				`(() => { let n = 0; RED.nodes.eachNode((node) => { if (node.type === ${JSON.stringify(type)}) n++; }); return n === ${before.length + 1}; })()`,
			);
			const id = (await page.evaluate(
				`(() => { let found; RED.nodes.eachNode((node) => { if (node.type === ${JSON.stringify(type)} && !${JSON.stringify(before)}.includes(node.id)) found = node.id; }); return found; })()`,
			)) as string;
			dropped.push(id);
		}
		const states = await page.evaluate(
			`${JSON.stringify(dropped)}.map((id) => { const node = RED.nodes.node(id); return { type: node.type, valid: node.valid, errors: node.validationErrors || [], mode: node.mode, includeFeatures: node.includeFeatures }; })`,
		);
		assert.deepEqual(states, [
			{ type: 'propensity-define-goal', valid: true, errors: [], mode: 'form', includeFeatures: undefined },
			{ type: 'propensity-build-segment', valid: true, errors: [], mode: 'all', includeFeatures: undefined },
			{ type: 'propensity-score-profiles', valid: true, errors: [], mode: undefined, includeFeatures: true },
		]);
		// No red triangle drawn on any of them.
		for (const id of dropped) assert.equal(await page.locator(`#red-ui-workspace-chart [id="${id}"] .red-ui-flow-node-error:not(.hide)`).count(), 0);
		await page.evaluate(`(() => { ${JSON.stringify(dropped)}.forEach((id) => RED.nodes.remove(id)); RED.nodes.dirty(true); RED.view.redraw(true); })()`);
	});

	it("offers the flow's loaded fields and event types in the Define Goal dialog, and shows the core's churn warning", async () => {
		const goalId = (await page.evaluate(
			`(() => { let found; RED.nodes.eachNode((node) => { if (node.type === 'propensity-define-goal' && node.z === ${JSON.stringify(tab)}) found = node.id; }); return found; })()`,
		)) as string;
		assert.ok(goalId, 'the goal node of the earlier test is on the tab');
		await page.locator(`#red-ui-workspace-chart [id="${goalId}"] .red-ui-flow-node`).dblclick();
		await page.waitForSelector('#node-input-goalName', { state: 'visible' });
		await page.waitForFunction(`/this flow loaded last/.test(document.querySelector('#node-propensity-goal-choices')?.textContent ?? '')`, undefined, {
			timeout: 20000,
		});
		const fields = await page
			.locator('#propensity-goal-fields option')
			.evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value));
		assert.deepEqual(fields.slice(0, 2), ['eventType', 'value']);
		assert.ok(fields.includes('channel') && fields.includes('email'), `fields offered: ${fields.join(', ')}`);
		const types = await page
			.locator('#propensity-goal-types option')
			.evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value));
		assert.ok(types.includes('purchase') && types.includes('add_to_cart'), `event types offered: ${types.join(', ')}`);
		// The event type's value box offers them; another field's does not.
		const rows = page.locator('#node-input-conditions-container .red-ui-editableList-item-content');
		assert.equal(await rows.nth(0).locator('.propensity-row-value').getAttribute('list'), 'propensity-goal-types');
		assert.equal(await rows.nth(1).locator('.propensity-row-value').getAttribute('list'), null);
		// A source spelling of the field is read as the field, and a churn goal that will happen is warned about.
		await rows.nth(0).locator('.propensity-row-field').fill('event_type');
		await page.selectOption('#node-input-propensityType', 'churn');
		await page.waitForFunction(
			`/A churn goal whose outcome will happen/.test(document.querySelector('#node-propensity-goal-warnings')?.textContent ?? '')`,
			undefined,
			{ timeout: 20000 },
		);
		assert.match(await page.locator('#node-propensity-goal-preview').innerText(), /The field "event_type" is read as the event type \(eventType\)\./);
		assert.ok(await page.locator('#node-propensity-goal-warnings').isVisible());
		await page
			.locator('.red-ui-tray')
			.first()
			.screenshot({ path: path.join(shots, 'goal-dialog-choices.png') });
		await page.click('#node-dialog-cancel');
		await page.waitForSelector('#node-input-goalName', { state: 'detached' });
	});

	it("offers the run's HTML report in the Score Profiles dialog (with one message of every profile only) and in the Build Segment dialog, off by default", async () => {
		for (const [type, visibleFor, hiddenFor] of [
			['propensity-score-profiles', 'array', 'file'],
			['propensity-build-segment', 'each', undefined],
		] as const) {
			const found = (await page.evaluate(
				`(() => { let found; RED.nodes.eachNode((node) => { if (node.type === ${JSON.stringify(type)} && !found) found = { id: node.id, z: node.z, report: node.report }; }); return found; })()`,
			)) as { id: string; z: string; report: unknown };
			assert.ok(found, `an example flow has a ${type}`);
			assert.notEqual(found.report, true, `${type}: the report is off in the example`);
			await page.evaluate(`RED.workspaces.show(${JSON.stringify(found.z)})`);
			await page.locator(`#red-ui-workspace-chart [id="${found.id}"] .red-ui-flow-node`).dblclick();
			await page.waitForSelector('#node-input-report', { state: 'attached' });
			await page.selectOption('#node-input-output', visibleFor);
			assert.ok(await page.locator('#node-input-report').isVisible(), `${type}: the report box shows with output ${visibleFor}`);
			assert.equal(await page.locator('#node-input-report').isChecked(), false);
			// Both edges in one frame: the tray may still be sliding in on a busy machine.
			const overhang = (await page.evaluate(
				`(() => document.querySelector('label[for="node-input-report"]').getBoundingClientRect().right - document.querySelector('.red-ui-tray').getBoundingClientRect().right)()`,
			)) as number;
			assert.ok(overhang <= 0, `${type}: the label fits in the dialog (it overhangs by ${overhang} px)`);
			if (hiddenFor) {
				await page.selectOption('#node-input-output', hiddenFor);
				assert.equal(await page.locator('#node-input-report').isVisible(), false, `${type}: no report box with output ${hiddenFor}`);
			}
			await page
				.locator('.red-ui-tray')
				.first()
				.screenshot({ path: path.join(shots, `${type}-report-option.png`) });
			await page.click('#node-dialog-cancel');
			await page.waitForSelector('#node-input-report', { state: 'detached' });
		}
		await page.evaluate(`RED.workspaces.show(${JSON.stringify(tab)})`);
	});

	it('marks a blank model name from the store valid in Explain Factors (its runtime then takes the model that scored the run) and invalid in Score Profiles', async () => {
		await page.evaluate(`RED.workspaces.show(${JSON.stringify(tab)})`);
		const store = 'b0b0000000000010';
		const explain = 'b0b0000000000011';
		const score = 'b0b0000000000012';
		const fromStore = {
			z: tab,
			name: '',
			modelFrom: 'store',
			store,
			modelName: '',
			modelNameType: 'str',
			modelVersion: 'latest',
			scoresTable: '',
			wires: [[]],
		};
		await page.evaluate(`(() => {
			RED.nodes.import(${JSON.stringify(modelSourceNodes({ store, name: 'blank-name store', explain, score, y: 560, fromStore }))});
			[${JSON.stringify(explain)}, ${JSON.stringify(score)}].forEach((id) => RED.editor.validateNode(RED.nodes.node(id)));
			RED.view.redraw(true);
		})()`);
		const validity = async () =>
			(await page.evaluate(
				`[${JSON.stringify(explain)}, ${JSON.stringify(score)}].map((id) => { const node = RED.nodes.node(id); return { type: node.type, valid: node.valid, errors: node.validationErrors || [] }; })`,
			)) as { type: string; valid: boolean; errors: string[] }[];
		assert.deepEqual(await validity(), [
			{ type: 'propensity-explain-factors', valid: true, errors: [] },
			{ type: 'propensity-score-profiles', valid: false, errors: ['the name the model was saved under, e.g. purchase-30d'] },
		]);
		// The dialog agrees: the blank name is not marked, and the node stays valid once saved.
		await page.locator(`#red-ui-workspace-chart [id="${explain}"] .red-ui-flow-node`).dblclick();
		await page.waitForSelector('#node-input-modelName', { state: 'attached' });
		assert.equal(await page.locator('#node-input-modelFrom').inputValue(), 'store');
		assert.equal(
			await page.locator('#node-input-scoresTable').getAttribute('placeholder'),
			'propensity_scores',
			'the blank scores table shows its default',
		);
		assert.equal(await page.locator('.propensity-explain .input-error').count(), 0, 'no field is marked');
		await page.click('#node-dialog-ok');
		await page.waitForSelector('#node-input-modelName', { state: 'detached' });
		assert.deepEqual((await validity())[0], { type: 'propensity-explain-factors', valid: true, errors: [] });
		assert.equal(await page.locator(`#red-ui-workspace-chart [id="${explain}"] .red-ui-flow-node-error:not(.hide)`).count(), 0, 'no red triangle');
		await page.evaluate(
			`(() => { [${JSON.stringify(explain)}, ${JSON.stringify(score)}].forEach((id) => RED.nodes.remove(id)); RED.nodes.dirty(true); RED.view.redraw(true); })()`,
		);
	});

	it('shows the shared model-source rows in the Score Profiles and Explain Factors dialogs, filled from the node, the store rows only for the store', async () => {
		await page.evaluate(`RED.workspaces.show(${JSON.stringify(tab)})`);
		const store = 'b0b0000000000020';
		const fromStore = {
			z: tab,
			name: '',
			modelFrom: 'store',
			store,
			modelName: 'purchase-30d',
			modelNameType: 'str',
			modelVersion: '2',
			scoresTable: '',
			wires: [[]],
		};
		const dialogs = [
			{ id: 'b0b0000000000021', type: 'propensity-explain-factors', from: 'score profiles', tip: true, storeOnly: ['modelName', 'modelVersion'] },
			{
				id: 'b0b0000000000022',
				type: 'propensity-score-profiles',
				from: 'train model',
				tip: false,
				storeOnly: ['modelName', 'modelVersion', 'keepRuns'],
			},
		];
		await page.evaluate(`(() => {
			RED.nodes.import(${JSON.stringify(modelSourceNodes({ store, name: 'shared-rows store', explain: dialogs[0].id, score: dialogs[1].id, y: 720, fromStore }))});
			RED.view.redraw(true);
		})()`);
		// Rows, not inputs, are checked for visibility: a typed input hides its own box behind another.
		for (const dialog of dialogs) {
			await page.locator(`#red-ui-workspace-chart [id="${dialog.id}"] .red-ui-flow-node`).dblclick();
			await page.waitForSelector('#node-input-modelName', { state: 'attached' });
			assert.equal(await page.locator('#node-input-modelFrom').inputValue(), 'store', `${dialog.type}: the model comes from the store`);
			assert.equal(await page.locator('#node-input-store').inputValue(), store, `${dialog.type}: the store config node is picked`);
			assert.equal(await page.locator('#node-input-modelName').inputValue(), 'purchase-30d');
			assert.equal(await page.locator('#node-input-modelVersion').inputValue(), '2');
			assert.equal(await page.locator('#node-input-modelFrom option[value="msg"]').textContent(), `msg.model (from ${dialog.from})`);
			for (const setting of dialog.storeOnly)
				assert.ok(await page.locator(`.form-row:has(#node-input-${setting})`).isVisible(), `${dialog.type}: ${setting} shows for the store`);
			assert.equal(await page.locator('.form-tips:has-text("a blank Model name takes the model that scored the run")').isVisible(), dialog.tip);
			await page.selectOption('#node-input-modelFrom', 'msg');
			for (const setting of dialog.storeOnly)
				assert.equal(
					await page.locator(`.form-row:has(#node-input-${setting})`).isVisible(),
					false,
					`${dialog.type}: ${setting} is hidden for msg.model`,
				);
			await page.click('#node-dialog-cancel');
			await page.waitForSelector('#node-input-modelName', { state: 'detached' });
		}
		assert.deepEqual(
			pageErrors.filter((message) => /propensity/i.test(message)),
			[],
			'no editor script of the package threw',
		);
		await page.evaluate(
			`(() => { [${dialogs.map((dialog) => JSON.stringify(dialog.id)).join(', ')}].forEach((id) => RED.nodes.remove(id)); RED.nodes.dirty(true); RED.view.redraw(true); })()`,
		);
	});

	async function box(selector: string): Promise<{ x: number; y: number; width: number; height: number }> {
		const found = await page.locator(selector).first().boundingBox();
		assert.ok(found, `${selector} is on the page`);
		return found;
	}

	/** Drags a wire from one port to another, as a person does with the mouse. */
	async function wire(from: string, to: string): Promise<void> {
		const a = await box(`#red-ui-workspace-chart ${from}`);
		const b = await box(`#red-ui-workspace-chart ${to}`);
		await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
		await page.mouse.down();
		await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 20 });
		await page.mouse.up();
	}
});
