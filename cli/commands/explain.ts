/**
 * `propensity explain`: why given profiles score as they do — their top factors with a
 * sentence each — printed as JSON.
 */
import { defaultScoresTable, explainInWarehouse, InputError, scoreProfiles, type ScoredProfile } from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { eventFileOptions, eventFileUsage, loadEventsFile, modelSourceOptions, modelSourceUsage, readModelFrom } from '../shared';
import { warehouseOption, warehouseUsage } from '../warehouse';

const usage = `Usage: propensity explain --events FILE (--model MODEL.json | --store DIR --name NAME)
                          --profiles ID[,ID…] [--as-of ISO] [--top K]
       propensity explain --events URL [--map MAP] (--model MODEL.json | --store DIR --name NAME)
                          --profiles ID[,ID…] [--scores-table NAME] [--top K]

Prints, as JSON, each listed profile's score, bucket and top K factors (default 5): the
feature, its label, the profile's value, its signed impact on the score (log-odds), its
importance (low / medium / high) and a sentence a marketer can read.

Options:
  --profiles IDS   comma-separated profile ids (each must be eligible for the model's goal)
  --as-of ISO      explain as of this moment (default: the latest event); a date alone
                   (2026-05-31) means the end of that day in --time-zone (UTC)
  --top K          factors per profile (1–20, default 5)
  --scores-table NAME
                   with --events URL: the scores table the profiles were scored into
                   (default ${defaultScoresTable}; SCHEMA.TABLE on PostgreSQL)

With --events naming a warehouse table, the profiles are those of the model's latest run in
--scores-table (written by "propensity score --scores-table"): their scores come from that
run, and their features are computed by the warehouse as of its score date, for those
profiles only, then explained here, as with a file. At most 10,000 profiles at once.

${modelSourceUsage}

${eventFileUsage}
${warehouseUsage}

Examples:
  propensity explain --events events.csv --model model.json --profiles cust-0000042,cust-0000077
  propensity explain --events 'clickhouse://default@ch1.internal:8123/shop?table=events' --store ./store \\
    --name purchase-soon --scores-table scores --profiles cust-0000042,cust-0000077`;

export const explainCommand: Command = {
	name: 'explain',
	usage,
	options: {
		...eventFileOptions,
		...modelSourceOptions,
		profiles: { type: 'string' },
		'as-of': { type: 'string' },
		top: { type: 'string' },
		'scores-table': { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity explain: unexpected argument "${positionals[0]}".`, explainCommand);
		const profiles = requireOption(options, 'profiles', explainCommand)
			.split(',')
			.map((id) => id.trim())
			.filter((id) => id !== '');
		if (profiles.length === 0) throw new UsageError('propensity explain: --profiles needs at least one profile id.', explainCommand);
		const top = integerOption(options, 'top', explainCommand, { min: 1, max: 20 }) ?? 5;
		const warehouse = warehouseOption(options);
		if (warehouse) return explainWarehouseProfiles(options, io, profiles, top, warehouse);
		if (stringOption(options, 'scores-table'))
			throw new UsageError(
				'propensity explain: --scores-table needs --events to name a warehouse table (postgres://… or clickhouse://…).',
				explainCommand,
			);
		const { model, version } = await readModelFrom(options, explainCommand);
		const loaded = await loadEventsFile(options, io, explainCommand);
		const progress = terminalProgress(io);
		try {
			const run = await scoreProfiles(
				loaded.table,
				model,
				{
					asOf: stringOption(options, 'as-of'),
					now: Date.now(),
					timeZone: stringOption(options, 'time-zone'),
					explain: top,
					profiles,
					modelVersion: version,
				},
				progress,
			);
			const explained = await run.all(progress);
			progress.finish();
			io.stdout.write(`${JSON.stringify(explained, null, 2)}\n`);
		} finally {
			progress.finish();
		}
	},
};

/** --events URL: the profiles of the model's latest run in the scores table, explained from features the warehouse computes. */
async function explainWarehouseProfiles(
	options: OptionValues,
	io: CliIo,
	profiles: readonly string[],
	top: number,
	warehouse: NonNullable<ReturnType<typeof warehouseOption>>,
): Promise<void> {
	if (stringOption(options, 'as-of'))
		throw new UsageError(
			"propensity explain: --as-of applies to an events file; on a warehouse table the profiles are explained as of their scoring run's date.",
			explainCommand,
		);
	const { model } = await readModelFrom(options, explainCommand);
	const scoresTable = stringOption(options, 'scores-table') ?? defaultScoresTable;
	const explained = await explainInWarehouse(warehouse.source, warehouse.mapping, model, profiles, { scoresTable, topK: top });
	if (explained.unexplained.size > 0)
		throw new InputError(
			`Some profiles cannot be explained: ${[...explained.unexplained.values()]
				.slice(0, 5)
				.map((error) => error.message)
				.join(' ')}${explained.unexplained.size > 5 ? ` (and ${explained.unexplained.size - 5} more)` : ''}`,
			'unknown-profiles',
		);
	// As with a file: the scores, attributes and factors, not the feature values.
	const printed = explained.profiles.map(({ features: _features, ...profile }): ScoredProfile => profile);
	io.stdout.write(`${JSON.stringify(printed, null, 2)}\n`);
}
