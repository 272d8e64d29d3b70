/**
 * Logistic regression (ours): features standardised with the training mean and standard
 * deviation, a missing value imputed with the training mean (0 after standardising) plus a
 * missing-indicator for every feature that is sometimes missing in training, L2 penalty on
 * every coefficient but the intercept, fitted by L-BFGS. Its raw output is log-odds, and it
 * splits exactly into per-feature additive contributions for explanations.
 */
import { z } from 'zod';
import { InputError, throwIfCancelled } from '../errors';
import { throttledProgress } from '../util/progress';
import { checkLabelledData, checkLengths, columnsByName, parseLearnerJson } from './check';
import type { Dataset, LabelledDataset } from './dataset';
import { logit, type ExplainsItself, type FitContext, type LearnerJson, type LinearContributions, type TrainedLearner } from './learner';

export interface LogisticOptions {
	/** L2 penalty ½·l2·‖β‖² against the summed (weighted) log loss; 1 matches scikit-learn's C = 1. */
	l2: number;
	/** Most L-BFGS iterations. */
	maxIterations: number;
	/** Stop when every gradient entry of the mean loss is below this. */
	tolerance: number;
}

export const defaultLogisticOptions: LogisticOptions = Object.freeze({ l2: 1, maxIterations: 500, tolerance: 1e-9 });

export type { LinearContributions };

export interface LogisticJson extends LearnerJson {
	readonly kind: 'logistic';
	readonly formatVersion: 1;
	readonly featureNames: string[];
	/** Training mean of each feature (over its present values). */
	readonly means: number[];
	/** Training standard deviation of each feature (1 when constant). */
	readonly scales: number[];
	/** Coefficients on the standardised features, (x − mean) / scale. */
	readonly coefficients: number[];
	/** Coefficient of each feature's missing-indicator; null when the feature had no indicator. */
	readonly missingCoefficients: (number | null)[];
	/** Share of training rows where each feature was missing. */
	readonly missingRates: number[];
	readonly intercept: number;
	readonly options: LogisticOptions;
	/** L-BFGS iterations run, and whether the gradient tolerance was met. */
	readonly iterations: number;
	readonly converged: boolean;
}

export interface LogisticModel extends TrainedLearner, ExplainsItself {
	readonly kind: 'logistic';
	readonly featureNames: readonly string[];
	/** The fitted parameters, as stored (coefficients on standardised features). */
	readonly params: LogisticJson;
	/** The raw output of the average training row: intercept + Σ missing coefficient × missing rate. */
	readonly expectedValue: number;
	/** Intercept and coefficients on the original feature scale (a missing value still uses its indicator and the mean). */
	originalScale(): { intercept: number; coefficients: Float64Array };
	/** Per-feature log-odds contributions of one row (`row(f)`, NaN = missing), summing with `expected` to its raw output. */
	explain(row: (feature: number) => number): LinearContributions;
	toJSON(): LogisticJson;
}

const optionsSchema = z
	.object({
		l2: z.number().min(0).refine(Number.isFinite, 'must be finite'),
		maxIterations: z.number().int().min(1).max(100_000),
		tolerance: z.number().positive().refine(Number.isFinite, 'must be finite'),
	})
	.strict();

/** The defaults with `options` over them, validated. */
export function resolveLogisticOptions(options: Partial<LogisticOptions>): LogisticOptions {
	const merged = { ...defaultLogisticOptions, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
	const parsed = optionsSchema.safeParse(merged);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
		throw new InputError(
			`The logistic regression options are not valid: ${problems.join('; ')}. Fix or remove these options to use the defaults.`,
			'bad-learner-options',
		);
	}
	return parsed.data;
}

/** Fits logistic regression to `train` (context.validation is not used); the same data and options give the same model. */
export async function trainLogistic(train: LabelledDataset, options: Partial<LogisticOptions>, context: FitContext): Promise<LogisticModel> {
	const resolved = resolveLogisticOptions(options);
	checkLabelledData(train, 'training data');
	const design = standardise(train);
	const result = await minimise(design, train, resolved, context);
	const p = train.columns.length;
	const theta = result.theta;
	let k = p;
	const params: LogisticJson = {
		kind: 'logistic',
		formatVersion: 1,
		featureNames: train.featureNames.slice(),
		means: Array.from(design.means),
		scales: Array.from(design.scales),
		coefficients: Array.from(theta.subarray(0, p)),
		missingCoefficients: Array.from(design.indicator, (has) => (has ? theta[k++] : null)),
		missingRates: Array.from(design.missingRates),
		intercept: theta[theta.length - 1],
		options: resolved,
		iterations: result.iterations,
		converged: result.converged,
	};
	return new Logistic(params);
}

