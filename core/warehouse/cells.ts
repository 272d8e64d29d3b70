/**
 * Rows of an answer read by position, with no object per row. The feature query answers a few
 * hundred numbers per profile; a plain object per row keyed by column name (JSONEachRow, with
 * ClickHouse's 64-bit integers quoted as text) cost 18 µs a row at 200 columns, more than the
 * rest of the work in process. ClickHouse's rows arrive as TabSeparated bytes and are decoded
 * here in one pass, whole numbers on the way; PostgreSQL's arrive as pg's arrays.
 *
 * The values are those of the object rows exactly: a number is what `Number` reads from the
 * server's text (ClickHouse writes the same digits in JSON and TabSeparated), NULL is NaN, and
 * anything else where a number is expected is an InputError naming the row and the column.
 */
import { InputError } from '../errors';

/** One row of an answer; column i is the i-th of the SELECT list. */
export interface RowCells {
	/** The row's number in the answer, from 1. */
	readonly row: number;
	/** Column i as a number; NaN for NULL. Throws an InputError naming the row and column when it is not a number. */
	number(i: number): number;
	/** Column i as text; null for NULL. */
	text(i: number): string | null;
}

/** The server's own error, met in an answer after rows were sent (ClickHouse writes it where a row should be). */
export class ServerStoppedError extends Error {
	constructor(text: string) {
		super(`the server stopped part-way through the result: ${text}`);
		this.name = 'ServerStoppedError';
	}
}

/** What a malformed value is reported with: the answer's `where` (e.g. "at the cutoff …") and the column's name. */
function notANumber(raw: string, name: string, row: number, where: string): InputError {
	return new InputError(
		`The warehouse returned ${JSON.stringify(raw.slice(0, 200))} for ${name} in row ${row} of the answer ${where}, where a number was expected.`,
		'warehouse-result',
	);
}

/** A number from a server's text: `Number` where it reads one, ClickHouse's inf and nan, else undefined. */
function numberFromText(text: string): number | undefined {
	const x = Number(text);
	if (!Number.isNaN(x)) return text.trim() === '' ? undefined : x;
	switch (text) {
		case 'inf':
		case '+inf':
			return Infinity;
		case '-inf':
			return -Infinity;
		case 'nan':
		case '-nan':
		case 'NaN':
			return NaN;
		default:
			return undefined;
	}
}

/** A value as the object rows held it (a number, text, or null) read as a number: what numberOf reads. */
export function numberOfValue(raw: unknown, name: string, row: number, where: string): number {
	if (raw === null || raw === undefined) return NaN;
	if (typeof raw === 'number') return raw;
	const x = typeof raw === 'string' ? numberFromText(raw) : undefined;
	if (x === undefined) throw notANumber(typeof raw === 'string' ? raw : JSON.stringify(raw), name, row, where);
	return x;
}

/** Rows held as arrays of values in SELECT order (pg's `rowMode: 'array'`, or an object row's values). */
export class ArrayCells implements RowCells {
	row = 0;
	values: readonly unknown[] = [];

	constructor(
		private readonly names: readonly string[],
		private readonly where: string,
	) {}

	number(i: number): number {
		return numberOfValue(this.values[i], this.names[i] ?? `column ${i + 1}`, this.row, this.where);
	}

	text(i: number): string | null {
		const raw = this.values[i];
		return raw === null || raw === undefined ? null : String(raw);
	}
}

const TAB = 0x09;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** Digits a whole number may have and still be summed exactly digit by digit in a double (below 2^53). */
const exactDigits = 15;

/** What the one pass learnt of a field. */
const enum Field {
	/** At most 15 digits, with an optional minus: its value is in `wholes`. */
	Whole = 0,
	/** Anything else (a fraction, an exponent, inf, text, NULL): read from its bytes when asked. */
	Other = 1,
}

/** ClickHouse's escapes in TabSeparated text, after a backslash. */
const escapes: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', '0': '\0', a: '\x07', v: '\v', e: '\x1b' };

