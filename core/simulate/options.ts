/**
 * Simulation options: validated once, turned into the shared World every customer lives in.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { World } from './customer';
import { DAY_MS, shopDay } from './shop';
import { withThousands } from '../util/counts';

export interface SimulationOptions {
	/** Customers to simulate (1 to 10,000,000). */
	profiles: number;
	/** Any whole number from 0 to 4,294,967,295; the same seed gives the same events. */
	seed: number;
	/** Days of history before `end` (default 365). */
	historyDays?: number;
	/** End of history, exclusive: an ISO date or date-time with a zone (default 2026-06-30T00:00:00Z). */
	end?: string;
}

export const defaultEnd = '2026-06-30T00:00:00Z';
export const defaultHistoryDays = 365;
export const maxProfiles = 10_000_000;
/** Days simulated before the history starts and not written, so it opens on customers already mid-life. */
export const warmUpDays = 60;

/** A date, or a date-time with Z or an offset: a time without a zone would depend on the machine's clock settings. */
const isoWithZone = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2}))?$/;

const optionsSchema = z.object({
	profiles: z
		.number({ message: 'profiles must be a number' })
		.int('profiles must be a whole number')
		.min(1, 'profiles must be at least 1')
		.max(maxProfiles, `profiles must be at most ${withThousands(maxProfiles)}`),
	seed: z
		.number({ message: 'seed must be a number' })
		.int('seed must be a whole number')
		.min(0, 'seed must be 0 or more')
		.max(4294967295, 'seed must be at most 4294967295'),
	historyDays: z
		.number({ message: 'historyDays must be a number' })
		.int('historyDays must be a whole number of days')
		.min(1, 'historyDays must be at least 1')
		.max(3650, 'historyDays must be at most 3650')
		.default(defaultHistoryDays),
	end: z
		.string({ message: 'end must be an ISO date such as 2026-06-30 or 2026-06-30T00:00:00Z' })
		.regex(isoWithZone, 'end must be an ISO date such as 2026-06-30, or a date-time with a zone such as 2026-06-30T00:00:00Z')
		.refine(isRealDate, 'end is not a real date')
		.default(defaultEnd),
});

/** True when the text's calendar date exists (JavaScript quietly turns February 30 into March 2). */
function isRealDate(text: string): boolean {
	const [year, month, day] = text.slice(0, 10).split('-').map(Number);
	const date = new Date(Date.UTC(year, month - 1, day));
	return !Number.isNaN(Date.parse(text)) && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export type ResolvedOptions = z.output<typeof optionsSchema>;

/** Validated options with defaults filled in, or an InputError naming the option and the fix. */
export function resolveOptions(options: SimulationOptions): ResolvedOptions {
	const parsed = optionsSchema.safeParse(options);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => {
			const field = issue.path.join('.');
			const got = field ? (options as unknown as Record<string, unknown>)[field] : options;
			return `${issue.message} (got ${JSON.stringify(got)})`;
		});
		throw new InputError(`Simulation options are not usable: ${problems.join('; ')}.`, 'bad-simulation-options', parsed.error.issues);
	}
	return parsed.data;
}

/** The simulated period and the shop's calendar for validated options. */
export function createWorld(options: ResolvedOptions): World {
	const end = Date.parse(options.end);
	const windowStart = end - options.historyDays * DAY_MS;
	const firstDay = Math.floor(windowStart / DAY_MS) * DAY_MS - warmUpDays * DAY_MS;
	const dayCount = Math.ceil((end - firstDay) / DAY_MS);
	const days = Array.from({ length: dayCount }, (_, d) => shopDay(firstDay + d * DAY_MS));
	return {
		seed: options.seed,
		windowStart,
		end,
		firstDay,
		days,
		windowDay: Math.floor((windowStart - firstDay) / DAY_MS),
		// Customers join at a steady rate: about 45% of a year's customers are new within it.
		joinerShare: options.historyDays / (options.historyDays + 450),
	};
}
