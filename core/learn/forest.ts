/**
 * Random forest via ml-random-forest (RandomForestClassifier), for small data: the library's
 * split search is quadratic in the rows (about 2 minutes for 2,000 rows and 30 features on a 2-core machine), so
 * training takes at most `maxRows` rows, a seeded subsample of larger data, and says so.
 *
 * The library grows the trees; we convert them to the shared Tree format (tree.ts) and predict
 * with those, so that the model JSON holds plain trees and TreeSHAP can explain them. Each
 * leaf holds its tree's vote (the library's majority class, ties to "no outcome") divided by
 * the number of trees, so the sum over trees is the share of trees voting "outcome": our own
 * vote count (the library's predictProbability drops the first tree's vote). The raw output is
 * logit(vote share), the share clipped to [½ vote, trees − ½ vote] / trees. A node's cover is the
 * number of fitted training rows that reach it (the library keeps no leaf counts, so the rows
 * are passed through the converted trees). The library cannot read NaN, so a missing value is
 * given to it as a number below every real value: every split sends missing values left.
 */
import type { RandomForestClassifier } from 'ml-random-forest';
import { z } from 'zod';
import { InputError, throwIfCancelled } from '../errors';
import { createRng } from '../util/rng';
import { checkLabelledData, checkLengths, columnsByName, parseLearnerJson, stratifiedSample } from './check';
import { selectRows, type Dataset, type LabelledDataset } from './dataset';
import { logit, type FitContext, type LearnerJson, type TrainedLearner } from './learner';
import { rejectWeights } from './naiveBayes';
import { leafOf, treeFromJson, treeToJson, type Tree, type TreeJson } from './tree';
import { withThousands } from '../util/counts';

export interface ForestOptions {
	/** Trees in the forest. */
	trees: number;
	/** Deepest a tree may grow. */
	maxDepth: number;
	/** A node with this many rows or fewer becomes a leaf. */
	minNodeRows: number;
	/** Features each tree may use (a seeded draw per tree, as the library does); default ⌈√features⌉, at least 3 (all when fewer). */
	featuresPerTree?: number;
	/** Most training rows: larger data is subsampled (seeded) to this many, because the fit time grows with rows². */
	maxRows: number;
}

export const defaultForestOptions: ForestOptions = Object.freeze({ trees: 30, maxDepth: 8, minNodeRows: 5, maxRows: 1500 });

export interface ForestJson extends LearnerJson {
	readonly kind: 'forest';
	readonly formatVersion: 1;
	readonly featureNames: string[];
	/** Trees in the shared format; leaf values are votes / trees, so their sum is the vote share. */
	readonly trees: TreeJson[];
	readonly options: ForestOptions;
	/** Training rows offered, and rows actually fitted (fewer when the data was subsampled to maxRows). */
	readonly trainingRows: number;
	readonly fittedRows: number;
}

export interface ForestModel extends TrainedLearner {
	readonly kind: 'forest';
	readonly featureNames: readonly string[];
	/** Trees whose leaf values (votes / trees) add up to the share of trees voting "outcome". */
	readonly trees: readonly Tree[];
	readonly trainingRows: number;
	readonly fittedRows: number;
	/** The share of trees voting "outcome" per row (what predictRaw takes the logit of). */
	predictVoteShare(data: Dataset): Float64Array;
	/** The raw output (log-odds) of a vote share: its logit, the share kept half a vote from 0 and 1. */
	rawOfShare(share: number): number;
	/** The vote share as the raw output reads it: kept half a vote from 0 and 1. */
	clipShare(share: number): number;
	toJSON(): ForestJson;
}

/** A value below any Float32 number: how a missing value is shown to the library. */
const missingValue = -1e300;

const optionsSchema = z
	.object({
		trees: z.number().int().min(1).max(1000),
		maxDepth: z.number().int().min(1).max(50),
		minNodeRows: z.number().int().min(1),
		featuresPerTree: z.number().int().min(1).optional(),
		maxRows: z.number().int().min(10),
	})
	.strict();

