/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary folder, listening
 * on a free loopback port, started once per test run and removed at the end. Needs Debian's
 * postgresql package (`.ci/run` installs it). PostgreSQL refuses to run as root, so as root
 * the cluster is owned by and run as the `postgres` system user.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';
import { stopAtExit } from './stopAtExit';

export interface TestPostgres {
	host: string;
	port: number;
	user: string;
	password: string;
	database: string;
	stop(): void;
}

/** A server of one's own, for tests that stop it, start it again or end its sessions. */
export interface OwnPostgres extends TestPostgres {
	/** Stops the server: `fast` ends sessions with a FATAL message, `immediate` kills them at once. */
	shutdown(mode: 'fast' | 'immediate'): void;
	/** Starts a stopped server again on the same port. */
	start(): void;
}

const binDirs = ['/usr/lib/postgresql/15/bin', '/usr/lib/postgresql/16/bin', '/usr/lib/postgresql/17/bin'];

function pgBin(name: string): string {
	for (const dir of binDirs) {
		const candidate = path.join(dir, name);
		if (fs.existsSync(candidate)) return candidate;
	}
	throw new Error(`PostgreSQL's ${name} was not found; install it with "apt-get install -y postgresql".`);
}

function runAs(user: string | undefined, command: string, args: string[]): void {
	const full = user ? ['-u', user, '--', command, ...args] : [command, ...args];
	const result = spawnSync(user ? 'runuser' : command, user ? full : args, { encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${command} failed: ${result.stderr || result.stdout}`);
}

let shared: Promise<TestPostgres> | undefined;

/** The test run's PostgreSQL server, started on first use. */
export function testPostgres(): Promise<TestPostgres> {
	shared ??= startPostgres();
	return shared;
}

/**
 * A throwaway server started for the caller alone (not shared with the run): for tests that
 * shut it down or restart it. Stop it when done; it is stopped at exit (or on SIGINT, SIGTERM, SIGHUP) otherwise.
 */
export function ownPostgres(): Promise<OwnPostgres> {
	return startPostgres();
}

async function startPostgres(): Promise<OwnPostgres> {
	const asUser = process.getuid?.() === 0 ? 'postgres' : undefined;
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propensity-pg-'));
	const dataDir = path.join(dir, 'data');
	const password = 'test-password';
	const passwordFile = path.join(dir, 'password');
	fs.writeFileSync(passwordFile, password);
	if (asUser) execFileSync('chown', ['-R', `${asUser}:${asUser}`, dir]);
	fs.chmodSync(dir, 0o700);

	runAs(asUser, pgBin('initdb'), ['-D', dataDir, '-U', 'propensity', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '-E', 'UTF8', '--locale=C']);
	const port = await freePort();
	const options = `-h 127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
	const start = (): void => runAs(asUser, pgBin('pg_ctl'), ['-D', dataDir, '-o', options, '-l', path.join(dir, 'log'), '-w', 'start']);
	start();

	let stopped = false;
	const server: OwnPostgres = {
		host: '127.0.0.1',
		port,
		user: 'propensity',
		password,
		database: 'postgres',
		shutdown(mode) {
			runAs(asUser, pgBin('pg_ctl'), ['-D', dataDir, '-m', mode, '-w', 'stop']);
		},
		start,
		stop() {
			if (stopped) return;
			stopped = true;
			spawnSync(
				asUser ? 'runuser' : pgBin('pg_ctl'),
				asUser ? ['-u', asUser, '--', pgBin('pg_ctl'), '-D', dataDir, '-m', 'immediate', 'stop'] : ['-D', dataDir, '-m', 'immediate', 'stop'],
			);
			fs.rmSync(dir, { recursive: true, force: true });
		},
	};
	stopAtExit(() => server.stop());
	return server;
}
