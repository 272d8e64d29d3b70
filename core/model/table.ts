/**
 * Training on a profile table (one row per profile, numeric features and a 0/1 label), the
 * shape data teams already have: read, hold out a seeded, stratified share of the rows for
 * validation (a table has no time order to split on), and build the model as for events.
 */
import { readProfileTable, type ProfileTableSource } from '../events/profileTable';
import { selectRows, type LabelledDataset } from '../learn/dataset';
import { holdoutSplit } from '../learn/split';
import type { LearnerChoice } from '../learn/registry';
import type { WorkHooks } from '../util/progress';
import { buildModel, type BuiltModel } from './build';

/** Share of a table's rows held out for validation. */
export const tableHoldoutShare = 0.2;

/** A profile table: a CSV (or gzip'd CSV) file on disk, its bytes, or its rows as objects (n8n items, a Node-RED array). */
export type TableSource = ProfileTableSource;

/** The name of a model trained on rows of objects, which have no file name to take it from. */
export const rowsModelName = 'profile-table';

export interface TableTrainingOptions {
	/** The 0/1 outcome column. */
	readonly label: string;
	/** The profile id column, not a feature (without it rows are numbered). */
	readonly id?: string;
	/** Columns that are neither features nor id nor label (e.g. an email address). */
	readonly ignore?: readonly string[];
	readonly learner?: LearnerChoice;
	readonly seed?: number;
	/** The model's name (default: the table's file name without its extension). */
	readonly name?: string;
}

export interface TableTraining extends BuiltModel {
	/** What was read and how it was split, for a summary. */
	readonly table: {
		readonly rows: number;
		readonly features: number;
		readonly positives: number;
		readonly negatives: number;
		readonly validationRows: number;
		readonly holdoutShare: number;
	};
}

/** The name a table gives its model: the file name without .csv / .tsv / .txt (and .gz); rowsModelName for rows. */
export function tableModelName(source: TableSource): string {
	if ('rows' in source) return rowsModelName;
	const file = 'path' in source ? source.path : source.name;
	return (file.split(/[\\/]/).pop() ?? file).replace(/\.(csv|tsv|txt)(\.gz)?$/i, '');
}

/** Trains a model on a profile table; the same table, options and seed give the same bytes. */
export async function trainOnTable(source: TableSource, options: TableTrainingOptions, hooks?: WorkHooks): Promise<TableTraining> {
	const seed = options.seed ?? 1;
	const read = await readProfileTable(source, { label: options.label, id: options.id, ignore: options.ignore, hooks });
	const data = read.data as LabelledDataset;
	const split = holdoutSplit(data.label, tableHoldoutShare, seed);
	const validation = selectRows(data, split.validation);
	const built = await buildModel({
		name: options.name ?? tableModelName(source),
		features: { mode: 'table', columns: data.featureNames, idColumn: read.idColumn, labelColumn: options.label },
		train: selectRows(data, split.train),
		validation,
		validationSplit: `a seeded random ${tableHoldoutShare * 100}% of the table's rows, stratified by label (a table has no time order)`,
		learner: options.learner ?? 'auto',
		seed,
		hooks,
	});
	const positives = data.label.reduce((sum, value) => sum + value, 0);
	return {
		...built,
		table: {
			rows: data.rows,
			features: data.featureNames.length,
			positives,
			negatives: data.rows - positives,
			validationRows: validation.rows,
			holdoutShare: tableHoldoutShare,
		},
	};
}
