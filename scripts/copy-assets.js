#!/usr/bin/env node
'use strict';
// Hosts load assets next to the compiled code: Node-RED wants each node's .html and an
// icons/ folder beside the runtime .js; n8n wants each node's SVG icons and codex JSON
// beside its .node.js. TypeScript copies none of these, so this step does.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const assetExtensions = new Set(['.html', '.svg', '.png', '.json']);

function copyAssets(fromDir, toDir) {
	if (!fs.existsSync(fromDir)) return;
	for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
		const from = path.join(fromDir, entry.name);
		const to = path.join(toDir, entry.name);
		if (entry.isDirectory()) copyAssets(from, to);
		else if (assetExtensions.has(path.extname(entry.name))) {
			fs.mkdirSync(toDir, { recursive: true });
			fs.copyFileSync(from, to);
		}
	}
}

copyAssets(path.join(root, 'nodes'), path.join(root, 'dist', 'nodes'));
copyAssets(path.join(root, 'credentials'), path.join(root, 'dist', 'credentials'));
copyAssets(path.join(root, 'icons'), path.join(root, 'dist', 'nodes', 'node-red', 'icons'));
