/**
 * Writes scored profiles to a CSV or NDJSON file (gzipped when the name ends in .gz), streamed
 * batch by batch and moved into place only when complete. The columns are what
 * core/segment/files.ts reads back: profile_id, probability, score, percentile, bucket,
 * propensity_type, score_date, model_name, model_version, then per factor k: factor_k (the
 * sentence), factor_k_feature, factor_k_label, factor_k_value, factor_k_impact,
 * factor_k_importance, then one column per profile attribute.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { InputError } from '../errors';
import type { ScoredProfile } from './types';
import { csvCell } from '../util/csv';

export type ScoresFormat = 'csv' | 'ndjson';

/** The format a file name asks for: .csv, .ndjson or .jsonl (each optionally .gz). */
export function scoresFormatOf(file: string): ScoresFormat {
	const name = file.toLowerCase().replace(/\.gz$/, '');
	if (name.endsWith('.csv')) return 'csv';
	if (name.endsWith('.ndjson') || name.endsWith('.jsonl')) return 'ndjson';
	throw new InputError(`The scores file "${file}" needs a .csv, .ndjson or .jsonl name (optionally .gz) so its format is clear.`, 'bad-scores-file');
}

export interface ScoresLayout {
	/** Factors per profile written as columns (CSV). */
	readonly factors: number;
	readonly attributes: readonly string[];
}

/** Text lines of scored profiles in the given format; the CSV header comes first. */
export async function* scoreLines(batches: AsyncIterable<readonly ScoredProfile[]> | Iterable<readonly ScoredProfile[]>, format: ScoresFormat, layout: ScoresLayout): AsyncGenerator<string> {
	if (format === 'csv') yield `${csvHeader(layout).join(',')}\n`;
	for await (const batch of batches) {
		let text = '';
		for (const profile of batch) text += format === 'csv' ? `${csvRow(profile, layout).map(csvCell).join(',')}\n` : `${JSON.stringify(profile)}\n`;
		yield text;
	}
}

/** Streams the profiles into `file` (temp file + rename, so readers never see half a file). */
export async function writeScoresFile(file: string, batches: AsyncIterable<readonly ScoredProfile[]> | Iterable<readonly ScoredProfile[]>, layout: ScoresLayout): Promise<void> {
	const format = scoresFormatOf(file);
	const target = path.resolve(file);
	const temp = path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
	try {
		const source = Readable.from(scoreLines(batches, format, layout));
		const out = fs.createWriteStream(temp);
		await (file.toLowerCase().endsWith('.gz') ? pipeline(source, createGzip(), out) : pipeline(source, out));
		await fs.promises.rename(temp, target);
	} catch (error) {
		await fs.promises.rm(temp, { force: true });
		if (error instanceof InputError) throw error;
		throw new InputError(`Could not write the scores to "${file}": ${(error as Error).message}. Check that the folder exists and is writable.`, 'write-failed');
	}
}

function csvHeader(layout: ScoresLayout): string[] {
	const header = ['profile_id', 'probability', 'score', 'percentile', 'bucket', 'propensity_type', 'score_date', 'model_name', 'model_version'];
	for (let k = 1; k <= layout.factors; k++) {
		header.push(`factor_${k}`, `factor_${k}_feature`, `factor_${k}_label`, `factor_${k}_value`, `factor_${k}_impact`, `factor_${k}_importance`);
	}
	return header.concat(layout.attributes);
}

function csvRow(profile: ScoredProfile, layout: ScoresLayout): (string | number | null)[] {
	const row: (string | number | null)[] = [
		profile.profileId,
		profile.probability,
		profile.score,
		profile.percentile,
		profile.bucket,
		profile.propensityType,
		profile.scoreDate,
		profile.model.name,
		profile.model.version,
	];
	for (let k = 0; k < layout.factors; k++) {
		const factor = profile.factors?.[k];
		row.push(factor?.sentence ?? null, factor?.feature ?? null, factor?.label ?? null, factor?.value ?? null, factor?.impact ?? null, factor?.importance ?? null);
	}
	for (const name of layout.attributes) row.push(profile.attributes?.[name] ?? null);
	return row;
}
