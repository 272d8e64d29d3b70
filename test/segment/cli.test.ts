import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../cli/main';
import { buildSegment, writeSegmentFile } from '../../core/segment';
import { shop } from './fixtures';

const dir = path.resolve('test-output', 'segment', `cli-${process.pid}-${randomBytes(4).toString('hex')}`);

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	let out = '';
	let err = '';
	stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
	stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
	const code = await main(argv, { stdout, stderr, interactive: false });
	return { code, out, err };
}

describe('propensity segment', () => {
	let scores: string;
	before(async () => {
		fs.mkdirSync(dir, { recursive: true });
		// Scores as "propensity score" writes them: every profile, in the scores columns.
		scores = path.join(dir, 'scores.ndjson');
		const everyone = await buildSegment(shop(), { score: { gte: 0 } }, { mode: 'all', runAt: '2024-05-01T00:00:00Z' });
		await writeSegmentFile(path.join(dir, 'scores.csv'), everyone.members);
		fs.writeFileSync(scores, shop().map((p) => JSON.stringify(p)).join('\n'));
	});

	it('writes the members a rule admits and says how many there are', async () => {
		const out = path.join(dir, 'high.csv');
		const result = await run('segment', '--scores', path.join(dir, 'scores.csv'), '--rule', 'bucket=high,attr.email?', '--out', out);
		assert.equal(result.code, 0, result.err);
		assert.match(result.out, /Segment \(bucket is high and email is present\): 2 of 8 scored profiles are members\.\nWrote 2 members to .*high\.csv\./);
		const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
		assert.deepEqual(rows.slice(1).map((row) => row.split(',')[0]), ['ann', 'bob']);
	});

	it('remembers the segment in a store folder and writes only the entrants on later runs', async () => {
		const store = path.join(dir, 'store');
		const out = path.join(dir, 'entered.ndjson');
		const args = ['segment', '--scores', scores, '--rule', 'top=3', '--rule', 'factor=email_click_count_30d:raises', '--name', 'email-fans', '--store', store, '--mode', 'entered', '--out', out];
		const first = await run(...args, '--run-at', '2024-05-01T06:00:00Z');
		assert.equal(first.code, 0, first.err);
		assert.match(first.out, /First run: all 2 members entered\./);
		assert.deepEqual(fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line).profileId), ['ann', 'bob']);
		const second = await run(...args, '--run-at', '2024-05-02T06:00:00Z');
		// An empty output says why: the store remembers the last run's members.
		assert.match(
			second.out,
			/Since the last run \(2024-05-01T06:00:00Z\): 0 entered, 0 left\. Nobody to hand on: the store remembers the "email-fans" members of the last run, and "entered" lists only profiles that were not members then; the segment itself has 2 members\.\nWrote 0 entered profiles/,
		);
		assert.equal(fs.readFileSync(out, 'utf8'), '');
		assert.ok(fs.existsSync(path.join(store, 'segments', 'email-fans.json')));
	});

	it('reads a rule from a JSON file and writes the non-members too', async () => {
		const rules = path.join(dir, 'rules.json');
		fs.writeFileSync(rules, JSON.stringify({ any: [{ bucket: ['high'] }, { attribute: { name: 'country', equals: 'IT' } }] }));
		const out = path.join(dir, 'json-members.csv');
		const rest = path.join(dir, 'json-rest.csv');
		const result = await run('segment', '--scores', scores, '--rules-json', rules, '--out', out, '--non-members', rest);
		assert.equal(result.code, 0, result.err);
		assert.match(result.out, /3 of 8 scored profiles are members\.\nWrote 3 members to .*, and 5 non-members to .*json-rest\.csv\./);
		assert.equal(fs.readFileSync(rest, 'utf8').trim().split('\n').length, 6);
	});

	it('explains a bad rule, a bad mode, or a missing store before doing anything', async () => {
		const out = path.join(dir, 'never.csv');
		const badRule = await run('segment', '--scores', scores, '--rule', 'scor>=80', '--out', out);
		assert.equal(badRule.code, 1);
		assert.match(badRule.err, /^Error: The rule clause "scor>=80" starts with "scor"/);
		const badMode = await run('segment', '--scores', scores, '--rule', 'top=1', '--mode', 'new', '--out', out);
		assert.equal(badMode.code, 2);
		assert.match(badMode.err, /--mode must be all, entered or left, not "new"/);
		const noStore = await run('segment', '--scores', scores, '--rule', 'top=1', '--mode', 'entered', '--out', out);
		assert.match(noStore.err, /--mode entered compares with the last run, so it needs --store DIR and --name NAME/);
		const noRule = await run('segment', '--scores', scores, '--out', out);
		assert.match(noRule.err, /give the rule with --rule or --rules-json/);
		const badName = await run('segment', '--scores', scores, '--rule', 'top=1', '--name', '../x', '--store', path.join(dir, 'store'), '--out', out);
		assert.match(badName.err, /The segment name "\.\.\/x" is not allowed/);
		assert.equal(fs.existsSync(out), false);
	});

	it('lists its options in the help', async () => {
		const help = await run('help', 'segment');
		assert.match(help.out, /--scores FILE .*--rule RULE .*--rules-json FILE .*--out FILE .*--name NAME .*--store DIR .*--mode MODE/s);
	});
});
