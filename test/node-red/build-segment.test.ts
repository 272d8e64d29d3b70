import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { scoreProfiles } from '../../core/pipeline';
import { compareRank, type SegmentMember, type SegmentSummary } from '../../core/segment';
import type { ScoredProfile } from '../../core/score/types';
import buildSegmentNode from '../../nodes/node-red/build-segment';
import storeConfigNode from '../../nodes/node-red/store-config';
import { freshDir, simulatedEvents, trainedModel } from './support/fixtures';
import { helper, message, messages, noMessage, statuses, type FlowNode } from './support/helper';

const nodes = [buildSegmentNode, storeConfigNode];

function flow(settings: Record<string, unknown>, storePath = ''): FlowNode[] {
	return [
		{ id: 'tab', type: 'tab', label: 'test' },
		{ id: 'store', type: 'propensity-store', name: '', kind: 'folder', path: storePath },
		{
			id: 'segment',
			z: 'tab',
			type: 'propensity-build-segment',
			rule: 'score>=30',
			ruleType: 'str',
			segmentName: 'likely-buyers',
			mode: 'all',
			store: storePath ? 'store' : '',
			output: 'each',
			...settings,
			wires: [['in'], ['not-in']],
		},
		{ id: 'in', z: 'tab', type: 'helper' },
		{ id: 'not-in', z: 'tab', type: 'helper' },
		{ id: 'on-error', z: 'tab', type: 'catch', scope: null, uncaught: false, wires: [['errors']] },
		{ id: 'errors', z: 'tab', type: 'helper' },
	];
}

