/**
 * Every run of `propensity` pays for the modules it loads: the command list loads no command and
 * no core, and the core loads the database drivers and the forest library only when used.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const dist = path.resolve(__dirname, '..', '..');

/** The files a fresh node process has loaded once `expression` (a value or a promise) is done, relative to the package. */
function loadedAfter(expression: string): string[] {
	const probe = `Promise.resolve(${expression}).then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))))`;
	const files = JSON.parse(execFileSync(process.execPath, ['-e', probe], { cwd: dist, encoding: 'utf8' })) as string[];
	return files.map((file) => path.relative(dist, file).split(path.sep).join('/'));
}

describe('what a command loads', () => {
	it('lists the commands without loading any command or the core', () => {
		const loaded = loadedAfter(`require('./cli/commands')`);
		assert.ok(loaded.includes('cli/commands/index.js'), loaded.join('\n'));
		assert.deepEqual(
			loaded.filter((file) => file.startsWith('core/') || /^cli\/commands\/(?!index)/.test(file)),
			[],
		);
	});

	it('loads the core without pg, pg-cursor, the ClickHouse client or the forest library', () => {
		const loaded = loadedAfter(`require('./core')`);
		assert.ok(loaded.includes('core/pipeline.js'), 'the core was loaded');
		assert.deepEqual(
			loaded.filter((file) => /node_modules\/(pg|pg-cursor|@clickhouse\/client|ml-random-forest)\//.test(file)),
			[],
		);
	});

	it('loads the train command when train runs, and not the other commands', () => {
		const loaded = loadedAfter(`require('./cli/main').main(['train', '--help'], { stdout: { write() {} }, stderr: { write() {} }, interactive: false })`);
		assert.ok(loaded.includes('cli/commands/train.js'), loaded.join('\n'));
		assert.deepEqual(
			loaded.filter((file) => /^cli\/commands\/(score|segment|demo|simulate)\.js$/.test(file)),
			[],
		);
	});
});
