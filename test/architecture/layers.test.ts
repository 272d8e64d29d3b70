/**
 * The layers hold by rule: the import graph of the sources against what CONTRIBUTING.md says.
 * Each rule is also shown a small graph with a known fault, so a rule that could never fail
 * would be noticed.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	adapterImports,
	folderCycles,
	hostImports,
	importCycles,
	layerOrderFromContributing,
	layerViolations,
	readImportGraph,
	repoRoot,
	type ImportGraph,
	type Import,
} from '../support/imports';

const contributing = fs.readFileSync(path.join(repoRoot, 'CONTRIBUTING.md'), 'utf8');
const order = layerOrderFromContributing(contributing);
const graph = readImportGraph(['core', 'cli', 'nodes', 'credentials']);
const publicEntry = ['core/index.ts'];

/** A graph from `file: import, import` lines, every import a file. */
function graphOf(lines: Record<string, string[]>): ImportGraph {
	return {
		files: new Map(
			Object.entries(lines).map(([file, targets]) => [
				file,
				targets.map((target): Import => ({ target, kind: target.includes('/') ? 'file' : 'package', specifier: target })),
			]),
		),
	};
}

describe('the layers of the core', () => {
	it('every core folder has its place in the layer order written in CONTRIBUTING.md, and every place is a folder', () => {
		const folders = fs
			.readdirSync(path.join(repoRoot, 'core'), { withFileTypes: true })
			.filter((entry) => entry.isDirectory())
			.map((entry) => entry.name);
		assert.deepEqual([...folders].sort(), [...order].sort());
	});

	it('each core folder imports only the folders before it in that order', () => {
		assert.deepEqual(layerViolations(graph, order), []);
	});

	it('no two core folders import each other, directly or round a circle', () => {
		assert.deepEqual(folderCycles(graph), []);
	});

	it('no file of the package imports itself back round a circle of imports', () => {
		assert.deepEqual(importCycles(graph), []);
	});

	it('the core imports nothing from the hosts or the adapters', () => {
		assert.deepEqual(hostImports(graph), []);
	});

	it('the adapters (n8n nodes, Node-RED nodes, the CLI, credentials) use the core through its public entry only', () => {
		assert.deepEqual(adapterImports(graph, publicEntry), []);
	});

	it('the README of the code, CONTRIBUTING.md, names every core folder in its layout', () => {
		const layout = contributing.slice(contributing.indexOf('## Layout'), contributing.indexOf('## Layers'));
		for (const folder of order) assert.match(layout, new RegExp(`\\b${folder}/`), `the layout names core/${folder}/`);
	});
});

describe('the layer checks catch what they are for (controls)', () => {
	it('a lower folder importing a higher one is caught, and so is a folder the order does not list', () => {
		const faulty = graphOf({
			'core/goal/readiness.ts': ['core/features/cutoffs.ts'],
			'core/features/cutoffs.ts': ['core/goal/schema.ts'],
			'core/goal/schema.ts': [],
			'core/newthing/a.ts': [],
		});
		const problems = layerViolations(faulty, ['goal', 'features']);
		assert.equal(problems.length, 2, problems.join('\n'));
		assert.match(problems.join('\n'), /core\/goal may not import core\/features/);
		assert.match(problems.join('\n'), /core\/newthing has no place/);
	});

	it('a core folder importing the entry points is caught', () => {
		assert.equal(layerViolations(graphOf({ 'core/score/run.ts': ['core/pipeline.ts'] }), ['score']).length, 1);
	});

	it('a cycle of files and a cycle of folders are found, with their members', () => {
		const circle = graphOf({ 'core/learn/auto.ts': ['core/learn/train.ts'], 'core/learn/train.ts': ['core/learn/auto.ts'], 'core/learn/tree.ts': [] });
		assert.deepEqual(importCycles(circle), [['core/learn/auto.ts', 'core/learn/train.ts']]);
		const folders = graphOf({
			'core/score/run.ts': ['core/explain/factors.ts'],
			'core/explain/factors.ts': ['core/score/types.ts'],
			'core/score/types.ts': [],
		});
		assert.deepEqual(folderCycles(folders), [['core/explain', 'core/score']]);
		assert.deepEqual(importCycles(graphOf({ 'core/a/x.ts': ['core/a/x.ts'] })), [['core/a/x.ts']]);
	});

	it('the core importing a host or an adapter is caught', () => {
		const faulty = graphOf({ 'core/score/run.ts': ['n8n-workflow', 'nodes/n8n/shared/errors.ts', 'zod', 'package.json'] });
		assert.equal(hostImports(faulty).length, 2);
	});

	it('an adapter reaching past the public entry is caught', () => {
		const faulty = graphOf({ 'nodes/node-red/train-model.ts': ['core/index.ts', 'core/learn/train.ts'], 'cli/main.ts': ['core/index.ts'] });
		assert.deepEqual(adapterImports(faulty, publicEntry), [
			'nodes/node-red/train-model.ts imports core/learn/train.ts: adapters use the core through core/index.ts only',
		]);
	});

	it('the import reader finds every source file and what the public entry imports', () => {
		const seen = graph.files.get('core/index.ts') ?? [];
		assert.ok(seen.some(({ target }) => target === 'core/pipeline.ts'));
		assert.ok(graph.files.size > 150, `${graph.files.size} files read`);
	});
});
