/**
 * Streaming JSON readers: NDJSON line by line, and a JSON array element by element.
 *
 * For the array, a small scanner finds where each top-level element ends (tracking depth and
 * strings, jumping over string contents with indexOf) and JSON.parse reads the element. That
 * is several times faster than a token-event library such as stream-json, which builds every
 * value in JavaScript, and it holds one element at a time, never the whole array.
 */
import { InputError } from '../errors';

/** An NDJSON line or array element longer than this stops the load instead of filling memory. */
export const maxRecordChars = 64 * 1024 * 1024;

export interface JsonHandlers {
	/** One parsed record (an object). */
	record(value: object, line: number): void;
	/** A line or element that is not a JSON object. */
	bad(line: number, raw: string, why: string): void;
	/** Called between chunks, for progress and cancellation. */
	chunkDone(): Promise<void> | void;
}

function cut(text: string): string {
	return text.length > 400 ? text.slice(0, 400) : text;
}

/** Parses one line or element and hands it on; anything but an object is a bad record. */
function deliver(text: string, line: number, handlers: JsonHandlers): void {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch (error) {
		handlers.bad(line, cut(text), `it is not valid JSON (${(error as Error).message})`);
		return;
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		handlers.bad(line, cut(text), `it is JSON ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}, not an object`);
		return;
	}
	handlers.record(value, line);
}

function isBlank(text: string, start: number, end: number): boolean {
	for (let i = start; i < end; i++) {
		const code = text.charCodeAt(i);
		if (code !== 32 && code !== 9 && code !== 13) return false;
	}
	return true;
}

/** Reads NDJSON text chunks: one JSON object per line; blank lines are skipped. */
export async function readNdjson(chunks: AsyncIterable<string>, handlers: JsonHandlers, name: string): Promise<void> {
	let rest = '';
	let line = 0;
	const consume = (text: string, final: boolean): number => {
		let pos = 0;
		for (;;) {
			let end = text.indexOf('\n', pos);
			if (end === -1) {
				if (!final || pos >= text.length) return pos;
				end = text.length;
			}
			line++;
			const stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
			if (stop > pos && !(text.charCodeAt(pos) !== 123 && isBlank(text, pos, stop))) deliver(text.slice(pos, stop), line, handlers);
			pos = end + 1;
		}
	};
	for await (const chunk of chunks) {
		const text = rest === '' ? chunk : rest + chunk;
		const pos = consume(text, false);
		rest = pos >= text.length ? '' : text.slice(pos);
		if (rest.length > maxRecordChars) {
			throw new InputError(
				`Line ${line + 1} of ${name} is longer than ${maxRecordChars / 1048576} MiB. NDJSON has one event per line: is this a JSON array or another format?`,
				'bad-json',
			);
		}
		await handlers.chunkDone();
	}
	if (rest !== '') consume(rest, true);
}

type ArrayState = 'before' | 'inside' | 'after';

/**
 * Reads a JSON array of objects from text chunks, one element at a time. A malformed element
 * is a bad record; brackets that never balance, or text after the closing bracket, stop the
 * load because the elements that follow cannot be told apart.
 */
export async function readJsonArray(chunks: AsyncIterable<string>, handlers: JsonHandlers, name: string): Promise<void> {
	let state: ArrayState = 'before';
	let rest = '';
	let restLine = 1;
	// Scanner state inside the current element, kept across chunks.
	let depth = 0;
	let scanned = 0;
	let scanLine = 1;
	let elementLine = 1;

	const fail = (line: number, why: string): never => {
		throw new InputError(
			`${name} is not a readable JSON array: ${why} (line ${line}). Check the file, or save it as NDJSON (one event per line).`,
			'bad-json',
		);
	};

	/** Consumes what it can of `text`; returns the index of the first character kept for later. */
	const consume = (text: string, final: boolean): number => {
		let pos = 0;
		let line = restLine;
		const skipSpace = (): void => {
			while (pos < text.length) {
				const code = text.charCodeAt(pos);
				if (code === 10) line++;
				else if (code !== 32 && code !== 9 && code !== 13) break;
				pos++;
			}
		};
		for (;;) {
			if (state === 'before') {
				skipSpace();
				if (pos >= text.length) return pos;
				if (text.charCodeAt(pos) !== 91) fail(line, 'it does not start with "["');
				pos++;
				state = 'inside';
				scanned = pos;
				scanLine = line;
				elementLine = line;
				depth = 0;
				// An empty array.
				skipSpace();
				if (pos < text.length && text.charCodeAt(pos) === 93) {
					pos++;
					state = 'after';
				} else {
					scanned = pos;
					scanLine = line;
					elementLine = line;
				}
				continue;
			}
			if (state === 'after') {
				skipSpace();
				if (pos < text.length) fail(line, 'there is more text after the closing "]"');
				restLine = line;
				return pos;
			}
			// Inside: scan from where the last chunk stopped to the end of the current element.
			if (scanned === pos) {
				// Nothing of the element read yet: its first line is after any blank space.
				skipSpace();
				scanned = pos;
				scanLine = line;
				elementLine = line;
			}
			let i = scanned;
			let ended = -1;
			let closing = false;
			while (i < text.length) {
				const code = text.charCodeAt(i);
				if (code === 34) {
					let quote = text.indexOf('"', i + 1);
					while (quote !== -1) {
						let backslashes = 0;
						while (text.charCodeAt(quote - 1 - backslashes) === 92) backslashes++;
						if (backslashes % 2 === 0) break;
						quote = text.indexOf('"', quote + 1);
					}
					if (quote === -1) break;
					i = quote + 1;
					continue;
				}
				if (code === 123 || code === 91) depth++;
				else if (code === 125 || code === 93) {
					if (depth === 0) {
						if (code === 125) fail(scanLine, 'a "}" closes nothing');
						ended = i;
						closing = true;
						break;
					}
					depth--;
				} else if (code === 44 && depth === 0) {
					ended = i;
					break;
				} else if (code === 10) scanLine++;
				i++;
			}
			if (ended === -1) {
				scanned = i;
				if (final) fail(elementLine, 'the array is never closed with "]" (or an element\'s brackets do not balance)');
				restLine = line;
				return pos;
			}
			// A trailing comma leaves a blank last element, which JSON.parse rejects as it should.
			deliver(text.slice(pos, ended).trim(), elementLine, handlers);
			pos = ended + 1;
			line = scanLine;
			if (closing) {
				state = 'after';
				continue;
			}
			// The next element starts after the comma and any blank space.
			skipSpace();
			scanned = pos;
			scanLine = line;
			elementLine = line;
			depth = 0;
		}
	};
	for await (const chunk of chunks) {
		const text = rest === '' ? chunk : rest + chunk;
		const pos = consume(text, false);
		// The element in progress is kept; the scan position moves with it.
		rest = text.slice(pos);
		scanned -= pos;
		if (rest.length > maxRecordChars) fail(elementLine, `an element is longer than ${maxRecordChars / 1048576} MiB`);
		await handlers.chunkDone();
	}
	consume(rest, true);
	if (state === 'before') fail(restLine, 'it is empty');
}
