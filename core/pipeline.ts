/**
 * The handful of entry points every adapter calls — n8n nodes, Node-RED nodes and the CLI —
 * so that what a node does is parameter plumbing around one of these:
 *
 *   loadEvents → defineGoal → trainModel → scoreProfiles → explainProfiles → buildSegment
 *
 * plus the model store (saveModel / loadModel) and the report (renderModelReport).
 */
import { parseIsoTime, parseZone } from './events/time';
import type { LoadReport, LoadSummary } from './events/report';
import type { EventTable } from './events/table';
import { InputError, PropensityError } from './errors';
import { buildExamples, judgeExamples, type Examples } from './features/examples';
import { type CutoffPlan, type DataRange, checkAsOf, dataRange, heldOutShare, planTraining } from './features/cutoffs';
import { buyTillYouDieSummary, fitBuyTillYouDie, withBuyTillYouDie } from './features/buyTillYouDie';
import type { FeatureDecl } from './features/declaration';
import { generateFeatures } from './features/generate';
import { describeFutureEvents, presentAsOf } from './features/present';
import { type SampleRecord, checkMaxExamples, checkMemoryBudget, classCounts, examplesCap, planSample, recordSample, sampleExamples } from './features/sample';
import { checkGoalAgainstData } from './goal/check';
import { describeGoal } from './goal/describe';
import { parseGoal, parseGoalReadingAliases } from './goal/parse';
import { describeAliases } from './goal/aliases';
import { assessReadiness, assessReadinessOf, type PlannedJudgement, type ReadinessProblem, type ReadinessReport } from './features/readiness';
import { goalWarnings } from './goal/warnings';
import type { Goal } from './goal/schema';
import type { SelectionRecord } from './learn/auto';
import { rowsOf, selectRows, type LabelledDataset } from './learn/dataset';
import { holdoutSplit } from './learn/split';
import { learnerNames, parseLearnerChoice, type LearnerOptions } from './learn/train';
import { buildModel } from './model/build';
import { type TableSource, type TableTraining, type TableTrainingOptions, trainOnTable } from './model/table';
import { parseModel, serializeModel, writeModel } from './model/io';
import type { Model } from './model/schema';
import { type EventActivity, monitoringReference, tableActivity } from './monitor/reference';
import { buildInsights } from './report/insights';
import { renderReport } from './report/render';
import { listedProfiles, renderScoringReport, type ListedProfile, type ScoringSegment } from './report/scoring';
import { summariseScores } from './report/summary';
import type { SegmentResult } from './segment/build';
import type { ScoredFileProfile } from './segment/files';
import { packageVersion } from './version';
import { reportInputOf } from './report/schema';
import type { ReportInput } from './report/types';
import { scoreEvents, type ScoreOptions, type ScoreRun } from './score/run';
import type { BucketBoundaries } from './score/types';
import { checkStoreName } from './util/names';
import type { ModelVersionInfo, Store } from './store/types';
import type { ScoringRunInfo } from './store/runs';
import { runRecordOf } from './monitor/record';
import { monitorRuns, type MonitorOptions, type MonitorResult } from './monitor/monitor';
import { warehouseEvents } from './warehouse/runs';
import type { WorkHooks } from './util/progress';
import type { MappingOptions } from './events/mapping';
import { type WarehouseExamples, buildWarehouseExamples } from './warehouse/examples';
import type { WarehouseClient } from './warehouse/client';
import type { EventColumns } from './warehouse/columns';
import {
	allEventTypes,
	typesTable,
	warehouseActivity,
	warehouseReadinessData,
	type WarehouseReadinessData,
	withWarehouse,
	withWarehouseConnection,
} from './warehouse/data';
import { describeSource, type WarehouseSource } from './warehouse/source';
import { referenceTo, type WarehouseReference } from './warehouse/reference';
import { summarizeWarehouse, type WarehouseSummary } from './warehouse/summary';
import { describeScoresTable, scoreIntoWarehouse, scoresTableName, type WarehouseScoreSummary } from './warehouse/scores';
import {
	explainScoredProfiles,
	type ScoresRun,
	type WarehouseExplained,
	type WarehouseExplainOptions,
	type WarehouseSegmentOptions,
	segmentScoresTable,
} from './warehouse/segment';
import { eventsOnConnection } from './warehouse/profiles';
import { rangeOfTypes, type TableTypes, warehouseFeatureStats } from './warehouse/stats';
import { declareFeatures } from './features/generate';
import type { FeatureTable } from './features/table';
import { DAY_MS } from './util/days';

export { loadEvents, type EventSource, type LoadOptions, type LoadResult } from './events/load';
export { loadOptionsFromForm, type LoadForm } from './events/form';
export { encodeEventTable, decodeEventTable } from './events/codec';
export {
	explainProfiles,
	explainProfilesEach,
	defaultTopK,
	type ExplainProfilesOptions,
	type ExplainedProfiles,
	type ExplainedEach,
	type ExplainOutcome,
} from './score/explain';
export { buildSegment, resendSegmentRun, parseSegmentRule, parseRuleText, parseRuleTexts, describeRule } from './segment';
export { openStore, type StoreConfig, type Store } from './store';
export { parseModel, serializeModel } from './model/io';
export type { ScoreRun, ScoreSummary } from './score/run';
export { writeScoresFile } from './score/files';
export { trainOnTable, tableModelName, tableHoldoutShare, type TableSource, type TableTraining, type TableTrainingOptions } from './model/table';
export { scoreTableSummary, type TableScoreSummary } from './score/table';
export { scoreTable, tableScoresCsv, type TableScore, type TableScores } from './score/table';
export { monitorModel, monitorRuns, type MonitorOptions, type MonitorResult } from './monitor/monitor';
export { parseThresholds, type Thresholds, type Verdict } from './monitor/verdict';
export { renderMonitorReport } from './report/monitor';
export { renderScoringReport, type ScoringReportInput } from './report/scoring';

/** `YYYY-MM-DD` alone: a calendar day, not a moment. */
const dateOnly = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A moment given as ISO 8601 text, epoch milliseconds or a Date; undefined stays undefined.
 * Text without a zone is read in `timeZone` (UTC by default). A date without a time
 * (`2026-05-31`) means the END of that day (23:59:59.999 in the zone), so "as of the 31st"
 * counts the 31st's events; a time, even `T00:00`, is taken as written.
 */
