/**
 * The model store's contract: named models with numbered versions, and the remembered
 * membership of each segment, behind one interface whatever the backend (folder, PostgreSQL).
 */
import { z } from 'zod';
import { InputError } from '../errors';
import { checkStoredModelName } from './integrity';
import type { PgConnectionInput } from '../util/postgres';
import type { ScoringRunInfo, ScoringRunRecord } from './runs';

export type StoreConfig = { kind: 'folder'; path: string } | { kind: 'postgres'; connection: PgConnectionInput; schema?: string };

/** What the caller tells about a model when saving it, shown when versions are listed. */
export interface ModelSummary {
	readonly auc?: number | null;
	readonly grade?: string;
	readonly learner?: string;
	readonly [metric: string]: string | number | boolean | null | undefined;
}

/** One saved version of a named model. */
export interface ModelVersionInfo {
	readonly name: string;
	/** 1, 2, 3… per name, in the order saved; never reused. */
	readonly version: number;
	/** When it was saved, ISO 8601 UTC. */
	readonly savedAt: string;
	/** SHA-256 of the model text's UTF-8 bytes, lowercase hex (what `sha256sum` prints). */
	readonly checksum: string;
	/** Size of the model text in UTF-8 bytes. */
	readonly bytes: number;
	readonly summary: ModelSummary;
}

/** A segment's remembered membership: the profile ids in it after its last run. */
export interface Membership {
	readonly members: string[];
	/** The last run's time, ISO 8601. */
	readonly runAt: string;
}

/** How long a run waits for another run of the same segment to finish before it gives up (ms). */
export const segmentLeaseWaitMs = 10 * 60_000;

/** The error of a run that waited too long for another run of its segment. */
export function segmentBusy(segment: string, holder: string): InputError {
	return new InputError(
		`Another run of segment "${segment}" (${holder}) has held it for over ${segmentLeaseWaitMs / 60_000} minutes, so this run stopped waiting and handed nothing on. ` +
			'Run it again once that run has finished; the next run finds the same entrants.',
		'segment-busy',
		{ segment },
	);
}

/** How many past runs of a segment the store keeps, so their rows can be sent again. */
export const keptSegmentRuns = 30;

/** One past run of a segment, as listed. */
export interface SegmentRunInfo {
	readonly segment: string;
	/** 1, 2, 3… per segment, in the order committed; never reused. */
	readonly run: number;
	/** The run's time, ISO 8601. */
	readonly runAt: string;
	/** The mode the run was built in: all, entered or left. */
	readonly mode: string;
	readonly entered: number;
	readonly left: number;
}

/** One past run with its rows: who entered and who left, as the run handed them on. */
export interface SegmentRunRecord extends Omit<SegmentRunInfo, 'entered' | 'left'> {
	readonly entered: readonly { readonly profileId: string }[];
	readonly left: readonly { readonly profileId: string }[];
}

/** What a segment run commits: the new membership, and its entrants and leavers to keep. */
export interface SegmentRunInput {
	readonly members: readonly string[];
	readonly runAt: string;
	readonly mode: string;
	readonly entered: readonly { readonly profileId: string }[];
	readonly left: readonly { readonly profileId: string }[];
}

export interface Store {
	/** Saves the text as the next version of the name (1 for a new name) and says what was saved. */
	saveModel(name: string, modelText: string, summary: ModelSummary): Promise<ModelVersionInfo>;
	/** The text of a version ('latest' by default) after checking its checksum; refuses a damaged one. */
	loadModel(name: string, version?: number | 'latest'): Promise<{ text: string; info: ModelVersionInfo }>;
	/** Every model name with its latest version, sorted by name. */
	listModels(): Promise<{ name: string; latest: ModelVersionInfo }[]>;
	/** The versions of a name, oldest first; empty when the name has none. */
	listVersions(name: string): Promise<ModelVersionInfo[]>;
	/** The membership saved under a segment name, or undefined before its first run. */
	loadMembership(segment: string): Promise<Membership | undefined>;
	/** Replaces the membership saved under a segment name. */
	saveMembership(segment: string, members: readonly string[], runAt: string): Promise<void>;
	/**
	 * Commits a segment run once everything it hands on was written: keeps its entrants and
	 * leavers as run N+1 (dropping runs older than the last 30), then replaces the membership.
	 */
	commitSegmentRun(segment: string, run: SegmentRunInput): Promise<SegmentRunInfo>;
	/**
	 * Runs `work` holding the segment's lease: two runs of one segment (in this process, in
	 * another, or on another machine sharing the store) take turns, from reading the last
	 * membership to committing the new one, so no entrant is handed on twice or lost. A lease
	 * whose holder died is taken over once it goes stale; a run that waits too long fails with
	 * an InputError saying who holds it.
	 */
	withSegmentLease<T>(segment: string, work: () => Promise<T>): Promise<T>;
	/** The past runs of a segment that are kept, oldest first; empty before its first run. */
	listSegmentRuns(segment: string): Promise<SegmentRunInfo[]>;
	/** One kept run with its rows ('latest' for the last); refuses a run no longer kept, naming those that are. */
	loadSegmentRun(segment: string, run: number | 'latest'): Promise<SegmentRunRecord>;

