/**
 * Readiness: before training, whether the loaded events can teach this goal. Counts
 * eligible profiles, positives and negatives at each cutoff with the same rules as the
 * training examples, and explains every shortfall in terms of what to change.
 */
import type { EventTable } from '../events/table';
import { PropensityError } from '../errors';
import { attributeColumn } from '../events/table';
import { type DataProblem, goalDataProblems } from '../goal/check';
import { keptMask } from '../goal/conditions';
import { describeCondition, describeGoal } from '../goal/describe';
import type { Goal } from '../goal/schema';
import { DAY_MS } from '../util/days';
import { type CutoffPlan, type DataRange, dataRange, isoDay, minimumHistoryDays, planTraining } from './cutoffs';
import { type CutoffCounts, type Judgement, judgeCutoffs } from './examples';
import { maxCategories } from './generate';
import { goalWarnings } from '../goal/warnings';
import { withThousands } from '../util/counts';

export interface ReadinessProblem {
	/** Stable code, e.g. `too-few-positives`, `too-little-history`, `goal-data-mismatch`. */
	readonly code: string;
	readonly message: string;
}

export interface CutoffReadiness {
	/** UTC ms. */
	readonly cutoff: number;
	/** The cutoff as an ISO 8601 UTC moment. */
	readonly date: string;
	/** The latest cutoff validates; the others train. */
	readonly role: 'training' | 'validation';
	readonly eligible: number;
	readonly positives: number;
	readonly negatives: number;
}

export interface ReadinessReport {
	/** True when training can go ahead: no problems (warnings do not block). */
	readonly ready: boolean;
	/** The goal in words. */
	readonly goal: string;
	readonly problems: ReadinessProblem[];
	readonly warnings: ReadinessProblem[];
	readonly cutoffs: CutoffReadiness[];
	readonly totals: { readonly eligible: number; readonly positives: number; readonly negatives: number };
	readonly minimums: { readonly positives: number; readonly negatives: number };
	readonly history: {
		/** First and last event considered (ISO), null without events. */
		readonly start: string | null;
		readonly end: string | null;
		readonly availableDays: number;
		/** lookbackDays + outcome.windowDays: what the earliest cutoff would ideally have. */
		readonly neededDays: number;
	};
	/** Event types in the data up to the as-of moment (excluded events not counted), busiest first. */
	readonly eventTypes: { readonly type: string; readonly events: number }[];
	/** Fields the goal names that the events lack. */
	readonly fieldsMissing: string[];
	/** Event types the goal names that the events lack. */
	readonly typesMissing: string[];
	/** How the cutoffs were chosen, and why (absent when none could be planned). */
	readonly plan?: Omit<CutoffPlan, 'cutoffs'>;
}

export interface ReadinessOptions {
	/** Positive examples needed over all cutoffs (default 500). */
	minPositives?: number;
	/** Negative examples needed over all cutoffs (default 500). */
	minNegatives?: number;
	/** Judge as of this moment (UTC ms): later events are ignored. */
	asOf?: number;
}

/**
 * What readiness reads of the events, so the same rules serve an in-memory table and a
 * warehouse (core/warehouse/data.ts counts the same things by SQL).
 */
export interface ReadinessData {
	readonly range: DataRange | undefined;
	readonly mismatches: readonly DataProblem[];
	/** The cutoff plan (see planTraining); throws InputError when none fit. */
	plan(): CutoffPlan;
	judge(cutoffs: readonly number[]): CutoffCounts[];
	/** Events per type, busiest first; with the goal, excluded events are not counted. */
	typeVolumes(goal: Goal | undefined): { type: string; events: number }[];
	/** Distinct values of a text attribute, undefined for other fields. */
	distinctValues(field: string): number | undefined;
	/** Profiles with an event in the `days` before the end of the data; absent where not counted. */
	activeWithin?(days: number): number;
}

/** A cutoff plan and the judgement made at its cutoffs (training's): readiness counts it instead of judging again. */
export interface PlannedJudgement {
	readonly plan: CutoffPlan;
	readonly judgement: Judgement;
}

/** The readiness data of an in-memory table. */
export function tableReadinessData(table: EventTable, goal: Goal, asOf: number | undefined, judged?: PlannedJudgement): ReadinessData {
	const range = dataRange(table, asOf);
	return {
		range,
		mismatches: goalDataProblems(goal, table),
		plan: () => judged?.plan ?? planTraining(table, goal, { asOf }),
		judge: (cutoffs) => (judged && cutoffs === judged.plan.cutoffs ? judged.judgement.perCutoff : judgeCutoffs(table, goal, cutoffs)),
		// Counted up to the as-of moment: what training sees.
		typeVolumes: (forGoal) => typeVolumes(table, forGoal, range?.end),
		activeWithin: (days) => (range ? activeWithin(table, range.end, days) : 0),
		distinctValues: (field) => {
			const column = attributeColumn(table, field);
			return column?.kind === 'category' ? column.dictionary.length : undefined;
		},
	};
}