export function parseMoment(value: string | number | Date | undefined | null, what = 'as-of date', timeZone?: string): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	if (value instanceof Date) value = value.getTime();
	if (typeof value === 'number') {
		if (Number.isFinite(value)) return value;
	} else {
		const text = value.trim();
		const zone = parseZone(timeZone?.trim() || 'UTC');
		const parsed = parseIsoTime(dateOnly.test(text) ? `${text}T23:59:59.999` : text, zone);
		if (typeof parsed === 'number') return parsed;
	}
	throw new InputError(
		`The ${what} "${String(value)}" is not a date: use ISO 8601, e.g. "2026-05-01" (the end of that day) or "2026-05-01T00:00:00Z" (that exact moment).`,
		'bad-date',
	);
}

/** A moment as the ISO 8601 UTC text every command and node prints, e.g. "2026-05-31T23:59:59.999Z". */
export function momentText(moment: number): string {
	return new Date(moment).toISOString();
}

export interface GoalCheck {
	readonly goal: Goal;
	/** The goal in words a marketer reads. */
	readonly inWords: string;
	/** Present when events were given: can they train this goal? */
	readonly readiness?: ReadinessReport;
	/** What looks wrong in the goal (e.g. a churn goal whose outcome will happen), with or without events. */
	readonly warnings: readonly ReadinessProblem[];
}

export interface ReadinessSettings {
	/** The present moment: later events are ignored. A date alone means the end of that day. */
	readonly asOf?: string | number | Date;
	/**
	 * The present moment (UTC ms; adapters pass Date.now()): events after it are reported, and
	 * the default as-of (the latest event) ignores them. Absent: every event counts.
	 */
	readonly now?: number;
	/** The zone of an as-of date or time written without one (default UTC). */
	readonly timeZone?: string;
	readonly minPositives?: number;
	readonly minNegatives?: number;
}

/** Validates a goal and, given events, checks it against them (fields and types exist) and assesses readiness. */
export function defineGoal(input: unknown, table?: EventTable, settings: ReadinessSettings = {}): GoalCheck {
	const { goal, aliases } = parseGoalReadingAliases(input);
	const inWords = [describeGoal(goal), describeAliases(aliases)].filter((text) => text !== '').join(' ');
	if (!table) return { goal, inWords, warnings: goalWarnings(goal) };
	checkGoalAgainstData(goal, table);
	const readiness = readinessAt(table, goal, settings, presentMoment(table, settings));
	return { goal, inWords, readiness, warnings: readiness.warnings };
}

/** The as-of a run on these events uses (see presentAsOf), and whether it was given. */
function presentMoment(table: EventTable, settings: ReadinessSettings): ReturnType<typeof presentAsOf> & { readonly explicit: boolean } {
	const explicit = parseMoment(settings.asOf, 'as-of date', settings.timeZone);
	return { ...presentAsOf(table, explicit, settings.now), explicit: explicit !== undefined };
}

/** Readiness as of the present moment, counting training's plan and judgement when given. */
function readinessAt(
	table: EventTable,
	goal: Goal,
	settings: ReadinessSettings,
	present: ReturnType<typeof presentMoment>,
	judged?: PlannedJudgement,
): ReadinessReport {
	const options = { asOf: present.asOf, minPositives: settings.minPositives, minNegatives: settings.minNegatives };
	const readiness = assessReadiness(table, goal, options, judged);
	if (present.future) readiness.warnings.push({ code: 'future-events', message: describeFutureEvents(present.future, present.explicit) });
	return readiness;
}

/**
 * The cutoff plan and the judgement of every profile at its cutoffs: the one walk that both
 * readiness counts and the examples are built from (with progress and cancellation). Undefined
 * when no plan fits, which readiness then explains.
 */
async function planAndJudge(table: EventTable, goal: Goal, asOf: number | undefined, hooks?: WorkHooks): Promise<PlannedJudgement | undefined> {
	let plan: CutoffPlan;
	try {
		plan = planTraining(table, goal, { asOf });
	} catch (error) {
		if (error instanceof PropensityError) return undefined;
		throw error;
	}
	return { plan, judgement: await judgeExamples(table, goal, plan.cutoffs, hooks) };
}

export interface TrainSettings extends ReadinessSettings {
	/** The model's name (default: the goal's name). */
	readonly name?: string;
	/** The learner, by name or alias: auto (default), gbdt, logistic, rf / forest, nb / naiveBayes. */
	readonly learner?: string;
	readonly learnerOptions?: LearnerOptions;
	/** Seeds every random choice (default 1): the same events, goal and seed give the same model bytes. */
	readonly seed?: number;
	/** Above this many example rows (profile × cutoff), training keeps every positive and a seeded sample of negatives (default 2,000,000). */
	readonly maxExamples?: number;
	/**
	 * Megabytes the examples may take in training (default defaultMemoryBudgetMb: none; null: none):
	 * the cap is lowered to the rows it holds when the features are many (see examplesCap).
	 */
	readonly memoryBudgetMb?: number | null;
	readonly boundaries?: BucketBoundaries;
	/** The load's report and summary, for the report's data-quality section. */
	readonly load?: { readonly report?: LoadReport; readonly summary: LoadSummary };
}

export interface TrainOutcome {
	readonly model: Model;
	/** The model JSON, as stored and written to files. */
	readonly modelText: string;
	readonly readiness: ReadinessReport;
	readonly insights: ReportInput;
	/** The learners tried, with their measured fit times (the model keeps them without times). */
	readonly selection: SelectionRecord;
	/** The self-contained HTML insights report. */
	readonly reportHtml: string;
	/** A short JSON summary for a node's output or a terminal. */
	readonly summary: TrainSummary;
}

export interface TrainSummary {
	readonly name: string;
	readonly goal: string;
	readonly propensityType: Model['propensityType'];
	readonly learner: string;
	readonly auc: number | null;
	readonly logLoss: number | null;
	readonly brier: number | null;
	readonly baseRate: number | null;
	readonly grade: string;
	readonly poor: boolean;
	readonly advice: readonly string[];
	readonly trainingRows: number;
	readonly validationRows: number;
	readonly features: number;
	readonly cutoffs: readonly string[];
	/** How the cutoffs were chosen and why, in words (null for a table). */
	readonly cutoffPlan: { readonly chosenBy: 'goal' | 'automatic'; readonly spacingDays: number; readonly reason: string } | null;
	readonly asOf: string | null;
	readonly selection: string;
	readonly notes: readonly string[];
}

