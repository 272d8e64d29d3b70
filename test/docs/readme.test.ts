/**
 * The README and the pages under docs/, read as a user reads them: the quick start's commands
 * exist, every goal and segment rule shown as JSON is one Propensity accepts, every command-line
 * option a page names is one its command takes, and every link between the pages leads somewhere.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { commands } from '../../cli/commands';
import { parseGoal } from '../../core/goal';
import { parseSegmentRule } from '../../core/segment';

const repoRoot = path.resolve(__dirname, '../../..');
const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Every Markdown page a user may open: the README, CONTRIBUTING, the changelog and docs/. */
function pageNames(): string[] {
	const docs = fs
		.readdirSync(path.join(repoRoot, 'docs'))
		.filter((name) => name.endsWith('.md'))
		.map((name) => `docs/${name}`);
	return ['README.md', 'CONTRIBUTING.md', 'CHANGELOG.md', ...docs.sort()];
}

interface Page {
	name: string;
	text: string;
}

const pages: Page[] = pageNames().map((name) => ({ name, text: fs.readFileSync(path.join(repoRoot, name), 'utf8') }));
const readme = pages[0].text;

/** The fenced blocks of one language in a page, with the line each starts on (indented blocks in lists count too). */
function blocks(page: Page, language: string): { where: string; text: string }[] {
	const found: { where: string; text: string }[] = [];
	const lines = page.text.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].trim() !== '```' + language) continue;
		let end = i + 1;
		while (end < lines.length && lines[end].trim() !== '```') end++;
		found.push({ where: `${page.name} line ${i + 1}`, text: lines.slice(i + 1, end).join('\n') });
		i = end;
	}
	return found;
}

function allBlocks(language: string): { where: string; text: string }[] {
	return pages.flatMap((page) => blocks(page, language));
}

/** GitHub's anchors for a page's headings: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	let inCode = false;
	for (const line of text.split('\n')) {
		if (line.trimStart().startsWith('```')) inCode = !inCode;
		const heading = !inCode && /^#{1,6} (.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.trim()
			.toLowerCase()
			.replace(/[^\p{L}\p{N}_\- ]/gu, '')
			.replace(/ /g, '-');
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		result.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return result;
}

/** Every use of the command a page shows: in inline code, and as lines of shell blocks. */
function commandUses(): { where: string; name: string; rest: string }[] {
	const uses: { where: string; name: string; rest: string }[] = [];
	for (const page of pages) {
		for (const [, name, rest] of page.text.matchAll(/`(?:npx )?propensity (\w+)((?: [^`]*)?)`/g)) uses.push({ where: page.name, name, rest });
	}
	for (const { where, text } of allBlocks('sh')) {
		// A trailing backslash continues the command on the next line.
		for (const line of text.replace(/\\\n/g, ' ').split('\n')) {
			const use = /(?:^|&& |npx )propensity (\w+)(.*)$/.exec(line.replace(/#.*$/, '').trim());
			if (use) uses.push({ where, name: use[1], rest: use[2] });
		}
	}
	return uses;
}

describe('the README and the docs pages', () => {
	it('the README starts with two commands that exist: one runs the demo pipeline, one runs every test', () => {
		const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Install'));
		const shell = /```sh\n([\s\S]*?)```/.exec(quickStart);
		assert.ok(shell, 'the quick start has a shell block');
		const commandLines = shell[1]
			.split('\n')
			.filter((line) => line.trim() !== '')
			.map((line) => line.replace(/#.*$/, '').trim());
		assert.deepEqual(commandLines, ['npm install && npm run demo', 'npm test']);
		assert.match(packageJson.scripts.demo, /cli\/main\.js demo/);
		assert.match(packageJson.scripts.test, /mocha/);
	});

	it('the README stays short enough for a newcomer: at most 400 lines, the rest in docs/', () => {
		const lines = readme.split('\n').length;
		assert.ok(lines <= 400, `the README has ${lines} lines`);
		assert.ok(pages.filter(({ name }) => name.startsWith('docs/')).length >= 12, 'one page per subject under docs/');
	});

	it('shows only goals that Propensity accepts', () => {
		const goals = allBlocks('json').filter(({ text }) => /"outcome"/.test(text));
		assert.ok(goals.length >= 5, `${goals.length} goal examples`);
		for (const { where, text } of goals) {
			assert.doesNotThrow(() => parseGoal(JSON.parse(text)), `the goal at ${where}`);
		}
	});

	it('shows only segment rules that Propensity accepts', () => {
		const rules = allBlocks('json').filter(({ text }) => /^\{ "all"|^\{ "any"/.test(text.trim()));
		assert.ok(rules.length >= 1);
		for (const { where, text } of rules) {
			assert.doesNotThrow(() => parseSegmentRule(JSON.parse(text)), `the rule at ${where}`);
		}
	});

	it('names only commands and options that the propensity command takes', async () => {
		const uses = commandUses();
		assert.ok(uses.filter(({ where }) => where === 'docs/cli.md').length >= 10, 'the command-line page names every command');
		for (const { where, name, rest } of uses) {
			if (name === 'help') continue;
			const entry = commands.find((candidate) => candidate.name === name);
			assert.ok(entry, `"propensity ${name}" in ${where} is a command`);
			const command = await entry.load();
			for (const [, option] of rest.matchAll(/--([a-z][a-z-]*)/g)) {
				assert.ok(option in command.options, `propensity ${name} takes --${option} (${where})`);
			}
		}
	});

	it('links only to headings and files that exist, across the README and every page', () => {
		const anchorsOf = new Map(pages.map(({ name, text }) => [name, anchors(text)]));
		let links = 0;
		for (const page of pages) {
			for (const [, target] of page.text.matchAll(/\]\(([^)\s]+)\)/g)) {
				if (/^(https?|mailto):/.test(target)) continue;
				links++;
				const [file, anchor] = target.split('#');
				const resolved = file === '' ? page.name : path.posix.normalize(path.posix.join(path.posix.dirname(page.name), file));
				assert.ok(fs.existsSync(path.join(repoRoot, resolved)), `${page.name} links to ${target}: the file ${resolved} exists`);
				if (anchor === undefined) continue;
				const known = anchorsOf.get(resolved);
				assert.ok(known, `${page.name} links to ${target}: an anchor in a page that is read`);
				assert.ok(known.has(anchor), `${page.name} links to ${target}: the heading #${anchor} exists in ${resolved}`);
			}
		}
		assert.ok(links >= 30, `${links} links between the pages`);
	});

	it('a link to a missing heading is caught (the check can fail)', () => {
		assert.equal(anchors('# Model store\n\n## Folder layout\n').has('postgresql-layout'), false);
		assert.equal(anchors('# Model store\n\n```sh\n# not a heading\n```\n').has('not-a-heading'), false);
		assert.equal(anchors('## Speed\n\n## Speed\n').has('speed-1'), true);
	});
});