/** A TabSeparated field's text, its escapes undone: `\N` alone is NULL. */
function unescapeTsv(bytes: Buffer): string | null {
	if (bytes.length === 2 && bytes[0] === BACKSLASH && bytes[1] === 0x4e) return null;
	if (!bytes.includes(BACKSLASH)) return bytes.toString('utf8');
	const out: number[] = [];
	for (let i = 0; i < bytes.length; i++) {
		const c = bytes[i];
		if (c !== BACKSLASH || i + 1 === bytes.length) {
			out.push(c);
			continue;
		}
		const next = String.fromCharCode(bytes[++i]);
		if (next === 'x' && i + 2 < bytes.length && /^[0-9A-Fa-f]{2}$/.test(bytes.toString('latin1', i + 1, i + 3))) {
			out.push(parseInt(bytes.toString('latin1', i + 1, i + 3), 16));
			i += 2;
		} else out.push(escapes[next]?.charCodeAt(0) ?? bytes[i]);
	}
	return Buffer.from(out).toString('utf8');
}

/**
 * Decodes a TabSeparatedWithNames answer as its bytes arrive: the first line names the columns,
 * then one line per row, fields split by tabs. Each complete line is handed over as RowCells
 * (this object, valid until the callback returns); a line cut by the end of a chunk waits for
 * the next. Whole numbers are summed from their digits in the same pass that finds the tabs.
 */
export class TsvRowDecoder implements RowCells {
	row = 0;
	private names: string[] | undefined;
	private width = 0;
	private starts = new Int32Array(0);
	private ends = new Int32Array(0);
	private kinds = new Uint8Array(0);
	private wholes = new Float64Array(0);
	private bytes: Buffer = Buffer.alloc(0);
	private rest: Buffer | undefined;

	constructor(
		private readonly onRow: (cells: RowCells) => void,
		private readonly where: string,
	) {}

	/**
	 * Decodes the complete lines of `chunk` (after what was held back), holding back a cut last
	 * line. Only the cut line is joined to the start of the next chunk: joining whole chunks
	 * copied every byte of the answer once more.
	 */
	push(chunk: Buffer): void {
		let bytes = chunk;
		if (this.rest) {
			const newline = chunk.indexOf(NEWLINE);
			if (newline < 0) {
				this.rest = Buffer.concat([this.rest, chunk]);
				return;
			}
			const cut = this.rest;
			this.rest = undefined;
			this.decodeLines(Buffer.concat([cut, chunk.subarray(0, newline + 1)]));
			bytes = chunk.subarray(newline + 1);
		}
		this.decodeLines(bytes);
	}

	/** Decodes the complete lines of `bytes`, holding back a cut last line. */
	private decodeLines(bytes: Buffer): void {
		let line = 0;
		for (;;) {
			const next = this.names ? this.decodeRow(bytes, line) : this.readNames(bytes, line);
			if (next < 0) break;
			line = next;
		}
		if (line < bytes.length) this.rest = Buffer.from(bytes.subarray(line));
	}

	/** The answer is complete: a last line without its newline means it was cut off. */
	end(): void {
		if (this.rest === undefined || this.rest.length === 0) return;
		throw this.brokenLine(this.rest, 'the answer ended part-way through a row');
	}

	number(i: number): number {
		if (this.kinds[i] === Field.Whole) return this.wholes[i];
		const raw = this.bytes.toString('latin1', this.starts[i], this.ends[i]);
		if (raw === '\\N') return NaN;
		const x = numberFromText(raw);
		if (x === undefined) throw notANumber(this.text(i) ?? raw, this.columnName(i), this.row, this.where);
		return x;
	}

	text(i: number): string | null {
		const { bytes } = this;
		const start = this.starts[i];
		const end = this.ends[i];
		// Most text (a profile id) has no escape: read straight from the bytes, with no view of them made.
		for (let at = start; at < end; at++) if (bytes[at] === BACKSLASH) return unescapeTsv(bytes.subarray(start, end));
		return bytes.toString('utf8', start, end);
	}

