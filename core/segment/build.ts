/**
 * Building a segment: who is in it now, who entered and who left since its last run (as
 * remembered in the store under the segment's name), and the records a CRM or email step
 * needs for each of them. The new membership is committed last, after the caller has handed
 * the rows on (written its files, sent its messages): a run that fails before then commits
 * nothing, and the next run finds the same entrants again. So each entrant is delivered at
 * least once, and once in the usual case. Each committed run keeps its entrants and leavers
 * in the store (the last 30 runs), so a past run can be sent again with `resendSegmentRun`.
 */
import { InputError } from '../errors';
import type { Bucket, PropensityType, ScoredProfile } from '../score/types';
import { checkStoreName, type Store } from '../store';
import { checkRunAt, type SegmentRunInfo } from '../store/types';
import { matchRule } from './evaluate';
import { describeRule, parseSegmentRule, type SegmentRule } from './rules';

export const segmentModes = ['all', 'entered', 'left'] as const;
/** Which profiles a run hands on: every member, only those who entered since the last run, or only those who left. */
export type SegmentMode = (typeof segmentModes)[number];

export interface SegmentOptions {
	/** The segment's name: its membership is remembered under it. Required with a store. */
	readonly name?: string;
	readonly mode: SegmentMode;
	/** Where the membership is remembered; needed for modes 'entered' and 'left' to mean "since the last run". */
	readonly store?: Store;
	/** This run's time, ISO 8601; saved with the membership. */
	readonly runAt: string;
	/**
	 * Hands the result on (writes the files, sends the messages) before the membership is
	 * committed; when it throws, nothing is committed. Without it the membership is committed
	 * as soon as the result is known, and the caller owns the risk of losing entrants.
	 */
	readonly deliver?: (result: SegmentResult) => Promise<void> | void;
}

/** One profile as a CRM or email step needs it. */
export interface SegmentMember {
	readonly profileId: string;
	readonly score: number;
	readonly probability: number;
	readonly percentile: number;
	readonly bucket: Bucket;
	readonly propensityType: PropensityType;
	readonly scoreDate: string;
	/** The sentences of the top factors, most influential first (empty when not explained). */
	readonly factors: readonly string[];
	/** The profile attributes that were loaded, e.g. email. */
	readonly attributes: Readonly<Record<string, string | number | null>>;
}

/** A member, or for one who left and was not scored this time, only the id. */
export type SegmentRow = SegmentMember | { readonly profileId: string };

export interface SegmentSummary {
	readonly name: string | null;
	readonly mode: SegmentMode;
	/** The rule in words. */
	readonly rule: string;
	readonly runAt: string;
	/** The previous run's time, or null on the first run or without a store. */
	readonly previousRunAt: string | null;
	readonly scored: number;
	readonly members: number;
	readonly nonMembers: number;
	readonly entered: number;
	readonly left: number;
	/** How many rows the mode hands on (`output`). */
	readonly output: number;
	/** Whether this run's membership was saved for the next run to compare with. */
	readonly remembered: boolean;
	/** The number this run is kept under in the store (for a resend), once committed; null without a store, or before the commit. */
	readonly run: number | null;
	readonly warnings: readonly string[];
}

export interface SegmentResult {
	/** Everyone in the segment now, in the order scored. */
	readonly members: SegmentMember[];
	/** The scored profiles not in it, in the order scored. */
	readonly nonMembers: SegmentMember[];
	/** Members who were not members at the last run (everyone on the first run). */
	readonly entered: SegmentMember[];
	/** Members at the last run who are not now, in the order remembered. */
	readonly left: SegmentRow[];
	/** What the mode asks for: members, entered or left. */
	readonly output: SegmentRow[];
	readonly summary: SegmentSummary;
}

/** A scored profile that may carry factor sentences without the factors (read from a CSV file). */
type WithSentences = ScoredProfile & { readonly factorSentences?: readonly string[] };

/** Splits the scored profiles by the rule, compares with the remembered membership, and saves the new one. */
export async function buildSegment(scored: readonly ScoredProfile[], rules: SegmentRule, options: SegmentOptions): Promise<SegmentResult> {
	const rule = parseSegmentRule(rules);
	const checked = checkOptions(options);
	const indexById = indexProfiles(scored);
	const match = matchRule(scored, rule);
	const rows = scored.map(toMember);
	const members = rows.filter((_, i) => match.mask[i] === 1);
	const nonMembers = rows.filter((_, i) => match.mask[i] === 0);
	return settleSegment({ members, nonMembers, scored: scored.length, rule: describeRule(rule), warnings: match.warnings }, checked, (id) => {
		const index = indexById.get(id);
		return index === undefined ? undefined : { row: rows[index], member: match.mask[index] === 1 };
	});
}

