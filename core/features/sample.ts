/**
 * Deterministic sampling of training examples above a cap. When the eligible (profile, cutoff)
 * rows exceed the cap, every positive is kept (up to the cap) and negatives are kept by a hash
 * of (seed, profile id): the first 32 bits of MD5 of the UTF-8 text `seed:id`. The hash is the
 * same number in this process, in PostgreSQL (`md5`) and in ClickHouse (`MD5`), so the
 * warehouse keeps exactly the rows the in-memory path keeps, and both train the same model.
 *
 * A profile is kept or dropped as a whole (at every cutoff, for its class), so the learner sees
 * whole histories. Sampling changes the class balance, not the rows within a class, so the
 * model corrects its probabilities by the odds the sampling changed (`correctForSample`), and
 * metrics weigh each row by its class's realised weight (eligible ÷ kept).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../errors';
import { selectRows } from '../learn/dataset';
import type { Examples } from './examples';

/** Above this many example rows, training samples (an option: maxExamples). */
export const defaultMaxExamples = 2_000_000;

/**
 * What training holds per example row, all in, as measured on the warehouse path
 * (bench/warehouse.ts: 9 to 12 bytes a value at 148,762 to 570,910 rows × 87 features, above
 * the process's own memory): per feature the Float32 value (4 bytes), the boosted trees' bins and row words
 * (2 bytes a training row), the validation halves' copies (4 bytes a validation row), and the
 * heap the arriving rows leave behind; per row its profile, cutoff and label, the trees' row
 * buffers and the ids. Rounded up.
 */
export const trainingBytes = { perValue: 12, perRow: 128 };

/** The cap on example rows: maxExamples, or fewer when the memory budget holds fewer rows of these features. */
export interface ExamplesCap {
	readonly maxExamples: number;
	/** Set when the memory budget, not maxExamples, set the cap. */
	readonly memoryBudgetMb?: number;
}

/**
 * The megabytes the examples may take in training when no budget is given: none, so the cap is
 * maxExamples' 2,000,000 rows. A budget of 320 MB keeps the whole `train` within 500 MB at
 * 20,000,000 events, but costs accuracy where it samples hard (measured with bench/sampleCost.ts:
 * −0.0006 future AUC at 10,000,000 events, −0.0023 with 256 MB; docs/warehouse.md, "The memory
 * budget"), so it is an option. null lifts a budget.
 */
export const defaultMemoryBudgetMb: number | undefined = undefined;

/**
 * Checks the memoryBudgetMb option: a number of megabytes, at least 1; null for none (the cap is
 * maxExamples alone); absent for the default (defaultMemoryBudgetMb). The budget in force, or
 * undefined when there is none.
 */
export function checkMemoryBudget(memoryBudgetMb: number | null | undefined): number | undefined {
	if (memoryBudgetMb === null) return undefined;
	if (memoryBudgetMb === undefined) return defaultMemoryBudgetMb;
	if (!(Number.isFinite(memoryBudgetMb) && memoryBudgetMb >= 1))
		throw new InputError(
			`memoryBudgetMb is ${String(memoryBudgetMb)}; give the megabytes the examples may take in training, at least 1, or none to lift the budget.`,
			'bad-option',
		);
	return memoryBudgetMb;
}

/**
 * A memory budget as a host gives it (a node field, a message property, a command-line word):
 * blank or absent for the default, "none" or 0 for no budget, else whole megabytes (at least 1).
 * `where` names the setting in the error.
 */
export function parseMemoryBudget(value: unknown, where: string): number | null | undefined {
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return undefined;
	const text = String(value).trim().toLowerCase();
	if (text === 'none' || text === '0') return null;
	const megabytes = Number(text);
	if (!(Number.isInteger(megabytes) && megabytes >= 1 && megabytes <= 1_000_000))
		throw new InputError(
			`${where} is "${String(value)}"; give whole megabytes from 1 to 1000000 (e.g. 256), none to lift the budget, or leave it out for the default${defaultMemoryBudgetMb === undefined ? ' (none)' : ` (${defaultMemoryBudgetMb} MB)`}.`,
			'bad-option',
		);
	return megabytes;
}

