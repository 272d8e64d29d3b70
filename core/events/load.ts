/**
 * loadEvents: any source of events (a file, a buffer, flow items, a PostgreSQL query) into
 * the columnar EventTable, with a report of what could not be read and a summary of what
 * was. Everything streams: records are mapped as they arrive and only the table is kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { InputError, throwIfCancelled } from '../errors';
import type { PgConnectionInput } from '../util/postgres';
import { throttledProgress, type WorkHooks } from '../util/progress';
import { detectDelimiter, readCsv } from './csv';
import { readJsonArray, readNdjson } from './json';
import { describeIssues, type MappingOptions, mappingOptionsShape } from './mapping';
import { CsvSplit } from './parallelCsv';
import { readPostgres } from './postgres';
import { type LoadReport, type LoadSummary, summarizeLoad } from './report';
import { EventSink, showRaw } from './sink';
import type { EventTable } from './table';
import { openText, textEncodings, type TextEncoding, type TextInput } from './text';
import { parseZone } from './time';

export type EventFormat = 'auto' | 'csv' | 'ndjson' | 'json';

export type EventSource =
	| { kind: 'file'; path: string; format?: EventFormat }
	| { kind: 'buffer'; data: Uint8Array; fileName?: string; format?: EventFormat }
	| { kind: 'rows'; rows: Iterable<unknown> | AsyncIterable<unknown> }
	| { kind: 'postgres'; connection: PgConnectionInput; query: string; params?: unknown[]; batchSize?: number };

export interface LoadOptions extends MappingOptions {
	/** `fail` (default): stop at the first bad row with an error naming it. `skip`: leave bad rows out and report them. */
	badRows?: 'fail' | 'skip';
	/** Drop events that repeat another's profile, time, type and value (counted in the report). Default false. */
	dropDuplicates?: boolean;
	/** Examples kept per bad-row reason (default 5). */
	maxExamples?: number;
	/** The text encoding of a file or buffer: utf-8 (default; a byte-order mark overrides it), latin1 / windows-1252, utf-16le, utf-16be. */
	encoding?: TextEncoding;
}

export interface LoadResult {
	table: EventTable;
	report: LoadReport;
	summary: LoadSummary;
}

export const loadOptionsSchema = z
	.object({
		...mappingOptionsShape,
		badRows: z.enum(['fail', 'skip']).optional(),
		dropDuplicates: z.boolean().optional(),
		maxExamples: z.number().int().min(0).max(1000).optional(),
		encoding: z.enum(textEncodings).optional(),
	})
	.strict();

/** Validated load options, or an InputError naming the bad option and the fix. */
export function parseLoadOptions(input: unknown): LoadOptions {
	const parsed = loadOptionsSchema.safeParse(input ?? {});
	if (!parsed.success) throw new InputError(`The load options are not valid: ${describeIssues(parsed.error, 'options')}.`, 'bad-options');
	return parsed.data;
}

/** The format of a text input: declared, else by extension (after .gz), else by the first character. */
export function detectFormat(declared: EventFormat | undefined, fileName: string | undefined, head: string): 'csv' | 'ndjson' | 'json' {
	if (declared && declared !== 'auto') return declared;
	const base = (fileName ?? '').toLowerCase().replace(/\.gz$/, '');
	const first = head.replace(/^[\s\uFEFF]+/, '').charAt(0);
	if (/\.(csv|tsv)$/.test(base)) return 'csv';
	if (/\.(ndjson|jsonl)$/.test(base)) return 'ndjson';
	if (first === '[') return 'json';
	if (first === '{') {
		const firstLine = head
			.replace(/^[\s\uFEFF]+/, '')
			.split('\n', 1)[0]
			.trim();
		if (firstLine === '{') {
			throw new InputError(
				`${fileName ?? 'The input'} looks like one pretty-printed JSON object. Give a JSON array of events ([{…}, {…}]) or NDJSON (one event per line).`,
				'bad-format',
			);
		}
		return 'ndjson';
	}
	if (/\.json$/.test(base)) return 'json';
	return 'csv';
}

const formats = ['auto', 'csv', 'ndjson', 'json'];

/**
 * Loads events from `source` into an EventTable, mapping records as `options` say.
 * Bad rows stop the load with an InputError (badRows 'fail', the default) or are counted and
 * reported (badRows 'skip'); nothing is dropped without being counted. Progress is reported as
 * records read, and the load stops with CancelledError when `hooks.signal` fires.
 */
