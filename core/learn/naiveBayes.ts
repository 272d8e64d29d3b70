/**
 * Gaussian naive Bayes, with ml-naivebayes's class means and variances (computed here by its
 * formulas, see fitGaussians); probabilities are computed from those parameters in log space
 * (the library only predicts a class). A missing value is modelled, not imputed: each feature
 * sometimes missing in training also learns how often it is missing in each class, and the
 * Gaussian is fitted on its present values only. The raw output is the log-odds, a sum of
 * per-feature class-conditional log-likelihood ratios, so explanations are exact and additive.
 * (The library's own predict reads only the first two features: it loops over the length of a
 * [C1, C2] pair instead of the feature count. Another reason not to use it for scoring.)
 */
import { z } from 'zod';
import { InputError, throwIfCancelled } from '../errors';
import { createRng } from '../util/rng';
import { checkLabelledData, checkLengths, columnsByName, parseLearnerJson, stratifiedSample } from './check';
import { selectRows, type Dataset, type LabelledDataset } from './dataset';
import type { ExplainsItself, FitContext, LearnerJson, LinearContributions, TrainedLearner } from './learner';

export interface NaiveBayesOptions {
	/**
	 * Each class's variance of a feature is at least this share of the feature's overall variance,
	 * so that a feature constant within one class cannot dominate every score.
	 */
	varianceFloor: number;
	/** Most training rows: larger data is subsampled (seeded, stratified) to this many, which estimate two means and variances per feature well enough. */
	maxRows: number;
}

export const defaultNaiveBayesOptions: NaiveBayesOptions = Object.freeze({ varianceFloor: 0.01, maxRows: 200_000 });

/** One feature's fitted parameters; index 0 = class 0 (no outcome), 1 = class 1 (outcome). */
export interface NaiveBayesFeature {
	readonly name: string;
	/** Class means and variances of the present values; null when the feature carries no Gaussian (constant, or too few present values). */
	readonly gaussian: { readonly means: [number, number]; readonly variances: [number, number] } | null;
	/** Share of each class's training rows where the feature is missing (Laplace-smoothed); null when it was never missing. */
	readonly missingRates: [number, number] | null;
	/** The feature's mean log-likelihood ratio over the training rows, subtracted so that a typical value contributes about 0. */
	readonly meanContribution: number;
}

export interface NaiveBayesJson extends LearnerJson {
	readonly kind: 'naiveBayes';
	readonly formatVersion: 1;
	readonly featureNames: string[];
	/** Training rows per class: [no outcome, outcome]. */
	readonly classCounts: [number, number];
	readonly features: NaiveBayesFeature[];
	readonly options: NaiveBayesOptions;
	/** Training rows offered, and rows actually fitted (fewer when the data was subsampled to maxRows). */
	readonly trainingRows: number;
	readonly fittedRows: number;
}

export interface NaiveBayesModel extends TrainedLearner, ExplainsItself {
	readonly kind: 'naiveBayes';
	readonly featureNames: readonly string[];
	/** Mean raw output over the training rows: log prior odds + Σ mean contributions. */
	readonly expectedValue: number;
	readonly trainingRows: number;
	readonly fittedRows: number;
	/** Per-feature log-odds contributions (log-likelihood ratios, centred on their training mean), summing with `expected` to the raw output. */
	explain(row: (feature: number) => number): LinearContributions;
	toJSON(): NaiveBayesJson;
}

