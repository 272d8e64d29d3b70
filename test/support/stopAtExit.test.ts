import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A process that starts a "server" (a long `sleep`) and registers its stop with stopAtExit,
 * prints the server's pid, then waits to be stopped (or exits at once with `exit`).
 */
function withServer(then: 'wait' | 'exit'): { child: ChildProcess; pid: Promise<number> } {
	const support = path.join(__dirname, 'stopAtExit.js');
	const script = `
		const { spawn } = require('node:child_process');
		const { stopAtExit } = require(${JSON.stringify(support)});
		const server = spawn('sleep', ['600'], { stdio: 'ignore' });
		stopAtExit(() => server.kill('SIGKILL'));
		process.stdout.write(server.pid + '\\n');
		${then === 'wait' ? 'setInterval(() => {}, 1000);' : 'setTimeout(() => process.exit(0), 50);'}
	`;
	const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
	const pid = new Promise<number>((resolve, reject) => {
		let out = '';
		child.stdout?.on('data', (chunk: Buffer) => {
			out += chunk.toString();
			if (out.includes('\n')) resolve(Number(out.trim()));
		});
		child.on('error', reject);
	});
	return { child, pid };
}

function ended(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
	return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Whether the process runs: a killed one left unreaped (a zombie, state Z) does not. */
function alive(pid: number): boolean {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
}

/** Whether the process is gone within a few seconds. */
async function goneSoon(pid: number): Promise<boolean> {
	for (let i = 0; i < 100 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 50));
	return !alive(pid);
}

describe('test servers are stopped however the process ends (stopAtExit)', () => {
	for (const signal of ['SIGTERM', 'SIGINT'] as const) {
		it(`stops them on ${signal}, then ends by that signal`, async () => {
			const { child, pid } = withServer('wait');
			const server = await pid;
			assert.ok(alive(server), 'the server runs before the signal');
			child.kill(signal);
			assert.deepEqual(await ended(child), { code: null, signal });
			assert.ok(await goneSoon(server), `the server (pid ${server}) was stopped`);
		});
	}

	it('stops them on a normal exit, keeping the exit code', async () => {
		const { child, pid } = withServer('exit');
		const server = await pid;
		assert.deepEqual(await ended(child), { code: 0, signal: null });
		assert.ok(await goneSoon(server), `the server (pid ${server}) was stopped`);
	});
});
