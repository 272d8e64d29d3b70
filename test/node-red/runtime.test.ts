import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../core/pipeline';
import { writeSimulation } from '../../core/simulate';
import { startHttpServer, type TestHttp } from '../support/http';
import { startSmtpServer, type TestSmtp } from '../support/smtp';
import { runCli } from '../support/cli';
import { freshDir } from './support/fixtures';
import type { FlowNode } from './support/helper';
import { nodeRedDir, startNodeRed, userDirWithPackage, type RunningNodeRed } from './support/runtime';

const packageName = 'n8n-nodes-propensity';
/** Ids in the example flows (examples/*.json). */
const train = { inject: 'a1c3e5f7091b2d42', model: 'a1c3e5f7091b2d45' };
const score = { inject: 'b2d4f6081a3c5e72', segment: 'b2d4f6081a3c5e76' };
const check = { inject: 'c4e6a8b0d2f41002', monitor: 'c4e6a8b0d2f41005', train: 'c4e6a8b0d2f4100a' };

describe('Node-RED: the package installed in a real Node-RED, running the example flows', function () {
	this.timeout(600000);
	let red: RunningNodeRed;
	let smtp: TestSmtp;
	let crm: TestHttp;
	let run: string;
	let env: Record<string, string>;

	before(async () => {
		run = freshDir('runtime');
		const userDir = await userDirWithPackage(path.join(run, 'user-dir'));
		const events = path.join(run, 'events.csv');
		// 3,000 customers: enough purchases for the goal's default minimums (500 positives).
		await writeSimulation({ profiles: 3000, seed: 11, format: 'csv', out: events });
		smtp = await startSmtpServer();
		crm = await startHttpServer({ reply: { ok: true } });
		env = {
			PROPENSITY_EVENTS_FILE: events,
			PROPENSITY_STORE: path.join(run, 'store'),
			PROPENSITY_REPORT_FILE: path.join(run, 'reports', 'purchase-report.html'),
			PROPENSITY_REPORT_TO: 'marketing@shop.example',
			PROPENSITY_MAIL_FROM: 'propensity@shop.example',
			PROPENSITY_SMTP_HOST: smtp.host,
			PROPENSITY_SMTP_PORT: String(smtp.port),
			PROPENSITY_CRM_URL: `${crm.url}/crm/contacts`,
			// Any movement of the scores means "retrain", so the health check takes its retrain branch.
			PROPENSITY_MONITOR_THRESHOLDS: '{"scorePsiWatch": 0, "scorePsiRetrain": 0}',
		};
		red = await startNodeRed(userDir, path.join(userDir, 'flows.json'), env);
	});

	after(async () => {
		await red?.stop();
		await smtp?.stop();
		await crm?.stop();
	});

	it('runs the Node-RED and the Node it was asked to', async () => {
		const expected = (JSON.parse(fs.readFileSync(path.join(nodeRedDir, 'package.json'), 'utf8')) as { version: string }).version;
		const { body } = await red.api('GET', '/settings');
		// A Node-RED run from a folder inside a git checkout calls itself e.g. 4.1.15-git.
		assert.match((body as { version: string }).version, new RegExp(`^${expected.replace(/\./g, '\\.')}(-git)?$`));
		assert.match(red.log(), new RegExp(`Node-RED ${expected.replace(/\./g, '\\.')}.*, Node ${process.version.replace(/\./g, '\\.')}\\)`));
		console.log(`      (Node-RED ${expected} on Node ${process.version})`);
	});

	it('loads the seven nodes and three config nodes from the installed package', async () => {
		const { status, body } = await red.api('GET', '/nodes');
		assert.equal(status, 200);
		const sets = (body as { module: string; types: string[]; enabled: boolean; err?: string }[]).filter((set) => set.module === packageName);
		assert.deepEqual(sets.flatMap((set) => set.types).sort(), [
			'propensity-build-segment',
			'propensity-clickhouse',
			'propensity-define-goal',
			'propensity-explain-factors',
			'propensity-load-events',
			'propensity-monitor-model',
			'propensity-postgres',
			'propensity-score-profiles',
			'propensity-store',
			'propensity-train-model',
		]);
		for (const set of sets) assert.equal(set.err, undefined, `${set.types.join(', ')}: ${set.err}`);
	});

	it('offers the six Node-RED example flows under Import > Examples, and none of the n8n workflows', async () => {
		const { body } = await red.api('GET', `/library/examples/flows/${packageName}`);
		assert.deepEqual(body, [
			{ fn: 'Check model weekly' },
			{ fn: 'Explain the top customers in the warehouse' },
			{ fn: 'Score daily in the warehouse' },
			{ fn: 'Score daily' },
			{ fn: 'Train weekly in the warehouse' },
			{ fn: 'Train weekly' },
		]);
	});

	it('deploys the example flows as they are, and keeps no credentials in the flow file', async () => {
		const flows: FlowNode[] = [];
		for (const name of ['Train weekly', 'Score daily', 'Check model weekly']) {
			const { status, body } = await red.api('GET', `/library/examples/flows/${packageName}/${encodeURIComponent(name)}`);
			assert.equal(status, 200);
			for (const node of body as FlowNode[]) if (!flows.some((known) => known.id === node.id)) flows.push(node);
		}
		// A PostgreSQL connection with credentials, as the editor deploys one.
		flows.push({
			id: 'c0ffee0000000001',
			type: 'propensity-postgres',
			name: 'warehouse',
			host: 'db.shop.example',
			port: '5432',
			database: 'analytics',
			ssl: 'on',
			credentials: { user: 'analyst', password: 'pg-secret-42' },
		});
		const deployed = await red.api('POST', '/flows', flows, { 'Node-RED-Deployment-Type': 'full' });
		assert.equal(deployed.status, 204, JSON.stringify(deployed.body));
		const flowFile = fs.readFileSync(path.join(run, 'user-dir', 'flows.json'), 'utf8');
		assert.ok(flowFile.includes('db.shop.example'));
		assert.ok(!flowFile.includes('pg-secret-42') && !flowFile.includes('analyst'), 'user and password are not in flows.json');
		const credentialFile = fs.readFileSync(path.join(run, 'user-dir', 'flows_cred.json'), 'utf8');
		assert.ok(!credentialFile.includes('pg-secret-42'), 'the credential file is encrypted');
		const { body } = await red.api('GET', '/flows');
		const pg = (body as FlowNode[]).find((node) => node.id === 'c0ffee0000000001');
		assert.equal(JSON.stringify(pg).includes('pg-secret-42'), false, 'the admin API does not hand the password back');
	});

	it('"Train weekly" trains on the events, saves the model, writes the report and emails it', async () => {
		const since = red.statuses.length;
		await red.inject(train.inject);
		const done = await red.waitForStatus(train.model, (status) => status.fill === 'green' || status.fill === 'yellow' || status.fill === 'red', since);
		assert.match(done.text ?? '', /^AUC 0\.\d\d \(\w+\) · saved as version 1$/, `${done.text}\n${red.log().slice(-3000)}`);
		assert.ok(
			red.statuses.slice(since).some((status) => status.id === train.model && /^training/.test(status.text ?? '')),
			'training progress was shown',
		);

		const mails = await smtp.waitFor(1, 30000);
		assert.equal(mails.length, 1);
		const [mail] = mails;
		assert.deepEqual(mail.to, ['marketing@shop.example']);
		assert.equal(mail.from, 'propensity@shop.example');
		assert.match(mail.subject, /^Propensity: purchase-in-30-days retrained, validation AUC 0\.\d\d/);
		assert.match(mail.text, /Saved as version 1\./);
		assert.equal(mail.attachments.length, 1);
		assert.equal(mail.attachments[0].filename, 'purchase-in-30-days-report.html');
		assert.match(mail.attachments[0].content.toString('utf8'), /^<!DOCTYPE html>/i);

		const report = await red.waitFor(
			() => fs.existsSync(env.PROPENSITY_REPORT_FILE) && fs.readFileSync(env.PROPENSITY_REPORT_FILE, 'utf8'),
			'the report file',
		);
		assert.equal(report, mail.attachments[0].content.toString('utf8'), 'the saved and the mailed report are the same page');
		const store = await openStore({ kind: 'folder', path: env.PROPENSITY_STORE });
		assert.deepEqual(
			(await store.listVersions('purchase-in-30-days')).map((v) => v.version),
			[1],
		);
		await store.close();
	});

	let entrants: number;

	it('"Score daily" sends one offer email and one CRM record per customer who entered the top 5%', async () => {
		smtp.clear();
		const since = red.statuses.length;
		await red.inject(score.inject);
		const done = await red.waitForStatus(score.segment, (status) => status.fill === 'green' || status.fill === 'red', since);
		const counted = /^(\d+) entered · (\d+) in segment/.exec(done.text ?? '');
		assert.ok(counted, `${done.text}\n${red.log().slice(-3000)}`);
		entrants = Number(counted[1]);
		assert.equal(entrants, Number(counted[2]), 'on the first run everyone in the segment has entered');
		assert.ok(entrants >= 20, `${entrants} entrants`);

		const mails = await smtp.waitFor(entrants, 60000);
		const calls = await crm.waitFor(entrants, 60000);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		assert.equal(smtp.received.length, entrants, 'one email per entrant, no more');
		assert.equal(crm.received.length, entrants, 'one CRM call per entrant, no more');

		const records = calls.map(
			(call) => call.json as { profileId: string; score: number; bucket: string; factors: string[]; attributes: { email: string } },
		);
		assert.ok(calls.every((call) => call.method === 'POST' && call.url === '/crm/contacts'));
		assert.equal(new Set(records.map((record) => record.profileId)).size, entrants, 'each entrant once');
		for (const record of records) assert.equal(record.factors.length, 3, 'the CRM gets the three reasons behind each score');
		assert.deepEqual(
			mails.map((mail) => mail.to[0]).sort(),
			records.map((record) => record.attributes.email).sort(),
			'each entrant is emailed at their own address',
		);
		assert.ok(mails.every((mail) => mail.from === 'propensity@shop.example' && mail.subject === 'A little something picked for you'));

		const store = await openStore({ kind: 'folder', path: env.PROPENSITY_STORE });
		const membership = await store.loadMembership('likely-buyers');
		await store.close();
		assert.deepEqual([...(membership?.members ?? [])].sort(), records.map((record) => record.profileId).sort(), 'the store remembers who was sent');
	});

	it('sends a missing file, an invalid goal and a store that cannot be written to the Catch node, and keeps running', async () => {
		const blocker = path.join(run, 'not-a-folder');
		fs.writeFileSync(blocker, 'a file where the store folder should be');
		const tab = 'e77e000000000000';
		const nodes: FlowNode[] = [
			{
				id: 'e77e000000000001',
				type: 'inject',
				z: tab,
				name: 'missing file',
				props: [{ p: 'payload' }],
				payload: '',
				payloadType: 'date',
				repeat: '',
				crontab: '',
				once: false,
				wires: [['e77e000000000002']],
			},
			{
				id: 'e77e000000000002',
				type: 'propensity-load-events',
				z: tab,
				source: 'file',
				path: path.join(run, 'no-such-events.csv'),
				pathType: 'str',
				format: 'auto',
				preset: 'auto',
				attributes: [],
				badRows: 'fail',
				wires: [[]],
			},
			{
				id: 'e77e000000000003',
				type: 'inject',
				z: tab,
				name: 'invalid goal',
				props: [{ p: 'payload' }],
				payload: '',
				payloadType: 'date',
				repeat: '',
				crontab: '',
				once: false,
				wires: [['e77e000000000004']],
			},
			{
				id: 'e77e000000000004',
				type: 'propensity-define-goal',
				z: tab,
				mode: 'json',
				goalJson:
					'{"name": "churn", "propensityType": "churn", "outcome": {"occur": "will_not_occur", "windowDays": 400, "when": {"all": [{"field": "eventType", "op": "equals", "value": "purchase"}]}}}',
				wires: [[]],
			},
			{
				id: 'e77e000000000005',
				type: 'inject',
				z: tab,
				name: 'unwritable store',
				props: [{ p: 'payload' }],
				payload: '',
				payloadType: 'date',
				repeat: '',
				crontab: '',
				once: false,
				wires: [['e77e000000000006']],
			},
			{
				id: 'e77e000000000006',
				type: 'propensity-load-events',
				z: tab,
				source: 'file',
				path: 'PROPENSITY_EVENTS_FILE',
				pathType: 'env',
				format: 'auto',
				preset: 'auto',
				attributes: [],
				badRows: 'fail',
				wires: [['e77e000000000007']],
			},
			{
				id: 'e77e000000000007',
				type: 'propensity-score-profiles',
				z: tab,
				modelFrom: 'store',
				store: 'e77e000000000008',
				modelName: 'purchase-in-30-days',
				modelNameType: 'str',
				modelVersion: 'latest',
				output: 'array',
				wires: [[]],
			},
			{ id: 'e77e000000000009', type: 'catch', z: tab, name: '', scope: null, uncaught: false, wires: [['e77e00000000000a']] },
			{
				id: 'e77e00000000000a',
				type: 'debug',
				z: tab,
				name: 'errors',
				active: true,
				tosidebar: true,
				console: false,
				complete: 'error',
				targetType: 'msg',
				wires: [],
			},
		];
		const configs: FlowNode[] = [
			{ id: 'e77e000000000008', type: 'propensity-store', name: 'broken store', kind: 'folder', path: path.join(blocker, 'store') },
		];
		const added = await red.api('POST', '/flow', { id: tab, label: 'Bad input', nodes, configs });
		assert.equal(added.status, 200, JSON.stringify(added.body));

		const before = red.debug.length;
		for (const inject of ['e77e000000000001', 'e77e000000000003', 'e77e000000000005']) await red.inject(inject);
		const errors = await red.waitFor(() => {
			const seen = red.debug.slice(before).filter((event) => event.id === 'e77e00000000000a');
			return seen.length >= 3 && seen;
		}, 'three errors at the Catch node');
		const bySource = new Map(
			errors.map((event) => {
				const error = event.value as { message: string; source: { id: string } };
				return [error.source.id, error.message];
			}),
		);
		assert.equal(
			bySource.get('e77e000000000002'),
			`The events file "${path.join(run, 'no-such-events.csv')}" cannot be read: it does not exist or is not readable. Check the path.`,
		);
		assert.match(bySource.get('e77e000000000004') ?? '', /windowDays.*at most 365 days, not 400/);
		assert.match(
			bySource.get('e77e000000000007') ?? '',
			/^Could not open the model store folder .*not-a-folder\/store: .*Give a folder this user may create and write\.$/,
		);

		assert.ok(red.alive(), 'Node-RED is still running');
		assert.equal((await red.api('GET', '/flows')).status, 200);
	});

	it('"Score daily" run again on the same events sends no email and no CRM call', async () => {
		smtp.clear();
		crm.clear();
		const since = red.statuses.length;
		await red.inject(score.inject);
		const done = await red.waitForStatus(score.segment, (status) => status.fill === 'green' || status.fill === 'red', since);
		assert.match(done.text ?? '', new RegExp(`^0 entered · ${entrants} in segment`));
		await new Promise((resolve) => setTimeout(resolve, 2000));
		assert.equal(smtp.received.length, 0);
		assert.equal(crm.received.length, 0);
	});

	it('"Check model weekly" backtests the remembered runs and, on "retrain", mails the verdict with the report and trains a new version', async () => {
		// A run scored 40 days before the events end (as "Score daily" would have then), so its 30-day window has closed.
		const then = await runCli(
			'score',
			'--events',
			env.PROPENSITY_EVENTS_FILE,
			'--store',
			env.PROPENSITY_STORE,
			'--name',
			'purchase-in-30-days',
			'--as-of',
			'2026-05-21',
			'--out',
			path.join(run, 'scores-then.csv'),
		);
		assert.equal(then.code, 0, then.stderr);
		smtp.clear();
		const since = red.statuses.length;
		await red.inject(check.inject);
		const verdict = await red.waitForStatus(check.monitor, (status) => status.fill === 'green' || status.fill === 'yellow' || status.fill === 'red', since);
		assert.equal(verdict.fill, 'red', `${verdict.text}\n${red.log().slice(-3000)}`);
		assert.match(verdict.text ?? '', /^retrain: Scores moved: PSI \d\.\d\d on the score distribution/);
		const mails = await smtp.waitFor(1, 60000);
		assert.equal(mails.length, 1);
		assert.match(mails[0].subject, /^Propensity: purchase-in-30-days needs retraining/);
		assert.match(mails[0].text, /scoring runs backtested/);
		assert.equal(mails[0].attachments[0].filename, 'purchase-in-30-days-health.html');
		const report = mails[0].attachments[0].content.toString('utf8');
		assert.match(report, /How the model did/);
		assert.match(report, /id="chart-how-it-did"/);
		const trained = await red.waitForStatus(check.train, (status) => status.fill === 'green' || status.fill === 'yellow' || status.fill === 'red', since);
		assert.match(trained.text ?? '', /saved as version 2$/, trained.text);
		const store = await openStore({ kind: 'folder', path: env.PROPENSITY_STORE });
		const runs = await store.listRuns('purchase-in-30-days');
		await store.close();
		assert.ok(runs.length >= 3, `"Score daily" remembered its runs (${runs.length} in the store)`);
	});
});
