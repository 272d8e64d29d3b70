/**
 * The example workflows run in a real n8n, as a scenario both the mocha suite (n8n 2.8.4) and
 * scripts/check-latest-n8n.js (the latest n8n on Node 24) use: simulated shop events, a local
 * SMTP server and a local CRM endpoint, the package installed into a fresh n8n user folder, and
 * checks (node:assert) on what each workflow did and on what arrived.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { writeSimulation, type SimulationSummary } from '../../core/simulate';
import { startHttpServer, type TestHttp } from '../support/http';
import { repoRoot, startN8n, type N8nExecution, type N8nHarness, type N8nOptions } from '../support/n8n';
import { startSmtpServer, type ReceivedEmail, type TestSmtp } from '../support/smtp';

export const weeklyId = 'PropensityWeekly1';
export const dailyId = 'PropensityDaily01';
export const healthId = 'PropensityHealth1';
export const modelName = 'purchase-in-30-days';
export const segmentName = 'likely-buyers';
export const reportTo = 'marketing-team@example.com';
export const smtpCredentialId = 'PropensitySmtp001';

/** Demo data that trains in seconds and puts about a hundred profiles in the example segment. */
export const simulation = { profiles: 3000, seed: 7 } as const;

export interface Rig {
	readonly n8n: N8nHarness;
	readonly smtp: TestSmtp;
	readonly crm: TestHttp;
	/** Folder of the events file (allowed by N8N_RESTRICT_FILE_ACCESS_TO). */
	readonly dataDir: string;
	readonly eventsFile: string;
	/** The default store folder the workflows use (Store Folder left empty): n8n's storage folder for nodes. */
	readonly storeDir: string;
	readonly events: SimulationSummary;
	/** The environment the workflows read through $env. */
	readonly env: Readonly<Record<string, string>>;
}

export interface RigOptions extends N8nOptions {
	/** Where the events and the store go (created; emptied first). */
	readonly dataDir: string;
	/** Further workflows to import besides the two examples. */
	readonly workflows?: readonly string[];
	/** Further credentials to import besides the SMTP one. */
	readonly credentials?: Parameters<N8nHarness['importCredentials']>[0];
	/** Further environment for the workflows. */
	readonly env?: Readonly<Record<string, string>>;
}

export const exampleFiles = [
	path.join(repoRoot, 'examples', 'n8n', 'weekly-training.json'),
	path.join(repoRoot, 'examples', 'n8n', 'daily-scoring.json'),
	path.join(repoRoot, 'examples', 'n8n', 'weekly-health-check.json'),
];

/** Simulated events, the SMTP and CRM servers, and an n8n with the package, the workflows and the credentials imported. */
export async function setUpRig(options: RigOptions): Promise<Rig> {
	fs.rmSync(options.dataDir, { recursive: true, force: true });
	fs.mkdirSync(options.dataDir, { recursive: true });
	const eventsFile = path.join(options.dataDir, 'events.csv');
	const events = await writeSimulation({ ...simulation, format: 'csv', out: eventsFile });
	const smtp = await startSmtpServer();
	const crm = await startHttpServer();
	const env = {
		PROPENSITY_EVENTS: eventsFile,
		PROPENSITY_REPORT_TO: reportTo,
		PROPENSITY_EMAIL_FROM: 'propensity@example.com',
		PROPENSITY_CRM_URL: `${crm.url}/crm/contacts`,
		PROPENSITY_DATA: options.dataDir,
		N8N_RESTRICT_FILE_ACCESS_TO: options.dataDir,
		...options.env,
	};
	let n8n: N8nHarness | undefined;
	try {
		n8n = await startN8n({ ...options, env });
		await n8n.importWorkflows([...exampleFiles, ...(options.workflows ?? [])]);
		await n8n.importCredentials([
			{
				id: smtpCredentialId,
				name: 'SMTP (Propensity examples)',
				type: 'smtp',
				data: { user: '', password: '', host: smtp.host, port: smtp.port, secure: false, disableStartTls: true },
			},
			...(options.credentials ?? []),
		]);
	} catch (error) {
		n8n?.cleanup();
		await smtp.stop();
		await crm.stop();
		throw error;
	}
	const storeDir = path.join(n8n.userFolder, '.n8n', 'storage', 'propensity');
	return { n8n, smtp, crm, dataDir: options.dataDir, eventsFile, storeDir, events, env };
}