/** Fits Gaussian naive Bayes to `train` (row weights are not supported). */
export async function trainNaiveBayes(all: LabelledDataset, options: Partial<NaiveBayesOptions>, context: FitContext): Promise<NaiveBayesModel> {
	const resolved = { ...defaultNaiveBayesOptions, ...options };
	if (!(resolved.varianceFloor >= 0 && resolved.varianceFloor < 1)) {
		throw new InputError(`The naive Bayes option varianceFloor must be at least 0 and below 1, not ${resolved.varianceFloor}.`, 'bad-learner-options');
	}
	if (!(Number.isInteger(resolved.maxRows) && resolved.maxRows >= 10)) {
		throw new InputError(`The naive Bayes option maxRows must be a whole number of at least 10, not ${resolved.maxRows}.`, 'bad-learner-options');
	}
	checkLabelledData(all, 'training data');
	rejectWeights(all, 'naive Bayes');
	const train = all.rows > resolved.maxRows ? selectRows(all, stratifiedSample(all.label, resolved.maxRows, createRng(context.seed).fork(0x6e62))) : all;
	const n = train.rows;
	const classCounts: [number, number] = [0, 0];
	for (let r = 0; r < n; r++) classCounts[train.label[r]]++;
	const gaussians = fitGaussians(train, resolved.varianceFloor);
	const features: NaiveBayesFeature[] = [];
	for (let f = 0; f < train.columns.length; f++) {
		throwIfCancelled(context.hooks?.signal, 'naive Bayes fit');
		const column = train.columns[f];
		const missing: [number, number] = [0, 0];
		for (let r = 0; r < n; r++) if (column[r] !== column[r]) missing[train.label[r]]++;
		const missingRates: [number, number] | null =
			missing[0] + missing[1] === 0 ? null : [(missing[0] + 1) / (classCounts[0] + 2), (missing[1] + 1) / (classCounts[1] + 2)];
		const feature = { name: train.featureNames[f], gaussian: gaussians[f], missingRates, meanContribution: 0 };
		const ratio = logLikelihoodRatio(feature);
		let sum = 0;
		for (let r = 0; r < n; r++) sum += ratio(column[r]);
		features.push({ ...feature, meanContribution: sum / n });
	}
	return new NaiveBayes({
		kind: 'naiveBayes',
		formatVersion: 1,
		featureNames: train.featureNames.slice(),
		classCounts,
		features,
		options: resolved,
		trainingRows: all.rows,
		fittedRows: n,
	});
}

/** Throws InputError when `data` carries row weights other than all-equal: `learner` cannot use them. */
export function rejectWeights(data: Dataset, learner: string): void {
	const w = data.weight;
	if (!w) return;
	for (let r = 1; r < w.length; r++) {
		if (w[r] !== w[0])
			throw new InputError(
				`The ${learner} learner cannot use row weights; train with the boosted trees ("gbdt") or logistic regression instead.`,
				'weights-unsupported',
			);
	}
}

/**
 * Class means and variances of each feature over its present values, computed as ml-naivebayes
 * 4 computes them (the sample variance, by its formula and in its order of rows, so the numbers
 * are the library's to the bit; test/learn/naiveBayes.test.ts checks this) without copying the
 * rows into the library's matrices, which cost several times the arithmetic and most of a
 * training's garbage. Variances get the floor and scikit-learn's smoothing (1e-9 × the largest
 * feature variance); a constant feature, or one with fewer than two present values in a class,
 * gets no Gaussian.
 */
function fitGaussians(train: LabelledDataset, floor: number): NaiveBayesFeature['gaussian'][] {
	const overall = train.columns.map((column) => presentVariance(column));
	const smoothing = 1e-9 * Math.max(0, ...overall.map((v) => (Number.isFinite(v) ? v : 0)));
	return train.columns.map((column, f) => {
		if (!(overall[f] > 0)) return null;
		const moments = classMoments(column, train.label);
		if (!moments) return null;
		const { means, variances } = moments;
		if (!variances.every(Number.isFinite) || !means.every(Number.isFinite)) return null;
		return { means, variances: variances.map((v) => Math.max(v, floor * overall[f]) + smoothing) as [number, number] };
	});
}

/**
 * Each class's mean and sample variance of a column's present values: the mean as a sum in row
 * order over the count, the variance as (Σd² − (Σd)²/n) / (n − 1) with d = x − mean, as the
 * library does. Undefined when a class has fewer than two present values.
 */
function classMoments(column: Float32Array, label: Uint8Array): { means: [number, number]; variances: [number, number] } | undefined {
	const count = [0, 0];
	const sum = [0, 0];
	for (let r = 0; r < column.length; r++) {
		const x = column[r];
		if (x !== x) continue;
		count[label[r]]++;
		sum[label[r]] += x;
	}
	if (count[0] < 2 || count[1] < 2) return undefined;
	const means: [number, number] = [sum[0] / count[0], sum[1] / count[1]];
	const sum1 = [0, 0];
	const sum2 = [0, 0];
	for (let r = 0; r < column.length; r++) {
		const x = column[r];
		if (x !== x) continue;
		const d = x - means[label[r]];
		sum1[label[r]] += d;
		sum2[label[r]] += d * d;
	}
	// The library keeps the standard deviation and squares it back: the same rounding here.
	const variances = [0, 1].map((c) => {
		const sd = Math.sqrt((sum2[c] - (sum1[c] * sum1[c]) / count[c]) / (count[c] - 1));
		return sd * sd;
	}) as [number, number];
	return { means, variances };
}

