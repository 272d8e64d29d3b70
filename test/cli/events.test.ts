import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readScoresFile } from '../../core/segment/files';
import { bucketCountsInWords } from '../../core/score/buckets';
import { withThousands } from '../../core/util/counts';
import { parseModel } from '../../core/model/io';
import { writeSimulation } from '../../core/simulate';
import { runCli } from '../support/cli';

const dir = path.resolve('test-output/cli-events');
const file = (name: string) => path.join(dir, name);

const goal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 120,
};

describe('propensity train, score, explain, segment and report on events', function () {
	this.timeout(600_000);

	before(async () => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		await writeSimulation({ profiles: 3000, seed: 5, format: 'csv', out: file('events.csv') });
		fs.writeFileSync(file('goal.json'), JSON.stringify(goal));
	});

	it('trains on events and a goal, writes the model and the report, and saves it in a store', async () => {
		const run = await runCli(
			'train',
			'--events',
			file('events.csv'),
			'--goal',
			file('goal.json'),
			'--model',
			file('model.json'),
			'--report',
			file('report.html'),
			'--store',
			file('store'),
		);
		assert.equal(run.code, 0, run.stderr);
		// The moment it used, exactly: the latest event, since no --as-of was given.
		assert.match(run.stdout, /^As of 2026-06-\d\dT\d\d:\d\d:\d\d\.000Z \(the latest event; --as-of sets another moment\)\.$/m);
		assert.match(run.stdout, /Goal: A purchase within 30 days/);
		assert.match(
			run.stdout,
			/Cutoffs \(planned automatically\): \d+ training cutoffs 30 days apart, because 12 months of history hold that many a whole 30-day window apart; the model is checked on the latest cutoff/,
		);
		assert.match(run.stdout, /Validation: the latest cutoff/);
		assert.match(run.stdout, /Saved as "purchase-in-30-days" version 1/);
		const model = parseModel(fs.readFileSync(file('model.json'), 'utf8'));
		assert.equal(model.features.mode, 'events');
		assert.match(fs.readFileSync(file('report.html'), 'utf8'), /id="chart-gains"/);
	});

	it('prints the readiness warnings the report shows, and reads a date alone as the end of that day', async () => {
		// A churn goal whose outcome will happen, with a lookback longer than the history: two warnings.
		const odd = { ...goal, name: 'odd-churn', propensityType: 'churn', lookbackDays: 400, eligibility: { all: [] } };
		fs.writeFileSync(file('odd-goal.json'), JSON.stringify(odd));
		const run = await runCli(
			'train',
			'--events',
			file('events.csv'),
			'--goal',
			file('odd-goal.json'),
			'--as-of',
			'2026-06-15',
			'--learner',
			'logistic',
			'--model',
			file('odd.json'),
			'--report',
			file('odd.html'),
		);
		assert.equal(run.code, 0, run.stderr);
		assert.match(run.stdout, /^As of 2026-06-15T23:59:59\.999Z \(the end of 2026-06-15 in UTC\); later events are ignored\.$/m);
		assert.match(run.stdout, /^Warning: A churn goal whose outcome will happen scores who will do it, not who will stop/m);
		assert.match(
			run.stdout,
			/^Warning: The events cover [\d.]+ days; 430 \(lookbackDays 400 \+ window 30\).* lower lookbackDays to \d+: this also narrows who is trained on and scored/m,
		);
		// The report says the same.
		const html = fs.readFileSync(file('odd.html'), 'utf8');
		assert.match(html, /A churn goal whose outcome will happen/);
		// Its event counts are what training saw: the events up to the as-of moment, fewer than were loaded.
		const [, loadedText, seenText] =
			/([\d,]+) events loaded for [\d,]+ profiles;[^<]* Training saw the ([\d,]+) up to 2026-06-15T23:59:59\.999Z, the moment it took as now/.exec(
				html,
			) ?? [];
		assert.ok(loadedText && seenText, 'the report says how many events training saw');
		assert.ok(Number(seenText.replace(/,/g, '')) < Number(loadedText.replace(/,/g, '')));
		assert.equal(parseModel(fs.readFileSync(file('odd.json'), 'utf8')).dataRange.asOf, '2026-06-15T23:59:59.999Z');
	});

	it('scores from the store with factors and the loaded email, in a file the segment command reads back', async () => {
		const run = await runCli(
			'score',
			'--events',
			file('events.csv'),
			'--store',
			file('store'),
			'--name',
			'purchase-in-30-days',
			'--explain',
			'2',
			'--out',
			file('scores.csv'),
		);
		assert.equal(run.code, 0, run.stderr);
		assert.match(run.stdout, /Scored [\d,]+ of [\d,]+ profiles .* as of 2026-06-/);
		const scores = await readScoresFile(file('scores.csv'));
		assert.ok(scores.length > 500);
		assert.ok(scores.every((profile) => profile.model.version === 1 && profile.factors?.length === 2));
		assert.ok(scores.every((profile) => String(profile.attributes?.email).includes('@')));
	});

	it('explains given profiles as JSON with sentences', async () => {
		const [first] = await readScoresFile(file('scores.csv'));
		const run = await runCli('explain', '--events', file('events.csv'), '--model', file('model.json'), '--profiles', first.profileId, '--top', '3');
		assert.equal(run.code, 0, run.stderr);
		const [explained] = JSON.parse(run.stdout);
		assert.equal(explained.profileId, first.profileId);
		assert.equal(explained.score, first.score);
		assert.equal(explained.factors.length, 3);
		assert.match(explained.factors[0].sentence, /chance/);
	});

	it('names profiles that cannot be explained instead of guessing', async () => {
		const run = await runCli('explain', '--events', file('events.csv'), '--model', file('model.json'), '--profiles', 'nobody-1');
		assert.equal(run.code, 1);
		assert.match(run.stderr, /not in the events: nobody-1/);
	});

	it('builds a segment of entrants once: a second run with the same scores has no new entrants', async () => {
		const args = ['segment', '--scores', file('scores.csv'), '--rule', 'top=10%', '--name', 'likely-buyers', '--store', file('store'), '--mode', 'entered'];
		const first = await runCli(...args, '--out', file('entered-1.csv'));
		assert.equal(first.code, 0, first.stderr);
		const second = await runCli(...args, '--out', file('entered-2.csv'));
		assert.equal(second.code, 0, second.stderr);
		const entered = (name: string) => fs.readFileSync(file(name), 'utf8').trim().split('\n').length - 1;
		assert.ok(entered('entered-1.csv') > 10);
		assert.equal(entered('entered-2.csv'), 0);
	});

	it('renders the report again from the model alone', async () => {
		const run = await runCli('report', '--store', file('store'), '--name', 'purchase-in-30-days', '--out', file('again.html'));
		assert.equal(run.code, 0, run.stderr);
		const html = fs.readFileSync(file('again.html'), 'utf8');
		assert.match(html, /id="chart-calibration"/);
		assert.match(html, /purchase-in-30-days/);
	});

	it('says which file is missing and exits with 1', async () => {
		const run = await runCli('train', '--events', file('events.csv'), '--goal', file('no-such-goal.json'), '--model', file('x.json'));
		assert.equal(run.code, 1);
		assert.match(run.stderr, /The goal file ".*no-such-goal\.json" cannot be read/);
	});

	it('refuses to mix events and a table, with the usage', async () => {
		const run = await runCli('score', '--events', file('events.csv'), '--table', file('scores.csv'), '--model', file('model.json'), '--out', file('y.csv'));
		assert.equal(run.code, 2);
		assert.match(run.stderr, /either --events or --table/);
	});
});