/** Fits the forest on `train` (at most options.maxRows rows); the same data, options and seed give the same model. */
export async function trainForest(train: LabelledDataset, options: Partial<ForestOptions>, context: FitContext): Promise<ForestModel> {
	const parsed = optionsSchema.safeParse({ ...defaultForestOptions, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) });
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')} ${issue.message}`);
		throw new InputError(
			`The random forest options are not valid: ${problems.join('; ')}. Fix or remove these options to use the defaults.`,
			'bad-learner-options',
		);
	}
	const resolved = parsed.data;
	checkLabelledData(train, 'training data');
	rejectWeights(train, 'random forest');
	const rng = createRng(context.seed).fork(0x666f72);
	const fitted = train.rows > resolved.maxRows ? selectRows(train, stratifiedSample(train.label, resolved.maxRows, rng)) : train;
	checkLabelledData(fitted, `subsample of ${resolved.maxRows} training rows`);
	throwIfCancelled(context.hooks?.signal, 'random forest fit');
	context.hooks?.onProgress?.({
		stage: 'training random forest',
		done: 0,
		total: resolved.trees,
		unit: 'trees',
		note: `${withThousands(fitted.rows)} rows`,
	});
	const { trees } = await growForest(fitted, resolved, rng.int(0x7fffffff));
	context.hooks?.onProgress?.({ stage: 'training random forest', done: resolved.trees, total: resolved.trees, unit: 'trees' });
	return new Forest(train.featureNames.slice(), trees, resolved, train.rows, fitted.rows);
}

/** Features each tree may use: the option, else ⌈√p⌉ (at least 3), never more than p. */
export function featuresPerTree(p: number, options: Pick<ForestOptions, 'featuresPerTree'>): number {
	return Math.min(p, options.featuresPerTree ?? Math.max(3, Math.ceil(Math.sqrt(p))));
}

/**
 * Grows the forest with ml-random-forest on `fitted` and converts its trees (covers filled from
 * the fitted rows). Returns the library's forest too, so tests can check the conversion against it.
 * The library is loaded on first use, so work that fits no forest never loads it.
 */
export async function growForest(
	fitted: LabelledDataset,
	options: ForestOptions,
	librarySeed: number,
): Promise<{ trees: Tree[]; library: RandomForestClassifier }> {
	const { RandomForestClassifier } = await import('ml-random-forest');
	const p = fitted.columns.length;
	const perTree = featuresPerTree(p, options);
	const forest = new RandomForestClassifier({
		nEstimators: options.trees,
		// The library reads a maxFeatures of 1 as "100%"; 1.5 / p is its fraction for exactly one feature.
		maxFeatures: perTree === 1 && p > 1 ? 1.5 / p : perTree,
		replacement: false,
		seed: librarySeed,
		useSampleBagging: true,
		noOOB: true,
		treeOptions: { maxDepth: options.maxDepth, minNumSamples: options.minNodeRows },
	});
	forest.train(libraryMatrix(fitted), Array.from(fitted.label));
	const library = forest as unknown as LibraryForest;
	const trees = library.estimators.map((estimator, t) => convertTree(estimator.root, library.indexes[t], options.trees));
	for (const tree of trees) fillCover(tree, fitted.columns, fitted.rows);
	return { trees, library: forest };
}

/** The rows as the library reads them: arrays of numbers, a missing value as a number below every real one. */
export function libraryMatrix(data: Dataset): number[][] {
	const matrix: number[][] = new Array(data.rows);
	for (let r = 0; r < data.rows; r++) matrix[r] = data.columns.map((column) => (column[r] === column[r] ? column[r] : missingValue));
	return matrix;
}