/**
 * The example rows training may keep: maxExamples, lowered to what the memory budget holds
 * of `features` features (rows × (features × 12 + 128) bytes). Both paths call it with the same
 * declarations, so they sample alike.
 */
export function examplesCap(options: { maxExamples?: number; memoryBudgetMb?: number | null }, features: number): ExamplesCap {
	const maxExamples = checkMaxExamples(options.maxExamples);
	const budget = checkMemoryBudget(options.memoryBudgetMb);
	if (budget === undefined) return { maxExamples };
	const held = Math.max(2, Math.floor((budget * 2 ** 20) / (features * trainingBytes.perValue + trainingBytes.perRow)));
	return held < maxExamples ? { maxExamples: held, memoryBudgetMb: budget } : { maxExamples };
}

/** 2³²: hashes are 32-bit, thresholds are integers in [0, 2³²]. */
export const hashRange = 0x1_0000_0000;

/** How one class was sampled: eligible rows, kept rows, and the hash threshold below which a profile is kept. */
export interface ClassSample {
	readonly eligible: number;
	readonly kept: number;
	/** A row is kept when hash(seed, profile) < threshold (2³² keeps every row). */
	readonly threshold: number;
}

/** How the examples were sampled; the model records it. */
export interface SampleRecord {
	readonly method: 'md5-32 of seed:profile';
	readonly maxExamples: number;
	/** Present when this memory budget (megabytes), not the maxExamples option, set maxExamples. */
	readonly memoryBudgetMb?: number;
	readonly seed: number;
	readonly positives: ClassSample;
	readonly negatives: ClassSample;
}

export const sampleRecordSchema: z.ZodType<SampleRecord> = z.strictObject({
	method: z.literal('md5-32 of seed:profile'),
	maxExamples: z.number().int().positive(),
	memoryBudgetMb: z.number().positive().optional(),
	seed: z.number().int().min(0).max(0xffffffff),
	positives: z.strictObject({ eligible: z.number().int().min(0), kept: z.number().int().min(0), threshold: z.number().int().min(0).max(hashRange) }),
	negatives: z.strictObject({ eligible: z.number().int().min(0), kept: z.number().int().min(0), threshold: z.number().int().min(0).max(hashRange) }),
});

/** Thresholds chosen before the rows are read: the expected kept rows fill the cap. */
export interface SamplePlan {
	readonly maxExamples: number;
	readonly memoryBudgetMb?: number;
	readonly seed: number;
	readonly positiveThreshold: number;
	readonly negativeThreshold: number;
}

/** Checks the maxExamples option: a whole number of rows, at least 2. */
export function checkMaxExamples(maxExamples: number | undefined): number {
	const value = maxExamples ?? defaultMaxExamples;
	if (!Number.isSafeInteger(value) || value < 2)
		throw new InputError(
			`maxExamples is ${String(maxExamples)}; give a whole number of example rows, at least 2 (default ${defaultMaxExamples}).`,
			'bad-option',
		);
	return value;
}

/**
 * The sample for `positives` and `negatives` eligible rows, or undefined when they fit the cap.
 * Every positive is kept while they fit; the rest of the cap goes to negatives.
 */
export function planSample(positives: number, negatives: number, maxExamples: number | ExamplesCap | undefined, seed: number): SamplePlan | undefined {
	const limit = typeof maxExamples === 'object' ? maxExamples : { maxExamples: checkMaxExamples(maxExamples) };
	const cap = limit.maxExamples;
	if (positives + negatives <= cap) return undefined;
	// Half the cap at least goes to negatives when positives alone would fill it.
	const keptPositives = Math.min(positives, Math.max(Math.ceil(cap / 2), cap - negatives));
	const share = (wanted: number, of: number) => (of === 0 || wanted >= of ? hashRange : Math.floor((wanted / of) * hashRange));
	return {
		maxExamples: cap,
		...(limit.memoryBudgetMb !== undefined ? { memoryBudgetMb: limit.memoryBudgetMb } : {}),
		seed,
		positiveThreshold: share(keptPositives, positives),
		negativeThreshold: share(cap - keptPositives, negatives),
	};
}

