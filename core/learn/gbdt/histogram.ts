/**
 * Histograms (hot loop): per node, the gradient and hessian sums per bin of every feature,
 * built block by block from the row words (see binned.ts for the layout).
 */
import { FEATURE_DOUBLES, INT_FIRST_PAIR, INT_LAST_PAIR, JOB_I, JOB_BUFFER, BLOCK_I, BLOCK_JOB, BLOCK_BEGIN, BLOCK_END, BLOCK_SLOT } from './protocol';
import { type SharedState } from './binned';

/**
 * Task (block): the histogram of one block of a job's smaller child, for every feature of the
 * covered row-word pairs, into the block's slot.
 */
export function histogramBlockTask(s: SharedState, block: number): void {
	const bi = block * BLOCK_I;
	const buffer = s.jobsI[s.blocksI[bi + BLOCK_JOB] * JOB_I + JOB_BUFFER];
	const hist = s.slots[s.blocksI[bi + BLOCK_SLOT]];
	const firstPair = s.ints[INT_FIRST_PAIR];
	const lastPair = s.ints[INT_LAST_PAIR];
	for (let f = 8 * firstPair; f < 8 * lastPair; f++) {
		// Only bins a row can fall in: value bins and the missing bin (padding features: bin 0).
		const bins = f < s.features ? s.binCount[f] + 1 : 1;
		hist.fill(0, f * FEATURE_DOUBLES, f * FEATURE_DOUBLES + bins);
	}
	histogramRows(hist, firstPair, lastPair, s.rowWords, s.wordsPerRow, s.order[buffer], s.gh, s.blocksI[bi + BLOCK_BEGIN], s.blocksI[bi + BLOCK_END]);
}

/**
 * Adds the packed gradient pair of the row at each position in [begin, end) to the bins of its
 * features in row-word pairs [firstPair, lastPair), eight features a pass of the inner loop:
 * one add per feature, as the pair is one double (quantise.ts). The masks only tell V8 the
 * ranges (no value changes): with them it proves the address sums cannot overflow and drops
 * a check from each, which made this loop a fifth faster.
 */
function histogramRows(
	hist: Float64Array,
	firstPair: number,
	lastPair: number,
	rowWords: Uint32Array,
	wordsPerRow: number,
	order: Int32Array,
	gh: Float64Array,
	begin: number,
	end: number,
): void {
	for (let i = begin; i < end; i++) {
		const r = order[i];
		const row = r * wordsPerRow;
		const p = gh[r];
		for (let k = firstPair; k < lastPair; k++) {
			const u = rowWords[row + 2 * k];
			const v = rowWords[row + 2 * k + 1];
			// Feature 8k's bins start at 8k * FEATURE_DOUBLES = k << 11; byte j of the pair is feature 8k + j.
			const o = (k & 0xffff) << 11;
			hist[o + (u & 255)] += p;
			hist[o + 256 + ((u >>> 8) & 255)] += p;
			hist[o + 512 + ((u >>> 16) & 255)] += p;
			hist[o + 768 + (u >>> 24)] += p;
			hist[o + 1024 + (v & 255)] += p;
			hist[o + 1280 + ((v >>> 8) & 255)] += p;
			hist[o + 1536 + ((v >>> 16) & 255)] += p;
			hist[o + 1792 + (v >>> 24)] += p;
		}
	}
}
