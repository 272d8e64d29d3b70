/**
 * Training examples and scoring rows, point in time. For each cutoff c:
 * - eligibility is judged on events at or before c;
 * - features see only events in [c − lookback, c];
 * - the label looks only at (c, c + window].
 * Events matching any of the goal's exclusions are ignored everywhere. Two walks over the
 * table: the first judges eligibility and labels (so the matrix can be allocated exactly),
 * the second computes every feature for every eligible (profile, cutoff) pair at once.
 * Training runs the first walk once (judgeExamples): readiness counts its result and the
 * examples are built from it.
 */
import type { EventTable } from '../events/table';
import { InputError, throwIfCancelled } from '../errors';
import { fieldKinds, keptMask } from '../goal/conditions';
import type { Goal } from '../goal/schema';
import type { Dataset, LabelledDataset } from '../learn/dataset';
import { type Progress, type WorkHooks, throttledProgress } from '../util/progress';
import { checkAsOf, dataRange } from './cutoffs';
import type { FeatureDecl } from './declaration';
import { type FeatureSink, compileFeatures, computeFeatureRows } from './execute';
import { firstRows, rangeJob, runOnWorker, scratchFor, sharedSink, splitProfiles, threadCount } from './parallel';
import { type JudgeOps, compileJudge, judgeState } from './judge';
import { FilterSet, type RowClasses, classifyRows, opsByClass } from './rows';
import { Op, type OpSpec, type WalkPlan, accumulateProfile, compileProgram, slots } from './walk';

export interface CutoffCounts {
	/** The cutoff, UTC ms. */
	readonly cutoff: number;
	readonly eligible: number;
	readonly positives: number;
	readonly negatives: number;
}

export interface Examples {
	/** One row per eligible (profile, cutoff), grouped by cutoff (ascending), profiles ascending within. */
	readonly data: LabelledDataset;
	/** Per row: the profile index in the table. */
	readonly profile: Uint32Array;
	/** Per row: the index of its cutoff in `cutoffs`. */
	readonly cutoffIndex: Uint16Array;
	/** UTC ms, ascending; the last is the validation cutoff. */
	readonly cutoffs: number[];
	readonly perCutoff: CutoffCounts[];
}

/** Eligibility and labels of every profile at every cutoff: what readiness counts and the examples are built from. */
export interface Judgement {
	/** UTC ms, ascending. */
	readonly cutoffs: readonly number[];
	/** Per profile p and cutoff k, at p × cutoffs + k: 0 not eligible, 1 eligible without the outcome, 2 with it (see judgeState). */
	readonly state: Uint8Array;
	readonly perCutoff: CutoffCounts[];
}

export interface ExampleOptions {
	/** UTC ms, ascending (see planCutoffs). */
	cutoffs: number[];
	/** Threads for the feature walk (default: one per core, at most 4, fewer for small tables). The result does not depend on it. */
	threads?: number;
	/** The judgement of these cutoffs already made (judgeExamples), so the events are not judged again. */
	judged?: Judgement;
}

/** Profiles handled between two checks for cancellation. */
const chunkProfiles = 16_384;

interface Prepared {
	readonly cutoffs: Float64Array;
	readonly classes: RowClasses;
	readonly judge: JudgeOps;
	readonly judgePlan: WalkPlan;
	readonly featurePlan?: WalkPlan;
}

/** Resolves filters, classifies every event once, and compiles the eligibility and feature programs. */
function prepare(table: EventTable, goal: Goal, features: readonly FeatureDecl[] | undefined, cutoffs: readonly number[], labels: boolean): Prepared {
	checkCutoffs(cutoffs);
	const kinds = fieldKinds(table);
	const filters = new FilterSet();
	const judge = compileJudge(table, goal, kinds, filters, labels);
	const compiled = features ? compileFeatures(table, goal, features, kinds, filters) : undefined;
	const classes = classifyRows(table, keptMask(table, goal.exclusions), filters.filters);
	return {
		cutoffs: Float64Array.from(cutoffs),
		classes,
		judge,
		judgePlan: walkPlan(classes, judge.specs, judge.filterOfOp),
		featurePlan: compiled && walkPlan(classes, compiled.specs, compiled.filterOfOp),
	};
}