/** Waits (up to 5 s) until the node shows a status other than "working". */
async function settled(shown: { text?: string }[]): Promise<void> {
	for (let waited = 0; waited < 5000 && (shown.length === 0 || shown.at(-1)?.text === 'working'); waited += 20)
		await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('Node-RED: build segment', function () {
	this.timeout(120000);
	let scored: ScoredProfile[];
	let members: string[];

	before(async () => {
		const model = (await trainedModel()).model;
		const { loaded } = await simulatedEvents();
		scored = await (await scoreProfiles(loaded.table, model, { explain: 2 })).all();
		members = scored.filter((p) => p.score >= 30).map((p) => p.profileId);
		assert.ok(members.length > 5 && members.length < scored.length - 5, `${members.length} of ${scored.length} score 30 or more`);
	});

	afterEach(() => helper.unload());

	it('sends each member on output 1 and each other profile on output 2, one message each', async () => {
		await helper.load(nodes, flow({}));
		const shown = statuses(helper.getNode('segment'));
		const inside = messages(helper.getNode('in'), members.length);
		const outside = messages(helper.getNode('not-in'), scored.length - members.length);
		helper.getNode('segment').receive({ payload: scored });
		const got = await inside;
		assert.deepEqual(
			got.map((msg) => (msg.payload as SegmentMember).profileId),
			members,
		);
		assert.equal((await outside).length, scored.length - members.length);
		const member = got[0].payload as SegmentMember;
		assert.equal(member.factors.length, 2, 'factor sentences travel with each member');
		assert.equal(typeof member.attributes.email, 'string');
		assert.equal(got[0].topic, 'likely-buyers');
		assert.deepEqual((got[0].segment as SegmentSummary).members, members.length);
		assert.deepEqual(got.at(-1)?.parts, { id: (got[0].parts as { id: string }).id, index: members.length - 1, count: members.length, type: 'array' });
		assert.deepEqual(shown.at(-1), {
			fill: 'green',
			shape: 'dot',
			text: `${members.length} in segment, ${(scored.length - members.length).toLocaleString('en-US')} not`,
		});
	});

	it('sends one list per output when asked, keeping the rest of the message', async () => {
		await helper.load(nodes, flow({ output: 'array' }));
		const inside = message(helper.getNode('in'));
		const outside = message(helper.getNode('not-in'));
		helper.getNode('segment').receive({ payload: scored, topic: 'daily' });
		const msg = await inside;
		assert.deepEqual(
			(msg.payload as SegmentMember[]).map((m) => m.profileId),
			members,
		);
		assert.equal(msg.topic, 'daily');
		assert.equal(((await outside).payload as SegmentMember[]).length, scored.length - members.length);
	});

	it("puts the run's HTML report on the first message of output 1 when asked", async () => {
		await helper.load(nodes, flow({ output: 'each', report: true }));
		const inside = messages(helper.getNode('in'), members.length);
		helper.getNode('segment').receive({ payload: scored });
		const sent = await inside;
		assert.match(sent[0].report as string, new RegExp(`<div class="label">Members</div><div class="value">${members.length}</div>`));
		assert.ok(sent.slice(1).every((msg) => msg.report === undefined));
	});

	it('sends only those who entered since the last run, remembered in the store: everyone first, nobody on a rerun', async () => {
		const storePath = freshDir('segment-entered');
		await helper.load(nodes, flow({ mode: 'entered' }, storePath));
		const node = helper.getNode('segment');
		const shown = statuses(node);
		const first = messages(helper.getNode('in'), members.length);
		node.receive({ payload: scored, runAt: '2026-06-01T06:00:00Z' });
		assert.equal((await first).length, members.length);
		// The status comes once the membership is committed, just after the messages went out.
		await settled(shown);
		assert.match(shown.at(-1)?.text ?? '', new RegExp(`^${members.length} entered · ${members.length} in segment`));
		assert.ok(
			fs.readdirSync(storePath, { recursive: true }).some((file) => String(file).includes('likely-buyers')),
			'the membership is kept in the store folder',
		);

		const nothing = noMessage(helper.getNode('in'), 1500);
		node.receive({ payload: scored, runAt: '2026-06-02T06:00:00Z' });
		await nothing;
		await settled(shown);
		assert.match(shown.at(-1)?.text ?? '', new RegExp(`^0 entered · ${members.length} in segment`));

		// A profile whose score rose since: it alone enters.
		const riser = scored.find((p) => p.score < 30) as ScoredProfile;
		const third = message(helper.getNode('in'));
		node.receive({ payload: scored.map((p) => (p === riser ? { ...p, score: 95, bucket: 'high' } : p)), runAt: '2026-06-03T06:00:00Z' });
		assert.equal(((await third).payload as SegmentMember).profileId, riser.profileId);
	});

	it('commits the membership only after sending: when the commit fails, the next run sends the same entrants again', async () => {
		const storePath = freshDir('segment-commit-last');
		// A file where the store keeps the segment's runs: the run's messages go out, then its commit fails.
		fs.mkdirSync(path.join(storePath, 'segment-runs'), { recursive: true });
		fs.writeFileSync(path.join(storePath, 'segment-runs', 'likely-buyers'), '');
		await helper.load(nodes, flow({ mode: 'entered' }, storePath));
		const node = helper.getNode('segment');
		const caught = message(helper.getNode('errors'));
		const first = messages(helper.getNode('in'), members.length);
		node.receive({ payload: scored, runAt: '2026-06-01T06:00:00Z' });
		assert.equal((await first).length, members.length);
		assert.match(((await caught).error as { message: string }).message, /could not keep the run of segment "likely-buyers"/);

		fs.rmSync(path.join(storePath, 'segment-runs', 'likely-buyers'));
		const shown = statuses(node);
		const again = messages(helper.getNode('in'), members.length);
		node.receive({ payload: scored, runAt: '2026-06-02T06:00:00Z' });
		assert.deepEqual(
			(await again).map((msg) => (msg.payload as SegmentMember).profileId),
			members,
		);
		await settled(shown);
		assert.match(shown.at(-1)?.text ?? '', new RegExp(`^${members.length} entered · .* · run 1$`));
	});

	it("sends a kept run's entrants again on msg.resend, changing no membership", async () => {
		const storePath = freshDir('segment-resend');
		await helper.load(nodes, flow({ mode: 'entered', output: 'array' }, storePath));
		const node = helper.getNode('segment');
		const first = message(helper.getNode('in'));
		node.receive({ payload: scored, runAt: '2026-06-01T06:00:00Z' });
		const sent = ((await first).payload as SegmentMember[]).map((row) => row.profileId);
		const shown = statuses(node);
		const resent = message(helper.getNode('in'));
		node.receive({ resend: 1 });
		const msg = await resent;
		assert.deepEqual(
			(msg.payload as SegmentMember[]).map((row) => row.profileId),
			sent,
		);
		assert.deepEqual(msg.segment, { name: 'likely-buyers', mode: 'entered', run: 1, runAt: '2026-06-01T06:00:00Z', resent: true });
		await settled(shown);
		assert.equal(shown.at(-1)?.text, `resent run 1: ${sent.length} entered`);
		const nothing = noMessage(helper.getNode('in'), 1000);
		node.receive({ payload: scored, runAt: '2026-06-02T06:00:00Z' });
		await nothing;
		const caught = message(helper.getNode('errors'));
		node.receive({ resend: 'yesterday' });
		assert.match(((await caught).error as { message: string }).message, /msg\.resend is "yesterday": give a run number/);
	});

	it('uses the rule on msg.rules when the message sets one', async () => {
		await helper.load(nodes, flow({}));
		const top = [...scored]
			.sort(compareRank)
			.slice(0, 5)
			.map((p) => p.profileId);
		const inside = messages(helper.getNode('in'), 5);
		helper.getNode('segment').receive({ payload: scored, rules: { top: { count: 5 } } });
		assert.deepEqual((await inside).map((msg) => (msg.payload as SegmentMember).profileId).sort(), [...top].sort());
	});

	it('reads rule JSON written in the dialog', async () => {
		await helper.load(nodes, flow({ rule: '{"all": [{"score": {"gte": 30}}, {"attribute": {"name": "email", "exists": true}}]}', ruleType: 'json' }));
		const inside = messages(helper.getNode('in'), members.length);
		helper.getNode('segment').receive({ payload: scored });
		assert.equal((await inside).length, members.length);
	});

	it('sends a rule it cannot read to a Catch node, with the syntax to use', async () => {
		await helper.load(nodes, flow({ rule: 'score>=lots' }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('segment').receive({ payload: scored });
		assert.match(((await caught).error as { message: string }).message, /^The rule clause "score>=lots"/);
	});

	it('refuses "entered" without a store, saying what it needs', async () => {
		await helper.load(nodes, flow({ mode: 'entered' }));
		const caught = message(helper.getNode('errors'));
		helper.getNode('segment').receive({ payload: scored });
		assert.match(((await caught).error as { message: string }).message, /^Mode "entered" compares with the segment's last run, so it needs a store/);
	});

	it('sends a store that cannot be written to a Catch node and sends nobody on', async () => {
		const dir = freshDir('segment-unwritable');
		const blocker = path.join(dir, 'a-file');
		fs.writeFileSync(blocker, '');
		await helper.load(nodes, flow({ mode: 'entered' }, path.join(blocker, 'store')));
		const caught = message(helper.getNode('errors'));
		const nobody = noMessage(helper.getNode('in'), 1000);
		helper.getNode('segment').receive({ payload: scored });
		assert.match(((await caught).error as { message: string }).message, /^Could not open the model store folder/);
		await nobody;
	});
});