export async function tearDown(rig: Rig | undefined): Promise<void> {
	if (!rig) return;
	rig.n8n.cleanup();
	await rig.smtp.stop();
	await rig.crm.stop();
}

/** Fails with n8n's own account of the execution when it did not succeed. */
export function assertSucceeded(execution: N8nExecution, what: string): void {
	const error = execution.data?.resultData.error;
	assert.equal(
		execution.exitCode,
		0,
		`${what} failed (exit ${execution.exitCode})${error ? ` in node "${error.node?.name}": ${error.message}` : ''}\n${execution.stdout.slice(0, 2000)}\n${execution.stderr.slice(-2000)}`,
	);
	assert.ok(execution.data, `${what}: n8n printed no execution data that could be read (its output is in ${execution.outputFile})`);
}

export interface WeeklyOutcome {
	readonly execution: N8nExecution;
	readonly email: ReceivedEmail;
	readonly reportHtml: string;
}

/** Runs the weekly training example and checks the model was saved and the report emailed. */
export async function runWeeklyTraining(rig: Rig): Promise<WeeklyOutcome> {
	rig.smtp.clear();
	const execution = await rig.n8n.execute(weeklyId);
	assertSucceeded(execution, 'The weekly training workflow');

	const loaded = execution.node('Load Events');
	assert.equal(loaded?.items[0].length, 1, 'Load Events outputs one item, not one per event');
	const summary = loaded.items[0][0].json.summary as { events: number; profiles: number };
	assert.equal(summary.events, rig.events.events);
	assert.equal(summary.profiles, rig.events.profiles);
	assert.deepEqual(
		{ fileName: loaded.items[0][0].binary?.events?.fileName, mimeType: loaded.items[0][0].binary?.events?.mimeType },
		{ fileName: 'events.petb', mimeType: 'application/vnd.propensity.events' },
	);

	const goal = execution.node('Define Goal')?.items[0][0].json;
	assert.equal((goal?.readiness as { ready: boolean }).ready, true, 'the demo data can train the example goal');
	assert.match(String(goal?.goalInWords), /purchase within 30 days/i);
	assert.ok(execution.node('Define Goal')?.items[0][0].binary?.events, 'Define Goal keeps the events for Train Model');

	assert.match(execution.stdout, /Train Model: training [\d,]+\/[\d,]+ trees/, "training progress shows in n8n's log");
	const trained = execution.node('Train Model')?.items[0][0];
	assert.ok(trained, 'Train Model ran');
	assert.equal(trained.json.name, modelName);
	assert.ok((trained.json.auc as number) > 0.6, `the model separates buyers from others (AUC ${trained.json.auc})`);
	const saved = trained.json.saved as { name: string; version: number; location: string };
	assert.equal(saved.name, modelName);
	assert.ok(
		fs.existsSync(path.join(rig.storeDir, 'models', modelName, `v${String(saved.version).padStart(6, '0')}.json`)),
		'the model is saved in the store folder',
	);
	assert.deepEqual(
		{ model: trained.binary?.model?.fileName, report: trained.binary?.report?.fileName, reportType: trained.binary?.report?.mimeType },
		{ model: 'model.json', report: 'report.html', reportType: 'text/html' },
	);
	assert.deepEqual(trained.pairedItem, { item: 0 });

	const emails = await rig.smtp.waitFor(1);
	assert.equal(emails.length, 1, 'one report email');
	const email = emails[0];
	assert.deepEqual(email.to, [reportTo]);
	assert.match(email.subject, new RegExp(`${modelName}.*AUC 0\\.\\d{3}`));
	assert.match(email.html, new RegExp(`Saved as version ${saved.version}`));
	const attachment = email.attachments.find((a) => a.filename === 'report.html');
	assert.ok(attachment, `the report is attached (attachments: ${email.attachments.map((a) => a.filename).join(', ')})`);
	assert.equal(attachment.contentType, 'text/html');
	const reportHtml = attachment.content.toString('utf8');
	assert.match(reportHtml, /^<!DOCTYPE html>/i);
	assert.ok((reportHtml.match(/<svg/g) ?? []).length >= 3, 'the report carries its charts as inline SVG');
	assert.ok(reportHtml.includes(modelName), 'the report names the model');
	return { execution, email, reportHtml };
}

