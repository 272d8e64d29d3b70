/**
 * Synthetic propensity data with a known answer, for the boosted-tree tests and benchmark:
 * 30 numeric features of the kinds a profile table holds (measurements, shares, counts with
 * many ties, 0/1 flags, pure noise, some missing values), and a label drawn from an oracle
 * probability: the logistic of a nonlinear function of the features, where one feature's
 * missingness itself raises the odds. The oracle's AUC is the best any model can reach.
 */
import type { LabelledDataset } from '../../core/learn/dataset';
import { createRng } from '../../core/util/rng';

export interface OracleData {
	readonly data: LabelledDataset;
	/** The true probability of the outcome per row. */
	readonly probability: Float64Array;
}

export const ORACLE_FEATURES = 30;

/** The feature whose missingness is predictive (missing raises the odds). */
export const MISSING_SIGNAL_FEATURE = 8;

/** `rows` rows drawn with `seed`: the same seed gives the same numbers on every platform. */
export function oracleData(rows: number, seed: number): OracleData {
	const rng = createRng(seed);
	const columns = Array.from({ length: ORACLE_FEATURES }, () => new Float32Array(rows));
	const label = new Uint8Array(rows);
	const probability = new Float64Array(rows);
	const x = new Float64Array(ORACLE_FEATURES);
	for (let r = 0; r < rows; r++) {
		// Measurements are recorded to three decimals, as exported tables usually hold them.
		for (let f = 0; f < 10; f++) x[f] = thousandths(rng.normal());
		for (let f = 10; f < 15; f++) x[f] = thousandths(rng.next());
		for (let f = 15; f < 20; f++) x[f] = Math.floor(-Math.log(1 - rng.next()) * (f - 13));
		for (let f = 20; f < 25; f++) x[f] = rng.next() < 0.3 ? 1 : 0;
		for (let f = 25; f < 30; f++) x[f] = thousandths(rng.normal());
		// Values go missing at random in three features; in feature 8 missing also matters.
		if (rng.next() < 0.1) x[3] = NaN;
		if (rng.next() < 0.15) x[MISSING_SIGNAL_FEATURE] = NaN;
		if (rng.next() < 0.05) x[16] = NaN;
		for (let f = 0; f < ORACLE_FEATURES; f++) {
			// The stored value is what every model sees: float32, as datasets hold it.
			columns[f][r] = x[f];
			x[f] = columns[f][r];
		}
		const p = 1 / (1 + Math.exp(-oracleLogit(x)));
		probability[r] = p;
		label[r] = rng.next() < p ? 1 : 0;
	}
	const featureNames = Array.from({ length: ORACLE_FEATURES }, (_, f) => `x${f}`);
	return { data: { rows, featureNames, columns, label }, probability };
}

function thousandths(value: number): number {
	return Math.round(value * 1000) / 1000;
}

/** The oracle's log-odds for one row of feature values (NaN = missing). */
function oracleLogit(x: Float64Array): number {
	const has = (v: number): boolean => !Number.isNaN(v);
	let z = 0;
	z += 0.9 * x[0];
	z -= 0.5 * x[1] * x[1];
	z += 0.8 * Math.tanh(2 * x[2]);
	if (has(x[3])) z += x[3] > 0 && x[4] > 0 ? 0.7 : -0.2;
	z += x[5] > 0 && x[6] > 0 ? 0.6 : 0;
	z += has(x[MISSING_SIGNAL_FEATURE]) ? 0.3 * x[MISSING_SIGNAL_FEATURE] : 1.2;
	z += x[10] > 0.5 && x[11] > 0.4 ? 0.9 : 0;
	z += 0.5 * Math.log1p(x[15]);
	z += 0.8 * x[20];
	z -= 0.6 * x[21] * x[22];
	// Scaled so that the signal is clear enough for 50,000 rows to pin it down (oracle AUC about 0.9).
	return -2.2 + 1.5 * z;
}
