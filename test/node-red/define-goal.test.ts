import assert from 'node:assert/strict';
import type { Goal } from '../../core/goal/schema';
import type { ReadinessReport } from '../../core/features/readiness';
import defineGoalNode from '../../nodes/node-red/define-goal';
import loadEventsNode from '../../nodes/node-red/load-events';
import { simulatedEvents, smallMinimums } from './support/fixtures';
import { helper, message, statuses, type FlowNode } from './support/helper';

/** The form the dialog saves for "a purchase within 30 days, among profiles active in the last 45". */
const purchaseForm = {
	mode: 'form',
	goalName: 'purchase-in-30-days',
	propensityType: 'conversion',
	occur: 'will_occur',
	windowDays: '30',
	match: 'all',
	conditions: [{ field: 'eventType', op: 'equals', value: 'purchase' }],
	activeWithinDays: '45',
	lookbackDays: '',
	customEvents: [],
	profileAttributes: '',
	exclusions: [],
	goalJson: '',
	asOf: '',
	asOfType: 'str',
};

function flow(settings: Record<string, unknown>): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{ id: 'goal', z: 'tab', type: 'propensity-define-goal', ...purchaseForm, ...settings, wires: [['out']] },
		{ id: 'out', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

describe('Node-RED: define goal', function () {
	this.timeout(60000);
	afterEach(() => helper.unload());

	it('turns the dialog form into a validated goal on msg.goal, in words on msg.payload', async () => {
		await helper.load(defineGoalNode, flow({}));
		const shown = statuses(helper.getNode('goal'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({});
		const msg = await arriving;
		const goal = msg.goal as Goal;
		assert.deepEqual(goal.outcome, { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } });
		assert.deepEqual(goal.eligibility, { all: [{ activeWithinDays: 45 }] });
		assert.equal(goal.lookbackDays, 365, 'defaults are filled in');
		const payload = msg.payload as { name: string; inWords: string; ready: boolean | null };
		assert.equal(payload.name, 'purchase-in-30-days');
		assert.match(payload.inWords, /^A purchase within 30 days \(conversion\)/);
		assert.equal(payload.ready, null, 'without events there is nothing to be ready for');
		assert.deepEqual(shown.at(-1), { fill: 'green', shape: 'ring', text: 'goal is valid (no events to check it against)' });
	});

	it('builds any-of conditions, custom events, attributes and exclusions from the form rows', async () => {
		await helper.load(
			defineGoalNode,
			flow({
				match: 'any',
				conditions: [
					{ field: 'eventType', op: 'equals', value: 'purchase' },
					{ field: 'value', op: 'gte', value: '100' },
				],
				customEvents: [{ name: 'newsletter clicks', field: 'campaign', op: 'startsWith', value: 'newsletter' }],
				profileAttributes: 'country, device',
				exclusions: [{ field: 'channel', op: 'in', value: 'test, internal' }],
			}),
		);
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({});
		const goal = (await arriving).goal as Goal;
		assert.deepEqual(goal.outcome.when, {
			any: [
				{ field: 'eventType', op: 'equals', value: 'purchase' },
				{ field: 'value', op: 'gte', value: 100 },
			],
		});
		assert.deepEqual(goal.customEvents, [{ name: 'newsletter clicks', when: { all: [{ field: 'campaign', op: 'startsWith', value: 'newsletter' }] } }]);
		assert.deepEqual(goal.profileAttributes, [{ field: 'country' }, { field: 'device' }]);
		assert.deepEqual(goal.exclusions, [{ all: [{ field: 'channel', op: 'in', value: ['test', 'internal'] }] }]);
	});

	it('reads goal JSON written in the dialog', async () => {
		const churn = {
			name: 'churn-60d',
			propensityType: 'churn',
			outcome: { occur: 'will_not_occur', windowDays: 60, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		};
		await helper.load(defineGoalNode, flow({ mode: 'json', goalJson: JSON.stringify(churn) }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({});
		const goal = (await arriving).goal as Goal;
		assert.equal(goal.name, 'churn-60d');
		assert.equal(goal.outcome.occur, 'will_not_occur');
	});

	it('checks msg.goal instead of the dialog goal when the message carries one', async () => {
		await helper.load(defineGoalNode, flow({}));
		const arriving = message(helper.getNode('out'));
		const given = {
			name: 'from-the-message',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 14, when: { all: [{ field: 'eventType', op: 'equals', value: 'add_to_cart' }] } },
		};
		helper.getNode('goal').receive({ goal: JSON.stringify(given) });
		const goal = (await arriving).goal as Goal;
		assert.equal(goal.name, 'from-the-message');
		assert.equal(goal.outcome.windowDays, 14);
	});

	it('checks the goal against msg.events: ready, with the positives and negatives it found', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(defineGoalNode, flow({ minPositives: '50', minNegatives: '50' }));
		const shown = statuses(helper.getNode('goal'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({ events: loaded.table });
		const msg = await arriving;
		const readiness = msg.readiness as ReadinessReport;
		assert.equal(readiness.ready, true);
		assert.equal(readiness.minimums.positives, smallMinimums.minPositives);
		const payload = msg.payload as { ready: boolean; positives: number; negatives: number };
		assert.equal(payload.ready, true);
		assert.equal(payload.positives, readiness.totals.positives);
		assert.equal(msg.events, loaded.table, 'the events travel on, not copied');
		assert.deepEqual(shown.at(-1), {
			fill: 'green',
			shape: 'dot',
			text: `ready: ${readiness.totals.positives.toLocaleString('en-US')} positives, ${readiness.totals.negatives.toLocaleString('en-US')} negatives`,
		});
	});

	it('passes a goal the events cannot train yet, with the reason in the status and on msg.payload', async () => {
		const { loaded } = await simulatedEvents();
		// The automatic cutoff plan finds enough examples for the default minimums: ask for more than there are.
		await helper.load(defineGoalNode, flow({ minPositives: '100000' }));
		const shown = statuses(helper.getNode('goal'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({ events: loaded.table });
		const payload = (await arriving).payload as { ready: boolean; problems: string[] };
		assert.equal(payload.ready, false);
		assert.ok(payload.problems.length > 0);
		assert.equal(shown.at(-1)?.fill, 'yellow');
		assert.match(shown.at(-1)?.text ?? '', /^not ready: /);
	});

	it('uses msg.asOf as the present moment of the readiness check', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(defineGoalNode, flow({ minPositives: '50', minNegatives: '50' }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({ events: loaded.table, asOf: '2026-03-01' });
		const readiness = (await arriving).readiness as ReadinessReport;
		assert.ok(readiness.history.end !== null && readiness.history.end === '2026-03-01T23:59:59.999Z', `history ends ${readiness.history.end}`);
	});

	it('sends an invalid goal to a Catch node with the message that names the place and the fix', async () => {
		await helper.load(defineGoalNode, flow({ conditions: [{ field: 'value', op: 'gt', value: 'lots' }] }));
		const shown = statuses(helper.getNode('goal'));
		const caught = message(helper.getNode('errors'));
		helper.getNode('goal').receive({});
		assert.equal(((await caught).error as { message: string }).message, 'The outcome condition 1 compares value with "lots", which is not a number.');
		assert.equal(shown.at(-1)?.fill, 'red');
	});

	it('sends goal JSON that is not a goal to a Catch node, naming the key', async () => {
		await helper.load(
			defineGoalNode,
			flow({
				mode: 'json',
				goalJson:
					'{"name": "x", "propensityType": "conversion", "outcome": {"occur": "will_occur", "windowDays": 30, "when": {"all": [{"feild": "eventType"}]}}}',
			}),
		);
		const caught = message(helper.getNode('errors'));
		helper.getNode('goal').receive({});
		assert.match(((await caught).error as { message: string }).message, /"feild"/);
	});

	it('refuses a goal whose fields the events lack, naming the field', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(defineGoalNode, flow({ conditions: [{ field: 'loyalty_tier', op: 'equals', value: 'gold' }] }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('goal').receive({ events: loaded.table });
		assert.match(((await caught).error as { message: string }).message, /loyalty_tier/);
	});

	it('answers the dialog preview with the goal in words, or what is wrong with it', async () => {
		await helper.load(defineGoalNode, flow({}));
		const good = await helper.request().post('/propensity/goal-preview').send(purchaseForm);
		assert.equal(good.status, 200);
		const goodBody = good.body as { ok: boolean; inWords: string; goal: Goal };
		assert.equal(goodBody.ok, true);
		assert.match(goodBody.inWords, /^A purchase within 30 days/);
		assert.equal(goodBody.goal.name, 'purchase-in-30-days');
		const bad = await helper
			.request()
			.post('/propensity/goal-preview')
			.send({ ...purchaseForm, conditions: [] });
		assert.deepEqual(bad.body, {
			ok: false,
			error: 'The goal needs at least one outcome condition, e.g. field "eventType", operator "equals", value "purchase".',
		});
		const churn = await helper
			.request()
			.post('/propensity/goal-preview')
			.send({ ...purchaseForm, propensityType: 'churn' });
		assert.match((churn.body as { warnings: string[] }).warnings[0], /^A churn goal whose outcome will happen scores who will do it, not who will stop/);
	});

	it('names a goal left without a name after its outcome, so the node is valid as dropped', async () => {
		await helper.load(
			defineGoalNode,
			flow({
				goalName: '',
				occur: 'will_not_occur',
				propensityType: 'churn',
				windowDays: '60',
				conditions: [{ field: 'eventType', op: 'equals', value: 'visit' }],
			}),
		);
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({});
		const msg = await arriving;
		assert.equal((msg.goal as Goal).name, 'no-visit-in-60-days');
		assert.deepEqual((msg.payload as { warnings: string[] }).warnings, []);
	});

	it('warns, in the status and on msg.payload, about a churn goal whose outcome will happen', async () => {
		await helper.load(defineGoalNode, flow({ propensityType: 'churn' }));
		const shown = statuses(helper.getNode('goal'));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({});
		const payload = (await arriving).payload as { warnings: string[] };
		assert.equal(payload.warnings.length, 1);
		assert.match(payload.warnings[0], /"purchase-in-30-days" predicts a purchase within 30 days\. .*"will_not_occur"/);
		assert.equal(shown.at(-1)?.fill, 'yellow');
		assert.match(shown.at(-1)?.text ?? '', /^valid, but: A churn goal whose outcome will happen/);
	});

	it('reads a source column name in a condition as the field (event_type as eventType) and says so in words', async () => {
		const { loaded } = await simulatedEvents();
		await helper.load(defineGoalNode, flow({ conditions: [{ field: 'event_type', op: 'equals', value: 'purchase' }], ...smallMinimums }));
		const arriving = message(helper.getNode('out'));
		helper.getNode('goal').receive({ events: loaded.table });
		const msg = await arriving;
		assert.deepEqual((msg.goal as Goal).outcome.when, { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] });
		assert.match((msg.payload as { inWords: string }).inWords, / The field "event_type" is read as the event type \(eventType\)\.$/);
		assert.equal((msg.readiness as ReadinessReport).ready, true);
	});

	it('offers the dialog the fields and event types its flow last loaded (none before a load)', async () => {
		const { file, loaded } = await simulatedEvents();
		const flowNodes = [
			...flow({}),
			{
				id: 'load',
				z: 'tab',
				type: 'propensity-load-events',
				name: '',
				source: 'file',
				pathType: 'str',
				path: file,
				format: 'auto',
				preset: 'auto',
				badRows: 'fail',
				attributes: [],
				wires: [['goal']],
			},
		];
		await helper.load([defineGoalNode, loadEventsNode], flowNodes);
		const before = await helper.request().get('/propensity/goal-choices/other-tab');
		assert.deepEqual(before.body, { choices: null });
		const arriving = message(helper.getNode('out'));
		helper.getNode('load').receive({});
		await arriving;
		const after = await helper.request().get('/propensity/goal-choices/tab');
		const choices = (after.body as { choices: { fields: { field: string; label: string }[]; eventTypes: string[] } }).choices;
		assert.deepEqual(choices.fields.slice(0, 2), [
			{ field: 'eventType', label: 'event type (column "event_type")' },
			{ field: 'value', label: 'value (column "value")' },
		]);
		assert.ok(choices.fields.some((choice) => choice.field === 'channel'));
		const busiestFirst = Object.entries(loaded.summary.eventsPerType)
			.sort((a, b) => b[1] - a[1])
			.map(([type]) => type);
		assert.deepEqual(choices.eventTypes, busiestFirst);
		assert.ok(choices.eventTypes.includes('purchase'));
	});
});
