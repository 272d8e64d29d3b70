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
import { type DataRange, dataRange, isoDay, minimumHistoryDays, planCutoffs } from './cutoffs';
import { type CutoffCounts, judgeCutoffs } from './examples';
import { maxCategories } from './generate';

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
	/** Event types in the data (excluded events not counted), busiest first. */
	readonly eventTypes: { readonly type: string; readonly events: number }[];
	/** Fields the goal names that the events lack. */
	readonly fieldsMissing: string[];
	/** Event types the goal names that the events lack. */
	readonly typesMissing: string[];
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
 * warehouse (core/warehouse/readiness.ts counts the same things by SQL).
 */
export interface ReadinessData {
	readonly range: DataRange | undefined;
	readonly mismatches: readonly DataProblem[];
	/** The cutoffs (see planCutoffs); throws InputError when none fit. */
	cutoffs(): number[];
	judge(cutoffs: readonly number[]): CutoffCounts[];
	/** Events per type, busiest first; with the goal, excluded events are not counted. */
	typeVolumes(goal: Goal | undefined): { type: string; events: number }[];
	/** Distinct values of a text attribute, undefined for other fields. */
	distinctValues(field: string): number | undefined;
}

/** The readiness data of an in-memory table. */
export function tableReadinessData(table: EventTable, goal: Goal, asOf: number | undefined): ReadinessData {
	return {
		range: dataRange(table, asOf),
		mismatches: goalDataProblems(goal, table),
		cutoffs: () => planCutoffs(table, goal, { asOf }),
		judge: (cutoffs) => judgeCutoffs(table, goal, cutoffs),
		typeVolumes: (forGoal) => typeVolumes(table, forGoal),
		distinctValues: (field) => {
			const column = attributeColumn(table, field);
			return column?.kind === 'category' ? column.dictionary.length : undefined;
		},
	};
}

/** Whether the events can train this goal, with counts per cutoff and every problem explained. */
export function assessReadiness(table: EventTable, goal: Goal, options: ReadinessOptions = {}): ReadinessReport {
	return assessReadinessOf(tableReadinessData(table, goal, options.asOf), goal, options);
}

/** assessReadiness over any events' readiness data. */
export function assessReadinessOf(data: ReadinessData, goal: Goal, options: ReadinessOptions = {}): ReadinessReport {
	const minimums = { positives: options.minPositives ?? 500, negatives: options.minNegatives ?? 500 };
	const problems: ReadinessProblem[] = [];
	const warnings: ReadinessProblem[] = [];
	const range = data.range;
	const neededDays = goal.lookbackDays + goal.outcome.windowDays;
	const availableDays = range ? (range.end - range.start) / DAY_MS : 0;
	const mismatches = data.mismatches;
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
			history: { start: range ? new Date(range.start).toISOString() : null, end: range ? new Date(range.end).toISOString() : null, availableDays: round(availableDays), neededDays },
			eventTypes: mismatches.length ? data.typeVolumes(undefined) : data.typeVolumes(goal),
			fieldsMissing: unique(mismatches.flatMap((m) => (m.missingField ? [m.missingField] : []))),
			typesMissing: unique(mismatches.flatMap((m) => (m.missingType ? [m.missingType] : []))),
		};
	};

	for (const mismatch of mismatches) problems.push({ code: 'goal-data-mismatch', message: `${mismatch.path}: ${mismatch.message}.` });
	if (mismatches.length) return report([]);

	let planned: number[];
	try {
		planned = data.cutoffs();
	} catch (error) {
		if (!(error instanceof PropensityError)) throw error;
		problems.push({ code: error.code, message: error.message });
		return report([]);
	}
	const counts = data.judge(planned);
	const cutoffs = counts.map((c, k): CutoffReadiness => ({ ...c, date: new Date(c.cutoff).toISOString(), role: k === counts.length - 1 ? 'validation' : 'training' }));
	const result = report(cutoffs);

	if (availableDays < neededDays) {
		warnings.push({
			code: 'short-history',
			message:
				`The events cover ${round(availableDays)} days; ${neededDays} (lookbackDays ${goal.lookbackDays} + window ${goal.outcome.windowDays}) would give every cutoff its full lookback. ` +
				`Earlier cutoffs see less history. Load more history or lower lookbackDays to ${Math.max(minimumHistoryDays(goal), Math.floor(availableDays) - goal.outcome.windowDays)}.`,
		});
	}
	if (planned.length < 2) {
		problems.push({
			code: 'one-cutoff',
			message:
				`Only one cutoff (${isoDay(planned[0])}) fits in the history, and training needs at least two: earlier ones to learn from, the latest to validate on. ` +
				`Load more history, or lower training.spacingDays (now ${goal.training.spacingDays ?? goal.outcome.windowDays}) or outcome.windowDays (now ${goal.outcome.windowDays}).`,
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
	return `To get more: load a longer history (more cutoffs fit), widen the eligibility conditions, or ${window}.`;
}

function typeVolumes(table: EventTable, goal: Goal | undefined): { type: string; events: number }[] {
	const kept = goal ? keptMask(table, goal.exclusions) : undefined;
	const counts = new Float64Array(table.types.length);
	for (let i = 0; i < table.length; i++) if (!kept || kept[i]) counts[table.type[i]]++;
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
