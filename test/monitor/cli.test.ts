import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore } from '../../core/pipeline';
import { runCli } from '../support/cli';

const dir = path.resolve('test-output', 'monitor-cli', String(process.pid));
const goal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 120,
};

describe('propensity backtest', function () {
	this.timeout(600_000);
	const events = path.join(dir, 'events.csv');
	const store = path.join(dir, 'store');

	before(async () => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'goal.json'), JSON.stringify(goal));
		for (const argv of [
			['simulate', '--profiles', '2500', '--seed', '4', '--format', 'csv', '--out', events],
			[
				'train',
				'--events',
				events,
				'--goal',
				path.join(dir, 'goal.json'),
				'--as-of',
				'2026-04-01',
				'--learner',
				'logistic',
				'--model',
				path.join(dir, 'model.json'),
				'--store',
				store,
			],
			['score', '--events', events, '--store', store, '--name', goal.name, '--as-of', '2026-05-01', '--out', path.join(dir, 'may.csv')],
			[
				'score',
				'--events',
				events,
				'--store',
				store,
				'--name',
				goal.name,
				'--as-of',
				'2026-06-25',
				'--keep-runs',
				'5',
				'--out',
				path.join(dir, 'june.csv'),
			],
		]) {
			const run = await runCli(...argv);
			assert.equal(run.code, 0, `${argv[0]}: ${run.stderr}`);
		}
	});

	it('remembers each scoring run made with --store, and says so', async () => {
		const opened = await openStore({ kind: 'folder', path: store });
		const runs = await opened.listRuns(goal.name);
		await opened.close();
		assert.deepEqual(
			runs.map((run) => run.scoreDate.slice(0, 10)),
			['2026-05-01', '2026-06-25'],
		);
		const may = fs.readFileSync(path.join(dir, 'may.csv'), 'utf8').trim().split('\n').length - 1;
		assert.equal(runs[0].scored, may, 'every scored profile is remembered');
	});

	it('backtests the closed run, says "not yet" for the open one, and writes the verdict, JSON and report', async () => {
		const out = path.join(dir, 'health.json');
		const report = path.join(dir, 'health.html');
		const run = await runCli('backtest', '--events', events, '--store', store, '--name', goal.name, '--out', out, '--report', report);
		assert.equal(run.code, 0, run.stderr);
		assert.match(run.stdout, /^Verdict for "purchase-in-30-days": (healthy|watch|retrain)\./);
		assert.match(run.stdout, /Not yet: the run of 2026-06-25 has a 30-day outcome window that closes on 2026-07-25, and the events end on 2026-06-\d\d/);
		const result = JSON.parse(fs.readFileSync(out, 'utf8')) as { runs: { backtest: { status: string; metrics?: { auc: number } } }[] };
		assert.deepEqual(
			result.runs.map((r) => r.backtest.status),
			['done', 'pending'],
		);
		assert.ok((result.runs[0].backtest.metrics?.auc ?? 0) > 0.6);
		const html = fs.readFileSync(report, 'utf8');
		assert.match(html, /^<!DOCTYPE html>/);
		assert.match(html, /How the model did/);
	});

	it('prints the JSON without --out, and takes --run and --thresholds', async () => {
		const run = await runCli(
			'backtest',
			'--events',
			events,
			'--store',
			store,
			'--name',
			goal.name,
			'--run',
			'2026-05-01',
			'--thresholds',
			'{"scorePsiWatch":0,"scorePsiRetrain":0}',
		);
		assert.equal(run.code, 0, run.stderr);
		const result = JSON.parse(run.stdout) as { verdict: { status: string; reasons: string[] }; runs: unknown[] };
		assert.equal(result.runs.length, 1);
		assert.equal(result.verdict.status, 'retrain');
		assert.match(result.verdict.reasons.join(' '), /Scores moved: PSI \d\.\d\d on the score distribution\./);
	});

	it('refuses bad thresholds and an unknown run date with exit code 1 and the fix', async () => {
		const bad = await runCli('backtest', '--events', events, '--store', store, '--name', goal.name, '--thresholds', '{"scorePsi":1}');
		assert.equal(bad.code, 1);
		assert.match(bad.stderr, /The monitoring threshold "scorePsi" is not valid: there is no such threshold \(the thresholds are aucDropWatch, /);
		const none = await runCli('backtest', '--events', events, '--store', store, '--name', goal.name, '--run', '2025-01-01');
		assert.equal(none.code, 1);
		assert.match(
			none.stderr,
			/No remembered scoring run of "purchase-in-30-days" has the score date 2025-01-01\. Its runs were scored on: 2026-05-01, 2026-06-25\./,
		);
	});
});
