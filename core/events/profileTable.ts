/**
 * Profile tables: a CSV file with one row per profile, numeric feature columns, optionally a
 * 0/1 label and a profile id — the shape data teams already have. Read with the events
 * loader's streaming CSV reader (core/events/csv.ts; gzip and the delimiter are detected) into
 * a column-major Dataset. A table may also come as rows already parsed (n8n items, a Node-RED
 * msg.payload array of objects): their cells go through the same checks as a CSV's. Every bad
 * cell stops the read with its row and column: a table is never trained on or scored with rows
 * silently dropped.
 */
import fs from 'node:fs';
import { InputError, throwIfCancelled } from '../errors';
import { detectDelimiter, readCsv, type CsvHandlers } from './csv';
import { readTableBytes, tableReadOutcomes, type ByteTableTarget } from './tableBytes';
import { openText } from './text';
import type { WorkHooks } from '../util/progress';
import { throttledProgress } from '../util/progress';
import type { Dataset } from '../learn/dataset';
import { withThousands } from '../util/counts';

export { tableReadOutcomes };

export interface ProfileTableOptions {
	/** The 0/1 label column (required for training; when scoring, leave it out and it is ignored like any other extra column). */
	readonly label?: string;
	/** The profile id column, kept as text; without it rows are numbered from 1. */
	readonly id?: string;
	/** Columns that are neither features nor id nor label (e.g. an email address). */
	readonly ignore?: readonly string[];
	/** Read exactly these feature columns (scoring with a model); other columns are ignored. Default: every other column. */
	readonly features?: readonly string[];
	readonly hooks?: WorkHooks;
}

export interface ProfileTable {
	/** Features (and the label, when asked for) column by column; NaN = a missing value. */
	readonly data: Dataset;
	/** The profile ids in row order, or null when the table has no id column. */
	readonly ids: readonly string[] | null;
	readonly idColumn: string | null;
	readonly source: string;
}

/** Cells read as a missing value (compared lower-case): empty, NA, N/A, NaN, null. */
const missingCells = new Set(['', 'na', 'n/a', 'nan', 'null']);
const numberPattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const float32Max = 3.4028234663852886e38;

/**
 * A cell as a number: a decimal number, true / false as 1 / 0, or NaN for a missing cell;
 * undefined when it is none of these.
 */
export function parseCell(cell: string): number | undefined {
	// Most cells are plain decimals: read them without the trimmed and lower-cased copies.
	if (cell.length > 0 && decimalCharacters(cell)) {
		const value = Number(cell);
		// Only the characters of a decimal, and Number read them: then the pattern below matches too.
		if (value === value) return Math.abs(value) <= float32Max ? value : undefined;
	}
	const text = cell.trim();
	const lower = text.toLowerCase();
	if (missingCells.has(lower)) return NaN;
	if (lower === 'true') return 1;
	if (lower === 'false') return 0;
	if (!numberPattern.test(text)) return undefined;
	const value = Number(text);
	return Math.abs(value) <= float32Max ? value : undefined;
}

/** True when every character is a digit, a point, a sign or an exponent mark (e, E). */
function decimalCharacters(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		// 0-9, '.', '+', '-', 'e', 'E'
		if (!((c >= 48 && c <= 57) || c === 46 || c === 43 || c === 45 || c === 101 || c === 69)) return false;
	}
	return true;
}

/** A growing Float32Array (doubling), so a million-row table needs no per-row objects. */
class Column {
	values: Float32Array = new Float32Array(1024);
	length = 0;
	push(value: number): void {
		if (this.length === this.values.length) {
			const grown = new Float32Array(this.values.length * 2);
			grown.set(this.values);
			this.values = grown;
		}
		this.values[this.length++] = value;
	}
	finish(): Float32Array {
		return this.values.slice(0, this.length);
	}
	/** A column of the first `length` values already read into `values`. */
	static of(values: Float32Array, length: number): Column {
		const column = new Column();
		column.values = values;
		column.length = length;
		return column;
	}
}

/**
 * A profile table: a CSV (or gzip'd CSV) file on disk, its bytes with a name for messages, or its
 * rows as objects (one per profile, column name to cell: a number, true / false, a numeric
 * text, or null / empty for a missing value) with a name for messages.
 */
export type ProfileTableSource =
	{ readonly path: string } | { readonly data: Uint8Array; readonly name: string } | { readonly rows: readonly unknown[]; readonly name: string };

