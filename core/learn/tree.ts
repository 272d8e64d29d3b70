/**
 * The tree format shared by training, prediction, TreeSHAP and model JSON: plain parallel
 * arrays indexed by node, node 0 the root. A node is a leaf when `left[node] === -1`.
 * An internal node sends a row left when its feature value is <= threshold, and a missing
 * value (NaN) left when `missingLeft[node] === 1`. `cover` is the training weight (hessian
 * sum for boosted trees, row count for forests) that reached the node; TreeSHAP needs it.
 * `value` is the leaf's output in raw (log-odds) units; internal nodes hold the cover-weighted
 * mean of their children, which makes the expected value of a tree its root value.
 */
export interface Tree {
	readonly feature: Int32Array;
	readonly threshold: Float64Array;
	readonly left: Int32Array;
	readonly right: Int32Array;
	readonly missingLeft: Uint8Array;
	readonly value: Float64Array;
	readonly cover: Float64Array;
}

/** The JSON form of a tree: the same arrays as plain numbers. */
export interface TreeJson {
	feature: number[];
	threshold: number[];
	left: number[];
	right: number[];
	missingLeft: number[];
	value: number[];
	cover: number[];
}

/** The leaf a row reaches; `valueOf(f)` gives the row's value of feature f. */
export function leafOf(tree: Tree, valueOf: (feature: number) => number): number {
	let node = 0;
	while (tree.left[node] !== -1) {
		const x = valueOf(tree.feature[node]);
		const goLeft = Number.isNaN(x) ? tree.missingLeft[node] === 1 : x <= tree.threshold[node];
		node = goLeft ? tree.left[node] : tree.right[node];
	}
	return node;
}

export function treeToJson(tree: Tree): TreeJson {
	return {
		feature: Array.from(tree.feature),
		threshold: Array.from(tree.threshold),
		left: Array.from(tree.left),
		right: Array.from(tree.right),
		missingLeft: Array.from(tree.missingLeft),
		value: Array.from(tree.value),
		cover: Array.from(tree.cover),
	};
}

export function treeFromJson(json: TreeJson): Tree {
	return {
		feature: Int32Array.from(json.feature),
		threshold: Float64Array.from(json.threshold),
		left: Int32Array.from(json.left),
		right: Int32Array.from(json.right),
		missingLeft: Uint8Array.from(json.missingLeft),
		value: Float64Array.from(json.value),
		cover: Float64Array.from(json.cover),
	};
}
