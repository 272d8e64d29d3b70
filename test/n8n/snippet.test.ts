/**
 * docs/n8n.md's "try them on demo data" block, run as written in bash against n8n 2.8.4: a fresh
 * home folder (n8n in its default place, ~/.n8n, with this package installed as a community
 * node), `propensity` and `n8n` on the PATH as a user's install puts them there, and only `repo`
 * filled in. Every command must succeed, and the demo sinks must have received what the
 * workflows send: the report email and, per new segment member, an email and a CRM call.
 *
 * Set PROPENSITY_SKIP_N8N=1 to skip it (it says so).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../support/ports';
import { installN8n, installPackage, repoRoot } from '../support/n8n';
import { suiteTempFolders } from '../support/tempFolders';

/** The shell block after "To try them on demo data" in docs/n8n.md. */
export function demoSnippet(): string {
	const page = fs.readFileSync(path.join(repoRoot, 'docs', 'n8n.md'), 'utf8');
	const after = page.slice(page.indexOf('To try them on demo data'));
	const block = /```sh\n([\s\S]*?)```/.exec(after);
	assert.ok(block, 'docs/n8n.md has a sh block after "To try them on demo data"');
	return block[1];
}

function runBash(script: string, env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn('bash', ['-c', script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (chunk) => (output += String(chunk)));
		child.stderr.on('data', (chunk) => (output += String(chunk)));
		child.once('error', reject);
		child.once('close', (code) => resolve({ code, output }));
	});
}

describe('n8n 2.8.4: the demo snippet of docs/n8n.md runs as written', function () {
	this.timeout(20 * 60 * 1000);
	const tempFolder = suiteTempFolders('propensity-snippet-');

	before(function () {
		if (process.env.PROPENSITY_SKIP_N8N === '1') {
			console.log('    Skipping the n8n snippet: PROPENSITY_SKIP_N8N=1 is set.');
			this.skip();
		}
	});

	it('imports the credential and the workflows, trains, scores and delivers, each command succeeding', async () => {
		const snippet = demoSnippet();
		assert.ok(!/&&/.test(snippet), 'no && that would stop the second workflow when the first fails');
		assert.match(snippet, /^repo=path\/to\/propensity /m);
		const home = tempFolder();
		const bin = path.join(home, 'bin');
		fs.mkdirSync(bin);
		const n8nBinary = installN8n();
		fs.writeFileSync(path.join(bin, 'propensity'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, 'dist', 'cli', 'main.js')}" "$@"\n`, {
			mode: 0o755,
		});
		fs.writeFileSync(path.join(bin, 'n8n'), `#!/bin/sh\nexec "${process.execPath}" "${n8nBinary}" "$@"\n`, { mode: 0o755 });
		installPackage(path.join(home, '.n8n', 'nodes'));
		const env: NodeJS.ProcessEnv = {};
		// A user's shell: none of the tests' N8N_* or PROPENSITY_* settings.
		for (const [key, value] of Object.entries(process.env)) if (!/^(N8N_|PROPENSITY_|DB_)/.test(key)) env[key] = value;
		Object.assign(env, {
			HOME: home,
			PATH: `${bin}:${process.env.PATH}`,
			// Only what keeps a test machine quiet and out of other runs' way; nothing the snippet needs.
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
		});
		const script = `set -e\n${snippet.replace(/^repo=path\/to\/propensity\b/m, `repo=${repoRoot}`)}`;
		const { code, output } = await runBash(script, env, home);
		fs.mkdirSync(path.join(repoRoot, 'test-output', 'n8n'), { recursive: true });
		fs.writeFileSync(path.join(repoRoot, 'test-output', 'n8n', 'snippet.log'), output);
		assert.equal(code, 0, `the snippet failed:\n${output.slice(-4000)}`);
		assert.doesNotMatch(output, /ERROR: not accessible|Problem in node|An error occurred/i, output.slice(-4000));
		const sinks = fs.readFileSync(path.join(home, 'propensity-demo', 'sinks.log'), 'utf8');
		assert.match(sinks, /mail to you@example\.com: ".*"; attachments: report\.html \(\d+ bytes\)/);
		const memberMails = sinks.split('\n').filter((line) => /^mail to (?!you@example\.com)/.test(line)).length;
		const crmCalls = sinks.split('\n').filter((line) => line.startsWith('POST /crm ')).length;
		assert.ok(memberMails > 10, `an email per new member (${memberMails})`);
		assert.equal(crmCalls, memberMails, 'one CRM call per emailed member');
		assert.ok(fs.existsSync(path.join(home, '.n8n', 'storage', 'propensity', 'models', 'purchase-in-30-days')), 'the model is in the default store');
	});
});
