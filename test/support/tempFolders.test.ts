/**
 * A test run leaves nothing behind in the system's temporary folder: a suite's folders there come
 * from suiteTempFolders, which removes them after the suite, and only the harnesses that own a
 * server's or an install's folder make their own.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pruneStaleInstalls } from '../node-red/support/runtime';
import { repoRoot } from './imports';
import { suiteTempFolders } from './tempFolders';

/** The harnesses that make and remove their own folders there (a server's data, n8n's user folder, Node-RED's install cache). */
const ownersOfTheirFolders = ['test/support/clickhouse.ts', 'test/support/postgres.ts', 'test/support/n8n.ts', 'test/node-red/support/runtime.ts'];

function testSources(folder: string): string[] {
	return fs.readdirSync(path.join(repoRoot, folder), { withFileTypes: true }).flatMap((entry) => {
		const relative = `${folder}/${entry.name}`;
		if (entry.isDirectory()) return testSources(relative);
		return entry.name.endsWith('.ts') ? [relative] : [];
	});
}

describe('temporary folders of the tests', () => {
	let made = '';
	describe('a suite that makes two', () => {
		const tempFolder = suiteTempFolders('propensity-temp-check-');
		it('has them, apart, while it runs', () => {
			made = tempFolder();
			const other = tempFolder();
			assert.notEqual(made, other);
			fs.writeFileSync(path.join(made, 'file.txt'), 'kept until the suite ends');
			assert.ok(fs.statSync(other).isDirectory());
		});
	});
	describe('after that suite', () => {
		it('they are gone, with what was written in them', () => {
			assert.ok(made !== '', 'the suite before ran');
			assert.equal(fs.existsSync(made), false);
		});
	});

	it('are made through suiteTempFolders in every suite, so each is removed after it', () => {
		const ownFolders = testSources('test')
			.filter((file) => file !== 'test/support/tempFolders.ts' && !ownersOfTheirFolders.includes(file))
			.filter((file) => /\btmpdir\(/.test(fs.readFileSync(path.join(repoRoot, file), 'utf8')));
		assert.deepEqual(ownFolders, [], 'these write under the temporary folder by themselves: use suiteTempFolders');
	});

	describe('the Node-RED installations the suites reuse, one per build', () => {
		const tempFolder = suiteTempFolders('propensity-nr-installs-');
		it('are removed when unused for three hours, but never the one this run uses, one another run used lately, or a folder that is not one', () => {
			const root = tempFolder();
			const hour = 60 * 60 * 1000;
			const now = Date.now();
			const install = (name: string, lastUsedHoursAgo: number, marked = true) => {
				const dir = path.join(root, name);
				fs.mkdirSync(dir);
				const at = new Date(now - lastUsedHoursAgo * hour);
				if (marked) fs.writeFileSync(path.join(dir, '.installed'), 'x.tgz');
				fs.utimesSync(marked ? path.join(dir, '.installed') : dir, at, at);
				return dir;
			};
			const current = install('00000000000000aa', 30);
			const recent = install('00000000000000bb', 2);
			const stale = install('00000000000000cc', 4);
			const abandoned = install('00000000000000dd', 5, false);
			const other = install('not-an-install', 50);
			pruneStaleInstalls(root, current, now);
			assert.deepEqual(
				[current, recent, stale, abandoned, other].map((dir) => fs.existsSync(dir)),
				[true, true, false, false, true],
			);
		});
	});
});
