import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../cli/main';
import { formatFloat32 } from '../../core/features/table';

const dir = path.join('test-output', 'features-cli');

/** Runs `propensity …` and returns its exit code and what it printed. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	let out = '';
	let err = '';
	stdout.on('data', (chunk) => (out += chunk));
	stderr.on('data', (chunk) => (err += chunk));
	const code = await main(args, { stdout, stderr, interactive: false });
	return { code, stdout: out, stderr: err };
}

const header = 'customer_id,timestamp,event_type,value,channel';
const lines = [
	// ann: visits in March, buys on 2024-04-10 (inside the 30 days after the 2024-04-01 as-of date).
	'ann,2024-03-01T10:00:00Z,visit,,web',
	'ann,2024-03-20T10:00:00Z,visit,,web',
	'ann,2024-03-25T10:00:00Z,purchase,42.5,web',
	'ann,2024-04-10T10:00:00Z,purchase,10,web',
	// "bo, jr": one email open in March, nothing after.
	'"bo, jr",2024-03-15T08:00:00Z,email_open,,email',
	// cy: first seen after the as-of date: not eligible at it.
	'cy,2024-04-05T08:00:00Z,visit,,app',
	'cy,2024-06-01T08:00:00Z,visit,,app',
];
const goal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	lookbackDays: 90,
};

describe('propensity features', () => {
	const events = path.join(dir, 'events.csv');
	const goalFile = path.join(dir, 'goal.json');
	const out = path.join(dir, 'features.csv');

	before(() => {
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(events, `${header}\n${lines.join('\n')}\n`);
		fs.writeFileSync(goalFile, JSON.stringify(goal));
	});

	it('writes one row per eligible profile with its features and the label when the window is in the data', async () => {
		const declarations = path.join(dir, 'declarations.json');
		const result = await run('features', '--events', events, '--goal', goalFile, '--as-of', '2024-04-01', '--out', out, '--declarations', declarations);
		assert.equal(result.code, 0, result.stderr);
		const summary = JSON.parse(result.stdout);
		assert.equal(summary.asOf, '2024-04-01T23:59:59.999Z');
		assert.deepEqual(summary.label, { outcome: 'a purchase within 30 days', positives: 1, negatives: 1 });
		const [head, ...rows] = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
		const columns = head.split(',');
		assert.equal(columns[0], 'profile_id');
		assert.equal(columns[columns.length - 1], 'label');
		assert.deepEqual(
			JSON.parse(fs.readFileSync(declarations, 'utf8')).map((d: { name: string }) => d.name),
			columns.slice(1, -1),
		);
		assert.equal(rows.length, 2);
		const ann = Object.fromEntries(columns.map((name, i) => [name, rows[0].split(',')[i]]));
		assert.equal(ann.profile_id, 'ann');
		assert.equal(ann.purchase_count_90d, '1');
		assert.equal(ann.purchase_value_sum_90d, '42.5');
		assert.equal(ann.visit_count_30d, '1');
		assert.equal(ann.label, '1');
		assert.ok(rows[1].startsWith('"bo, jr",'), 'ids with commas are quoted');
		assert.ok(rows[1].endsWith(',0'));
		assert.match(rows[1], /,,/, 'missing values are empty cells');
	});

	it('leaves the label out when the window after the date runs past the data', async () => {
		const result = await run('features', '--events', events, '--goal', goalFile, '--as-of', '2024-05-20', '--out', out);
		assert.equal(result.code, 0, result.stderr);
		assert.match(JSON.parse(result.stdout).label, /not written: the 30-day window after the as-of date goes past the last event/);
		assert.ok(!fs.readFileSync(out, 'utf8').split('\n')[0].includes('label'));
	});

	it('refuses a goal that names an event type the data lacks, listing the types', async () => {
		const wrong = path.join(dir, 'wrong-goal.json');
		fs.writeFileSync(
			wrong,
			JSON.stringify({ ...goal, outcome: { ...goal.outcome, when: { all: [{ field: 'eventType', op: 'equals', value: 'order' }] } } }),
		);
		const result = await run('features', '--events', events, '--goal', wrong, '--out', out);
		assert.equal(result.code, 1);
		assert.match(
			result.stderr,
			/names the event type "order", which the events do not have; the event types in the data are "email_open", "purchase", "visit"/,
		);
	});

	it('refuses an invalid goal file, naming the file and the problem', async () => {
		const broken = path.join(dir, 'broken-goal.json');
		fs.writeFileSync(broken, JSON.stringify({ ...goal, outcome: { ...goal.outcome, windowDays: 0 } }));
		const result = await run('features', '--events', events, '--goal', broken, '--out', out);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /broken-goal\.json: The goal has a problem:\n- outcome\.windowDays: must be at least 1 day, not 0/);
	});

	it('asks for the missing options and refuses an as-of that is not a date, as train and score do', async () => {
		const missing = await run('features', '--events', events);
		assert.equal(missing.code, 2);
		assert.match(missing.stderr, /--goal is required/);
		const notADate = await run('features', '--events', events, '--goal', goalFile, '--out', out, '--as-of', 'last monday');
		assert.equal(notADate.code, 1);
		assert.match(notADate.stderr, /The as-of date "last monday" is not a date: use ISO 8601/);
		// Without a zone it is UTC, as everywhere else.
		const utc = await run('features', '--events', events, '--goal', goalFile, '--out', out, '--as-of', '2024-04-01T00:00');
		assert.equal(utc.code, 0, utc.stderr);
		assert.equal(JSON.parse(utc.stdout).asOf, '2024-04-01T00:00:00.000Z');
	});

	it('writes numbers in their shortest exact form', () => {
		assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
		assert.equal(formatFloat32(Math.fround(20.570648193359375)), '20.570648');
		assert.equal(formatFloat32(3), '3');
		assert.equal(formatFloat32(NaN), '');
	});
});