export async function loadEvents(source: EventSource, options: LoadOptions = {}, hooks: WorkHooks = {}): Promise<LoadResult> {
	const settings = parseLoadOptions(options);
	const policy = settings.badRows ?? 'fail';
	const { badRows: _policy, dropDuplicates: _drop, maxExamples: _max, encoding, ...mapping } = settings;
	// A wrong zone is reported before any reading, even of an empty source.
	parseZone(mapping.timeZone);
	const progress = throttledProgress(hooks);
	throwIfCancelled(hooks.signal, 'event load');

	let sink: EventSink;
	let format: LoadReport['format'];
	let compressed = false;
	let sourceName: string;
	const tick = async (sinkNow: EventSink): Promise<void> => {
		throwIfCancelled(hooks.signal, 'event load');
		progress({ stage: 'loading events', done: sinkNow.received, unit: 'events' });
		// Lets an abort, a timer or another request run during a long in-memory load.
		await new Promise<void>((resolve) => setImmediate(resolve));
	};

	if (source.kind === 'file' || source.kind === 'buffer') {
		const declared = source.format;
		if (declared !== undefined && !formats.includes(declared)) {
			throw new InputError(`"${String(declared)}" is not an events format. Use auto, csv, ndjson or json.`, 'bad-options');
		}
		const fileName = source.kind === 'file' ? source.path : source.fileName;
		sourceName = source.kind === 'file' ? path.basename(source.path) : (source.fileName ?? 'the buffer');
		// A large UTF-8 file may be read by two threads (parallelCsv.ts); the split is dropped below if it cannot apply.
		const split = source.kind === 'file' && (encoding ?? 'utf-8') === 'utf-8' ? await CsvSplit.plan(source.path) : undefined;
		// Cancelling stops the worker at once, so the calling thread never waits on it (it stops at its next chunk).
		const stopWorker = (): void => split?.cancel();
		hooks.signal?.addEventListener('abort', stopWorker, { once: true });
		try {
			const input = await openText(source.kind === 'file' ? { path: source.path, pause: split?.pause } : { data: source.data, name: sourceName }, {
				encoding,
			});
			compressed = input.compressed;
			try {
				format = detectFormat(declared, fileName, input.head);
				sink = new EventSink(mapping, policy, settings.maxExamples ?? 5, sourceName);
				const decoding = input.decoding;
				if (split && (format !== 'csv' || compressed || decoding.encoding !== 'utf-8' || decoding.crLineEnds)) split.cancel();
				const bytes = compressed ? undefined : source.kind === 'buffer' ? source.data.byteLength : await fileSize(source.path);
				if (bytes !== undefined && format !== 'json') sink.expectRows(expectedLines(input.head, bytes));
				await readText(input, format, sink, tick, split);
			} finally {
				input.close();
			}
		} finally {
			hooks.signal?.removeEventListener('abort', stopWorker);
			split?.cancel();
		}
	} else if (source.kind === 'rows') {
		format = 'rows';
		sourceName = 'the rows';
		sink = new EventSink(mapping, policy, settings.maxExamples ?? 5, sourceName);
		await readRows(source.rows, sink, tick);
	} else if (source.kind === 'postgres') {
		format = 'postgres';
		sourceName = 'the query result';
		const rowSink = new EventSink(mapping, policy, settings.maxExamples ?? 5, sourceName);
		sink = rowSink;
		const batchSize = source.batchSize ?? 10000;
		if (!Number.isInteger(batchSize) || batchSize < 1)
			throw new InputError(`The batch size must be a whole number of rows of at least 1, not ${batchSize}.`, 'bad-options');
		sourceName = await readPostgres(
			source.connection,
			source.query,
			source.params,
			batchSize,
			{
				record: (row) => rowSink.accept(row),
				batchDone: () => tick(rowSink),
			},
			hooks.signal,
		);
	} else {
		throw new InputError(`"${String((source as { kind: unknown }).kind)}" is not an events source. Use file, buffer, rows or postgres.`, 'bad-source');
	}

	progress({ stage: 'loading events', done: sink.received, unit: 'events', note: 'sorting' }, true);
	const built = sink.finish(settings.dropDuplicates ?? false);
	const report: LoadReport = {
		source: sourceName,
		format,
		compressed,
		mapping: sink.resolved,
		badRows: policy,
		rowsRead: sink.rows,
		eventsLoaded: built.table.length,
		rejected: built.rejected,
		duplicatesDropped: built.duplicatesDropped,
		emptyAttributesDropped: built.emptyAttributesDropped,
	};
	return { table: built.table, report, summary: summarizeLoad(built.table, built.rejected, built.duplicatesDropped) };
}

/**
 * Reads a text source into the sink. Once the decoder has met bytes that are not valid in the
 * encoding, a record holding U+FFFD is a bad row (reason bad-encoding), not an event with a
 * garbled name: "M\uFFFDnchen" would become a category of its own.
 */
