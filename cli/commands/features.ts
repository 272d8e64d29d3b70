/**
 * `propensity features`: the automatic features of every eligible profile as of a date,
 * written as a plain CSV (profile_id, one column per feature, and label when the outcome
 * window after the date is inside the data), so the table can be taken to other tools.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { InputError } from '../../core/errors';
import { type FeatureDecl, buildExamples, computeFeaturesAsOf, dataRange, generateFeatures } from '../../core/features';
import { checkGoalAgainstData, describeOutcome } from '../../core/goal';
import { parseMoment } from '../../core/pipeline';
import { csvCell } from '../../core/util/csv';
import { DAY_MS } from '../../core/features/walk';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { loadEventsFile, parseGoalFile, readTextFile } from '../shared';
import { eventFileOptions } from './load';
import type { Goal } from '../../core/goal';
import { declareFeatures } from '../../core/features/generate';
import { buildWarehouseExamples, warehouseDataRange } from '../../core/features/sql';
import type { WarehouseClient } from '../../core/warehouse/client';
import type { EventColumns } from '../../core/warehouse/columns';
import { describeSource } from '../../core/warehouse/source';
import { shapeTable, warehouseFeatureStats, warehouseTypes } from '../../core/warehouse/stats';
import { withWarehouse } from '../../core/warehouse/train';
import { warehouseOption, warehouseUsage } from '../warehouse';

const usage = `Usage: propensity features --events FILE --goal GOAL.json --out FILE.csv [--as-of ISO]
                           [--preset flat|xdm] [--map FIELDS] [--format auto|csv|ndjson|json]
                           [--namespace NS] [--time-zone ZONE] [--time-unit auto|seconds|milliseconds]
                           [--bad-rows fail|skip] [--top-types N] [--declarations FILE.json]

Computes the automatic features of the goal for every profile eligible at the as-of date and
writes them as CSV: a header, then one row per profile. Columns: profile_id, each feature by
its machine name, and label (1 when the goal's outcome happened in the window after the date,
else 0) when that whole window is inside the data. Missing values (e.g. days since a purchase
for a profile that never bought) are empty cells. Events after the as-of date never reach
the features. A JSON summary is printed on stdout.

Options:
  --events FILE        the events: CSV, NDJSON or a JSON array, gzip-compressed or not
${warehouseUsage}
  --goal FILE          the goal JSON (see the README: outcome, window, eligibility, lookback…)
  --out FILE           the CSV to write (replaced if it exists)
  --as-of ISO          the moment the features are taken, e.g. 2026-05-31 (start of that day,
                       UTC) or 2026-05-31T12:00:00Z; default: the time of the latest event
  --top-types N        how many of the busiest event types get their own features (default 8)
  --declarations FILE  also write the feature declarations (name, label, filter, window,
                       aggregate) as JSON, to read the columns by
  --preset, --map, --format, --namespace, --time-zone, --time-unit, --bad-rows
                       how to read the events, as for "propensity load"

Examples:
  propensity features --events events.csv --goal purchase.json --out features.csv
  propensity features --events export.json.gz --preset xdm --goal xdm-goal.json --as-of 2026-03-31 --out march.csv`;


export const featuresCommand: Command = {
	name: 'features',
	summary: 'write the automatic features (and labels) of every eligible profile as of a date to CSV',
	usage,
	options: {
		goal: { type: 'string' },
		out: { type: 'string' },
		'as-of': { type: 'string' },
		'top-types': { type: 'string' },
		declarations: { type: 'string' },
		...eventFileOptions,
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity features: unexpected argument "${positionals[0]}".`, featuresCommand);
		const eventsFile = requireOption(options, 'events', featuresCommand);
		const goalFile = requireOption(options, 'goal', featuresCommand);
		const out = requireOption(options, 'out', featuresCommand);
		const asOf = parseMoment(stringOption(options, 'as-of'));
		const topTypes = integerOption(options, 'top-types', featuresCommand, { min: 0, max: 1000 });
		const goal = parseGoalFile(goalFile, await readTextFile(goalFile, 'goal file'));
		const warehouse = warehouseOption(options);
		if (warehouse) {
			const summary = await withWarehouse(warehouse.source, warehouse.mapping, (client, columns) => warehouseFeatures(client, columns, goal, { asOf, topTypes, out, declarations: stringOption(options, 'declarations') }));
			io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
			return;
		}
		const { table } = await loadEventsFile(options, io, featuresCommand);
		const progress = terminalProgress(io);
		try {
			checkGoalAgainstData(goal, table);
			const range = dataRange(table);
			if (!range) throw new InputError(`${eventsFile} holds no events.`, 'no-events');
			const moment = asOf ?? range.end;
			const features = generateFeatures(table, goal, { topTypes });
			const labelled = moment + goal.outcome.windowDays * DAY_MS <= range.end;
			const rows = labelled
				? await buildExamples(table, goal, features, { cutoffs: [moment] }, progress)
				: await computeFeaturesAsOf(table, goal, features, moment, progress);
			await writeCsv(out, table.profileIds, rows.profile, features, rows.data.columns, labelled ? rows.data.label : undefined);
			const declarations = stringOption(options, 'declarations');
			if (declarations) await writeFile(declarations, `${JSON.stringify(features, null, 2)}\n`);
			const positives = rows.data.label ? rows.data.label.reduce((sum, label) => sum + label, 0) : undefined;
			io.stdout.write(
				`${JSON.stringify(
					{
						out,
						asOf: new Date(moment).toISOString(),
						profiles: rows.data.rows,
						features: features.length,
						label: labelled
							? { outcome: describeOutcome(goal), positives, negatives: rows.data.rows - (positives ?? 0) }
							: `not written: the ${goal.outcome.windowDays}-day window after the as-of date goes past the last event (${new Date(range.end).toISOString()})`,
					},
					null,
					2,
				)}\n`,
			);
		} finally {
			progress.finish();
		}
	},
};

/**
 * The features command on a warehouse table: the goal checked against the warehouse's fields
 * and types, the features declared from its statistics and computed there at the as-of date;
 * only the eligible profiles' rows come back. Rows are labelled when the window after the
 * date is inside the data, as for files.
 */
