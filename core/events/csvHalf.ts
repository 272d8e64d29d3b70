/**
 * The second half of a large CSV file, loaded on a worker thread while the calling thread loads
 * the first (see parallelCsv.ts). The half is read exactly as the whole file would be, by the
 * same reader, mapping and sink; only a clean half is kept: at the first bad row, undecodable
 * byte or any other problem the worker gives up and the calling thread reads the half itself,
 * so every bad row is reported by the one sequential path, with its true row and line.
 */
import fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { readCsv } from './csv';
import type { MappingOptions } from './mapping';
import { EventSink, type SinkPart } from './sink';
import { utf8Text } from './text';

/** What the worker is asked to load. */
export interface CsvHalfJob {
	readonly path: string;
	/** Byte offset of the half's first record (just after a line break). */
	readonly start: number;
	readonly header: readonly string[];
	readonly delimiter: string;
	readonly mapping: MappingOptions;
	/** How many records the half is expected to hold (from its size), for the table builder to make room at once. */
	readonly expectRows: number;
}

/** Thrown inside the worker when the half cannot be kept as it is. */
class NotClean extends Error {}

/** The half's UTF-8 text; any U+FFFD (an invalid byte, or a real one) makes the half not clean. */
async function* halfText(file: string, start: number): AsyncGenerator<string> {
	const decoder = new StringDecoder('utf8');
	for await (const chunk of fs.createReadStream(file, { start, highWaterMark: 1 << 20 })) {
		const text = utf8Text(decoder, chunk as Buffer);
		if (text.includes('\uFFFD')) throw new NotClean();
		if (text) yield text;
	}
	const rest = decoder.end();
	if (rest.includes('\uFFFD')) throw new NotClean();
	if (rest) yield rest;
}

/** The half's events, or undefined when it has a bad row or cannot be read. */
export async function loadCsvHalf(job: CsvHalfJob): Promise<SinkPart | undefined> {
	// Under `fail`, the sink throws at the first bad row: that is the signal to give up.
	const sink = new EventSink(job.mapping, 'fail', 0, job.path);
	sink.expectRows(job.expectRows);
	sink.useShape({ kind: 'columns', header: job.header });
	try {
		await readCsv(
			halfText(job.path, job.start),
			{
				header: () => undefined,
				record: (fields, line) => sink.accept(fields, line),
				bad: () => {
					throw new NotClean();
				},
				chunkDone: () => undefined,
			},
			job.delimiter,
			job.path,
			undefined,
			job.header,
		);
	} catch {
		return undefined;
	}
	return sink.part();
}
