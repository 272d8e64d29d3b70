/**
 * The binned dataset of boosted-tree training, as LightGBM's Dataset: the shared memory that
 * the main thread and the worker threads (worker.ts) see alike, its typed views, and the tasks
 * that fill it (binning each feature, packing the bins into row words).
 *
 * Memory layout, with n training rows and F features:
 * - `bins` Uint8 [F * n], column-major (see binning.ts); bin k_f of feature f is its missing bin.
 *   Partitions read it: they need one feature of many rows.
 * - `rowWords` Uint32 [n * W], W = 2 * ceil(F/8), row-major: the same bins four features to a
 *   word (word q of row r at r * W + q holds features 4q..4q+3, lowest byte first; features past
 *   the last read as bin 0). Histograms read it: they need every feature of a row, and a row's
 *   bins share one or two cache lines.
 * - two row buffers (`order`): a tree node owns positions [begin, end) of one buffer, holding
 *   its row numbers (ascending). Splitting a node moves its rows, stably, into the same
 *   positions of the other buffer: left rows first. Only the row numbers move: each row's
 *   gradient pair (`gh`, quantised and packed into one float64, see quantise.ts) stays at
 *   the row's index, read in the same ascending order as its row words.
 * - histograms: per node, the packed gradient and hessian sums per bin of every feature
 *   (padding features of the last words included): bin b of feature f at
 *   f * FEATURE_DOUBLES + b, float64, one Float64Array view per slot.
 *   A fixed stride per feature lets the histogram loop compute every address from the word
 *   number, which V8 compiles to much faster code than addresses read from a table.
 * - blocks: a node's rows are cut into blocks of consecutive positions by its row count alone.
 *   Threads share a node by blocks, as XGBoost shares it by rows: each block is built into its
 *   own slot, reading each row's words once for all its features (one or two cache lines,
 *   where a split by features read a line per feature group), and the blocks are then added in
 *   block order, so the sums never depend on the thread count.
 */
import { binColumn, findBinEdges, sampleValues, MAX_VALUE_BINS } from '../binning';
import {
	CHUNK_ROWS,
	MOVE_ROWS,
	MIN_BLOCK_ROWS,
	FEATURE_DOUBLES,
	SLOTS_PER_BUFFER,
	MAX_JOBS,
	CTRL_WORDS,
	INT_ACTIVE,
	INT_MAX_BINS,
	INT_FIRST_PAIR,
	INT_LAST_PAIR,
	JOB_I,
	JOB_F,
	CHUNK_I,
	BLOCK_I,
	RESULT_F,
	RESULT_I,
	TREE_I,
	MAX_TREE_NODES,
} from './protocol';
import { assertTrainableRows } from './quantise';

/** The SharedArrayBuffers of one training run and its sizes: what a worker is started with. */
export interface SharedDescriptor {
	readonly rows: number;
	readonly features: number;
	readonly maxChunks: number;
	readonly maxBlocks: number;
	readonly control: SharedArrayBuffer;
	readonly bins: SharedArrayBuffer;
	readonly rowWords: SharedArrayBuffer;
	readonly binCount: SharedArrayBuffer;
	readonly missingCount: SharedArrayBuffer;
	readonly bounds: SharedArrayBuffer;
	readonly order: readonly [SharedArrayBuffer, SharedArrayBuffer];
	readonly gh: SharedArrayBuffer;
	readonly leftOrder: SharedArrayBuffer;
	readonly rightOrder: SharedArrayBuffer;
	readonly negExp: SharedArrayBuffer;
	readonly outOfBag: SharedArrayBuffer;
	readonly treeI: SharedArrayBuffer;
	readonly treeF: SharedArrayBuffer;
	readonly label: SharedArrayBuffer;
	readonly weight: SharedArrayBuffer;
	readonly ints: SharedArrayBuffer;
	readonly floats: SharedArrayBuffer;
	readonly active: SharedArrayBuffer;
	readonly jobsI: SharedArrayBuffer;
	readonly blocksI: SharedArrayBuffer;
	readonly jobsF: SharedArrayBuffer;
	readonly chunksI: SharedArrayBuffer;
	readonly chunkSums: SharedArrayBuffer;
	readonly resultsF: SharedArrayBuffer;
	readonly resultsI: SharedArrayBuffer;
	/** Raw feature values for parallel binning (F * n float32), when binning runs on workers. */
	readonly columns?: SharedArrayBuffer;
	readonly sample?: SharedArrayBuffer;
}