async function warehouseFeatures(
	client: WarehouseClient,
	columns: EventColumns,
	goal: Goal,
	settings: { asOf?: number; topTypes?: number; out: string; declarations?: string },
): Promise<object> {
	checkGoalAgainstData(goal, shapeTable(columns, await warehouseTypes(client, columns)));
	const range = await warehouseDataRange(client, columns);
	if (!range) throw new InputError(`${describeSource(client.source)} holds no events.`, 'no-events');
	const moment = settings.asOf ?? range.end;
	const features = declareFeatures(await warehouseFeatureStats(client, columns, goal, { topTypes: settings.topTypes }), goal, { topTypes: settings.topTypes });
	const labelled = moment + goal.outcome.windowDays * DAY_MS <= range.end;
	const rows = await buildWarehouseExamples(client, columns, goal, features, [moment]);
	await writeCsv(settings.out, rows.profileIds, rows.profile, features, rows.data.columns, labelled ? rows.data.label : undefined);
	if (settings.declarations) await writeFile(settings.declarations, `${JSON.stringify(features, null, 2)}\n`);
	const positives = rows.data.label.reduce((sum, label) => sum + label, 0);
	return {
		out: settings.out,
		computedIn: describeSource(client.source),
		asOf: new Date(moment).toISOString(),
		profiles: rows.data.rows,
		features: features.length,
		label: labelled
			? { outcome: describeOutcome(goal), positives, negatives: rows.data.rows - positives }
			: `not written: the ${goal.outcome.windowDays}-day window after the as-of date goes past the last event (${new Date(range.end).toISOString()})`,
	};
}

/** Characters gathered before a write, so the file sees large chunks. */
const chunkChars = 1 << 20;

async function writeCsv(
	file: string,
	profileIds: readonly string[],
	profile: Uint32Array,
	features: readonly FeatureDecl[],
	columns: readonly Float32Array[],
	label: Uint8Array | undefined,
): Promise<void> {
	const stream = createWriteStream(file);
	try {
		await once(stream, 'open');
	} catch (error) {
		throw new InputError(`Cannot write "${file}": ${(error as Error).message}. Check that the folder exists and is writable.`, 'cannot-write');
	}
	let chunk = `${['profile_id', ...features.map((feature) => feature.name), ...(label ? ['label'] : [])].join(',')}\n`;
	for (let row = 0; row < profile.length; row++) {
		let line = csvCell(profileIds[profile[row]]);
		for (const column of columns) line += `,${formatFloat32(column[row])}`;
		if (label) line += `,${label[row]}`;
		chunk += `${line}\n`;
		if (chunk.length >= chunkChars) {
			await write(stream, chunk);
			chunk = '';
		}
	}
	await write(stream, chunk);
	stream.end();
	await once(stream, 'finish');
}

async function write(stream: Writable, text: string): Promise<void> {
	if (!stream.write(text)) await once(stream, 'drain');
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