/** The members a rule chose (in memory, or by SQL in a warehouse), before they are compared with the last run. */
export interface ChosenMembers {
	readonly members: SegmentMember[];
	/** The scored profiles not in it that are known (all of them in memory; none from a warehouse). */
	readonly nonMembers: SegmentMember[];
	/** How many profiles were scored. */
	readonly scored: number;
	/** The rule in words. */
	readonly rule: string;
	readonly warnings: readonly string[];
	/**
	 * Fills in what was left out of the members until it was known who is handed on (their
	 * factors and attributes, fetched from a warehouse for those rows only): called with the
	 * members the mode hands on, before delivery; answers the completed rows by profile id, and
	 * warnings about those it could not complete.
	 */
	readonly complete?: (handedOn: readonly SegmentMember[]) => Promise<{ rows: ReadonlyMap<string, SegmentMember>; warnings: readonly string[] }>;
}

/**
 * Compares the chosen members with the remembered membership, hands the result on, and
 * commits the new membership. `find` says what is known of a profile of the last run: its row
 * and whether it is a member now (undefined: not scored this time, or not fetched).
 */
export async function settleSegment(
	chosen: ChosenMembers,
	options: SegmentOptions,
	find: (id: string) => { row: SegmentMember; member: boolean } | undefined,
): Promise<SegmentResult> {
	const checked = checkOptions(options);
	const { name, store } = checked;
	// Two runs of one segment take turns from reading the last membership to committing the new one.
	if (store && name !== undefined) return store.withSegmentLease(name, () => settleHeld(chosen, checked, find));
	return settleHeld(chosen, checked, find);
}

/** settleSegment once this run holds the segment (or needs no turn: nothing is remembered). */
async function settleHeld(
	chosen: ChosenMembers,
	options: SegmentOptions,
	find: (id: string) => { row: SegmentMember; member: boolean } | undefined,
): Promise<SegmentResult> {
	const { name, mode, store, runAt } = options;
	const { nonMembers } = chosen;
	let { members } = chosen;
	const previous = store && name !== undefined ? await store.loadMembership(name) : undefined;
	const warnings = [...chosen.warnings];
	if (previous && Date.parse(previous.runAt) > Date.parse(runAt)) {
		warnings.push(`This run (${runAt}) is earlier than the last one (${previous.runAt}): entered and left are measured against a later run.`);
	}
	const before = new Set(previous?.members ?? []);
	let entered = members.filter((member) => !before.has(member.profileId));
	let left: SegmentRow[] = [];
	for (const id of previous?.members ?? []) {
		const known = find(id);
		if (known === undefined) left.push({ profileId: id });
		else if (!known.member) left.push(known.row);
	}
	if (chosen.complete) {
		const handedOn = (mode === 'all' ? members : mode === 'entered' ? entered : left).filter((row): row is SegmentMember => 'score' in row);
		const completed = await chosen.complete(handedOn);
		warnings.push(...completed.warnings);
		const swap = <T extends SegmentRow>(row: T): T => (completed.rows.get(row.profileId) as T | undefined) ?? row;
		members = members.map(swap);
		entered = entered.map(swap);
		left = left.map(swap);
	}
	const output = mode === 'all' ? members : mode === 'entered' ? entered : left;
	const result: SegmentResult = {
		members,
		nonMembers,
		entered,
		left,
		output,
		summary: {
			name: name ?? null,
			mode,
			rule: chosen.rule,
			runAt,
			previousRunAt: previous?.runAt ?? null,
			scored: chosen.scored,
			members: members.length,
			nonMembers: chosen.scored - members.length,
			entered: entered.length,
			left: left.length,
			output: output.length,
			remembered: store !== undefined,
			run: null,
			warnings,
		},
	};
	await options.deliver?.(result);
	if (!store || name === undefined) return result;
	const kept = await store.commitSegmentRun(name, { members: ids(members), runAt, mode, entered, left });
	return { ...result, summary: { ...result.summary, run: kept.run } };
}

/** A past run's rows, to send again: its entrants, or its leavers. */
export interface ResentRun {
	readonly rows: SegmentRow[];
	readonly run: SegmentRunInfo;
}

