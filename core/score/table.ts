/**
 * Scoring a profile table with a model trained on one: every row gets a probability, a score,
 * a percentile among the rows and a bucket. The id column defaults to the training table's
 * when this table has it; without one the rows are numbered from 1.
 */
import fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { InputError } from '../errors';
import { readProfileTable } from '../events/profileTable';
import type { Bucket } from '../explain/buckets';
import type { TableSource } from '../model/table';
import { predictProbability } from '../model/predict';
import type { Model } from '../model/schema';
import { csvCell } from '../util/csv';
import type { WorkHooks } from '../util/progress';
import { bucketOf, checkBoundaries, percentiles, scoreFromProbability } from './buckets';
import { type BucketBoundaries, defaultBuckets } from './types';

export interface TableScore {
	/** The row's id, or its number from 1 when the table has no id column. */
	readonly id: string;
	readonly probability: number;
	readonly score: number;
	readonly percentile: number;
	readonly bucket: Bucket;
}

export interface TableScores {
	/** The id column used, or null when rows were numbered. */
	readonly idColumn: string | null;
	readonly rows: readonly TableScore[];
	readonly buckets: Readonly<Record<Bucket, number>>;
}

/** Scores every row of a profile table with a table-mode model; InputError for an events-mode model. */
export async function scoreTable(
	source: TableSource,
	model: Model,
	options: { readonly id?: string; readonly boundaries?: BucketBoundaries } = {},
	hooks?: WorkHooks,
): Promise<TableScores> {
	if (model.features.mode !== 'table') {
		throw new InputError(
			`The model "${model.name}" was trained on events, not on a table: score it from events, with the same feature declarations.`,
			'wrong-mode',
		);
	}
	const trainedId = model.features.idColumn;
	const id = options.id ?? (trainedId !== null && (await hasColumn(source, trainedId)) ? trainedId : undefined);
	const read = await readProfileTable(source, { id, features: model.features.columns, hooks });
	const boundaries = options.boundaries ?? defaultBuckets;
	checkBoundaries(boundaries);
	const probability = predictProbability(model, read.data);
	const percentile = percentiles(probability);
	const buckets: Record<Bucket, number> = { low: 0, medium: 0, high: 0 };
	const rows: TableScore[] = [];
	for (let r = 0; r < read.data.rows; r++) {
		const score = scoreFromProbability(probability[r]);
		const bucket = bucketOf(score, boundaries);
		buckets[bucket]++;
		rows.push({ id: read.ids ? read.ids[r] : String(r + 1), probability: probability[r], score, percentile: percentile[r], bucket });
	}
	return { idColumn: read.idColumn, rows, buckets };
}

export interface TableScoreSummary {
	readonly model: { readonly name: string; readonly version: number | null };
	readonly scored: number;
	readonly idColumn: string | null;
	readonly buckets: Readonly<Record<Bucket, number>>;
}

/** A short summary of a table's scores for a node's output or a terminal. */
export function scoreTableSummary(scores: TableScores, model: Model, version: number | null = null): TableScoreSummary {
	return { model: { name: model.name, version }, scored: scores.rows.length, idColumn: scores.idColumn, buckets: scores.buckets };
}

/** The scores as CSV: the id column (or `row`), probability (6 decimals), score, percentile, bucket. */
export function tableScoresCsv(scores: TableScores): string {
	const lines = [`${csvCell(scores.idColumn ?? 'row')},probability,score,percentile,bucket`];
	for (const row of scores.rows) lines.push(`${csvCell(row.id)},${row.probability.toFixed(6)},${row.score},${row.percentile},${row.bucket}`);
	return `${lines.join('\n')}\n`;
}

/** Whether the table's header names `column` (read from the first line only; a gzip'd table is unpacked first when given as bytes). */
async function hasColumn(source: TableSource, column: string): Promise<boolean> {
	if ('rows' in source) return Array.isArray(source.rows) && source.rows.some((row) => row !== null && typeof row === 'object' && column in row);
	const head = await headOf(source);
	if (head === null) return true; // a gzip'd file: let the reader decide
	return head.split(/[,;\t|]/).some((cell) => cell.trim().replace(/^"|"$/g, '') === column);
}

async function headOf(source: Exclude<TableSource, { rows: readonly unknown[] }>): Promise<string | null> {
	let bytes: Uint8Array;
	if ('data' in source) {
		bytes = source.data.length >= 2 && source.data[0] === 0x1f && source.data[1] === 0x8b ? gunzipSync(source.data) : source.data;
	} else {
		if (!fs.existsSync(source.path)) return '';
		const handle = await fs.promises.open(source.path, 'r');
		try {
			const buffer = Buffer.alloc(64 * 1024);
			const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
			if (bytesRead >= 2 && buffer[0] === 0x1f && buffer[1] === 0x8b) return null;
			bytes = buffer.subarray(0, bytesRead);
		} finally {
			await handle.close();
		}
	}
	return Buffer.from(bytes.subarray(0, 64 * 1024))
		.toString('utf8')
		.split(/\r?\n/, 1)[0];
}
