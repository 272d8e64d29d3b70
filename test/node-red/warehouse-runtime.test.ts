/**
 * The warehouse example flows in a real Node-RED (the package installed as a user installs it,
 * with node-red-node-email), against the two-shard ClickHouse cluster, with a local SMTP server
 * and a local CRM endpoint: "Train weekly in the warehouse" trains there and mails the report;
 * "Score daily in the warehouse" writes every score into a scores table there, mails the list of
 * entrants once and posts one CRM record per entrant; the next run sends nothing; "Explain the
 * top customers in the warehouse" mails the top 20 of that run, each with its five reasons.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { buildSegment, loadModel, openStore, parseRuleTexts, scoreProfiles } from '../../core/pipeline';
import { simulateShop } from '../../core/simulate';
import { connectWarehouse } from '../../core/warehouse/client';
import type { WarehouseSource } from '../../core/warehouse/source';
import { startHttpServer, type TestHttp } from '../support/http';
import { startSmtpServer, type TestSmtp } from '../support/smtp';
import { type TestColumn, writeRows } from '../warehouse/support';
import { freshDir } from './support/fixtures';
import type { FlowNode } from './support/helper';
import { startNodeRed, userDirWithPackage, type RunningNodeRed } from './support/runtime';

const packageName = 'n8n-nodes-propensity';
/** Ids in the example flows (examples/*.json). */
const train = { inject: 'd5e7a9c1b3f52d42', model: 'd5e7a9c1b3f52d45' };
const daily = { inject: 'e6a8c0d2f4b61a32', segment: 'e6a8c0d2f4b61a35' };
const explain = { inject: 'f7b9d1e3a5c72b42', explain: 'f7b9d1e3a5c72b45' };
const segmentName = 'likely-buyers-warehouse';
const modelName = 'purchase-in-30-days';

const columns: TestColumn[] = [
	{ name: 'customer_id', kind: 'text' },
	{ name: 'timestamp', kind: 'time' },
	{ name: 'event_type', kind: 'text' },
	{ name: 'value', kind: 'number' },
	{ name: 'channel', kind: 'text' },
];

/** A simulated shop with enough buyers for the goal's default minimums, as table rows and, the same events, in memory. */
function shop(): { rows: Record<string, string | number | undefined>[]; events: EventTable } {
	const rows = [...simulateShop({ profiles: 3000, seed: 11 })].map((event) => ({
		customer_id: event.profileId,
		timestamp: Math.floor(event.time / 1000) * 1000,
		event_type: event.type,
		value: event.value,
		channel: event.channel,
	}));
	// Load Events maps the other columns of a table in place (here channel) to attributes.
	const builder = new EventTableBuilder([{ name: 'channel', kind: 'category' }]);
	for (const row of rows) builder.add(row.customer_id, row.timestamp, row.event_type, row.value ?? NaN, [row.channel ?? undefined]);
	return { rows, events: builder.build().table };
}

interface ScoresRow {
	probability: number;
	score: number;
	percentile: number;
	bucket: string;
	scoreDate: string;
}

/** The scores table's rows by profile; a profile written twice fails. */
async function scoresTable(source: WarehouseSource): Promise<Map<string, ScoresRow>> {
	const client = await connectWarehouse(source);
	try {
		const rows = await client.rows('SELECT profile_id, probability, score, percentile, bucket, score_date FROM propensity_scores', []);
		const byProfile = new Map<string, ScoresRow>();
		for (const row of rows) {
			assert.ok(!byProfile.has(String(row.profile_id)), `${String(row.profile_id)} has one row`);
			byProfile.set(String(row.profile_id), {
				probability: Number(row.probability),
				score: Number(row.score),
				percentile: Number(row.percentile),
				bucket: String(row.bucket),
				scoreDate: String(row.score_date),
			});
		}
		return byProfile;
	} finally {
		await client.close();
	}
}

