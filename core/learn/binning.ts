/**
 * Feature binning for histogram-based boosted trees, as in LightGBM and XGBoost `hist`:
 * each feature's values are cut once, before any tree grows, into at most 255 value bins
 * at quantiles of the training data, plus one bin for missing values (NaN). Trees then only
 * ever see bin numbers, and a split "bins 0..b go left" is the same as the raw-value test
 * `x <= upperBounds[b]`, so training and prediction agree exactly.
 *
 * Layout: a bin's upper bound is the midpoint between the largest training value in it and
 * the smallest value of the next bin (a threshold that reads well, e.g. 0.5 for a 0/1 flag);
 * the last value bin's upper bound is Number.MAX_VALUE, so every finite value has a bin.
 * The binned matrix is one Uint8Array, column-major: `bins[feature * rows + row]`; value bins
 * are 0..k-1 and the missing bin is k, where k = upperBounds.length.
 */
import type { Dataset } from './dataset';
import { createRng } from '../util/rng';

/** The most value bins a feature can have (one more, the missing bin, still fits a byte). */
export const MAX_VALUE_BINS = 255;

/** Above this many rows, bin edges are found from a seeded sample of this size (LightGBM's default). */
export const EDGE_SAMPLE_ROWS = 200_000;

/** The upper bound of the last value bin: every finite value is <= it. */
export const LAST_UPPER_BOUND = Number.MAX_VALUE;

export interface BinnedMatrix {
	readonly rows: number;
	readonly features: number;
	/** Per feature, the ascending upper bound of each value bin; its length k is also the missing bin. */
	readonly upperBounds: readonly Float64Array[];
	/** Column-major bin numbers: `bins[feature * rows + row]`. */
	readonly bins: Uint8Array;
	/** Per feature, how many rows were missing (NaN). */
	readonly missingCounts: Int32Array;
}

/** A float32's bits as an unsigned key that orders as the float does: a negative's bits all flipped, a positive's sign bit set. */
export function orderKey(bits: number): number {
	return (bits & 0x80000000 ? ~bits : bits | 0x80000000) >>> 0;
}

/** The float32 bits of an order key (orderKey's inverse). */
export function bitsOfOrderKey(key: number): number {
	return (key & 0x80000000 ? key & 0x7fffffff : ~key) >>> 0;
}

let keyBucketFloors: Float32Array | undefined;

/**
 * The smallest float of each of the 65,536 buckets of order keys by their top 16 bits (NaN
 * for buckets of NaN bit patterns), for tables that find a value's bin from its bucket.
 */
export function smallestOfKeyBuckets(): Float32Array {
	if (!keyBucketFloors) {
		const bits = new Uint32Array(65536);
		for (let bucket = 0; bucket < 65536; bucket++) bits[bucket] = bitsOfOrderKey(bucket << 16);
		keyBucketFloors = new Float32Array(bits.buffer);
	}
	return keyBucketFloors;
}

/** The missing-value bin of a feature with these upper bounds. */
export function missingBin(upperBounds: Float64Array): number {
	return upperBounds.length;
}

/** The bin of one value: the first bin whose upper bound is >= value, or the missing bin for NaN. */
export function binOf(value: number, upperBounds: Float64Array): number {
	if (Number.isNaN(value)) return upperBounds.length;
	let low = 0;
	let high = upperBounds.length - 1;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (value <= upperBounds[mid]) high = mid;
		else low = mid + 1;
	}
	return low;
}

/**
 * Upper bounds of at most `maxBins` value bins for the non-missing values of `values`,
 * (NaNs are ignored; an all-NaN column gets no value bins). With no more distinct values
 * than bins, each distinct value gets its own bin; otherwise bins hold about equal numbers
 * of values, and a value is never split across two bins (ties stay together).
 */
