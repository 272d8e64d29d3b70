import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { InputError } from '../errors';

/**
 * Writes `text` (one string, or chunks as they come) to `file` through a temporary file in the
 * same folder and a rename, so a reader never sees half a file; gzip-compressed when the name
 * ends in .gz. A failure leaves no temporary file and says what to check.
 */
export async function writeFileAtomically(file: string, text: string | Iterable<string> | AsyncIterable<string>): Promise<void> {
	const target = path.resolve(file);
	const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		const source = Readable.from(typeof text === 'string' ? [text] : text);
		const out = fs.createWriteStream(temp, { flags: 'wx' });
		await (/\.gz$/i.test(file) ? pipeline(source, createGzip(), out) : pipeline(source, out));
		await fs.promises.rename(temp, target);
	} catch (error) {
		await fs.promises.rm(temp, { force: true });
		if (error instanceof InputError) throw error;
		throw new InputError(`Could not write "${file}": ${(error as Error).message}. Check that its folder exists and is writable.`, 'write-failed');
	}
}