/** The parts of a trained ml-random-forest classifier that the conversion reads. */
interface LibraryForest {
	readonly estimators: { readonly root: LibraryNode }[];
	/** Per tree, the original column of each column the tree saw. */
	readonly indexes: number[][];
}
interface LibraryNode {
	readonly left?: LibraryNode;
	readonly right?: LibraryNode;
	readonly splitColumn?: number;
	readonly splitValue?: number;
	/** Leaves only: class shares as a 1 × classes matrix. */
	readonly distribution?: { readonly columns: number; get(row: number, column: number): number };
}

/**
 * One library tree in the shared format (nodes in depth-first order, children after parents).
 * The library sends a row left when x < split; for our x ≤ threshold, the threshold is the
 * largest double below the split, which is exact since both are doubles.
 */
function convertTree(root: LibraryNode, columns: readonly number[], treeCount: number): Tree {
	const feature: number[] = [];
	const threshold: number[] = [];
	const left: number[] = [];
	const right: number[] = [];
	const value: number[] = [];
	const visit = (node: LibraryNode): number => {
		const at = feature.length;
		feature.push(-1);
		threshold.push(0);
		left.push(-1);
		right.push(-1);
		value.push(0);
		if (node.left && node.right && node.splitColumn !== undefined && node.splitValue !== undefined) {
			feature[at] = columns[node.splitColumn];
			threshold[at] = previousDouble(node.splitValue);
			left[at] = visit(node.left);
			right[at] = visit(node.right);
		} else {
			const d = node.distribution;
			// The library's vote: the class with the larger share, the first (no outcome) on a tie.
			const vote = d && d.columns > 1 && d.get(0, 1) > d.get(0, 0) ? 1 : 0;
			value[at] = vote / treeCount;
		}
		return at;
	};
	visit(root);
	const n = feature.length;
	return {
		feature: Int32Array.from(feature, (f) => Math.max(0, f)),
		threshold: Float64Array.from(threshold),
		left: Int32Array.from(left),
		right: Int32Array.from(right),
		missingLeft: new Uint8Array(n).fill(1),
		value: Float64Array.from(value),
		cover: new Float64Array(n),
	};
}

/** Counts the rows reaching each node and sets internal values to the cover-weighted mean of their children. */
function fillCover(tree: Tree, columns: readonly Float32Array[], rows: number): void {
	const cover = tree.cover as Float64Array;
	const value = tree.value as Float64Array;
	cover.fill(0);
	for (let r = 0; r < rows; r++) {
		let node = 0;
		cover[0]++;
		while (tree.left[node] !== -1) {
			const x = columns[tree.feature[node]][r];
			node = (x !== x ? tree.missingLeft[node] === 1 : x <= tree.threshold[node]) ? tree.left[node] : tree.right[node];
			cover[node]++;
		}
	}
	for (let node = tree.left.length - 1; node >= 0; node--) {
		const l = tree.left[node];
		if (l === -1) continue;
		const r = tree.right[node];
		const total = cover[l] + cover[r];
		value[node] = total > 0 ? (cover[l] * value[l] + cover[r] * value[r]) / total : (value[l] + value[r]) / 2;
	}
}

/** The largest double strictly below x (x finite). */
function previousDouble(x: number): number {
	if (x === 0) return -Number.MIN_VALUE;
	const buffer = new DataView(new ArrayBuffer(8));
	buffer.setFloat64(0, x);
	const bits = buffer.getBigUint64(0);
	buffer.setBigUint64(0, x > 0 ? bits - 1n : bits + 1n);
	return buffer.getFloat64(0);
}

