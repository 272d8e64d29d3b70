/**
 * The features (and labels) of every eligible profile as of one moment, as a table for other
 * tools: the same declarations and point-in-time rules as training. The label is written only
 * when the whole outcome window after the moment lies within the events; otherwise the
 * features alone, for scoring elsewhere.
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import { checkGoalAgainstData } from '../goal/check';
import type { Goal } from '../goal/schema';
import { csvCell } from '../util/csv';
import { DAY_MS } from '../util/days';
import { writeFileAtomically } from '../util/files';
import type { WorkHooks } from '../util/progress';
import { dataRange } from './cutoffs';
import type { FeatureDecl } from './declaration';
import { buildExamples, computeFeaturesAsOf } from './examples';
import { withBuyTillYouDie } from './buyTillYouDie';
import { generateFeatures } from './generate';

export interface FeatureTable {
	readonly features: FeatureDecl[];
	/** The moment the features are computed at (the latest event unless one is asked for). */
	readonly asOf: number;
	/** The latest event, which decides whether the outcome window can be labelled. */
	readonly lastEvent: number;
	/** Whether the outcome window after `asOf` ends within the events, so each row has its label. */
	readonly labelled: boolean;
	/** The profile (its number in the event table) of each row. */
	readonly profile: Uint32Array;
	readonly columns: readonly Float32Array[];
	readonly label?: Uint8Array;
}

/** The feature table of a goal's eligible profiles as of `asOf` (default: the latest event). */
export async function featureTable(
	table: EventTable,
	goal: Goal,
	options: { readonly asOf?: number; readonly topTypes?: number } = {},
	hooks?: WorkHooks,
): Promise<FeatureTable> {
	checkGoalAgainstData(goal, table);
	const range = dataRange(table);
	if (!range) throw new InputError('The events hold no events, so there is nothing to compute features from.', 'no-events');
	const asOf = options.asOf ?? range.end;
	// Fitted on the histories as of the moment (never its outcomes), as training fits them at its latest cutoff.
	const features = await withBuyTillYouDie(table, goal, generateFeatures(table, goal, { topTypes: options.topTypes }), asOf, hooks);
	const labelled = asOf + goal.outcome.windowDays * DAY_MS <= range.end;
	const rows = labelled
		? await buildExamples(table, goal, features, { cutoffs: [asOf] }, hooks)
		: await computeFeaturesAsOf(table, goal, features, asOf, hooks);
	return { features, asOf, lastEvent: range.end, labelled, profile: rows.profile, columns: rows.data.columns, label: labelled ? rows.data.label : undefined };
}

/** Characters gathered before a write, so the file sees large chunks. */
const chunkChars = 1 << 20;

/** The table as CSV text in large chunks: profile_id, one column per feature, then label when labelled. */
export function* featureTableCsv(profileIds: readonly string[], result: FeatureTable): Generator<string> {
	const { profile, columns, label, features } = result;
	let chunk = `${['profile_id', ...features.map((feature) => feature.name), ...(label ? ['label'] : [])].join(',')}\n`;
	for (let row = 0; row < profile.length; row++) {
		let line = csvCell(profileIds[profile[row]]);
		for (const column of columns) line += `,${formatFloat32(column[row])}`;
		if (label) line += `,${label[row]}`;
		chunk += `${line}\n`;
		if (chunk.length >= chunkChars) {
			yield chunk;
			chunk = '';
		}
	}
	yield chunk;
}

/** Writes the table as CSV, atomically (a reader never sees half a file). */
export function writeFeatureTable(file: string, profileIds: readonly string[], result: FeatureTable): Promise<void> {
	return writeFileAtomically(file, featureTableCsv(profileIds, result));
}

/** The shortest decimal that reads back as the same 32-bit float; empty for missing (NaN). */
export function formatFloat32(value: number): string {
	if (value !== value) return '';
	if (Number.isInteger(value)) return String(value);
	for (let digits = 1; digits < 9; digits++) {
		const text = String(Number(value.toPrecision(digits)));
		if (Math.fround(Number(text)) === value) return text;
	}
	return String(Number(value.toPrecision(9)));
}
