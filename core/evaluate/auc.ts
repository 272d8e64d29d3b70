/**
 * Area under the ROC curve: the chance that a random positive row scores above a random
 * negative one, ties counting half (the Mann-Whitney U statistic over midranks).
 */

/**
 * AUC of `scores` against 0/1 `labels`: NaN when the input is empty, holds one class only, or
 * any score is NaN (so a broken score is seen, not averaged away).
 */
export function auc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
	const n = checkSameLength(labels, scores, 'auc');
	let positives = 0;
	for (let i = 0; i < n; i++) {
		if (Number.isNaN(scores[i])) return NaN;
		if (labels[i] === 1) positives++;
	}
	const negatives = n - positives;
	if (positives === 0 || negatives === 0) return NaN;
	const order = sortedOrder(scores);
	// Sum of the positives' midranks (1-based): a tie group of rows i..j-1 shares rank (i + j + 1) / 2.
	let rankSum = 0;
	for (let i = 0; i < n;) {
		let j = i + 1;
		while (j < n && scores[order[j]] === scores[order[i]]) j++;
		const midrank = (i + j + 1) / 2;
		for (let k = i; k < j; k++) if (labels[order[k]] === 1) rankSum += midrank;
		i = j;
	}
	return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Row indices ordered by ascending score (ties by row index, so the order is deterministic; -0
 * ties with 0). A stable radix sort of the scores' bits, as order-keeping unsigned keys: the
 * order a comparator sort gives, in a small fraction of its time (each validation report sorts
 * its scores several times).
 */
export function sortedOrder(scores: ArrayLike<number>): Uint32Array {
	const n = scores.length;
	const { high, low } = orderKeys(scores);
	let order = new Uint32Array(n);
	for (let i = 0; i < n; i++) order[i] = i;
	let spare = new Uint32Array(n);
	const counts = new Uint32Array(1 << RADIX_BITS);
	// 11 + 11 + 10 bits of each half, least significant digit first; each pass is stable, so ties keep the ascending row order.
	const passes: readonly (readonly [Uint32Array, number])[] = [
		[low, 0],
		[low, 11],
		[low, 22],
		[high, 0],
		[high, 11],
		[high, 22],
	];
	for (const [keys, shift] of passes) {
		counts.fill(0);
		for (let i = 0; i < n; i++) counts[(keys[i] >>> shift) & RADIX_MASK]++;
		if (counts[(keys[0] >>> shift) & RADIX_MASK] === n) continue; // every key has this digit: the pass would change nothing
		let start = 0;
		for (let d = 0; d < counts.length; d++) {
			const count = counts[d];
			counts[d] = start;
			start += count;
		}
		for (let k = 0; k < n; k++) {
			const row = order[k];
			spare[counts[(keys[row] >>> shift) & RADIX_MASK]++] = row;
		}
		[order, spare] = [spare, order];
	}
	return order;
}

const RADIX_BITS = 11;
const RADIX_MASK = (1 << RADIX_BITS) - 1;

/** Each score's IEEE-754 bits as an unsigned key that sorts as the numbers do (negatives flipped, positives marked). */
function orderKeys(scores: ArrayLike<number>): { high: Uint32Array; low: Uint32Array } {
	const n = scores.length;
	const high = new Uint32Array(n);
	const low = new Uint32Array(n);
	const value = new Float64Array(1);
	const bits = new Uint32Array(value.buffer);
	const [lowWord, highWord] = littleEndian ? [0, 1] : [1, 0];
	for (let i = 0; i < n; i++) {
		value[0] = scores[i] + 0; // -0 + 0 is 0: the two zeros tie
		const h = bits[highWord];
		const l = bits[lowWord];
		const negative = h >>> 31 === 1;
		high[i] = negative ? ~h : h | 0x80000000;
		low[i] = negative ? ~l : l;
	}
	return { high, low };
}

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** The common length of two arrays, or a RangeError naming the function. */
export function checkSameLength(labels: ArrayLike<number>, values: ArrayLike<number>, what: string): number {
	if (labels.length !== values.length) {
		throw new RangeError(`${what}: ${labels.length} labels but ${values.length} predictions; give one prediction per label.`);
	}
	return labels.length;
}

/**
 * How much better `a` ranks than `b` on the same rows (AUC of a − AUC of b), with the standard
 * error of that difference by DeLong, DeLong and Clarke-Pearson (1988): each row's placement
 * (the share of the other class it outranks) is computed for both scores, and the variance of
 * the difference comes from how the two placements vary together, so two scores that agree on
 * most rows have a small error even when each AUC alone is uncertain. NaN when an AUC is.
 */
export function aucDifference(labels: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>): { difference: number; standardError: number } {
	checkSameLength(labels, a, 'aucDifference');
	checkSameLength(labels, b, 'aucDifference');
	const pa = placements(labels, a);
	const pb = placements(labels, b);
	if (!pa || !pb) return { difference: NaN, standardError: NaN };
	const variance = differenceVariance(pa.positive, pb.positive) / pa.positive.length + differenceVariance(pa.negative, pb.negative) / pa.negative.length;
	return { difference: pa.auc - pb.auc, standardError: Math.sqrt(Math.max(0, variance)) };
}

/**
 * DeLong's placements: per positive row, the share of negatives it outranks (ties half); per
 * negative row, the share of positives that outrank it. Their means are both the AUC.
 */
function placements(labels: ArrayLike<number>, scores: ArrayLike<number>): { auc: number; positive: Float64Array; negative: Float64Array } | undefined {
	const n = labels.length;
	const positiveScores: number[] = [];
	const negativeScores: number[] = [];
	for (let i = 0; i < n; i++) {
		if (Number.isNaN(scores[i])) return undefined;
		(labels[i] === 1 ? positiveScores : negativeScores).push(scores[i]);
	}
	const m = positiveScores.length;
	const k = negativeScores.length;
	if (m === 0 || k === 0) return undefined;
	const all = midranks([...positiveScores, ...negativeScores]);
	const withinPositive = midranks(positiveScores);
	const withinNegative = midranks(negativeScores);
	// A row's midrank among all rows, less its midrank within its class, counts the other class below it (ties half).
	const positive = Float64Array.from(withinPositive, (rank, i) => (all[i] - rank) / k);
	const negative = Float64Array.from(withinNegative, (rank, j) => 1 - (all[m + j] - rank) / m);
	let sum = 0;
	for (const v of positive) sum += v;
	return { auc: sum / m, positive, negative };
}

/** Each value's 1-based rank among the values, ties sharing their mean rank. */
function midranks(values: readonly number[]): Float64Array {
	const order = sortedOrder(values);
	const ranks = new Float64Array(values.length);
	for (let i = 0; i < order.length;) {
		let j = i + 1;
		while (j < order.length && values[order[j]] === values[order[i]]) j++;
		for (let t = i; t < j; t++) ranks[order[t]] = (i + j + 1) / 2;
		i = j;
	}
	return ranks;
}

/** The sample variance (n − 1) of x − y. */
function differenceVariance(x: Float64Array, y: Float64Array): number {
	const n = x.length;
	if (n < 2) return 0;
	let mean = 0;
	for (let i = 0; i < n; i++) mean += x[i] - y[i];
	mean /= n;
	let sum = 0;
	for (let i = 0; i < n; i++) sum += (x[i] - y[i] - mean) ** 2;
	return sum / (n - 1);
}
