/**
 * Gradient-boosted trees, histogram-based as in LightGBM and XGBoost `hist`: the default
 * learner. Features are binned once (binning.ts); each tree is fitted to the gradients of the
 * logistic loss with gradient/hessian histograms per node, the larger child's histogram
 * derived from its parent's by subtraction (train.ts, kernels.ts); prediction walks
 * the trees flattened into typed arrays (predict.ts). Trees use the shared Tree format
 * (tree.ts), so TreeSHAP and the model JSON read them as they are.
 */
import { z } from 'zod';
import { InputError } from '../../errors';
import type { Dataset, LabelledDataset } from '../dataset';
import type { FitContext, LearnerJson, TrainedLearner } from '../learner';
import { treeFromJson, treeToJson, type Tree, type TreeJson } from '../tree';
import { boost, threadsFor, type BoostSettings } from './train';
import { flattenTrees, predictForest, type FlatForest } from './predict';
import { MAX_VALUE_BINS } from '../binning';

export interface GbdtOptions {
	/** Most boosting rounds (trees). */
	maxTrees: number;
	/** Shrinks each tree's output; smaller learns slower and usually generalises better. */
	learningRate: number;
	/** Deepest a tree may grow (the root is depth 0). */
	maxDepth: number;
	/** Most leaves per tree; leaf-wise growth defaults to 31, depth-wise to no limit but maxDepth. */
	maxLeaves?: number;
	/** 'depthwise' splits a whole level at a time (XGBoost); 'leafwise' always the best leaf (LightGBM). */
	growth: 'depthwise' | 'leafwise';
	/** L2 penalty on leaf values. */
	lambda: number;
	/** Least loss reduction a split must bring (XGBoost's gain scale); 0 allows any improving split. */
	gamma: number;
	/** Least hessian sum (training weight) in each child of a split. */
	minChildWeight: number;
	/** Share of rows each tree trains on (seeded draw per tree); 1 uses every row. */
	rowSubsample: number;
	/** Share of features each tree may split on (seeded draw per tree); 1 uses every feature. */
	colSubsample: number;
	/** Value bins per feature, at most 255 (one more bin holds missing values). */
	maxBins: number;
	/** Weight of a positive (rare outcome) row relative to a negative one, or 'balanced' for equal class totals. */
	positiveWeight: number | 'balanced';
	/** Stop once the validation log loss has not improved for this many trees (0: never stop early). */
	earlyStoppingRounds: number;
	/** Threads to train with (default: the machine's cores, up to 8); never changes the model. */
	threads?: number;
}

/**
 * Defaults for propensity data (thousands to millions of profiles, rare outcomes, mostly
 * additive signals with a few interactions): shallow trees, row and column subsampling, and
 * early stopping, which decides the number of trees (maxTrees is only a ceiling).
 */
export const defaultGbdtOptions: GbdtOptions = Object.freeze({
	maxTrees: 1000,
	learningRate: 0.1,
	maxDepth: 3,
	growth: 'depthwise',
	lambda: 1,
	gamma: 0,
	minChildWeight: 1,
	rowSubsample: 0.8,
	colSubsample: 0.8,
	maxBins: MAX_VALUE_BINS,
	positiveWeight: 1,
	earlyStoppingRounds: 50,
});

/** Leaves a leaf-wise tree may have when maxLeaves is not set (LightGBM's default). */
export const DEFAULT_LEAFWISE_LEAVES = 31;

/** The JSON form of a boosted-tree model. */
export interface GbdtJson extends LearnerJson {
	readonly kind: 'gbdt';
	readonly formatVersion: 1;
	readonly baseScore: number;
	readonly featureNames: string[];
	readonly bestIteration: number;
	readonly options: Omit<GbdtOptions, 'threads'>;
	readonly trees: TreeJson[];
}