/** The 32-bit sampling hash of a profile: the first four bytes of MD5("seed:id"), big-endian. */
export function sampleHash(profileId: string, seed: number): number {
	return createHash('md5').update(`${seed}:${profileId}`, 'utf8').digest().readUInt32BE(0);
}

/** Whether a row of this class and profile is in the sample. */
export function keptBySample(plan: SamplePlan, profileId: string, positive: boolean): boolean {
	const threshold = positive ? plan.positiveThreshold : plan.negativeThreshold;
	return threshold >= hashRange || sampleHash(profileId, plan.seed) < threshold;
}

/** The record of a sample once its rows are known. */
export function recordSample(
	plan: SamplePlan,
	eligible: { positives: number; negatives: number },
	kept: { positives: number; negatives: number },
): SampleRecord {
	return {
		method: 'md5-32 of seed:profile',
		maxExamples: plan.maxExamples,
		...(plan.memoryBudgetMb !== undefined ? { memoryBudgetMb: plan.memoryBudgetMb } : {}),
		seed: plan.seed,
		positives: { eligible: eligible.positives, kept: kept.positives, threshold: plan.positiveThreshold },
		negatives: { eligible: eligible.negatives, kept: kept.negatives, threshold: plan.negativeThreshold },
	};
}

/** Each class's weight: how many eligible rows one kept row stands for. */
export function classWeights(sample: SampleRecord | undefined): { positive: number; negative: number } {
	if (!sample) return { positive: 1, negative: 1 };
	const weight = (c: ClassSample) => (c.kept > 0 ? c.eligible / c.kept : 1);
	return { positive: weight(sample.positives), negative: weight(sample.negatives) };
}

/**
 * A probability learnt on the sample, as a probability among all eligible rows: the sample
 * multiplied the odds by (positive share kept ÷ negative share kept), so they are divided back.
 */
export function correctForSample(probability: number, sample: SampleRecord | undefined): number {
	if (!sample || !(probability > 0 && probability < 1)) return probability;
	const { positive, negative } = classWeights(sample);
	const odds = (probability / (1 - probability)) * (positive / negative);
	return odds / (1 + odds);
}

/** Rows by class: what a sample record counts. */
export function classCounts(label: Uint8Array): { positives: number; negatives: number } {
	let positives = 0;
	for (const value of label) positives += value;
	return { positives, negatives: label.length - positives };
}

/**
 * The in-memory examples reduced to the sample, rows in the same order: the rows the
 * warehouse keeps with the same plan (see core/warehouse/sample.ts).
 */
export function sampleExamples<E extends Pick<Examples, 'data' | 'profile' | 'cutoffIndex' | 'cutoffs' | 'perCutoff'>>(
	examples: E,
	profileIds: readonly string[],
	plan: SamplePlan,
): E {
	const kept: number[] = [];
	const { label } = examples.data;
	for (let r = 0; r < examples.data.rows; r++) if (keptBySample(plan, profileIds[examples.profile[r]], label[r] === 1)) kept.push(r);
	const cutoffIndex = Uint16Array.from(kept, (r) => examples.cutoffIndex[r]);
	const data = selectRows(examples.data, kept);
	const perCutoff = examples.cutoffs.map((cutoff, k) => {
		let eligible = 0;
		let positives = 0;
		cutoffIndex.forEach((c, i) => {
			if (c !== k) return;
			eligible++;
			positives += data.label[i];
		});
		return { cutoff, eligible, positives, negatives: eligible - positives };
	});
	return { ...examples, data, profile: Uint32Array.from(kept, (r) => examples.profile[r]), cutoffIndex, perCutoff };
}