/**
 * Trains a model for a goal on events: checks readiness (refusing with what to change), declares
 * features, builds point-in-time examples at several cutoffs, trains on the earlier cutoffs and
 * validates on the latest, calibrates, explains a sample and renders the report.
 */
export async function trainModel(table: EventTable, goalInput: unknown, settings: TrainSettings = {}, hooks?: WorkHooks): Promise<TrainOutcome> {
	// Before any work: a mistyped learner (from a node expression, say) is bad input, not a crash later;
	// and a name the store would refuse is refused now, not after training (the goal's name is checked with the goal).
	parseLearnerChoice(settings.learner ?? 'auto');
	const givenName = settings.name?.trim() || undefined;
	if (givenName !== undefined) checkStoreName(givenName, 'model');
	checkMaxExamples(settings.maxExamples);
	checkMemoryBudget(settings.memoryBudgetMb);
	const { goal } = parseGoalReadingAliases(goalInput);
	checkGoalAgainstData(goal, table);
	const present = presentMoment(table, settings);
	const asOf = present.asOf;
	const judged = await planAndJudge(table, goal, asOf, hooks);
	const readiness = readinessAt(table, goal, settings, present, judged);
	refuseUnready(goal, readiness);
	const { plan, judgement } = judged as PlannedJudgement;
	const cutoffs = plan.cutoffs;
	const last = cutoffs.length - 1;
	const declarations = await withBuyTillYouDie(table, goal, generateFeatures(table, goal, { asOf }), cutoffs[last], hooks, judgement);
	const all = await buildExamples(table, goal, declarations, { cutoffs, judged: judgement }, hooks);
	const sample = planSample(readiness.totals.positives, readiness.totals.negatives, examplesCap(settings, declarations.length), settings.seed ?? 1);
	const examples = sample ? sampleExamples(all, table.profileIds, sample) : all;
	const range = dataRange(table, asOf);
	const activity = tableActivity(table, cutoffs[last], range?.end ?? cutoffs[last]);
	const sampled = sample && recordSample(sample, readiness.totals, classCounts(examples.data.label));
	return trainOnExamples(
		{ goal, readiness, declarations, examples, profileIds: table.profileIds, range, asOf, plan, activity, sample: sampled },
		settings,
		hooks,
	);
}

/** Checks the goal against the warehouse's fields and types and assesses readiness there. */
export async function assessWarehouse(
	client: WarehouseClient,
	columns: EventColumns,
	goalInput: unknown,
	settings: ReadinessSettings = {},
): Promise<{ goal: Goal; inWords: string; readiness: ReadinessReport }> {
	const { goal, readiness } = await judgeWarehouseReadiness(client, columns, goalInput, settings);
	return { goal, inWords: describeGoal(goal), readiness };
}

/** The goal, the readiness report and the warehouse's readiness data (range and cutoff plan), which training reuses. */
async function judgeWarehouseReadiness(
	client: WarehouseClient,
	columns: EventColumns,
	goalInput: unknown,
	settings: ReadinessSettings,
	planned?: (goal: Goal, allTypes: TableTypes, plan: CutoffPlan, profiles: number) => void,
): Promise<{ goal: Goal; readiness: ReadinessReport; data: WarehouseReadinessData; allTypes: TableTypes }> {
	const goal = parseGoal(goalInput);
	const allTypes = await allEventTypes(client, columns);
	checkGoalAgainstData(goal, typesTable(columns, allTypes));
	const asOf = parseMoment(settings.asOf, 'as-of date', settings.timeZone);
	checkAsOf(asOf);
	const data = await warehouseReadinessData(client, columns, goal, asOf, allTypes, planned && ((plan, profiles) => planned(goal, allTypes, plan, profiles)));
	const readiness = assessReadinessOf(data, goal, { asOf, minPositives: settings.minPositives, minNegatives: settings.minNegatives });
	return { goal, readiness, data, allTypes };
}

/**
 * Trains a model on a warehouse table: the same model (trees, calibration, report) as
 * trainModel on the same events loaded into memory.
 */
export async function trainWarehouse(
	client: WarehouseClient,
	columns: EventColumns,
	goalInput: unknown,
	settings: TrainSettings = {},
	hooks?: WorkHooks,
): Promise<TrainOutcome> {
	parseLearnerChoice(settings.learner ?? 'auto');
	checkMaxExamples(settings.maxExamples);
	checkMemoryBudget(settings.memoryBudgetMb);
	// The statistics need only the plan: the warehouse counts them (two statements, one after the
	// other) while it counts readiness, and the buy-till-you-die fit's histories once readiness is done.
	// One read for the statistics, which also counts the monitoring reference's active profiles; readiness already counted the table's profiles and types.
	const countStats = (goal: Goal, allTypes: TableTypes, last: number, profiles: number) => {
		const asOf = parseMoment(settings.asOf, 'as-of date', settings.timeZone);
		return warehouseFeatureStats(
			client,
			columns,
			goal,
			{ asOf },
			{ types: allTypes, profiles: asOf === undefined ? profiles : undefined, profilesBy: last },
		);
	};
	let counting: Promise<WarehouseStats> | undefined;
	const startStats = (goal: Goal, allTypes: TableTypes, plan: CutoffPlan, profiles: number) => {
		counting = countStats(goal, allTypes, plan.cutoffs[plan.cutoffs.length - 1], profiles);
		// Waited for below, or on the way out when readiness fails first.
		counting.catch(() => undefined);
	};
	let summary: Promise<WarehouseExamples> | undefined;
	try {
		const { goal, readiness, data, allTypes } = await judgeWarehouseReadiness(client, columns, goalInput, settings, startStats);
		refuseUnready(goal, readiness);
		const asOf = parseMoment(settings.asOf, 'as-of date', settings.timeZone);
		// Readiness already read the range and planned the cutoffs (an unready plan was refused above).
		const range: DataRange | undefined = data.range;
		const plan = data.plan();
		const cutoffs = plan.cutoffs;
		const last = cutoffs[cutoffs.length - 1];
		// Readiness counted the groups each cutoff's aggregation holds: the examples' queries need not count them again.
		const groupsAt = (k: number) => data.groups[k];
		// Readiness counted the eligible rows: the examples' values are held in buffers of that size from the start.
		const atLast = readiness.cutoffs.find((cutoff) => cutoff.cutoff === last)?.eligible;
		// The fit reads the profiles with a goal event in their history only (the others' count is 0).
		summary = buildWarehouseExamples(client, columns, goal, buyTillYouDieSummary(goal), [last], undefined, {
			goalHistoriesOnly: true,
			groupsInReach: groupsAt(cutoffs.length - 1),
			expectedRows: atLast,
		});
		summary.catch(() => undefined);
		const stats = await (counting ?? countStats(goal, allTypes, last, data.profiles));
		const declared = declareFeatures(stats, goal, { asOf });
		const declarations = await fitBuyTillYouDie(goal, declared, () => summary as Promise<WarehouseExamples>);
		return await trainOnWarehouseExamples(client, columns, settings, hooks, { goal, readiness, data, allTypes, range, asOf, plan, declarations, stats });
	} catch (error) {
		// No statement is left running on the connection the caller is about to close.
		await Promise.allSettled([counting, summary]);
		throw error;
	}
}

