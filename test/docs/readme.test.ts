/**
 * The README, read as a user reads it: the quick start's commands exist, every goal and segment
 * rule shown as JSON is one Propensity accepts, every command-line option the reference names is
 * one its command takes, and every link inside the page leads somewhere.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { commands } from '../../cli/commands';
import { parseGoal } from '../../core/goal';
import { parseSegmentRule } from '../../core/segment';

const repoRoot = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const packageJson = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** The fenced blocks of one language, with the line each starts on. */
function blocks(language: string): { line: number; text: string }[] {
	const found: { line: number; text: string }[] = [];
	const lines = readme.split('\n');
	for (let i = 0; i < lines.length; i++) {
		if (lines[i].trim() !== '```' + language) continue;
		const end = lines.indexOf('```', i + 1);
		found.push({ line: i + 1, text: lines.slice(i + 1, end).join('\n') });
		i = end;
	}
	return found;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(): Set<string> {
	const seen = new Map<string, number>();
	const result = new Set<string>();
	let inCode = false;
	for (const line of readme.split('\n')) {
		if (line.startsWith('```')) inCode = !inCode;
		const heading = !inCode && /^#{1,6} (.*)$/.exec(line);
		if (!heading) continue;
		const slug = heading[1].trim().toLowerCase().replace(/[^\p{L}\p{N}_\- ]/gu, '').replace(/ /g, '-');
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		result.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return result;
}

describe('the README', () => {
	it('starts with two commands that exist: one runs the demo pipeline, one runs every test', () => {
		const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## Install'));
		const shell = /```sh\n([\s\S]*?)```/.exec(quickStart);
		assert.ok(shell, 'the quick start has a shell block');
		const commandLines = shell[1].split('\n').filter((line) => line.trim() !== '').map((line) => line.replace(/#.*$/, '').trim());
		assert.deepEqual(commandLines, ['npm install && npm run demo', 'npm test']);
		assert.match(packageJson.scripts.demo, /cli\/main\.js demo/);
		assert.match(packageJson.scripts.test, /mocha/);
	});

	it('shows only goals that Propensity accepts', () => {
		const goals = blocks('json').filter(({ text }) => /"outcome"/.test(text));
		assert.ok(goals.length >= 4, `${goals.length} goal examples`);
		for (const { line, text } of goals) {
			assert.doesNotThrow(() => parseGoal(JSON.parse(text)), `the goal at README line ${line}`);
		}
	});

	it('shows only segment rules that Propensity accepts', () => {
		const rules = blocks('json').filter(({ text }) => /^\{ "all"|^\{ "any"/.test(text.trim()));
		assert.ok(rules.length >= 1);
		for (const { line, text } of rules) {
			assert.doesNotThrow(() => parseSegmentRule(JSON.parse(text)), `the rule at README line ${line}`);
		}
	});

	it('names only commands and options that the propensity command takes', () => {
		const cliSection = readme.slice(readme.indexOf('## Command line\n'), readme.indexOf('## Loading events'));
		const uses = [...cliSection.matchAll(/`propensity (\w+)((?: [^`]*)?)`/g)];
		assert.ok(uses.length >= 10, `${uses.length} commands in the reference`);
		for (const [, name, rest] of uses) {
			if (name === 'help') continue;
			const command = commands.find((candidate) => candidate.name === name);
			assert.ok(command, `"propensity ${name}" is a command`);
			for (const [, option] of rest.matchAll(/--([a-z][a-z-]*)/g)) {
				assert.ok(option in command.options, `propensity ${name} takes --${option}`);
			}
		}
	});

	it('links only to headings and files that exist', () => {
		const known = anchors();
		for (const [, target] of readme.matchAll(/\]\(([^)\s]+)\)/g)) {
			if (/^https?:/.test(target)) continue;
			if (target.startsWith('#')) assert.ok(known.has(target.slice(1)), `the heading #${target.slice(1)} exists`);
			else assert.ok(fs.existsSync(path.join(repoRoot, target)), `the file ${target} exists`);
		}
	});
});
