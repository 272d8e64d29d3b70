/**
 * A real, headless n8n for tests: installed once into a cache outside the repo
 * (scripts/install-n8n.js), run with a fresh user folder in the system temp folder, with this
 * package installed into `$N8N_USER_FOLDER/.n8n/nodes/node_modules/n8n-nodes-propensity` the way
 * n8n's community-node installer does it: the packed tarball (npm pack), unpacked, with its
 * production dependencies beside it and n8n-workflow left to n8n. Workflows and credentials are
 * imported with n8n's CLI and run with `n8n execute --id=… --rawOutput`.
 *
 * The user folder lives under the system temp folder, not in the repo: a folder inside the repo
 * would let the package resolve the repo's own dev copy of n8n-workflow instead of n8n's.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports';

export const repoRoot = path.resolve(__dirname, '..', '..', '..');

export interface N8nOptions {
	/** The n8n version to install and run (default 2.8.4, the newest that runs on Node 20). */
	readonly version?: string;
	/** The n8n launcher to run (default: installed by scripts/install-n8n.js for `version`). */
	readonly n8nBinary?: string;
	/** The Node.js binary that runs n8n (default: the one running the tests). */
	readonly nodeBinary?: string;
	/** Extra environment for every n8n command (e.g. the examples' PROPENSITY_* variables). */
	readonly env?: Readonly<Record<string, string>>;
	/** Where the temporary user folder goes (default: the system temp folder). */
	readonly tempRoot?: string;
}

/** One node's run in an execution: its output items per output (json and binary metadata), or its error. */
export interface NodeRun {
	readonly items: {
		json: Record<string, unknown>;
		binary?: Record<string, { fileName?: string; mimeType?: string; fileSize?: string }>;
		pairedItem?: unknown;
	}[][];
	readonly error?: { message: string; description?: string | null; itemIndex?: number; name?: string };
	readonly hints: { message: string }[];
}

export interface N8nExecution {
	/** The n8n process's exit code (0 when the workflow succeeded). */
	readonly exitCode: number | null;
	readonly stdout: string;
	readonly stderr: string;
	/** The execution data n8n printed (runData per node), when it printed any. */
	readonly data:
		{ resultData: { runData: Record<string, unknown[]>; error?: { message: string; node?: { name: string } }; lastNodeExecuted?: string } } | undefined;
	/** The last run of a node, or undefined when it did not run. */
	node(name: string): NodeRun | undefined;
	/** How long the command took, in milliseconds. */
	readonly durationMs: number;
	/** Where the output went when it could not be read (for a post-mortem). */
	readonly outputFile?: string;
}

export interface N8nCredential {
	readonly id: string;
	readonly name: string;
	readonly type: string;
	readonly data: Record<string, unknown>;
}

export interface N8nHarness {
	readonly version: string;
	/** The N8N_USER_FOLDER of this harness (n8n keeps its database and settings in .n8n below it). */
	readonly userFolder: string;
	/** Where this package was installed for n8n to load. */
	readonly packageDir: string;
	/** Imports workflow JSON files (each holding one workflow object), keeping their ids. */
	importWorkflows(files: readonly string[]): Promise<void>;
	/** Imports credentials (written to a file in the user folder only for the import, then removed). */
	importCredentials(credentials: readonly N8nCredential[]): Promise<void>;
	/** Runs `n8n execute --id=… --rawOutput` and parses what it printed. */
	execute(workflowId: string, env?: Readonly<Record<string, string>>): Promise<N8nExecution>;
	/** Removes the user folder. */
	cleanup(): void;
}