/**
 * Whether the events can train this goal, with counts per cutoff and every problem explained.
 * Given the plan and judgement training made (at the same as-of), it counts those.
 */
export function assessReadiness(table: EventTable, goal: Goal, options: ReadinessOptions = {}, judged?: PlannedJudgement): ReadinessReport {
	return assessReadinessOf(tableReadinessData(table, goal, options.asOf, judged), goal, options);
}

/** assessReadiness over any events' readiness data. */
export function assessReadinessOf(data: ReadinessData, goal: Goal, options: ReadinessOptions = {}): ReadinessReport {
	const minimums = { positives: options.minPositives ?? 500, negatives: options.minNegatives ?? 500 };
	const problems: ReadinessProblem[] = [];
	// Warnings about the goal itself come first, with or without a fit to the data.
	const warnings: ReadinessProblem[] = goalWarnings(goal);
	const range = data.range;
	const neededDays = goal.lookbackDays + goal.outcome.windowDays;
	const availableDays = range ? (range.end - range.start) / DAY_MS : 0;
	const mismatches = data.mismatches;
	let plan: CutoffPlan | undefined;
	const report = (cutoffs: CutoffReadiness[]): ReadinessReport => {
		const totals = cutoffs.reduce(
			(sum, c) => ({ eligible: sum.eligible + c.eligible, positives: sum.positives + c.positives, negatives: sum.negatives + c.negatives }),
			{ eligible: 0, positives: 0, negatives: 0 },
		);
		return {
			ready: problems.length === 0,
			goal: describeGoal(goal),
			problems,
			warnings,
			cutoffs,
			totals,
			minimums,
			history: {
				start: range ? new Date(range.start).toISOString() : null,
				end: range ? new Date(range.end).toISOString() : null,
				availableDays: round(availableDays),
				neededDays,
			},
			eventTypes: mismatches.length ? data.typeVolumes(undefined) : data.typeVolumes(goal),
			fieldsMissing: unique(mismatches.flatMap((m) => (m.missingField ? [m.missingField] : []))),
			typesMissing: unique(mismatches.flatMap((m) => (m.missingType ? [m.missingType] : []))),
			...(plan ? { plan: { chosenBy: plan.chosenBy, spacingDays: plan.spacingDays, holdOutProfiles: plan.holdOutProfiles, reason: plan.reason } } : {}),
		};
	};

	for (const mismatch of mismatches) problems.push({ code: 'goal-data-mismatch', message: `${mismatch.path}: ${mismatch.message}.` });
	if (mismatches.length) return report([]);

	let planned: number[];
	try {
		plan = data.plan();
		planned = plan.cutoffs;
	} catch (error) {
		if (!(error instanceof PropensityError)) throw error;
		problems.push({ code: error.code, message: error.message });
		return report([]);
	}
	const counts = data.judge(planned);
	const cutoffs = counts.map((c, k): CutoffReadiness => ({
		...c,
		date: new Date(c.cutoff).toISOString(),
		role: k === counts.length - 1 ? 'validation' : 'training',
	}));
	const result = report(cutoffs);

	if (availableDays < neededDays && range) {
		const lower = Math.max(minimumHistoryDays(goal), Math.floor(availableDays) - goal.outcome.windowDays);
		warnings.push({
			code: 'short-history',
			message:
				`The events cover ${round(availableDays)} days; ${neededDays} (lookbackDays ${goal.lookbackDays} + window ${goal.outcome.windowDays}) would give every cutoff its full lookback. ` +
				`Earlier cutoffs see less history. Load more history, or lower lookbackDays to ${lower}: ${lookbackSideEffect(data, range.end, goal.lookbackDays, lower)}`,
		});
	}
	if (planned.length < 2) {
		problems.push({
			code: 'one-cutoff',
			message:
				`Only one cutoff (${isoDay(planned[0])}) fits in the history, and training needs at least two: earlier ones to learn from, the latest to validate on. ` +
				`Load more history, or lower ${goal.training ? `training.spacingDays (now ${goal.training.spacingDays ?? goal.outcome.windowDays}) or ` : ''}outcome.windowDays (now ${goal.outcome.windowDays}).`,
		});
	}
	shortfalls(goal, result, minimums, problems);
	const validation = cutoffs[cutoffs.length - 1];
	if (cutoffs.length >= 2 && (validation.positives === 0 || validation.negatives === 0)) {
		const missing = validation.positives === 0 ? 'positive' : 'negative';
		problems.push({
			code: 'validation-one-class',
			message: `The validation cutoff (${isoDay(validation.cutoff)}) has no ${missing} examples among ${validation.eligible} eligible profiles, so the model cannot be checked. ${advice(goal, missing === 'positive')}`,
		});
	}
	for (const attribute of goal.profileAttributes) {
		const distinct = data.distinctValues(attribute.field);
		if (distinct !== undefined && distinct > maxCategories) {
			warnings.push({
				code: 'identifier-attribute',
				message: `Profile attribute "${attribute.field}" has ${distinct} distinct values, like an identifier or email address: it is not used as a feature, though it can still be output with scores.`,
			});
		}
	}
	return { ...result, ready: problems.length === 0 };
}

