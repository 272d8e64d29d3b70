/**
 * The package's import graph, read from the TypeScript sources (not from dist/), and the rules
 * CONTRIBUTING.md sets for it: core folders in one layer order, no import cycles, core free of
 * the hosts, adapters through the core's public entry. Each check takes the graph as data, so a
 * test can hand it a small graph with a known fault and see it caught.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ts from 'typescript';

export const repoRoot = path.resolve(__dirname, '../../..');

/** Source file (repository-relative, with `/`) → the files and packages it imports. */
export interface ImportGraph {
	readonly files: ReadonlyMap<string, readonly Import[]>;
}

export interface Import {
	/** A repository-relative file for a relative import, else the package name. */
	readonly target: string;
	readonly kind: 'file' | 'package';
	/** As written in the source, for messages. */
	readonly specifier: string;
}

function sourcesUnder(folder: string): string[] {
	const absolute = path.join(repoRoot, folder);
	if (!fs.existsSync(absolute)) return [];
	return fs.readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
		const relative = `${folder}/${entry.name}`;
		if (entry.isDirectory()) return sourcesUnder(relative);
		return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
	});
}

function resolveRelative(from: string, specifier: string): string {
	const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), specifier));
	for (const candidate of [`${base}.ts`, `${base}.d.ts`, `${base}/index.ts`, base]) {
		if (fs.existsSync(path.join(repoRoot, candidate)) && fs.statSync(path.join(repoRoot, candidate)).isFile()) return candidate;
	}
	return base;
}

