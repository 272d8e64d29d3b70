/**
 * `propensity simulate`: writes the demo shop's experience events to a file.
 */
import { type Command, integerOption, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import {
	defaultEnd,
	defaultHistoryDays,
	maxProfiles,
	profilesForEvents,
	type SimulationFormat,
	simulationFormats,
	writeSimulation,
	withThousands,
} from '../../core';

const usage = `Usage: propensity simulate (--profiles N | --events N) --seed S --format csv|ndjson|xdm --out FILE
                           [--gzip] [--history-days D] [--end ISO]

Simulates an online shop's customers (visits, page and product views, carts, checkouts,
purchases with revenue, email opens and clicks, app launches) and writes their events.
The same options and seed give the same file, byte for byte.

Options:
  --profiles N        customers to simulate (1 to ${withThousands(maxProfiles)}); about 39 events each over 365 days
  --events N          instead of --profiles: aim at about N events (customers are derived from a pilot run)
  --seed S            random seed, a whole number from 0 to 4294967295
  --format F          csv (flat columns), ndjson (same fields, one JSON object a line) or xdm (XDM ExperienceEvent JSON array)
  --out FILE          the file to write (replaced if it exists)
  --gzip              compress the file with gzip
  --history-days D    days of history before --end (default ${defaultHistoryDays})
  --end ISO           end of history, exclusive (default ${defaultEnd})

Example:
  propensity simulate --profiles 20000 --seed 7 --format csv --out shop.csv`;

export const simulateCommand: Command = {
	name: 'simulate',
	usage,
	options: {
		profiles: { type: 'string' },
		events: { type: 'string' },
		seed: { type: 'string' },
		format: { type: 'string' },
		out: { type: 'string' },
		gzip: { type: 'boolean' },
		'history-days': { type: 'string' },
		end: { type: 'string' },
	},
	async run(options, positionals, io) {
		if (positionals.length > 0) throw new UsageError(`propensity simulate: unexpected argument "${positionals[0]}".`, simulateCommand);
		const format = requireOption(options, 'format', simulateCommand);
		if (!(simulationFormats as readonly string[]).includes(format)) {
			throw new UsageError(`propensity simulate: --format must be one of ${simulationFormats.join(', ')}, not "${format}".`, simulateCommand);
		}
		const out = requireOption(options, 'out', simulateCommand);
		const seed = integerOption(options, 'seed', simulateCommand, { min: 0, max: 4294967295 });
		if (seed === undefined)
			throw new UsageError('propensity simulate: --seed is required (any whole number; the same seed gives the same data).', simulateCommand);
		const historyDays = integerOption(options, 'history-days', simulateCommand, { min: 1, max: 3650 });
		const end = stringOption(options, 'end');
		const window = { seed, historyDays, end };
		const profiles = profileCount(options, window);
		const progress = terminalProgress(io);
		try {
			const summary = await writeSimulation({ ...window, profiles, format: format as SimulationFormat, out, gzip: options.gzip === true }, progress);
			progress.finish();
			io.stdout.write(
				`Wrote ${withThousands(summary.events)} events of ${withThousands(summary.profiles)} customers to ${out} (${format}${options.gzip ? ', gzip' : ''}, ${formatBytes(summary.bytes)}).\n`,
			);
		} finally {
			progress.finish();
		}
	},
};

/** Customers from --profiles, or derived from --events; exactly one of the two. */
function profileCount(options: Parameters<Command['run']>[0], window: { seed: number; historyDays?: number; end?: string }): number {
	const profiles = integerOption(options, 'profiles', simulateCommand, { min: 1, max: maxProfiles });
	const events = integerOption(options, 'events', simulateCommand, { min: 1, max: 1_000_000_000 });
	if (profiles !== undefined && events !== undefined) throw new UsageError('propensity simulate: give --profiles or --events, not both.', simulateCommand);
	if (profiles !== undefined) return profiles;
	if (events === undefined)
		throw new UsageError('propensity simulate: --profiles (customers) or --events (about how many events) is required.', simulateCommand);
	const derived = profilesForEvents(events, window);
	if (derived > maxProfiles) {
		throw new UsageError(
			`propensity simulate: --events ${events} would need ${withThousands(derived)} customers, more than the ${withThousands(maxProfiles)} allowed; ask for fewer events or a longer --history-days.`,
			simulateCommand,
		);
	}
	return derived;
}

function formatBytes(bytes: number): string {
	if (bytes < 1024) return `${bytes} B`;
	if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
	if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
	return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
