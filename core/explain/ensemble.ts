/**
 * Trees compiled for explanation: every tree of an ensemble checked once and flattened into
 * parallel typed arrays, so the TreeSHAP engines run without allocating and the same plain data
 * can be posted to worker threads.
 */
import { InputError } from '../errors';
import type { Tree } from '../learn/tree';

/**
 * A TreeSHAP engine bound to one ensemble: adds each feature's contribution for `rows` rows of
 * `values` (row-major, `features` per row, NaN = missing) into `phi` (the same layout).
 */
export type ShapKernel = (values: Float64Array, features: number, rows: number, phi: Float64Array) => void;

/** Every tree of an ensemble, flattened into parallel typed arrays (plain data, transferable). */
export interface CompiledEnsemble {
	/** 1 + the largest feature index any split uses (0 when no tree splits). */
	readonly features: number;
	/** The deepest leaf's depth (number of splits above it). */
	readonly maxDepth: number;
	/** The root node of each tree in the flat arrays. */
	readonly roots: Int32Array;
	/** Split feature per node, -1 at leaves. */
	readonly feature: Int32Array;
	readonly threshold: Float64Array;
	readonly left: Int32Array;
	readonly right: Int32Array;
	readonly missingLeft: Uint8Array;
	/** Leaf values (raw, log-odds units); 0 at internal nodes. */
	readonly leafValue: Float64Array;
	/** The share of a node's cover sent to each child: cover[child] / (cover[left] + cover[right]). */
	readonly leftShare: Float64Array;
	readonly rightShare: Float64Array;
	/** Σ over trees of the path-dependent expectation of the tree (without any base score). */
	readonly expected: number;
	/** The features some split uses, ascending: the only ones a row must supply. */
	readonly usedFeatures: Int32Array;
}

/** Checks and flattens trees into the engine's layout; throws InputError naming the tree and node at fault. */
export function compileEnsemble(trees: readonly Tree[]): CompiledEnsemble {
	let total = 0;
	for (let t = 0; t < trees.length; t++) total += checkedSize(trees[t], t);
	const roots = new Int32Array(trees.length);
	const feature = new Int32Array(total);
	const threshold = new Float64Array(total);
	const left = new Int32Array(total);
	const right = new Int32Array(total);
	const missingLeft = new Uint8Array(total);
	const leafValue = new Float64Array(total);
	const leftShare = new Float64Array(total);
	const rightShare = new Float64Array(total);
	let offset = 0;
	let maxDepth = 0;
	let maxFeature = -1;
	let expected = 0;
	const used = new Set<number>();
	for (let t = 0; t < trees.length; t++) {
		const tree = trees[t];
		const size = tree.left.length;
		roots[t] = offset;
		for (let node = 0; node < size; node++) {
			const at = offset + node;
			if (tree.left[node] === -1) {
				feature[at] = -1;
				left[at] = -1;
				right[at] = -1;
				leafValue[at] = tree.value[node];
				continue;
			}
			const f = tree.feature[node];
			feature[at] = f;
			used.add(f);
			if (f > maxFeature) maxFeature = f;
			threshold[at] = tree.threshold[node];
			left[at] = offset + tree.left[node];
			right[at] = offset + tree.right[node];
			missingLeft[at] = tree.missingLeft[node] === 1 ? 1 : 0;
			const coverLeft = tree.cover[tree.left[node]];
			const coverRight = tree.cover[tree.right[node]];
			const sum = coverLeft + coverRight;
			// Two empty children cannot be weighed by cover; splitting evenly keeps the expectation defined.
			leftShare[at] = sum > 0 ? coverLeft / sum : 0.5;
			rightShare[at] = sum > 0 ? coverRight / sum : 0.5;
		}
		const depth = depthOf(tree, t);
		if (depth > maxDepth) maxDepth = depth;
		expected += expectationOf(leafValue, left, right, leftShare, rightShare, offset);
		offset += size;
	}
	const usedFeatures = Int32Array.from([...used].sort((a, b) => a - b));
	return {
		features: maxFeature + 1,
		maxDepth,
		roots,
		feature,
		threshold,
		left,
		right,
		missingLeft,
		leafValue,
		leftShare,
		rightShare,
		expected,
		usedFeatures,
	};
}

/** The cover-weighted mean leaf value of the tree rooted at `root`: what it predicts when nothing is known. */
function expectationOf(leafValue: Float64Array, left: Int32Array, right: Int32Array, leftShare: Float64Array, rightShare: Float64Array, root: number): number {
	const descend = (node: number): number =>
		left[node] === -1 ? leafValue[node] : leftShare[node] * descend(left[node]) + rightShare[node] * descend(right[node]);
	return descend(root);
}

/** The number of nodes of tree `t` after checking its arrays agree and its children form a tree. */
function checkedSize(tree: Tree, t: number): number {
	const size = tree.left.length;
	const where = `tree ${t}`;
	if (size === 0) throw new InputError(`The model's ${where} has no nodes; a tree needs at least one leaf. Retrain or repair the model.`, 'bad-tree');
	for (const [name, array] of Object.entries({
		feature: tree.feature,
		threshold: tree.threshold,
		right: tree.right,
		missingLeft: tree.missingLeft,
		value: tree.value,
		cover: tree.cover,
	})) {
		if (array.length !== size) {
			throw new InputError(
				`The model's ${where} has ${size} nodes in "left" but ${array.length} in "${name}"; every array of a tree must have one entry per node.`,
				'bad-tree',
			);
		}
	}
	for (let node = 0; node < size; node++) {
		const cover = tree.cover[node];
		if (!(cover >= 0) || !Number.isFinite(cover)) {
			throw new InputError(`The model's ${where}, node ${node}, has cover ${cover}; covers must be finite and not negative.`, 'bad-tree');
		}
		if (tree.left[node] === -1) {
			if (!Number.isFinite(tree.value[node]))
				throw new InputError(`The model's ${where}, leaf ${node}, has value ${tree.value[node]}; leaf values must be finite.`, 'bad-tree');
			continue;
		}
		for (const child of [tree.left[node], tree.right[node]]) {
			if (!Number.isInteger(child) || child <= node || child >= size) {
				throw new InputError(
					`The model's ${where}, node ${node}, points to child ${child}; children must come after their parent and before node ${size}.`,
					'bad-tree',
				);
			}
		}
		if (!(tree.feature[node] >= 0))
			throw new InputError(`The model's ${where}, node ${node}, splits on feature ${tree.feature[node]}; feature indices start at 0.`, 'bad-tree');
	}
	return size;
}

/** The depth of the deepest leaf of tree `t`; throws when a node is reached twice or never (not a tree). */
function depthOf(tree: Tree, t: number): number {
	const seen = new Uint8Array(tree.left.length);
	let deepest = 0;
	const stack: number[] = [0, 0];
	while (stack.length > 0) {
		const depth = stack.pop() as number;
		const node = stack.pop() as number;
		if (seen[node]) throw new InputError(`The model's tree ${t} reaches node ${node} twice; a tree's nodes must each have one parent.`, 'bad-tree');
		seen[node] = 1;
		if (tree.left[node] === -1) {
			if (depth > deepest) deepest = depth;
		} else {
			stack.push(tree.left[node], depth + 1, tree.right[node], depth + 1);
		}
	}
	const orphan = seen.indexOf(0);
	if (orphan !== -1)
		throw new InputError(
			`The model's tree ${t} has node ${orphan}, which no path from the root reaches; a tree's nodes must all hang from its root.`,
			'bad-tree',
		);
	return deepest;
}
