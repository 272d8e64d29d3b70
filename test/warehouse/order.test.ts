import assert from 'node:assert/strict';
import { compareStrings } from '../../core/events/table';
import { ArrivedRows } from '../../core/warehouse/examples';
import { placesByCutoffThenRank, rankIds } from '../../core/warehouse/order';
import { type Rng, createRng } from '../../core/util/rng';

/** Each row's place as a stable comparator sort gives it (what the warehouse path did before the counting passes). */
function sortedPlaces(rank: Uint32Array, cutoff: Uint16Array): number[] {
	const order = Array.from(rank, (_, r) => r).sort((a, b) => cutoff[a] - cutoff[b] || rank[a] - rank[b]);
	const place = new Array<number>(order.length);
	order.forEach((r, i) => (place[r] = i));
	return place;
}

function randomRows(rng: Rng, rows: number, profiles: number, cutoffs: number): { rank: Uint32Array; cutoff: Uint16Array } {
	return {
		rank: Uint32Array.from({ length: rows }, () => Math.floor(rng.next() * profiles)),
		cutoff: Uint16Array.from({ length: rows }, () => Math.floor(rng.next() * cutoffs)),
	};
}

describe('the order of the warehouse examples (core/warehouse/order.ts)', () => {
	it('ranks ids by UTF-16 code units, not by locale or by code point', () => {
		// ClickHouse compares UTF-8 bytes (code points): U+1F600 after U+FFFF; code units put its surrogates first.
		const ids = ['b', 'a', 'B', 'é', 'z', '\u{1F600}', '\uFFFF', '10', '9', 'a~1', 'a~10', 'a~2', ''];
		const numberOf = new Map(ids.map((id, i) => [id, i]));
		const { sorted, rank } = rankIds(ids, numberOf);
		assert.deepEqual(sorted, ['', '10', '9', 'B', 'a', 'a~1', 'a~10', 'a~2', 'b', 'z', 'é', '\u{1F600}', '\uFFFF']);
		assert.deepEqual(sorted, [...ids].sort(compareStrings));
		assert.notDeepEqual(
			sorted,
			[...ids].sort((x, y) => x.localeCompare(y)),
		);
		ids.forEach((id, i) => assert.equal(sorted[rank[i]], id));
	});

	it('refuses an id the lookup does not know, rather than rank it 0', () => {
		assert.throws(() => rankIds(['a', 'b'], new Map([['a', 0]])), /The profile id "b" has no number/);
	});

	for (const [name, rows, profiles, cutoffs] of [
		['one cutoff', 5_000, 5_000, 1],
		['many cutoffs', 20_000, 700, 300],
		['ties (a profile twice at one cutoff: kept in arrival order)', 10_000, 50, 3],
		['no rows', 0, 0, 4],
	] as const) {
		it(`places rows by cutoff, then profile rank, then arrival, as a stable comparator sort does: ${name}`, () => {
			const { rank, cutoff } = randomRows(createRng(rows + cutoffs), rows, profiles, cutoffs);
			assert.deepEqual(Array.from(placesByCutoffThenRank(rank, profiles, cutoff, cutoffs)), sortedPlaces(rank, cutoff));
		});
	}

	it('refuses a rank or cutoff beyond the counts it was given, and columns of different lengths', () => {
		assert.throws(() => placesByCutoffThenRank(Uint32Array.of(0, 3), 3, Uint16Array.of(0, 0), 1), /Row 1's key 3 is not below 3/);
		assert.throws(() => placesByCutoffThenRank(Uint32Array.of(0, 1), 3, Uint16Array.of(0, 2), 2), /Row 1's key 2 is not below 2/);
		assert.throws(() => placesByCutoffThenRank(Uint32Array.of(0, 1), 3, Uint16Array.of(0), 2), /2 ranks for 1 cutoffs/);
	});

	for (const [name, expectedRows] of [
		['growing its buffers twice', undefined],
		['in buffers sized for them', 150_000],
	] as const) {
		it(`lays the arrived rows out by cutoff and profile id, each value with its row: ${name}`, () => {
			const rng = createRng(7);
			const ids = Array.from({ length: 40_000 }, (_, i) => (i % 3 === 0 ? `é${i}` : i % 3 === 1 ? `\u{1F600}${i}` : `C${i}`));
			const cutoffs = 4;
			const features = 3;
			const arrived = new ArrivedRows(features, expectedRows);
			const seen = new Set<string>();
			const expected: { cutoff: number; id: string; label: number; values: number[] }[] = [];
			// 150,000 rows: more than two blocks of 65,536; each (profile, cutoff) pair once, in a random order.
			while (expected.length < 150_000) {
				const id = ids[Math.floor(rng.next() * ids.length)];
				const k = Math.floor(rng.next() * cutoffs);
				if (seen.has(`${k} ${id}`)) continue;
				seen.add(`${k} ${id}`);
				const row = { cutoff: k, id, label: rng.next() < 0.1 ? 1 : 0, values: [expected.length, Math.fround(rng.next()), -expected.length] };
				expected.push(row);
				arrived.add(k, id, row.label, Float32Array.from(row.values));
			}
			expected.sort((a, b) => a.cutoff - b.cutoff || compareStrings(a.id, b.id));
			const { profileIds, rank, cutoff } = arrived.ranked();
			const place = placesByCutoffThenRank(rank, profileIds.length, cutoff, cutoffs);
			// Each column is written into the buffer the one before arrived in: all are checked once all are made.
			const columns = Array.from({ length: features }, (_, f) => arrived.column(f, place));
			const labels = arrived.labelsAt(place);
			assert.deepEqual(profileIds, [...new Set(expected.map((row) => row.id))].sort(compareStrings));
			const order = new Uint32Array(place.length);
			place.forEach((at, r) => (order[at] = r));
			for (const column of columns) assert.equal(column.length, expected.length);
			expected.forEach((row, r) => {
				const at = order[r];
				assert.equal(profileIds[rank[at]], row.id, `row ${r}'s profile`);
				assert.equal(cutoff[at], row.cutoff, `row ${r}'s cutoff`);
				assert.equal(labels[r], row.label, `row ${r}'s label`);
				columns.forEach((column, f) => assert.equal(column[r], row.values[f], `row ${r}'s value ${f}`));
			});
		});
	}
});
