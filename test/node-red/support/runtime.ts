/**
 * A real Node-RED for the real-runtime and browser suites: the package packed with `npm pack`
 * and installed with npm into a Node-RED user dir (exactly what a user installs, examples/n8n
 * left out by package.json "files"), node-red-node-email beside it for the example flows, and
 * Node-RED started on it in a child process (support/host.ts). The admin API and the editor's
 * websocket (node statuses and debug messages) are how the tests watch it, as the editor does.
 *
 * PROPENSITY_NODE_BIN and PROPENSITY_NODE_RED_DIR run it on another Node and Node-RED
 * (scripts/check-node-red-5.sh); PROPENSITY_NR_INSTALL_DIR puts the installation elsewhere.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { outputDir } from './fixtures';
import { freePort } from '../../support/ports';

const repoRoot = path.resolve(__dirname, '../../../..');
/** The e-mail node the example flows use, pinned like the hosts. */
const emailNode = 'node-red-node-email@5.2.5';

export const nodeRedDir = process.env.PROPENSITY_NODE_RED_DIR || path.dirname(require.resolve('node-red/package.json'));
const nodeBinary = process.env.PROPENSITY_NODE_BIN || process.execPath;

let installed: Promise<string> | undefined;

/** How long an installation may go unused before a later run removes it: each is ~26 MB, one per build the suites ran on. */
const staleInstallMs = 3 * 60 * 60 * 1000;

/**
 * Removes the installations under `root` (one folder per build, named by its hash) that no run
 * has used for `staleInstallMs`, all but `keep`. A run starting on an installation touches its
 * marker, so one in use by another test run is never old enough.
 */
export function pruneStaleInstalls(root: string, keep: string, now = Date.now()): void {
	for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
		const dir = path.join(root, entry.name);
		if (!entry.isDirectory() || !/^[0-9a-f]{16}$/.test(entry.name) || dir === keep) continue;
		const marker = path.join(dir, '.installed');
		try {
			if (now - fs.statSync(fs.existsSync(marker) ? marker : dir).mtimeMs > staleInstallMs) fs.rmSync(dir, { recursive: true, force: true });
		} catch {
			// Removed meanwhile by another run: nothing left to do.
		}
	}
}

/**
 * This process's environment as a shell would give it: without the npm_* variables and the
 * node_modules/.bin folders that `npm test` or `npx mocha` add. Under them `npm` would be an
 * npm some dependency brought along, whose `pack` runs the package's `prepare` (a full
 * rebuild) despite --ignore-scripts.
 */
function npmEnv(): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
	env.PATH = (process.env.PATH ?? '')
		.split(path.delimiter)
		.filter((dir) => !dir.split(path.sep).includes('node_modules'))
		.join(path.delimiter);
	return env;
}

/**
 * The packed package and the e-mail node installed by npm, as in a user's Node-RED folder.
 * It lives outside the repository, so the package finds only what npm installed beside it,
 * and is reused while the tarball's bytes are the same (npm pack writes fixed file times, so
 * an unchanged build packs to the same bytes). The dist/ folder must be built first.
 */
function installedPackages(): Promise<string> {
	installed ??= (async () => {
		const packDir = path.join(outputDir, 'pack');
		fs.rmSync(packDir, { recursive: true, force: true });
		fs.mkdirSync(packDir, { recursive: true });
		// --ignore-scripts: the tree is already built, and `prepare` would rebuild it.
		const packed = JSON.parse(
			execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], { cwd: repoRoot, encoding: 'utf8', env: npmEnv() }),
		) as { filename: string }[];
		const tarball = path.join(packDir, packed[0].filename);
		const hash = crypto.createHash('sha256').update(fs.readFileSync(tarball)).update(emailNode).digest('hex').slice(0, 16);
		const installs = process.env.PROPENSITY_NR_INSTALL_DIR || path.join(os.tmpdir(), 'propensity-node-red');
		const dir = path.join(installs, hash);
		const marker = path.join(dir, '.installed');
		if (fs.existsSync(installs)) pruneStaleInstalls(installs, dir);
		if (fs.existsSync(marker)) {
			const now = new Date();
			fs.utimesSync(marker, now, now);
			return dir;
		}
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(
			path.join(dir, 'package.json'),
			JSON.stringify({ name: 'node-red-project', description: 'A Node-RED user dir for the Propensity tests', version: '0.0.1', private: true }, null, 2),
		);
		// As from the registry: a published package's `prepare` does not run on install, so none runs here.
		execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=dev', '--ignore-scripts', tarball, emailNode], {
			cwd: dir,
			stdio: ['ignore', 'ignore', 'pipe'],
			env: npmEnv(),
		});
		fs.writeFileSync(marker, tarball);
		return dir;
	})();
	return installed;
}

/**
 * A fresh Node-RED user dir in `dir` (its flows, credentials and settings start empty) whose
 * node_modules is the installation above, as if `npm install n8n-nodes-propensity` had been
 * run in it.
 */
