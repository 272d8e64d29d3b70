/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion and Lee 2018, "Consistent individualized
 * feature attribution for tree ensembles", Algorithm 2) over the shared tree format.
 *
 * The value function is the path-dependent conditional expectation: for a coalition S, a row
 * follows its own branch at splits on features in S and takes the cover-weighted average of
 * both children elsewhere. Its Shapley values are computed in O(leaves × depth²) per tree by
 * tracking, along each root-to-leaf path, the proportion of feature subsets of each size that
 * flow down it (the "extend" and "unwind" path arithmetic).
 *
 * This engine works for trees of any depth; `leafTables.ts` is faster for shallow trees and is
 * checked against this one.
 */
import type { CompiledEnsemble, ShapKernel } from './ensemble';

/**
 * An engine bound to one ensemble (see `ShapKernel`). Buffers are allocated once here, and the
 * walk is iterative so no number is ever boxed: a call allocates nothing.
 */
export function createPathShap(ensemble: CompiledEnsemble): ShapKernel {
	const { roots, feature, threshold, left, right, missingLeft, leafValue, leftShare, rightShare } = ensemble;
	const levels = ensemble.maxDepth + 1;
	// The node at depth l keeps its own copy of the path (at most l + 1 elements) at offset l(l+1)/2;
	// a sibling visited later copies its parent's path from level l - 1, which only depth l - 1 writes.
	const poolSize = (levels * (levels + 1)) / 2;
	const pathFeature = new Int32Array(poolSize);
	const pathZero = new Float64Array(poolSize);
	// One-fractions are products of 0/1 indicators ("does x go this way"), so they are exactly 0 or 1.
	const pathOne = new Uint8Array(poolSize);
	const pathWeight = new Float64Array(poolSize);
	const offsetOf = new Int32Array(levels + 1);
	for (let l = 0; l <= levels; l++) offsetOf[l] = (l * (l + 1)) / 2;
	// Ratio tables keep divisions out of the leaf loops: for a path of last index d (row d * stride),
	// up = (d+1)/(k+1), down = (d-k)/(d+1), coldScale = (d+1)/(d-k).
	const stride = levels + 1;
	const up = new Float64Array(stride * stride);
	const down = new Float64Array(stride * stride);
	const coldScale = new Float64Array(stride * stride);
	for (let d = 0; d < stride; d++) {
		for (let k = 0; k <= d; k++) {
			up[d * stride + k] = (d + 1) / (k + 1);
			down[d * stride + k] = (d - k) / (d + 1);
			coldScale[d * stride + k] = k < d ? (d + 1) / (d - k) : 0;
		}
	}
	// Pending visits, last in first out: node, its depth, the parent's path length, and the split that led to it.
	const capacity = 2 * levels + 2;
	const taskNode = new Int32Array(capacity);
	const taskLevel = new Int32Array(capacity);
	const taskLength = new Int32Array(capacity);
	const taskZero = new Float64Array(capacity);
	const taskOne = new Uint8Array(capacity);
	const taskFeature = new Int32Array(capacity);

	/** Removes element `index` from the path at `at` (last index d), undoing its extend: used when a feature splits again. */
	const unwind = (at: number, d: number, index: number): void => {
		const one = pathOne[at + index];
		const zero = pathZero[at + index];
		let nextOne = pathWeight[at + d];
		for (let i = d - 1; i >= 0; i--) {
			if (one !== 0) {
				const previous = pathWeight[at + i];
				const w = (nextOne * (d + 1)) / (i + 1);
				pathWeight[at + i] = w;
				nextOne = previous - (w * zero * (d - i)) / (d + 1);
			} else {
				pathWeight[at + i] = (pathWeight[at + i] * (d + 1)) / (zero * (d - i));
			}
		}
		for (let i = index; i < d; i++) {
			pathFeature[at + i] = pathFeature[at + i + 1];
			pathZero[at + i] = pathZero[at + i + 1];
			pathOne[at + i] = pathOne[at + i + 1];
		}
	};

	/** Adds the leaf's share to every feature on the path at `at` (elements 1..d), into phi from `out`. */
	const creditLeaf = (phi: Float64Array, out: number, at: number, d: number, value: number): void => {
		const row = d * stride;
		// For an element x does not follow (one = 0) the unwound weight sum is Σ w_k (d+1)/(d-k) / zero,
		// so its contribution (0 - zero) × sum × value does not depend on the element: compute it once.
		let coldSum = NaN;
		for (let i = 1; i <= d; i++) {
			const f = pathFeature[at + i];
			if (pathOne[at + i] === 0) {
				if (coldSum !== coldSum) {
					coldSum = 0;
					for (let k = 0; k < d; k++) coldSum += pathWeight[at + k] * coldScale[row + k];
				}
				phi[out + f] -= coldSum * value;
				continue;
			}
			const zero = pathZero[at + i];
			let nextOne = pathWeight[at + d];
			let total = 0;
			for (let k = d - 1; k >= 0; k--) {
				const w = nextOne * up[row + k];
				total += w;
				nextOne = pathWeight[at + k] - w * zero * down[row + k];
			}
			phi[out + f] += total * (1 - zero) * value;
		}
	};

	/** Walks one tree from `root`, adding its contributions for the row at `row` of values into phi (same offset). */
	const walk = (values: Float64Array, phi: Float64Array, row: number, root: number): void => {
		let top = 0;
		taskNode[0] = root;
		taskLevel[0] = 0;
		taskLength[0] = 0;
		taskZero[0] = 1;
		taskOne[0] = 1;
		taskFeature[0] = -1;
		top = 1;
		while (top > 0) {
			top--;
			const node = taskNode[top];
			const level = taskLevel[top];
			const d = taskLength[top];
			const zero = taskZero[top];
			const one = taskOne[top];
			const at = offsetOf[level];
			if (level > 0) {
				const from = offsetOf[level - 1];
				for (let i = 0; i < d; i++) {
					pathFeature[at + i] = pathFeature[from + i];
					pathZero[at + i] = pathZero[from + i];
					pathOne[at + i] = pathOne[from + i];
					pathWeight[at + i] = pathWeight[from + i];
				}
			}
			// Extend the path with the split that led here: the proportions of feature subsets of each
			// size that reach this node shift by the fractions of the new element.
			pathFeature[at + d] = taskFeature[top];
			pathZero[at + d] = zero;
			pathOne[at + d] = one;
			pathWeight[at + d] = d === 0 ? 1 : 0;
			const scale = 1 / (d + 1);
			for (let i = d - 1; i >= 0; i--) {
				const w = pathWeight[at + i];
				if (one !== 0) pathWeight[at + i + 1] += w * (i + 1) * scale;
				pathWeight[at + i] = zero * w * (d - i) * scale;
			}
			const f = feature[node];
			if (f === -1) {
				if (leafValue[node] !== 0) creditLeaf(phi, row, at, d, leafValue[node]);
				continue;
			}
			const value = values[row + f];
			const goLeft = value !== value ? missingLeft[node] === 1 : value <= threshold[node];
			let incomingZero = 1;
			let incomingOne = 1;
			let length = d + 1;
			for (let i = 1; i <= d; i++) {
				if (pathFeature[at + i] === f) {
					// The feature split earlier on this path: fold that earlier split into this one.
					incomingZero = pathZero[at + i];
					incomingOne = pathOne[at + i];
					unwind(at, d, i);
					length = d;
					break;
				}
			}
			const hotZero = (goLeft ? leftShare[node] : rightShare[node]) * incomingZero;
			const coldZero = (goLeft ? rightShare[node] : leftShare[node]) * incomingZero;
			// A branch with both fractions zero contributes exactly nothing; skipping it avoids 0/0 in unwind.
			if (coldZero !== 0) {
				taskNode[top] = goLeft ? right[node] : left[node];
				taskLevel[top] = level + 1;
				taskLength[top] = length;
				taskZero[top] = coldZero;
				taskOne[top] = 0;
				taskFeature[top] = f;
				top++;
			}
			if (hotZero !== 0 || incomingOne !== 0) {
				taskNode[top] = goLeft ? left[node] : right[node];
				taskLevel[top] = level + 1;
				taskLength[top] = length;
				taskZero[top] = hotZero;
				taskOne[top] = incomingOne;
				taskFeature[top] = f;
				top++;
			}
		}
	};

	// Tree by tree, then row by row: one tree's nodes stay in cache while a block of rows passes.
	return (values, features, rows, phi) => {
		for (let t = 0; t < roots.length; t++) {
			for (let r = 0; r < rows; r++) walk(values, phi, r * features, roots[t]);
		}
	};
}
