import assert from 'node:assert/strict';
import {
	binColumn,
	binDataset,
	binOf,
	edgeSampleRows,
	findBinEdges,
	LAST_UPPER_BOUND,
	MAX_VALUE_BINS,
	missingBin,
	sortedFiniteValues,
} from '../../core/learn/binning';
import { createRng } from '../../core/util/rng';

/** Bins of a column, as training writes them. */
function binsOf(values: number[], upperBounds: Float64Array): number[] {
	const out = new Uint8Array(values.length);
	binColumn(Float32Array.from(values), upperBounds, out, 0);
	return Array.from(out);
}

describe('feature binning', () => {
	it('gives a constant column one value bin, so no split can be made on it', () => {
		const bounds = findBinEdges(new Float32Array(100).fill(7), 255);
		assert.deepEqual(Array.from(bounds), [LAST_UPPER_BOUND]);
		assert.deepEqual(binsOf([7, 7, NaN], bounds), [0, 0, 1]);
	});

	it('gives an all-missing column no value bins, only the missing bin', () => {
		const bounds = findBinEdges(new Float32Array(10).fill(NaN), 255);
		assert.equal(bounds.length, 0);
		assert.equal(missingBin(bounds), 0);
		assert.deepEqual(binsOf([NaN, NaN], bounds), [0, 0]);
	});

	it('gives each distinct value its own bin when there are fewer values than bins, with midpoints as thresholds', () => {
		const bounds = findBinEdges(Float32Array.from([3, 1, 2, 2, 1, 3, NaN]), 255);
		assert.deepEqual(Array.from(bounds), [1.5, 2.5, LAST_UPPER_BOUND]);
		assert.deepEqual(binsOf([1, 2, 3, NaN, 0.2, 2.6, 1e30], bounds), [0, 1, 2, 3, 0, 2, 2]);
	});

	it('reads a 0/1 flag as the threshold 0.5', () => {
		assert.deepEqual(Array.from(findBinEdges(Float32Array.from([0, 1, 1, 0, 0]), 255)), [0.5, LAST_UPPER_BOUND]);
	});

	it('never puts tied values in different bins, even when one value holds most rows', () => {
		const values = new Float32Array(10_000);
		const rng = createRng(3);
		for (let i = 0; i < values.length; i++) values[i] = i < 6000 ? 0 : Math.floor(rng.next() * 1000);
		const bounds = findBinEdges(values, 32);
		assert.ok(bounds.length <= 32);
		const bins = new Uint8Array(values.length);
		binColumn(values, bounds, bins, 0);
		const binOfValue = new Map<number, number>();
		for (let i = 0; i < values.length; i++) {
			const seen = binOfValue.get(values[i]);
			if (seen !== undefined) assert.equal(bins[i], seen, `value ${values[i]} is in bins ${seen} and ${bins[i]}`);
			binOfValue.set(values[i], bins[i]);
		}
		assert.ok(bounds.length >= 20, `only ${bounds.length} bins were used for 1001 distinct values`);
	});

	it('cuts many distinct values into at most maxBins bins of about equal size', () => {
		const rng = createRng(5);
		const values = Float32Array.from({ length: 50_000 }, () => rng.normal());
		for (const maxBins of [2, 16, MAX_VALUE_BINS]) {
			const bounds = findBinEdges(values, maxBins);
			assert.equal(bounds.length, maxBins);
			const counts = new Array(maxBins).fill(0);
			for (const v of values) counts[binOf(v, bounds)]++;
			const expected = values.length / maxBins;
			for (const c of counts) assert.ok(Math.abs(c - expected) < expected * 0.2 + 2, `a bin holds ${c}, expected about ${expected}`);
		}
	});

	it('agrees exactly with the raw-value test: bin <= b exactly when x <= upperBounds[b]', () => {
		const rng = createRng(7);
		const values = Float32Array.from({ length: 5000 }, (_, i) => (i % 10 === 0 ? NaN : Math.round(rng.normal() * 1000) / 7));
		const bounds = findBinEdges(values, 40);
		const bins = new Uint8Array(values.length);
		binColumn(values, bounds, bins, 0);
		for (let i = 0; i < values.length; i++) {
			const x = values[i];
			assert.equal(bins[i], binOf(x, bounds));
			if (Number.isNaN(x)) {
				assert.equal(bins[i], missingBin(bounds));
				continue;
			}
			for (let b = 0; b < bounds.length; b++) assert.equal(bins[i] <= b, x <= bounds[b]);
		}
	});

	it('bins a long column (through its lookup table) exactly as the raw-value test does', () => {
		const rng = createRng(8);
		const values = Float32Array.from({ length: 120_000 }, (_, i) => {
			if (i % 17 === 0) return NaN;
			if (i % 11 === 0) return i % 2 === 0 ? 0 : -0;
			return (i % 3 === 0 ? 1e-30 : i % 5 === 0 ? 1e20 : 1) * rng.normal();
		});
		const bounds = findBinEdges(values, 255);
		const bins = new Uint8Array(values.length);
		const missing = binColumn(values, bounds, bins, 0);
		let expectedMissing = 0;
		for (let i = 0; i < values.length; i++) {
			if (Number.isNaN(values[i])) expectedMissing++;
			assert.equal(bins[i], binOf(values[i], bounds), `value ${values[i]}`);
		}
		assert.equal(missing, expectedMissing);
	});

	it('sorts negative numbers, zeros of both signs and large values in numeric order, leaving NaN out', () => {
		const values = Float32Array.from([3, -0, -2.5, NaN, 0, -1e30, 1e30, 1.5, -2.5]);
		assert.deepEqual(Array.from(sortedFiniteValues(values)), [-1e30, -2.5, -2.5, 0, 0, 1.5, 3, 1e30].map(Math.fround));
	});

	it('finds edges from a seeded sample of large data, the same for the same seed', () => {
		assert.equal(edgeSampleRows(1000, 1), undefined);
		const a = edgeSampleRows(1_000_000, 42);
		const b = edgeSampleRows(1_000_000, 42);
		assert.ok(a && b);
		assert.deepEqual(a, b);
		assert.ok(Math.abs(a.length - 200_000) < 3000, `sampled ${a.length} rows`);
		for (let i = 1; i < a.length; i++) assert.ok(a[i] > a[i - 1]);
	});

	it('bins a whole dataset column by column and counts its missing values', () => {
		const columns = [Float32Array.from([1, 2, NaN, 4]), Float32Array.from([5, 5, 5, 5])];
		const binned = binDataset({ rows: 4, featureNames: ['a', 'b'], columns }, 255, 0);
		assert.deepEqual(Array.from(binned.bins), [0, 1, 3, 2, 0, 0, 0, 0]);
		assert.deepEqual(Array.from(binned.missingCounts), [1, 0]);
		assert.throws(() => binDataset({ rows: 4, featureNames: ['a', 'b'], columns }, 256, 0), /maxBins/);
	});
});
