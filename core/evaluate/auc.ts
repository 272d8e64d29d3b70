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

/** Row indices ordered by ascending score (ties by row index, so the order is deterministic). */
export function sortedOrder(scores: ArrayLike<number>): Uint32Array {
	const order = new Uint32Array(scores.length);
	for (let i = 0; i < order.length; i++) order[i] = i;
	return order.sort((a, b) => scores[a] - scores[b] || a - b);
}

/** The common length of two arrays, or a RangeError naming the function. */
export function checkSameLength(labels: ArrayLike<number>, values: ArrayLike<number>, what: string): number {
	if (labels.length !== values.length) {
		throw new RangeError(`${what}: ${labels.length} labels but ${values.length} predictions; give one prediction per label.`);
	}
	return labels.length;
}
