/**
 * Fast prediction for an ensemble of trees. Three choices make it fast in JavaScript:
 *
 * - Values become integer codes first. For each feature, the model's distinct thresholds are
 *   its "cuts"; a value's code is the number of cuts below it, so `x <= cuts[j]` is exactly
 *   `code <= j`, and a missing value gets MISSING_CODE. A step down a tree is then integer
 *   arithmetic with no branch to mispredict: going right is the sign bit of `cut - code`,
 *   flipped for a missing value when the node sends missing values left.
 * - Every walk has a fixed length: a leaf's two children are itself, and a tree is walked for
 *   exactly its depth in steps, so the loop never exits early.
 * - Four rows are walked side by side, so the processor overlaps four independent chains of
 *   memory loads instead of waiting on one.
 *
 * Rows are coded and scored in blocks, so a block's codes stay in cache while every tree is
 * walked over it. A row's score is the base score plus each tree's leaf value, in tree order,
 * exactly as training accumulates it.
 */
import type { Tree } from '../tree';
import { orderKey, smallestOfKeyBuckets } from '../binning';

/** The code of a missing value: above every cut, and flagged by bit 30. */
const MISSING_CODE = 1 << 30;
/** Rows coded and scored together. */
const BLOCK_ROWS = 1024;
/** Above this many rows, values are coded through a lookup table on their float bits. */
const TABLE_MIN_ROWS = 8192;

export interface FlatForest {
	/** Per tree, its root node. */
	readonly roots: Int32Array;
	/** Per tree, its depth: the number of steps every walk of it takes. */
	readonly depths: Int32Array;
	/** Per node, the feature it tests (0 for a leaf). */
	readonly feature: Int32Array;
	/** Per node, the index of its threshold among its feature's cuts. */
	readonly cut: Int32Array;
	/** Per node, 1 when missing values go left. */
	readonly missingLeft: Int32Array;
	/** Per node, its left then right child; a leaf's are itself. */
	readonly children: Int32Array;
	/** Per node, its value (a leaf's is what a row reaching it adds). */
	readonly value: Float64Array;
	/** Per feature, the distinct thresholds the trees test it against, ascending. */
	readonly cuts: readonly Float64Array[];
}

/** One flat layout for all the trees, in order, for a model with `features` features. */
export function flattenTrees(trees: readonly Tree[], features: number): FlatForest {
	const thresholds = Array.from({ length: features }, () => new Set<number>());
	let nodes = 0;
	for (const tree of trees) {
		nodes += tree.left.length;
		for (let node = 0; node < tree.left.length; node++) if (tree.left[node] !== -1) thresholds[tree.feature[node]].add(tree.threshold[node]);
	}
	const cuts = thresholds.map((set) => Float64Array.from(set).sort());
	const forest = {
		roots: new Int32Array(trees.length),
		depths: new Int32Array(trees.length),
		feature: new Int32Array(nodes),
		cut: new Int32Array(nodes),
		missingLeft: new Int32Array(nodes),
		children: new Int32Array(2 * nodes),
		value: new Float64Array(nodes),
		cuts,
	};
	let base = 0;
	trees.forEach((tree, t) => {
		forest.roots[t] = base;
		forest.depths[t] = depthOf(tree);
		for (let node = 0; node < tree.left.length; node++) {
			const at = base + node;
			forest.value[at] = tree.value[node];
			if (tree.left[node] === -1) {
				forest.children[2 * at] = at;
				forest.children[2 * at + 1] = at;
				continue;
			}
			const f = tree.feature[node];
			forest.feature[at] = f;
			forest.cut[at] = lowerBound(cuts[f], tree.threshold[node]);
			forest.missingLeft[at] = tree.missingLeft[node];
			forest.children[2 * at] = base + tree.left[node];
			forest.children[2 * at + 1] = base + tree.right[node];
		}
		base += tree.left.length;
	});
	return forest;
}

/** The depth of a tree (0 for a single leaf); children always come after their parent. */
function depthOf(tree: Tree): number {
	const depth = new Int32Array(tree.left.length);
	let deepest = 0;
	for (let node = 0; node < tree.left.length; node++) {
		if (tree.left[node] === -1) continue;
		depth[tree.left[node]] = depth[tree.right[node]] = depth[node] + 1;
		deepest = Math.max(deepest, depth[node] + 1);
	}
	return deepest;
}

/** The number of entries of the ascending `cuts` below x (NaN has MISSING_CODE). */
function lowerBound(cuts: Float64Array, x: number): number {
	if (x !== x) return MISSING_CODE;
	let low = 0;
	let high = cuts.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (cuts[mid] < x) low = mid + 1;
		else high = mid;
	}
	return low;
}