/** Population variance of the present (non-NaN) values; NaN when none are present. */
function presentVariance(column: Float32Array): number {
	let count = 0;
	let sum = 0;
	for (let r = 0; r < column.length; r++) {
		if (column[r] === column[r]) {
			count++;
			sum += column[r];
		}
	}
	const mean = sum / count;
	let squares = 0;
	for (let r = 0; r < column.length; r++) if (column[r] === column[r]) squares += (column[r] - mean) ** 2;
	return squares / count;
}

/**
 * log P(x | outcome) − log P(x | no outcome) for one feature's values (NaN = missing), as a
 * function of x: the logarithms that do not depend on x are taken once per feature, not once
 * per row, with the same arithmetic in the same order, so the results are the same to the bit.
 */
function logLikelihoodRatio(feature: Omit<NaiveBayesFeature, 'meanContribution'>): (x: number) => number {
	const { gaussian, missingRates } = feature;
	const missing = missingRates ? Math.log(missingRates[1] / missingRates[0]) : 0;
	const present = missingRates ? Math.log((1 - missingRates[1]) / (1 - missingRates[0])) : 0;
	if (!gaussian) return (x) => (x !== x ? missing : present);
	const [m0, m1] = gaussian.means;
	const [v0, v1] = gaussian.variances;
	const logScale = -0.5 * Math.log(v1 / v0);
	return (x) => (x !== x ? missing : present + (logScale - ((x - m1) * (x - m1)) / (2 * v1) + ((x - m0) * (x - m0)) / (2 * v0)));
}

/** Reads a model written by toJSON; throws InputError saying what is wrong and where. */
export function naiveBayesFromJson(json: unknown): NaiveBayesModel {
	const params = parseLearnerJson(jsonSchema, json, 'naive Bayes') as NaiveBayesJson;
	checkLengths('naive Bayes', params.featureNames.length, { features: params.features });
	params.features.forEach((feature, f) => {
		if (feature.name !== params.featureNames[f]) {
			throw new InputError(
				`The naive Bayes model is not valid: features.${f} is "${feature.name}" but featureNames.${f} is "${params.featureNames[f]}". Retrain the model, or restore the model file.`,
				'bad-model',
			);
		}
	});
	return new NaiveBayes(params);
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const pair = (value: z.ZodType<number>) => z.tuple([value, value]);
const jsonSchema = z
	.object({
		kind: z.literal('naiveBayes'),
		formatVersion: z.literal(1),
		featureNames: z.array(z.string()).min(1),
		classCounts: pair(z.number().int().positive()),
		features: z.array(
			z
				.object({
					name: z.string(),
					gaussian: z
						.object({ means: pair(finite), variances: pair(finite.refine((v) => v > 0, 'must be above 0')) })
						.strict()
						.nullable(),
					missingRates: pair(finite.refine((v) => v > 0 && v < 1, 'must be between 0 and 1')).nullable(),
					meanContribution: finite,
				})
				.strict(),
		),
		options: z.object({ varianceFloor: z.number().min(0).max(1), maxRows: z.number().int().min(10) }).strict(),
		trainingRows: z.number().int().positive(),
		fittedRows: z.number().int().positive(),
	})
	.strict();

class NaiveBayes implements NaiveBayesModel {
	readonly kind = 'naiveBayes' as const;
	readonly featureNames: readonly string[];
	readonly expectedValue: number;
	readonly trainingRows: number;
	readonly fittedRows: number;

	constructor(private readonly params: NaiveBayesJson) {
		this.featureNames = params.featureNames;
		this.trainingRows = params.trainingRows;
		this.fittedRows = params.fittedRows;
		let expected = Math.log(params.classCounts[1] / params.classCounts[0]);
		for (const feature of params.features) expected += feature.meanContribution;
		this.expectedValue = expected;
	}

	/** Raw scores computed as expected + Σ contributions, in feature order, so explanations add up to them. */
	predictRaw(data: Dataset): Float64Array {
		const columns = columnsByName(data, this.featureNames);
		const raw = new Float64Array(data.rows).fill(this.expectedValue);
		this.params.features.forEach((feature, f) => {
			const column = columns[f];
			const ratio = logLikelihoodRatio(feature);
			for (let r = 0; r < data.rows; r++) raw[r] += ratio(column[r]) - feature.meanContribution;
		});
		return raw;
	}

	explain(row: (feature: number) => number): LinearContributions {
		const contributions = Float64Array.from(this.params.features, (feature, f) => logLikelihoodRatio(feature)(row(f)) - feature.meanContribution);
		return { expected: this.expectedValue, contributions };
	}

	toJSON(): NaiveBayesJson {
		return this.params;
	}
}
