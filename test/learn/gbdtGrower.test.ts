import assert from 'node:assert/strict';
import { COMMAND, CHUNK_ROWS, MOVE_ROWS, MAX_TREE_NODES, FLOAT_LAMBDA, FLOAT_MIN_CHILD_WEIGHT } from '../../core/learn/gbdt/protocol';
import { allocateShared, viewShared, type SharedDescriptor, type SharedState } from '../../core/learn/gbdt/binned';
import { runTask } from '../../core/learn/gbdt/kernels';
import { TreeGrower, type GrowSettings } from '../../core/learn/gbdt/grower';
import { WorkerPool } from '../../core/learn/gbdt/pool';
import { quantisationFor, writeQuantisation } from '../../core/learn/gbdt/quantise';
import type { Tree } from '../../core/learn/tree';
import { createRng } from '../../core/util/rng';

// Several partition chunks and score-update tasks (the last one short), and a sample large enough for both threads.
const ROWS = 9 * MOVE_ROWS + 1234;
const BINS = [6, 2, 40, 255, 9, 3, 17, 1, 120, 5]; // value bins per feature; bin BINS[f] is missing
const FEATURES = BINS.length;
// Steps for weights up to 8: room for gradients of -4.5..4.5 and hessians up to 1.05.
const QUANTISATION = quantisationFor(ROWS, 8);
const { pack, gradientStep, hessianStep } = QUANTISATION;

/**
 * Shared state with random bins (some missing) and gradient pairs that depend on a few
 * features, scores exp(-0) = 1, a sample of about 80% of the rows in buffer 0 (ascending), and
 * every other row left out of it listed as out of the bag.
 */
function randomState(seed: number): {
	descriptor: SharedDescriptor;
	s: SharedState;
	sample: number[];
	outOfBag: number[];
	rootG: number;
	rootH: number;
} {
	const rng = createRng(seed);
	const descriptor = allocateShared(ROWS, FEATURES, false, false, 0);
	const s = viewShared(descriptor);
	for (let f = 0; f < FEATURES; f++) {
		s.binCount[f] = BINS[f];
		for (let r = 0; r < ROWS; r++) s.bins[f * ROWS + r] = rng.next() < 0.1 ? BINS[f] : rng.int(BINS[f]);
	}
	for (let c = 0; c * CHUNK_ROWS < ROWS; c++) runTask(s, COMMAND.pack, c);
	const sample: number[] = [];
	const outOfBag: number[] = [];
	for (let r = 0; r < ROWS; r++) {
		if (rng.next() < 0.8) sample.push(r);
		else if (rng.next() < 0.5) outOfBag.push(r);
	}
	s.outOfBag.set(outOfBag);
	let rootG = 0;
	let rootH = 0;
	sample.forEach((r, i) => {
		s.order[0][i] = r;
		const signal = (s.bins[r] > 2 ? 1 : -1) + (s.bins[2 * ROWS + r] < 15 ? 0.5 : -0.5) + (s.bins[3 * ROWS + r] === BINS[3] ? 1 : 0);
		// Gradient pairs in whole units, packed (quantise.ts).
		const g = Math.round((signal + Math.max(-1.5, Math.min(1.5, rng.normal()))) / gradientStep);
		const h = Math.round((0.05 + rng.next()) / hessianStep);
		s.gh[r] = g * pack + h;
		rootG += g;
		rootH += h;
	});
	s.negExp.fill(1);
	writeQuantisation(s.floats, QUANTISATION);
	s.floats[FLOAT_LAMBDA] = 1;
	s.floats[FLOAT_MIN_CHILD_WEIGHT] = 1;
	return { descriptor, s, sample, outOfBag, rootG, rootH };
}

/** Bin b's upper bound is b itself, so a tree's thresholds are its split bins. */
const binIndexBounds = BINS.map((k) => Float64Array.from({ length: k }, (_, b) => b));