/** Reads a profile table from a CSV file, a buffer or rows of objects; InputError names the row and column of any bad cell. */
export async function readProfileTable(source: ProfileTableSource, options: ProfileTableOptions = {}): Promise<ProfileTable> {
	const name = 'path' in source ? source.path : source.name;
	if ('rows' in source) {
		const reader = tableReader(name, options, (row) => `Row ${row}`);
		await feedRows(source.rows, name, reader.handlers);
		return reader.finish();
	}
	if ('path' in source && !fs.existsSync(source.path)) {
		throw new InputError(`The table "${source.path}" does not exist. Check the path.`, 'file-not-found');
	}
	const place = (row: number, line: number): string => `Row ${row} (line ${line})`;
	// Most tables are plain numbers: read from the bytes; anything else (or a bad cell) is read as text, and judged there.
	const fast = tableReader(name, options, place);
	if (await readTableBytes(source, fast.bytes)) {
		tableReadOutcomes.bytes++;
		return fast.finish();
	}
	tableReadOutcomes.text++;
	return readProfileTableText(source, name, options, place);
}

/** Reads a CSV table as text (core/events/csv.ts): every table the byte reader leaves, with the messages for its faults. */
async function readProfileTableText(
	source: { path: string } | { data: Uint8Array; name: string },
	name: string,
	options: ProfileTableOptions,
	place: (row: number, line: number) => string,
): Promise<ProfileTable> {
	const input = await openText(source);
	const reader = tableReader(name, options, place);
	try {
		await readCsv(input.chunks, reader.handlers, detectDelimiter(input.head), name);
	} finally {
		input.close();
	}
	return reader.finish();
}

/** Rows handed over between progress reports and cancel checks, as a CSV chunk would be. */
const ROWS_PER_CHUNK = 8192;

/**
 * Feeds rows of objects to the table's handlers as a CSV would: the header is every key, in
 * the order first seen; each cell is written as the text a CSV would hold, so the checks (and
 * the float32 values, since a number's shortest text reads back as the same number) are the same.
 */
async function feedRows(rows: readonly unknown[], name: string, handlers: CsvHandlers): Promise<void> {
	if (!Array.isArray(rows)) throw new InputError(`The table ${name} must be an array of rows (objects), not ${typeof rows}.`, 'bad-table');
	const header: string[] = [];
	const seen = new Set<string>();
	rows.forEach((row, index) => {
		if (row === null || typeof row !== 'object' || Array.isArray(row)) {
			throw new InputError(
				`Row ${index + 1} of ${name} is ${row === null ? 'null' : Array.isArray(row) ? 'an array' : `a ${typeof row}`}, not an object: give one object per profile, column name to value.`,
				'bad-table',
				{ row: index + 1 },
			);
		}
		for (const key of Object.keys(row)) {
			if (!seen.has(key)) {
				seen.add(key);
				header.push(key);
			}
		}
	});
	if (header.length === 0) throw new InputError(`There are no rows in ${name}: give one object per profile, column name to value.`, 'empty-data');
	handlers.header(header.map((column) => column.trim()));
	const fields = new Array<string>(header.length);
	for (let r = 0; r < rows.length; r++) {
		const row = rows[r] as Record<string, unknown>;
		for (let c = 0; c < header.length; c++) fields[c] = cellText(row[header[c]]);
		handlers.record(fields, r + 1);
		if ((r + 1) % ROWS_PER_CHUNK === 0 || r === rows.length - 1) await handlers.chunkDone(0);
	}
}

/** A row's cell as the text a CSV would hold: missing as empty, objects as their JSON (which no number check accepts). */
function cellText(value: unknown): string {
	if (value === null || value === undefined) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number') return Number.isNaN(value) ? '' : String(value);
	if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	return JSON.stringify(value) ?? String(value);
}

