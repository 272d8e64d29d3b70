/**
 * Bytes to text, a chunk at a time: files and buffers are read in 1 MiB pieces, gunzipped
 * when their first bytes are gzip's magic number (whatever the file is called), and decoded
 * as UTF-8. Nothing here holds more than a chunk, so a 2 GB file streams through.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import zlib from 'node:zlib';
import { InputError } from '../errors';

const chunkBytes = 1 << 20;

/** Text chunks of a source, and what was learned while opening it. */
export interface TextInput {
	/** The file name, or `buffer`, for messages. */
	readonly name: string;
	readonly compressed: boolean;
	/** The first text chunk ('' when the input is empty), for format detection; `chunks` yields it again. */
	readonly head: string;
	readonly chunks: AsyncIterable<string>;
	/** Stops reading early (a failed load): closes the file. */
	close(): void;
}

async function* bufferChunks(data: Uint8Array): AsyncGenerator<Uint8Array> {
	for (let start = 0; start < data.length; start += chunkBytes) yield data.subarray(start, start + chunkBytes);
}

/** The chunks of `iterator`, after one that was already taken from it. */
async function* prepend<T>(first: T | undefined, iterator: AsyncIterator<T>): AsyncGenerator<T> {
	if (first !== undefined) yield first;
	for (;;) {
		const next = await iterator.next();
		if (next.done) return;
		yield next.value;
	}
}

function isGzip(bytes: Uint8Array | undefined): boolean {
	return bytes !== undefined && bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Opens a file or a buffer as UTF-8 text chunks, gunzipping when the bytes are gzip. */
export async function openText(source: { path: string } | { data: Uint8Array; name: string }): Promise<TextInput> {
	const name = 'path' in source ? source.path : source.name;
	let stream: fs.ReadStream | undefined;
	let bytes: AsyncIterator<Uint8Array>;
	if ('path' in source) {
		try {
			await fs.promises.access(source.path, fs.constants.R_OK);
		} catch {
			throw new InputError(`The events file "${source.path}" cannot be read: it does not exist or is not readable. Check the path.`, 'file-not-found');
		}
		stream = fs.createReadStream(source.path, { highWaterMark: chunkBytes });
		bytes = stream[Symbol.asyncIterator]();
	} else {
		bytes = bufferChunks(source.data);
	}
	let first = await readBytes(bytes, name);
	// A gzip header needs two bytes; a first chunk of one byte is possible on pipes.
	if (first !== undefined && first.length < 2) {
		const more = await readBytes(bytes, name);
		if (more !== undefined) first = Buffer.concat([first, more]);
	}
	const compressed = isGzip(first);
	let gunzip: zlib.Gunzip | undefined;
	let raw: AsyncIterable<Uint8Array> = prepend(first, bytes);
	if (compressed) {
		gunzip = zlib.createGunzip({ chunkSize: 256 * 1024 });
		const input = Readable.from(raw, { objectMode: false });
		input.on('error', (error) => gunzip?.destroy(error));
		input.pipe(gunzip);
		raw = gunzipped(gunzip, name);
	}
	const text = decode(raw, name);
	const iterator = text[Symbol.asyncIterator]();
	const head = await iterator.next();
	const close = (): void => {
		stream?.destroy();
		gunzip?.destroy();
	};
	return { name, compressed, head: head.done ? '' : head.value, chunks: prepend(head.done ? undefined : head.value, iterator), close };
}

async function readBytes(bytes: AsyncIterator<Uint8Array>, name: string): Promise<Uint8Array | undefined> {
	try {
		const next = await bytes.next();
		return next.done ? undefined : next.value;
	} catch (error) {
		throw new InputError(`The events file "${name}" could not be read: ${(error as Error).message}.`, 'file-read');
	}
}

async function* gunzipped(gunzip: zlib.Gunzip, name: string): AsyncGenerator<Uint8Array> {
	try {
		for await (const chunk of gunzip) yield chunk as Buffer;
	} catch (error) {
		throw new InputError(`"${name}" starts like a gzip file but cannot be decompressed (${(error as Error).message}). It may be truncated or damaged: compress it again.`, 'bad-gzip');
	}
}

/**
 * UTF-8 text chunks; a byte-order mark is dropped, UTF-16 is refused with a clear message.
 * StringDecoder rather than TextDecoder: it gives V8's compact one-byte strings for ASCII
 * text, which JSON.parse and indexOf read about three times faster.
 */
async function* decode(bytes: AsyncIterable<Uint8Array>, name: string): AsyncGenerator<string> {
	const decoder = new StringDecoder('utf8');
	let first = true;
	for await (const chunk of bytes) {
		let text = decoder.write(chunk as Buffer);
		if (first && text.length > 0) {
			if (chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
				throw new InputError(`"${name}" is UTF-16 text. Save it as UTF-8 (in Excel: "CSV UTF-8") and load it again.`, 'bad-encoding');
			}
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			first = false;
		}
		if (text) yield text;
	}
	const rest = decoder.end();
	if (rest) yield rest;
}
