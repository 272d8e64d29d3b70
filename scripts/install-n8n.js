#!/usr/bin/env node
'use strict';
// Installs a given n8n version once into ~/.cache/propensity/n8n-<version> (outside the
// repo, keyed by version) so test runs and CI reruns reuse it. n8n 2.8.4 is the newest
// that runs on Node 20; it needs the xlsx override to install from the npm registry.
// Usage: node scripts/install-n8n.js [version]   (prints the n8n binary's path)
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const version = process.argv[2] || process.env.N8N_VERSION || '2.8.4';
const dir = path.join(process.env.PROPENSITY_CACHE || path.join(os.homedir(), '.cache', 'propensity'), `n8n-${version}`);
const binary = path.join(dir, 'node_modules', 'n8n', 'bin', 'n8n');
const marker = path.join(dir, '.installed');

if (!fs.existsSync(marker) || !fs.existsSync(binary)) {
	fs.mkdirSync(dir, { recursive: true });
	const manifest = { name: 'n8n-host-cache', private: true, dependencies: { n8n: version }, overrides: { xlsx: '0.18.5' } };
	fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	process.stderr.write(`Installing n8n ${version} into ${dir} (about 10 minutes the first time)…\n`);
	execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] });
	fs.writeFileSync(marker, `${version}\n`);
}
process.stdout.write(`${binary}\n`);