describe('Node-RED: the warehouse example flows in a real Node-RED against the ClickHouse cluster', function () {
	this.timeout(600000);
	let red: RunningNodeRed;
	let smtp: TestSmtp;
	let crm: TestHttp;
	let source: WarehouseSource;
	let events: EventTable;
	let env: Record<string, string>;

	before(async () => {
		const run = freshDir('warehouse-runtime');
		// The simulation blocks the event loop for seconds; the servers' start lets it turn before the
		// first query, so fetch drops a keep-alive socket to ClickHouse the server closed meanwhile
		// (left by an earlier suite) instead of sending on it ("other side closed").
		const data = shop();
		events = data.events;
		smtp = await startSmtpServer();
		crm = await startHttpServer({ reply: { ok: true } });
		const userDir = await userDirWithPackage(path.join(run, 'user-dir'));
		source = await writeRows('clickhouse', 'nr_runtime_events', columns, data.rows);
		const client = await connectWarehouse(source);
		await client.command('DROP TABLE IF EXISTS propensity_scores', []).finally(() => client.close());
		env = {
			PROPENSITY_CLICKHOUSE_HOST: source.host,
			PROPENSITY_CLICKHOUSE_DATABASE: source.database,
			PROPENSITY_WAREHOUSE_TABLE: 'nr_runtime_events',
			PROPENSITY_STORE: path.join(run, 'store'),
			PROPENSITY_REPORT_FILE: path.join(run, 'reports', 'purchase-report.html'),
			PROPENSITY_REPORT_TO: 'sales@shop.example',
			PROPENSITY_MAIL_FROM: 'propensity@shop.example',
			PROPENSITY_SMTP_HOST: smtp.host,
			PROPENSITY_SMTP_PORT: String(smtp.port),
			PROPENSITY_CRM_URL: `${crm.url}/crm/contacts`,
		};
		red = await startNodeRed(userDir, path.join(userDir, 'flows.json'), env);

		// The three examples as Import > Examples gives them; the config nodes they share once. The
		// ClickHouse port is the test cluster's, and the user and password go in as the editor sends them.
		const flows: FlowNode[] = [];
		for (const name of ['Train weekly in the warehouse', 'Score daily in the warehouse', 'Explain the top customers in the warehouse']) {
			const { status, body } = await red.api('GET', `/library/examples/flows/${packageName}/${encodeURIComponent(name)}`);
			assert.equal(status, 200, name);
			for (const node of body as FlowNode[]) if (!flows.some((known) => known.id === node.id)) flows.push(node);
		}
		const deployed = flows.map((node) =>
			node.type === 'propensity-clickhouse'
				? { ...node, port: String(source.port), credentials: { user: source.user, password: source.password } }
				: node,
		);
		const result = await red.api('POST', '/flows', deployed, { 'Node-RED-Deployment-Type': 'full' });
		assert.equal(result.status, 204, JSON.stringify(result.body));
	});

	after(async () => {
		await red?.stop();
		await smtp?.stop();
		await crm?.stop();
	});

	it('"Train weekly in the warehouse" trains on the table in ClickHouse, saves the model and mails the report', async () => {
		const since = red.statuses.length;
		await red.inject(train.inject);
		const done = await red.waitForStatus(train.model, (status) => status.fill === 'green' || status.fill === 'yellow' || status.fill === 'red', since);
		assert.match(done.text ?? '', /^AUC 0\.\d\d \(\w+\) · saved as version 1$/, `${done.text}\n${red.log().slice(-3000)}`);
		const mails = await smtp.waitFor(1, 30000);
		assert.match(mails[0].subject, new RegExp(`^Propensity: ${modelName} retrained, validation AUC 0\\.\\d\\d`));
	});

	let entrants: string[] = [];

	it('"Score daily in the warehouse" scores everyone into the scores table, mails the list of entrants once and posts one CRM record per entrant', async () => {
		smtp.clear();
		crm.clear();
		const since = red.statuses.length;
		await red.inject(daily.inject);
		const done = await red.waitForStatus(daily.segment, (status) => status.fill === 'green' || status.fill === 'red', since);
		const counted = /^(\d+) entered · (\d+) in segment/.exec(done.text ?? '');
		assert.ok(counted, `${done.text}\n${red.log().slice(-3000)}`);
		assert.equal(counted[1], counted[2], 'on the first run everyone in the segment has entered');

		// Every eligible profile has one row, equal to scoring the same events in process with the saved model.
		const table = await scoresTable(source);
		const store = await openStore({ kind: 'folder', path: env.PROPENSITY_STORE });
		const { model } = await loadModel(store, modelName).finally(() => store.close());
		const scoreDate = [...table.values()][0]?.scoreDate;
		const inProcess = await (await scoreProfiles(events, model, { asOf: scoreDate })).all();
		assert.equal(table.size, inProcess.length, 'one row per profile scored');
		for (const profile of inProcess) {
			const row = table.get(profile.profileId);
			assert.ok(row, `${profile.profileId} has a row`);
			assert.ok(Math.abs(row.probability - profile.probability) <= 1e-9, `${profile.profileId}: ${row.probability} against ${profile.probability}`);
			assert.deepEqual([row.score, row.percentile, row.bucket], [profile.score, profile.percentile, profile.bucket]);
		}
		const expected = (await buildSegment(inProcess, parseRuleTexts(['top=5%']), { mode: 'all', runAt: scoreDate })).members.map((m) => m.profileId).sort();
		assert.ok(expected.length >= 20, `${expected.length} in the top 5%: a weak test`);
		assert.equal(Number(counted[1]), expected.length);

		const calls = await crm.waitFor(expected.length, 60000);
		const mails = await smtp.waitFor(1, 60000);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		assert.equal(crm.received.length, expected.length, 'one CRM call per entrant, no more');
		assert.equal(smtp.received.length, 1, 'one email listing the entrants, no more');

		const records = calls.map(
			(call) =>
				call.json as { profileId: string; segment: string; score: number; percentile: number; bucket: string; scoreDate: string; factors: unknown },
		);
		assert.ok(calls.every((call) => call.method === 'POST' && call.url === '/crm/contacts'));
		entrants = records.map((record) => record.profileId).sort();
		assert.deepEqual(entrants, expected, 'the CRM hears of exactly the top 5%, each once');
		for (const record of records) {
			const row = table.get(record.profileId);
			assert.deepEqual(
				{ segment: record.segment, score: record.score, percentile: record.percentile, bucket: record.bucket, scoreDate: record.scoreDate },
				{ segment: segmentName, score: row?.score, percentile: row?.percentile, bucket: row?.bucket, scoreDate },
			);
			assert.equal((record.factors as string[]).length, 3, 'the record carries the three reasons behind the score');
		}

		const [mail] = mails;
		assert.deepEqual(mail.to, ['sales@shop.example']);
		assert.equal(mail.from, 'propensity@shop.example');
		assert.equal(mail.subject, `Propensity: ${expected.length} customers entered ${segmentName} today`);
		assert.match(mail.text, /^Scored in clickhouse:\/\/.*table=propensity_scores; these customers entered the segment/);
		for (const id of expected) assert.ok(mail.text.includes(`${id}: score `), `the email lists ${id}`);

		const membershipStore = await openStore({ kind: 'folder', path: env.PROPENSITY_STORE });
		const membership = await membershipStore.loadMembership(segmentName).finally(() => membershipStore.close());
		assert.deepEqual([...(membership?.members ?? [])].sort(), expected, 'the store remembers who was sent');
	});

	it('"Score daily in the warehouse" run again on the same events sends no email and no CRM call, and writes the run once', async () => {
		smtp.clear();
		crm.clear();
		const since = red.statuses.length;
		await red.inject(daily.inject);
		const done = await red.waitForStatus(daily.segment, (status) => status.fill === 'green' || status.fill === 'red', since);
		assert.match(done.text ?? '', new RegExp(`^0 entered · ${entrants.length} in segment`), `${done.text}\n${red.log().slice(-3000)}`);
		await new Promise((resolve) => setTimeout(resolve, 2000));
		assert.equal(smtp.received.length, 0);
		assert.equal(crm.received.length, 0);
		const client = await connectWarehouse(source);
		const [count] = await client.rows('SELECT count(*) AS n, uniqExact(profile_id) AS profiles FROM propensity_scores', []).finally(() => client.close());
		assert.equal(Number(count.n), Number(count.profiles), 'the same run written again replaces itself: one row per profile');
	});

	it('"Explain the top customers in the warehouse" mails the top 20 of the latest scores, each with the five reasons scoring in memory gives', async () => {
		smtp.clear();
		const since = red.statuses.length;
		await red.inject(explain.inject);
		const done = await red.waitForStatus(explain.explain, (status) => status.fill === 'green' || status.fill === 'yellow' || status.fill === 'red', since);
		assert.equal(done.text, '20 profiles explained, 5 factors each', `${done.text}\n${red.log().slice(-3000)}`);

		// The top 20 of the run in the scores table, and their five reasons, as scoring the same events in memory gives them.
		const table = await scoresTable(source);
		const scoreDate = [...table.values()][0]?.scoreDate;
		const store = await openStore({ kind: 'folder', path: env.PROPENSITY_STORE });
		const { model } = await loadModel(store, modelName).finally(() => store.close());
		const inProcess = await (await scoreProfiles(events, model, { asOf: scoreDate })).all();
		const top = (await buildSegment(inProcess, parseRuleTexts(['top=20']), { mode: 'all', runAt: scoreDate })).members.map((m) => m.profileId);
		assert.equal(top.length, 20);
		const expected = await (await scoreProfiles(events, model, { asOf: scoreDate, explain: 5, profiles: top })).all();

		const [mail] = await smtp.waitFor(1, 60000);
		await new Promise((resolve) => setTimeout(resolve, 1000));
		assert.equal(smtp.received.length, 1, 'one email listing them, no more');
		assert.deepEqual(mail.to, ['sales@shop.example']);
		assert.equal(mail.subject, 'Propensity: why our 20 likeliest buyers score high this week');
		assert.match(
			mail.text,
			new RegExp(
				`^Scores as of ${String(scoreDate).replace(/[.]/g, '\\.')}; features computed in clickhouse://.*table=nr_runtime_events for these customers only:`,
			),
		);
		for (const profile of expected) {
			const row = table.get(profile.profileId);
			const block = [
				`${profile.profileId}: score ${row?.score}, percentile ${row?.percentile}, bucket ${row?.bucket}`,
				...(profile.factors ?? []).map((factor) => `  - ${factor.sentence}`),
			].join('\n');
			assert.equal(profile.factors?.length, 5);
			assert.ok(mail.text.includes(block), `the email gives ${profile.profileId} with its five reasons in order:\n${block}`);
		}
	});
});