type WarehouseStats = Awaited<ReturnType<typeof warehouseFeatureStats>>;

/** What trainWarehouse has counted before the examples: readiness, the plan, the statistics and the declarations. */
interface WarehouseCounted {
	readonly goal: Goal;
	readonly readiness: ReadinessReport;
	readonly data: WarehouseReadinessData;
	readonly allTypes: TableTypes;
	readonly range: DataRange | undefined;
	readonly asOf: number | undefined;
	readonly plan: CutoffPlan;
	readonly declarations: FeatureDecl[];
	readonly stats: WarehouseStats;
}

/** The examples computed in the warehouse from what trainWarehouse counted, and the model trained on them here. */
async function trainOnWarehouseExamples(
	client: WarehouseClient,
	columns: EventColumns,
	settings: TrainSettings,
	hooks: WorkHooks | undefined,
	{ goal, readiness, data, allTypes, range, asOf, plan, declarations, stats }: WarehouseCounted,
): Promise<TrainOutcome> {
	const cutoffs = plan.cutoffs;
	const last = cutoffs[cutoffs.length - 1];
	hooks?.onProgress?.({ stage: 'computing features in the warehouse', done: 0, total: cutoffs.length, unit: 'cutoffs' });
	// The sample is chosen from readiness's counts, before any example leaves the warehouse.
	const sample = planSample(readiness.totals.positives, readiness.totals.negatives, examplesCap(settings, declarations.length), settings.seed ?? 1);
	const judged = data.groups.length === cutoffs.length;
	const total = (counts: readonly number[]) => counts.reduce((sum, count) => sum + count, 0);
	const examples = await buildWarehouseExamples(client, columns, goal, declarations, cutoffs, sample, {
		groupsInReach: judged ? total(data.groups) : undefined,
		goalGroupsInReach: judged ? total(data.goalGroups) : undefined,
		expectedRows: sample ? Math.min(readiness.totals.eligible, keptAtMost(sample.maxExamples)) : readiness.totals.eligible,
	});
	if (examples.data.rows === 0) throw new InputError(`No profile is eligible at any cutoff in ${client.source.table}.`, 'no-examples');
	const activity = await warehouseActivity(client, columns, last, range?.end ?? last, { types: allTypes, activeProfiles: stats.profilesBy });
	const sampled = sample && recordSample(sample, readiness.totals, classCounts(examples.data.label));
	return trainOnExamples(
		{ goal, readiness, declarations, examples, profileIds: examples.profileIds, range, asOf, plan, activity, sample: sampled },
		settings,
		hooks,
	);
}

/**
 * The rows a sample capped at `cap` keeps, generously: a hash of each profile decides, so a
 * little more or less than the cap (2,000,069 of a 2,000,000 cap at 20,000,000 events; the
 * spread is about the square root of the cap). Buffers sized by it are never short in practice
 * (they would grow), and never sized by a warehouse's every eligible row.
 */
function keptAtMost(cap: number): number {
	return Math.ceil(cap * 1.01 + 8 * Math.sqrt(cap));
}

/** What Load Events outputs for a table in place: the reference and a summary counted by SQL. */
export async function describeWarehouseTable(
	source: WarehouseSource,
	mapping: MappingOptions,
	connection?: string,
): Promise<{ reference: WarehouseReference; summary: WarehouseSummary }> {
	const summary = await withWarehouse(source, mapping, (client, columns) => summarizeWarehouse(client, source, columns));
	return { reference: referenceTo(source, mapping, connection), summary };
}

/** Define Goal on a table in place: the goal checked against the table and readiness counted there. */
export async function defineGoalInWarehouse(
	source: WarehouseSource,
	mapping: MappingOptions,
	goalInput: unknown,
	settings: ReadinessSettings = {},
): Promise<GoalCheck> {
	const { goal, inWords, readiness } = await withWarehouse(source, mapping, (client, columns) => assessWarehouse(client, columns, goalInput, settings));
	return { goal, inWords, readiness, warnings: [...goalWarnings(goal), ...readiness.warnings] };
}

/** Train Model on a table in place: examples computed in the warehouse, the model trained here. */
export async function trainInWarehouse(
	source: WarehouseSource,
	mapping: MappingOptions,
	goalInput: unknown,
	settings: TrainSettings = {},
	hooks?: WorkHooks,
): Promise<TrainOutcome> {
	return withWarehouse(source, mapping, (client, columns) => trainWarehouse(client, columns, goalInput, settings, hooks));
}

/**
 * Score Profiles on a table in place: every eligible profile scored as of the date, one row
 * each appended to a scores table in the same warehouse; only the run's summary comes back.
 */
export async function scoreInWarehouse(
	source: WarehouseSource,
	mapping: MappingOptions,
	model: Model,
	settings: WarehouseScoreSettings,
	hooks?: WorkHooks,
): Promise<WarehouseScoreSummary> {
	return withWarehouse(source, mapping, (client, columns) => scoreWarehouse(client, columns, model, settings, hooks));
}

