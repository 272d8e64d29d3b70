/**
 * The boosting loop of gbdt/index.ts: bins the features, then adds trees one at a time (each
 * grown by grower.ts), each fitted to the logistic-loss gradients of the ensemble so far, until
 * maxTrees or until the validation log loss has not improved for earlyStoppingRounds trees.
 *
 * The heavy work (binning, gradients, histograms, partitions, score updates) runs as tasks
 * over shared memory (kernels.ts), on worker threads when the data is large enough; this
 * file decides what to run and keeps the trees.
 */
import { availableParallelism } from 'node:os';
import { edgeSampleRows, MAX_VALUE_BINS } from '../binning';
import { COMMAND, CHUNK_ROWS, INT_POSITIONS, INT_IDENTITY, INT_MAX_BINS, FLOAT_LAMBDA, FLOAT_MIN_CHILD_WEIGHT } from './protocol';
import { allocateShared, viewShared, type SharedState } from './binned';
import { PARALLEL_MIN_MOVE, TreeGrower, type GrowSettings } from './grower';
import { WorkerPool, withStallFallback } from './pool';
import { allStopped } from './stopping';
import { startWatches } from './stoppingThread';
import { quantisationFor, writeQuantisation, writeTreeSeed } from './quantise';
import { type LabelledDataset, SHARED_COPY_MAX_BYTES } from '../dataset';
import type { FitContext } from '../learner';
import type { Tree } from '../tree';
import { createRng, type Rng } from '../../util/rng';
import { throttledProgress } from '../../util/progress';
import { throwIfCancelled } from '../../errors';

/** The settings boosting needs (index.ts resolves them from GbdtOptions). */
export interface BoostSettings extends GrowSettings {
	readonly maxTrees: number;
	readonly rowSubsample: number;
	readonly colSubsample: number;
	readonly maxBins: number;
	/** The weight of a positive row relative to a negative one (class weight), already resolved. */
	readonly positiveWeight: number;
	readonly earlyStoppingRounds: number;
	readonly threads: number;
}

export interface BoostResult {
	readonly baseScore: number;
	readonly trees: Tree[];
	/** Trees kept: all of them, or the count with the lowest validation log loss when early stopping ran. */
	readonly bestIteration: number;
	/** With context.mirrorValidation: the trees kept when those rows stop the boosting instead (see stopping.ts). */
	readonly mirror?: { readonly trees: Tree[]; readonly bestIteration: number };
}

/** Below this many training rows every task runs on the calling thread: starting workers would cost more. */
export const PARALLEL_MIN_ROWS = 20_000;

/** The thread count to use: the option, else the machine's cores (at most 8); one for small data. */
export function threadsFor(rows: number, threads: number | undefined): number {
	const wanted = threads ?? Math.min(8, availableParallelism());
	return rows < PARALLEL_MIN_ROWS ? 1 : Math.max(1, wanted);
}

/**
 * Trains the trees on `train` (already validated) and returns them with the base score. When a
 * worker stalls (pool.ts), training starts again on this thread alone, in fresh memory: threads
 * never change the model, so the result is the same.
 */
export async function boost(train: LabelledDataset, settings: BoostSettings, context: FitContext): Promise<BoostResult> {
	return withStallFallback(
		settings.threads,
		(threads) => boostOnThreads(train, { ...settings, threads }, context),
		(stall) => context.hooks?.onProgress?.({ stage: 'training', done: 0, unit: 'trees', note: `${stall.message}: training again on one thread` }),
	);
}

