import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomically } from '../../core/util/files';

const dir = path.resolve('test-output', 'util-files');
const file = (name: string) => path.join(dir, name);

describe('writing a file whole or not at all', () => {
	beforeEach(() => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
	});

	it('replaces a regular file through a rename, leaving no temporary file', async () => {
		fs.writeFileSync(file('out.csv'), 'old\n');
		const before = fs.statSync(file('out.csv')).ino;
		await writeFileAtomically(file('out.csv'), 'new\n');
		assert.equal(fs.readFileSync(file('out.csv'), 'utf8'), 'new\n');
		assert.notEqual(fs.statSync(file('out.csv')).ino, before, "a new file took the old one's place");
		assert.deepEqual(fs.readdirSync(dir), ['out.csv']);
	});

	it('follows a symbolic link and replaces its target, keeping the link', async () => {
		fs.mkdirSync(file('real'));
		fs.writeFileSync(file('real/model.json'), 'old\n');
		fs.symlinkSync(path.join('real', 'model.json'), file('model.json'));
		await writeFileAtomically(file('model.json'), '{"new":true}\n');
		assert.ok(fs.lstatSync(file('model.json')).isSymbolicLink(), 'the link is still a link');
		assert.equal(fs.readFileSync(file('real/model.json'), 'utf8'), '{"new":true}\n');
		assert.deepEqual(fs.readdirSync(dir).sort(), ['model.json', 'real']);
		assert.deepEqual(fs.readdirSync(file('real')), ['model.json']);
	});

	it('follows a link to a file not made yet, and a chain of links', async () => {
		fs.symlinkSync('second', file('first'));
		fs.symlinkSync('target.txt', file('second'));
		await writeFileAtomically(file('first'), 'via two links\n');
		assert.ok(fs.lstatSync(file('first')).isSymbolicLink() && fs.lstatSync(file('second')).isSymbolicLink());
		assert.equal(fs.readFileSync(file('target.txt'), 'utf8'), 'via two links\n');
	});

	it('refuses a loop of links with a clear error rather than hanging', async () => {
		fs.symlinkSync('b', file('a'));
		fs.symlinkSync('a', file('b'));
		await assert.rejects(
			writeFileAtomically(file('a'), 'x'),
			(error: Error & { code?: string }) => error.code === 'write-failed' && /Could not write .*a".*symbolic links/.test(error.message),
		);
	});

	it('writes into a FIFO in place, leaving it a FIFO, gzip included', async () => {
		execFileSync('mkfifo', [file('pipe.csv.gz')]);
		const chunks: Buffer[] = [];
		const reading = new Promise<void>((resolve, reject) => {
			fs.createReadStream(file('pipe.csv.gz'))
				.on('data', (chunk) => chunks.push(chunk as Buffer))
				.on('end', resolve)
				.on('error', reject);
		});
		await writeFileAtomically(file('pipe.csv.gz'), ['a,b\n', '1,2\n']);
		await reading;
		assert.equal(gunzipSync(Buffer.concat(chunks)).toString('utf8'), 'a,b\n1,2\n');
		assert.ok(fs.lstatSync(file('pipe.csv.gz')).isFIFO(), 'still a FIFO');
		assert.deepEqual(fs.readdirSync(dir), ['pipe.csv.gz']);
	});

	it('writes into a device such as /dev/null in place, never replacing it with a file (checked as root on a copy of /dev/null)', async function () {
		if (process.getuid?.() !== 0) this.skip();
		// A device node of our own with /dev/null's numbers, so a failure cannot harm the real one.
		execFileSync('mknod', [file('null'), 'c', '1', '3']);
		fs.symlinkSync('null', file('null-link'));
		await writeFileAtomically(file('null'), 'discarded\n');
		await writeFileAtomically(file('null-link'), 'discarded too\n');
		assert.ok(fs.lstatSync(file('null')).isCharacterDevice(), 'still a character device');
		assert.equal(fs.readFileSync(file('null'), 'utf8'), '');
		assert.deepEqual(fs.readdirSync(dir).sort(), ['null', 'null-link']);
	});

	it('refuses a folder in place of the file, naming it', async () => {
		fs.mkdirSync(file('out.csv'));
		await assert.rejects(
			writeFileAtomically(file('out.csv'), 'x'),
			(error: Error & { code?: string }) => error.code === 'write-failed' && /Could not write ".*out\.csv"/.test(error.message),
		);
		assert.ok(fs.statSync(file('out.csv')).isDirectory());
	});
});
