/**
 * A profile table read straight from its bytes, for the common case: plain ASCII, no quotes,
 * numbers written as plain decimals. Cells are parsed where they lie in the chunk, with no text
 * decoded and no string per cell, which is several times faster than the text reader
 * (profileTable.ts over csv.ts) and makes no garbage.
 *
 * It is a shortcut, never a second set of rules: at the first thing it does not handle (a quote,
 * a byte outside ASCII, gzip, a cell that is not a plain number, a row of the wrong length, a
 * label other than 0 or 1, …) it gives up, and the table is read again by the text reader, which
 * accepts or rejects it with its own messages. Every number it reads is the one the text reader
 * reads (see plainDecimal), so a table reads the same either way, to the bit.
 */
import fs from 'node:fs';
import { detectDelimiter, maxRecordChars } from './csv';

/** How to read each column of the header, as the table's reader decided it. */
export interface ByteColumns {
	/** Per header position: true for a feature or the label, read as numbers. */
	readonly numeric: readonly boolean[];
	/** The header position of the 0/1 label, or -1. */
	readonly labelAt: number;
	/** The header position of the id column (kept as trimmed text), or -1. */
	readonly idAt: number;
}

/** What the byte reader hands its rows to: the table's reader. */
export interface ByteTableTarget {
	/** The header's column names, trimmed; throws as the text reader would for a header it refuses. */
	header(columns: string[]): ByteColumns;
	/**
	 * Every row, once all are read: per header position, its numbers (NaN when missing; `rows` of
	 * them, possibly followed by spare room) for a numeric column, else undefined; and the ids.
	 */
	rows(numbers: readonly (Float32Array | undefined)[], rows: number, ids: readonly string[]): void;
	/** Between chunks: progress and cancellation. */
	chunkDone(): void;
}

/** How often each reader read a table, for tests: the byte reader, and the text reader after the byte reader gave up. */
export const tableReadOutcomes = { bytes: 0, text: 0 };

const chunkBytes = 1 << 20;
const LF = 10;
const CR = 13;
const QUOTE = 34;
const float32Max = 3.4028234663852886e38;
/** Exact powers of ten: an integer below 2^53 divided by one of them is correctly rounded, as Number() rounds. */
const powersOfTen = Array.from({ length: 23 }, (_, k) => Number(`1e${k}`));

/**
 * Reads the table in `source` into `target`; true when done, false when the bytes need the text
 * reader (the target is then half-filled and must be thrown away).
 */
export async function readTableBytes(source: { path: string } | { data: Uint8Array }, target: ByteTableTarget): Promise<boolean> {
	const reader = new LineReader(target);
	let carry: Uint8Array | undefined;
	try {
		for await (const chunk of byteChunks(source)) {
			let start = 0;
			if (carry) {
				// The line cut at the last chunk's end, joined with its rest; the chunk itself is read in place.
				const rest = chunk.indexOf(LF) + 1;
				carry = concat(carry, rest === 0 ? chunk : chunk.subarray(0, rest));
				if (carry.length > maxRecordChars) return false;
				if (rest === 0) continue;
				if (!reader.lines(carry, 0, carry.length)) return false;
				carry = undefined;
				start = rest;
			}
			const end = Math.max(start, chunk.lastIndexOf(LF) + 1);
			if (end > start && !reader.lines(chunk, start, end)) return false;
			if (end < chunk.length) carry = chunk.slice(end);
			target.chunkDone();
		}
		if (carry && !reader.lines(carry, 0, carry.length)) return false;
		if (!reader.finished()) return false;
		reader.handOver();
	} catch {
		// A file that cannot be read, a header the table refuses, a cancel: the text reader meets it again and says so in its words.
		return false;
	}
	return true;
}

function byteChunks(source: { path: string } | { data: Uint8Array }): AsyncIterable<Uint8Array> | Iterable<Uint8Array> {
	if ('path' in source) return fs.createReadStream(source.path, { highWaterMark: chunkBytes });
	const data = source.data;
	return Array.from({ length: Math.ceil(data.length / chunkBytes) }, (_, i) => data.subarray(i * chunkBytes, (i + 1) * chunkBytes));
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
	const joined = new Uint8Array(a.length + b.length);
	joined.set(a);
	joined.set(b, a.length);
	return joined;
}

/** The bytes a..b as text: they are ASCII, so Latin-1 is the same text as UTF-8. */
function ascii(bytes: Uint8Array, from: number, to: number): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
}

/** Reads whole lines: the header first, then rows. */
class LineReader {
	private delimiter = -1;
	private width = 0;
	private columns: ByteColumns | undefined;
	private numeric = new Uint8Array(0);
	/** Per header position, the numbers read so far (numeric columns only); they grow by doubling. */
	private numbers: (Float32Array | undefined)[] = [];
	private count = 0;
	private capacity = 0;
	private readonly ids: string[] = [];
	/** Where the last cell parsed ended. */
	private at = 0;

	constructor(private readonly target: ByteTableTarget) {}

