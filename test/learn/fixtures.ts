/** Small synthetic datasets with known structure, for the learner, calibration, auto and model tests. */
import type { LabelledDataset } from '../../core/learn/dataset';
import { createRng } from '../../core/util/rng';

export interface SyntheticOptions {
	readonly rows: number;
	readonly seed: number;
	/** Log-odds = intercept + Σ weights[f] × x_f (features standard normal). */
	readonly weights?: readonly number[];
	readonly intercept?: number;
	/** Share of feature 0's values set missing (NaN); a missing value adds `missingEffect` to the log-odds. */
	readonly missingShare?: number;
	readonly missingEffect?: number;
	/** Adds a non-linear term: + interaction × x0 × x1. */
	readonly interaction?: number;
}

/** Rows whose label is drawn from a known logistic model (the oracle probability is returned too). */
export function synthetic(options: SyntheticOptions): LabelledDataset & { oracle: Float64Array } {
	const { rows, seed, weights = [1.2, -0.8, 0.5, 0], intercept = -1, missingShare = 0, missingEffect = 0, interaction = 0 } = options;
	const rng = createRng(seed);
	const columns = weights.map(() => new Float32Array(rows));
	const label = new Uint8Array(rows);
	const oracle = new Float64Array(rows);
	for (let r = 0; r < rows; r++) {
		let z = intercept;
		for (let f = 0; f < weights.length; f++) {
			const x = Math.fround(rng.normal());
			columns[f][r] = x;
			z += weights[f] * x;
		}
		z += interaction * columns[0][r] * columns[1][r];
		if (missingShare > 0 && rng.next() < missingShare) {
			z += missingEffect - weights[0] * columns[0][r];
			columns[0][r] = NaN;
		}
		oracle[r] = 1 / (1 + Math.exp(-z));
		label[r] = rng.next() < oracle[r] ? 1 : 0;
	}
	return { rows, featureNames: weights.map((_, f) => `x${f}`), columns, label, oracle };
}