function walkPlan(classes: RowClasses, specs: readonly OpSpec[], filterOfOp: readonly number[]): WalkPlan {
	const isFuture = (o: number) => specs[o].code === Op.countAfter;
	let maxHistoryMs = 0;
	let maxFutureMs = 0;
	specs.forEach((spec, o) => {
		if (isFuture(o)) maxFutureMs = Math.max(maxFutureMs, spec.reachMs);
		else maxHistoryMs = Math.max(maxHistoryMs, spec.reachMs);
	});
	return {
		program: compileProgram(specs),
		history: opsByClass(
			classes,
			filterOfOp,
			(o) => !isFuture(o),
			(a, b) => specs[a].code - specs[b].code || specs[b].reachMs - specs[a].reachMs || a - b,
		),
		future: opsByClass(classes, filterOfOp, isFuture),
		maxHistoryMs,
		maxFutureMs,
	};
}

/** Refuses cutoffs that are empty, too many, not moments, or not strictly ascending. */
export function checkCutoffs(cutoffs: readonly number[]): void {
	if (cutoffs.length === 0) throw new InputError('No cutoffs were given: plan them with planCutoffs first.', 'bad-cutoffs');
	if (cutoffs.length > 65_535) throw new InputError(`At most 65535 cutoffs are supported, not ${cutoffs.length}.`, 'bad-cutoffs');
	cutoffs.forEach((cutoff, k) => {
		if (!Number.isFinite(cutoff)) throw new InputError(`Cutoff ${k} is not a valid moment (${String(cutoff)}).`, 'bad-cutoffs');
		if (k > 0 && !(cutoff > cutoffs[k - 1])) throw new InputError('Cutoffs must be in ascending order, without repeats.', 'bad-cutoffs');
	});
}

/** Judges profiles [from, to) at every cutoff, writing states (see judgeState) into `state`. */
function judgeProfiles(
	table: EventTable,
	prepared: Prepared,
	state: Uint8Array,
	from: number,
	to: number,
	scratch: { acc: Float64Array; active: Int32Array },
): void {
	const { cutoffs, judge, judgePlan } = prepared;
	const K = cutoffs.length;
	const stride = judgePlan.program.size * slots;
	const { acc, active } = scratch;
	for (let k = 0; k < K; k++) active[k] = k;
	for (let p = from; p < to; p++) {
		if (table.profileStart[p] === table.profileStart[p + 1]) continue;
		for (let k = 0; k < K; k++) acc.set(judgePlan.program.initial, k * stride);
		accumulateProfile(table, prepared.classes.classOf, judgePlan, p, cutoffs, active, K, acc);
		for (let k = 0; k < K; k++) state[p * K + k] = judgeState(judge, acc, k * stride);
	}
}

/**
 * Runs `work` over profiles [from, to) in chunks, checking for cancellation and reporting
 * progress (`done()` profiles of `total`, which may include other threads' work) between them.
 */
async function inChunks(
	range: { from: number; to: number; total: number },
	hooks: WorkHooks | undefined,
	stage: string,
	work: (from: number, to: number) => void,
	done?: (justDone: number) => number,
): Promise<void> {
	const report = throttledProgress(hooks);
	let finished = 0;
	const count = done ?? ((justDone: number) => (finished += justDone));
	for (let from = range.from; from < range.to; from += chunkProfiles) {
		throwIfCancelled(hooks?.signal, stage);
		const to = Math.min(range.to, from + chunkProfiles);
		work(from, to);
		report(progress(stage, count(to - from), range.total), to === range.total);
		if (to < range.to) await new Promise<void>((resolve) => setImmediate(resolve));
	}
}

/** All profiles of the table, one thread, progress counted from zero. */
function allProfiles(table: EventTable): { from: number; to: number; total: number } {
	return { from: 0, to: table.profileIds.length, total: table.profileIds.length };
}

function progress(stage: string, done: number, total: number): Progress {
	return { stage, done, total, unit: 'profiles' };
}

function countPerCutoff(state: Uint8Array, cutoffs: readonly number[]): CutoffCounts[] {
	const K = cutoffs.length;
	const eligible = new Float64Array(K);
	const positives = new Float64Array(K);
	for (let i = 0; i < state.length; i++) {
		const s = state[i];
		if (s === 0) continue;
		eligible[i % K]++;
		if (s === 2) positives[i % K]++;
	}
	return cutoffs.map((cutoff, k) => ({ cutoff, eligible: eligible[k], positives: positives[k], negatives: eligible[k] - positives[k] }));
}