export function findBinEdges(values: Float32Array, maxBins: number): Float64Array {
	const sorted = sortedFiniteValues(values);
	const total = sorted.length;
	if (total === 0) return new Float64Array(0);
	const { distinct, counts } = distinctValues(sorted);
	const bounds: number[] = [];
	if (distinct.length <= maxBins) {
		for (let j = 0; j + 1 < distinct.length; j++) bounds.push(between(distinct[j], distinct[j + 1]));
	} else {
		let remaining = total;
		let binsLeft = maxBins;
		let inBin = 0;
		for (let j = 0; j + 1 < distinct.length && binsLeft > 1; j++) {
			inBin += counts[j];
			const target = remaining / binsLeft;
			// Close the bin here when that lands nearer the target size than taking the next value too.
			if (inBin >= target || inBin + counts[j + 1] - target > target - inBin) {
				bounds.push(between(distinct[j], distinct[j + 1]));
				remaining -= inBin;
				binsLeft--;
				inBin = 0;
			}
		}
	}
	bounds.push(LAST_UPPER_BOUND);
	return Float64Array.from(bounds);
}

/** A threshold strictly between two ascending values that keeps `low` below or at it. */
function between(low: number, high: number): number {
	const mid = low + (high - low) / 2;
	return mid > low && mid < high && Number.isFinite(mid) ? mid : low;
}

/** The distinct values of an ascending array and how often each occurs. */
function distinctValues(sorted: Float32Array): { distinct: Float64Array; counts: Int32Array } {
	let unique = 0;
	for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) unique++;
	const distinct = new Float64Array(unique);
	const counts = new Int32Array(unique);
	let j = -1;
	for (let i = 0; i < sorted.length; i++) {
		if (i === 0 || sorted[i] !== sorted[i - 1]) distinct[++j] = sorted[i];
		counts[j]++;
	}
	return { distinct, counts };
}

/**
 * The non-NaN values, ascending, by a radix sort over the float bits (up to four 8-bit passes):
 * much faster than TypedArray.prototype.sort, which dominated binning time.
 */
export function sortedFiniteValues(values: Float32Array): Float32Array {
	// The float bits, read in place, as order keys; NaNs (exponent all ones, fraction not 0) are left out.
	const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
	let count = 0;
	for (let i = 0; i < bits.length; i++) if ((bits[i] & 0x7fffffff) <= 0x7f800000) count++;
	let from = new Uint32Array(count);
	let k = 0;
	for (let i = 0; i < bits.length; i++) {
		const b = bits[i] === 0x80000000 ? 0 : bits[i]; // -0 and 0 are the same value
		if ((b & 0x7fffffff) > 0x7f800000) continue;
		from[k++] = orderKey(b);
	}
	// One counting pass for all four bytes; a byte every key shares needs no pass.
	const histogram = new Int32Array(4 * 256);
	for (let i = 0; i < count; i++) {
		const key = from[i];
		histogram[key & 255]++;
		histogram[256 + ((key >>> 8) & 255)]++;
		histogram[512 + ((key >>> 16) & 255)]++;
		histogram[768 + (key >>> 24)]++;
	}
	let to = new Uint32Array(count);
	for (let pass = 0; pass < 4; pass++) {
		const at = pass * 256;
		const shift = pass * 8;
		let sum = 0;
		let shared = false;
		for (let d = 0; d < 256; d++) {
			const c = histogram[at + d];
			if (c === count) shared = true;
			histogram[at + d] = sum;
			sum += c;
		}
		if (shared) continue;
		for (let i = 0; i < count; i++) {
			const key = from[i];
			to[histogram[at + ((key >>> shift) & 255)]++] = key;
		}
		const swap = from;
		from = to;
		to = swap;
	}
	// Back to float bits, in place.
	for (let i = 0; i < count; i++) from[i] = bitsOfOrderKey(from[i]);
	return new Float32Array(from.buffer, 0, count);
}

/**
 * Writes the bin of each value of `column` into `out[offset + row]` and returns how many were
 * missing; the search is a fixed ladder of halvings over the bounds padded to 256, so it has
 * no data-dependent loop length.
 */