export async function userDirWithPackage(dir: string): Promise<string> {
	const packages = await installedPackages();
	fs.mkdirSync(dir, { recursive: true });
	fs.copyFileSync(path.join(packages, 'package.json'), path.join(dir, 'package.json'));
	fs.symlinkSync(path.join(packages, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
	return dir;
}

export interface StatusEvent {
	readonly id: string;
	readonly fill?: string;
	readonly shape?: string;
	readonly text?: string;
}

export interface DebugEvent {
	/** The debug node's id. */
	readonly id: string;
	readonly name?: string;
	/** The shown property, parsed from the editor's encoding. */
	readonly value: unknown;
}

export interface RunningNodeRed {
	readonly url: string;
	/** Everything Node-RED printed so far. */
	readonly log: () => string;
	readonly statuses: StatusEvent[];
	readonly debug: DebugEvent[];
	/** An admin API call; JSON in and out. */
	api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', route: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: unknown }>;
	/** Resolves with the first status of node `id`, from `since` on, that `wanted` accepts. */
	waitForStatus(id: string, wanted: (status: StatusEvent) => boolean, since?: number, timeoutMs?: number): Promise<StatusEvent>;
	/** Resolves when `ready()` holds, checking every 100 ms. */
	waitFor<T>(ready: () => T | undefined | false, what: string, timeoutMs?: number): Promise<T>;
	/** Presses an inject node's button, as the editor does (waiting up to 10 s for a newly deployed one). */
	inject(id: string): Promise<void>;
	/** Whether the Node-RED process is still running. */
	readonly alive: () => boolean;
	stop(): Promise<void>;
}

/** Starts Node-RED on the user dir with its flows in `flowFile` and the given environment. */
export async function startNodeRed(userDir: string, flowFile: string, env: Record<string, string>): Promise<RunningNodeRed> {
	const port = await freePort();
	const url = `http://127.0.0.1:${port}`;
	const child: ChildProcess = spawn(nodeBinary, [path.join(__dirname, 'host.js'), nodeRedDir, userDir, flowFile, String(port)], {
		env: { ...process.env, ...env, NODE_OPTIONS: '' },
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	let exited = false;
	child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
	child.on('exit', () => (exited = true));

	const waitFor = async <T>(ready: () => T | undefined | false, what: string, timeoutMs = 60000): Promise<T> => {
		const until = Date.now() + timeoutMs;
		for (;;) {
			const value = ready();
			if (value !== undefined && value !== false) return value;
			if (exited) throw new Error(`Node-RED exited while waiting for ${what}. Its output:\n${output.slice(-4000)}`);
			if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}. Node-RED's output:\n${output.slice(-4000)}`);
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	};
	await waitFor(() => output.includes(`node-red listening on ${port}`), 'Node-RED to start', 120000);

	const api: RunningNodeRed['api'] = async (method, route, body, headers = {}) => {
		const response = await fetch(`${url}${route}`, {
			method,
			headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		let parsed: unknown = text;
		try {
			parsed = text === '' ? undefined : JSON.parse(text);
		} catch {
			// Not JSON: keep the text.
		}
		return { status: response.status, body: parsed };
	};

	// The editor's websocket: node statuses and debug messages, as the editor receives them.
	const statuses: StatusEvent[] = [];
	const debug: DebugEvent[] = [];
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const WebSocket = require(require.resolve('ws', { paths: [nodeRedDir] })) as new (
		address: string,
	) => import('node:events').EventEmitter & { send(text: string): void; close(): void };
	const socket = new WebSocket(`ws://127.0.0.1:${port}/comms`);
	await new Promise<void>((resolve, reject) => {
		socket.once('open', () => resolve());
		socket.once('error', reject);
	});
	socket.send(JSON.stringify({ subscribe: 'status/#' }));
	socket.send(JSON.stringify({ subscribe: 'debug' }));
	socket.on('message', (data: Buffer) => {
		const parsed = JSON.parse(data.toString()) as { topic: string; data: Record<string, unknown> } | { topic: string; data: Record<string, unknown> }[];
		for (const event of Array.isArray(parsed) ? parsed : [parsed]) {
			if (event.topic.startsWith('status/')) statuses.push({ id: event.topic.slice('status/'.length), ...(event.data as object) });
			else if (event.topic === 'debug')
				debug.push({ id: String(event.data.id), name: event.data.name as string | undefined, value: decodeDebug(event.data) });
		}
	});

	return {
		url,
		log: () => output,
		statuses,
		debug,
		api,
		waitFor,
		waitForStatus: (id, wanted, since = 0, timeoutMs = 180000) =>
			waitFor(() => statuses.slice(since).find((status) => status.id === id && wanted(status)), `a status of node ${id}`, timeoutMs),
		inject: async (id) => {
			// A node deployed a moment ago may still be starting: Node-RED answers 404 until it is.
			let result = await api('POST', `/inject/${id}`);
			for (let tries = 0; result.status === 404 && tries < 50; tries++) {
				await new Promise((resolve) => setTimeout(resolve, 200));
				result = await api('POST', `/inject/${id}`);
			}
			if (result.status !== 200)
				throw new Error(
					`Pressing inject node ${id} answered ${result.status}: ${JSON.stringify(result.body)}. Node-RED's output:\n${output.slice(-3000)}`,
				);
		},
		alive: () => !exited,
		stop: async () => {
			socket.close();
			if (exited) return;
			const gone = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
			await gone;
			clearTimeout(timer);
		},
	};
}

/** A debug message's value: the editor receives objects as JSON text with a format label. */
function decodeDebug(data: Record<string, unknown>): unknown {
	const { msg, format } = data as { msg: unknown; format?: string };
	if (typeof msg === 'string' && typeof format === 'string' && /^(Object|array)/.test(format)) {
		try {
			return JSON.parse(msg);
		} catch {
			return msg;
		}
	}
	return msg;
}
