/**
 * Writes scored profiles to a CSV or NDJSON file (gzipped when the name ends in .gz), streamed
 * batch by batch and moved into place only when complete. The columns are what
 * core/segment/files.ts reads back: profile_id, probability, score, percentile, bucket,
 * propensity_type, score_date, model_name, model_version, then per factor k: factor_k (the
 * sentence), factor_k_feature, factor_k_label, factor_k_value, factor_k_impact,
 * factor_k_importance, then one column per profile attribute.
 */
import { InputError } from '../errors';
import type { ScoredProfile } from './types';
import { csvCellWriter } from '../util/csv';
import { writeFileAtomically } from '../util/files';

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
	/** CSV: write text cells starting with = + - @, tab or CR with a leading apostrophe, so spreadsheets never run them as formulas (the segment reader undoes it). */
	readonly spreadsheetSafe?: boolean;
}

/** Text lines of scored profiles in the given format; the CSV header comes first. */
export async function* scoreLines(
	batches: AsyncIterable<readonly ScoredProfile[]> | Iterable<readonly ScoredProfile[]>,
	format: ScoresFormat,
	layout: ScoresLayout,
): AsyncGenerator<string> {
	const cell = csvCellWriter(layout.spreadsheetSafe);
	if (format === 'csv') yield `${csvHeader(layout).map(cell).join(',')}\n`;
	for await (const batch of batches) {
		let text = '';
		for (const profile of batch) text += format === 'csv' ? `${csvRow(profile, layout).map(cell).join(',')}\n` : `${JSON.stringify(profile)}\n`;
		yield text;
	}
}

/** Streams the profiles into `file` (temp file + rename, so readers never see half a file). */
export async function writeScoresFile(
	file: string,
	batches: AsyncIterable<readonly ScoredProfile[]> | Iterable<readonly ScoredProfile[]>,
	layout: ScoresLayout,
): Promise<void> {
	await writeFileAtomically(file, scoreLines(batches, scoresFormatOf(file), layout));
}

/** The columns every scores file starts with (the segment reader requires them), then the model's. */
export const scoreColumns = ['profile_id', 'probability', 'score', 'percentile', 'bucket', 'propensity_type', 'score_date'] as const;
export const modelColumns = ['model_name', 'model_version'] as const;

function csvHeader(layout: ScoresLayout): string[] {
	const header: string[] = [...scoreColumns, ...modelColumns];
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
		row.push(
			factor?.sentence ?? null,
			factor?.feature ?? null,
			factor?.label ?? null,
			factor?.value ?? null,
			factor?.impact ?? null,
			factor?.importance ?? null,
		);
	}
	for (const name of layout.attributes) row.push(profile.attributes?.[name] ?? null);
	return row;
}
