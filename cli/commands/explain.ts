/**
 * `propensity explain`: why given profiles score as they do — their top factors with a
 * sentence each — printed as JSON.
 */
import { scoreProfiles } from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { eventFileOptions, eventFileUsage, loadEventsFile, modelSourceOptions, modelSourceUsage, readModelFrom } from '../shared';

const usage = `Usage: propensity explain --events FILE (--model MODEL.json | --store DIR --name NAME)
                          --profiles ID[,ID…] [--as-of ISO] [--top K]

Prints, as JSON, each listed profile's score, bucket and top K factors (default 5): the
feature, its label, the profile's value, its signed impact on the score (log-odds), its
importance (low / medium / high) and a sentence a marketer can read.

Options:
  --profiles IDS   comma-separated profile ids (each must be eligible for the model's goal)
  --as-of ISO      explain as of this moment (default: the latest event); a date alone
                   (2026-05-31) means the end of that day in --time-zone (UTC)
  --top K          factors per profile (1–20, default 5)

${modelSourceUsage}

${eventFileUsage}

Example:
  propensity explain --events events.csv --model model.json --profiles cust-0000042,cust-0000077`;

export const explainCommand: Command = {
	name: 'explain',
	usage,
	options: { ...eventFileOptions, ...modelSourceOptions, profiles: { type: 'string' }, 'as-of': { type: 'string' }, top: { type: 'string' } },
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity explain: unexpected argument "${positionals[0]}".`, explainCommand);
		const profiles = requireOption(options, 'profiles', explainCommand)
			.split(',')
			.map((id) => id.trim())
			.filter((id) => id !== '');
		if (profiles.length === 0) throw new UsageError('propensity explain: --profiles needs at least one profile id.', explainCommand);
		const top = integerOption(options, 'top', explainCommand, { min: 1, max: 20 }) ?? 5;
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