	// Remembered scoring runs (runs.ts), for backtests and drift.
	/** Remembers a scoring run under its model's name, then deletes that name's oldest runs beyond `keep` (default 60). */
	saveRun(record: ScoringRunRecord, keep?: number): Promise<ScoringRunInfo>;
	/** The remembered runs of a model name, oldest first; empty when there are none. */
	listRuns(model: string): Promise<ScoringRunInfo[]>;
	/** One remembered run, checked; refuses a damaged one. */
	loadRun(model: string, id: string): Promise<ScoringRunRecord>;

	/** Where the store is, for messages, e.g. `folder /data/propensity` or `PostgreSQL user@host:5432/db, schema "propensity"`. */
	readonly location: string;
	close(): Promise<void>;
}

const metricValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()], {
	message: 'a metric must be text (up to 1000 characters), a finite number, true/false or null',
});

export const modelSummarySchema = z
	.record(z.string().min(1).max(100), metricValue.optional())
	.refine((summary) => Object.keys(summary).length <= 100, 'a summary holds at most 100 metrics');

/** The summary without undefined entries, or an InputError naming the bad metric. */
export function checkSummary(summary: unknown): ModelSummary {
	const parsed = modelSummarySchema.safeParse(summary ?? {});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new InputError(
			`The model summary is not valid at "${issue.path.join('.') || 'summary'}": ${issue.message}. A summary maps metric names to text, finite numbers, true/false or null, e.g. { "auc": 0.81, "grade": "good", "learner": "gbdt" }.`,
			'bad-model-summary',
		);
	}
	const clean: Record<string, string | number | boolean | null> = {};
	for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) clean[key] = value;
	return clean;
}

/** The model text, when it is non-empty JSON naming the model it is saved as; the store keeps it byte for byte. */
export function checkModelText(name: string, text: unknown): string {
	if (typeof text !== 'string' || text.trim() === '') {
		throw new InputError(`The model "${name}" to save is empty: pass the model's JSON text (serializeModel(model)).`, 'bad-model-text');
	}
	try {
		JSON.parse(text);
	} catch (error) {
		throw new InputError(
			`The model "${name}" to save is not JSON (${(error as Error).message}): pass the model's JSON text (serializeModel(model)).`,
			'bad-model-text',
		);
	}
	checkStoredModelName(name, null, '', text);
	return text;
}

/** A version request: a whole number from 1, or 'latest'. */
export function checkVersion(name: string, version: unknown): number | 'latest' {
	if (version === undefined || version === 'latest') return 'latest';
	if (typeof version === 'number' && Number.isInteger(version) && version >= 1) return version;
	throw new InputError(
		`Version ${JSON.stringify(version)} of model "${name}" is not a version: use a whole number from 1, or "latest".`,
		'bad-model-version',
	);
}

/** The run time, when it is an ISO 8601 date-time; else an InputError. */
export function checkRunAt(segment: string, runAt: unknown): string {
	if (typeof runAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(runAt) && Number.isFinite(Date.parse(runAt))) return runAt;
	throw new InputError(
		`The run time ${JSON.stringify(runAt)} of segment "${segment}" is not an ISO 8601 date-time: use e.g. "2024-05-01T06:00:00Z".`,
		'bad-run-at',
	);
}

/** The member ids, when each is non-empty text and none repeats; else an InputError naming the first bad one. */
export function checkMembers(segment: string, members: readonly unknown[]): readonly string[] {
	if (!Array.isArray(members)) throw new InputError(`The members of segment "${segment}" must be a list of profile ids.`, 'bad-members');
	const seen = new Set<string>();
	for (let i = 0; i < members.length; i++) {
		const id = members[i];
		if (typeof id !== 'string' || id === '') {
			throw new InputError(
				`Member ${i + 1} of segment "${segment}" is ${JSON.stringify(id)}, not a profile id: every member must be non-empty text.`,
				'bad-members',
			);
		}
		if (seen.has(id))
			throw new InputError(
				`Profile "${id}" appears twice in the members of segment "${segment}" (at ${i + 1}): a membership lists each profile once.`,
				'bad-members',
			);
		seen.add(id);
	}
	return members as readonly string[];
}

/** The run's rows, when each is an object with a profile id; else an InputError. */
export function checkRunInput(segment: string, run: SegmentRunInput): SegmentRunInput {
	checkRunAt(segment, run?.runAt);
	checkMembers(segment, run.members);
	for (const [what, rows] of [
		['entered', run.entered],
		['left', run.left],
	] as const) {
		if (!Array.isArray(rows)) throw new InputError(`The ${what} rows of segment "${segment}" must be a list of profiles.`, 'bad-members');
		rows.forEach((row, i) => {
			if (typeof row !== 'object' || row === null || typeof row.profileId !== 'string' || row.profileId === '') {
				throw new InputError(`Row ${i + 1} of the ${what} profiles of segment "${segment}" has no profile id: every row needs one.`, 'bad-members');
			}
		});
	}
	if (typeof run.mode !== 'string' || run.mode === '')
		throw new InputError(`The mode of the run of segment "${segment}" is missing: give all, entered or left.`, 'bad-segment-mode');
	return run;
}

/** A run request: a whole number from 1, or 'latest'. */
export function checkRunNumber(segment: string, run: unknown): number | 'latest' {
	if (run === 'latest') return 'latest';
	if (typeof run === 'number' && Number.isInteger(run) && run >= 1) return run;
	throw new InputError(
		`Run ${JSON.stringify(run)} of segment "${segment}" is not a run: use its number (1, 2, 3…, as each run reports) or "latest".`,
		'bad-segment-run',
	);
}