/**
 * Raw scores (base score plus every tree's leaf value) for `rows` rows of column-major
 * feature values; a missing value (NaN) follows each node's missing direction.
 */
export function predictForest(forest: FlatForest, columns: readonly Float32Array[], rows: number, baseScore: number): Float64Array {
	const out = new Float64Array(rows).fill(baseScore);
	const features = columns.length;
	const coders = forest.cuts.map((cuts) => valueCoder(cuts, rows >= TABLE_MIN_ROWS));
	const block = new Int32Array(BLOCK_ROWS * features);
	for (let start = 0; start < rows; start += BLOCK_ROWS) {
		const count = Math.min(rows, start + BLOCK_ROWS) - start;
		for (let f = 0; f < features; f++) coders[f](columns[f], start, count, block, f, features);
		scoreBlock(forest, block, features, count, out, start);
	}
	return out;
}

/** Adds every tree's leaf value to out[start..start+count) for the coded rows of `block`. */
function scoreBlock(forest: FlatForest, block: Int32Array, features: number, count: number, out: Float64Array, start: number): void {
	const { roots, depths, feature, cut, missingLeft, children, value } = forest;
	for (let t = 0; t < roots.length; t++) {
		const root = roots[t];
		const depth = depths[t];
		let i = 0;
		for (; i + 4 <= count; i += 4) {
			const b0 = i * features;
			const b1 = b0 + features;
			const b2 = b1 + features;
			const b3 = b2 + features;
			let n0 = root;
			let n1 = root;
			let n2 = root;
			let n3 = root;
			for (let d = 0; d < depth; d++) {
				let v = block[b0 + feature[n0]];
				n0 = children[2 * n0 + (((cut[n0] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n0]))];
				v = block[b1 + feature[n1]];
				n1 = children[2 * n1 + (((cut[n1] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n1]))];
				v = block[b2 + feature[n2]];
				n2 = children[2 * n2 + (((cut[n2] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n2]))];
				v = block[b3 + feature[n3]];
				n3 = children[2 * n3 + (((cut[n3] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n3]))];
			}
			out[start + i] += value[n0];
			out[start + i + 1] += value[n1];
			out[start + i + 2] += value[n2];
			out[start + i + 3] += value[n3];
		}
		for (; i < count; i++) {
			const b = i * features;
			let n = root;
			for (let d = 0; d < depth; d++) {
				const v = block[b + feature[n]];
				n = children[2 * n + (((cut[n] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n]))];
			}
			out[start + i] += value[n];
		}
	}
}

/** Writes the codes of column[start..start+count) into block[i * stride + f]. */
type ValueCoder = (column: Float32Array, start: number, count: number, block: Int32Array, f: number, stride: number) => void;

/**
 * A coder for one feature's cuts: a binary search per value, or for large inputs a table
 * indexed by the top 16 bits of the value's order-keeping float key, which gives the code of
 * the smallest value with those bits; a value then needs one lookup and rarely a step or two.
 */
function valueCoder(cuts: Float64Array, useTable: boolean): ValueCoder {
	if (!useTable || cuts.length === 0) {
		return (column, start, count, block, f, stride) => {
			for (let i = 0; i < count; i++) block[i * stride + f] = lowerBound(cuts, column[start + i]);
		};
	}
	const first = new Int32Array(65536);
	const floors = smallestOfKeyBuckets();
	let j = 0;
	for (let bucket = 0; bucket < 65536; bucket++) {
		const smallest = floors[bucket];
		// Buckets of NaN bit patterns are never looked up; keep the running index for them.
		if (smallest === smallest) while (j < cuts.length && cuts[j] < smallest) j++;
		first[bucket] = j;
	}
	const m = cuts.length;
	return (column, start, count, block, f, stride) => {
		const bits = new Uint32Array(column.buffer, column.byteOffset, column.length);
		for (let i = 0; i < count; i++) {
			const x = column[start + i];
			let code = MISSING_CODE;
			if (x === x) {
				code = first[orderKey(bits[start + i]) >>> 16];
				while (code < m && cuts[code] < x) code++;
			}
			block[i * stride + f] = code;
		}
	};
}

/** Adds one tree's output to `out` for each row (used for the validation score after each tree). */
export function addTreeOutput(tree: Tree, columns: readonly Float32Array[], out: Float64Array): void {
	const { feature, threshold, left, right, missingLeft, value } = tree;
	for (let i = 0; i < out.length; i++) {
		let node = 0;
		while (left[node] !== -1) {
			const x = columns[feature[node]][i];
			node = x <= threshold[node] || (x !== x && missingLeft[node] === 1) ? left[node] : right[node];
		}
		out[i] += value[node];
	}
}
