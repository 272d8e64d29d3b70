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
	const acc = Array.from({ length: groups }, () => ({ positives: 0, scoreSum: 0, min: Infinity, max: -Infinity }));
	const ascending = sortedOrder(scores);
	// Each tie group from the highest score down: its first position in that ranking, its size and its outcomes (whole counts).
	const ties: { start: number; size: number; positives: number }[] = [];
	let totalPositives = 0;
	for (let end = n, start = 0; end > 0;) {
		let begin = end - 1;
		const score = scores[ascending[begin]];
		while (begin > 0 && scores[ascending[begin - 1]] === score) begin--;
		let tiePositives = 0;
		for (let k = begin; k < end; k++) if (labels[ascending[k]] === 1) tiePositives++;
		totalPositives += tiePositives;
		const size = end - begin;
		const stop = start + size;
		ties.push({ start, size, positives: tiePositives });
		for (let d = Math.floor((start * groups) / n); d < groups && (d * n) / groups < stop; d++) {
			const overlap = Math.min(stop, ((d + 1) * n) / groups) - Math.max(start, (d * n) / groups);
			if (overlap <= 0) continue;
			const g = acc[d];
			g.positives += (overlap * tiePositives) / size;
			g.scoreSum += overlap * score;
			g.min = Math.min(g.min, score);
			g.max = Math.max(g.max, score);
		}
		start = stop;
		end = begin;
	}
	// Outcomes above each cut: whole tie groups counted as integers, only the straddling group shared, so the
	// last cut holds exactly every outcome and running sums never drift past 1 (a gain of 1.0000000000000002).
	const above = new Array<number>(groups + 1).fill(0);
	for (let d = 1, t = 0, whole = 0; d <= groups; d++) {
		const cut = d === groups ? n : (d * n) / groups;
		while (t < ties.length && ties[t].start + ties[t].size <= cut) whole += ties[t++].positives;
		above[d] = t < ties.length && cut > ties[t].start ? whole + ((cut - ties[t].start) * ties[t].positives) / ties[t].size : whole;
	}
	const overallRate = totalPositives / n;
	return acc.map((g, d) => {
		const from = (d * n) / groups;
		const to = d + 1 === groups ? n : ((d + 1) * n) / groups;
		const rows = to - from;
		const positives = clamp(g.positives, 0, rows);
		const rate = clamp(positives / rows, 0, 1);
		return {
			decile: d + 1,
			rows,
			positives,
			rate,
			lift: rate / overallRate,
			meanScore: g.scoreSum / rows,
			minScore: g.min,
			maxScore: g.max,
			cumulativeGain: clamp(above[d + 1] / totalPositives, 0, 1),
			cumulativeLift: above[d + 1] / to / overallRate,
		};
	});
}

function clamp(value: number, low: number, high: number): number {
	return value < low ? low : value > high ? high : value;
}
