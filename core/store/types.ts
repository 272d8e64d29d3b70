/**
 * The model store's contract: named models with numbered versions, and the remembered
 * membership of each segment, behind one interface whatever the backend (folder, PostgreSQL).
 */
import { z } from 'zod';
import { InputError } from '../errors';
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

const metricValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()], { message: 'a metric must be text (up to 1000 characters), a finite number, true/false or null' });

export const modelSummarySchema = z
	.record(z.string().min(1).max(100), metricValue.optional())
	.refine((summary) => Object.keys(summary).length <= 100, 'a summary holds at most 100 metrics');

/** The summary without undefined entries, or an InputError naming the bad metric. */
export function checkSummary(summary: unknown): ModelSummary {
	const parsed = modelSummarySchema.safeParse(summary ?? {});
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new InputError(`The model summary is not valid at "${issue.path.join('.') || 'summary'}": ${issue.message}. A summary maps metric names to text, finite numbers, true/false or null, e.g. { "auc": 0.81, "grade": "good", "learner": "gbdt" }.`, 'bad-model-summary');
	}
	const clean: Record<string, string | number | boolean | null> = {};
	for (const [key, value] of Object.entries(parsed.data)) if (value !== undefined) clean[key] = value;
	return clean;
}

/** The model text, when it is non-empty JSON; the store keeps it byte for byte. */
export function checkModelText(name: string, text: unknown): string {
	if (typeof text !== 'string' || text.trim() === '') {
		throw new InputError(`The model "${name}" to save is empty: pass the model's JSON text (serializeModel(model)).`, 'bad-model-text');
	}
	try {
		JSON.parse(text);
	} catch (error) {
		throw new InputError(`The model "${name}" to save is not JSON (${(error as Error).message}): pass the model's JSON text (serializeModel(model)).`, 'bad-model-text');
	}
	return text;
}

/** A version request: a whole number from 1, or 'latest'. */
export function checkVersion(name: string, version: unknown): number | 'latest' {
	if (version === undefined || version === 'latest') return 'latest';
	if (typeof version === 'number' && Number.isInteger(version) && version >= 1) return version;
	throw new InputError(`Version ${JSON.stringify(version)} of model "${name}" is not a version: use a whole number from 1, or "latest".`, 'bad-model-version');
}

/** The run time, when it is an ISO 8601 date-time; else an InputError. */
export function checkRunAt(segment: string, runAt: unknown): string {
	if (typeof runAt === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(runAt) && Number.isFinite(Date.parse(runAt))) return runAt;
	throw new InputError(`The run time ${JSON.stringify(runAt)} of segment "${segment}" is not an ISO 8601 date-time: use e.g. "2024-05-01T06:00:00Z".`, 'bad-run-at');
}

/** The member ids, when each is non-empty text and none repeats; else an InputError naming the first bad one. */
export function checkMembers(segment: string, members: readonly unknown[]): readonly string[] {
	if (!Array.isArray(members)) throw new InputError(`The members of segment "${segment}" must be a list of profile ids.`, 'bad-members');
	const seen = new Set<string>();
	for (let i = 0; i < members.length; i++) {
		const id = members[i];
		if (typeof id !== 'string' || id === '') {
			throw new InputError(`Member ${i + 1} of segment "${segment}" is ${JSON.stringify(id)}, not a profile id: every member must be non-empty text.`, 'bad-members');
		}
		if (seen.has(id)) throw new InputError(`Profile "${id}" appears twice in the members of segment "${segment}" (at ${i + 1}): a membership lists each profile once.`, 'bad-members');
		seen.add(id);
	}
	return members as readonly string[];
}
