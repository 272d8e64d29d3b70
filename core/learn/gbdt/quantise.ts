/**
 * Quantised gradients, as in LightGBM's quantised training (Shi et al., 2022): before each tree
 * every row's gradient and hessian are rounded to whole multiples of a step, stochastically
 * (up with the probability of the remainder, so the sums stay unbiased) by a hash of the row
 * and the tree's seed (so no thread count or row order changes a bit), and packed into one
 * float64 as `g * pack + h` (h in [0, pack)). Histograms then add one double per feature of
 * a row instead of two: half the memory traffic of the hot loop. The sums are whole numbers
 * below 2^53, so they are exact: blocks add and parents subtract without rounding.
 *
 * The steps follow from the row count n < 2^L: a bin's hessian sum stays below
 * pack = 2^(L + hessianBits), and its packed value below 2^(2L + gradientBits + hessianBits)
 * <= 2^52. So 100,000 rows get 511 levels each side of zero, 1,000,000 rows 63, and the
 * largest training set, 2^25 - 1 rows, one.
 */
import { FLOAT_GRADIENT_STEP, FLOAT_HESSIAN_STEP, FLOAT_PACK, INT_TREE_SEED } from './protocol';

/** Most rows boosting trains on: the packed sums of more could exceed 2^53. */
export const MAX_TRAINING_ROWS = 2 ** 25 - 1;

/** Throws a RangeError when the packed sums of `rows` rows could exceed 2^53. */
export function assertTrainableRows(rows: number): void {
	if (rows > MAX_TRAINING_ROWS) throw new RangeError(`boosted trees train on at most ${MAX_TRAINING_ROWS} rows, got ${rows}: train on a sample of them`);
}

/** More levels than this add nothing: the rounding's random numbers have 16 bits. */
const MAX_LEVEL_BITS = 16;

export interface Quantisation {
	/** A gradient unit: gradients are whole multiples of it, at most `gradientLevels` of them either side of 0. */
	readonly gradientStep: number;
	readonly gradientLevels: number;
	/** A hessian unit: hessians are 0 to `hessianLevels` of them. */
	readonly hessianStep: number;
	readonly hessianLevels: number;
	/** The packed pair is gradient * pack + hessian, in units. */
	readonly pack: number;
}

/**
 * The quantisation for `rows` training rows whose weights are at most `maxWeight`: a
 * logistic-loss gradient (p - y) w lies in [-w, w] and its hessian p (1 - p) w in [0, w / 4].
 */
export function quantisationFor(rows: number, maxWeight: number): Quantisation {
	assertTrainableRows(rows);
	let rowBits = 1;
	while (2 ** rowBits <= rows) rowBits++;
	const budget = 52 - 2 * rowBits;
	const gradientBits = Math.min(MAX_LEVEL_BITS, Math.ceil(budget / 2));
	const hessianBits = Math.min(MAX_LEVEL_BITS, Math.floor(budget / 2));
	const gradientLevels = 2 ** gradientBits - 1;
	const hessianLevels = 2 ** hessianBits - 1;
	return {
		gradientStep: maxWeight / gradientLevels,
		gradientLevels,
		hessianStep: maxWeight / 4 / hessianLevels,
		hessianLevels,
		pack: 2 ** (rowBits + hessianBits),
	};
}

/** Writes the quantisation's steps for every thread. */
export function writeQuantisation(floats: Float64Array, q: Quantisation): void {
	floats[FLOAT_GRADIENT_STEP] = q.gradientStep;
	floats[FLOAT_HESSIAN_STEP] = q.hessianStep;
	floats[FLOAT_PACK] = q.pack;
}

/** Sets the seed of this tree's rounding. */
export function writeTreeSeed(ints: Int32Array, seed: number): void {
	ints[INT_TREE_SEED] = seed;
}

/** A hash of the row and the tree's seed (murmur3's finaliser): two 16-bit uniform numbers for the rounding. */
export function roundingBits(row: number, seed: number): number {
	let x = Math.imul(row ^ seed, 0x9e3779b1);
	x ^= x >>> 16;
	x = Math.imul(x, 0x85ebca6b);
	x ^= x >>> 13;
	x = Math.imul(x, 0xc2b2ae35);
	return (x ^ (x >>> 16)) >>> 0;
}

/** The gradient units of a packed sum (its hessian units are `packed - gradient * pack`). */
export function gradientUnits(packed: number, pack: number): number {
	return Math.floor(packed / pack);
}