/**
 * The entrants (or leavers) of a kept run of the segment, as that run handed them on, to send
 * again after a delivery that failed downstream. Changes nothing in the store.
 */
export async function resendSegmentRun(store: Store, segment: string, run: number | 'latest', which: 'entered' | 'left' = 'entered'): Promise<ResentRun> {
	const name = checkStoreName(segment, 'segment');
	if (which !== 'entered' && which !== 'left') {
		throw new InputError(
			`A resend sends a past run's entrants ("entered") or leavers ("left"), not ${JSON.stringify(which)}: the store keeps only those of each run.`,
			'bad-segment-mode',
		);
	}
	const record = await store.loadSegmentRun(name, run);
	const rows = (which === 'entered' ? record.entered : record.left) as SegmentRow[];
	return {
		rows,
		run: { segment: record.segment, run: record.run, runAt: record.runAt, mode: record.mode, entered: record.entered.length, left: record.left.length },
	};
}

/** Where a profile stands after a run: new in the segment, still in it, gone from it, or not in it. */
export type SegmentStatus = 'entered' | 'stayed' | 'left' | 'out';

export interface StatusRow {
	readonly row: SegmentRow;
	readonly status: SegmentStatus;
}

/**
 * The two outputs both hosts show, each row with its status: what the mode hands on (members
 * who entered or stayed, or those who left), and the profiles not in the segment (those who
 * just left marked so, the rest "out").
 */
export function segmentOutputs(result: SegmentResult): { readonly inSegment: StatusRow[]; readonly notInSegment: StatusRow[] } {
	const entered = new Set(ids(result.entered));
	const left = new Set(ids(result.left));
	const statusOf = (row: SegmentRow): SegmentStatus => (left.has(row.profileId) ? 'left' : entered.has(row.profileId) ? 'entered' : 'stayed');
	return {
		inSegment: result.output.map((row) => ({ row, status: statusOf(row) })),
		notInSegment: result.nonMembers.map((row) => ({ row, status: left.has(row.profileId) ? 'left' : 'out' })),
	};
}

function checkOptions(options: SegmentOptions): SegmentOptions {
	if (!(segmentModes as readonly string[]).includes(options?.mode)) {
		throw new InputError(
			`The segment mode ${JSON.stringify(options?.mode)} is not known: use "all" (every member), "entered" (new since the last run) or "left" (gone since the last run).`,
			'bad-segment-mode',
		);
	}
	const name = options.name === undefined ? undefined : checkStoreName(options.name, 'segment');
	checkRunAt(name ?? 'segment', options.runAt);
	if (options.store && name === undefined) {
		throw new InputError('Name the segment to remember its membership in the store: the name is what the next run compares with.', 'segment-name-missing');
	}
	if (options.mode !== 'all' && !options.store) {
		throw new InputError(
			`Mode "${options.mode}" compares with the segment's last run, so it needs a store and a segment name to remember membership in. Give both, or use mode "all".`,
			'segment-store-missing',
		);
	}
	return { ...options, name };
}

/** Where each profile id is in the scores; throws when an id is missing or repeated. */
function indexProfiles(scored: readonly ScoredProfile[]): Map<string, number> {
	const indexById = new Map<string, number>();
	for (let i = 0; i < scored.length; i++) {
		const id = scored[i]?.profileId;
		if (typeof id !== 'string' || id === '')
			throw new InputError(`Scored profile ${i + 1} has no profile id: every scored profile needs one.`, 'bad-scores');
		if (indexById.has(id))
			throw new InputError(
				`Profile "${id}" is scored twice (the second time at ${i + 1}): a segment needs one score per profile. Remove the duplicate scores.`,
				'bad-scores',
			);
		indexById.set(id, i);
	}
	return indexById;
}

function ids(rows: readonly SegmentRow[]): string[] {
	return rows.map((row) => row.profileId);
}

export function toMember(profile: WithSentences): SegmentMember {
	return {
		profileId: profile.profileId,
		score: profile.score,
		probability: profile.probability,
		percentile: profile.percentile,
		bucket: profile.bucket,
		propensityType: profile.propensityType,
		scoreDate: profile.scoreDate,
		factors: profile.factors ? profile.factors.map((factor) => factor.sentence) : (profile.factorSentences ?? []),
		attributes: profile.attributes ?? {},
	};
}
