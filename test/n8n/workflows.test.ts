/**
 * The example workflows, and bad input, in a real headless n8n 2.8.4 with this package
 * installed as a community node. Slow by nature (each `n8n execute` starts n8n: 10–30 s), so
 * checks are combined per execution and the tests run in order on one n8n user folder:
 * weekly training → daily scoring → bad input (continue on fail) → bad input (stop) → daily again
 * → weekly health check (default thresholds, then strict ones that make it retrain).
 *
 * Set PROPENSITY_SKIP_N8N=1 to skip it (it says so); it never passes without running n8n.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { flatRecord, simulateShop } from '../../core/simulate';
import { trainTable } from '../../core/pipeline';
import { testPostgres, type TestPostgres } from '../support/postgres';
import { repoRoot } from '../support/n8n';
import { runCli } from '../support/cli';
import { customerTable } from '../support/profileTable';
import { assertSucceeded, runDailyScoring, runHealthCheck, runWeeklyTraining, setUpRig, tearDown, type Rig, modelName, reportTo, simulation } from './scenario';
import type { N8nExecution } from '../support/n8n';
import type { ReceivedEmail } from '../support/smtp';
import { writeRows } from '../warehouse/support';
import type { WarehouseSource } from '../../core/warehouse/source';
import { connectWarehouse } from '../../core/warehouse/client';
import { EventTableBuilder, type EventTable } from '../../core/events/table';
import { buildSegment, loadModel, openStore, parseRuleTexts, scoreProfiles } from '../../core/pipeline';

const wrongPassword = 'not-the-password-5d1f';
const outputDir = path.join(repoRoot, 'test-output', 'n8n');

/** A small events table in the test PostgreSQL, for Load Events' PostgreSQL source. */
async function createEventsTable(pg: TestPostgres): Promise<{ rows: number; withoutAppLaunch: number }> {
	const client = new Client({ host: pg.host, port: pg.port, user: pg.user, password: pg.password, database: pg.database });
	await client.connect();
	try {
		await client.query('DROP TABLE IF EXISTS propensity_test_events');
		await client.query(
			'CREATE TABLE propensity_test_events (customer_id text, timestamp timestamptz, event_type text, value double precision, channel text, email text)',
		);
		const records = [...simulateShop({ profiles: 40, seed: 3 })].map(flatRecord);
		for (let from = 0; from < records.length; from += 500) {
			const batch = records.slice(from, from + 500);
			const values: unknown[] = [];
			const rows = batch.map((record, i) => {
				values.push(record.customer_id, record.timestamp, record.event_type, record.value ?? null, record.channel ?? null, record.email);
				return `($${i * 6 + 1}, $${i * 6 + 2}, $${i * 6 + 3}, $${i * 6 + 4}, $${i * 6 + 5}, $${i * 6 + 6})`;
			});
			await client.query(`INSERT INTO propensity_test_events VALUES ${rows.join(', ')}`, values);
		}
		return { rows: records.length, withoutAppLaunch: records.filter((record) => record.event_type !== 'app_launch').length };
	} finally {
		await client.end();
	}
}

/**
 * The example shop's events (the same simulation as the rig's file) in a table on the two-shard
 * ClickHouse cluster, and the same rows in a PostgreSQL table (`n8n_shop_events_pg`).
 */
async function createClickHouseTable(): Promise<{ source: WarehouseSource; postgres: WarehouseSource; rows: number; profiles: number; events: EventTable }> {
	const rows = [...simulateShop(simulation)].map((event) => ({
		customer_id: event.profileId,
		timestamp: Math.floor(event.time / 1000) * 1000,
		event_type: event.type,
		value: event.value,
		channel: event.channel,
	}));
	const columns = [
		{ name: 'customer_id', kind: 'text' },
		{ name: 'timestamp', kind: 'time' },
		{ name: 'event_type', kind: 'text' },
		{ name: 'value', kind: 'number' },
		{ name: 'channel', kind: 'text' },
	] as const;
	const source = await writeRows('clickhouse', 'n8n_shop_events', columns, rows);
	const postgres = await writeRows('postgres', 'n8n_shop_events_pg', columns, rows);
	// The same rows in memory, with channel as Load Events maps it from the table: what the warehouse's scores must equal.
	const builder = new EventTableBuilder([{ name: 'channel', kind: 'category' }]);
	for (const row of rows) builder.add(row.customer_id, row.timestamp, row.event_type, row.value ?? NaN, [row.channel ?? undefined]);
	return { source, postgres, rows: rows.length, profiles: new Set(rows.map((row) => row.customer_id)).size, events: builder.build().table };
}

