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
	const parts: Uint32Array[] = [];
	for (const cls of [0, 1]) {
		let count = 0;
		for (let r = 0; r < label.length; r++) if (label[r] === cls) count++;
		if (count < 2) {
			throw new InputError(
				`Only ${count} row${count === 1 ? ' has' : 's have'} label ${cls}: a holdout split needs at least 2 of each class, one to train on and one to validate with.`,
				'too-few-rows',
			);
		}
		const rows = new Uint32Array(count);
		for (let r = 0, k = 0; r < label.length; r++) if (label[r] === cls) rows[k++] = r;
		for (let i = count - 1; i > 0; i--) {
			const j = rng.int(i + 1);
			const swap = rows[i];
			rows[i] = rows[j];
			rows[j] = swap;
		}
		const held = Math.min(count - 1, Math.max(1, Math.round(count * fraction)));
		parts.push(rows.subarray(0, held), rows.subarray(held));
	}
	const [validation0, train0, validation1, train1] = parts;
	return { train: joined(train0, train1).sort(), validation: joined(validation0, validation1).sort() };
}

function joined(a: Uint32Array, b: Uint32Array): Uint32Array {
	const both = new Uint32Array(a.length + b.length);
	both.set(a);
	both.set(b, a.length);
	return both;
}
