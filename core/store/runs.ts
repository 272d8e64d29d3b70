/**
 * Remembered scoring runs: what a scoring run gave each profile (probability, score, bucket),
 * with the score date, the model name and version and what drift needs, so that a later
 * backtest can check how the scores came true. One compact record per run: columns, not one
 * object per profile, gzip-compressed JSON in the folder backend and in PostgreSQL alike.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { InputError } from '../errors';

export const runFormat = 'propensity-scoring-run';

/** Runs kept per model name unless told otherwise: the oldest beyond it are deleted at each save. */
export const defaultKeepRuns = 60;

export interface ScoringRunRecord {
	readonly format: typeof runFormat;
	readonly formatVersion: 1;
	readonly model: string;
	/** The store version of the model that scored, or null when it came from a file or the flow. */
	readonly modelVersion: number | null;
	/** SHA-256 of the model's goal JSON, to tell when a name's goal changed between versions. */
	readonly goalChecksum: string | null;
	readonly propensityType: 'conversion' | 'churn';
	/** The "as of" moment of the scores, ISO 8601 UTC. */
	readonly scoreDate: string;
	readonly boundaries: { readonly mediumFrom: number; readonly highFrom: number };
	/** Profiles with an event at or before the score date, and those eligible (scored). */
	readonly profilesActive: number;
	readonly scored: number;
	/** One entry per scored profile, in the same order in every column. */
	readonly profileId: readonly string[];
	readonly probability: readonly number[];
	readonly score: readonly number[];
	/** One letter per profile: l(ow), m(edium), h(igh). */
	readonly bucket: string;
	/** Per drift feature: how many scored profiles fall in each bin of the model's reference edges. */
	readonly features: readonly { readonly feature: string; readonly counts: readonly number[] }[];
	/** Events per type in the lookback before the score date. */
	readonly eventTypes: Readonly<Record<string, number>>;
	/**
	 * A run scored into a warehouse keeps its rows there, not here: the per-profile columns above
	 * are empty, and what drift needs of the scores is kept as counts. Backtests read the rows
	 * from the scores table (core/warehouse/runs.ts).
	 */
	readonly warehouse?: WarehouseRunPart;
}

export interface WarehouseRunPart {
	/** The scores table as given to the run (TABLE, or SCHEMA.TABLE on PostgreSQL). */
	readonly scoresTable: string;
	/** The same, described with its warehouse and without the password. */
	readonly location: string;
	/** The probabilities binned by the scoring model's reference score edges (edges + 2 bins). */
	readonly scoreCounts: readonly number[];
	readonly buckets: { readonly low: number; readonly medium: number; readonly high: number };
}

/** A remembered run as listings show it, without its columns. */
export interface ScoringRunInfo {
	readonly model: string;
	/** The store's id of the run: increasing in the order runs were saved. */
	readonly id: string;
	readonly scoreDate: string;
	readonly modelVersion: number | null;
	readonly scored: number;
	/** When the run was remembered, ISO 8601 UTC. */
	readonly savedAt: string;
}

const isoMoment = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && Number.isFinite(Date.parse(s)), 'must be an ISO 8601 date-time');
const count = z.number().int().min(0);

const recordSchema = z
	.strictObject({
		format: z.literal(runFormat),
		formatVersion: z.literal(1),
		model: z.string().min(1),
		modelVersion: z.number().int().min(1).nullable(),
		goalChecksum: z
			.string()
			.regex(/^[0-9a-f]{64}$/)
			.nullable(),
		propensityType: z.enum(['conversion', 'churn']),
		scoreDate: isoMoment,
		boundaries: z.strictObject({ mediumFrom: z.number().int().min(0).max(100), highFrom: z.number().int().min(0).max(100) }),
		profilesActive: count,
		scored: count,
		profileId: z.array(z.string().min(1)),
		probability: z.array(z.number().min(0).max(1)),
		score: z.array(z.number().int().min(0).max(100)),
		bucket: z.string().regex(/^[lmh]*$/),
		features: z.array(z.strictObject({ feature: z.string().min(1), counts: z.array(count) })),
		eventTypes: z.record(z.string(), count),
		warehouse: z
			.strictObject({
				scoresTable: z.string().min(1),
				location: z.string().min(1),
				scoreCounts: z.array(count),
				buckets: z.strictObject({ low: count, medium: count, high: count }),
			})
			.optional(),
	})
	.superRefine((record, ctx) => {
		// A warehouse run keeps its rows in the warehouse: no profile here.
		const n = record.warehouse ? 0 : record.scored;
		for (const [column, length] of [
			['profileId', record.profileId.length],
			['probability', record.probability.length],
			['score', record.score.length],
			['bucket', record.bucket.length],
		] as const) {
			if (length !== n)
				ctx.addIssue({
					code: 'custom',
					path: [column],
					message: record.warehouse
						? `holds ${length} entries, where a run kept in a warehouse holds none`
						: `holds ${length} entries for ${n} scored profiles`,
				});
		}
	});

/** The record checked, or an InputError naming the first bad field. */
export function checkRunRecord(record: unknown, where = 'the scoring run'): ScoringRunRecord {
	const parsed = recordSchema.safeParse(record);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new InputError(
			`${where} is not a valid scoring run at "${issue.path.join('.') || 'record'}": ${issue.message}. Runs are written by scoring with a store; delete a damaged one, or score again.`,
			'bad-scoring-run',
		);
	}
	return parsed.data as ScoringRunRecord;
}

/** The record as gzip-compressed JSON. */
export function encodeRun(record: ScoringRunRecord): Buffer {
	return gzipSync(Buffer.from(JSON.stringify(record), 'utf8'));
}

/** A record from its gzip-compressed JSON, or an InputError saying where it is damaged. */
export function decodeRun(bytes: Buffer, where: string): ScoringRunRecord {
	let value: unknown;
	try {
		value = JSON.parse(gunzipSync(bytes).toString('utf8'));
	} catch (error) {
		throw new InputError(
			`The remembered scoring run ${where} is damaged (${(error as Error).message}): delete it, or restore it from a backup.`,
			'run-corrupted',
			{ where },
		);
	}
	return checkRunRecord(value, `The remembered scoring run ${where}`);
}

/** How many runs to keep: a whole number from 1 to 10000 (default 60). */
export function checkKeepRuns(keep: unknown): number {
	if (keep === undefined || keep === null || keep === '') return defaultKeepRuns;
	if (typeof keep === 'number' && Number.isInteger(keep) && keep >= 1 && keep <= 10_000) return keep;
	throw new InputError(
		`Runs to keep ${JSON.stringify(keep)} is not a number of runs: use a whole number from 1 to 10000 (default ${defaultKeepRuns}).`,
		'bad-keep-runs',
	);
}
