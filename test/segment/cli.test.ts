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
		fs.writeFileSync(
			scores,
			shop()
				.map((p) => JSON.stringify(p))
				.join('\n'),
		);
	});

	it('writes the members a rule admits and says how many there are', async () => {
		const out = path.join(dir, 'high.csv');
		const result = await run('segment', '--scores', path.join(dir, 'scores.csv'), '--rule', 'bucket=high,attr.email?', '--out', out);
		assert.equal(result.code, 0, result.err);
		assert.match(result.out, /Segment \(bucket is high and email is present\): 2 of 8 scored profiles are members\.\nWrote 2 members to .*high\.csv\./);
		const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
		assert.deepEqual(
			rows.slice(1).map((row) => row.split(',')[0]),
			['ann', 'bob'],
		);
	});

	it('remembers the segment in a store folder and writes only the entrants on later runs', async () => {
		const store = path.join(dir, 'store');
		const out = path.join(dir, 'entered.ndjson');
		const args = [
			'segment',
			'--scores',
			scores,
			'--rule',
			'top=3',
			'--rule',
			'factor=email_click_count_30d:raises',
			'--name',
			'email-fans',
			'--store',
			store,
			'--mode',
			'entered',
			'--out',
			out,
		];
		const first = await run(...args, '--run-at', '2024-05-01T06:00:00Z');
		assert.equal(first.code, 0, first.err);
		assert.match(first.out, /First run: all 2 members entered\./);
		assert.deepEqual(
			fs
				.readFileSync(out, 'utf8')
				.trim()
				.split('\n')
				.map((line) => JSON.parse(line).profileId),
			['ann', 'bob'],
		);
		const second = await run(...args, '--run-at', '2024-05-02T06:00:00Z');
		// An empty output says why: the store remembers the last run's members.
		assert.match(
			second.out,
			/Since the last run \(2024-05-01T06:00:00Z\): 0 entered, 0 left\. Nobody to hand on: the store remembers the "email-fans" members of the last run, and "entered" lists only profiles that were not members then; the segment itself has 2 members\.\nWrote 0 entered profiles/,
		);
		assert.equal(fs.readFileSync(out, 'utf8'), '');
		assert.ok(fs.existsSync(path.join(store, 'segments', 'email-fans.json')));
	});

	it('commits the membership only after every file was written, so a failed write loses no entrant', async () => {
		const store = path.join(dir, 'store-fail');
		const blocker = path.join(dir, 'not-a-folder');
		fs.writeFileSync(blocker, 'a file where a folder should be\n');
		const args = [
			'segment',
			'--scores',
			scores,
			'--rule',
			'bucket=high',
			'--name',
			'vip',
			'--store',
			store,
			'--mode',
			'entered',
			'--run-at',
			'2024-05-01T06:00:00Z',
		];
		// The members' file is written, then the non-members' file cannot be: the run fails.
		const failed = await run(...args, '--out', path.join(dir, 'vip-1.csv'), '--non-members', path.join(blocker, 'rest.csv'));
		assert.notEqual(failed.code, 0);
		assert.match(failed.err, /Could not write ".*not-a-folder\/rest\.csv"/);
		const retry = await run(...args, '--out', path.join(dir, 'vip-2.csv'));
		assert.equal(retry.code, 0, retry.err);
		assert.match(retry.out, /First run: all 2 members entered\./);
		assert.deepEqual(
			fs
				.readFileSync(path.join(dir, 'vip-2.csv'), 'utf8')
				.trim()
				.split('\n')
				.slice(1)
				.map((row) => row.split(',')[0]),
			['ann', 'bob'],
		);
		assert.match(retry.out, /Kept as run 1 of "vip": resend its entrants with --resend 1\./);
	});

	it("keeps each run's entrants so a past run can be written again, and lists the kept runs", async () => {
		const store = path.join(dir, 'store-resend');
		const base = ['segment', '--scores', scores, '--name', 'buyers', '--store', store, '--mode', 'entered'];
		assert.equal((await run(...base, '--rule', 'bucket=high', '--out', path.join(dir, 'r1.csv'), '--run-at', '2024-05-01T06:00:00Z')).code, 0);
		const second = await run(...base, '--rule', 'score>=50', '--out', path.join(dir, 'r2.ndjson'), '--run-at', '2024-05-02T06:00:00Z');
		assert.equal(second.code, 0, second.err);
		const secondIds = fs
			.readFileSync(path.join(dir, 'r2.ndjson'), 'utf8')
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line).profileId);
		assert.ok(secondIds.length > 0 && !secondIds.includes('ann'));

		const again = await run('segment', '--resend', '2', '--name', 'buyers', '--store', store, '--out', path.join(dir, 'again.ndjson'));
		assert.equal(again.code, 0, again.err);
		assert.match(
			again.out,
			new RegExp(
				`Wrote the ${secondIds.length} entered profiles of run 2 of "buyers" \\(2024-05-02T06:00:00Z\\) to .*again\\.ndjson again\\. The segment's membership is unchanged\\.`,
			),
		);
		assert.equal(fs.readFileSync(path.join(dir, 'again.ndjson'), 'utf8'), fs.readFileSync(path.join(dir, 'r2.ndjson'), 'utf8'));
		const first = await run('segment', '--resend', '1', '--name', 'buyers', '--store', store, '--out', path.join(dir, 'again1.csv'));
		assert.equal(first.code, 0, first.err);
		assert.equal(fs.readFileSync(path.join(dir, 'again1.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'r1.csv'), 'utf8'));

		const runs = await run('segment', '--runs', '--name', 'buyers', '--store', store);
		assert.equal(runs.code, 0, runs.err);
		assert.match(
			runs.out,
			/^run 1 {2}2024-05-01T06:00:00Z {2}mode entered: 2 entered, 0 left\nrun 2 {2}2024-05-02T06:00:00Z {2}mode entered: \d+ entered, 0 left\n$/,
		);
		const missing = await run('segment', '--resend', '7', '--name', 'buyers', '--store', store, '--out', path.join(dir, 'x.csv'));
		assert.notEqual(missing.code, 0);
		assert.match(missing.err, /Run 7 of segment "buyers" is not kept .*the kept runs of "buyers" are 1–2/);
	});

	it('refuses a factor rule with a typo or an unknown feature, saving no membership and writing no file', async () => {
		const store = path.join(dir, 'store-typo');
		for (const [rule, pattern] of [
			['factor=email_click_count_30d:lower', /":lower", which is not a factor option \(did you mean "lowers"\?\)/],
			[
				'factor=email_click_count_30:raises',
				/names the feature "email_click_count_30", which no scored profile has \(did you mean "email_click_count_30d"\?\)/,
			],
			['percentile<=0', /percentile ≤ 0 never holds/],
		] as const) {
			const out = path.join(dir, 'typo.csv');
			const result = await run('segment', '--scores', scores, '--rule', rule, '--name', 'typo', '--store', store, '--mode', 'entered', '--out', out);
			assert.notEqual(result.code, 0, rule);
			assert.match(result.err, pattern, rule);
			assert.equal(fs.existsSync(out), false, rule);
			assert.equal(fs.existsSync(path.join(store, 'segments', 'typo.json')), false, rule);
		}
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