/** The handlers that build a table from a header and records, and what they built. */
function tableReader(
	name: string,
	options: ProfileTableOptions,
	place: (row: number, line: number) => string,
): { handlers: CsvHandlers; bytes: ByteTableTarget; finish(): ProfileTable } {
	let featureNames: string[] = [];
	let featureAt: number[] = [];
	let labelAt = -1;
	let idAt = -1;
	let columns: Column[] = [];
	let labels = new Column();
	let ids: string[] = [];
	let rows = 0;
	let positives = 0;
	const report = throttledProgress(options.hooks);
	const handlers: CsvHandlers = {
		header(header) {
			const at = (column: string, what: string, fix: string): number => {
				const index = header.indexOf(column);
				if (index < 0)
					throw new InputError(
						`The table ${name} has no ${what} column "${column}" (its columns are ${listColumns(header)}). ${fix}`,
						'missing-column',
					);
				return index;
			};
			const empty = header.findIndex((column) => column === '');
			if (empty >= 0) throw new InputError(`Column ${empty + 1} of the table ${name} has no name in the header row. Name every column.`, 'bad-csv');
			if (options.label !== undefined)
				labelAt = at(options.label, 'label', 'Name the 0/1 outcome column (--label on the command line, Label Column in the nodes).');
			if (options.id !== undefined)
				idAt = at(options.id, 'id', 'Name the profile id column (--id, ID Column in the nodes), or leave it out to number the rows.');
			if (options.label !== undefined && options.label === options.id)
				throw new InputError(
					`The label and the id are the same column "${options.label}" in ${name}: the label must be the 0/1 outcome.`,
					'bad-options',
				);
			for (const column of options.ignore ?? []) at(column, 'ignored', 'Check the names given to --ignore (Ignore Columns in the nodes).');
			const reserved = new Set([options.label, options.id, ...(options.ignore ?? [])]);
			if (options.features) {
				featureNames = options.features.slice();
				const absent = featureNames.filter((column) => !header.includes(column));
				if (absent.length > 0) {
					throw new InputError(
						`The table ${name} lacks ${absent.length} feature column${absent.length > 1 ? 's' : ''} the model needs: ${absent.map((c) => `"${c}"`).join(', ')}. Give it the same feature columns as the training table.`,
						'missing-features',
						{ missing: absent },
					);
				}
			} else {
				featureNames = header.filter((column) => !reserved.has(column));
			}
			if (featureNames.length === 0)
				throw new InputError(
					`The table ${name} has no feature columns besides the label and id: add numeric columns describing each profile.`,
					'no-features',
				);
			featureAt = featureNames.map((column) => header.indexOf(column));
			columns = featureNames.map(() => new Column());
		},
		record(fields, line) {
			rows++;
			for (let f = 0; f < featureAt.length; f++) {
				const cell = fields[featureAt[f]];
				const value = parseCell(cell);
				if (value === undefined) {
					throw new InputError(
						`${place(rows, line)} of ${name}, column "${featureNames[f]}": "${clip(cell)}" is not a number. Feature columns must hold numbers (empty, NA or null for missing); ` +
							`fix the cell${options.features ? '' : ', or leave the column out with --ignore (Ignore Columns in the nodes)'}.`,
						'bad-cell',
						{ row: rows, line, column: featureNames[f], value: cell },
					);
				}
				columns[f].push(value);
			}
			if (labelAt >= 0) {
				const cell = fields[labelAt];
				const value = parseCell(cell);
				if (value !== 0 && value !== 1) {
					const what = value !== undefined && Number.isNaN(value) ? 'is empty' : `is "${clip(cell)}"`;
					throw new InputError(
						`${place(rows, line)} of ${name}: the label "${options.label}" ${what}; labels must be 1 (the outcome happened) or 0 (it did not).`,
						'bad-label',
						{ row: rows, line, column: options.label, value: cell },
					);
				}
				labels.push(value);
				positives += value;
			}
			if (idAt >= 0) ids.push(fields[idAt].trim());
		},
		bad(line, _raw, why) {
			throw new InputError(
				`Line ${line} of ${name} is not a valid row: ${why}. Fix the row (a quoted field may be missing its closing quote).`,
				'bad-csv',
				{ line },
			);
		},
		chunkDone() {
			throwIfCancelled(options.hooks?.signal, 'table read');
			report({ stage: 'reading table', done: rows, unit: 'rows' });
		},
	};
	// The byte reader parses the cells itself and hands over only rows it found valid (tableBytes.ts).
	const bytes: ByteTableTarget = {
		header(header) {
			handlers.header(header);
			return { numeric: header.map((_, at) => at === labelAt || featureAt.includes(at)), labelAt, idAt };
		},
		rows(numbers, count, read) {
			rows = count;
			const at = (position: number): Column => Column.of(numbers[position] as Float32Array, count);
			columns = featureAt.map(at);
			if (labelAt >= 0) {
				labels = at(labelAt);
				for (let r = 0; r < count; r++) positives += labels.values[r];
			}
			if (idAt >= 0) ids = read.slice();
		},
		chunkDone: () => void handlers.chunkDone(0),
	};
	return { handlers, bytes, finish };

	function finish(): ProfileTable {
		if (rows === 0) throw new InputError(`The table ${name} has a header but no rows.`, 'empty-data');
		if (labelAt >= 0 && (positives === 0 || positives === rows)) {
			throw new InputError(
				`The label column "${options.label}" of ${name} holds only ${positives === 0 ? '0s' : '1s'} (${withThousands(rows)} rows): a model needs rows where the outcome happened (1) and rows where it did not (0).`,
				'one-class',
			);
		}
		const data: Dataset = {
			rows,
			featureNames,
			columns: columns.map((column) => column.finish()),
			...(labelAt >= 0 ? { label: Uint8Array.from(labels.finish()) } : {}),
		};
		return { data, ids: idAt >= 0 ? ids : null, idColumn: idAt >= 0 ? (options.id as string) : null, source: name };
	}
}

function listColumns(header: readonly string[]): string {
	const shown = header
		.slice(0, 12)
		.map((c) => `"${c}"`)
		.join(', ');
	return header.length > 12 ? `${shown}, … (${header.length} in all)` : shown;
}

function clip(text: string): string {
	return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