/** Typed views over a descriptor's buffers, as every thread uses them. */
export interface SharedState {
	readonly rows: number;
	readonly features: number;
	readonly control: Int32Array;
	readonly bins: Uint8Array;
	readonly rowWords: Uint32Array;
	/** Words per row of rowWords: ceil(features / 8) pairs. */
	readonly wordsPerRow: number;
	readonly binCount: Int32Array;
	readonly missingCount: Int32Array;
	readonly bounds: Float64Array;
	readonly order: readonly [Int32Array, Int32Array];
	/** Per row, its quantised gradient and hessian for this tree, packed into one float64 (quantise.ts). */
	readonly gh: Float64Array;
	/** Partition scratch: each chunk's left and right rows, at the chunk's own positions. */
	readonly leftOrder: Int32Array;
	readonly rightOrder: Int32Array;
	/**
	 * Per row, exp(-raw score). Trees change a score by adding a leaf value, which multiplies
	 * this by exp(-value), one exp per leaf; the gradients then need no exp per row (which was
	 * five sixths of their cost). It drifts from exp(-score) by a few ulps over a thousand trees.
	 */
	readonly negExp: Float64Array;
	/** The rows a subsampled tree did not train on, ascending (INT_OUT_OF_BAG of them). */
	readonly outOfBag: Int32Array;
	/** The tree just grown, for scoring the out-of-bag rows (TREE_I fields per node). */
	readonly treeI: Int32Array;
	readonly treeF: Float64Array;
	readonly label: Uint8Array;
	/** Per-row training weight (class weight included); empty when every weight is 1. */
	readonly weight: Float32Array;
	readonly ints: Int32Array;
	readonly floats: Float64Array;
	/** This tree's features, ascending (INT_ACTIVE of them). */
	readonly active: Int32Array;
	readonly jobsI: Int32Array;
	readonly blocksI: Int32Array;
	readonly jobsF: Float64Array;
	readonly chunksI: Int32Array;
	/** Most chunks one dispatch of row moves can list (chunksI holds this many). */
	readonly maxChunks: number;
	readonly chunkSums: Float64Array;
	readonly resultsF: Float64Array;
	readonly resultsI: Int32Array;
	/** Raw values per feature, for the binning task; dropped once binned. */
	columns: Float32Array[];
	sample: Int32Array | undefined;
	/** A view of each histogram slot; slots come in shared buffers of SLOTS_PER_BUFFER as trees need more. */
	readonly slots: Float64Array[];
}

/** Doubles per histogram slot: FEATURE_DOUBLES for every feature of the row words. */
export function histogramDoubles(s: { readonly wordsPerRow: number }): number {
	return 4 * s.wordsPerRow * FEATURE_DOUBLES;
}

/** Adds the views of a new buffer of SLOTS_PER_BUFFER histogram slots. */
export function addSlotViews(s: SharedState, buffer: SharedArrayBuffer): void {
	const doubles = histogramDoubles(s);
	for (let k = 0; k < SLOTS_PER_BUFFER; k++) s.slots.push(new Float64Array(buffer, 8 * k * doubles, doubles));
}

const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(8, bytes));

/** Row words per row: whole pairs, since the histogram loop reads two words at a time. */
function wordsPerRow(features: number): number {
	return 2 * Math.ceil(features / 8);
}

/** Most features a model can train on: the histogram loop's address arithmetic stays within 2^31. */
export const MAX_FEATURES = 100_000;

/** Allocates the shared buffers for `rows` x `features`, with room for `workers` acks. */
export function allocateShared(rows: number, features: number, weighted: boolean, withColumns: boolean, sampleSize: number): SharedDescriptor {
	if (features > MAX_FEATURES) throw new RangeError(`boosted trees train on at most ${MAX_FEATURES} features, got ${features}`);
	assertTrainableRows(rows);
	const maxChunks = Math.ceil(rows / MOVE_ROWS) + MAX_JOBS + 1;
	// A node has at most max(1, its rows / MIN_BLOCK_ROWS) blocks, and a dispatch's nodes share the rows.
	const maxBlocks = Math.ceil(rows / MIN_BLOCK_ROWS) + MAX_JOBS;
	const words = wordsPerRow(features);
	return {
		rows,
		features,
		maxChunks,
		maxBlocks,
		control: shared(4 * CTRL_WORDS),
		bins: shared(rows * features),
		rowWords: shared(4 * rows * words),
		binCount: shared(4 * features),
		missingCount: shared(4 * features),
		bounds: shared(8 * features * (MAX_VALUE_BINS + 1)),
		order: [shared(4 * rows), shared(4 * rows)],
		gh: shared(8 * rows),
		leftOrder: shared(4 * rows),
		rightOrder: shared(4 * rows),
		negExp: shared(8 * rows),
		// Pages never written (no subsampling) are never given memory.
		outOfBag: shared(4 * rows),
		treeI: shared(4 * TREE_I * MAX_TREE_NODES),
		treeF: shared(8 * MAX_TREE_NODES),
		label: shared(rows),
		weight: shared(weighted ? 4 * rows : 0),
		ints: shared(4 * 16),
		floats: shared(8 * 16),
		active: shared(4 * features),
		jobsI: shared(4 * JOB_I * MAX_JOBS),
		blocksI: shared(4 * BLOCK_I * maxBlocks),
		jobsF: shared(8 * JOB_F * MAX_JOBS),
		chunksI: shared(4 * CHUNK_I * maxChunks),
		chunkSums: shared(16 * maxChunks),
		resultsF: shared(8 * RESULT_F * MAX_JOBS * 2 * features),
		resultsI: shared(4 * RESULT_I * MAX_JOBS * 2 * features),
		columns: withColumns ? shared(4 * rows * features) : undefined,
		sample: withColumns && sampleSize > 0 ? shared(4 * sampleSize) : undefined,
	};
}

