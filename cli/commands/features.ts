/**
 * `propensity features`: the automatic features of every eligible profile as of a date,
 * written as a plain CSV (profile_id, one column per feature, and label when the outcome
 * window after the date is inside the data), so the table can be taken to other tools.
 */
import {
	checkGoalAgainstData,
	dataRange,
	describeOutcome,
	describeSource,
	type FeatureTable,
	featureTable,
	type Goal,
	InputError,
	parseMoment,
	warehouseFeatureTable,
	withWarehouse,
	writeFeatureTable,
	writeFileAtomically,
} from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { loadEventsFile, parseGoalFile, readTextFile } from '../shared';
import { warehouseOption, warehouseUsage } from '../warehouse';
import { eventFileOptions } from './load';

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
  --as-of ISO          the moment the features are taken, e.g. 2026-05-31 (the end of that day
                       in --time-zone, UTC by default) or 2026-05-31T12:00:00Z; default: the time of the latest event
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
		const asOf = parseMoment(stringOption(options, 'as-of'), 'as-of date', stringOption(options, 'time-zone'));
		const topTypes = integerOption(options, 'top-types', featuresCommand, { min: 0, max: 1000 });
		const goal = parseGoalFile(goalFile, await readTextFile(goalFile, 'goal file'));
		const declarations = stringOption(options, 'declarations');
		const warehouse = warehouseOption(options);
		if (warehouse) {
			const result = await withWarehouse(warehouse.source, warehouse.mapping, (client, columns) =>
				warehouseFeatureTable(client, columns, goal, { asOf, topTypes }),
			);
			await writeFeatureTable(out, result.profileIds, result);
			if (declarations) await writeFileAtomically(declarations, `${JSON.stringify(result.features, null, 2)}\n`);
			io.stdout.write(`${JSON.stringify({ ...featuresSummary(out, goal, result), computedIn: describeSource(warehouse.source) }, null, 2)}\n`);
			return;
		}
		const { table } = await loadEventsFile(options, io, featuresCommand);
		const progress = terminalProgress(io);
		try {
			checkGoalAgainstData(goal, table);
			if (!dataRange(table)) throw new InputError(`${eventsFile} holds no events.`, 'no-events');
			const result = await featureTable(table, goal, { asOf, topTypes }, progress);
			await writeFeatureTable(out, table.profileIds, result);
			if (declarations) await writeFileAtomically(declarations, `${JSON.stringify(result.features, null, 2)}\n`);
			io.stdout.write(`${JSON.stringify(featuresSummary(out, goal, result), null, 2)}\n`);
		} finally {
			progress.finish();
		}
	},
};

/** The JSON summary the command prints: where, when, how many, and the label's counts or why it is absent. */
function featuresSummary(out: string, goal: Goal, result: FeatureTable): object {
	const profiles = result.profile.length;
	const positives = result.label ? result.label.reduce((sum, label) => sum + label, 0) : 0;
	return {
		out,
		asOf: new Date(result.asOf).toISOString(),
		profiles,
		features: result.features.length,
		label: result.labelled
			? { outcome: describeOutcome(goal), positives, negatives: profiles - positives }
			: `not written: the ${goal.outcome.windowDays}-day window after the as-of date goes past the last event (${new Date(result.lastEvent).toISOString()})`,
	};
}