export function binColumn(column: Float32Array, upperBounds: Float64Array, out: Uint8Array, offset: number): number {
	const k = upperBounds.length;
	let missing = 0;
	if (k <= 1) {
		// One value bin (a constant column) or none (all missing): only NaN decides.
		for (let r = 0; r < column.length; r++) {
			const isMissing = column[r] !== column[r];
			out[offset + r] = isMissing ? k : 0;
			if (isMissing) missing++;
		}
		return missing;
	}
	if (column.length >= TABLE_MIN_ROWS) return binColumnByTable(column, upperBounds, out, offset);
	const padded = new Float64Array(256).fill(Infinity);
	padded.set(upperBounds);
	for (let r = 0; r < column.length; r++) {
		const x = column[r];
		if (x !== x) {
			out[offset + r] = k;
			missing++;
			continue;
		}
		// Find the first bound >= x: count the bounds strictly below x.
		let i = 0;
		if (padded[i + 127] < x) i += 128;
		if (padded[i + 63] < x) i += 64;
		if (padded[i + 31] < x) i += 32;
		if (padded[i + 15] < x) i += 16;
		if (padded[i + 7] < x) i += 8;
		if (padded[i + 3] < x) i += 4;
		if (padded[i + 1] < x) i += 2;
		if (padded[i] < x) i += 1;
		out[offset + r] = i;
	}
	return missing;
}

/** Columns at least this long are binned through a lookup table on the float bits. */
const TABLE_MIN_ROWS = 50_000;

/**
 * binColumn for long columns: a table indexed by the top 16 bits of each value's order-keeping
 * float key gives the bin of the smallest value with those bits, so a value needs one lookup
 * and, rarely, a step or two up. The search ladder mispredicts a branch at nearly every rung.
 */
function binColumnByTable(column: Float32Array, upperBounds: Float64Array, out: Uint8Array, offset: number): number {
	const k = upperBounds.length;
	const first = new Uint8Array(65536);
	const floors = smallestOfKeyBuckets();
	// Buckets go up in value, so one sweep along the bounds finds each bucket's first bin.
	let bin = 0;
	for (let bucket = 0; bucket < 65536; bucket++) {
		const smallest = floors[bucket];
		// Buckets of NaN bit patterns are never looked up; they keep the running bin.
		if (smallest === smallest) while (bin < k - 1 && upperBounds[bin] < smallest) bin++;
		first[bucket] = bin;
	}
	const bits = new Uint32Array(column.buffer, column.byteOffset, column.length);
	let missing = 0;
	for (let r = 0; r < column.length; r++) {
		const x = column[r];
		if (x !== x) {
			out[offset + r] = k;
			missing++;
			continue;
		}
		let i = first[orderKey(bits[r]) >>> 16];
		while (x > upperBounds[i]) i++;
		out[offset + r] = i;
	}
	return missing;
}

/**
 * The rows whose values decide the bin edges: all of them up to EDGE_SAMPLE_ROWS, else a
 * seeded sample of about that many, ascending. Undefined means every row.
 */
export function edgeSampleRows(rows: number, seed: number, sampleSize = EDGE_SAMPLE_ROWS): Int32Array | undefined {
	if (rows <= sampleSize) return undefined;
	const rng = createRng(seed);
	const keep = sampleSize / rows;
	const picked = new Int32Array(rows);
	let count = 0;
	for (let r = 0; r < rows; r++) if (rng.next() < keep) picked[count++] = r;
	return picked.slice(0, count);
}

/** The values of `column` at `rows` (or the column itself when rows is undefined). */
export function sampleValues(column: Float32Array, rows: Int32Array | undefined): Float32Array {
	if (!rows) return column;
	const out = new Float32Array(rows.length);
	for (let i = 0; i < rows.length; i++) out[i] = column[rows[i]];
	return out;
}

/** Bin edges and the binned matrix of a dataset, on the calling thread. */
export function binDataset(data: Dataset, maxBins = MAX_VALUE_BINS, seed = 0): BinnedMatrix {
	if (!Number.isInteger(maxBins) || maxBins < 1 || maxBins > MAX_VALUE_BINS) {
		throw new RangeError(`maxBins must be an integer from 1 to ${MAX_VALUE_BINS}, got ${maxBins}`);
	}
	const rows = data.rows;
	const sample = edgeSampleRows(rows, seed);
	const bins = new Uint8Array(rows * data.columns.length);
	const missingCounts = new Int32Array(data.columns.length);
	const upperBounds = data.columns.map((column, f) => {
		const bounds = findBinEdges(sampleValues(column, sample), maxBins);
		missingCounts[f] = binColumn(column, bounds, bins, f * rows);
		return bounds;
	});
	return { rows, features: data.columns.length, upperBounds, bins, missingCounts };
}