/** Monitor Model on a table in place: the backtests judged there (see monitorWarehouse). */
export async function monitorInWarehouse(
	source: WarehouseSource,
	mapping: MappingOptions,
	store: Store,
	name: string,
	options: MonitorOptions = {},
	hooks?: WorkHooks,
): Promise<MonitorResult> {
	return withWarehouse(source, mapping, (client, columns) => monitorWarehouse(store, name, client, columns, options, hooks));
}

/**
 * The features (and labels) of the eligible profiles as of a moment, computed in the warehouse:
 * the same table as featureTable on the events loaded into memory.
 */
export async function warehouseFeatureTable(
	client: WarehouseClient,
	columns: EventColumns,
	goal: Goal,
	options: { readonly asOf?: number; readonly topTypes?: number } = {},
): Promise<FeatureTable & { readonly profileIds: readonly string[] }> {
	// One grouped count gives the types the goal check reads and the data range.
	const types = await allEventTypes(client, columns);
	checkGoalAgainstData(goal, typesTable(columns, types));
	const range = rangeOfTypes(types);
	if (!range) throw new InputError(`${describeSource(client.source)} holds no events.`, 'no-events');
	const asOf = options.asOf ?? range.end;
	const declared = declareFeatures(await warehouseFeatureStats(client, columns, goal, { topTypes: options.topTypes }, { types }), goal, {
		topTypes: options.topTypes,
	});
	// The buy-till-you-die features, fitted on the histories as of the moment, as featureTable does in memory.
	const features = await fitBuyTillYouDie(goal, declared, (summary) =>
		buildWarehouseExamples(client, columns, goal, summary, [asOf], undefined, { goalHistoriesOnly: true }),
	);
	const labelled = asOf + goal.outcome.windowDays * DAY_MS <= range.end;
	const rows = await buildWarehouseExamples(client, columns, goal, features, [asOf]);
	return {
		features,
		asOf,
		lastEvent: range.end,
		labelled,
		profile: rows.profile,
		columns: rows.data.columns,
		label: labelled ? rows.data.label : undefined,
		profileIds: rows.profileIds,
	};
}

export interface WarehouseScoreSettings {
	/** The scores table to append the run to: TABLE, or SCHEMA.TABLE on PostgreSQL. Created when missing. */
	readonly scoresTable: string;
	/** The score date; default the latest event. A date alone means the end of that day in `timeZone`. */
	readonly asOf?: string | number | Date;
	readonly timeZone?: string;
	readonly boundaries?: BucketBoundaries;
	/** The model's version in a store, written on every row. */
	readonly modelVersion?: number | null;
	/** Remember the run in this store for Monitor Model (what monitoring needs; the rows stay in the scores table). */
	readonly store?: Store;
	/** Runs kept per model name in the store (default 60). */
	readonly keepRuns?: number;
}

/**
 * Scores every profile eligible as of the score date in the warehouse and appends one row per
 * profile to its scores table, atomically: the features are computed there, the probabilities
 * in process from streamed batches (equal to scoreProfiles on the same events), the rows
 * written back. Nothing of the events is loaded.
 */
export async function scoreWarehouse(
	client: WarehouseClient,
	columns: EventColumns,
	model: Model,
	settings: WarehouseScoreSettings,
	hooks?: WorkHooks,
): Promise<WarehouseScoreSummary & { readonly remembered?: ScoringRunInfo }> {
	const asOf = parseMoment(settings.asOf, 'as-of date', settings.timeZone);
	checkAsOf(asOf);
	const { record, ...summary } = await scoreIntoWarehouse(
		client,
		columns,
		model,
		{ scoresTable: settings.scoresTable, asOf, boundaries: settings.boundaries, modelVersion: settings.modelVersion, record: settings.store !== undefined },
		hooks,
	);
	if (!settings.store || !record) return summary;
	return { ...summary, remembered: await settings.store.saveRun(record, settings.keepRuns) };
}

/**
 * Monitor Model on events in a warehouse: every remembered run of the name backtested by SQL
 * where the events are (a run scored into the warehouse read back from its scores table), with
 * drift and a verdict, as monitorModel does on events in memory.
 */
export async function monitorWarehouse(
	store: Store,
	name: string,
	client: WarehouseClient,
	columns: EventColumns,
	options: MonitorOptions = {},
	hooks?: WorkHooks,
): Promise<MonitorResult> {
	return monitorRuns(store, name, await warehouseEvents(client, columns), options, hooks);
}

/**
 * A segment over the latest run of a warehouse scores table: the rule runs as SQL there, only
 * the members come back, and entered / left are measured against the store's membership.
 */
export function segmentWarehouse(
	client: WarehouseClient,
	rules: unknown,
	options: WarehouseSegmentOptions,
): Promise<SegmentResult & { readonly run: ScoresRun }> {
	return segmentScoresTable(client, rules, options);
}

/** Where a segment over `scoresTable` runs, for the items and messages it hands on (never the password). */
export function scoresTableWhere(source: WarehouseSource, scoresTable: string): string {
	return describeScoresTable(source, scoresTableName(source, scoresTable));
}

/** Finds the model that scored a run in a store: the run's model name and version (the latest when the run has none). */
export function modelOfRun(store: Store): (run: ScoresRun) => Promise<Model> {
	return async (run) => (await loadModel(store, run.modelName, run.modelVersion ?? 'latest')).model;
}

/** What a segment over a warehouse scores table hands on beyond the scores, read from the events table. */
export interface WarehouseSegmentDetails {
	/** The model that scored the run (it computes the features and explains them), or how to find it once the run is known. */
	readonly model: Model | ((run: ScoresRun) => Promise<Model>);
	/** Top factors per profile handed on (0 or absent: attributes only). Factor rules need at least 1. */
	readonly explain?: number;
	/** How the events table's columns map to the event fields (as when scoring). */
	readonly mapping?: MappingOptions;
}

export interface WarehouseSegmentSettings extends Omit<WarehouseSegmentOptions, 'events'> {
	/** With these, the rows handed on carry attributes and factors, and rules on them apply. */
	readonly details?: WarehouseSegmentDetails;
}

/**
 * segmentWarehouse over its own connection to the warehouse `source` is on (the scores table is
 * `options.scoresTable` in the same database); with `details`, `source`'s table is the events
 * table the run was scored from, read for the attributes and factors of the profiles handed on.
 * What the host nodes call with the reference Load Events handed on, and the CLI with its URLs.
 */
