/**
 * Score files in, segment files out: reads what `propensity score` writes (CSV or NDJSON,
 * gzipped or not) back into scored profiles, and writes segment rows in the same columns,
 * so a segment's output can be read again as scores.
 *
 * CSV columns: profile_id, probability, score, percentile, bucket, propensity_type,
 * score_date (required); model_name, model_version (optional); factor_1 … factor_K (the
 * sentences), with optional factor_k_feature, factor_k_label, factor_k_value,
 * factor_k_impact, factor_k_importance; every other column is a profile attribute (an empty
 * cell is null). NDJSON lines are either ScoredProfile objects (camelCase, with `factors` and
 * `attributes`) or flat objects with the CSV's column names.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { InputError, throwIfCancelled } from '../errors';
import { detectDelimiter, readCsv } from '../events/csv';
import { readNdjson } from '../events/json';
import { openText } from '../events/text';
import type { Bucket, Factor, Importance, PropensityType, ScoredProfile } from '../score/types';
import type { WorkHooks } from '../util/progress';
import type { SegmentRow } from './build';
import { csvCellWriter, fromSpreadsheetSafe } from '../util/csv';
import { writeFileAtomically } from '../util/files';
import { modelColumns, scoreColumns } from '../score/files';

/** A profile read from a scores file: CSV files may carry factor sentences without the factors' details. */
export type ScoredFileProfile = ScoredProfile & { readonly factorSentences?: readonly string[] };

const factorColumn = /^factor_(\d+)(?:_(feature|label|value|impact|importance))?$/;
const buckets: readonly string[] = ['low', 'medium', 'high'];
const importances: readonly string[] = ['low', 'medium', 'high'];

type Cell = unknown;
type Fail = (column: string, problem: string) => never;

/** Every profile in a scores file, in file order; any unreadable row stops the read with its line, column and fix. */
export async function readScoresFile(file: string, hooks?: WorkHooks): Promise<ScoredFileProfile[]> {
	try {
		await fs.promises.access(file, fs.constants.R_OK);
	} catch {
		throw new InputError(
			`The scores file "${file}" cannot be read: it does not exist or is not readable. Check the path (it is what "propensity score --out" wrote).`,
			'file-not-found',
		);
	}
	const text = await openText({ path: file });
	const profiles: ScoredFileProfile[] = [];
	const chunkDone = () => throwIfCancelled(hooks?.signal, 'reading of scores');
	try {
		if (text.head.trimStart().startsWith('{')) {
			await readNdjson(
				text.chunks,
				{
					record: (value, line) => profiles.push(fromObject(value as Record<string, unknown>, failAt(file, line))),
					bad: (line, _raw, why) => failAt(file, line)('', `the line is not a scored profile: ${why}`),
					chunkDone,
				},
				file,
			);
		} else {
			let layout: CsvLayout | undefined;
			await readCsv(
				text.chunks,
				{
					// Cells written spreadsheet-safe ('=…) are read back as they were before.
					header: (columns) => (layout = csvLayout(columns.map(fromSpreadsheetSafe), file)),
					record: (fields, line) =>
						profiles.push(fromCells((column) => unguard(cellOf(fields, layout as CsvLayout, column)), layout as CsvLayout, failAt(file, line))),
					bad: (line, _raw, why) => failAt(file, line)('', `the row is not valid CSV: ${why}`),
					chunkDone,
				},
				detectDelimiter(text.head),
				`the scores file "${file}"`,
				`${scoreColumns.join(',')},… as "propensity score --out" writes them`,
			);
		}
	} finally {
		text.close();
	}
	return profiles;
}

function failAt(file: string, line: number): Fail {
	return (column, problem) => {
		throw new InputError(
			`Line ${line} of ${file}${column ? `, column "${column}"` : ''}: ${problem}. Fix that line, or score again with "propensity score".`,
			'bad-scores',
			{ file, line, column },
		);
	};
}

interface CsvLayout {
	readonly index: ReadonlyMap<string, number>;
	readonly factorCount: number;
	readonly attributes: readonly string[];
}

function csvLayout(columns: readonly string[], file: string): CsvLayout {
	const missing = scoreColumns.filter((column) => !columns.includes(column));
	if (missing.length > 0) {
		throw new InputError(
			`${file} lacks the column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: a scores file has ${scoreColumns.join(', ')} (as "propensity score" writes them).`,
			'bad-scores',
		);
	}
	let factorCount = 0;
	const attributes: string[] = [];
	for (const column of columns) {
		const factor = factorColumn.exec(column);
		if (factor) factorCount = Math.max(factorCount, Number(factor[1]));
		else if (column !== '' && !(scoreColumns as readonly string[]).includes(column) && !(modelColumns as readonly string[]).includes(column))
			attributes.push(column);
	}
	return { index: new Map(columns.map((column, i) => [column, i])), factorCount, attributes };
}

