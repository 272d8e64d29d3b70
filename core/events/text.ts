/**
 * Bytes to text, a chunk at a time: files and buffers are read in 1 MiB pieces, gunzipped
 * when their first bytes are gzip's magic number (whatever the file is called), and decoded
 * as UTF-8. Nothing here holds more than a chunk, so a 2 GB file streams through.
 */
import { isAscii } from 'node:buffer';
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { TextDecoder } from 'node:util';
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
	/** The encoding read and what decoding met so far. */
	readonly decoding: Readonly<DecodeState>;
}

export interface TextOptions {
	/** The encoding of the bytes (default: UTF-8, or what a byte-order mark says). */
	readonly encoding?: TextEncoding;
	/** What the source is, for messages: "events file" (default), "scores file". */
	readonly what?: string;
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

/**
 * A pause in reading a file: its bytes up to `at` are read, then `resume` says whether to read
 * on. A parallel load reads the rest on another thread and stops here when that worked.
 */
export interface ReadPause {
	readonly at: number;
	resume(): Promise<boolean>;
}

/** Opens a file or a buffer as text chunks (UTF-8 unless told otherwise), gunzipping when the bytes are gzip. */
export async function openText(
	source: { path: string; pause?: ReadPause } | { data: Uint8Array; name: string },
	options: TextOptions = {},
): Promise<TextInput> {
	const name = 'path' in source ? source.path : source.name;
	const what = options.what ?? 'events file';
	const streams: fs.ReadStream[] = [];
	let bytes: AsyncIterator<Uint8Array>;
	if ('path' in source) {
		try {
			await fs.promises.access(source.path, fs.constants.R_OK);
		} catch {
			throw new InputError(`The ${what} "${source.path}" cannot be read: it does not exist or is not readable. Check the path.`, 'file-not-found');
		}
		bytes = fileChunks(source.path, source.pause, streams)[Symbol.asyncIterator]();
	} else {
		bytes = bufferChunks(source.data);
	}
	let first = await readBytes(bytes, name, what);
	// A gzip header needs two bytes; a first chunk of one byte is possible on pipes.
	if (first !== undefined && first.length < 2) {
		const more = await readBytes(bytes, name, what);
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
	const decoding: DecodeState = { encoding: options.encoding ?? 'utf-8', invalidBytes: false, crLineEnds: false };
	const text = decode(raw, decoding, options.encoding);
	const iterator = text[Symbol.asyncIterator]();
	const head = await iterator.next();
	const close = (): void => {
		for (const stream of streams) stream.destroy();
		gunzip?.destroy();
	};
	return { name, compressed, head: head.done ? '' : head.value, chunks: prepend(head.done ? undefined : head.value, iterator), close, decoding };
}

/** A file's bytes in chunks; with a pause, up to its offset, then on only if it says so. */
async function* fileChunks(file: string, pause: ReadPause | undefined, streams: fs.ReadStream[]): AsyncGenerator<Uint8Array> {
	const open = (start: number, end?: number): fs.ReadStream => {
		const stream = fs.createReadStream(file, { highWaterMark: chunkBytes, start, end });
		streams.push(stream);
		return stream;
	};
	if (!pause) {
		yield* open(0);
		return;
	}
	// `end` is inclusive.
	if (pause.at > 0) yield* open(0, pause.at - 1);
	if (await pause.resume()) yield* open(pause.at);
}

async function readBytes(bytes: AsyncIterator<Uint8Array>, name: string, what: string): Promise<Uint8Array | undefined> {
	try {
		const next = await bytes.next();
		return next.done ? undefined : next.value;
	} catch (error) {
		throw new InputError(`The ${what} "${name}" could not be read: ${(error as Error).message}.`, 'file-read');
	}
}

async function* gunzipped(gunzip: zlib.Gunzip, name: string): AsyncGenerator<Uint8Array> {
	try {
		for await (const chunk of gunzip) yield chunk as Buffer;
	} catch (error) {
		throw new InputError(
			`"${name}" starts like a gzip file but cannot be decompressed (${(error as Error).message}). It may be truncated or damaged: compress it again.`,
			'bad-gzip',
		);
	}
}

/** The text encodings a source may be declared in (`latin1` is read as windows-1252, as browsers do). */
export const textEncodings = ['utf-8', 'latin1', 'windows-1252', 'utf-16le', 'utf-16be'] as const;
export type TextEncoding = (typeof textEncodings)[number];

/** What decoding learned about the text, filled in as chunks are read. */
export interface DecodeState {
	/** The encoding read, after a byte-order mark or a UTF-16 pattern had its say. */
	encoding: TextEncoding;
	/** True once bytes that are not valid in the encoding were met (each became U+FFFD). */
	invalidBytes: boolean;
	/** True when lines end with a lone CR (classic Mac OS), which is read as a line break. */
	crLineEnds: boolean;
}

/** The encoding the first bytes announce: a byte-order mark, or UTF-16's zero bytes in ASCII text. */
function sniffEncoding(first: Uint8Array): TextEncoding | undefined {
	if (first.length >= 2 && first[0] === 0xff && first[1] === 0xfe) return 'utf-16le';
	if (first.length >= 2 && first[0] === 0xfe && first[1] === 0xff) return 'utf-16be';
	// Without a mark: ASCII text in UTF-16 has a zero in every other byte, which no UTF-8 or Latin-1 text has.
	const n = Math.min(first.length & ~1, 512);
	if (n < 8) return undefined;
	let evenZeros = 0;
	let oddZeros = 0;
	for (let i = 0; i < n; i += 2) {
		if (first[i] === 0) evenZeros++;
		if (first[i + 1] === 0) oddZeros++;
	}
	const pairs = n / 2;
	if (oddZeros >= pairs * 0.9 && evenZeros === 0) return 'utf-16le';
	if (evenZeros >= pairs * 0.9 && oddZeros === 0) return 'utf-16be';
	return undefined;
}

/** Occurrences of U+FFFD in text, and of its UTF-8 bytes (EF BF BD) in a chunk. */
function countReplacement(text: string): number {
	let count = 0;
	for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) count++;
	return count;
}

function countReplacementBytes(bytes: Uint8Array): number {
	let count = 0;
	for (let i = bytes.indexOf(0xef); i !== -1 && i + 2 < bytes.length; i = bytes.indexOf(0xef, i + 1))
		if (bytes[i + 1] === 0xbf && bytes[i + 2] === 0xbd) count++;
	return count;
}

/**
 * A chunk of UTF-8 bytes as text, `decoder` keeping a character cut at the chunk's end for the
 * next. A chunk of ASCII bytes only (nearly every chunk of an events file) is copied as Latin-1,
 * which is the same text for those bytes and about a hundred times faster than decoding it; any
 * bytes the decoder still held (a character cut short, so invalid) come first, as U+FFFD.
 */
export function utf8Text(decoder: StringDecoder, chunk: Uint8Array): string {
	const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
	if (!isAscii(bytes)) return decoder.write(bytes);
	const held = decoder.end();
	return held === '' ? bytes.toString('latin1') : held + bytes.toString('latin1');
}

/**
 * Text chunks in the declared encoding (UTF-8 by default); a byte-order mark wins over the
 * declaration and is dropped, and UTF-16 without a mark is recognised by its zero bytes.
 * Invalid bytes become U+FFFD as decoders do, and `state.invalidBytes` records that they were
 * met, so the loader can count the rows they spoil instead of loading them garbled. Lines
 * ending in a lone CR are read as lines. UTF-8 goes through StringDecoder (or Latin-1, see
 * utf8Text) rather than TextDecoder: both give V8's compact one-byte strings for ASCII text,
 * which JSON.parse and indexOf read about three times faster.
 */
async function* decode(bytes: AsyncIterable<Uint8Array>, state: DecodeState, declared: TextEncoding | undefined): AsyncGenerator<string> {
	let utf8: StringDecoder | undefined;
	let other: TextDecoder | undefined;
	let first = true;
	const cr = (text: string): string => (state.crLineEnds ? text.replace(/\r\n?/g, '\n') : text);
	for await (const chunk of bytes) {
		if (first) {
			state.encoding = sniffEncoding(chunk) ?? declared ?? 'utf-8';
			if (state.encoding === 'utf-8') utf8 = new StringDecoder('utf8');
			else other = new TextDecoder(state.encoding);
		}
		let text = utf8 ? utf8Text(utf8, chunk) : (other as TextDecoder).decode(chunk, { stream: true });
		if (text.length > 0 && first) {
			if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
			const newline = text.indexOf('\n');
			state.crLineEnds = newline === -1 && text.includes('\r');
			first = false;
		}
		if (!state.invalidBytes && text.includes('\uFFFD')) state.invalidBytes = !utf8 || countReplacement(text) > countReplacementBytes(chunk);
		if (text) yield cr(text);
	}
	const rest = utf8 ? utf8.end() : (other?.decode() ?? '');
	if (rest.includes('\uFFFD')) state.invalidBytes = true;
	if (rest) yield cr(rest);
}