export function segmentInWarehouse(
	source: WarehouseSource,
	rules: unknown,
	options: WarehouseSegmentSettings,
): Promise<SegmentResult & { readonly run: ScoresRun }> {
	return withWarehouseConnection(source, async (client) => {
		const { details, ...rest } = options;
		const events = details
			? { columns: await eventsOnConnection(client, source, details.mapping), model: details.model, explain: details.explain }
			: undefined;
		return segmentWarehouse(client, rules, { ...rest, ...(events ? { events } : {}) });
	});
}

/**
 * Explain Factors on a table in place: the listed profiles of the latest run of `model` (or of
 * the model a finder such as modelOfRun gives for the latest run) in the scores table beside
 * `source`'s events table, their features computed there by SQL as of the run's score date and
 * explained in this process. What the host nodes call with the reference
 * Load Events handed on, and `propensity explain --events URL` with its URL.
 */
export function explainInWarehouse(
	source: WarehouseSource,
	mapping: MappingOptions | undefined,
	model: Model | ((run: ScoresRun) => Promise<Model>),
	profileIds: readonly string[],
	options: WarehouseExplainOptions,
): Promise<WarehouseExplained> {
	return withWarehouseConnection(source, async (client) =>
		explainScoredProfiles(client, await eventsOnConnection(client, source, mapping), model, profileIds, options),
	);
}

/** Refuses training when readiness found problems, naming each and what to change. */
export function refuseUnready(goal: Goal, readiness: ReadinessReport): void {
	if (!readiness.ready) {
		throw new InputError(
			`The events cannot train the goal "${goal.name}" yet: ${readiness.problems.map((problem) => problem.message).join(' ')}`,
			'not-ready',
			readiness,
		);
	}
}

/** What training needs once the examples exist, wherever they were computed (in memory or in a warehouse). */
export interface PreparedTraining {
	readonly goal: Goal;
	readonly readiness: ReadinessReport;
	readonly declarations: FeatureDecl[];
	readonly examples: Pick<Examples, 'data' | 'cutoffIndex' | 'cutoffs' | 'perCutoff' | 'profile'>;
	/** The id of each profile number in `examples.profile`: held-out profiles are chosen by id, so both paths hold out the same people. */
	readonly profileIds: readonly string[];
	readonly range: DataRange | undefined;
	readonly asOf: number | undefined;
	/** How the cutoffs were chosen (the model records it). */
	readonly plan: CutoffPlan;
	/** For the monitoring reference: profiles active by the validation cutoff, event types by the end. */
	readonly activity: EventActivity;
	/** How the examples were sampled above the cap (absent when every eligible row is there). */
	readonly sample?: SampleRecord;
}

/** Trains, calibrates, explains and reports from prepared examples: the part of trainModel after the examples. */
export async function trainOnExamples(prepared: PreparedTraining, settings: TrainSettings = {}, hooks?: WorkHooks): Promise<TrainOutcome> {
	const learner = parseLearnerChoice(settings.learner ?? 'auto');
	const { goal, readiness, declarations, examples, profileIds, range, asOf, plan, activity, sample } = prepared;
	const cutoffs = examples.cutoffs;
	const seed = settings.seed ?? 1;
	hooks?.onProgress?.({ stage: 'examples ready', done: examples.data.rows, unit: 'examples' });
	const { train, validation, validationSplit } = splitByTime(examples, profileIds, plan, seed);
	const built = await buildModel({
		name: settings.name?.trim() || goal.name,
		goal,
		features: { mode: 'events', declarations },
		train,
		validation,
		validationSplit,
		learner,
		options: withBaseline(settings.learnerOptions ?? {}, declarations),
		seed,
		sample,
		dataRange: {
			firstEvent: range ? new Date(range.start).toISOString() : null,
			lastEvent: range ? new Date(range.end).toISOString() : null,
			cutoffs: cutoffs.map((cutoff) => new Date(cutoff).toISOString()),
			asOf: asOf === undefined ? null : new Date(asOf).toISOString(),
			plan: { chosenBy: plan.chosenBy, spacingDays: plan.spacingDays, holdOutProfiles: plan.holdOutProfiles, reason: plan.reason },
		},
		hooks,
	});
	const insights = await buildInsights(
		{
			model: built.model,
			learner: built.learner,
			validation: built.reported,
			validationProbabilities: built.calibration.crossFitted,
			selection: built.selection,
			choice: built.choice,
			readiness,
			load: settings.load,
			boundaries: settings.boundaries,
		},
		hooks,
	);
	const withInsights: Model = { ...built.model, insights };
	const last = examples.cutoffs.length - 1;
	// Measured with the final model on the validation rows, so a scoring run compares like with like.
	const monitoring = monitoringReference({
		activity,
		model: withInsights,
		validation,
		cutoff: examples.cutoffs[last],
		eligible: examples.perCutoff[last].eligible,
		end: range?.end ?? examples.cutoffs[last],
	});
	const written: Model = { ...withInsights, monitoring };
	// The model as written, checksum included, so it reads again wherever it is handed on as an object.
	const { text: modelText, model } = writeModel(written);
	return {
		model,
		modelText,
		readiness,
		insights,
		selection: built.selection,
		reportHtml: renderReport(insights),
		summary: summarizeTraining(model, model.metrics.validation.rows),
	};
}

/**
 * `auto` also weighs the buy-till-you-die chance of the outcome alone (a logistic regression on
 * it) when the goal has it: on short histories, where trees learn from few profiles, that baseline can rank
 * better than the trees, and the choosing half of the validation rows decides. A user's own
 * `auto` settings win.
 */
function withBaseline(options: LearnerOptions, declarations: readonly FeatureDecl[]): LearnerOptions {
	// The chance of the outcome within the window alone: the chance of being active ranks new customers (no repeat yet, so surely active) first.
	const baseline = declarations.filter((decl) => decl.aggregate === 'repeatChance').map((decl) => decl.name);
	if (baseline.length === 0) return options;
	return { ...options, auto: { baselineFeatures: baseline, ...options.auto } };
}

/**
 * Validation is the latest cutoff (time-based, never a random split of the same moments).
 * When training cutoffs come closer than a window to it (short histories), a seeded share of
 * the profiles validates and is kept out of training at every cutoff. With a single cutoff
 * there is no later moment to hold out, so a seeded quarter of the profiles is held out
 * instead, and the model says so.
 */
