/**
 * Lift and cumulative gains by decile: rows ranked from the highest score down and cut into
 * ten equal groups. Rows with equal scores cannot be ranked against each other, so a tie group
 * that straddles a cut is shared between the groups in proportion, its outcomes spread evenly:
 * the result never depends on the order of the rows, and group sizes may be fractional.
 */
import { checkSameLength, sortedOrder } from './auc';

export interface Decile {
	/** 1 = the rows with the highest scores. */
	readonly decile: number;
	/** Rows in the group (n / groups, fractional when n is not a multiple). */
	readonly rows: number;
	/** Outcomes (label 1) in the group; fractional when a tie group was shared. */
	readonly positives: number;
	/** Share of the group's rows with the outcome. */
	readonly rate: number;
	/** rate / the overall base rate: 2 means twice as likely as an average row. */
	readonly lift: number;
	readonly meanScore: number;
	readonly minScore: number;
	readonly maxScore: number;
	/** Share of all outcomes found in this group and the ones above it (cumulative gains). */
	readonly cumulativeGain: number;
	/** Outcome rate of this group and the ones above it, over the base rate. */
	readonly cumulativeLift: number;
}

/**
 * The `groups` groups (default 10) of rows by descending score with their outcome rates, lift and
 * cumulative gains; [] for empty input. Throws RangeError for a NaN score (naming the row).
 */
export function deciles(labels: ArrayLike<number>, scores: ArrayLike<number>, groups = 10): Decile[] {
	const n = checkSameLength(labels, scores, 'deciles');
	if (n === 0) return [];
	for (let i = 0; i < n; i++) if (Number.isNaN(scores[i])) throw new RangeError(`deciles: the score of row ${i + 1} is NaN; every row needs a score.`);
	const acc = Array.from({ length: groups }, () => ({ rows: 0, positives: 0, scoreSum: 0, min: Infinity, max: -Infinity }));
	const ascending = sortedOrder(scores);
	let totalPositives = 0;
	// Walk tie groups from the highest score down; `start` is the group's first position in that ranking.
	for (let end = n, start = 0; end > 0; ) {
		let begin = end - 1;
		const score = scores[ascending[begin]];
		while (begin > 0 && scores[ascending[begin - 1]] === score) begin--;
		let tiePositives = 0;
		for (let k = begin; k < end; k++) if (labels[ascending[k]] === 1) tiePositives++;
		totalPositives += tiePositives;
		const size = end - begin;
		const stop = start + size;
		for (let d = Math.floor((start * groups) / n); d < groups && (d * n) / groups < stop; d++) {
			const overlap = Math.min(stop, ((d + 1) * n) / groups) - Math.max(start, (d * n) / groups);
			if (overlap <= 0) continue;
			const g = acc[d];
			g.rows += overlap;
			g.positives += (overlap * tiePositives) / size;
			g.scoreSum += overlap * score;
			g.min = Math.min(g.min, score);
			g.max = Math.max(g.max, score);
		}
		start = stop;
		end = begin;
	}
	const overallRate = totalPositives / n;
	let cumulativeRows = 0;
	let cumulativePositives = 0;
	return acc.map((g, d) => {
		cumulativeRows += g.rows;
		cumulativePositives += g.positives;
		// Ties are shared between deciles in fractions, whose float sums can pass 1 by an ulp: shares stay in [0, 1].
		const rate = Math.min(1, g.positives / g.rows);
		return {
			decile: d + 1,
			rows: g.rows,
			positives: g.positives,
			rate,
			lift: rate / overallRate,
			meanScore: g.scoreSum / g.rows,
			minScore: g.min,
			maxScore: g.max,
			cumulativeGain: Math.min(1, cumulativePositives / totalPositives),
			cumulativeLift: cumulativePositives / cumulativeRows / overallRate,
		};
	});
}
