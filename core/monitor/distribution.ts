/**
 * Binned distributions and the population stability index (PSI) between two of them: the
 * usual measure of "has this population moved?" in credit scoring and model monitoring.
 * Under 0.1 is read as stable, 0.1–0.25 as a moderate shift, above 0.25 as a large one.
 */
import type { Distribution } from '../model/monitoring';

/** Shares under this are raised to it, so an empty bin on one side does not make PSI infinite. */
export const psiFloor = 1e-4;

/**
 * Cut points at the deciles of the finite values (at most `bins` − 1, repeats removed), so each
 * bin holds about as many reference values; no cut points when there is no finite value. Each
 * cut sits halfway between the decile's value and the next smaller value present: features
 * counted in days are near-whole numbers at training, and scoring at another hour of the day
 * shifts them all by a fraction, which must not read as drift.
 */
export function quantileEdges(values: ArrayLike<number>, bins = 10): number[] {
	const finite: number[] = [];
	for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) finite.push(values[i]);
	if (finite.length === 0) return [];
	finite.sort((a, b) => a - b);
	const edges: number[] = [];
	for (let k = 1; k < bins; k++) {
		const at = Math.min(finite.length - 1, Math.floor((k * finite.length) / bins));
		const value = finite[at];
		// An edge at the minimum would leave bin 0 empty forever.
		if (value === finite[0]) continue;
		const edge = (smallerThan(finite, value, at) + value) / 2;
		if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
	}
	return edges;
}

/** The largest of the sorted values below `value`, which stands at index `at` (not the first). */
function smallerThan(sorted: readonly number[], value: number, at: number): number {
	let lo = 0;
	let hi = at;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (sorted[mid] < value) lo = mid + 1;
		else hi = mid;
	}
	return sorted[lo - 1];
}

/** The bin of a value for these edges (see Distribution); NaN goes to the missing bin. */
export function binOf(value: number, edges: readonly number[]): number {
	if (Number.isNaN(value)) return edges.length + 1;
	let lo = 0;
	let hi = edges.length;
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (value >= edges[mid]) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

/** How many values fall in each bin of these edges (edges + 2 bins, the last for missing values). */
export function binCounts(values: ArrayLike<number>, edges: readonly number[]): number[] {
	const counts = new Array<number>(edges.length + 2).fill(0);
	for (let i = 0; i < values.length; i++) counts[binOf(values[i], edges)]++;
	return counts;
}

/** Counts as shares of their total (all zeros when the total is 0). */
export function sharesOf(counts: readonly number[]): number[] {
	const total = counts.reduce((sum, count) => sum + count, 0);
	return counts.map((count) => (total > 0 ? count / total : 0));
}

/** The reference distribution of values: decile edges and the share in each bin. */
export function distributionOf(values: ArrayLike<number>, bins = 10): Distribution {
	const edges = quantileEdges(values, bins);
	return { edges, shares: sharesOf(binCounts(values, edges)) };
}

/**
 * PSI = Σ (actual − expected) · ln(actual / expected) over the bins, shares floored at psiFloor;
 * null when either side is empty (all shares 0) or the bins differ in number.
 */
export function populationStability(expected: readonly number[], actual: readonly number[]): number | null {
	if (expected.length !== actual.length || expected.length === 0) return null;
	if (!expected.some((s) => s > 0) || !actual.some((s) => s > 0)) return null;
	let psi = 0;
	for (let i = 0; i < expected.length; i++) {
		const e = Math.max(expected[i], psiFloor);
		const a = Math.max(actual[i], psiFloor);
		psi += (a - e) * Math.log(a / e);
	}
	return psi;
}