/** The leaf a row reaches, walking the tree over its bins (missing: the node's missing direction). */
function leafOf(s: SharedState, tree: Tree, r: number): number {
	let node = 0;
	while (tree.left[node] !== -1) {
		const f = tree.feature[node];
		const b = s.bins[f * ROWS + r];
		const goesLeft = b === BINS[f] ? tree.missingLeft[node] === 1 : b <= tree.threshold[node];
		node = goesLeft ? tree.left[node] : tree.right[node];
	}
	return node;
}

/** Each node's depth (children always have larger ids than their parent). */
function depths(tree: Tree): Int32Array {
	const depth = new Int32Array(tree.left.length);
	for (let node = 0; node < tree.left.length; node++) {
		if (tree.left[node] === -1) continue;
		depth[tree.left[node]] = depth[node] + 1;
		depth[tree.right[node]] = depth[node] + 1;
	}
	return depth;
}

async function grow(seed: number, workers: number, settings: GrowSettings): Promise<{ s: SharedState; sample: number[]; outOfBag: number[]; tree: Tree }> {
	const { descriptor, s, sample, outOfBag, rootG, rootH } = randomState(seed);
	const pool = workers > 0 ? await WorkerPool.start(descriptor, s, workers) : WorkerPool.inline(s);
	try {
		const grower = new TreeGrower(s, pool, settings, binIndexBounds);
		const tree = grower.grow(
			sample.length,
			rootG,
			rootH,
			Int32Array.from({ length: FEATURES }, (_, f) => f),
			outOfBag.length,
		);
		return { s, sample, outOfBag, tree };
	} finally {
		await pool.close();
	}
}

/** Each listed row's score is exp(-its leaf's value), bit for bit; every other row's is still 1. */
function assertScores(s: SharedState, tree: Tree, scored: number[]): void {
	const listed = new Uint8Array(ROWS);
	for (const r of scored) listed[r] = 1;
	assert.ok(listed.includes(0), 'some rows are neither sampled nor out of the bag');
	for (let r = 0; r < ROWS; r++) {
		const expected = listed[r] === 1 ? Math.exp(-tree.value[leafOf(s, tree, r)]) : 1;
		assert.equal(s.negExp[r], expected, `row ${r}`);
	}
}

const settings: GrowSettings = {
	learningRate: 1,
	maxDepth: 4,
	maxLeaves: Infinity,
	growth: 'depthwise',
	lambda: 1,
	gamma: 10,
	minChildWeight: 1,
};

describe('tree growth over the shared state', () => {
	it("adds each leaf's value to the score of exactly the sampled and out-of-bag rows that reach it, and leaves other rows alone", async () => {
		const { s, sample, outOfBag, tree } = await grow(5, 0, settings);
		const depth = depths(tree);
		const leafDepths = Array.from(tree.left.keys())
			.filter((node) => tree.left[node] === -1)
			.map((leaf) => depth[leaf]);
		// Both kinds of leaf: children of a settled split (rows never moved) and leaves above the last level.
		assert.ok(leafDepths.includes(settings.maxDepth), `a leaf at depth ${settings.maxDepth}`);
		assert.ok(
			leafDepths.some((d) => d < settings.maxDepth),
			`a leaf above depth ${settings.maxDepth}: ${leafDepths.join(', ')}`,
		);
		assertScores(s, tree, [...sample, ...outOfBag]);
	});

	it('scores the out-of-bag rows of a tree too large for the shared tree table on the calling thread, the same way', async () => {
		const leaves = (MAX_TREE_NODES + 1) / 2 + 20;
		const { s, sample, outOfBag, tree } = await grow(7, 1, { ...settings, growth: 'leafwise', maxDepth: 30, maxLeaves: leaves, gamma: 0 });
		assert.equal(tree.left.length, 2 * leaves - 1, 'the tree grew every leaf it may');
		assert.ok(tree.left.length > MAX_TREE_NODES);
		assertScores(s, tree, [...sample, ...outOfBag]);
	});

	it('grows the same tree and the same scores with a worker thread as on the calling thread alone', async () => {
		const alone = await grow(6, 0, settings);
		const shared = await grow(6, 1, settings);
		assert.deepEqual(shared.tree, alone.tree);
		assert.deepEqual(shared.s.negExp, alone.s.negExp);
		assert.ok(alone.tree.left.length > 7, 'the tree has several levels');
	});
});
