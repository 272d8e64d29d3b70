/**
 * Explaining a block of rows with a tree engine: the one loop both the main thread and the
 * worker threads run, so results are identical wherever a row is explained.
 */

/**
 * Explains `values` (rows × features, row-major, NaN = missing) with `explain` into `out`
 * (rows × features, row-major), using `x` and `phi` (length `features`) as scratch.
 */
export function explainBlock(
	explain: (x: Float64Array, phi: Float64Array) => void,
	values: Float64Array,
	features: number,
	out: Float32Array,
	x: Float64Array,
	phi: Float64Array,
): void {
	const rows = values.length / features;
	for (let r = 0; r < rows; r++) {
		const at = r * features;
		for (let f = 0; f < features; f++) x[f] = values[at + f];
		phi.fill(0);
		explain(x, phi);
		for (let f = 0; f < features; f++) out[at + f] = phi[f];
	}
}