export interface DailyOutcome {
	readonly execution: N8nExecution;
	readonly entrants: { profileId: string; email: string }[];
}

/**
 * Runs the daily scoring example and checks what arrived: one email and one CRM call per profile
 * that entered the segment, none for anyone else (none at all when `expectEntrants` is false).
 */
export async function runDailyScoring(rig: Rig, expectEntrants: boolean): Promise<DailyOutcome> {
	rig.smtp.clear();
	rig.crm.clear();
	const execution = await rig.n8n.execute(dailyId);
	assertSucceeded(execution, 'The daily scoring workflow');

	const scored = execution.node('Score Profiles')?.items[0] ?? [];
	assert.ok(scored.length > 100, `Score Profiles outputs one item per scored profile (got ${scored.length})`);
	assert.ok(
		scored.every((item) => JSON.stringify(item.pairedItem) === JSON.stringify({ item: 0 })),
		'every scored profile is paired with the Load Events item',
	);
	assert.ok(
		scored.every((item) => (item.json.model as { version: number }).version >= 1),
		'scores name the stored model version',
	);

	const explained = execution.node('Explain Factors')?.items[0] ?? [];
	assert.equal(explained.length, scored.length);
	const factors = explained[0].json.factors as { sentence: string }[];
	assert.equal(factors.length, 3);
	assert.ok(
		factors.every((factor) => /chance/.test(factor.sentence)),
		'each factor comes with a sentence',
	);

	const segment = execution.node('Build Segment');
	assert.ok(segment, 'Build Segment ran');
	const [inSegment, notInSegment] = segment.items;
	const hint = segment.hints.map((h) => h.message).join(' ');
	if (expectEntrants) {
		assert.ok(inSegment.length > 0, `the first run has entrants (${hint})`);
		assert.ok(inSegment.every((item) => (item.json.segment as { status: string }).status === 'entered'));
	} else {
		assert.equal(inSegment.length, 0, `no new entrants on this run (${hint})`);
	}
	assert.ok(notInSegment.length > 0 && notInSegment.length < scored.length, 'the rest of the scored profiles leave by "Not In Segment"');
	assert.ok(fs.existsSync(path.join(rig.storeDir, 'segments', `${segmentName}.json`)), 'the membership is remembered in the store');

	const entrants = inSegment.map((item) => ({ profileId: String(item.json.profileId), email: String((item.json.attributes as { email: string }).email) }));
	if (entrants.length > 0) {
		await rig.smtp.waitFor(entrants.length);
		await rig.crm.waitFor(entrants.length);
	}
	// Anything sent late would show here: wait a moment before counting.
	await new Promise((resolve) => setTimeout(resolve, 300));
	assert.deepEqual(
		rig.smtp.received.map((email) => email.to.join(',')).sort(),
		entrants.map((entrant) => entrant.email).sort(),
		'one email to each entrant and to no one else',
	);
	assert.ok(
		rig.smtp.received.every((email) => !email.html.includes('n8n.io')),
		"the example turns off n8n's attribution line",
	);
	const calls = rig.crm.received;
	assert.ok(calls.every((call) => call.method === 'POST' && call.url === '/crm/contacts'));
	assert.deepEqual(
		calls.map((call) => (call.json as { profileId: string }).profileId).sort(),
		entrants.map((entrant) => entrant.profileId).sort(),
		'one CRM call per entrant',
	);
	for (const call of calls) {
		const body = call.json as { segment: string; score: number; reasons: string[]; email: string };
		assert.equal(body.segment, segmentName);
		assert.ok(body.score >= 0 && body.score <= 100);
		assert.equal(body.reasons.length, 3, 'the CRM gets the reasons behind each score');
	}
	return { execution, entrants };
}