/** Typed views over a descriptor (main thread and workers alike). */
export function viewShared(d: SharedDescriptor): SharedState {
	const { rows, features } = d;
	const words = wordsPerRow(features);
	const columns: Float32Array[] = [];
	if (d.columns) for (let f = 0; f < features; f++) columns.push(new Float32Array(d.columns, 4 * f * rows, rows));
	return {
		rows,
		features,
		control: new Int32Array(d.control),
		bins: new Uint8Array(d.bins, 0, rows * features),
		rowWords: new Uint32Array(d.rowWords, 0, rows * words),
		wordsPerRow: words,
		binCount: new Int32Array(d.binCount, 0, features),
		missingCount: new Int32Array(d.missingCount, 0, features),
		bounds: new Float64Array(d.bounds),
		order: [new Int32Array(d.order[0], 0, rows), new Int32Array(d.order[1], 0, rows)],
		gh: new Float64Array(d.gh, 0, rows),
		leftOrder: new Int32Array(d.leftOrder, 0, rows),
		rightOrder: new Int32Array(d.rightOrder, 0, rows),
		negExp: new Float64Array(d.negExp, 0, rows),
		outOfBag: new Int32Array(d.outOfBag, 0, rows),
		treeI: new Int32Array(d.treeI),
		treeF: new Float64Array(d.treeF),
		label: new Uint8Array(d.label, 0, rows),
		weight: new Float32Array(d.weight, 0, d.weight.byteLength >= 4 * rows && rows > 0 ? rows : 0),
		ints: new Int32Array(d.ints),
		floats: new Float64Array(d.floats),
		active: new Int32Array(d.active),
		jobsI: new Int32Array(d.jobsI),
		blocksI: new Int32Array(d.blocksI),
		jobsF: new Float64Array(d.jobsF),
		chunksI: new Int32Array(d.chunksI),
		maxChunks: d.maxChunks,
		chunkSums: new Float64Array(d.chunkSums),
		resultsF: new Float64Array(d.resultsF),
		resultsI: new Int32Array(d.resultsI),
		columns,
		sample: d.sample ? new Int32Array(d.sample) : undefined,
		slots: [],
	};
}

/** Bin edges of feature `f` from the sampled rows, then its binned column. */
export function binFeatureTask(s: SharedState, f: number): void {
	const column = s.columns[f];
	const bounds = findBinEdges(sampleValues(column, s.sample), s.ints[INT_MAX_BINS]);
	s.bounds.set(bounds, f * (MAX_VALUE_BINS + 1));
	s.binCount[f] = bounds.length;
	s.missingCount[f] = binColumn(column, bounds, s.bins, f * s.rows);
}

/** Packs the bins of rows [c * CHUNK_ROWS, ...) into their row words (absent features as 0). */
export function packRowsTask(s: SharedState, c: number): void {
	const { rows, features, bins, rowWords, wordsPerRow } = s;
	const end = Math.min(rows, (c + 1) * CHUNK_ROWS);
	for (let r = c * CHUNK_ROWS; r < end; r++) {
		for (let q = 0; q < wordsPerRow; q++) {
			let word = 0;
			for (let k = 0; k < 4 && 4 * q + k < features; k++) word |= bins[(4 * q + k) * rows + r] << (8 * k);
			rowWords[r * wordsPerRow + q] = word >>> 0;
		}
	}
}

/**
 * Writes the features a tree may use (ascending) and the row-word pairs its histograms cover:
 * from the first active feature's pair to the last one's. The inactive features of those pairs
 * are counted too (reading a pair costs the same), but never read.
 */
export function writeActiveFeatures(s: SharedState, active: Int32Array): void {
	s.active.set(active);
	s.ints[INT_ACTIVE] = active.length;
	s.ints[INT_FIRST_PAIR] = active.length > 0 ? active[0] >>> 3 : 0;
	s.ints[INT_LAST_PAIR] = active.length > 0 ? (active[active.length - 1] >>> 3) + 1 : 0;
}
