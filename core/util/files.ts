import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InputError } from '../errors';

/**
 * Writes `text` (one string, or chunks as they come) to `file`; gzip-compressed when the name
 * ends in .gz. A regular file (or a missing one) is replaced atomically: written to a temporary
 * file in the same folder, then renamed over it, so a reader never sees half a file. A symbolic
 * link is followed, and its target replaced the same way (the link stays). A device, FIFO or
 * socket (e.g. /dev/null, /dev/stdout) is written in place: renaming over it would replace the
 * device with a plain file. A failure leaves no temporary file and says what to check.
 */
export async function writeFileAtomically(file: string, text: string | Iterable<string> | AsyncIterable<string>): Promise<void> {
	const source = () => Readable.from(typeof text === 'string' ? [text] : text);
	const compress = /\.gz$/i.test(file);
	const send = (out: Writable) => (compress ? pipeline(source(), createGzip(), out) : pipeline(source(), out));
	let target: string;
	let special: boolean;
	try {
		({ target, special } = await resolveTarget(path.resolve(file)));
	} catch (error) {
		throw writeFailed(file, error);
	}
	if (special) {
		try {
			await send(fs.createWriteStream(target, { flags: 'w' }));
			return;
		} catch (error) {
			throw writeFailed(file, error);
		}
	}
	const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		await send(fs.createWriteStream(temp, { flags: 'wx' }));
		await fs.promises.rename(temp, target);
	} catch (error) {
		await fs.promises.rm(temp, { force: true });
		throw writeFailed(file, error);
	}
}

/** Where writing `file` really goes (symbolic links followed), and whether that is a special file written in place. */
async function resolveTarget(file: string): Promise<{ target: string; special: boolean }> {
	let target = file;
	for (let hops = 0; ; hops++) {
		let stats: fs.Stats;
		try {
			stats = await fs.promises.lstat(target);
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { target, special: false };
			throw error;
		}
		if (stats.isSymbolicLink()) {
			// 40 is Linux's own limit for links in a path; a loop says so rather than spinning.
			if (hops >= 40) throw Object.assign(new Error('too many levels of symbolic links'), { code: 'ELOOP' });
			target = path.resolve(path.dirname(target), await fs.promises.readlink(target));
			continue;
		}
		if (stats.isDirectory()) throw Object.assign(new Error('it is a folder'), { code: 'EISDIR' });
		return { target, special: !stats.isFile() };
	}
}

function writeFailed(file: string, error: unknown): InputError {
	if (error instanceof InputError) return error;
	return new InputError(`Could not write "${file}": ${(error as Error).message}. Check that its folder exists and is writable.`, 'write-failed');
}