function unguard(cell: string | undefined): string | undefined {
	return cell === undefined ? undefined : fromSpreadsheetSafe(cell);
}

function cellOf(fields: readonly string[], layout: CsvLayout, column: string): string | undefined {
	const i = layout.index.get(column);
	return i === undefined ? undefined : fields[i];
}

/** A profile from named cells (a CSV row or a flat NDJSON object). */
function fromCells(cell: (column: string) => Cell, layout: CsvLayout, fail: Fail): ScoredFileProfile {
	const sentences: string[] = [];
	const factors: Factor[] = [];
	let complete = layout.factorCount > 0;
	for (let k = 1; k <= layout.factorCount; k++) {
		const sentence = text(cell(`factor_${k}`));
		if (sentence === '') continue;
		sentences.push(sentence);
		const feature = text(cell(`factor_${k}_feature`));
		const impact = cell(`factor_${k}_impact`);
		const importance = text(cell(`factor_${k}_importance`));
		if (feature === '' || impact === undefined || text(impact) === '' || importance === '') {
			complete = false;
			continue;
		}
		if (!importances.includes(importance)) fail(`factor_${k}_importance`, `"${importance}" is not an importance; use low, medium or high`);
		const label = text(cell(`factor_${k}_label`));
		const value = cell(`factor_${k}_value`);
		factors.push({
			feature,
			label: label === '' ? feature : label,
			value: value === undefined || value === null || text(value) === '' ? null : number(value, `factor_${k}_value`, fail, -Infinity, Infinity),
			impact: number(impact, `factor_${k}_impact`, fail, -Infinity, Infinity),
			importance: importance as Importance,
			sentence,
		});
	}
	const attributes: Record<string, string | number | null> = {};
	for (const name of layout.attributes) {
		const value = cell(name);
		attributes[name] = value === undefined || value === null || value === '' ? null : typeof value === 'number' ? value : text(value);
	}
	const version = cell('model_version');
	return {
		...core(cell, fail),
		model: {
			name: text(cell('model_name')),
			version:
				version === undefined || version === null || text(version) === '' ? null : number(version, 'model_version', fail, 1, Number.MAX_SAFE_INTEGER),
		},
		...(complete && factors.length === sentences.length ? { factors } : sentences.length > 0 ? { factorSentences: sentences } : {}),
		...(layout.attributes.length > 0 ? { attributes } : {}),
	};
}

/** The score fields every profile has, checked. */
function core(
	cell: (column: string) => Cell,
	fail: Fail,
): Pick<ScoredProfile, 'profileId' | 'probability' | 'score' | 'percentile' | 'bucket' | 'propensityType' | 'scoreDate'> {
	const profileId = text(cell('profile_id'));
	if (profileId === '') fail('profile_id', 'the profile id is empty');
	const bucket = text(cell('bucket'));
	if (!buckets.includes(bucket)) fail('bucket', `"${bucket}" is not a bucket; use low, medium or high`);
	const propensityType = text(cell('propensity_type'));
	if (propensityType !== 'conversion' && propensityType !== 'churn')
		fail('propensity_type', `"${propensityType}" is not a propensity type; use conversion or churn`);
	const scoreDate = text(cell('score_date'));
	if (!Number.isFinite(Date.parse(scoreDate))) fail('score_date', `"${scoreDate}" is not an ISO 8601 date`);
	return {
		profileId,
		probability: number(cell('probability'), 'probability', fail, 0, 1),
		score: number(cell('score'), 'score', fail, 0, 100),
		percentile: number(cell('percentile'), 'percentile', fail, 0, 100),
		bucket: bucket as Bucket,
		propensityType: propensityType as PropensityType,
		scoreDate,
	};
}

function text(value: Cell): string {
	return value === undefined || value === null ? '' : String(value);
}

function number(value: Cell, column: string, fail: Fail, min: number, max: number): number {
	const raw = text(value).trim();
	const parsed = typeof value === 'number' ? value : raw === '' ? Number.NaN : Number(raw);
	if (!Number.isFinite(parsed)) fail(column, `"${raw}" is not a number`);
	if (parsed < min || parsed > max) fail(column, `${parsed} is outside ${min} to ${max}`);
	return parsed;
}

const scalar = z.union([z.string(), z.number(), z.null()]);
const profileObjectSchema = z.object({
	profileId: z.string().min(1, 'the profile id is empty'),
	probability: z.number().min(0).max(1),
	score: z.number().min(0).max(100),
	percentile: z.number().min(0).max(100),
	bucket: z.enum(['low', 'medium', 'high']),
	propensityType: z.enum(['conversion', 'churn']),
	scoreDate: z.string().refine((value) => Number.isFinite(Date.parse(value)), 'not an ISO 8601 date'),
	model: z.object({ name: z.string(), version: z.number().int().nullable() }).optional(),
	factors: z
		.array(
			z.object({
				feature: z.string(),
				label: z.string(),
				value: z.number().nullable(),
				impact: z.number(),
				importance: z.enum(['low', 'medium', 'high']),
				sentence: z.string(),
			}),
		)
		.optional(),
	attributes: z.record(z.string(), scalar).optional(),
	features: z.record(z.string(), z.number().nullable()).optional(),
});
const objectKeys = new Set(Object.keys(profileObjectSchema.shape));