async function boostOnThreads(train: LabelledDataset, settings: BoostSettings, context: FitContext): Promise<BoostResult> {
	const rows = train.rows;
	const features = train.columns.length;
	const rng = createRng(context.seed);
	const weights = effectiveWeights(train, settings.positiveWeight);
	const baseScore = Math.log(weights.positive / weights.negative);
	const threads = settings.threads;
	const workers = threads - 1;

	const sampleRows = edgeSampleRows(rows, rng.fork(1).int(2 ** 31));
	// Above SHARED_COPY_MAX_BYTES the features are binned here, straight from the caller's columns (the bins are the same).
	const binInParallel = workers > 0 && 4 * rows * features <= SHARED_COPY_MAX_BYTES;
	const descriptor = allocateShared(rows, features, weights.perRow !== undefined, binInParallel, sampleRows?.length ?? 0);
	const state = viewShared(descriptor);
	// Threads never change the model, so if workers cannot start, training goes on in this thread.
	const starting =
		workers > 0 ? WorkerPool.start(descriptor, state, workers).catch(() => WorkerPool.inline(state)) : Promise.resolve(WorkerPool.inline(state));
	// Fill the shared inputs while the workers start.
	if (binInParallel) {
		train.columns.forEach((column, f) => state.columns[f].set(column));
		if (sampleRows) state.sample?.set(sampleRows);
	} else {
		state.columns = train.columns.slice();
		state.sample = sampleRows;
	}
	state.label.set(train.label);
	if (weights.perRow) state.weight.set(weights.perRow);
	const pool = await starting;
	try {
		state.ints[INT_MAX_BINS] = settings.maxBins;
		pool.run(COMMAND.bin, features, binInParallel);
		pool.dropColumns();
		pool.run(COMMAND.pack, Math.ceil(rows / CHUNK_ROWS), workers > 0);
		state.floats[FLOAT_LAMBDA] = settings.lambda;
		state.floats[FLOAT_MIN_CHILD_WEIGHT] = settings.minChildWeight;
		writeQuantisation(state.floats, quantisationFor(rows, weights.max));
		return await boostBinned(state, pool, settings, context, baseScore, rng);
	} finally {
		await pool.close();
	}
}

/** Per-row weights with the class weight applied (undefined when all are 1), the weight of each class, and the largest row weight. */
function effectiveWeights(train: LabelledDataset, positiveWeight: number): { perRow?: Float32Array; positive: number; negative: number; max: number } {
	const { label, weight, rows } = train;
	let positive = 0;
	let negative = 0;
	for (let r = 0; r < rows; r++) {
		const w = weight ? weight[r] : 1;
		if (label[r] === 1) positive += w;
		else negative += w;
	}
	positive *= positiveWeight;
	if (!weight && positiveWeight === 1) return { positive, negative, max: 1 };
	const perRow = new Float32Array(rows);
	let max = 0;
	for (let r = 0; r < rows; r++) {
		perRow[r] = (weight ? weight[r] : 1) * (label[r] === 1 ? positiveWeight : 1);
		max = Math.max(max, perRow[r]);
	}
	// Both classes have weight above 0 (checked before training); the guard keeps the steps finite regardless.
	return { perRow, positive, negative, max: max > 0 ? max : 1 };
}

/** The upper bounds of feature f's value bins, as binning wrote them. */
function upperBoundsOf(state: SharedState, f: number): Float64Array {
	const from = f * (MAX_VALUE_BINS + 1);
	return state.bounds.slice(from, from + state.binCount[f]);
}

