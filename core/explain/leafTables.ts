/**
 * Path-dependent TreeSHAP with per-leaf tables (the idea of Yang 2021, "Fast TreeSHAP", v2):
 * the same values as Algorithm 2 (`pathShap.ts`), with the row-independent arithmetic moved
 * to compile time.
 *
 * Why it works: a leaf l with value v, reached through splits on the distinct features U
 * (k of them), adds to E[f(x) | x_S] the product v × Π_{j∈S} o_j × Π_{j∈U∖S} z_j, where z_j is
 * the product of j's cover shares along the path (fixed per tree) and o_j is 1 when the row
 * follows every split on j (the only part that depends on the row). Shapley values are linear,
 * so each leaf is its own small game over U, and with H = {j : o_j = 1}:
 *
 *   for j ∉ H:  φ_j = −v · Z(U∖H) · P(H)
 *   for j ∈ H:  φ_j =  v · (1 − z_j) · Z(U∖H) · P(H∖{j})
 *
 * with Z(B) = Π_{j∈B} z_j and P(A) = Σ_{S⊆A} |S|!(k−|S|−1)!/k! · Π_{j∈A∖S} z_j. P depends on
 * the row only through A, so it is tabulated per leaf for all 2^k subsets. A row then costs one
 * comparison per split and O(k) per leaf, instead of Algorithm 2's O(k²) per leaf.
 * Tables take 2^k numbers per leaf, so this engine is used only while they fit a budget.
 */
import type { CompiledEnsemble, ShapKernel } from './ensemble';

/** The per-leaf tables of an ensemble (plain typed arrays, so they can be posted to workers). */
export interface LeafTables {
	/** Per node: the position of its split feature among the distinct features on the path to it. */
	readonly nodeBit: Uint8Array;
	/** Per leaf record: its node, its number of distinct path features k, where its elements and table start. */
	readonly leafNode: Int32Array;
	readonly leafSize: Uint8Array;
	readonly leafStart: Int32Array;
	readonly leafTable: Int32Array;
	/** Per path element of each leaf: the feature, its cover share z and 1 − z. */
	readonly elementFeature: Int32Array;
	readonly elementZero: Float64Array;
	readonly elementOneMinusZero: Float64Array;
	/** v × P(A) for every leaf and every subset A of its path features (2^k entries per leaf). */
	readonly table: Float64Array;
}

/** At most this many table entries (8 bytes each) per ensemble: 32 MB. Deeper ensembles use Algorithm 2. */
export const defaultTableBudget = 1 << 22;

/** Leaves with more distinct features on their path than this need Algorithm 2 (masks are 32-bit integers). */
export const maxTableFeatures = 24;

/** The number of table entries `ensemble` needs: Σ over leaves of 2^(distinct features on the path); Infinity past maxTableFeatures. */
export function tableSize(ensemble: CompiledEnsemble): number {
	let total = 0;
	forEachLeaf(ensemble, (_leaf, features) => {
		total += features.length > maxTableFeatures ? Infinity : 2 ** features.length;
	});
	return total;
}

/** Builds the per-leaf tables of `ensemble`. */
export function compileLeafTables(ensemble: CompiledEnsemble): LeafTables {
	const nodes = ensemble.feature.length;
	const nodeBit = new Uint8Array(nodes);
	const leafNode: number[] = [];
	const leafSize: number[] = [];
	const leafStart: number[] = [];
	const leafTable: number[] = [];
	const elementFeature: number[] = [];
	const elementZero: number[] = [];
	let tableLength = 0;
	forEachLeaf(
		ensemble,
		(leaf, features, zeros) => {
			leafNode.push(leaf);
			leafSize.push(features.length);
			leafStart.push(elementFeature.length);
			leafTable.push(tableLength);
			elementFeature.push(...features);
			elementZero.push(...zeros);
			tableLength += 2 ** features.length;
		},
		(node, bit) => {
			nodeBit[node] = bit;
		},
	);
	const table = new Float64Array(tableLength);
	const largest = leafSize.reduce((a, b) => Math.max(a, b), 0);
	const scratch = new Float64Array(2 ** largest * (largest + 1));
	const weights = Array.from({ length: largest + 1 }, (_, k) => shapleyWeights(k));
	for (let r = 0; r < leafNode.length; r++) {
		const k = leafSize[r];
		fillLeafTable(table, leafTable[r], ensemble.leafValue[leafNode[r]], elementZero.slice(leafStart[r], leafStart[r] + k), weights[k], scratch);
	}
	return {
		nodeBit,
		leafNode: Int32Array.from(leafNode),
		leafSize: Uint8Array.from(leafSize),
		leafStart: Int32Array.from(leafStart),
		leafTable: Int32Array.from(leafTable),
		elementFeature: Int32Array.from(elementFeature),
		elementZero: Float64Array.from(elementZero),
		elementOneMinusZero: Float64Array.from(elementZero, (z) => 1 - z),
		table,
	};
}

/**
 * Calls `onLeaf(leaf, features, zeros)` for every leaf with the distinct features on its path
 * (in order of first split) and each one's product of cover shares, and `onSplit(node, bit)` with
 * the position of each split's feature in that list.
 */
function forEachLeaf(
	ensemble: CompiledEnsemble,
	onLeaf: (leaf: number, features: readonly number[], zeros: readonly number[]) => void,
	onSplit?: (node: number, bit: number) => void,
): void {
	const { roots, feature, left, right, leftShare, rightShare } = ensemble;
	const visit = (node: number, features: number[], zeros: number[]): void => {
		const f = feature[node];
		if (f === -1) {
			onLeaf(node, features, zeros);
			return;
		}
		let bit = features.indexOf(f);
		if (bit === -1) bit = features.length;
		onSplit?.(node, bit);
		for (const [child, share] of [
			[left[node], leftShare[node]],
			[right[node], rightShare[node]],
		]) {
			const childFeatures = features.slice();
			const childZeros = zeros.slice();
			childFeatures[bit] = f;
			childZeros[bit] = (bit < zeros.length ? zeros[bit] : 1) * share;
			visit(child, childFeatures, childZeros);
		}
	};
	for (let t = 0; t < roots.length; t++) visit(roots[t], [], []);
}