/** The n8n launcher of `version`, installing it into the cache first when missing (about 10 minutes). */
export function installN8n(version = '2.8.4'): string {
	const out = execFileSync(process.execPath, [path.join(repoRoot, 'scripts', 'install-n8n.js'), version], {
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	return out.trim().split('\n').pop() as string;
}

/**
 * Installs the package from the repo's build the way n8n's community-node installer would: the
 * files npm would publish (package.json's "files", package.json, README and LICENSE), dev, peer
 * and optional dependencies removed from its package.json, and its dependencies resolvable from
 * its own node_modules (linked to the repo's copies). n8n-workflow is left to n8n.
 */
export function installPackage(nodesDir: string): string {
	const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
		name: string;
		version: string;
		files?: string[];
		dependencies?: Record<string, string>;
		[key: string]: unknown;
	};
	if (!fs.existsSync(path.join(repoRoot, 'dist', 'nodes', 'n8n'))) throw new Error('dist/nodes/n8n is missing: build the package first (npm run build).');
	const packageDir = path.join(nodesDir, 'node_modules', manifest.name);
	fs.rmSync(packageDir, { recursive: true, force: true });
	fs.mkdirSync(packageDir, { recursive: true });
	const published = [...(manifest.files ?? []), 'README.md', 'LICENSE'];
	for (const entry of published) {
		const from = path.join(repoRoot, entry);
		if (fs.existsSync(from)) fs.cpSync(from, path.join(packageDir, entry), { recursive: true });
	}
	const { devDependencies: _dev, peerDependencies: _peer, peerDependenciesMeta: _meta, optionalDependencies: _optional, ...installed } = manifest;
	fs.writeFileSync(path.join(packageDir, 'package.json'), `${JSON.stringify(installed, null, 2)}\n`);
	for (const dependency of Object.keys(manifest.dependencies ?? {})) {
		const target = path.join(packageDir, 'node_modules', dependency);
		fs.mkdirSync(path.dirname(target), { recursive: true });
		fs.symlinkSync(path.join(repoRoot, 'node_modules', dependency), target, 'dir');
	}
	fs.writeFileSync(
		path.join(nodesDir, 'package.json'),
		`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [manifest.name]: manifest.version } }, null, 2)}\n`,
	);
	return packageDir;
}

/** The environment every n8n command runs with: quiet, headless, in the harness's user folder. */
function n8nEnvironment(userFolder: string, extra: Readonly<Record<string, string>>): NodeJS.ProcessEnv {
	const env: NodeJS.ProcessEnv = {};
	// The tests' own N8N_* or PROPENSITY_* settings must not leak into the n8n under test.
	for (const [key, value] of Object.entries(process.env)) if (!/^(N8N_|PROPENSITY_|DB_)/.test(key)) env[key] = value;
	return {
		...env,
		N8N_USER_FOLDER: userFolder,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_RUNNERS_ENABLED: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		// The examples read their paths and addresses from $env (n8n 2 blocks that by default).
		N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
		N8N_LOG_LEVEL: 'info',
		...extra,
	};
}

/** The JSON object n8n printed (after its log lines), or undefined. */
export function parseExecutionOutput(text: string): N8nExecution['data'] {
	const start = text.search(/^\{\s*\n\s*"data"/m);
	if (start < 0) return undefined;
	const body = text.slice(start);
	const ends = [...body.matchAll(/^\}\s*$/gm)].map((match) => (match.index ?? 0) + 1);
	for (let i = ends.length - 1; i >= 0; i--) {
		try {
			return (JSON.parse(body.slice(0, ends[i])) as { data: N8nExecution['data'] }).data;
		} catch {
			// Log lines after the JSON: try the previous closing brace.
		}
	}
	return undefined;
}

function nodeRunOf(data: N8nExecution['data'], name: string): NodeRun | undefined {
	const runs = data?.resultData.runData[name] as
		{ data?: { main?: NodeRun['items'] }; error?: NodeRun['error'] & { context?: { itemIndex?: number } }; hints?: NodeRun['hints'] }[] | undefined;
	if (!runs || runs.length === 0) return undefined;
	const run = runs[runs.length - 1];
	const error = run.error ? { ...run.error, itemIndex: run.error.itemIndex ?? run.error.context?.itemIndex } : undefined;
	return { items: (run.data?.main ?? []).map((output) => output ?? []), error, hints: run.hints ?? [] };
}

/**
 * Runs a command with its output going to files, not pipes: n8n prints a whole execution as one
 * write and exits right after, and a large write to a pipe is cut short by the exit; a write to
 * a file is synchronous.
 */
function run(
	nodeBinary: string,
	args: string[],
	env: NodeJS.ProcessEnv,
	cwd: string,
): Promise<{ exitCode: number | null; stdout: string; stderr: string; durationMs: number }> {
	const started = Date.now();
	const base = path.join(cwd, `output-${process.pid}-${started}`);
	const out = fs.openSync(`${base}.out`, 'w');
	const err = fs.openSync(`${base}.err`, 'w');
	return new Promise((resolve, reject) => {
		const child = spawn(nodeBinary, args, { env, cwd, stdio: ['ignore', out, err] });
		const collect = () => {
			fs.closeSync(out);
			fs.closeSync(err);
			const read = (file: string) => {
				const text = fs.readFileSync(file, 'utf8');
				fs.rmSync(file, { force: true });
				return text;
			};
			return { stdout: read(`${base}.out`), stderr: read(`${base}.err`) };
		};
		child.once('error', (error) => {
			collect();
			reject(error);
		});
		child.once('close', (exitCode) => resolve({ exitCode, ...collect(), durationMs: Date.now() - started }));
	});
}

/** Prepares a fresh n8n user folder with this package installed; nothing runs until a command is called. */
export async function startN8n(options: N8nOptions = {}): Promise<N8nHarness> {
	const version = options.version ?? '2.8.4';
	const n8nBinary = options.n8nBinary ?? installN8n(version);
	const nodeBinary = options.nodeBinary ?? process.execPath;
	const userFolder = fs.mkdtempSync(path.join(options.tempRoot ?? os.tmpdir(), 'propensity-n8n-'));
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	fs.mkdirSync(nodesDir, { recursive: true });
	const packageDir = installPackage(nodesDir);
	const command = async (args: string[], extra: Readonly<Record<string, string>> = {}) => {
		const env = n8nEnvironment(userFolder, { N8N_RUNNERS_BROKER_PORT: String(await freePort()), ...options.env, ...extra });
		return run(nodeBinary, [n8nBinary, ...args], env, userFolder);
	};
	const checked = async (args: string[], what: string) => {
		const result = await command(args);
		if (result.exitCode !== 0 || /An error occurred/.test(result.stdout + result.stderr)) {
			throw new Error(`n8n ${what} failed (exit ${result.exitCode}):\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`);
		}
		return result;
	};
	return {
		version,
		userFolder,
		packageDir,
		async importWorkflows(files) {
			// One n8n start for all of them: each start costs seconds.
			const dir = fs.mkdtempSync(path.join(userFolder, 'import-'));
			try {
				files.forEach((file, i) => fs.copyFileSync(file, path.join(dir, `${i}-${path.basename(file)}`)));
				await checked(['import:workflow', '--separate', `--input=${dir}`], `import:workflow of ${files.map((file) => path.basename(file)).join(', ')}`);
			} finally {
				fs.rmSync(dir, { recursive: true, force: true });
			}
		},
		async importCredentials(credentials) {
			const file = path.join(userFolder, `credentials-${process.pid}.json`);
			fs.writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
			try {
				await checked(['import:credentials', `--input=${file}`], 'import:credentials');
			} finally {
				fs.rmSync(file, { force: true });
			}
		},
		async execute(workflowId, env = {}) {
			const result = await command(['execute', `--id=${workflowId}`, '--rawOutput'], env);
			const data = parseExecutionOutput(result.stdout) ?? parseExecutionOutput(result.stderr);
			let outputFile: string | undefined;
			if (!data) {
				// Kept for a post-mortem: what n8n printed that could not be read.
				outputFile = path.join(os.tmpdir(), `propensity-n8n-${workflowId}-${Date.now()}.out`);
				fs.writeFileSync(outputFile, `${result.stdout}\n----- stderr -----\n${result.stderr}`);
			}
			return { ...result, data, outputFile, node: (name: string) => nodeRunOf(data, name) };
		},
		cleanup() {
			fs.rmSync(userFolder, { recursive: true, force: true });
		},
	};
}