describe('propensity demo', function () {
	this.timeout(600_000);

	it('runs simulate, train, score, explain, segment and report, and writes every file', async () => {
		const out = path.resolve('test-output/demo');
		fs.rmSync(out, { recursive: true, force: true });
		const run = await runCli('demo', '--out', out, '--profiles', '3000');
		assert.equal(run.code, 0, run.stderr);
		for (const name of ['events.csv', 'goal.json', 'model.json', 'report.html', 'scores.csv', 'segment.csv', 'entered.csv']) {
			assert.ok(fs.statSync(path.join(out, name)).size > 100, `${name} was written`);
		}
		assert.match(run.stdout, /Trained .* as of 2026-06-\d\dT[\d:.]+Z: validation AUC 0\.\d+/);
		const scores = await readScoresFile(path.join(out, 'scores.csv'));
		const counts = { high: 0, medium: 0, low: 0 };
		for (const profile of scores) counts[profile.bucket]++;
		const scoredLine = new RegExp(
			`^Scored ${withThousands(scores.length)} customers as of 2026-06-\\d\\dT[\\d:.]+Z: ${bucketCountsInWords(counts)} → scores\\.csv$`,
			'm',
		);
		assert.match(run.stdout, scoredLine, 'the bucket counts of scores.csv, written as every count is');
		const [, members, entered] =
			/Segment "likely-buyers" .*: ([\d,]+) members → segment\.csv; ([\d,]+) entered since the last run → entered\.csv/.exec(run.stdout) ?? [];
		assert.ok(Number((members ?? '').replaceAll(',', '')) > 0 && members === entered, 'on the first run every member entered');
		assert.ok(scores.every((profile) => profile.factorSentences?.length === 3 || profile.factors?.length === 3));
	});

	it('on a second run keeps every member in segment.csv, leaves entered.csv empty and says why', async () => {
		const out = path.resolve('test-output/demo');
		const lines = (name: string) => fs.readFileSync(path.join(out, name), 'utf8').trim().split('\n').length - 1;
		const membersBefore = lines('segment.csv');
		const run = await runCli('demo', '--out', out, '--profiles', '3000');
		assert.equal(run.code, 0, run.stderr);
		assert.equal(lines('segment.csv'), membersBefore);
		assert.equal(lines('entered.csv'), 0);
		assert.match(run.stdout, new RegExp(`: ${withThousands(membersBefore)} members → segment\\.csv; 0 entered since the last run → entered\\.csv`));
		assert.match(run.stdout, /Nobody to hand on: the store remembers the "likely-buyers" members of the last run/);
	});
});