	private columnName(i: number): string {
		return this.names?.[i] ?? `column ${i + 1}`;
	}

	/** The header line: the column names. Returns where the next line starts, or -1 when it is not complete yet. */
	private readNames(bytes: Buffer, from: number): number {
		const newline = bytes.indexOf(NEWLINE, from);
		if (newline < 0) return -1;
		const header = bytes.subarray(from, newline);
		if (/^Code: \d+/.test(header.toString('latin1', 0, 20))) throw this.brokenLine(header, '');
		this.names = header.toString('utf8').split('\t');
		this.width = this.names.length;
		this.starts = new Int32Array(this.width);
		this.ends = new Int32Array(this.width);
		this.kinds = new Uint8Array(this.width);
		this.wholes = new Float64Array(this.width);
		return newline + 1;
	}

	/**
	 * One row from `from`: finds each field's end, summing digits as it goes, then hands the row
	 * over. Returns where the next line starts, or -1 when the line is not complete in `bytes`.
	 */
	private decodeRow(bytes: Buffer, from: number): number {
		const { starts, ends, kinds, wholes, width } = this;
		const length = bytes.length;
		let column = 0;
		let start = from;
		let whole = 0;
		let negative = false;
		let plain = true;
		for (let at = from; at < length; at++) {
			const c = bytes[at];
			if (c >= ZERO && c <= NINE) {
				whole = whole * 10 + (c - ZERO);
				continue;
			}
			if (c !== TAB && c !== NEWLINE) {
				if (c === MINUS && at === start && !negative) negative = true;
				else plain = false;
				continue;
			}
			if (column === width) throw this.brokenLine(bytes.subarray(from, bytes.indexOf(NEWLINE, at)), `it has more than ${width} columns`);
			const digits = at - start - (negative ? 1 : 0);
			starts[column] = start;
			ends[column] = at;
			if (plain && digits > 0 && digits <= exactDigits) {
				kinds[column] = Field.Whole;
				// Minus zero stays minus zero, as Number('-0') reads it.
				wholes[column] = negative ? -whole : whole;
			} else kinds[column] = Field.Other;
			column++;
			if (c === NEWLINE) {
				if (column !== width) throw this.brokenLine(bytes.subarray(from, at), `it has ${column} columns, not ${width}`);
				this.bytes = bytes;
				this.row++;
				this.onRow(this);
				return at + 1;
			}
			start = at + 1;
			whole = 0;
			negative = false;
			plain = true;
		}
		return -1;
	}

	/** A line that is not a row: the server's own error (met after rows were sent), or a malformed answer. */
	private brokenLine(line: Buffer, why: string): Error {
		const text = line.toString('utf8').trim().slice(0, 2000);
		if (/^Code: \d+/.test(text)) return new ServerStoppedError(text);
		return new InputError(
			`The warehouse answered a line that is not a row of ${this.width} columns (${why}) after row ${this.row} ${this.where}: ${JSON.stringify(text.slice(0, 200))}.`,
			'warehouse-result',
		);
	}
}

/** ClickHouse's escapes for text written as TabSeparated, the inverse of unescapeTsv. */
const tsvEscapes: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\b': '\\b', '\f': '\\f', '\0': '\\0', "'": "\\'" };

/** One value as a TabSeparated field: NULL as \N, numbers in the digits `String` writes (they read back exactly), text escaped. */
export function tsvField(value: unknown): string {
	if (value === null || value === undefined) return '\\N';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
	return String(value).replace(/[\\\t\n\r\b\f\0']/g, (c) => tsvEscapes[c]);
}

/** Lines of TabSeparated text for `count` rows, in pieces of about 64 kB, built only as they are read. */
export function* tsvLines(count: number, rowAt: (r: number) => readonly unknown[]): Generator<string> {
	let piece = '';
	for (let r = 0; r < count; r++) {
		piece += `${rowAt(r).map(tsvField).join('\t')}\n`;
		if (piece.length >= 65_536) {
			yield piece;
			piece = '';
		}
	}
	if (piece !== '') yield piece;
}
