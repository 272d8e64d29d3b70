import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { main } from '../../cli/main';
import { outputPath } from './support';

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

describe('propensity simulate', () => {
	it('writes the file and prints a one-line summary, with no progress when not on a terminal', async () => {
		const out = outputPath('cli.csv');
		const result = await propensity(['simulate', '--profiles', '200', '--seed', '5', '--format', 'csv', '--out', out]);
		assert.equal(result.code, 0, result.stderr);
		assert.equal(result.stderr, '');
		const rows = readFileSync(out, 'utf8').trimEnd().split('\n');
		assert.match(
			result.stdout,
			new RegExp(`^Wrote ${(rows.length - 1).toLocaleString('en-US')} events of \\d+ customers to .*cli\\.csv \\(csv, [\\d.]+ (KiB|MiB)\\)\\.\\n$`),
		);
	});

	it('gives the same file as another run with the same options', async () => {
		const first = outputPath('cli-a.ndjson.gz');
		const second = outputPath('cli-b.ndjson.gz');
		for (const out of [first, second]) {
			const result = await propensity([
				'simulate',
				'--profiles',
				'100',
				'--seed',
				'8',
				'--format',
				'ndjson',
				'--gzip',
				'--history-days',
				'90',
				'--end',
				'2025-12-31',
				'--out',
				out,
			]);
			assert.equal(result.code, 0, result.stderr);
			assert.match(result.stdout, /\(ndjson, gzip, /);
		}
		assert.deepEqual(readFileSync(first), readFileSync(second));
	});

	it('aims at an event count with --events', async () => {
		const out = outputPath('cli-events.csv');
		const result = await propensity(['simulate', '--events', '20000', '--seed', '1', '--format', 'csv', '--out', out]);
		assert.equal(result.code, 0, result.stderr);
		const events = readFileSync(out, 'utf8').trimEnd().split('\n').length - 1;
		assert.ok(Math.abs(events - 20_000) < 2_000, `${events} events`);
	});

	it('draws progress on a terminal and clears it before the summary', async () => {
		const out = outputPath('cli-progress.csv');
		const result = await propensity(['simulate', '--profiles', '3000', '--seed', '1', '--format', 'csv', '--out', out], true);
		assert.equal(result.code, 0);
		assert.match(result.stderr, /simulating: [\d,]+ events/);
		assert.ok(result.stderr.endsWith('\r\x1b[K'), 'the progress line is cleared');
	});

	const refusals: [string, string[], RegExp][] = [
		['without --seed', ['--profiles', '10', '--format', 'csv'], /--seed is required/],
		['with both --profiles and --events', ['--profiles', '10', '--events', '100', '--seed', '1', '--format', 'csv'], /--profiles or --events, not both/],
		['without --profiles or --events', ['--seed', '1', '--format', 'csv'], /--profiles \(customers\) or --events/],
		['with an unknown format', ['--profiles', '10', '--seed', '1', '--format', 'xml'], /--format must be one of csv, ndjson, xdm, not "xml"/],
		['with a fractional --profiles', ['--profiles', '2.5', '--seed', '1', '--format', 'csv'], /--profiles must be a whole number from 1 to 10000000/],
	];
	for (const [what, args, message] of refusals) {
		it(`refuses to run ${what}, with the usage and exit code 2`, async () => {
			const out = outputPath('cli-refused.csv');
			rmSync(out, { force: true });
			const result = await propensity(['simulate', ...args, '--out', out]);
			assert.equal(result.code, 2);
			assert.match(result.stderr, message);
			assert.match(result.stderr, /Usage: propensity simulate/);
			assert.equal(existsSync(out), false);
		});
	}

	it('names the problem when --end has no time zone (exit code 1)', async () => {
		const result = await propensity([
			'simulate',
			'--profiles',
			'10',
			'--seed',
			'1',
			'--format',
			'csv',
			'--end',
			'2026-06-30T00:00:00',
			'--out',
			outputPath('cli-end.csv'),
		]);
		assert.equal(result.code, 1);
		assert.match(result.stderr, /^Error: .*end must be an ISO date.*with a zone/);
	});
});