const warehouseDailyId = 'PropensityWhDay01';
const warehouseSegment = 'likely-buyers-warehouse';

async function inClickHouse<T>(source: WarehouseSource, work: (client: Awaited<ReturnType<typeof connectWarehouse>>) => Promise<T>): Promise<T> {
	const client = await connectWarehouse(source);
	try {
		return await work(client);
	} finally {
		await client.close();
	}
}

interface ScoresRow {
	probability: number;
	score: number;
	percentile: number;
	bucket: string;
	model_name: string;
	model_version: number;
	score_date: string;
}

/** The rows of the example's scores table, by profile (a profile written twice fails). */
async function scoresTable(source: WarehouseSource): Promise<Map<string, ScoresRow>> {
	const rows = await inClickHouse(source, (client) =>
		client.rows('SELECT profile_id, probability, score, percentile, bucket, model_name, model_version, score_date FROM propensity_scores', []),
	);
	const byProfile = new Map<string, ScoresRow>();
	for (const row of rows) {
		assert.ok(!byProfile.has(String(row.profile_id)), `${String(row.profile_id)} has one row`);
		byProfile.set(String(row.profile_id), {
			probability: Number(row.probability),
			score: Number(row.score),
			percentile: Number(row.percentile),
			bucket: String(row.bucket),
			model_name: String(row.model_name),
			model_version: Number(row.model_version),
			score_date: String(row.score_date),
		});
	}
	return byProfile;
}

async function scoresRows(source: WarehouseSource): Promise<number> {
	const [row] = await inClickHouse(source, (client) => client.rows('SELECT count(*) AS n FROM propensity_scores', []));
	return Number(row.n);
}

interface WarehouseDaily {
	execution: N8nExecution;
	entrants: { profileId: string; score: number; percentile: number; bucket: string; workRanIn: string }[];
	emails: ReceivedEmail[];
	calls: {
		profileId: string;
		segment: string;
		score: number;
		probability: number;
		percentile: number;
		bucket: string;
		scoreDate: string;
		reasons: unknown;
	}[];
}

/** Runs the daily scoring in the warehouse and collects what came back to n8n and what the sinks received. */
async function runWarehouseDaily(rig: Rig): Promise<WarehouseDaily> {
	rig.smtp.clear();
	rig.crm.clear();
	const execution = await rig.n8n.execute(warehouseDailyId);
	assertSucceeded(execution, 'The daily scoring in the warehouse');
	const segment = execution.node('Top 5% Entrants');
	assert.ok(segment, 'Build Segment ran');
	assert.equal(segment.items[1]?.length ?? 0, 0, 'only the entrants come back from the warehouse: Not In Segment stays empty');
	const entrants = segment.items[0].map((item) => item.json as unknown as WarehouseDaily['entrants'][number]);
	if (entrants.length > 0) {
		await rig.smtp.waitFor(1);
		await rig.crm.waitFor(entrants.length);
	}
	// Anything sent late would show here: wait a moment before counting.
	await new Promise((resolve) => setTimeout(resolve, 300));
	const calls = rig.crm.received;
	assert.ok(calls.every((call) => call.method === 'POST' && call.url === '/crm/contacts'));
	return { execution, entrants, emails: [...rig.smtp.received], calls: calls.map((call) => call.json as WarehouseDaily['calls'][number]) };
}