export interface GbdtModel extends TrainedLearner {
	readonly kind: 'gbdt';
	/** Raw score before any tree: the log-odds of the (class-weighted) training base rate. */
	readonly baseScore: number;
	readonly trees: readonly Tree[];
	readonly featureNames: readonly string[];
	/** Trees kept (= trees.length): the count with the lowest validation log loss when early stopping ran. */
	readonly bestIteration: number;
	/** The options the model was trained with (threads left out: they never change the model). */
	readonly options: GbdtOptions;
	predictRaw(data: Dataset): Float64Array;
	toJSON(): GbdtJson;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const optionsSchema = z
	.object({
		maxTrees: z.number().int().min(1).max(100_000),
		learningRate: finite.refine((v) => v > 0 && v <= 1, 'must be above 0 and at most 1'),
		maxDepth: z.number().int().min(1).max(30),
		maxLeaves: z.number().int().min(2).max(1_000_000).optional(),
		growth: z.enum(['depthwise', 'leafwise']),
		lambda: finite.refine((v) => v >= 0, 'must be 0 or more'),
		gamma: finite.refine((v) => v >= 0, 'must be 0 or more'),
		minChildWeight: finite.refine((v) => v >= 0, 'must be 0 or more'),
		rowSubsample: finite.refine((v) => v > 0 && v <= 1, 'must be above 0 and at most 1'),
		colSubsample: finite.refine((v) => v > 0 && v <= 1, 'must be above 0 and at most 1'),
		maxBins: z.number().int().min(2).max(MAX_VALUE_BINS),
		positiveWeight: z.union([finite.refine((v) => v > 0, 'must be above 0'), z.literal('balanced')]),
		earlyStoppingRounds: z.number().int().min(0),
		threads: z.number().int().min(1).max(64).optional(),
	})
	.strict();

/** The defaults with `options` over them, validated; throws InputError naming each bad option. */
export function resolveGbdtOptions(options: Partial<GbdtOptions>): GbdtOptions {
	const merged = { ...defaultGbdtOptions, ...dropUndefined(options) };
	const parsed = optionsSchema.safeParse(merged);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => {
			const key = issue.path.join('.') || 'options';
			const got = issue.path.length > 0 ? ` (got ${JSON.stringify((merged as Record<string, unknown>)[String(issue.path[0])])})` : '';
			return `${key} ${issue.message}${got}`;
		});
		throw new InputError(
			`The boosted-tree options are not valid: ${problems.join('; ')}. Fix or remove these options to use the defaults.`,
			'bad-learner-options',
			{ problems },
		);
	}
	const resolved: GbdtOptions = { ...parsed.data };
	if (resolved.growth === 'leafwise' && resolved.maxLeaves === undefined) resolved.maxLeaves = DEFAULT_LEAFWISE_LEAVES;
	return resolved;
}