function splitByTime(
	examples: PreparedTraining['examples'],
	profileIds: readonly string[],
	plan: CutoffPlan,
	seed: number,
): { train: LabelledDataset; validation: LabelledDataset; validationSplit: string } {
	const last = examples.cutoffs.length - 1;
	if (last > 0) {
		const trainRows: number[] = [];
		const validationRows: number[] = [];
		const held = plan.holdOutProfiles ? heldOutProfiles(examples.profile, profileIds, seed) : undefined;
		examples.cutoffIndex.forEach((c, r) => {
			if (!held) (c === last ? validationRows : trainRows).push(r);
			else if (c === last && held.has(examples.profile[r])) validationRows.push(r);
			else if (c < last && !held.has(examples.profile[r])) trainRows.push(r);
		});
		const date = new Date(examples.cutoffs[last]).toISOString().slice(0, 10);
		const earlier = `the ${last} earlier cutoff${last > 1 ? 's' : ''}`;
		// Examples are laid out by cutoff, so without held-out profiles both sides are runs of rows: views, not copies.
		return {
			train: rowsOf(examples.data, trainRows),
			validation: rowsOf(examples.data, validationRows),
			validationSplit: held
				? `the latest cutoff (${date}), on a seeded ${Math.round(heldOutShare * 100)}% of the profiles kept out of training: profiles as they were then, and what they did in the window after; training used the other profiles at ${earlier}`
				: `the latest cutoff (${date}): profiles as they were then, and what they did in the window after; training used ${earlier}`,
		};
	}
	const split = holdoutSplit(examples.data.label, 0.25, seed);
	return {
		train: selectRows(examples.data, split.train),
		validation: selectRows(examples.data, split.validation),
		validationSplit: 'a seeded 25% of the profiles at the only cutoff the history allows (a longer history would allow validation on a later cutoff)',
	};
}

/** A seeded share (heldOutShare) of the profiles seen in the examples, by a hash of profile and seed: the same data and seed hold out the same profiles. */
function heldOutProfiles(profiles: Uint32Array, profileIds: readonly string[], seed: number): Set<number> {
	const held = new Set<number>();
	const cut = Math.floor(heldOutShare * 0x100000000);
	for (const p of profiles) if (mix32(hashText(profileIds[p]), seed) < cut) held.add(p);
	return held;
}

/** FNV-1a over the UTF-16 code units of a text: a stable 32-bit number for a profile id. */
function hashText(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
	return h;
}

/** A 32-bit hash of two integers (murmur3's finaliser over their combination). */
function mix32(a: number, b: number): number {
	let h = (Math.imul(a >>> 0, 0x9e3779b1) ^ Math.imul(b >>> 0, 0x85ebca6b)) >>> 0;
	h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
	h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
	return (h ^ (h >>> 16)) >>> 0;
}

function summarizeTraining(model: Model, validationRows: number): TrainSummary {
	const v = model.metrics.validation;
	const plan = model.dataRange.plan;
	return {
		name: model.name,
		goal: model.goal ? describeGoal(model.goal) : model.name,
		propensityType: model.propensityType,
		learner: learnerNames[model.selection.winner],
		auc: v.auc,
		logLoss: v.logLoss,
		brier: v.brier,
		baseRate: v.baseRate,
		grade: v.grade.grade,
		poor: v.grade.poor,
		advice: v.grade.advice,
		trainingRows: model.metrics.training.rows,
		validationRows,
		features: model.features.mode === 'events' ? model.features.declarations.length : model.features.columns.length,
		cutoffs: model.dataRange.cutoffs,
		cutoffPlan: plan ? { chosenBy: plan.chosenBy, spacingDays: plan.spacingDays, reason: plan.reason } : null,
		asOf: model.dataRange.asOf,
		selection: model.selection.reason,
		notes: model.notes,
	};
}

export interface TableTrainSettings extends Omit<TableTrainingOptions, 'learner'> {
	/** The learner, by name or alias, as for trainModel (default auto). */
	readonly learner?: string;
}

export interface TableTrainOutcome {
	readonly model: Model;
	/** The model JSON, as stored and written to files. */
	readonly modelText: string;
	readonly selection: SelectionRecord;
	readonly notes: readonly string[];
	/** What was read and how it was split. */
	readonly table: TableTraining['table'];
	/** The summary trainModel gives, with what was read from the table. */
	readonly summary: TrainSummary & { readonly table: TableTraining['table'] };
}

/**
 * Trains a model on a profile table (one row per profile, numeric features and a 0/1 label),
 * validated on a seeded, stratified holdout: what `propensity train --table` and the nodes'
 * table mode run. The learner and the model's name are checked before the table is read.
 */
export async function trainTable(source: TableSource, settings: TableTrainSettings, hooks?: WorkHooks): Promise<TableTrainOutcome> {
	const learner = parseLearnerChoice(settings.learner ?? 'auto');
	const name = settings.name?.trim() || undefined;
	if (name !== undefined) checkStoreName(name, 'model');
	if (!settings.label?.trim()) {
		throw new InputError('Training on a profile table needs its label column: name the 0/1 outcome column (1 = the outcome happened).', 'missing-label');
	}
	const built = await trainOnTable(source, { ...settings, learner, name }, hooks);
	const { text: modelText, model } = writeModel(built.model);
	return {
		model,
		modelText,
		selection: built.selection,
		notes: built.notes,
		table: built.table,
		summary: { ...summarizeTraining(model, built.table.validationRows), table: built.table },
	};
}

export interface ScoreSettings extends Omit<ScoreOptions, 'asOf'> {
	/** Score as of this moment (default: the latest event). A date alone means the end of that day. */
	readonly asOf?: string | number | Date;
	/** The zone of an as-of date or time written without one (default UTC). */
	readonly timeZone?: string;
}

/** Scores every profile eligible as of a date (default: the latest event) with an events-mode model. */
export function scoreProfiles(table: EventTable, model: Model, settings: ScoreSettings = {}, hooks?: WorkHooks): Promise<ScoreRun> {
	const { timeZone, ...options } = settings;
	return scoreEvents(table, model, { ...options, asOf: parseMoment(settings.asOf, 'as-of date', timeZone) }, hooks);
}

