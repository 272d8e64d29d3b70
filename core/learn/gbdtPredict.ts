/**
 * Fast prediction for an ensemble of trees: the trees are flattened into one set of typed
 * arrays (internal nodes only; a child below zero is a leaf, `~child` its index in leafValue),
 * and rows are scored in blocks so that a block's feature values stay in cache while every
 * tree is walked over it. The sum for a row is taken in tree order, starting from the base
 * score, exactly as training accumulates it.
 */
import type { Tree } from './tree';

export interface FlatForest {
	/** Per tree, its root: an internal node (>= 0) or a leaf (~leaf). */
	readonly roots: Int32Array;
	readonly feature: Int32Array;
	readonly threshold: Float64Array;
	readonly left: Int32Array;
	readonly right: Int32Array;
	readonly missingLeft: Uint8Array;
	readonly leafValue: Float64Array;
}

/** One flat layout for all the trees, in order. */
export function flattenTrees(trees: readonly Tree[]): FlatForest {
	let internal = 0;
	let leaves = 0;
	for (const tree of trees) {
		for (let node = 0; node < tree.left.length; node++) {
			if (tree.left[node] === -1) leaves++;
			else internal++;
		}
	}
	const flat = {
		roots: new Int32Array(trees.length),
		feature: new Int32Array(internal),
		threshold: new Float64Array(internal),
		left: new Int32Array(internal),
		right: new Int32Array(internal),
		missingLeft: new Uint8Array(internal),
		leafValue: new Float64Array(leaves),
	};
	let nextInternal = 0;
	let nextLeaf = 0;
	trees.forEach((tree, t) => {
		// Where each node of this tree lands in the flat arrays.
		const index = new Int32Array(tree.left.length);
		for (let node = 0; node < tree.left.length; node++) {
			if (tree.left[node] === -1) {
				flat.leafValue[nextLeaf] = tree.value[node];
				index[node] = ~nextLeaf++;
			} else {
				index[node] = nextInternal++;
			}
		}
		for (let node = 0; node < tree.left.length; node++) {
			const at = index[node];
			if (at < 0) continue;
			flat.feature[at] = tree.feature[node];
			flat.threshold[at] = tree.threshold[node];
			flat.missingLeft[at] = tree.missingLeft[node];
			flat.left[at] = index[tree.left[node]];
			flat.right[at] = index[tree.right[node]];
		}
		flat.roots[t] = index[0];
	});
	return flat;
}

const BLOCK_ROWS = 512;

/**
 * Raw scores (base score plus every tree's leaf value) for `rows` rows of column-major
 * feature values; a missing value (NaN) follows each node's missing direction.
 */
export function predictForest(forest: FlatForest, columns: readonly Float32Array[], rows: number, baseScore: number): Float64Array {
	const out = new Float64Array(rows).fill(baseScore);
	const { roots, feature, threshold, left, right, missingLeft, leafValue } = forest;
	const trees = roots.length;
	for (let start = 0; start < rows; start += BLOCK_ROWS) {
		const end = Math.min(rows, start + BLOCK_ROWS);
		for (let t = 0; t < trees; t++) {
			const root = roots[t];
			if (root < 0) {
				const value = leafValue[~root];
				for (let i = start; i < end; i++) out[i] += value;
				continue;
			}
			for (let i = start; i < end; i++) {
				let node = root;
				while (node >= 0) {
					const x = columns[feature[node]][i];
					node = x <= threshold[node] || (x !== x && missingLeft[node] === 1) ? left[node] : right[node];
				}
				out[i] += leafValue[~node];
			}
		}
	}
	return out;
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
