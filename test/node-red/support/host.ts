/**
 * Node-RED embedded the way an application embeds it: an HTTP server, RED.init(server,
 * settings), the editor and admin API mounted at /, HTTP In nodes at /api, then RED.start().
 * The real-runtime and browser suites (and scripts/check-node-red-5.sh, with Node 24 and
 * Node-RED 5) run it as a child process, so a crash in Node-RED cannot take the test run
 * with it and each run starts from a clean runtime.
 *
 *   node host.js <node-red package folder> <user dir> <flow file> <port>
 *
 * Prints "node-red listening on <port>" once the flows have started.
 */
import http from 'node:http';
import path from 'node:path';

interface Red {
	init(server: http.Server, settings: Record<string, unknown>): void;
	start(): Promise<void>;
	stop(): Promise<void>;
	httpAdmin: http.RequestListener;
	httpNode: http.RequestListener;
	version(): string;
}

async function main(): Promise<void> {
	const [nodeRedDir, userDir, flowFile, portText] = process.argv.slice(2);
	if (!nodeRedDir || !userDir || !flowFile || !portText) throw new Error('usage: node host.js <node-red folder> <user dir> <flow file> <port>');
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const RED = require(nodeRedDir) as Red;
	// Express as Node-RED itself resolves it, so each Node-RED version runs with its own.
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const express = require(require.resolve('express', { paths: [nodeRedDir] })) as () => http.RequestListener & {
		use(path: string, handler: http.RequestListener): void;
	};
	const app = express();
	const server = http.createServer(app);
	RED.init(server, {
		userDir,
		flowFile: path.resolve(flowFile),
		uiHost: '127.0.0.1',
		uiPort: Number(portText),
		httpAdminRoot: '/',
		httpNodeRoot: '/api',
		// Encrypts the credential file (flows_cred.json) with a known key instead of a generated one.
		credentialSecret: 'propensity tests',
		// The first-run telemetry question is a modal that would block the editor.
		telemetry: { enabled: false },
		editorTheme: { tours: false, projects: { enabled: false }, palette: { catalogues: [] } },
		externalModules: { autoInstall: false, palette: { allowInstall: false } },
		logging: { console: { level: 'info', metrics: false, audit: false } },
	});
	app.use('/', RED.httpAdmin);
	app.use('/api', RED.httpNode);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(Number(portText), '127.0.0.1', () => resolve());
	});
	await RED.start();
	process.stdout.write(`node-red listening on ${portText} (Node-RED ${RED.version()}, Node ${process.version})\n`);
	const stop = (): void => {
		RED.stop()
			.catch(() => undefined)
			.finally(() => server.close(() => process.exit(0)));
	};
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	// A test run that dies without stopping Node-RED leaves it an orphan: it then stops itself.
	const parent = process.ppid;
	setInterval(() => {
		if (process.ppid !== parent) stop();
	}, 2000).unref();
}

main().catch((error: Error) => {
	process.stderr.write(`node-red host failed: ${error.stack ?? error.message}\n`);
	process.exit(1);
});