/**
 * Judges every profile at every cutoff, in chunks with progress and cancellation: the first
 * walk of buildExamples, run on its own so readiness can count it before the features are
 * computed (pass it to buildExamples as `judged`).
 */
export async function judgeExamples(table: EventTable, goal: Goal, cutoffs: readonly number[], hooks?: WorkHooks): Promise<Judgement> {
	const prepared = prepare(table, goal, undefined, cutoffs, true);
	return judgeAll(table, prepared, [...cutoffs], hooks);
}

async function judgeAll(table: EventTable, prepared: Prepared, cutoffs: number[], hooks: WorkHooks | undefined): Promise<Judgement> {
	const state = new Uint8Array(table.profileIds.length * cutoffs.length);
	const scratch = scratchFor(prepared.judgePlan, cutoffs.length);
	await inChunks(allProfiles(table), hooks, 'finding eligible profiles', (from, to) => judgeProfiles(table, prepared, state, from, to, scratch));
	return { cutoffs, state, perCutoff: countPerCutoff(state, cutoffs) };
}

/** The judgement's states at one of its cutoffs, one per profile (eligibility for computeFeaturesAsOf). */
export function judgementAt(judged: Judgement, cutoff: number): Uint8Array {
	const k = judged.cutoffs.indexOf(cutoff);
	if (k < 0) throw new Error(`the judgement has no cutoff ${cutoff}`);
	const K = judged.cutoffs.length;
	const state = new Uint8Array(judged.state.length / K);
	for (let p = 0; p < state.length; p++) state[p] = judged.state[p * K + k];
	return state;
}

/** Whether a judgement was made at exactly these cutoffs. */
function judgedAt(judged: Judgement, cutoffs: readonly number[]): boolean {
	return judged.cutoffs.length === cutoffs.length && judged.cutoffs.every((cutoff, k) => cutoff === cutoffs[k]);
}

/**
 * Eligible profiles, positives and negatives at each cutoff, without computing features
 * (for readiness). Synchronous; the same rules as buildExamples.
 */
export function judgeCutoffs(table: EventTable, goal: Goal, cutoffs: readonly number[]): CutoffCounts[] {
	const prepared = prepare(table, goal, undefined, cutoffs, true);
	const state = new Uint8Array(table.profileIds.length * cutoffs.length);
	judgeProfiles(table, prepared, state, 0, table.profileIds.length, scratchFor(prepared.judgePlan, cutoffs.length));
	return countPerCutoff(state, cutoffs);
}

/**
 * Allocates the matrix and runs the feature walk over every eligible (profile, cutoff), on
 * several threads for large tables (the result is the same bytes either way).
 */
async function computeRows(
	table: EventTable,
	prepared: Prepared,
	features: readonly FeatureDecl[],
	state: Uint8Array,
	perCutoff: readonly CutoffCounts[],
	labels: boolean,
	hooks: WorkHooks | undefined,
	threads: number | undefined,
): Promise<{ rows: number; sink: FeatureSink }> {
	const rows = perCutoff.reduce((sum, counts) => sum + counts.eligible, 0);
	const K = perCutoff.length;
	const cutoffStart = new Uint32Array(K);
	for (let k = 1; k < K; k++) cutoffStart[k] = cutoffStart[k - 1] + perCutoff[k - 1].eligible;
	const plan = prepared.featurePlan as WalkPlan;
	const classOf = prepared.classes.classOf;
	const stage = 'computing features';
	const used = threadCount(table.length, threads);
	if (used <= 1) {
		const sink: FeatureSink = {
			columns: features.map(() => new Float32Array(rows)),
			nextRow: cutoffStart,
			profile: new Uint32Array(rows),
			cutoffIndex: new Uint16Array(rows),
			label: labels ? new Uint8Array(rows) : undefined,
		};
		const scratch = scratchFor(plan, K);
		await inChunks(allProfiles(table), hooks, stage, (from, to) =>
			computeFeatureRows(table, classOf, plan, prepared.cutoffs, state, from, to, sink, scratch),
		);
		return { rows, sink };
	}
	const sink = sharedSink(rows, features.length, labels, cutoffStart);
	const bounds = splitProfiles(table.profileStart, used);
	let done = 0;
	const report = throttledProgress(hooks);
	const ranges = bounds
		.slice(1, -1)
		.map((from, t) => ({ from, to: bounds[t + 2] }))
		.filter((range) => range.to > range.from);
	const running = ranges.map(({ from, to }) => {
		const job = rangeJob(table, classOf, plan, prepared.cutoffs, state, from, to, { ...sink, nextRow: firstRows(state, K, from, cutoffStart) });
		return runOnWorker(job, hooks, (count) => report(progress(stage, (done += count), table.profileIds.length)));
	});
	try {
		const scratch = scratchFor(plan, K);
		const mine = { from: 0, to: bounds[1], total: table.profileIds.length };
		await inChunks(
			mine,
			hooks,
			stage,
			(from, to) => computeFeatureRows(table, classOf, plan, prepared.cutoffs, state, from, to, sink, scratch),
			(count) => (done += count),
		);
	} catch (error) {
		await Promise.allSettled(running);
		throw error;
	}
	await Promise.all(running);
	report(progress(stage, table.profileIds.length, table.profileIds.length), true);
	return { rows, sink };
}

