import assert from 'node:assert/strict';
import { engineOf, prepareEnsemble, treeShap, type PreparedEnsemble, type ShapEngine } from '../../core/explain/treeShap';
import { compileEnsemble } from '../../core/explain/ensemble';
import { InputError } from '../../core/errors';
import type { Tree } from '../../core/learn/tree';
import { createRng } from '../../core/util/rng';
import { bruteForceShapley, conditionalExpectation, predictRaw, randomRow, randomTree, treeOf } from './support';

const close = (actual: number, expected: number, tolerance: number, what: string): void => {
	assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} differs from ${expected} by more than ${tolerance}`);
};

/** TreeSHAP for one row given as an array, with the engine under test. */
let engine: ShapEngine = 'auto';
const prepared = new WeakMap<readonly Tree[], Map<ShapEngine, PreparedEnsemble>>();
function shapOf(trees: readonly Tree[], baseScore: number, x: Float64Array, features = x.length): { phi: Float64Array; expected: number } {
	const byEngine = prepared.get(trees) ?? new Map<ShapEngine, PreparedEnsemble>();
	prepared.set(trees, byEngine);
	const ensemble = byEngine.get(engine) ?? prepareEnsemble(trees, engine);
	byEngine.set(engine, ensemble);
	const phi = new Float64Array(features);
	engineOf(ensemble)(x, x.length, 1, phi);
	return { phi, expected: baseScore + ensemble.ensemble.expected };
}

/** Brute-force Shapley values of one tree over `features` players. */
function bruteForce(tree: Tree, x: Float64Array, features: number): Float64Array {
	return bruteForceShapley(features, (mask) => conditionalExpectation(tree, x, mask));
}

for (const name of ['path', 'tables'] as const)
	describe(`TreeSHAP (${name === 'path' ? 'Algorithm 2 path engine' : 'leaf-table engine'})`, () => {
		before(() => {
			engine = name;
		});

		it('splits a one-split tree between the split feature and the expected value', () => {
			// Left leaf 1 (cover 3), right leaf 5 (cover 1): expected 2; a row going right gets +3.
			const tree = treeOf({ feature: 0, threshold: 0.5, left: { leaf: 1, cover: 3 }, right: { leaf: 5, cover: 1 } });
			const { phi, expected } = shapOf([tree], 0, Float64Array.of(0.9, 0.1));
			assert.equal(expected, 2);
			assert.deepEqual(Array.from(phi), [3, 0]);
		});

		it('gives an interaction of two features half to each, as the Shapley value does', () => {
			// f(x) = 4 when both x0 and x1 are above 0.5, else 0; covers even.
			const tree = treeOf({
				feature: 0,
				threshold: 0.5,
				left: { leaf: 0, cover: 2 },
				right: { feature: 1, threshold: 0.5, left: { leaf: 0, cover: 1 }, right: { leaf: 4, cover: 1 } },
			});
			const { phi, expected } = shapOf([tree], 0, Float64Array.of(1, 1));
			assert.equal(expected, 1);
			close(phi[0], 1.5, 1e-12, 'x0');
			close(phi[1], 1.5, 1e-12, 'x1');
		});

		it('agrees exactly with brute-force Shapley enumeration on random trees with up to 6 features', () => {
			const rng = createRng(11);
			for (let trial = 0; trial < 300; trial++) {
				const features = 1 + rng.int(6);
				const tree = randomTree(rng, { features, maxDepth: 1 + rng.int(6) });
				const x = randomRow(rng, features);
				const { phi, expected } = shapOf([tree], 0, x);
				const exact = bruteForce(tree, x, features);
				for (let f = 0; f < features; f++) close(phi[f], exact[f], 1e-9, `trial ${trial}, feature ${f}`);
				close(expected, conditionalExpectation(tree, x, 0), 1e-12, `trial ${trial}, expected value`);
			}
		});

		it('handles a feature that splits twice on one path, with the row on either side of each split', () => {
			// Feature 0 splits at the root and again below, with feature 1 in between.
			const tree = treeOf({
				feature: 0,
				threshold: 0.6,
				left: {
					feature: 1,
					threshold: 0.5,
					left: { feature: 0, threshold: 0.3, left: { leaf: -2, cover: 4 }, right: { leaf: 1, cover: 2 } },
					right: { feature: 0, threshold: 0.2, missingLeft: true, left: { leaf: 3, cover: 1 }, right: { leaf: 0.5, cover: 5 } },
				},
				right: { feature: 0, threshold: 0.9, left: { leaf: 2, cover: 3 }, right: { leaf: -1, cover: 1 } },
			});
			for (const x0 of [0.1, 0.25, 0.4, 0.7, 0.95, NaN]) {
				for (const x1 of [0.2, 0.8, NaN]) {
					const x = Float64Array.of(x0, x1);
					const { phi, expected } = shapOf([tree], 0, x);
					const exact = bruteForce(tree, x, 2);
					close(phi[0], exact[0], 1e-12, `x0=${x0}, x1=${x1}, feature 0`);
					close(phi[1], exact[1], 1e-12, `x0=${x0}, x1=${x1}, feature 1`);
					close(expected + phi[0] + phi[1], predictRaw([tree], 0, x), 1e-12, `x0=${x0}, x1=${x1}, local accuracy`);
				}
			}
		});

		it("follows each node's missing direction for a missing value", () => {
			const goesLeft = treeOf({ feature: 0, threshold: 0.5, missingLeft: true, left: { leaf: 1, cover: 1 }, right: { leaf: 3, cover: 1 } });
			const goesRight = treeOf({ feature: 0, threshold: 0.5, missingLeft: false, left: { leaf: 1, cover: 1 }, right: { leaf: 3, cover: 1 } });
			assert.equal(shapOf([goesLeft], 0, Float64Array.of(NaN)).phi[0], -1);
			assert.equal(shapOf([goesRight], 0, Float64Array.of(NaN)).phi[0], 1);
		});

		it('adds contributions and the expected value up to the raw output (local accuracy to 1e-9) on random ensembles', () => {
			const rng = createRng(5);
			for (let trial = 0; trial < 40; trial++) {
				const features = 3 + rng.int(20);
				const trees = Array.from({ length: 1 + rng.int(30) }, () => randomTree(rng, { features, maxDepth: 1 + rng.int(8), emptyLeafChance: 0.05 }));
				const baseScore = rng.normal();
				for (let row = 0; row < 10; row++) {
					const x = randomRow(rng, features);
					const { phi, expected } = shapOf(trees, baseScore, x);
					const sum = phi.reduce((a, b) => a + b, expected);
					close(sum, predictRaw(trees, baseScore, x), 1e-9, `trial ${trial}, row ${row}`);
				}
			}
		});

		it("gives ensemble values equal to the sum of each tree's values, and the base score only to the expected value", () => {
			const rng = createRng(8);
			const features = 5;
			const trees = Array.from({ length: 6 }, () => randomTree(rng, { features, maxDepth: 4 }));
			const x = randomRow(rng, features);
			const together = shapOf(trees, 0.75, x);
			const sum = new Float64Array(features);
			let expected = 0.75;
			for (const tree of trees) {
				const alone = shapOf([tree], 0, x);
				expected += alone.expected;
				for (let f = 0; f < features; f++) sum[f] += alone.phi[f];
			}
			for (let f = 0; f < features; f++) close(together.phi[f], sum[f], 1e-12, `feature ${f}`);
			close(together.expected, expected, 1e-12, 'expected value');
		});

		it('gives exactly zero to features no split uses', () => {
			const rng = createRng(3);
			for (let trial = 0; trial < 50; trial++) {
				// Trees split on features 0..3 only; the row has 8.
				const trees = Array.from({ length: 3 }, () => randomTree(rng, { features: 4, maxDepth: 5 }));
				const { phi } = shapOf(trees, 0, randomRow(rng, 8));
				for (let f = 4; f < 8; f++) assert.equal(phi[f], 0, `trial ${trial}, feature ${f}`);
			}
		});

		it('gives two features that play the same role the same value (symmetry)', () => {
			// f = 2 when x0 > 0.5 and x1 > 0.5, built in both split orders with equal covers: x0 and x1 are interchangeable.
			const tree = treeOf({
				feature: 0,
				threshold: 0.5,
				left: { feature: 1, threshold: 0.5, left: { leaf: 0, cover: 1 }, right: { leaf: 0, cover: 1 } },
				right: { feature: 1, threshold: 0.5, left: { leaf: 0, cover: 1 }, right: { leaf: 2, cover: 1 } },
			});
			for (const [x0, x1] of [
				[0.9, 0.9],
				[0.1, 0.1],
				[0.9, 0.1],
			]) {
				const { phi } = shapOf([tree], 0, Float64Array.of(x0, x1));
				if (x0 === x1) close(phi[0], phi[1], 1e-15, `x0=${x0}, x1=${x1}`);
			}
			const both = shapOf([tree], 0, Float64Array.of(0.9, 0.9)).phi;
			close(both[0], 0.75, 1e-15, 'x0 when both are high');
		});

		it('gives zero to a feature whose split leads to identical leaves (dummy)', () => {
			const tree = treeOf({
				feature: 0,
				threshold: 0.5,
				left: { feature: 1, threshold: 0.5, left: { leaf: 3, cover: 2 }, right: { leaf: 3, cover: 5 } },
				right: { leaf: -1, cover: 4 },
			});
			for (const x of [Float64Array.of(0.1, 0.2), Float64Array.of(0.1, 0.9), Float64Array.of(0.9, NaN)]) {
				const { phi } = shapOf([tree], 0, x);
				close(phi[1], 0, 1e-15, `feature 1 at ${Array.from(x)}`);
			}
		});

		it('stays exact when a branch has zero cover', () => {
			const tree = treeOf({
				feature: 0,
				threshold: 0.5,
				left: { feature: 0, threshold: 0.2, left: { leaf: 7, cover: 0 }, right: { leaf: 1, cover: 3 } },
				right: { feature: 1, threshold: 0.5, left: { leaf: 2, cover: 0 }, right: { leaf: -3, cover: 0 } },
			});
			for (const x of [Float64Array.of(0.1, 0.1), Float64Array.of(0.3, 0.9), Float64Array.of(0.7, 0.2), Float64Array.of(NaN, NaN)]) {
				const { phi, expected } = shapOf([tree], 0, x);
				const exact = bruteForce(tree, x, 2);
				for (let f = 0; f < 2; f++) close(phi[f], exact[f], 1e-12, `feature ${f} at ${Array.from(x)}`);
				assert.ok(Number.isFinite(expected));
			}
		});

		it('computes the expected value from leaves and covers, ignoring internal node values', () => {
			const tree = treeOf({ feature: 0, threshold: 0.5, left: { leaf: 1, cover: 1 }, right: { leaf: 4, cover: 2 } });
			(tree.value as Float64Array)[0] = 999;
			assert.equal(shapOf([tree], 0.5, Float64Array.of(0)).expected, 0.5 + 3);
		});

		it('treats a single leaf as a constant: no contributions, its value as the expected value', () => {
			const leaf = treeOf({ leaf: 2.5, cover: 10 });
			const { phi, expected } = shapOf([leaf], 0, Float64Array.of(0.3));
			assert.equal(expected, 2.5);
			assert.equal(phi[0], 0);
		});
	});

describe('treeShap', () => {
	it('refuses a tree whose child points back up, naming the tree and node', () => {
		const broken: Tree = {
			...treeOf({ feature: 0, threshold: 0.5, left: { leaf: 1, cover: 1 }, right: { leaf: 2, cover: 1 } }),
			right: Int32Array.of(0, -1, -1),
		};
		assert.throws(
			() => compileEnsemble([broken]),
			(error: unknown) => error instanceof InputError && /tree 0, node 0/.test(error.message),
		);
	});

	it('refuses a tree with a node its root does not reach', () => {
		const base = treeOf({ feature: 0, threshold: 0.5, left: { leaf: 1, cover: 1 }, right: { leaf: 2, cover: 1 } });
		const orphan: Tree = {
			...base,
			left: Int32Array.of(1, -1, -1, -1),
			right: Int32Array.of(2, -1, -1, -1),
			feature: Int32Array.of(0, 0, 0, 0),
			threshold: Float64Array.of(0.5, 0, 0, 0),
			missingLeft: new Uint8Array(4),
			value: Float64Array.of(0, 1, 2, 3),
			cover: Float64Array.of(2, 1, 1, 1),
		};
		assert.throws(() => compileEnsemble([orphan]), /tree 0 has node 3, which no path from the root reaches/);
	});

	it('refuses an output array too short for the features the trees use', () => {
		const tree = treeOf({ feature: 3, threshold: 0.5, left: { leaf: 1, cover: 1 }, right: { leaf: 2, cover: 1 } });
		assert.throws(() => treeShap([tree], 0, () => 0, new Float64Array(2)), /room for 2 features/);
	});
});

describe('the two TreeSHAP engines', () => {
	it('agree with each other to 1e-12 on deep ensembles where features repeat', () => {
		const rng = createRng(21);
		for (let trial = 0; trial < 20; trial++) {
			const features = 2 + rng.int(12);
			const trees = Array.from({ length: 5 }, () => randomTree(rng, { features, maxDepth: 2 + rng.int(9), emptyLeafChance: 0.05 }));
			const path = engineOf(prepareEnsemble(trees, 'path'));
			const tables = engineOf(prepareEnsemble(trees, 'tables'));
			// Five rows as one block, as explainRows hands them over, against each row alone.
			const rows = 5;
			const block = new Float64Array(rows * features);
			for (let row = 0; row < rows; row++) block.set(randomRow(rng, features), row * features);
			const a = new Float64Array(rows * features);
			const b = new Float64Array(rows * features);
			path(block, features, rows, a);
			tables(block, features, rows, b);
			for (let row = 0; row < rows; row++) {
				const alone = new Float64Array(features);
				path(block.subarray(row * features, (row + 1) * features), features, 1, alone);
				for (let f = 0; f < features; f++) {
					close(a[row * features + f], b[row * features + f], 1e-12, `trial ${trial}, row ${row}, feature ${f}`);
					assert.equal(a[row * features + f], alone[f], `trial ${trial}, row ${row}, feature ${f}: block and single row`);
				}
			}
		}
	});

	it('picks the path engine when the leaf tables would exceed the budget', () => {
		const rng = createRng(2);
		const trees = [randomTree(rng, { features: 20, maxDepth: 12, splitChance: 1 })];
		assert.equal(prepareEnsemble(trees, 'auto', 1000).tables, null);
		assert.notEqual(prepareEnsemble(trees, 'auto', Infinity).tables, null);
	});
});