/** A profile from an NDJSON object: camelCase ScoredProfile, or flat with the CSV's column names. */
function fromObject(value: Record<string, unknown>, fail: Fail): ScoredFileProfile {
	if (!('profileId' in value)) {
		const columns = Object.keys(value);
		const missing = scoreColumns.filter((column) => !columns.includes(column));
		if (missing.length > 0)
			fail(
				'',
				`the object lacks ${missing.join(', ')}: a scored profile has profileId, probability, score, percentile, bucket, propensityType and scoreDate (or the CSV's column names)`,
			);
		const layout = csvLayout(columns, 'the line');
		return fromCells((column) => value[column], layout, fail);
	}
	const parsed = profileObjectSchema.safeParse(value);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		fail(issue.path.join('.'), issue.message);
	}
	// Scalars beside the known fields are attributes too, as in a flat file; anything else is refused rather than dropped.
	const extra: Record<string, string | number | null> = {};
	for (const [key, field] of Object.entries(value)) {
		if (objectKeys.has(key)) continue;
		if (field !== null && typeof field === 'object') fail(key, 'an unknown field that is not a single value; put profile attributes in "attributes"');
		extra[key] = typeof field === 'boolean' ? String(field) : (field as string | number | null);
	}
	const profile = parsed.data as z.infer<typeof profileObjectSchema>;
	const attributes = profile.attributes || Object.keys(extra).length > 0 ? { ...profile.attributes, ...extra } : undefined;
	return { ...profile, model: profile.model ?? { name: '', version: null }, ...(attributes ? { attributes } : {}) };
}

export interface SegmentFileOptions {
	/** CSV: write text cells starting with = + - @, tab or CR with a leading apostrophe, so spreadsheets never run them as formulas (readScoresFile undoes it). */
	readonly spreadsheetSafe?: boolean;
}

/** Writes segment rows as CSV (`.csv`) or NDJSON (`.ndjson`, `.jsonl`), each optionally `.gz`, whole or not at all. */
export async function writeSegmentFile(file: string, rows: readonly SegmentRow[], options: SegmentFileOptions = {}): Promise<void> {
	const name = file.replace(/\.gz$/i, '');
	const format = /\.csv$/i.test(name) ? 'csv' : /\.(ndjson|jsonl)$/i.test(name) ? 'ndjson' : undefined;
	if (!format)
		throw new InputError(`The output file "${file}" must end in .csv, .ndjson or .jsonl (optionally .gz), which says how to write it.`, 'bad-output');
	await writeFileAtomically(file, format === 'csv' ? csvLines(rows, csvCellWriter(options.spreadsheetSafe)) : ndjsonLines(rows));
}

function* ndjsonLines(rows: readonly SegmentRow[]): Generator<string> {
	for (const row of rows) yield `${JSON.stringify(row)}\n`;
}

function* csvLines(rows: readonly SegmentRow[], csvCell: (value: string | number | null | undefined) => string): Generator<string> {
	let factorCount = 0;
	const attributeNames = new Set<string>();
	for (const row of rows) {
		if (!('score' in row)) continue;
		factorCount = Math.max(factorCount, row.factors.length);
		for (const name of Object.keys(row.attributes)) attributeNames.add(name);
	}
	const taken = new Set<string>([...scoreColumns, ...modelColumns]);
	// An attribute named like a score column (or a factor column) is written as attr.<name>, so neither is lost.
	const attributeColumns = [...attributeNames].map((name) => (taken.has(name) || factorColumn.test(name) ? `attr.${name}` : name));
	const factorColumns = Array.from({ length: factorCount }, (_, k) => `factor_${k + 1}`);
	yield `${[...scoreColumns, ...factorColumns, ...attributeColumns].map(csvCell).join(',')}\n`;
	const names = [...attributeNames];
	for (const row of rows) {
		if (!('score' in row)) {
			yield `${[row.profileId, ...new Array<string>(scoreColumns.length - 1 + factorCount + names.length).fill('')].map(csvCell).join(',')}\n`;
			continue;
		}
		const cells: (string | number | null)[] = [row.profileId, row.probability, row.score, row.percentile, row.bucket, row.propensityType, row.scoreDate];
		for (let k = 0; k < factorCount; k++) cells.push(row.factors[k] ?? '');
		for (const name of names) cells.push(row.attributes[name] ?? null);
		yield `${cells.map(csvCell).join(',')}\n`;
	}
}