export interface HealthOutcome {
	readonly execution: N8nExecution;
	readonly verdict: 'healthy' | 'watch' | 'retrain';
	readonly emails: readonly ReceivedEmail[];
}

/**
 * Runs the weekly health check example (with extra environment, e.g. thresholds) and checks
 * what it did: Monitor Model's verdict, figures, hint and report; then, only for "retrain", the
 * email with the report attached and a new model version trained and saved.
 */
export async function runHealthCheck(rig: Rig, env: Readonly<Record<string, string>> = {}): Promise<HealthOutcome> {
	rig.smtp.clear();
	const versionsBefore = fs.readdirSync(path.join(rig.storeDir, 'models', modelName)).filter((file) => file.endsWith('.meta.json')).length;
	const execution = await rig.n8n.execute(healthId, env);
	assertSucceeded(execution, 'The weekly health check workflow');

	const monitored = execution.node('Monitor Model');
	assert.equal(monitored?.items[0].length, 1, 'Monitor Model outputs one item');
	const item = monitored.items[0][0];
	const verdict = item.json.verdict as HealthOutcome['verdict'];
	assert.ok(['healthy', 'watch', 'retrain'].includes(verdict), `a verdict (got ${verdict})`);
	assert.ok((item.json.reasons as string[]).length > 0, 'with reasons');
	assert.deepEqual(item.pairedItem, { item: 0 });
	assert.ok(
		monitored.hints.some((hint) => hint.message.startsWith(`"${modelName}": ${verdict}.`)),
		'the hint shows the verdict',
	);
	const runs = item.json.runs as { backtest: { status: string; metrics?: { auc: number | null } }; drift: { scorePsi: number | null } }[];
	assert.ok(runs.length >= 2, `the daily runs and the earlier one are remembered (${runs.length})`);
	const done = runs.filter((run) => run.backtest.status === 'done');
	assert.ok(done.length >= 1 && typeof done[0].backtest.metrics?.auc === 'number', 'the run whose window has closed is backtested, with a realised AUC');
	assert.ok(
		runs.some((run) => run.backtest.status === 'pending'),
		'the daily runs still wait for their window',
	);
	assert.ok(
		runs.every((run) => typeof run.drift.scorePsi === 'number'),
		'every run has its score drift',
	);
	assert.deepEqual(
		{ fileName: item.binary?.report?.fileName, mimeType: item.binary?.report?.mimeType },
		{ fileName: 'model-health.html', mimeType: 'text/html' },
	);

	const versionsAfter = () => fs.readdirSync(path.join(rig.storeDir, 'models', modelName)).filter((file) => file.endsWith('.meta.json')).length;
	if (verdict !== 'retrain') {
		await new Promise((resolve) => setTimeout(resolve, 300));
		assert.equal(rig.smtp.received.length, 0, 'no email unless the verdict is retrain');
		assert.equal(execution.node('Train Model'), undefined, 'no retraining unless the verdict is retrain');
		assert.equal(versionsAfter(), versionsBefore);
		return { execution, verdict, emails: [] };
	}
	const emails = await rig.smtp.waitFor(1);
	assert.equal(emails.length, 1, 'one verdict email');
	assert.deepEqual(emails[0].to, [reportTo]);
	assert.match(emails[0].subject, new RegExp(`${modelName}: retrain`));
	const attachment = emails[0].attachments.find((a) => a.filename === 'model-health.html');
	assert.ok(attachment, 'the report is attached');
	const html = attachment.content.toString('utf8');
	assert.match(html, /How the model did/);
	assert.match(html, /<svg/);
	const trained = execution.node('Train Model')?.items[0][0];
	assert.ok(trained, 'Train Model ran after the retrain verdict');
	assert.equal((trained.json.saved as { version: number }).version, versionsBefore + 1, 'a new version is saved');
	assert.equal(versionsAfter(), versionsBefore + 1);
	return { execution, verdict, emails };
}