async function readText(
	input: TextInput,
	format: 'csv' | 'ndjson' | 'json',
	sink: EventSink,
	tick: (sink: EventSink) => Promise<void>,
	split?: CsvSplit,
): Promise<void> {
	let heldChars = 0;
	const chunkDone = (held = 0): Promise<void> => {
		heldChars = held;
		return tick(sink);
	};
	const garbled = (text: string): boolean => input.decoding.invalidBytes && text.includes('\uFFFD');
	const why = (): string => `it holds bytes that are not valid ${input.decoding.encoding.toUpperCase()} (they show as \uFFFD)`;
	if (format === 'csv') {
		const delimiter = /\.tsv(\.gz)?$/i.test(input.name) ? '\t' : detectDelimiter(input.head);
		if (split) {
			// The worker's events follow the first half only if that half ended at a record's end, with every byte valid.
			split.accept = (part) => {
				if (heldChars !== 0 || input.decoding.invalidBytes || !sink.canAbsorb(part)) return false;
				sink.absorb(part);
				return true;
			};
		}
		await readCsv(
			input.chunks,
			{
				header: (columns) => {
					if (columns.some(garbled)) {
						throw new InputError(
							`The header row of ${fileLabel(input.name)} holds bytes that are not valid ${input.decoding.encoding.toUpperCase()} (${columns.filter(garbled).join(', ')}). ${encodingFix}`,
							'bad-encoding',
						);
					}
					sink.useShape({ kind: 'columns', header: columns });
					split?.start({ header: columns, delimiter, mapping: sink.mapping, expectRows: expectedLines(input.head, split.size - split.at) });
				},
				record: (fields, line) => {
					if (input.decoding.invalidBytes && fields.some(garbled)) sink.badEncoding(line, fields.join(delimiter), why());
					else sink.accept(fields, line);
				},
				bad: (line, raw, why) => sink.unparsable(line, raw, why),
				chunkDone,
			},
			delimiter,
			fileLabel(input.name),
		);
		return;
	}
	const handlers = {
		record: (value: object, line: number) => {
			const raw = input.decoding.invalidBytes ? showRaw(value) : '';
			if (garbled(raw)) sink.badEncoding(line, raw, why());
			else sink.accept(value, line);
		},
		bad: (line: number, raw: string, why: string) => sink.unparsable(line, raw, why),
		chunkDone,
	};
	if (format === 'ndjson') await readNdjson(input.chunks, handlers, fileLabel(input.name));
	else await readJsonArray(input.chunks, handlers, fileLabel(input.name));
}

/** A regular file's size in bytes, or undefined (a pipe, a device, a file that went away). */
async function fileSize(file: string): Promise<number | undefined> {
	try {
		const stats = await fs.promises.stat(file);
		return stats.isFile() ? stats.size : undefined;
	} catch {
		return undefined;
	}
}

/**
 * About how many lines `bytes` of text hold, at the rate of its first chunk `head` (exact when
 * the head is the whole text): the loader makes room for that many events at once.
 */
export function expectedLines(head: string, bytes: number): number {
	if (head.length === 0) return 0;
	let lines = 0;
	for (let at = head.indexOf('\n'); at !== -1; at = head.indexOf('\n', at + 1)) lines++;
	if (head.length >= bytes) return lines + 1;
	// A little over the rate, so an estimate a shade low does not double the columns for the last few rows.
	return Math.ceil(((lines + 1) / head.length) * bytes * 1.02);
}

const encodingFix =
	"Give the file's encoding (CLI: --encoding latin1, windows-1252, utf-16le or utf-16be; in the nodes: the Encoding option), or save it as UTF-8.";

/** A file as messages name it: its path as given, quoted, so "/dev/null" is not read as the word null. */
function fileLabel(name: string): string {
	return name === 'buffer' || name === 'the buffer' ? 'the buffer' : `"${name}"`;
}

/** In-memory rows (flow items): each must be an object. */
async function readRows(rows: Iterable<unknown> | AsyncIterable<unknown>, sink: EventSink, tick: (sink: EventSink) => Promise<void>): Promise<void> {
	if (rows === null || typeof rows !== 'object' || (!(Symbol.iterator in rows) && !(Symbol.asyncIterator in rows))) {
		throw new InputError('The rows to load must be a list (an array or another iterable) of objects.', 'bad-source');
	}
	let sinceTick = 0;
	const one = (row: unknown): void => {
		if (typeof row === 'object' && row !== null && !Array.isArray(row)) sink.accept(row);
		else sink.unparsable(undefined, showRaw(row), `it is ${Array.isArray(row) ? 'an array' : row === null ? 'null' : typeof row}, not an object`);
	};
	if (Symbol.asyncIterator in rows) {
		for await (const row of rows as AsyncIterable<unknown>) {
			one(row);
			if (++sinceTick === 16384) {
				sinceTick = 0;
				await tick(sink);
			}
		}
	} else {
		for (const row of rows as Iterable<unknown>) {
			one(row);
			if (++sinceTick === 16384) {
				sinceTick = 0;
				await tick(sink);
			}
		}
	}
}
