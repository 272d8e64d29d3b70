/**
 * "Did you mean …?" for names a user typed: fields, event types, operators, keys.
 */

/** The candidate closest to `word` when it looks like a typo of it, else undefined. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
	const target = normalise(word);
	let best: string | undefined;
	let bestDistance = Infinity;
	for (const candidate of candidates) {
		if (candidate === word) return undefined;
		const other = normalise(candidate);
		// Same letters once case and separators are ignored: `Purchase`, `add-to-cart`.
		if (other === target) return candidate;
		const distance = editDistance(target, other);
		if (distance < bestDistance) {
			bestDistance = distance;
			best = candidate;
		}
	}
	const allowed = Math.max(1, Math.floor(target.length / 3));
	return bestDistance <= allowed ? best : undefined;
}

/** ` (did you mean "x"?)` or an empty string. */
export function didYouMean(word: string, candidates: Iterable<string>): string {
	const guess = closest(word, candidates);
	return guess === undefined ? '' : ` (did you mean "${guess}"?)`;
}

/** Up to `max` quoted names, then "and N more". */
export function listNames(names: readonly string[], max = 30): string {
	const shown = names.slice(0, max).map((name) => `"${name}"`);
	const more = names.length > max ? `, and ${names.length - max} more` : '';
	return `${shown.join(', ')}${more}`;
}

function normalise(text: string): string {
	return text.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Edits (insert, delete, replace, swap two neighbours) that turn `a` into `b`. */
function editDistance(a: string, b: string): number {
	const width = b.length + 1;
	const d = new Uint32Array((a.length + 1) * width);
	for (let j = 0; j <= b.length; j++) d[j] = j;
	for (let i = 1; i <= a.length; i++) {
		d[i * width] = i;
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			let best = Math.min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[(i - 2) * width + j - 2] + 1);
			d[i * width + j] = best;
		}
	}
	return d[a.length * width + b.length];
}
