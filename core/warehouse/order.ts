/**
 * The order the warehouse's example rows are laid out in once they have all arrived: grouped by
 * cutoff, profiles ascending within each (code-unit order, as an in-memory table sorts its ids),
 * which is buildExamples's layout. The rows arrive in the warehouse's own order, and its order
 * of text cannot stand in: ClickHouse compares UTF-8 bytes and PostgreSQL its collation, while
 * JavaScript compares UTF-16 code units (a character above U+FFFF sorts before U+FFFF there).
 */

/**
 * Each id's rank among `ids` ascending by code units, and the ids in that order. `numberOf`
 * gives an id's index in `ids` (each id is there once).
 */
export function rankIds(ids: readonly string[], numberOf: ReadonlyMap<string, number>): { sorted: string[]; rank: Uint32Array } {
	// The default sort compares strings by code units, as compareStrings does, without calling back into JavaScript.
	const sorted = ids.slice().sort();
	const rank = new Uint32Array(ids.length);
	for (let r = 0; r < sorted.length; r++) {
		const number = numberOf.get(sorted[r]);
		if (number === undefined) throw new RangeError(`The profile id ${JSON.stringify(sorted[r])} has no number.`);
		rank[number] = r;
	}
	return { sorted, rank };
}

/**
 * Each row's place in the order by cutoff, then profile rank, then arrival: the order a stable
 * comparator sort on (cutoff, rank) gives, made by two stable counting passes (by rank, then by
 * cutoff) in O(rows + profiles + cutoffs) instead of O(rows log rows) calls to a comparator.
 * `rank[r]` is row r's profile rank (below `profiles`), `cutoff[r]` its cutoff (below `cutoffs`).
 * Places rather than an order, so the rows' values can be moved in the order they arrived in:
 * writing to scattered places costs about half what reading from them does.
 */
export function placesByCutoffThenRank(rank: Uint32Array, profiles: number, cutoff: Uint16Array, cutoffs: number): Uint32Array {
	if (rank.length !== cutoff.length) throw new RangeError(`${rank.length} ranks for ${cutoff.length} cutoffs: one of each a row.`);
	const byRank = new Uint32Array(rank.length);
	const nextByRank = starts(rank, profiles);
	for (let r = 0; r < rank.length; r++) byRank[nextByRank[rank[r]]++] = r;
	const place = new Uint32Array(rank.length);
	const nextByCutoff = starts(cutoff, cutoffs);
	for (const r of byRank) place[r] = nextByCutoff[cutoff[r]]++;
	return place;
}

/** Where each key's rows start when the rows are grouped by key (each key below `keys`). */
function starts(key: Uint32Array | Uint16Array, keys: number): Uint32Array {
	const next = new Uint32Array(keys + 1);
	for (let r = 0; r < key.length; r++) {
		const k = key[r];
		if (k >= keys) throw new RangeError(`Row ${r}'s key ${k} is not below ${keys}.`);
		next[k + 1]++;
	}
	for (let k = 1; k < keys; k++) next[k] += next[k - 1];
	return next;
}