/** Reads a model written by toJSON; throws InputError saying what is wrong and where. */
export function forestFromJson(json: unknown): ForestModel {
	const params = parseLearnerJson(jsonSchema, json, 'random forest') as ForestJson;
	params.trees.forEach((tree, t) => checkTree(tree, t, params.featureNames.length));
	if (params.trees.length !== params.options.trees) {
		throw new InputError(
			`The random forest model is not valid: it holds ${params.trees.length} trees but its options say ${params.options.trees}. Retrain the model, or restore the model file.`,
			'bad-model',
		);
	}
	return new Forest(params.featureNames, params.trees.map(treeFromJson), params.options, params.trainingRows, params.fittedRows);
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const jsonSchema = z
	.object({
		kind: z.literal('forest'),
		formatVersion: z.literal(1),
		featureNames: z.array(z.string()).min(1),
		trees: z
			.array(
				z
					.object({
						feature: z.array(z.number().int()),
						threshold: z.array(finite),
						left: z.array(z.number().int()),
						right: z.array(z.number().int()),
						missingLeft: z.array(z.union([z.literal(0), z.literal(1)])),
						value: z.array(finite.refine((v) => v >= 0 && v <= 1, 'must be a vote share in [0, 1]')),
						cover: z.array(finite.refine((v) => v >= 0, 'must be 0 or more')),
					})
					.strict(),
			)
			.min(1),
		options: optionsSchema,
		trainingRows: z.number().int().positive(),
		fittedRows: z.number().int().positive(),
	})
	.strict();

/** Throws InputError unless the arrays describe one tree: equal lengths, children after parents, features in range. */
function checkTree(tree: TreeJson, t: number, features: number): void {
	const n = tree.left.length;
	const bad = (why: string) =>
		new InputError(`The random forest model is not valid: trees.${t} ${why}. Retrain the model, or restore the model file.`, 'bad-model');
	if (n === 0) throw bad('has no nodes');
	checkLengths('random forest', n, {
		[`trees.${t}.feature`]: tree.feature,
		[`trees.${t}.threshold`]: tree.threshold,
		[`trees.${t}.right`]: tree.right,
		[`trees.${t}.missingLeft`]: tree.missingLeft,
		[`trees.${t}.value`]: tree.value,
		[`trees.${t}.cover`]: tree.cover,
	});
	const reached = new Uint8Array(n);
	reached[0] = 1;
	for (let node = 0; node < n; node++) {
		const l = tree.left[node];
		const r = tree.right[node];
		if ((l === -1) !== (r === -1)) throw bad(`node ${node} has one child only`);
		if (l === -1) continue;
		if (!(l > node && r > node && l < n && r < n && l !== r) || reached[l] || reached[r])
			throw bad(`node ${node} has children ${l} and ${r} that do not form a tree`);
		if (tree.feature[node] < 0 || tree.feature[node] >= features)
			throw bad(`node ${node} splits on feature ${tree.feature[node]}, but the model has ${features} features`);
		reached[l] = reached[r] = 1;
	}
	if (reached.some((x) => x === 0)) throw bad('has nodes that no path reaches');
}

class Forest implements ForestModel {
	readonly kind = 'forest' as const;

	constructor(
		readonly featureNames: readonly string[],
		readonly trees: readonly Tree[],
		private readonly options: ForestOptions,
		readonly trainingRows: number,
		readonly fittedRows: number,
	) {}

	predictVoteShare(data: Dataset): Float64Array {
		const columns = columnsByName(data, this.featureNames);
		const share = new Float64Array(data.rows);
		for (const tree of this.trees) {
			for (let r = 0; r < data.rows; r++) share[r] += tree.value[leafOf(tree, (f) => columns[f][r])];
		}
		return share;
	}

	predictRaw(data: Dataset): Float64Array {
		return this.predictVoteShare(data).map((share) => this.rawOfShare(share));
	}

	clipShare(share: number): number {
		const half = 0.5 / this.trees.length;
		return Math.min(1 - half, Math.max(half, share));
	}

	rawOfShare(share: number): number {
		return logit(this.clipShare(share));
	}

	toJSON(): ForestJson {
		return {
			kind: 'forest',
			formatVersion: 1,
			featureNames: this.featureNames.slice(),
			trees: this.trees.map(treeToJson),
			options: this.options,
			trainingRows: this.trainingRows,
			fittedRows: this.fittedRows,
		};
	}
}