async function boostBinned(
	state: SharedState,
	pool: WorkerPool,
	settings: BoostSettings,
	context: FitContext,
	baseScore: number,
	rng: Rng,
): Promise<BoostResult> {
	const rows = state.rows;
	const upperBounds = Array.from({ length: state.features }, (_, f) => upperBoundsOf(state, f));
	// A feature can split only if it has two value bins, or one and some missing values.
	const usable: number[] = [];
	for (let f = 0; f < state.features; f++) {
		if (state.binCount[f] >= 2 || (state.binCount[f] === 1 && state.missingCount[f] > 0)) usable.push(f);
	}
	const grower = new TreeGrower(state, pool, settings, upperBounds);
	const rowRng = rng.fork(2);
	const columnRng = rng.fork(3);
	const roundingRng = rng.fork(4);
	// The deployed model's validation rows first, then its mirror's: one run serves both.
	const watched = (context.validation ? [context.validation, context.mirrorValidation] : []).filter((rows): rows is LabelledDataset => rows !== undefined);
	const progress = throttledProgress(context.hooks);
	const subsampled = settings.rowSubsample < 1;
	const draws = new Uint32Array(subsampled ? rows : 0);
	state.negExp.fill(Math.exp(-baseScore));

	const trees: Tree[] = [];
	const watches = startWatches(watched, baseScore, settings.positiveWeight, settings.earlyStoppingRounds, pool.threads);
	try {
		for (let t = 0; t < settings.maxTrees; t++) {
			throwIfCancelled(context.hooks?.signal, 'training');
			// Let a cancel (or other callbacks, and the early-stopping worker's answers) through between trees.
			await new Promise((resolve) => setImmediate(resolve));
			// A worker's answers can arrive after the tree they stop at.
			if (allStopped(watches.states())) break;

			const outOfBag = subsampled ? sampleRowsForTree(state, rowRng, settings.rowSubsample, draws) : 0;
			if (!subsampled) {
				state.ints[INT_POSITIONS] = rows;
				state.ints[INT_IDENTITY] = 1;
			}
			const positions = state.ints[INT_POSITIONS];
			const chunks = Math.ceil(positions / CHUNK_ROWS);
			writeTreeSeed(state.ints, roundingRng.int(2 ** 31));
			pool.run(COMMAND.gradients, chunks, positions >= PARALLEL_MIN_MOVE);
			let rootG = 0;
			let rootH = 0;
			for (let c = 0; c < chunks; c++) {
				rootG += state.chunkSums[2 * c];
				rootH += state.chunkSums[2 * c + 1];
			}
			const tree = grower.grow(positions, rootG, rootH, sampleColumns(usable, settings.colSubsample, columnRng), outOfBag);
			trees.push(tree);

			const done = t + 1;
			watches.add(tree, done);
			const states = watches.states();
			const watching = states.findIndex((watch) => !watch.stopped);
			const shown = states[Math.max(0, watching)];
			// A worker's first answer may not be back yet: no loss to show then.
			const note =
				shown && Number.isFinite(shown.lastLoss) ? `${watching > 0 ? 'mirror ' : ''}validation log loss ${shown.lastLoss.toFixed(5)}` : undefined;
			const stop = allStopped(states);
			progress({ stage: 'training', done, total: settings.maxTrees, unit: 'trees', note }, stop || done === settings.maxTrees);
			if (stop) break;
		}
		// Every watch's best count, from the trees evaluated up to where all stopped (later trees are not kept).
		const settled = await watches.settle();
		const kept = settled.map((watch) => (settings.earlyStoppingRounds === 0 ? trees.length : watch.bestIteration));
		const bestIteration = kept[0] ?? trees.length;
		const mirror = kept.length > 1 ? { trees: trees.slice(0, kept[1]), bestIteration: kept[1] } : undefined;
		return { baseScore, trees: trees.slice(0, bestIteration), bestIteration, ...(mirror ? { mirror } : {}) };
	} finally {
		await watches.close();
	}
}

/**
 * Draws this tree's rows (each with probability rowSubsample) into positions 0..m-1 of
 * buffer 0 and the others into the state's outOfBag; returns how many are out of the bag.
 * `draws` is scratch for one raw 32-bit draw per row, made in one call: `draw < fraction * 2^32`
 * is exactly `rng.next() < fraction`, so the rows are the ones a call per row would pick, at a
 * third of the cost.
 */
function sampleRowsForTree(state: SharedState, rng: Rng, fraction: number, draws: Uint32Array): number {
	const { outOfBag, rows } = state;
	const order = state.order[0];
	rng.fillUint32(draws, rows);
	let inBag = splitByDraw(draws, rows, fraction * 4294967296, order, outOfBag);
	let out = rows - inBag;
	if (inBag === 0) {
		// A tiny sample drew nothing: use every row rather than grow a tree on none.
		for (let r = 0; r < rows; r++) order[r] = r;
		inBag = rows;
		out = 0;
	}
	state.ints[INT_POSITIONS] = inBag;
	state.ints[INT_IDENTITY] = 0;
	return out;
}

/**
 * Rows whose draw is below `threshold` into `inBag` (ascending), the others into `outOfBag`;
 * returns how many are in the bag. A function of its own, so that it is optimised whole: as
 * the loop of sampleRowsForTree, its optimised code (compiled on entry mid-loop, before the
 * lines after the loop had ever run) was thrown away at the first comparison after the loop,
 * once per tree: about 400 deoptimisations a training.
 */
function splitByDraw(draws: Uint32Array, rows: number, threshold: number, inBag: Int32Array, outOfBag: Int32Array): number {
	let kept = 0;
	let out = 0;
	for (let r = 0; r < rows; r++) {
		if (draws[r] < threshold) inBag[kept++] = r;
		else outOfBag[out++] = r;
	}
	return kept;
}

/** This tree's features: a seeded share colSubsample of the usable ones (at least one), ascending. */
function sampleColumns(usable: readonly number[], fraction: number, rng: Rng): Int32Array {
	if (fraction >= 1 || usable.length <= 1) return Int32Array.from(usable);
	const keep = Math.max(1, Math.round(fraction * usable.length));
	const pool = usable.slice();
	for (let i = 0; i < keep; i++) {
		const j = i + rng.int(pool.length - i);
		const swap = pool[i];
		pool[i] = pool[j];
		pool[j] = swap;
	}
	return Int32Array.from(pool.slice(0, keep)).sort();
}
