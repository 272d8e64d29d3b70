import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { main } from '../../cli/main';
import { outputDir } from './support';

/** Runs `propensity …` in-process and collects what it prints. */
async function propensity(args: string[], interactive = false): Promise<{ code: number; stdout: string; stderr: string }> {
	const stdout = new PassThrough();
	const stderr = new PassThrough();
	let out = '';
	let err = '';
	stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
	stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
	const code = await main(args, { stdout, stderr, interactive });
	return { code, stdout: out, stderr: err };
}

const sample = path.resolve(__dirname, '../../../test/fixtures/adobe-cee-sample-rows.json');

describe('propensity load', () => {
	let dir: string;
	before(() => (dir = outputDir('cli')));

	it('prints the summary and report of the XDM sample as JSON, and nothing else', async () => {
		const result = await propensity(['load', '--events', sample, '--preset', 'xdm']);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		const { summary, report } = JSON.parse(result.stdout);
		assert.equal(summary.profiles, 6);
		assert.equal(summary.events, 10);
		assert.equal(summary.eventsPerType['commerce.purchases'], 5);
		assert.equal(report.mapping.preset, 'xdm');
		assert.equal(report.source, 'adobe-cee-sample-rows.json');
	});

	it('reads a Latin-1 file with --encoding latin1, and without it stops at the first row with the fix', async () => {
		const file = path.join(dir, 'latin1.csv');
		fs.writeFileSync(file, Buffer.from('customer_id,timestamp,event_type,city\nc1,2024-07-01,visit,M\xfcnchen\n', 'latin1'));
		const read = await propensity(['load', '--events', file, '--encoding', 'latin1']);
		assert.equal(read.code, 0, read.stderr);
		assert.equal(JSON.parse(read.stdout).summary.events, 1);
		const refused = await propensity(['load', '--events', file]);
		assert.notEqual(refused.code, 0);
		assert.match(refused.stderr, /Row 1 \(line 2\) of latin1\.csv: the row is not valid text: it holds bytes that are not valid UTF-8.*--encoding latin1/);
		assert.doesNotMatch(refused.stderr, /\n\s+at /, 'no stack trace');
		const wrong = await propensity(['load', '--events', file, '--encoding', 'ebcdic']);
		assert.match(wrong.stderr, /--encoding must be one of utf-8, latin1, windows-1252, utf-16le, utf-16be, not "ebcdic"/);
	});

	it('maps renamed columns with --map, reads a zone with --time-zone and skips bad rows with --bad-rows skip', async () => {
		const file = path.join(dir, 'renamed.csv.gz');
		fs.writeFileSync(
			file,
			zlib.gzipSync('user,ts,kind,amount,source\nu1,2024-07-01 12:00,buy,9.5,web\nu1,2024-13-01 12:00,buy,1,web\nu2,2024-07-02 08:00,visit,,app\n'),
		);
		const result = await propensity([
			'load',
			'--events',
			file,
			'--map',
			'id=user,time=ts,type=kind,value=amount,attr.channel=source',
			'--time-zone',
			'Europe/Paris',
			'--bad-rows',
			'skip',
		]);
		assert.equal(result.code, 0, result.stderr);
		const { summary, report } = JSON.parse(result.stdout);
		assert.equal(summary.events, 2);
		assert.equal(summary.firstEvent, '2024-07-01T10:00:00.000Z');
		assert.deepEqual(summary.rejectedByReason, { 'impossible-date': 1 });
		assert.deepEqual(
			summary.attributes.map((attribute: { name: string }) => attribute.name),
			['channel'],
		);
		assert.equal(report.compressed, true);
		assert.equal(report.rejected.examples[0].line, 3);
	});

	it('stops with exit code 1 and the row, field and fix at the first bad row by default', async () => {
		const file = path.join(dir, 'bad.csv');
		fs.writeFileSync(file, 'customer_id,timestamp,event_type\nc1,2024-02-30,visit\n');
		const result = await propensity(['load', '--events', file]);
		assert.equal(result.code, 1);
		assert.equal(result.stdout, '');
		assert.match(result.stderr, /^Error: Row 1 \(line 2\) of bad\.csv: the timestamp is not a real date or time/);
		assert.match(result.stderr, /--bad-rows skip/);
	});

	it('drops duplicates when asked and says how many', async () => {
		const file = path.join(dir, 'dupes.ndjson');
		const line = JSON.stringify({ customer_id: 'a', timestamp: '2024-01-01T00:00:00Z', event_type: 'x', value: 1 });
		fs.writeFileSync(file, `${line}\n${line}\n${line}\n`);
		const { summary } = JSON.parse((await propensity(['load', '--events', file, '--drop-duplicates'])).stdout);
		assert.equal(summary.events, 1);
		assert.equal(summary.duplicatesDropped, 2);
	});

	it('shows usage with exit code 2 for a missing --events or a bad choice', async () => {
		const missing = await propensity(['load']);
		assert.equal(missing.code, 2);
		assert.match(missing.stderr, /--events is required/);
		assert.match(missing.stderr, /Usage: propensity load/);
		const badChoice = await propensity(['load', '--events', sample, '--bad-rows', 'ignore']);
		assert.equal(badChoice.code, 2);
		assert.match(badChoice.stderr, /--bad-rows must be one of fail, skip, not "ignore"/);
		const badMap = await propensity(['load', '--events', sample, '--map', 'who=x']);
		assert.equal(badMap.code, 1);
		assert.match(badMap.stderr, /"who" is not one of id, time, type, value, namespace or attr\.NAME/);
	});

	it('draws progress on a terminal only, and clears it before the result', async () => {
		const quiet = await propensity(['load', '--events', sample]);
		assert.equal(quiet.stderr, '');
		const drawn = await propensity(['load', '--events', sample], true);
		assert.equal(drawn.code, 0);
		assert.match(drawn.stderr, /loading events: [\d,]+ events \([\d,]+\/s/);
		assert.ok(drawn.stderr.endsWith('\r\x1b[K'));
	});
});