/** w(s) = s!(k−s−1)!/k!, the Shapley weight of a coalition of size s among k players, for s < k. */
function shapleyWeights(k: number): Float64Array {
	const weight = new Float64Array(k);
	for (let s = 0; s < k; s++) weight[s] = (factorial(s) * factorial(k - s - 1)) / factorial(k);
	return weight;
}

/**
 * Writes v × P(A) for every subset A of the leaf's k path elements at `at`, with
 * P(A) = Σ_m w(|A| − m) e_m(z_A), e_m the elementary symmetric polynomials of the shares in A.
 * P(all k) is never read (some element is then missed or is the one being credited).
 */
function fillLeafTable(table: Float64Array, at: number, value: number, zeros: readonly number[], weight: Float64Array, e: Float64Array): void {
	const k = zeros.length;
	const subsets = 2 ** k;
	const width = k + 1;
	// e[A * width + m] is built from A without its lowest element j: e_m(A) = e_m(A∖j) + z_j e_{m−1}(A∖j).
	e.fill(0, 0, subsets * width);
	e[0] = 1;
	table[at] = k > 0 ? value * weight[0] : 0;
	for (let subset = 1; subset < subsets; subset++) {
		const lowest = subset & -subset;
		const z = zeros[31 - Math.clz32(lowest)];
		const from = (subset ^ lowest) * width;
		const to = subset * width;
		const size = popcount(subset);
		e[to] = e[from];
		for (let m = 1; m <= size; m++) e[to + m] = e[from + m] + z * e[from + m - 1];
		if (size === k) continue;
		let sum = 0;
		for (let m = 0; m <= size; m++) sum += weight[size - m] * e[to + m];
		table[at + subset] = value * sum;
	}
}

function factorial(n: number): number {
	let result = 1;
	for (let i = 2; i <= n; i++) result *= i;
	return result;
}

function popcount(mask: number): number {
	let count = 0;
	for (let m = mask; m !== 0; m &= m - 1) count++;
	return count;
}

/**
 * An engine bound to one ensemble and its tables (see `ShapKernel`); it allocates nothing per call.
 * It goes tree by tree and, within a tree, row by row, so a tree's tables stay in cache while a
 * block of rows passes (all tables together are megabytes; one tree's are kilobytes).
 */
export function createLeafTableShap(ensemble: CompiledEnsemble, tables: LeafTables): ShapKernel {
	const { roots, feature, threshold, left, right, missingLeft } = ensemble;
	const { nodeBit, leafNode, leafSize, leafStart, leafTable, elementFeature, elementZero, elementOneMinusZero, table } = tables;
	const trees = roots.length;
	const nodes = feature.length;
	// Each tree's splits (internal nodes, in node order, so parents come first) and leaf records.
	const splits = Int32Array.from({ length: nodes }, (_, node) => node).filter((node) => feature[node] !== -1);
	const splitsFrom = new Int32Array(trees + 1);
	const leavesFrom = new Int32Array(trees + 1);
	for (let t = 0, s = 0, l = 0; t < trees; t++) {
		const end = t + 1 < trees ? roots[t + 1] : nodes;
		while (s < splits.length && splits[s] < end) s++;
		while (l < leafNode.length && leafNode[l] < end) l++;
		splitsFrom[t + 1] = s;
		leavesFrom[t + 1] = l;
	}
	// Per node, the path elements whose splits the row did not follow on the way to it (a bit mask).
	const missed = new Int32Array(nodes);
	// Whether x followed an element is as good as random, so branches on it mispredict half the time:
	// choices are made by indexing instead, exactly. shareIf[2i + missed] is 1 or element i's share.
	const shareIf = new Float64Array(2 * elementZero.length);
	for (let i = 0; i < elementZero.length; i++) {
		shareIf[2 * i] = 1;
		shareIf[2 * i + 1] = elementZero[i];
	}
	const choice = new Float64Array(2);
	return (values, features, rows, phi) => {
		for (let t = 0; t < trees; t++) {
			const root = roots[t];
			for (let row = 0; row < rows * features; row += features) {
				missed[root] = 0;
				for (let s = splitsFrom[t]; s < splitsFrom[t + 1]; s++) {
					const node = splits[s];
					const value = values[row + feature[node]];
					const goLeft = value !== value ? missingLeft[node] === 1 : value <= threshold[node];
					const mask = missed[node];
					const bit = 1 << nodeBit[node];
					missed[left[node]] = goLeft ? mask : mask | bit;
					missed[right[node]] = goLeft ? mask | bit : mask;
				}
				for (let r = leavesFrom[t]; r < leavesFrom[t + 1]; r++) {
					const k = leafSize[r];
					const cold = missed[leafNode[r]];
					const hot = ((1 << k) - 1) & ~cold;
					const start = leafStart[r];
					const at = leafTable[r];
					let coldShare = 1;
					for (let e = 0; e < k; e++) coldShare *= shareIf[2 * (start + e) + ((cold >> e) & 1)];
					choice[1] = -coldShare * table[at + hot];
					for (let e = 0; e < k; e++) {
						choice[0] = elementOneMinusZero[start + e] * coldShare * table[at + (hot ^ (1 << e))];
						phi[row + elementFeature[start + e]] += choice[(cold >> e) & 1];
					}
				}
			}
		}
	};
}