	/** Reads the lines in bytes[from, to); `to` is just past a line break, or the end of the data. False: the text reader must read it. */
	lines(bytes: Uint8Array, from: number, to: number): boolean {
		let pos = from;
		while (pos < to) {
			let end = bytes.indexOf(LF, pos);
			if (end === -1 || end > to) end = to;
			const stop = end > pos && bytes[end - 1] === CR ? end - 1 : end;
			if (!(this.columns ? this.row(bytes, pos, stop) : this.header(bytes, pos, stop))) return false;
			pos = end + 1;
		}
		return true;
	}

	finished(): boolean {
		return this.columns !== undefined;
	}

	handOver(): void {
		this.target.rows(this.numbers, this.count, this.ids);
	}

	/** Room for more rows in every numeric column. */
	private grow(): void {
		this.capacity = Math.max(1024, this.capacity * 2);
		this.numbers = this.numbers.map((old) => {
			if (!old) return undefined;
			const grown = new Float32Array(this.capacity);
			grown.set(old);
			return grown;
		});
	}

	/** The header: the first line, which must not be blank; its names split as the text reader splits them. */
	private header(bytes: Uint8Array, from: number, stop: number): boolean {
		for (let i = from; i < stop; i++) if (!plainByte(bytes[i]) && bytes[i] !== 9) return false;
		const line = ascii(bytes, from, stop);
		if (line.trim() === '') return false;
		const delimiter = detectDelimiter(line);
		const names = line.split(delimiter).map((name) => name.trim());
		// Repeated names are the text reader's error to give.
		if (new Set(names).size !== names.length) return false;
		const columns = this.target.header(names);
		if (columns.idAt >= 0 && columns.numeric[columns.idAt]) return false;
		this.delimiter = delimiter.charCodeAt(0);
		this.width = names.length;
		this.numeric = Uint8Array.from(columns.numeric, (n) => (n ? 1 : 0));
		this.numbers = columns.numeric.map((n) => (n ? new Float32Array(0) : undefined));
		this.columns = columns;
		return true;
	}

	/** One data line (without its line break); a blank line is skipped, as the text reader skips it. */
	private row(bytes: Uint8Array, from: number, stop: number): boolean {
		if (from === stop) return true;
		const { labelAt, idAt } = this.columns as ByteColumns;
		const delimiter = this.delimiter;
		if (this.count === this.capacity) this.grow();
		const row = this.count;
		let pos = from;
		for (let c = 0; ; c++) {
			if (c >= this.width) return false;
			if (this.numeric[c] === 1) {
				const value = this.number(bytes, pos, stop);
				if (value === undefined || (c === labelAt && value !== 0 && value !== 1)) return false;
				(this.numbers[c] as Float32Array)[row] = value;
			} else if (!this.skip(bytes, pos, stop, c === idAt)) return false;
			pos = this.at;
			if (pos === stop) {
				if (c + 1 !== this.width) return false;
				break;
			}
			if (bytes[pos] !== delimiter) return false;
			pos++;
		}
		this.count++;
		return true;
	}

	/** A numeric cell from `from` to the delimiter or `stop`: its number, or undefined when only the text reader may judge it. */
	private number(bytes: Uint8Array, from: number, stop: number): number | undefined {
		const delimiter = this.delimiter;
		let pos = from;
		let negative = false;
		let mantissa = 0;
		let digits = 0;
		let decimals = 0;
		let point = false;
		let other = false;
		if (bytes[pos] === 45 && pos < stop) {
			negative = true;
			pos++;
		}
		for (; pos < stop; pos++) {
			const b = bytes[pos];
			if (b >= 48 && b <= 57) {
				mantissa = mantissa * 10 + (b - 48);
				digits++;
				if (point) decimals++;
			} else if (b === 46 && !point) point = true;
			else if (b === delimiter) break;
			// Signs and exponent marks: Number() reads those cells, as the text reader does.
			else if (b === 43 || b === 45 || b === 101 || b === 69 || b === 46) other = true;
			else return undefined;
		}
		this.at = pos;
		if (pos === from) return NaN;
		if (other || digits > 15) {
			const value = Number(ascii(bytes, from, pos));
			return value === value && Math.abs(value) <= float32Max ? value : undefined;
		}
		if (digits === 0) return undefined;
		return plainDecimal(mantissa, decimals, negative);
	}

	/** A cell not read as a number: plain bytes up to the delimiter or `stop`; kept as the id when `keep`. */
	private skip(bytes: Uint8Array, from: number, stop: number, keep: boolean): boolean {
		const delimiter = this.delimiter;
		let pos = from;
		for (; pos < stop; pos++) {
			const b = bytes[pos];
			if (b === delimiter) break;
			if (!plainByte(b) && b !== 9) return false;
		}
		this.at = pos;
		if (keep) this.ids.push(ascii(bytes, from, pos).trim());
		return true;
	}
}

/** A byte the text reader reads as the same character, outside quotes: printable ASCII but the quote. */
function plainByte(b: number): boolean {
	return b >= 32 && b < 127 && b !== QUOTE;
}

/**
 * The number a plain decimal of at most 15 digits spells: the digits as an integer (exact, being
 * below 2^53) divided by an exact power of ten, a single correctly rounded operation, which is
 * what Number() gives for the same text (Clinger's fast path).
 */
export function plainDecimal(mantissa: number, decimals: number, negative: boolean): number {
	const value = decimals === 0 ? mantissa : mantissa / powersOfTen[decimals];
	return negative ? -value : value;
}
