/**
 * Helpers for the explanation tests: random trees in the shared format, the raw output of an
 * ensemble, and brute-force Shapley values by enumerating every coalition of features.
 */
import type { Rng } from '../../core/util/rng';
import type { Tree } from '../../core/learn/tree';

export interface RandomTreeOptions {
	/** Features 0..features-1 are drawn for splits (few features make repeats on a path likely). */
	readonly features: number;
	readonly maxDepth: number;
	/** Chance that a node above maxDepth splits (1 = a full tree). */
	readonly splitChance?: number;
	/** Chance that a leaf's cover is exactly zero. */
	readonly emptyLeafChance?: number;
}

/**
 * A random tree: splits on random features (so a feature often splits twice on one path),
 * thresholds in [0, 1), random missing directions, positive leaf covers summed upwards, and
 * deliberately wrong internal values (TreeSHAP must not read them).
 */
export function randomTree(rng: Rng, options: RandomTreeOptions): Tree {
	const feature: number[] = [];
	const threshold: number[] = [];
	const left: number[] = [];
	const right: number[] = [];
	const missingLeft: number[] = [];
	const value: number[] = [];
	const cover: number[] = [];
	const splitChance = options.splitChance ?? 0.85;
	const grow = (depth: number): number => {
		const node = feature.length;
		feature.push(-1);
		threshold.push(0);
		left.push(-1);
		right.push(-1);
		missingLeft.push(0);
		value.push(0);
		cover.push(0);
		if (depth < options.maxDepth && (depth === 0 || rng.next() < splitChance)) {
			feature[node] = rng.int(options.features);
			threshold[node] = Math.round(rng.next() * 100) / 100;
			missingLeft[node] = rng.next() < 0.5 ? 1 : 0;
			left[node] = grow(depth + 1);
			right[node] = grow(depth + 1);
			cover[node] = cover[left[node]] + cover[right[node]];
			value[node] = 1000 + rng.next();
		} else {
			feature[node] = 0;
			value[node] = rng.normal();
			cover[node] = rng.next() < (options.emptyLeafChance ?? 0) ? 0 : 1 + rng.int(50);
		}
		return node;
	};
	grow(0);
	return {
		feature: Int32Array.from(feature),
		threshold: Float64Array.from(threshold),
		left: Int32Array.from(left),
		right: Int32Array.from(right),
		missingLeft: Uint8Array.from(missingLeft),
		value: Float64Array.from(value),
		cover: Float64Array.from(cover),
	};
}

/** A tree from nested literals, for hand-built cases. */
export type TreeSpec = { leaf: number; cover: number } | { feature: number; threshold: number; missingLeft?: boolean; left: TreeSpec; right: TreeSpec };

export function treeOf(spec: TreeSpec): Tree {
	const rows: { feature: number; threshold: number; left: number; right: number; missingLeft: number; value: number; cover: number }[] = [];
	const add = (node: TreeSpec): number => {
		const index = rows.length;
		rows.push({ feature: 0, threshold: 0, left: -1, right: -1, missingLeft: 0, value: 0, cover: 0 });
		if ('leaf' in node) {
			rows[index].value = node.leaf;
			rows[index].cover = node.cover;
		} else {
			const l = add(node.left);
			const r = add(node.right);
			Object.assign(rows[index], {
				feature: node.feature,
				threshold: node.threshold,
				left: l,
				right: r,
				missingLeft: node.missingLeft ? 1 : 0,
				cover: rows[l].cover + rows[r].cover,
			});
		}
		return index;
	};
	add(spec);
	return {
		feature: Int32Array.from(rows.map((r) => r.feature)),
		threshold: Float64Array.from(rows.map((r) => r.threshold)),
		left: Int32Array.from(rows.map((r) => r.left)),
		right: Int32Array.from(rows.map((r) => r.right)),
		missingLeft: Uint8Array.from(rows.map((r) => r.missingLeft)),
		value: Float64Array.from(rows.map((r) => r.value)),
		cover: Float64Array.from(rows.map((r) => r.cover)),
	};
}

function goesLeft(tree: Tree, node: number, x: number): boolean {
	return Number.isNaN(x) ? tree.missingLeft[node] === 1 : x <= tree.threshold[node];
}

/** The leaf value a row reaches. */
export function predictTree(tree: Tree, x: ArrayLike<number>): number {
	let node = 0;
	while (tree.left[node] !== -1) node = goesLeft(tree, node, x[tree.feature[node]]) ? tree.left[node] : tree.right[node];
	return tree.value[node];
}

/** baseScore + Σ over trees of the row's leaf value: the raw output TreeSHAP must add up to. */
export function predictRaw(trees: readonly Tree[], baseScore: number, x: ArrayLike<number>): number {
	let sum = baseScore;
	for (const tree of trees) sum += predictTree(tree, x);
	return sum;
}

/**
 * The path-dependent conditional expectation E[f(x) | x_S]: follow x at splits on features in
 * `known` (a bit mask), otherwise average both children by cover.
 */
export function conditionalExpectation(tree: Tree, x: ArrayLike<number>, known: number): number {
	const descend = (node: number): number => {
		if (tree.left[node] === -1) return tree.value[node];
		const f = tree.feature[node];
		if (known & (1 << f)) return descend(goesLeft(tree, node, x[f]) ? tree.left[node] : tree.right[node]);
		const l = tree.cover[tree.left[node]];
		const r = tree.cover[tree.right[node]];
		const sum = l + r;
		const leftShare = sum > 0 ? l / sum : 0.5;
		const rightShare = sum > 0 ? r / sum : 0.5;
		return leftShare * descend(tree.left[node]) + rightShare * descend(tree.right[node]);
	};
	return descend(0);
}

/** Shapley values of `value(mask)` over `players` players, by enumerating every coalition. */
export function bruteForceShapley(players: number, value: (mask: number) => number): Float64Array {
	const factorial = [1];
	for (let i = 1; i <= players; i++) factorial[i] = factorial[i - 1] * i;
	const values = new Float64Array(1 << players);
	for (let mask = 0; mask < 1 << players; mask++) values[mask] = value(mask);
	const phi = new Float64Array(players);
	for (let i = 0; i < players; i++) {
		for (let mask = 0; mask < 1 << players; mask++) {
			if (mask & (1 << i)) continue;
			const size = popcount(mask);
			const weight = (factorial[size] * factorial[players - size - 1]) / factorial[players];
			phi[i] += weight * (values[mask | (1 << i)] - values[mask]);
		}
	}
	return phi;
}

function popcount(mask: number): number {
	let count = 0;
	for (let m = mask; m !== 0; m &= m - 1) count++;
	return count;
}

/** A random row over `features` features in [0, 1), with each value missing with chance `missingChance`. */
export function randomRow(rng: Rng, features: number, missingChance = 0.15): Float64Array {
	const x = new Float64Array(features);
	for (let f = 0; f < features; f++) x[f] = rng.next() < missingChance ? NaN : Math.round(rng.next() * 100) / 100;
	return x;
}