/** Saves a model under its name (a new version) with a metrics summary for listings. */
export function saveModel(store: Store, model: Model, modelText = serializeModel(model)): Promise<ModelVersionInfo> {
	const v = model.metrics.validation;
	return store.saveModel(model.name, modelText, { auc: v.auc, grade: v.grade.grade, learner: model.selection.winner });
}

/** Loads a model by name (latest version unless one is given) and validates it. */
export async function loadModel(store: Store, name: string, version: number | 'latest' = 'latest'): Promise<{ model: Model; info: ModelVersionInfo }> {
	const { text, info } = await store.loadModel(name, version);
	return { model: parseModel(text), info };
}

/** Renders the insights report a model kept from its training (with its store version, when known). */
export function renderModelReport(model: Model, version: number | null = null): string {
	if (!model.insights) {
		throw new InputError(
			`The model "${model.name}" holds no insights to report on (it was trained on a profile table, or by an older version): train it again to get its report.`,
			'no-insights',
		);
	}
	const insights = reportInputOf(model.insights, model.name);
	return renderReport({ ...insights, model: { ...insights.model, version: version ?? insights.model.version } });
}

/** The scoring date a run will use: the as-of date, or the latest event. */
export function scoreDateOf(table: EventTable, asOf?: string | number | Date, timeZone?: string, now?: number): string | null {
	const moment = presentAsOf(table, parseMoment(asOf, 'as-of date', timeZone), now).asOf ?? dataRange(table)?.end;
	return moment === undefined ? null : new Date(moment).toISOString();
}

/**
 * Remembers a scoring run in the store under the model's name (for backtests and drift, see
 * core/monitor), keeping that name's latest `keep` runs (default 60).
 */
export function rememberScoringRun(store: Store, table: EventTable, model: Model, run: ScoreRun, keep?: number): Promise<ScoringRunInfo> {
	return store.saveRun(runRecordOf(table, model, run), keep);
}

/** A segment run as the scoring report shows it: a Build Segment result, or a run read back from the store. */
export interface SegmentRunForReport {
	readonly name: string | null;
	readonly rule?: string;
	readonly runAt: string;
	readonly previousRunAt: string | null;
	readonly members: readonly string[];
	readonly entered: readonly string[];
	readonly left: readonly string[];
}

export interface ScoringReportOptions {
	/** The run's scored profiles (with their factors when explained). */
	readonly profiles: readonly ScoredFileProfile[];
	/** The model that scored, to compare with the scores at training; optional. */
	readonly model?: Model;
	readonly version?: number | null;
	/** The segment built from these scores: a Build Segment result, or `segmentRunOf(store, name)`. */
	readonly segment?: SegmentResult | SegmentRunForReport;
	readonly boundaries?: BucketBoundaries;
}

/**
 * The HTML report of a scoring run (core/report/scoring.ts): this run's score distribution
 * against training's, bucket counts, and the segment's members, entrants and leavers. The one
 * function the CLI (`report --scores`) and both hosts' Score Profiles and Build Segment call.
 */
export function scoringReport(options: ScoringReportOptions): string {
	const { profiles, model } = options;
	const first = profiles[0];
	const insights = model?.insights ? reportInputOf(model.insights, model.name) : undefined;
	const boundaries = options.boundaries ?? insights?.scores.boundaries;
	return renderScoringReport({
		model: {
			name: model?.name ?? first?.model.name ?? 'unknown model',
			version: options.version ?? first?.model.version ?? null,
			propensityType: model?.propensityType ?? first?.propensityType ?? 'conversion',
			goalInWords: model?.goal ? describeGoal(model.goal) : undefined,
		},
		scoreDate: first?.scoreDate ?? '',
		scores: summariseScores({ probabilities: profiles.map((profile) => profile.probability), boundaries }),
		training: insights?.scores,
		segment: options.segment ? segmentForReport(options.segment, profiles) : undefined,
		packageVersion,
	});
}

/** The latest run of a segment kept in the store, for the scoring report; InputError when it has none. */
export async function segmentRunOf(store: Store, name: string): Promise<SegmentRunForReport> {
	const runs = await store.listSegmentRuns(name);
	const membership = await store.loadMembership(name);
	if (runs.length === 0 || !membership) {
		throw new InputError(
			`The store ${store.location} has no run of the segment "${name}": build the segment with this store first, or check the name.`,
			'no-segment-run',
		);
	}
	const latest = await store.loadSegmentRun(name, 'latest');
	return {
		name,
		runAt: latest.runAt,
		previousRunAt: runs.length > 1 ? runs[runs.length - 2].runAt : null,
		members: membership.members,
		entered: latest.entered.map((row) => row.profileId),
		left: latest.left.map((row) => row.profileId),
	};
}

function segmentForReport(segment: SegmentResult | SegmentRunForReport, profiles: readonly ScoredFileProfile[]): ScoringSegment {
	const run: SegmentRunForReport =
		'summary' in segment
			? {
					name: segment.summary.name,
					rule: segment.summary.rule,
					runAt: segment.summary.runAt,
					previousRunAt: segment.summary.previousRunAt,
					members: segment.members.map((row) => row.profileId),
					entered: segment.entered.map((row) => row.profileId),
					left: segment.left.map((row) => row.profileId),
				}
			: segment;
	const byId = new Map(profiles.map((profile) => [profile.profileId, profile]));
	const listed = (ids: readonly string[]): ListedProfile[] =>
		ids
			.map((id): ListedProfile => {
				const profile = byId.get(id);
				const reason = profile?.factors?.[0]?.sentence ?? profile?.factorSentences?.[0];
				return { profileId: id, score: profile?.score ?? null, bucket: profile?.bucket ?? null, ...(reason ? { reason } : {}) };
			})
			.sort((a, b) => (b.score ?? -1) - (a.score ?? -1) || (a.profileId < b.profileId ? -1 : a.profileId > b.profileId ? 1 : 0))
			.slice(0, listedProfiles);
	return {
		name: run.name,
		rule: run.rule,
		runAt: run.runAt,
		previousRunAt: run.previousRunAt,
		members: run.members.length,
		entered: run.entered.length,
		left: run.left.length,
		listedMembers: listed(run.members),
		listedEntered: listed(run.entered),
		listedLeft: listed(run.left),
	};
}