describe('n8n 2.8.4 runs the Propensity nodes', function () {
	let rig: Rig | undefined;
	let pg: TestPostgres;
	let pgRows: { rows: number; withoutAppLaunch: number };
	let clickHouse: Awaited<ReturnType<typeof createClickHouseTable>>;

	before(async function () {
		if (process.env.PROPENSITY_SKIP_N8N === '1') {
			console.log('    Skipping the n8n suite: PROPENSITY_SKIP_N8N=1 is set (it installs and runs n8n 2.8.4, a few minutes).');
			this.skip();
		}
		// Installing n8n the first time takes about 10 minutes; later runs reuse the cache.
		this.timeout(30 * 60 * 1000);
		pg = await testPostgres();
		pgRows = await createEventsTable(pg);
		const base = { host: pg.host, port: pg.port, database: pg.database, user: pg.user, ssl: 'disable' };
		clickHouse = await createClickHouseTable();
		const ch = clickHouse.source;
		rig = await setUpRig({
			dataDir: path.join(outputDir, 'data'),
			env: { PROPENSITY_WAREHOUSE_TABLE: ch.table },
			workflows: [
				path.join(repoRoot, 'examples', 'n8n', 'weekly-training-warehouse.json'),
				path.join(repoRoot, 'examples', 'n8n', 'daily-scoring-warehouse.json'),
				path.join(repoRoot, 'examples', 'n8n', 'explain-top-customers-warehouse.json'),
				path.join(repoRoot, 'test', 'n8n', 'workflows', 'weekly-warehouse-postgres.json'),
				path.join(repoRoot, 'test', 'n8n', 'workflows', 'daily-warehouse-postgres.json'),
				path.join(repoRoot, 'test', 'n8n', 'workflows', 'bad-inputs-continue.json'),
				path.join(repoRoot, 'test', 'n8n', 'workflows', 'bad-input-stops.json'),
				path.join(repoRoot, 'test', 'n8n', 'workflows', 'table-mode.json'),
				path.join(repoRoot, 'test', 'n8n', 'workflows', 'table-items.json'),
			],
			credentials: [
				{ id: 'PropensityPgGood01', name: 'PostgreSQL for the tests', type: 'propensityPostgresApi', data: { ...base, password: pg.password } },
				{
					id: 'PropensityPgBad001',
					name: 'PostgreSQL with a wrong password',
					type: 'propensityPostgresApi',
					data: { ...base, password: wrongPassword },
				},
				{
					id: 'PropensityClickHs1',
					name: 'ClickHouse (Propensity examples)',
					type: 'propensityClickHouseApi',
					data: { host: ch.host, port: ch.port, database: ch.database, user: ch.user, password: ch.password },
				},
			],
		});
	});

	after(async function () {
		this.timeout(60 * 1000);
		await tearDown(rig);
	});

	it('the weekly training workflow saves the model by name and emails the report with its charts attached', async function () {
		this.timeout(5 * 60 * 1000);
		const { reportHtml } = await runWeeklyTraining(rig as Rig);
		fs.writeFileSync(path.join(outputDir, 'report-from-email.html'), reportHtml);
	});

	it('the daily scoring workflow sends one email and one CRM call to each profile that entered the segment', async function () {
		this.timeout(5 * 60 * 1000);
		const { entrants } = await runDailyScoring(rig as Rig, true);
		assert.ok(entrants.length >= 20 && entrants.length <= 300, `a segment of the top 5% has a few dozen entrants (got ${entrants.length})`);
	});

	it('bad input under Continue On Fail becomes an error item with a clear message, paired to its input, and passwords never show', async function () {
		this.timeout(5 * 60 * 1000);
		const current = rig as Rig;
		// A damaged copy of the trained model: same files, one byte changed after saving.
		const source = path.join(current.storeDir, 'models', modelName);
		const broken = path.join(current.storeDir, 'models', 'broken-model');
		fs.cpSync(source, broken, { recursive: true });
		const meta = JSON.parse(fs.readFileSync(path.join(broken, 'v000001.meta.json'), 'utf8')) as { name: string };
		fs.writeFileSync(path.join(broken, 'v000001.meta.json'), JSON.stringify({ ...meta, name: 'broken-model' }));
		const modelFile = path.join(broken, 'v000001.json');
		fs.writeFileSync(modelFile, fs.readFileSync(modelFile, 'utf8').replace('"baseRate":', '"baseRate": '));

		const execution = await current.n8n.execute('PropensityBadCont1');
		assert.equal(execution.exitCode, 0, `with Continue On Fail the workflow finishes:\n${execution.stdout.slice(-1500)}`);
		const messages: Record<string, string> = {};
		const errorOf = (node: string) => {
			const items = execution.node(node)?.items[0] ?? [];
			assert.equal(items.length, 1, `${node} outputs one error item`);
			assert.deepEqual(items[0].pairedItem, { item: 0 }, `${node}'s error item is paired to its input`);
			messages[node] = String(items[0].json.error);
			fs.writeFileSync(path.join(outputDir, 'bad-input-errors.json'), `${JSON.stringify(messages, null, 2)}\n`);
			return messages[node];
		};
		assert.match(errorOf('Missing File'), /The events file ".*no-such-events\.csv" cannot be read: it does not exist/);
		assert.match(
			errorOf('Goal With Absent Type'),
			/names the event type "subscription_renewal", which the events do not have.*the event types in the data are/s,
		);
		assert.match(errorOf('Corrupted Model'), /Version 1 of model "broken-model" is corrupted/);
		assert.match(errorOf('Train Refuses'), /cannot train the goal "purchase-in-30-days" yet: .*positive/);
		const refused = errorOf('Wrong Password');
		assert.match(refused, new RegExp(`Could not connect to PostgreSQL at ${pg.user}@${pg.host}:${pg.port}/${pg.database}: password authentication failed`));

		const notReady = execution.node('Goal Needing More Positives');
		assert.equal((notReady?.items[0][0].json.readiness as { ready: boolean }).ready, false, 'the item says it is not ready');
		assert.ok(
			notReady?.hints.some((hint) => /Not ready to train "purchase-in-30-days"/.test(hint.message)),
			'Define Goal shows a hint when the goal is not ready',
		);

		const fromPostgres = execution.node('PostgreSQL Events')?.items[0][0].json.summary as { events: number; profiles: number };
		assert.equal(fromPostgres.events, pgRows.withoutAppLaunch, 'Load Events reads the query with its parameter through the credential');

		const everything = execution.stdout + execution.stderr;
		assert.ok(!everything.includes(wrongPassword), "the wrong password appears nowhere in n8n's output");
		assert.ok(!everything.includes(pg.password), "the right password appears nowhere in n8n's output");
		assert.ok(pgRows.rows > fromPostgres.events);
	});

	it('trains on a profile table read from disk, saves the model by the file name, and scores every row of the table', async function () {
		this.timeout(5 * 60 * 1000);
		const current = rig as Rig;
		fs.writeFileSync(path.join(current.dataDir, 'customers.csv'), customerTable(500, 3));
		const execution = await current.n8n.execute('PropensityTable01');
		assertSucceeded(execution, 'The table-mode workflow');
		const trained = execution.node('Train Model')?.items[0][0];
		assert.equal(trained?.json.name, 'customers');
		assert.deepEqual((trained?.json.table as { rows: number; features: number }).rows, 500);
		assert.equal((trained?.json.saved as { version: number }).version, 1);
		assert.ok(fs.existsSync(path.join(current.storeDir, 'models', 'customers', 'v000001.json')), 'the model is saved in the store folder');
		const scored = execution.node('Score Profiles')?.items[0] ?? [];
		assert.equal(scored.length, 500);
		assert.deepEqual(Object.keys(scored[0].json), ['id', 'probability', 'score', 'percentile', 'bucket']);
		assert.equal(scored[0].json.id, 'c0');
	});

	it("trains on the rows of n8n's CSV extraction (every cell text) as one table, and scores each row", async function () {
		this.timeout(5 * 60 * 1000);
		const current = rig as Rig;
		fs.writeFileSync(path.join(current.dataDir, 'customers-items.csv'), customerTable(500, 3));
		const execution = await current.n8n.execute('PropensityItems01');
		assertSucceeded(execution, 'The table-from-items workflow');
		const trained = execution.node('Train Model')?.items[0] ?? [];
		assert.equal(trained.length, 1, 'one model for all 500 items');
		assert.equal(trained[0].json.name, 'customers-items');
		assert.equal((trained[0].json.table as { rows: number }).rows, 500);
		const fromCsv = await trainTable(
			{ data: Buffer.from(customerTable(500, 3)), name: 'customers-items.csv' },
			{ label: 'converted', id: 'customer_id', learner: 'logistic' },
		);
		const fromItems = JSON.parse(fs.readFileSync(path.join(current.storeDir, 'models', 'customers-items', 'v000001.json'), 'utf8')) as { learner: unknown };
		assert.deepEqual(fromItems.learner, JSON.parse(fromCsv.modelText).learner, 'the same fitted model as from the same table read as a file');
		const scored = execution.node('Score Profiles')?.items[0] ?? [];
		assert.equal(scored.length, 500);
		assert.equal(scored[0].json.id, 'c0');
		assert.deepEqual(Object.keys(scored[0].json), ['id', 'probability', 'score', 'percentile', 'bucket']);
	});

	it("bad input without Continue On Fail stops the workflow at that node with the core's message", async function () {
		this.timeout(5 * 60 * 1000);
		const execution = await (rig as Rig).n8n.execute('PropensityBadStop1');
		assert.notEqual(execution.exitCode, 0, 'the execution fails');
		const error = execution.data?.resultData.error;
		assert.equal(error?.node?.name, 'Missing File');
		assert.match(String(error?.message), /The events file ".*no-such-events\.csv" cannot be read: it does not exist or is not readable\. Check the path\./);
		assert.equal(execution.node('Define Goal'), undefined, 'nothing after the failed node runs');
	});

	it('after those failures, a second daily run finds no new members and so sends no email and no CRM call', async function () {
		this.timeout(5 * 60 * 1000);
		const { entrants } = await runDailyScoring(rig as Rig, false);
		assert.equal(entrants.length, 0);
		assert.equal((rig as Rig).smtp.received.length, 0);
		assert.equal((rig as Rig).crm.received.length, 0);
	});

	it('the weekly health check backtests remembered runs; on "retrain" it emails the verdict with the report and trains a new version', async function () {
		this.timeout(10 * 60 * 1000);
		const current = rig as Rig;
		// A run scored 40 days before the events end (as the daily workflow would have then), so its 30-day window has closed.
		const scored = await runCli(
			'score',
			'--events',
			current.eventsFile,
			'--store',
			current.storeDir,
			'--name',
			modelName,
			'--as-of',
			'2026-05-21',
			'--out',
			path.join(current.dataDir, 'scores-then.csv'),
		);
		assert.equal(scored.code, 0, scored.stderr);
		assert.match(scored.stdout, /The run is remembered in/);
		const first = await runHealthCheck(current);
		fs.writeFileSync(
			path.join(outputDir, 'health-check-default.json'),
			`${JSON.stringify(first.execution.node('Monitor Model')?.items[0][0].json, null, 2)}\n`,
		);
		// Thresholds are options: at PSI 0 any movement of the scores means retrain, so the other branch runs too.
		const strict = await runHealthCheck(current, { PROPENSITY_MONITOR_THRESHOLDS: '{"scorePsiWatch":0,"scorePsiRetrain":0}' });
		assert.equal(strict.verdict, 'retrain');
		assert.match(strict.emails[0].html, /Scores moved: PSI \d\.\d\d on the score distribution/);
	});

	it('the weekly training in the warehouse loads nothing, computes the examples in ClickHouse and emails the report; the password shows nowhere', async function () {
		this.timeout(8 * 60 * 1000);
		const current = rig as Rig;
		current.smtp.clear();
		const execution = await current.n8n.execute('PropensityWhWeek1');
		assertSucceeded(execution, 'The weekly training in the warehouse');
		const loaded = execution.node('Events Table in ClickHouse')?.items[0][0];
		assert.ok(loaded, 'Load Events ran');
		assert.equal(loaded.binary, undefined, 'nothing is loaded: no event table');
		const reference = loaded.json.warehouse as { kind: string; engine: string; table: string; connection: string };
		assert.deepEqual(
			{ kind: reference.kind, engine: reference.engine, table: reference.table, connection: reference.connection },
			{ kind: 'warehouse-table', engine: 'clickhouse', table: clickHouse.source.table, connection: 'ClickHouse (Propensity examples)' },
		);
		const summary = loaded.json.summary as { events: number; profiles: number };
		assert.deepEqual({ events: summary.events, profiles: summary.profiles }, { events: clickHouse.rows, profiles: clickHouse.profiles });
		const where = `clickhouse://${clickHouse.source.user}@${clickHouse.source.host}:${clickHouse.source.port}/default?table=${clickHouse.source.table}`;
		const goal = execution.node('Define Goal')?.items[0][0].json;
		assert.equal((goal?.readiness as { ready: boolean }).ready, true, 'readiness counted in ClickHouse');
		assert.equal(goal?.workRanIn, where);
		const trained = execution.node('Train Model')?.items[0][0];
		assert.equal(trained?.json.workRanIn, where, 'the item says where the examples were computed');
		assert.ok((trained?.json.auc as number) > 0.6, `the model separates buyers from others (AUC ${trained?.json.auc})`);
		assert.equal((trained?.json.saved as { name: string }).name, modelName);
		const emails = await current.smtp.waitFor(1);
		assert.match(emails[0].html, new RegExp(`computed in ${where.replace(/[.?]/g, '\\$&')}`));
		assert.ok(
			emails[0].attachments.some((attachment) => attachment.filename === 'report.html'),
			'the report is attached',
		);
		assert.ok(!(execution.stdout + execution.stderr).includes(clickHouse.source.password), "the ClickHouse password appears nowhere in n8n's output");
	});

	it('the daily scoring in the warehouse writes every score into ClickHouse, mails the team the entrants and records each in the CRM; the next run sends nothing', async function () {
		this.timeout(8 * 60 * 1000);
		const current = rig as Rig;
		const ch = clickHouse.source;
		await inClickHouse(ch, (client) => client.command('DROP TABLE IF EXISTS propensity_scores', []));
		const first = await runWarehouseDaily(current);
		const summary = first.execution.node('Score Into the Scores Table')?.items[0] ?? [];
		assert.equal(summary.length, 1, 'Score Profiles outputs one summary item, not one per profile');
		const run = summary[0].json as {
			scored: number;
			written: number;
			scoreDate: string;
			model: { name: string; version: number };
			scoresTable: string;
			workRanIn: string;
		};
		const where = `clickhouse://${ch.user}@${ch.host}:${ch.port}/default?table=`;
		assert.equal(run.workRanIn, `${where}${ch.table}`, 'the features were computed where the events are');
		assert.equal(run.scoresTable, `${where}propensity_scores`);
		assert.equal(run.written, run.scored);
		assert.equal(run.model.name, modelName);

		// The scores table: one row per eligible profile, equal to scoring the same events in process with the same model.
		const table = await scoresTable(ch);
		assert.equal(table.size, run.scored, 'one row per scored profile');
		const store = await openStore({ kind: 'folder', path: current.storeDir });
		const { model } = await loadModel(store, modelName, run.model.version).finally(() => store.close());
		const inProcess = await (await scoreProfiles(clickHouse.events, model, { asOf: run.scoreDate })).all();
		assert.equal(inProcess.length, run.scored, 'the profiles scored in process are those scored in the warehouse');
		for (const profile of inProcess) {
			const row = table.get(profile.profileId);
			assert.ok(row, `${profile.profileId} has a row`);
			assert.ok(Math.abs(row.probability - profile.probability) <= 1e-9, `${profile.profileId}: ${row.probability} against ${profile.probability}`);
			assert.deepEqual(
				[row.score, row.percentile, row.bucket, row.model_name, row.model_version, row.score_date],
				[profile.score, profile.percentile, profile.bucket, modelName, run.model.version, run.scoreDate],
			);
		}

		// The entrants: on the first run, the top 5% the same rule picks over the same scores in memory.
		const expected = (await buildSegment(inProcess, parseRuleTexts(['top=5%']), { mode: 'all', runAt: run.scoreDate })).members
			.map((m) => m.profileId)
			.sort();
		assert.ok(expected.length >= 20, `${expected.length} in the top 5%: a weak test`);
		assert.deepEqual(first.entrants.map((entrant) => entrant.profileId).sort(), expected, 'the entrants are the top 5% of the scores');
		for (const entrant of first.entrants) {
			assert.equal(entrant.workRanIn, run.scoresTable, 'each entrant says where the segment was chosen');
			const row = table.get(entrant.profileId);
			assert.deepEqual([entrant.score, entrant.percentile, entrant.bucket], [row?.score, row?.percentile, row?.bucket]);
		}

		// One email to the team listing every entrant; one CRM call per entrant with its scores (and its reasons).
		assert.equal(first.emails.length, 1, 'one email for the whole list, not one per entrant');
		const email = first.emails[0];
		assert.deepEqual(email.to, [reportTo]);
		assert.equal(email.subject, `${expected.length} customers entered ${warehouseSegment} today`);
		for (const id of expected) assert.ok(email.html.includes(`<td>${id}</td>`), `the email lists ${id}`);
		assert.ok(email.html.includes(run.scoresTable), 'the email says where the work ran');
		assert.deepEqual(first.calls.map((call) => call.profileId).sort(), expected, 'one CRM call per entrant');
		for (const call of first.calls) {
			const row = table.get(call.profileId);
			assert.deepEqual(
				{ segment: call.segment, score: call.score, percentile: call.percentile, bucket: call.bucket, scoreDate: call.scoreDate },
				{ segment: warehouseSegment, score: row?.score, percentile: row?.percentile, bucket: row?.bucket, scoreDate: run.scoreDate },
			);
			assert.ok(Math.abs(call.probability - (row?.probability ?? NaN)) <= 1e-9);
			assert.equal((call.reasons as string[]).length, 3, 'the CRM gets the three reasons behind each score');
		}
		assert.ok(!(first.execution.stdout + first.execution.stderr).includes(ch.password), "the ClickHouse password appears nowhere in n8n's output");

		// The next day on the same events: the run is written again in place of itself, and nobody new is sent.
		const second = await runWarehouseDaily(current);
		assert.equal(second.entrants.length, 0, 'no new entrants');
		assert.equal(second.emails.length, 0, 'no email');
		assert.equal(second.calls.length, 0, 'no CRM call');
		assert.match(
			String(
				second.execution
					.node('Top 5% Entrants')
					?.hints.map((hint) => hint.message)
					.join(' '),
			),
			/; 0 entered and /,
		);
		assert.equal((await scoresTable(ch)).size, run.scored, 'a rerun of the same run replaces its rows, it does not double them');
		assert.equal(await scoresRows(ch), run.scored);
	});

	it('the weekly explanation in the warehouse mails the top 20 customers of the latest run, each with the five reasons scoring in memory gives', async function () {
		this.timeout(8 * 60 * 1000);
		const current = rig as Rig;
		const ch = clickHouse.source;
		current.smtp.clear();
		const execution = await current.n8n.execute('PropensityWhWhy01');
		assertSucceeded(execution, 'The weekly explanation in the warehouse');
		// The run the daily scoring wrote into the scores table, and the model that scored it.
		const table = await scoresTable(ch);
		const [row] = [...table.values()];
		assert.ok(row, 'the daily scoring wrote the scores table');
		const store = await openStore({ kind: 'folder', path: current.storeDir });
		const { model } = await loadModel(store, row.model_name, row.model_version).finally(() => store.close());
		const inProcess = await (await scoreProfiles(clickHouse.events, model, { asOf: row.score_date })).all();
		const top = (await buildSegment(inProcess, parseRuleTexts(['top=20']), { mode: 'all', runAt: row.score_date })).members.map((m) => m.profileId);
		assert.equal(top.length, 20);
		const members = execution.node('Top 20 Customers')?.items[0] ?? [];
		assert.deepEqual(members.map((item) => String(item.json.profileId)).sort(), [...top].sort(), 'Build Segment picks the top 20 of the run in ClickHouse');

		// Each profile's five reasons: those of scoring the same events in memory with five factors.
		const explained = execution.node('Explain Their Scores')?.items[0] ?? [];
		assert.equal(explained.length, 20, 'one item per member');
		const expected = new Map(
			(await (await scoreProfiles(clickHouse.events, model, { asOf: row.score_date, explain: 5, profiles: top })).all()).map((profile) => [
				profile.profileId,
				profile,
			]),
		);
		const where = `clickhouse://${ch.user}@${ch.host}:${ch.port}/default?table=`;
		for (const item of explained) {
			const json = item.json as {
				profileId: string;
				factors: { sentence: string }[];
				score: number;
				bucket: string;
				workRanIn: string;
				scoresTable: string;
			};
			const want = expected.get(json.profileId);
			assert.ok(want, json.profileId);
			assert.deepEqual(json.factors, JSON.parse(JSON.stringify(want.factors)), `${json.profileId}: the factors of the in-memory path`);
			assert.deepEqual([json.score, json.bucket], [table.get(json.profileId)?.score, table.get(json.profileId)?.bucket]);
			assert.equal(json.workRanIn, `${where}${ch.table}`, 'the features were computed where the events are');
			assert.equal(json.scoresTable, `${where}propensity_scores`);
		}

		// One email listing them, each with its five reasons.
		const [email] = await current.smtp.waitFor(1);
		await new Promise((resolve) => setTimeout(resolve, 300));
		assert.equal(current.smtp.received.length, 1, 'one email, not one per customer');
		assert.deepEqual(email.to, [reportTo]);
		assert.equal(email.subject, 'Why our 20 likeliest buyers score high this week');
		for (const id of top) {
			assert.ok(email.html.includes(`<td>${id}</td>`), `the email lists ${id}`);
			for (const factor of expected.get(id)?.factors ?? [])
				assert.ok(email.html.includes(factor.sentence), `the email gives ${id}'s reason "${factor.sentence}"`);
		}
		assert.ok(!(execution.stdout + execution.stderr).includes(ch.password), "the ClickHouse password appears nowhere in n8n's output");
	});

	it('the same flows on a PostgreSQL table in place (read with the store credential): trained and scored there, each entrant posted once, nothing on the next run', async function () {
		this.timeout(8 * 60 * 1000);
		const current = rig as Rig;
		const pgSource = clickHouse.postgres;
		await inClickHouse(pgSource, async (client) => {
			await client.command('DROP TABLE IF EXISTS n8n_pg_scores', []);
			await client.command('DROP SCHEMA IF EXISTS propensity_n8n_daily_pg CASCADE', []);
		});
		const run = async () => {
			current.crm.clear();
			const execution = await current.n8n.execute('PropensityWhPgDay1');
			assertSucceeded(execution, 'The daily scoring on a PostgreSQL table in place');
			const entrants = (execution.node('Top 5% Entrants')?.items[0] ?? []).map((item) => item.json as { profileId: string; workRanIn: string });
			if (entrants.length > 0) await current.crm.waitFor(entrants.length);
			await new Promise((resolve) => setTimeout(resolve, 300));
			const summary = execution.node('Score Into the Scores Table')?.items[0][0].json as {
				scored: number;
				scoreDate: string;
				model: { version: number };
			};
			return {
				execution,
				entrants,
				summary,
				calls: current.crm.received.map((call) => call.json as { profileId: string; workRanIn: string; reasons: unknown }),
			};
		};
		const where = `postgres://${pgSource.user}@${pgSource.host}:${pgSource.port}/${pgSource.database}?table=`;
		const trained = await current.n8n.execute('PropensityWhPgWk1');
		assertSucceeded(trained, 'The weekly training on a PostgreSQL table in place');
		assert.equal(
			String(trained.node('Train Model')?.items[0][0].json.workRanIn).replace('public.', ''),
			`${where}n8n_shop_events_pg`,
			'trained where the events are',
		);
		const first = await run();
		assert.equal(
			String(first.execution.node('Score Into the Scores Table')?.items[0][0].json.workRanIn).replace('public.', ''),
			`${where}n8n_shop_events_pg`,
		);
		const [count] = await inClickHouse(pgSource, (client) =>
			client.rows('SELECT count(*) AS n, count(DISTINCT profile_id) AS profiles FROM n8n_pg_scores', []),
		);
		assert.deepEqual([Number(count.n), Number(count.profiles)], [first.summary.scored, first.summary.scored], 'one row per scored profile');

		const store = await openStore({
			kind: 'postgres',
			connection: { host: pgSource.host, port: pgSource.port, user: pgSource.user, password: pgSource.password, database: pgSource.database },
			schema: 'propensity_n8n_daily_pg',
		});
		const { model } = await loadModel(store, 'purchase-pg', first.summary.model.version).finally(() => store.close());
		const inProcess = await (await scoreProfiles(clickHouse.events, model, { asOf: first.summary.scoreDate })).all();
		const expected = (await buildSegment(inProcess, parseRuleTexts(['top=5%']), { mode: 'all', runAt: first.summary.scoreDate })).members
			.map((m) => m.profileId)
			.sort();
		assert.ok(expected.length >= 20, `${expected.length} in the top 5%: a weak test`);
		assert.deepEqual(first.entrants.map((entrant) => entrant.profileId).sort(), expected, 'the entrants are the top 5% the same rule picks in memory');
		assert.deepEqual(first.calls.map((call) => call.profileId).sort(), expected, 'one CRM call per entrant');
		assert.ok(first.calls.every((call) => call.workRanIn.replace('public.', '') === `${where}n8n_pg_scores` && Array.isArray(call.reasons)));
		assert.ok(!(first.execution.stdout + first.execution.stderr).includes(pgSource.password), "the PostgreSQL password appears nowhere in n8n's output");

		const second = await run();
		assert.equal(second.entrants.length, 0, 'no new entrants');
		assert.equal(second.calls.length, 0, 'no CRM call');
	});
});
