/**
 * The random forest's factors: it votes, so TreeSHAP runs on its trees' vote share (exact, in
 * probability units) and the contributions are rescaled to log-odds, so that expected +
 * Σ contributions = the forest's raw output. Kept here rather than in the forest, so that
 * learn/ never imports explain/.
 */
import type { ForestModel } from '../learn/forest';
import type { LinearContributions } from '../learn/learner';
import { treeShap } from './treeShap';

/** Per-feature log-odds contributions of one row (`row(f)`, NaN = missing) to the forest's raw output. */
export function forestContributions(forest: ForestModel, row: (feature: number) => number): LinearContributions {
	const contributions = new Float64Array(forest.featureNames.length);
	const expectedShare = treeShap(forest.trees, 0, row, contributions);
	let share = expectedShare;
	for (let f = 0; f < contributions.length; f++) share += contributions[f];
	const raw = forest.rawOfShare(share);
	const expected = forest.rawOfShare(expectedShare);
	// Rescale the vote-share contributions to log-odds: their sum becomes raw − expected exactly.
	const clipped = forest.clipShare(share);
	const scale = Math.abs(share - expectedShare) > 1e-12 ? (raw - expected) / (share - expectedShare) : 1 / (clipped * (1 - clipped));
	for (let f = 0; f < contributions.length; f++) contributions[f] *= scale;
	return { expected, contributions };
}