/** Problems for too few positives or negatives over all cutoffs, with what to change. */
function shortfalls(goal: Goal, result: ReadinessReport, minimums: ReadinessReport['minimums'], problems: ReadinessProblem[]): void {
	const occur = goal.outcome.occur === 'will_occur';
	const outcome = describeCondition(goal.outcome.when, 'a');
	const within = `within ${goal.outcome.windowDays} days`;
	const meaning = {
		positive: occur ? `profiles with ${outcome} ${within}` : `profiles with ${describeCondition(goal.outcome.when, 'no')} ${within}`,
		negative: occur ? `profiles with ${describeCondition(goal.outcome.when, 'no')} ${within}` : `profiles with ${outcome} ${within}`,
	};
	const over = `over ${result.cutoffs.length} cutoff${result.cutoffs.length === 1 ? '' : 's'} (${result.totals.eligible} eligible examples)`;
	if (result.totals.positives < minimums.positives) {
		problems.push({
			code: 'too-few-positives',
			message: `Found ${result.totals.positives} positive examples (${meaning.positive}) ${over}; training needs at least ${minimums.positives}. ${advice(goal, true)}`,
		});
	}
	if (result.totals.negatives < minimums.negatives) {
		problems.push({
			code: 'too-few-negatives',
			message: `Found ${result.totals.negatives} negative examples (${meaning.negative}) ${over}; training needs at least ${minimums.negatives}. ${advice(goal, false)}`,
		});
	}
}

/**
 * What to change for more positives (or negatives). A longer window makes the outcome
 * event more likely to happen, a shorter one less: which helps depends on the polarity.
 */
function advice(goal: Goal, positives: boolean): string {
	const occur = goal.outcome.occur === 'will_occur';
	const moreHappen = positives === occur;
	const window = moreHappen
		? `lengthen outcome.windowDays (now ${goal.outcome.windowDays}) so more profiles reach the outcome event`
		: `shorten outcome.windowDays (now ${goal.outcome.windowDays}) so fewer profiles reach the outcome event in time`;
	return (
		`To get more: load a longer history (more cutoffs fit), widen the eligibility conditions (more profiles are then scored too), or ${window} ` +
		'(the score then means the chance within the new window).'
	);
}

/**
 * What lowering the lookback costs, in profiles: only a profile with an event within the
 * lookback is trained on and scored, so advice to lower it says how many that leaves.
 */
function lookbackSideEffect(data: ReadinessData, end: number, now: number, lower: number): string {
	const why = 'this also narrows who is trained on and scored, since only profiles with an event in the lookback are';
	if (!data.activeWithin) return `${why}.`;
	const n = (value: number) => withThousands(value);
	return `${why} (as of ${isoDay(end)}: ${n(data.activeWithin(lower))} profiles with an event in the last ${lower} days, against ${n(data.activeWithin(now))} in the last ${now}).`;
}

/** Profiles whose latest event at or before `end` is within `days` of it. */
function activeWithin(table: EventTable, end: number, days: number): number {
	let active = 0;
	for (let p = 0; p < table.profileIds.length; p++) {
		// The profile's events are sorted by time: the first at or before the end, from the back, is its latest.
		for (let i = table.profileStart[p + 1] - 1; i >= table.profileStart[p]; i--) {
			if (table.time[i] <= end) {
				if (table.time[i] >= end - days * DAY_MS) active++;
				break;
			}
		}
	}
	return active;
}

/** Events per type at or before `end` (the as-of moment: what training sees), busiest first. */
function typeVolumes(table: EventTable, goal: Goal | undefined, end = Infinity): { type: string; events: number }[] {
	const kept = goal ? keptMask(table, goal.exclusions) : undefined;
	const counts = new Float64Array(table.types.length);
	for (let i = 0; i < table.length; i++) if ((!kept || kept[i]) && table.time[i] <= end) counts[table.type[i]]++;
	return table.types
		.map((type, t) => ({ type, events: counts[t] }))
		.filter((entry) => entry.events > 0)
		.sort((a, b) => b.events - a.events || (a.type < b.type ? -1 : 1));
}

function unique(values: string[]): string[] {
	return [...new Set(values)];
}

function round(days: number): number {
	return Math.round(days * 10) / 10;
}