/**
 * Training examples at the given cutoffs: one row per eligible (profile, cutoff) with every
 * feature and the label. Rows are grouped by cutoff, so the last cutoff's rows (validation)
 * are the final block.
 */
export async function buildExamples(
	table: EventTable,
	goal: Goal,
	features: readonly FeatureDecl[],
	options: ExampleOptions,
	hooks?: WorkHooks,
): Promise<Examples> {
	const cutoffs = [...options.cutoffs];
	const prepared = prepare(table, goal, features, cutoffs, true);
	const judged = options.judged;
	if (judged && (!judgedAt(judged, cutoffs) || judged.state.length !== table.profileIds.length * cutoffs.length)) {
		throw new Error('buildExamples: the judgement given was made at other cutoffs or on another table');
	}
	const { state, perCutoff } = judged ?? (await judgeAll(table, prepared, cutoffs, hooks));
	const { rows, sink } = await computeRows(table, prepared, features, state, perCutoff, true, hooks, options.threads);
	const data: LabelledDataset = { rows, featureNames: features.map((feature) => feature.name), columns: sink.columns, label: sink.label as Uint8Array };
	return { data, profile: sink.profile, cutoffIndex: sink.cutoffIndex, cutoffs, perCutoff };
}

/**
 * Features of the profiles eligible at `asOf` (default: the time of the latest event), for
 * scoring: events after `asOf` are never read. Profiles are in ascending index order.
 */
export async function computeFeaturesAsOf(
	table: EventTable,
	goal: Goal,
	features: readonly FeatureDecl[],
	asOf?: number,
	hooks?: WorkHooks,
	options: { threads?: number; eligible?: Uint8Array } = {},
): Promise<{ data: Dataset; profile: Uint32Array }> {
	checkAsOf(asOf);
	const moment = asOf ?? dataRange(table)?.end;
	if (moment === undefined) throw new InputError('There are no events to compute features from: load events first.', 'no-events');
	const prepared = prepare(table, goal, features, [moment], false);
	let state = options.eligible;
	if (state && state.length !== table.profileIds.length) throw new Error('computeFeaturesAsOf: the eligibility given is for another table');
	if (!state) {
		state = new Uint8Array(table.profileIds.length);
		const judgeScratch = scratchFor(prepared.judgePlan, 1);
		const judging = state;
		await inChunks(allProfiles(table), hooks, 'finding eligible profiles', (from, to) => judgeProfiles(table, prepared, judging, from, to, judgeScratch));
	}
	const perCutoff = countPerCutoff(state, [moment]);
	const { rows, sink } = await computeRows(table, prepared, features, state, perCutoff, false, hooks, options.threads);
	return { data: { rows, featureNames: features.map((feature) => feature.name), columns: sink.columns }, profile: sink.profile };
}

/**
 * Per profile of the table, its state at one cutoff by the same rules as training: 0 not
 * eligible, 1 eligible without the outcome, 2 eligible with it (see judgeState). For backtests:
 * how the profiles scored as of a date turned out.
 */
export function judgeProfilesAt(table: EventTable, goal: Goal, cutoff: number): Uint8Array {
	const prepared = prepare(table, goal, undefined, [cutoff], true);
	const state = new Uint8Array(table.profileIds.length);
	judgeProfiles(table, prepared, state, 0, table.profileIds.length, scratchFor(prepared.judgePlan, 1));
	return state;
}
