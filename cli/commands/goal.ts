/**
 * `propensity goal`: writes a goal from a few flags (the outcome event, its window, who is
 * eligible, the lookback) and, given events, checks them against it as training would, without
 * training: readiness per cutoff and every problem with what to change.
 */
import { conditionFromRow, defineGoal, goalFromForm, InputError, withThousands } from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { asOfLine, cutoffPlanLine, eventFileOptions, eventFileUsage, loadEventsFile, writeFileAtomic } from '../shared';

const usage = `Usage: propensity goal --outcome EVENT --out GOAL.json [--window DAYS] [--type conversion|churn]
                      [--occur will|will-not] [--active-within DAYS] [--lookback DAYS] [--name NAME]
                      [--attributes A,B] [--events FILE [--as-of ISO] [--min-positives N] [--min-negatives N]]

Writes the goal JSON that "propensity train" reads. With --events it also checks the goal
against the events as training would (eligible profiles, positives and negatives per cutoff),
without training, and exits with 1 when they cannot train it yet, saying what to change.

Options:
  --outcome EVENT       the outcome: an event type (purchase), several (purchase,renewal), or
                        FIELD=VALUE (channel=web); source names such as event_type=purchase work
  --window DAYS         the outcome window: within how many days (default 30)
  --type TYPE           conversion (default: who will do it) or churn (who will stop)
  --occur WHEN          will (the outcome will happen) or will-not; default: will for conversion,
                        will-not for churn (churn watches for the outcome that stops happening)
  --active-within DAYS  eligible: profiles with an event in the last DAYS (default 0: everyone
                        with an event in the lookback)
  --lookback DAYS       days of events to learn from (default 365); only profiles with an event
                        in the lookback are trained on and scored
  --name NAME           the goal's name (default: from the outcome, e.g. purchase-in-30-days)
  --attributes A,B      profile attributes to learn from, e.g. country,loyalty_tier
  --out FILE            where to write the goal JSON
  --events FILE         check readiness against these events (with the load options below)
  --as-of ISO           judge readiness as of this moment (a date alone: the end of that day)
  --min-positives N     positive examples needed (default 500); --min-negatives N likewise

${eventFileUsage}

Examples:
  propensity goal --outcome purchase --window 30 --active-within 45 --out goal.json --events events.csv
  propensity goal --outcome visit --type churn --window 60 --lookback 180 --out churn.json`;

export const goalCommand: Command = {
	name: 'goal',
	usage,
	options: {
		outcome: { type: 'string' },
		window: { type: 'string' },
		type: { type: 'string' },
		occur: { type: 'string' },
		'active-within': { type: 'string' },
		lookback: { type: 'string' },
		name: { type: 'string' },
		attributes: { type: 'string' },
		out: { type: 'string' },
		'as-of': { type: 'string' },
		'min-positives': { type: 'string' },
		'min-negatives': { type: 'string' },
		...eventFileOptions,
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity goal: unexpected argument "${positionals[0]}".`, goalCommand);
		const outcome = requireOption(options, 'outcome', goalCommand);
		const out = requireOption(options, 'out', goalCommand);
		const propensityType = choice(options, 'type', ['conversion', 'churn'] as const) ?? 'conversion';
		const occur = choice(options, 'occur', ['will', 'will-not'] as const) ?? (propensityType === 'churn' ? 'will-not' : 'will');
		const form = {
			name: stringOption(options, 'name') ?? '',
			propensityType,
			occur: occur === 'will' ? 'will_occur' : 'will_not_occur',
			windowDays: integerOption(options, 'window', goalCommand, { min: 1, max: 365 }) ?? 30,
			conditions: [outcomeRow(outcome)],
			activeWithinDays: integerOption(options, 'active-within', goalCommand, { min: 0, max: 3650 }),
			lookbackDays: integerOption(options, 'lookback', goalCommand, { min: 1, max: 3650 }),
			profileAttributes: stringOption(options, 'attributes') ?? '',
		} as const;
		const minPositives = integerOption(options, 'min-positives', goalCommand, { min: 1, max: 1e9 });
		const minNegatives = integerOption(options, 'min-negatives', goalCommand, { min: 1, max: 1e9 });
		// The goal is checked on its own first, so a bad flag is reported before any events are read.
		const alone = defineGoal(goalFromForm(form));
		const table = stringOption(options, 'events') ? (await loadEventsFile(options, io, goalCommand)).table : undefined;
		const check = table
			? defineGoal(alone.goal, table, { asOf: stringOption(options, 'as-of'), timeZone: stringOption(options, 'time-zone'), minPositives, minNegatives })
			: alone;
		await writeFileAtomic(out, `${JSON.stringify(check.goal, null, 2)}\n`);

		const lines = [`Goal "${check.goal.name}": ${alone.inWords} → ${out}`, ...check.warnings.map((warning) => `Warning: ${warning.message}`)];
		const readiness = check.readiness;
		if (readiness) {
			const n = (value: number) => withThousands(value);
			lines.push(asOfLine(options, readiness.history.end));
			lines.push(
				`Readiness: ${n(readiness.totals.eligible)} eligible examples over ${readiness.cutoffs.length} cutoffs, ${n(readiness.totals.positives)} positive and ${n(readiness.totals.negatives)} negative ` +
					`(training needs ${n(readiness.minimums.positives)} and ${n(readiness.minimums.negatives)}).`,
			);
			if (readiness.plan) lines.push(cutoffPlanLine(readiness.plan));
			for (const cutoff of readiness.cutoffs) {
				lines.push(
					`  ${cutoff.date.slice(0, 10)} (${cutoff.role}): ${n(cutoff.eligible)} eligible, ${n(cutoff.positives)} positive, ${n(cutoff.negatives)} negative`,
				);
			}
			lines.push(readiness.ready ? `Ready: "propensity train --goal ${out}" can train it.` : 'Not ready yet:');
		}
		io.stdout.write(`${lines.join('\n')}\n`);
		if (readiness && !readiness.ready) {
			throw new InputError(readiness.problems.map((problem) => `- ${problem.message}`).join('\n'), 'not-ready', readiness);
		}
	},
};

function choice<T extends string>(options: OptionValues, name: string, allowed: readonly T[]): T | undefined {
	const value = stringOption(options, name);
	if (value === undefined) return undefined;
	if (!(allowed as readonly string[]).includes(value))
		throw new UsageError(`propensity goal: --${name} must be ${allowed.join(' or ')}, not "${value}".`, goalCommand);
	return value as T;
}

/** `purchase` / `purchase,renewal` (event types) or `FIELD=VALUE[,VALUE]` as a form row, checked as the form checks it. */
function outcomeRow(text: string): { field: string; op: string; value: string } {
	const equals = text.indexOf('=');
	const field = equals > 0 ? text.slice(0, equals).trim() : 'eventType';
	const value = (equals > 0 ? text.slice(equals + 1) : text).trim();
	const row = { field, op: value.includes(',') ? 'in' : 'equals', value };
	conditionFromRow(row, 'outcome (--outcome)');
	return row;
}
