/**
 * A seeded holdout split for data without time (profile tables): validation is a random share
 * of the rows, stratified by label so both parts keep the outcome rate. Event data is split by
 * time instead (later cutoffs validate), never this way.
 */
import { InputError } from '../errors';
import { createRng } from '../util/rng';

/**
 * Row indices (ascending) for training and validation: `fraction` of each class's rows
 * (rounded, at least one) go to validation, chosen by a seeded shuffle.
 */
export function holdoutSplit(label: Uint8Array, fraction: number, seed: number): { train: Uint32Array; validation: Uint32Array } {
	if (!(fraction > 0 && fraction < 1)) throw new RangeError(`holdoutSplit: fraction must be between 0 and 1, not ${fraction}.`);
	const rng = createRng(seed).fork(0x5911);
	const train: number[] = [];
	const validation: number[] = [];
	for (const cls of [0, 1]) {
		const rows: number[] = [];
		for (let r = 0; r < label.length; r++) if (label[r] === cls) rows.push(r);
		if (rows.length < 2) {
			throw new InputError(
				`Only ${rows.length} row${rows.length === 1 ? ' has' : 's have'} label ${cls}: a holdout split needs at least 2 of each class, one to train on and one to validate with.`,
				'too-few-rows',
			);
		}
		for (let i = rows.length - 1; i > 0; i--) {
			const j = rng.int(i + 1);
			[rows[i], rows[j]] = [rows[j], rows[i]];
		}
		const held = Math.min(rows.length - 1, Math.max(1, Math.round(rows.length * fraction)));
		for (let i = 0; i < rows.length; i++) (i < held ? validation : train).push(rows[i]);
	}
	return { train: Uint32Array.from(train).sort(), validation: Uint32Array.from(validation).sort() };
}