function dropUndefined<T extends object>(value: T): Partial<T> {
	return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Trains boosted trees on `train`; stops early on `context.validation` when earlyStoppingRounds
 * > 0. Reports trees built (and the validation log loss) through context.hooks and stops with
 * CancelledError when hooks.signal fires. The same data, options and seed give the same model.
 */
export async function trainGbdt(train: LabelledDataset, options: Partial<GbdtOptions>, context: FitContext): Promise<GbdtModel> {
	return (await trainGbdtWithMirror(train, options, { ...context, mirrorValidation: undefined })).learner;
}

/**
 * trainGbdt, and with context.mirrorValidation (and context.validation) also the mirror: the
 * model those rows would have stopped early. The trees never depend on the validation rows, so
 * it is the same run's first trees, up to the count with the mirror rows' lowest log loss: the
 * run goes on until both have stopped, instead of a second run from scratch.
 */
export async function trainGbdtWithMirror(
	train: LabelledDataset,
	options: Partial<GbdtOptions>,
	context: FitContext,
): Promise<{ learner: GbdtModel; mirror?: GbdtModel }> {
	const resolved = resolveGbdtOptions(options);
	checkDataset(train, 'training data', true);
	for (const [rows, what] of [
		[context.validation, 'validation data'],
		[context.mirrorValidation, 'mirror validation data'],
	] as const) {
		if (!rows) continue;
		checkDataset(rows, what, false);
		checkSameFeatures(train.featureNames, rows.featureNames);
	}
	const settings: BoostSettings = {
		...resolved,
		maxLeaves: resolved.maxLeaves ?? Infinity,
		positiveWeight: resolved.positiveWeight === 'balanced' ? balancedPositiveWeight(train) : resolved.positiveWeight,
		threads: threadsFor(train.rows, resolved.threads),
	};
	const result = await boost(train, settings, context);
	const { threads: _threads, ...kept } = resolved;
	const model = (trees: Tree[], bestIteration: number) => new BoostedTrees(result.baseScore, trees, train.featureNames.slice(), bestIteration, kept);
	const learner = model(result.trees, result.bestIteration);
	return result.mirror ? { learner, mirror: model(result.mirror.trees, result.mirror.bestIteration) } : { learner };
}

/** The positive weight that gives both classes the same total weight. */
function balancedPositiveWeight(train: LabelledDataset): number {
	let positive = 0;
	let negative = 0;
	for (let r = 0; r < train.rows; r++) {
		const w = train.weight ? train.weight[r] : 1;
		if (train.label[r] === 1) positive += w;
		else negative += w;
	}
	return negative / positive;
}

/**
 * Throws InputError when a dataset cannot be trained on: no rows or features, columns or
 * labels or weights of the wrong length, labels other than 0/1, infinite values, bad weights,
 * and (for training) a single class.
 */
function checkDataset(data: LabelledDataset, what: string, needsBothClasses: boolean): void {
	const { rows, columns, featureNames, label, weight } = data;
	if (!Number.isInteger(rows) || rows <= 0) {
		throw new InputError(`The ${what} has no rows: there is nothing to learn from. Check the date range and the eligibility conditions.`, 'empty-data');
	}
	if (columns.length === 0) throw new InputError(`The ${what} has no feature columns: add at least one feature.`, 'no-features');
	if (featureNames.length !== columns.length) {
		throw new InputError(`The ${what} names ${featureNames.length} features but holds ${columns.length} columns: give one name per column.`, 'bad-dataset');
	}
	columns.forEach((column, f) => {
		if (!(column instanceof Float32Array)) throw new InputError(`Feature "${featureNames[f]}" of the ${what} must be a Float32Array.`, 'bad-dataset');
		if (column.length !== rows) {
			throw new InputError(
				`Feature "${featureNames[f]}" of the ${what} has ${column.length} values but the data has ${rows} rows: every column needs one value per row.`,
				'bad-dataset',
			);
		}
		for (let r = 0; r < rows; r++) {
			const v = column[r];
			if (v === Infinity || v === -Infinity) {
				throw new InputError(
					`Feature "${featureNames[f]}" of the ${what} is ${v} at row ${r + 1}: use a finite number, or NaN for a missing value.`,
					'bad-dataset',
				);
			}
		}
	});
	if (!label || label.length !== rows) {
		throw new InputError(`The ${what} has ${label ? label.length : 'no'} labels for ${rows} rows: give one 0/1 label per row.`, 'bad-dataset');
	}
	let positive = 0;
	let negative = 0;
	for (let r = 0; r < rows; r++) {
		const y = label[r];
		if (y !== 0 && y !== 1) {
			throw new InputError(
				`The ${what} has label ${Number.isNaN(y) ? 'NaN (missing)' : y} at row ${r + 1}: labels must be 1 (the outcome happened) or 0 (it did not).`,
				'bad-label',
			);
		}
		const w = weight ? weight[r] : 1;
		if (weight && !(Number.isFinite(w) && w >= 0)) {
			throw new InputError(`The ${what} has weight ${w} at row ${r + 1}: weights must be finite and 0 or more.`, 'bad-weight');
		}
		if (y === 1) positive += w;
		else negative += w;
	}
	if (weight && weight.length !== rows) {
		throw new InputError(`The ${what} has ${weight.length} weights for ${rows} rows: give one weight per row, or none.`, 'bad-dataset');
	}
	if (needsBothClasses && (positive <= 0 || negative <= 0)) {
		const only = positive <= 0 ? 'negative (label 0)' : 'positive (label 1)';
		throw new InputError(
			`The ${what} has only ${only} rows${weight ? ' with weight above 0' : ''}, so there is nothing to tell apart. ` +
				'Use a longer outcome window, a wider date range or a more common outcome.',
			'one-class',
		);
	}
}

function checkSameFeatures(trained: readonly string[], other: readonly string[]): void {
	if (trained.length !== other.length || trained.some((name, f) => other[f] !== name)) {
		throw new InputError(
			`The validation data has features [${other.join(', ')}] but the training data has [${trained.join(', ')}]: both need the same features in the same order.`,
			'bad-dataset',
		);
	}
}

class BoostedTrees implements GbdtModel {
	readonly kind = 'gbdt' as const;
	private flat?: FlatForest;

	constructor(
		readonly baseScore: number,
		readonly trees: readonly Tree[],
		readonly featureNames: readonly string[],
		readonly bestIteration: number,
		readonly options: GbdtOptions,
	) {}

	/** Raw scores (log-odds) per row; the data's columns are matched to the model's features by name. */
	predictRaw(data: Dataset): Float64Array {
		const columns = this.featureNames.map((name) => {
			const at = data.featureNames.indexOf(name);
			if (at < 0) {
				const missing = this.featureNames.filter((n) => !data.featureNames.includes(n));
				throw new InputError(
					`The data to score lacks the model's feature${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}: compute the same features the model was trained on.`,
					'missing-features',
				);
			}
			const column = data.columns[at];
			if (!column || column.length !== data.rows) {
				throw new InputError(
					`Feature "${name}" of the data to score has ${column ? column.length : 0} values for ${data.rows} rows: every column needs one value per row.`,
					'bad-dataset',
				);
			}
			return column;
		});
		this.flat ??= flattenTrees(this.trees, this.featureNames.length);
		return predictForest(this.flat, columns, data.rows, this.baseScore);
	}

	toJSON(): GbdtJson {
		return {
			kind: 'gbdt',
			formatVersion: 1,
			baseScore: this.baseScore,
			featureNames: this.featureNames.slice(),
			bestIteration: this.bestIteration,
			options: this.options,
			trees: this.trees.map(treeToJson),
		};
	}
}

// A model holds thousands of these values: plain checks (zod's number refuses Infinity and NaN
// itself) read a model's trees in about half the time that refinements per value take.
const treeJsonSchema = z
	.object({
		feature: z.array(z.number().int()),
		threshold: z.array(z.number()),
		left: z.array(z.number().int()),
		right: z.array(z.number().int()),
		missingLeft: z.array(z.literal([0, 1])),
		value: z.array(z.number()),
		cover: z.array(z.number().min(0, 'must be 0 or more')),
	})
	.strict();

const gbdtJsonSchema = z
	.object({
		kind: z.literal('gbdt'),
		formatVersion: z.literal(1),
		baseScore: finite,
		featureNames: z.array(z.string()).min(1),
		bestIteration: z.number().int().min(0),
		options: optionsSchema.omit({ threads: true }),
		trees: z.array(treeJsonSchema),
	})
	.strict();

/** Reads a model written by toJSON; throws InputError saying what is wrong and where. */
export function gbdtFromJson(json: unknown): GbdtModel {
	const parsed = gbdtJsonSchema.safeParse(json);
	if (!parsed.success) {
		const problems = parsed.error.issues.slice(0, 5).map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
		const formatHint =
			isObject(json) && json.formatVersion !== undefined && json.formatVersion !== 1
				? ` This version reads boosted-tree format 1, the model has format ${JSON.stringify(json.formatVersion)}: use the package version that wrote it, or retrain.`
				: ' Retrain the model, or restore the model file.';
		throw new InputError(`The boosted-tree model is not valid: ${problems.join('; ')}.${formatHint}`, 'bad-model', { problems });
	}
	const model = parsed.data;
	model.trees.forEach((tree, t) => checkTreeShape(tree, t, model.featureNames.length));
	if (model.bestIteration !== model.trees.length) {
		throw new InputError(
			`The boosted-tree model is not valid: bestIteration is ${model.bestIteration} but it holds ${model.trees.length} trees. Retrain the model, or restore the model file.`,
			'bad-model',
		);
	}
	return new BoostedTrees(model.baseScore, model.trees.map(treeFromJson), model.featureNames, model.bestIteration, model.options);
}

/** Throws unless the arrays describe one tree: equal lengths, children after parents, each node reached once. */
function checkTreeShape(tree: TreeJson, t: number, features: number): void {
	const bad = (why: string): InputError =>
		new InputError(`The boosted-tree model is not valid: trees[${t}] ${why}. Retrain the model, or restore the model file.`, 'bad-model');
	const n = tree.left.length;
	if (n === 0) throw bad('has no nodes');
	for (const key of ['feature', 'threshold', 'right', 'missingLeft', 'value', 'cover'] as const) {
		if (tree[key].length !== n) throw bad(`has ${tree[key].length} ${key} entries for ${n} nodes`);
	}
	const parents = new Int32Array(n);
	for (let node = 0; node < n; node++) {
		const l = tree.left[node];
		const r = tree.right[node];
		if ((l === -1) !== (r === -1)) throw bad(`node ${node} has one child only`);
		if (l === -1) continue;
		if (!(l > node && l < n && r > node && r < n && l !== r)) throw bad(`node ${node} has children ${l} and ${r} outside the tree`);
		if (tree.feature[node] < 0 || tree.feature[node] >= features)
			throw bad(`node ${node} splits on feature ${tree.feature[node]}, but the model has ${features} features`);
		parents[l]++;
		parents[r]++;
	}
	for (let node = 1; node < n; node++) if (parents[node] !== 1) throw bad(`node ${node} is reached ${parents[node]} times instead of once`);
}

function formatPath(path: readonly PropertyKey[]): string {
	return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i > 0 ? '.' : ''}${String(part)}`)).join('') || 'model';
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}