/** Reads a model written by toJSON; throws InputError saying what is wrong and where. */
export function logisticFromJson(json: unknown): LogisticModel {
	const params = parseLearnerJson(jsonSchema, json, 'logistic regression') as LogisticJson;
	checkLengths('logistic regression', params.featureNames.length, {
		means: params.means,
		scales: params.scales,
		coefficients: params.coefficients,
		missingCoefficients: params.missingCoefficients,
		missingRates: params.missingRates,
	});
	return new Logistic(params);
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const jsonSchema = z
	.object({
		kind: z.literal('logistic'),
		formatVersion: z.literal(1),
		featureNames: z.array(z.string()).min(1),
		means: z.array(finite),
		scales: z.array(finite.refine((v) => v > 0, 'must be above 0')),
		coefficients: z.array(finite),
		missingCoefficients: z.array(finite.nullable()),
		missingRates: z.array(finite.refine((v) => v >= 0 && v <= 1, 'must be in [0, 1]')),
		intercept: finite,
		options: optionsSchema,
		iterations: z.number().int().min(0),
		converged: z.boolean(),
	})
	.strict();

class Logistic implements LogisticModel {
	readonly kind = 'logistic' as const;
	readonly featureNames: readonly string[];
	readonly expectedValue: number;
	private readonly means: Float64Array;
	private readonly scales: Float64Array;
	private readonly beta: Float64Array;
	private readonly gamma: Float64Array;
	private readonly rates: Float64Array;

	constructor(readonly params: LogisticJson) {
		this.featureNames = params.featureNames;
		this.means = Float64Array.from(params.means);
		this.scales = Float64Array.from(params.scales);
		this.beta = Float64Array.from(params.coefficients);
		this.gamma = Float64Array.from(params.missingCoefficients, (c) => c ?? 0);
		this.rates = Float64Array.from(params.missingRates);
		let expected = params.intercept;
		for (let f = 0; f < this.gamma.length; f++) expected += this.gamma[f] * this.rates[f];
		this.expectedValue = expected;
	}

	/** Raw scores computed as expected + Σ contributions, in feature order, so explanations add up to them. */
	predictRaw(data: Dataset): Float64Array {
		const columns = columnsByName(data, this.featureNames);
		const raw = new Float64Array(data.rows).fill(this.expectedValue);
		for (let f = 0; f < columns.length; f++) {
			const column = columns[f];
			const mean = this.means[f];
			const b = this.beta[f] / this.scales[f];
			const whenMissing = this.gamma[f] * (1 - this.rates[f]);
			const whenPresent = -this.gamma[f] * this.rates[f];
			for (let r = 0; r < data.rows; r++) {
				const x = column[r];
				raw[r] += x === x ? b * (x - mean) + whenPresent : whenMissing;
			}
		}
		return raw;
	}

	explain(row: (feature: number) => number): LinearContributions {
		const contributions = new Float64Array(this.beta.length);
		for (let f = 0; f < contributions.length; f++) {
			const x = row(f);
			contributions[f] =
				x === x ? (this.beta[f] / this.scales[f]) * (x - this.means[f]) - this.gamma[f] * this.rates[f] : this.gamma[f] * (1 - this.rates[f]);
		}
		return { expected: this.expectedValue, contributions };
	}

	originalScale(): { intercept: number; coefficients: Float64Array } {
		const coefficients = new Float64Array(this.beta.length);
		let intercept = this.params.intercept;
		for (let f = 0; f < coefficients.length; f++) {
			coefficients[f] = this.beta[f] / this.scales[f];
			intercept -= coefficients[f] * this.means[f];
		}
		return { intercept, coefficients };
	}

	toJSON(): LogisticJson {
		return this.params;
	}
}

interface Design {
	readonly columns: readonly Float32Array[];
	readonly means: Float64Array;
	readonly scales: Float64Array;
	readonly missingRates: Float64Array;
	/** 1 when the feature gets a missing-indicator: missing in some but not all training rows. */
	readonly indicator: Uint8Array;
}

/** Means and standard deviations over present values; an indicator where a feature is sometimes missing. */
function standardise(train: LabelledDataset): Design {
	const p = train.columns.length;
	const means = new Float64Array(p);
	const scales = new Float64Array(p);
	const missingRates = new Float64Array(p);
	const indicator = new Uint8Array(p);
	train.columns.forEach((column, f) => {
		let present = 0;
		let sum = 0;
		for (let r = 0; r < train.rows; r++) {
			const x = column[r];
			if (x === x) {
				present++;
				sum += x;
			}
		}
		const mean = present > 0 ? sum / present : 0;
		let squares = 0;
		for (let r = 0; r < train.rows; r++) {
			const x = column[r];
			if (x === x) squares += (x - mean) * (x - mean);
		}
		const sd = present > 0 ? Math.sqrt(squares / present) : 0;
		means[f] = mean;
		scales[f] = sd > 1e-12 * Math.max(1, Math.abs(mean)) ? sd : 1;
		missingRates[f] = (train.rows - present) / train.rows;
		indicator[f] = present > 0 && present < train.rows ? 1 : 0;
	});
	return { columns: train.columns, means, scales, missingRates, indicator };
}

/** L-BFGS memory: the last this many steps shape the search direction. */
const memory = 10;

/** Relative change of the loss (a sum over every row in double precision) too small to tell from rounding. */
const lossRounding = 1e-14;

/**
 * Minimises the mean weighted log loss plus ½·l2·‖θ‖²/W over θ = [β (per feature), γ (per
 * indicator), intercept] by L-BFGS with a backtracking (Armijo) line search.
 */
async function minimise(
	design: Design,
	train: LabelledDataset,
	options: LogisticOptions,
	context: FitContext,
): Promise<{ theta: Float64Array; iterations: number; converged: boolean }> {
	const p = design.columns.length;
	let indicators = 0;
	for (let f = 0; f < p; f++) indicators += design.indicator[f];
	const d = p + indicators + 1;
	const objective = makeObjective(design, train, options.l2);
	let theta = new Float64Array(d);
	theta[d - 1] = objective.initialIntercept;
	let grad = new Float64Array(d);
	let value = objective.evaluate(theta, grad);
	const steps: Float64Array[] = [];
	const changes: Float64Array[] = [];
	const report = throttledProgress(context.hooks);
	let iteration = 0;
	let converged = maxAbs(grad) < options.tolerance;
	while (!converged && iteration < options.maxIterations) {
		iteration++;
		if (iteration % 10 === 0) {
			throwIfCancelled(context.hooks?.signal, 'logistic regression fit');
			report({ stage: 'training logistic regression', done: iteration, total: options.maxIterations, unit: 'iterations' });
			await new Promise((resolve) => setImmediate(resolve));
		}
		const direction = searchDirection(grad, steps, changes);
		let slope = dot(direction, grad);
		if (!(slope < 0)) {
			// Not a descent direction (rounding): restart from steepest descent.
			steps.length = 0;
			changes.length = 0;
			for (let i = 0; i < d; i++) direction[i] = -grad[i];
			slope = -dot(grad, grad);
		}
		let step = steps.length === 0 ? Math.min(1, 1 / Math.sqrt(-slope)) : 1;
		const next = new Float64Array(d);
		const nextGrad = new Float64Array(d);
		let nextValue = Infinity;
		for (let tries = 0; tries < 40; tries++) {
			for (let i = 0; i < d; i++) next[i] = theta[i] + step * direction[i];
			nextValue = objective.evaluate(next, nextGrad);
			if (nextValue <= value + 1e-4 * step * slope) break;
			step /= 2;
			// Near the optimum a shorter step's decrease would be lost in the loss's rounding: halving on
			// cannot show progress, and each try is a pass over every row.
			if (-slope * step < lossRounding * Math.abs(value)) break;
		}
		// Near the optimum the loss stops changing within rounding; a smaller gradient still counts as progress.
		const flat = nextValue <= value + 1e-14 * Math.abs(value) && maxAbs(nextGrad) < maxAbs(grad);
		if (!(nextValue < value) && !flat) break; // no further progress possible at this precision
		const s = new Float64Array(d);
		const y = new Float64Array(d);
		for (let i = 0; i < d; i++) {
			s[i] = next[i] - theta[i];
			y[i] = nextGrad[i] - grad[i];
		}
		if (dot(s, y) > 1e-12 * dot(y, y)) {
			steps.push(s);
			changes.push(y);
			if (steps.length > memory) {
				steps.shift();
				changes.shift();
			}
		}
		const improvement = value - nextValue;
		theta = next;
		grad = nextGrad;
		value = nextValue;
		converged = maxAbs(grad) < options.tolerance || (improvement <= 0 && !flat);
	}
	return { theta, iterations: iteration, converged };
}

function makeObjective(design: Design, train: LabelledDataset, l2: number) {
	const n = train.rows;
	const p = design.columns.length;
	const { label, weight } = train;
	let totalWeight = 0;
	let positiveWeight = 0;
	for (let r = 0; r < n; r++) {
		const w = weight ? weight[r] : 1;
		totalWeight += w;
		if (label[r] === 1) positiveWeight += w;
	}
	const margin = new Float64Array(n);
	const residual = new Float64Array(n);
	const penalty = l2 / totalWeight;
	return {
		initialIntercept: logit(positiveWeight / totalWeight),
		/** The objective at θ, with its gradient written into `grad`. */
		evaluate(theta: Float64Array, grad: Float64Array): number {
			const d = theta.length;
			margin.fill(theta[d - 1]);
			let k = p;
			for (let f = 0; f < p; f++) {
				const column = design.columns[f];
				const b = theta[f] / design.scales[f];
				const mean = design.means[f];
				const g = design.indicator[f] ? theta[k++] : 0;
				for (let r = 0; r < n; r++) {
					const x = column[r];
					margin[r] += x === x ? b * (x - mean) : g;
				}
			}
			let loss = 0;
			let interceptGrad = 0;
			for (let r = 0; r < n; r++) {
				const w = (weight ? weight[r] : 1) / totalWeight;
				const m = margin[r];
				// log(1 + e^m) − y·m, computed without overflow.
				loss += w * ((m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - (label[r] === 1 ? m : 0));
				const e = w * (1 / (1 + Math.exp(-m)) - label[r]);
				residual[r] = e;
				interceptGrad += e;
			}
			k = p;
			let squares = 0;
			for (let f = 0; f < p; f++) {
				const column = design.columns[f];
				const inv = 1 / design.scales[f];
				const mean = design.means[f];
				let gb = 0;
				let gg = 0;
				for (let r = 0; r < n; r++) {
					const x = column[r];
					if (x === x) gb += residual[r] * (x - mean) * inv;
					else gg += residual[r];
				}
				grad[f] = gb + penalty * theta[f];
				squares += theta[f] * theta[f];
				if (design.indicator[f]) {
					grad[k] = gg + penalty * theta[k];
					squares += theta[k] * theta[k];
					k++;
				}
			}
			grad[d - 1] = interceptGrad;
			return loss + 0.5 * penalty * squares;
		},
	};
}

/** The L-BFGS two-loop recursion: −H·grad from the stored steps and gradient changes. */
function searchDirection(grad: Float64Array, steps: Float64Array[], changes: Float64Array[]): Float64Array {
	const q = Float64Array.from(grad);
	const m = steps.length;
	const alpha = new Float64Array(m);
	for (let i = m - 1; i >= 0; i--) {
		alpha[i] = dot(steps[i], q) / dot(changes[i], steps[i]);
		axpy(-alpha[i], changes[i], q);
	}
	if (m > 0) {
		const gammaScale = dot(steps[m - 1], changes[m - 1]) / dot(changes[m - 1], changes[m - 1]);
		for (let i = 0; i < q.length; i++) q[i] *= gammaScale;
	}
	for (let i = 0; i < m; i++) {
		const beta = dot(changes[i], q) / dot(changes[i], steps[i]);
		axpy(alpha[i] - beta, steps[i], q);
	}
	for (let i = 0; i < q.length; i++) q[i] = -q[i];
	return q;
}

function dot(a: Float64Array, b: Float64Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
	return sum;
}

function axpy(a: number, x: Float64Array, y: Float64Array): void {
	for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

function maxAbs(a: Float64Array): number {
	let max = 0;
	for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]));
	return max;
}
