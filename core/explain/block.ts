/**
 * Explaining a block of rows with a tree engine: the one loop both the main thread and the
 * worker threads run, so results are identical wherever a row is explained.
 */
import type { ShapKernel } from './ensemble';

/**
 * Explains `values` (rows × features, row-major, NaN = missing) with `explain` into `out`
 * (rows × features, row-major, float32), using `phi` (at least as long as values) as scratch.
 */
export function explainBlock(explain: ShapKernel, values: Float64Array, features: number, out: Float32Array, phi: Float64Array): void {
	const rows = features > 0 ? values.length / features : 0;
	const sums = phi.subarray(0, values.length);
	sums.fill(0);
	explain(values, features, rows, sums);
	out.set(sums);
}