function packageName(specifier: string): string {
	const parts = specifier.split('/');
	return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The imports (static, dynamic and `require`) of every TypeScript file under the given folders. */
export function readImportGraph(folders: readonly string[]): ImportGraph {
	const files = new Map<string, Import[]>();
	for (const file of folders.flatMap(sourcesUnder)) {
		const info = ts.preProcessFile(fs.readFileSync(path.join(repoRoot, file), 'utf8'), true, true);
		files.set(
			file,
			info.importedFiles.map(({ fileName: specifier }) =>
				specifier.startsWith('.')
					? { target: resolveRelative(file, specifier), kind: 'file', specifier }
					: { target: packageName(specifier), kind: 'package', specifier },
			),
		);
	}
	return { files };
}

/** The layer order written in CONTRIBUTING.md: the first word of each line of the block under "## Layers", lowest first. */
export function layerOrderFromContributing(text: string): string[] {
	const section = text.slice(text.indexOf('## Layers'));
	const block = /```\n([\s\S]*?)```/.exec(section);
	if (!section.startsWith('## Layers') || !block) throw new Error('CONTRIBUTING.md has no "## Layers" section with the order in a fenced block');
	return block[1]
		.split('\n')
		.map((line) => line.trim().split(/\s+/)[0])
		.filter((word) => word !== '');
}

/** The core folder a file belongs to: `core/learn/gbdt/pool.ts` → `learn`; files directly in core/ → null. */
export function coreFolderOf(file: string): string | null {
	const parts = file.split('/');
	return parts[0] === 'core' && parts.length > 2 ? parts[1] : null;
}

/** The files directly in core/ that everything may use (errors, version) and those nothing in core may use (the entry points). */
export const coreBase: readonly string[] = ['core/errors.ts', 'core/version.ts'];
export const coreEntry: readonly string[] = ['core/index.ts', 'core/pipeline.ts'];

/** Every import that breaks the layer order: a folder importing a later folder, or core importing its own entry points. */
export function layerViolations(graph: ImportGraph, order: readonly string[]): string[] {
	const rank = new Map(order.map((name, i) => [name, i]));
	const problems: string[] = [];
	for (const [file, imports] of graph.files) {
		const from = coreFolderOf(file);
		if (from === null) continue;
		const fromRank = rank.get(from);
		if (fromRank === undefined) {
			problems.push(`${file}: the folder core/${from} has no place in the layer order of CONTRIBUTING.md`);
			continue;
		}
		for (const { target, kind, specifier } of imports) {
			if (kind !== 'file' || !target.startsWith('core/')) continue;
			if (coreEntry.includes(target)) {
				problems.push(`${file} imports ${specifier}: the entry points sit above every core folder`);
				continue;
			}
			const to = coreFolderOf(target);
			if (to === null || to === from) continue;
			const toRank = rank.get(to);
			if (toRank === undefined || toRank > fromRank)
				problems.push(
					`${file} imports ${specifier}: core/${from} may not import core/${to}, which comes ${toRank === undefined ? 'nowhere' : 'later'} in the layer order`,
				);
		}
	}
	return problems;
}

/** Every import cycle among the graph's files (strongly connected components of more than one file, or a file importing itself). */
export function importCycles(graph: ImportGraph): string[][] {
	// Tarjan's algorithm, iterative enough for this graph's depth.
	const index = new Map<string, number>();
	const low = new Map<string, number>();
	const onStack = new Set<string>();
	const stack: string[] = [];
	const cycles: string[][] = [];
	let counter = 0;
	const edges = (file: string) =>
		(graph.files.get(file) ?? []).filter(({ kind, target }) => kind === 'file' && graph.files.has(target)).map(({ target }) => target);
	const visit = (file: string): void => {
		index.set(file, counter);
		low.set(file, counter);
		counter++;
		stack.push(file);
		onStack.add(file);
		for (const next of edges(file)) {
			if (!index.has(next)) {
				visit(next);
				low.set(file, Math.min(low.get(file)!, low.get(next)!));
			} else if (onStack.has(next)) {
				low.set(file, Math.min(low.get(file)!, index.get(next)!));
			}
		}
		if (low.get(file) !== index.get(file)) return;
		const component: string[] = [];
		let member: string;
		do {
			member = stack.pop()!;
			onStack.delete(member);
			component.push(member);
		} while (member !== file);
		if (component.length > 1 || edges(file).includes(file)) cycles.push(component.sort());
	};
	for (const file of [...graph.files.keys()].sort()) if (!index.has(file)) visit(file);
	return cycles;
}

/** Folder-level cycles among core folders: each cycle as the folders in it. */
export function folderCycles(graph: ImportGraph): string[][] {
	const folders = new Map<string, Import[]>();
	for (const [file, imports] of graph.files) {
		const from = coreFolderOf(file);
		if (from === null) continue;
		const key = `core/${from}`;
		const list = folders.get(key) ?? [];
		for (const { target, kind, specifier } of imports) {
			const to = kind === 'file' ? coreFolderOf(target) : null;
			if (to !== null && to !== from) list.push({ target: `core/${to}`, kind: 'file', specifier });
		}
		folders.set(key, list);
	}
	return importCycles({ files: folders });
}

/** The packages that are hosts: core may import none of them. */
export const hostPackages: readonly string[] = ['n8n-workflow', 'n8n-core', 'node-red', '@node-red', '@n8n'];

/** Every import from core into an adapter folder or a host package. */
export function hostImports(graph: ImportGraph): string[] {
	const problems: string[] = [];
	for (const [file, imports] of graph.files) {
		if (!file.startsWith('core/')) continue;
		for (const { target, kind, specifier } of imports) {
			const intoAdapter = kind === 'file' && !target.startsWith('core/') && !target.endsWith('package.json');
			const host = kind === 'package' && hostPackages.some((name) => target === name || target.startsWith(`${name}/`));
			if (intoAdapter || host) problems.push(`${file} imports ${specifier}: the core knows nothing of the hosts or the adapters`);
		}
	}
	return problems;
}

/** Every import from an adapter (nodes/, cli/, credentials/) into core other than through the public entry. */
export function adapterImports(graph: ImportGraph, publicEntry: readonly string[]): string[] {
	const problems: string[] = [];
	for (const [file, imports] of graph.files) {
		if (!/^(nodes|cli|credentials)\//.test(file)) continue;
		for (const { target, kind, specifier } of imports) {
			if (kind === 'file' && target.startsWith('core/') && !publicEntry.includes(target)) {
				problems.push(`${file} imports ${specifier}: adapters use the core through ${publicEntry.join(' or ')} only`);
			}
		}
	}
	return problems;
}
