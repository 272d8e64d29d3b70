/**
 * The hot loops of boosted-tree training and the shared memory they work on. The main thread
 * and the worker threads (worker.ts) see the same SharedArrayBuffers and run the same
 * tasks, so a result never depends on which thread ran a task: every histogram, every partial
 * sum and every row move is computed by exactly one task, in a fixed order.
 *
 * Memory layout, with n training rows and F features:
 * - `bins` Uint8 [F * n], column-major (see binning.ts); bin k_f of feature f is its missing bin.
 *   Partitions read it: they need one feature of many rows.
 * - `rowWords` Uint32 [n * W], W = 2 * ceil(F/8), row-major: the same bins four features to a
 *   word (word q of row r at r * W + q holds features 4q..4q+3, lowest byte first; features past
 *   the last read as bin 0). Histograms read it: they need every feature of a row, and a row's
 *   bins share one or two cache lines.
 * - two row buffers (`order`, `gh`): a tree node owns positions [begin, end) of one buffer,
 *   holding its row numbers and their gradient/hessian pairs (float32, interleaved). Splitting
 *   a node moves its rows, stably, into the same positions of the other buffer: left rows first.
 * - histograms: per node, the gradient and hessian sums per bin of every feature (padding
 *   features of the last words included), interleaved: bin b of feature f at
 *   f * FEATURE_DOUBLES + 2b and the next double, float64, one Float64Array view per slot.
 *   A fixed stride per feature lets the histogram loop compute every address from the word
 *   number, which V8 compiles to much faster code than addresses read from a table.
 * - blocks: a node's rows are cut into blocks of consecutive positions by its row count alone.
 *   Threads share a node by blocks, as XGBoost shares it by rows: each block is built into its
 *   own slot, reading each row's words once for all its features (one or two cache lines,
 *   where a split by features read a line per feature group), and the blocks are then added in
 *   block order, so the sums never depend on the thread count.
 */
import { binColumn, findBinEdges, sampleValues, MAX_VALUE_BINS } from '../binning';

/** What a dispatch asks every thread to do; tasks are numbered 0..count-1 within it. */
export const COMMAND = {
	bin: 1,
	gradients: 2,
	histograms: 3,
	splits: 4,
	partitionSplit: 5,
	partitionPlace: 6,
	updateScores: 7,
	updateSettledScores: 8,
	pack: 9,
	exit: 10,
} as const;

/** Rows per chunk for gradient tasks. Fixed, so that partial sums never depend on the thread count. */
export const CHUNK_ROWS = 8192;
/** Rows per chunk when moving rows (partition, score update): small enough to share a node between threads. */
export const MOVE_ROWS = 8192;
/** Features per split task: a task sums one node's blocks and finds its best splits for this many. */
export const GROUP_SIZE = 8;
/** Fewest rows in a histogram block; a node with fewer than twice this is built in one block. */
export const MIN_BLOCK_ROWS = 4096;
/** Most blocks of one node: enough to share a node between threads, few enough to add cheaply. */
export const MAX_BLOCKS = 8;
/** Doubles per feature in a histogram: a gradient and a hessian sum for each of up to 256 bins. */
export const FEATURE_DOUBLES = 2 * (MAX_VALUE_BINS + 1);
/** Histogram slots per shared buffer; slots are added in buffers of this many as trees need them. */
export const SLOTS_PER_BUFFER = 8;
/** Most jobs (nodes) in one dispatch; longer lists go in several dispatches. */
export const MAX_JOBS = 512;

// Control words (Int32). A dispatch's tasks are claimed from CTRL_NEXT, which holds the
// dispatch's tag (generation mod TAG_LIMIT) in its top bits and the next task below, so a
// thread that wakes late for an old dispatch can never claim a task of a newer one.
export const CTRL_GENERATION = 0;
export const CTRL_COMMAND = 1;
export const CTRL_TASKS = 2;
export const CTRL_NEXT = 3;
export const CTRL_ERROR = 4;
export const CTRL_READY = 5;
export const CTRL_DONE = 6;
export const CTRL_WORDS = 8;
/** Bits of CTRL_NEXT that count tasks; a dispatch has fewer than 2^TASK_BITS tasks. */
export const TASK_BITS = 20;
export const MAX_TASKS = (1 << TASK_BITS) - 1;
/** Dispatch tags cycle below this; the tag TAG_LIMIT itself marks "no dispatch open". */
export const TAG_LIMIT = 0x7ff;
export const CLOSED = TAG_LIMIT << TASK_BITS;

/** The task-counter word that opens dispatch `generation` at task 0. */
export function openWord(generation: number): number {
	return (generation % TAG_LIMIT) << TASK_BITS;
}

/**
 * Claims the next task of dispatch `generation` for this thread: its number, or -1 when the
 * dispatch has no task left (or is no longer the open one).
 */
export function claimTask(control: Int32Array, generation: number, tasks: number): number {
	const tag = generation % TAG_LIMIT;
	for (;;) {
		const word = Atomics.load(control, CTRL_NEXT);
		if (word >>> TASK_BITS !== tag) return -1;
		const task = word & MAX_TASKS;
		if (task >= tasks) return -1;
		if (Atomics.compareExchange(control, CTRL_NEXT, word, word + 1) === word) return task;
	}
}

/** Sleeps until control[index] is no longer `value`. */
export function waitWhile(control: Int32Array, index: number, value: number): void {
	while (Atomics.load(control, index) === value) Atomics.wait(control, index, value, 1000);
}

/** Counts a finished task and wakes the main thread when it was the dispatch's last. */
export function finishTask(control: Int32Array, tasks: number): void {
	if (Atomics.add(control, CTRL_DONE, 1) + 1 === tasks) Atomics.notify(control, CTRL_DONE);
}

// Integer parameters (ints).
export const INT_POSITIONS = 0; // rows in the tree's sample (positions 0..m-1 of buffer 0)
export const INT_IDENTITY = 1; // 1 when the sample is every row, so position = row
export const INT_ACTIVE = 2; // features this tree may split on (listed in `active`)
export const INT_MAX_BINS = 3;
export const INT_FIRST_PAIR = 4; // histograms cover row-word pairs [first, last): every active feature's pair
export const INT_LAST_PAIR = 5;
// Float parameters (floats).
export const FLOAT_LAMBDA = 0;
export const FLOAT_MIN_CHILD_WEIGHT = 1;

// Histogram job fields (jobsI / jobsF): build the smaller child, derive the larger from its parent.
export const JOB_I = 10;
export const JOB_BUFFER = 0;
export const JOB_BEGIN = 1;
export const JOB_END = 2;
export const JOB_SMALL_SLOT = 3;
export const JOB_PARENT_SLOT = 4; // -1: no parent histogram, build the small node only
export const JOB_SMALL_SPLITTABLE = 5;
export const JOB_LARGE_SPLITTABLE = 6;
export const JOB_FIRST_BLOCK = 7; // the job's blocks are blocksI entries FIRST .. FIRST + BLOCKS - 1
export const JOB_BLOCKS = 8;
export const JOB_F = 4;
export const JOB_SMALL_G = 0;
export const JOB_SMALL_H = 1;
export const JOB_LARGE_G = 2;
export const JOB_LARGE_H = 3;

// Partition node fields (jobsI, reused): the node's range and its split.
export const SPLIT_BUFFER = 0;
export const SPLIT_BEGIN = 1;
export const SPLIT_END = 2;
export const SPLIT_FEATURE = 3;
export const SPLIT_BIN = 4;
export const SPLIT_MISSING_LEFT = 5;
// Settled split values (jobsF, reused): the leaf values of its two children.
export const SETTLED_LEFT_VALUE = 0;
export const SETTLED_RIGHT_VALUE = 1;

// Chunk fields (chunksI): a range of one node's positions.
export const CHUNK_I = 6;
export const CHUNK_JOB = 0; // partition: the node (job) it belongs to; update: its buffer
export const CHUNK_BEGIN = 1;
export const CHUNK_END = 2;
export const CHUNK_LEFT_COUNT = 3; // partition: rows going left (written by the count pass)
export const CHUNK_LEFT_TO = 4; // partition: where its left rows go, then its right rows
export const CHUNK_RIGHT_TO = 5;

// Block fields (blocksI): positions [begin, end) of a job's smaller child, built into `slot`.
export const BLOCK_I = 4;
export const BLOCK_JOB = 0;
export const BLOCK_BEGIN = 1;
export const BLOCK_END = 2;
export const BLOCK_SLOT = 3;

// Split results, per (job, side, feature): gain, left gradient, left hessian | bin, missing-left.
export const RESULT_F = 3;
export const RESULT_I = 2;

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
	readonly gh: readonly [SharedArrayBuffer, SharedArrayBuffer];
	readonly leftOrder: SharedArrayBuffer;
	readonly rightOrder: SharedArrayBuffer;
	readonly leftPairs: SharedArrayBuffer;
	readonly rightPairs: SharedArrayBuffer;
	readonly negExp: SharedArrayBuffer;
	readonly label: SharedArrayBuffer;
	readonly weight: SharedArrayBuffer;
	readonly ints: SharedArrayBuffer;
	readonly floats: SharedArrayBuffer;
	readonly active: SharedArrayBuffer;
	readonly jobsI: SharedArrayBuffer;
	readonly blocksI: SharedArrayBuffer;
	readonly jobsF: SharedArrayBuffer;
	readonly chunksI: SharedArrayBuffer;
	readonly chunksF: SharedArrayBuffer;
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
	readonly gh: readonly [Float32Array, Float32Array];
	/**
	 * The same gradient pairs seen as one float64 each, to move a pair in one load and store.
	 * Safe because the high half is the hessian, a finite float32 of 0 or more, so the float64
	 * is never a NaN whose bits an engine might rewrite.
	 */
	readonly ghPairs: readonly [Float64Array, Float64Array];
	/** Partition scratch: each chunk's left and right rows (and pairs), at the chunk's own positions. */
	readonly leftOrder: Int32Array;
	readonly rightOrder: Int32Array;
	readonly leftPairs: Float64Array;
	readonly rightPairs: Float64Array;
	/**
	 * Per row, exp(-raw score). Trees change a score by adding a leaf value, which multiplies
	 * this by exp(-value), one exp per leaf; the gradients then need no exp per row (which was
	 * five sixths of their cost). It drifts from exp(-score) by a few ulps over a thousand trees.
	 */
	readonly negExp: Float64Array;
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
	readonly chunksF: Float64Array;
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
		gh: [shared(8 * rows), shared(8 * rows)],
		leftOrder: shared(4 * rows),
		rightOrder: shared(4 * rows),
		leftPairs: shared(8 * rows),
		rightPairs: shared(8 * rows),
		negExp: shared(8 * rows),
		label: shared(rows),
		weight: shared(weighted ? 4 * rows : 0),
		ints: shared(4 * 16),
		floats: shared(8 * 16),
		active: shared(4 * features),
		jobsI: shared(4 * JOB_I * MAX_JOBS),
		blocksI: shared(4 * BLOCK_I * maxBlocks),
		jobsF: shared(8 * JOB_F * MAX_JOBS),
		chunksI: shared(4 * CHUNK_I * maxChunks),
		chunksF: shared(8 * maxChunks),
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
		gh: [new Float32Array(d.gh[0], 0, 2 * rows), new Float32Array(d.gh[1], 0, 2 * rows)],
		ghPairs: [new Float64Array(d.gh[0], 0, rows), new Float64Array(d.gh[1], 0, rows)],
		leftOrder: new Int32Array(d.leftOrder, 0, rows),
		rightOrder: new Int32Array(d.rightOrder, 0, rows),
		leftPairs: new Float64Array(d.leftPairs, 0, rows),
		rightPairs: new Float64Array(d.rightPairs, 0, rows),
		negExp: new Float64Array(d.negExp, 0, rows),
		label: new Uint8Array(d.label, 0, rows),
		weight: new Float32Array(d.weight, 0, d.weight.byteLength >= 4 * rows && rows > 0 ? rows : 0),
		ints: new Int32Array(d.ints),
		floats: new Float64Array(d.floats),
		active: new Int32Array(d.active),
		jobsI: new Int32Array(d.jobsI),
		blocksI: new Int32Array(d.blocksI),
		jobsF: new Float64Array(d.jobsF),
		chunksI: new Int32Array(d.chunksI),
		chunksF: new Float64Array(d.chunksF),
		chunkSums: new Float64Array(d.chunkSums),
		resultsF: new Float64Array(d.resultsF),
		resultsI: new Int32Array(d.resultsI),
		columns,
		sample: d.sample ? new Int32Array(d.sample) : undefined,
		slots: [],
	};
}

/** Runs task `task` of `command` on the shared state: the one entry point of every thread. */
export function runTask(s: SharedState, command: number, task: number): void {
	switch (command) {
		case COMMAND.bin:
			return binFeatureTask(s, task);
		case COMMAND.gradients:
			return gradientTask(s, task);
		case COMMAND.histograms:
			return histogramBlockTask(s, task);
		case COMMAND.splits:
			return splitTask(s, task);
		case COMMAND.partitionSplit:
			return partitionSplitTask(s, task);
		case COMMAND.partitionPlace:
			return partitionPlaceTask(s, task);
		case COMMAND.updateScores:
			return updateScoresTask(s, task);
		case COMMAND.updateSettledScores:
			return updateSettledScoresTask(s, task);
		case COMMAND.pack:
			return packRowsTask(s, task);
		default:
			throw new Error(`unknown boosting command ${command}`);
	}
}

/** Bin edges of feature `f` from the sampled rows, then its binned column. */
function binFeatureTask(s: SharedState, f: number): void {
	const column = s.columns[f];
	const bounds = findBinEdges(sampleValues(column, s.sample), s.ints[INT_MAX_BINS]);
	s.bounds.set(bounds, f * (MAX_VALUE_BINS + 1));
	s.binCount[f] = bounds.length;
	s.missingCount[f] = binColumn(column, bounds, s.bins, f * s.rows);
}

/** Packs the bins of rows [c * CHUNK_ROWS, ...) into their row words (absent features as 0). */
function packRowsTask(s: SharedState, c: number): void {
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

/**
 * Logistic-loss gradients and hessians of chunk `c` of the sample (positions of buffer 0),
 * with the chunk's sums written to chunkSums in the precision the histograms will see.
 */
function gradientTask(s: SharedState, c: number): void {
	const begin = c * CHUNK_ROWS;
	const end = Math.min(begin + CHUNK_ROWS, s.ints[INT_POSITIONS]);
	const identity = s.ints[INT_IDENTITY] === 1;
	const order = s.order[0];
	const gh = s.gh[0];
	const { negExp, label, weight } = s;
	const weighted = weight.length > 0;
	let sumG = 0;
	let sumH = 0;
	for (let i = begin; i < end; i++) {
		let r = i;
		if (identity) order[i] = i;
		else r = order[i];
		const p = 1 / (1 + negExp[r]);
		const w = weighted ? weight[r] : 1;
		const g = Math.fround((p - label[r]) * w);
		const h = Math.fround(Math.max(p * (1 - p), 1e-16) * w);
		gh[2 * i] = g;
		gh[2 * i + 1] = h;
		sumG += g;
		sumH += h;
	}
	s.chunkSums[2 * c] = sumG;
	s.chunkSums[2 * c + 1] = sumH;
}

/**
 * Task (block): the histogram of one block of a job's smaller child, for every feature of the
 * covered row-word pairs, into the block's slot.
 */
function histogramBlockTask(s: SharedState, block: number): void {
	const bi = block * BLOCK_I;
	const buffer = s.jobsI[s.blocksI[bi + BLOCK_JOB] * JOB_I + JOB_BUFFER];
	const hist = s.slots[s.blocksI[bi + BLOCK_SLOT]];
	const firstPair = s.ints[INT_FIRST_PAIR];
	const lastPair = s.ints[INT_LAST_PAIR];
	for (let f = 8 * firstPair; f < 8 * lastPair; f++) {
		// Only bins a row can fall in: value bins and the missing bin (padding features: bin 0).
		const bins = f < s.features ? s.binCount[f] + 1 : 1;
		hist.fill(0, f * FEATURE_DOUBLES, f * FEATURE_DOUBLES + 2 * bins);
	}
	histogramRows(hist, firstPair, lastPair, s.rowWords, s.wordsPerRow, s.order[buffer], s.gh[buffer], s.blocksI[bi + BLOCK_BEGIN], s.blocksI[bi + BLOCK_END]);
}

/**
 * Adds the gradient pair of each position in [begin, end) to the bins of its row's features in
 * row-word pairs [firstPair, lastPair), eight features a pass of the inner loop. The masks
 * only tell V8 the ranges (no value changes): with them it proves the address sums cannot
 * overflow and drops a check from each, which made this loop a fifth faster.
 */
function histogramRows(
	hist: Float64Array,
	firstPair: number,
	lastPair: number,
	rowWords: Uint32Array,
	wordsPerRow: number,
	order: Int32Array,
	gh: Float32Array,
	begin: number,
	end: number,
): void {
	for (let i = begin; i < end; i++) {
		const row = order[i] * wordsPerRow;
		const g = gh[2 * i];
		const h = gh[2 * i + 1];
		for (let k = firstPair; k < lastPair; k++) {
			const u = rowWords[row + 2 * k];
			const v = rowWords[row + 2 * k + 1];
			// Feature 8k's bins start at 8k * FEATURE_DOUBLES = k << 12; each byte b lands at 2b.
			const o = (k & 0xffff) << 12;
			let b = o + ((u & 255) << 1);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 512 + ((u >>> 7) & 510);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 1024 + ((u >>> 15) & 510);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 1536 + ((u >>> 23) & 510);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 2048 + ((v & 255) << 1);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 2560 + ((v >>> 7) & 510);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 3072 + ((v >>> 15) & 510);
			hist[b] += g;
			hist[b + 1] += h;
			b = o + 3584 + ((v >>> 23) & 510);
			hist[b] += g;
			hist[b + 1] += h;
		}
	}
}

/**
 * Task (job, group of GROUP_SIZE active features): adds the job's other blocks into its first
 * (the smaller child's slot) in block order, derives the larger child's histogram by
 * subtraction from the parent (in the parent's slot), then finds each child's best split on
 * each feature of the group.
 */
function splitTask(s: SharedState, task: number): void {
	const activeCount = s.ints[INT_ACTIVE];
	const groups = Math.ceil(activeCount / GROUP_SIZE);
	const job = Math.floor(task / groups);
	const first = (task - job * groups) * GROUP_SIZE;
	const last = Math.min(activeCount, first + GROUP_SIZE);
	const ji = job * JOB_I;
	const firstBlock = s.jobsI[ji + JOB_FIRST_BLOCK];
	const blocks = s.jobsI[ji + JOB_BLOCKS];
	const smallSlot = s.jobsI[ji + JOB_SMALL_SLOT];
	const parentSlot = s.jobsI[ji + JOB_PARENT_SLOT];
	const small = s.slots[smallSlot];
	const lambda = s.floats[FLOAT_LAMBDA];
	const minChildWeight = s.floats[FLOAT_MIN_CHILD_WEIGHT];
	const smallSplittable = s.jobsI[ji + JOB_SMALL_SPLITTABLE] === 1;
	const largeSplittable = s.jobsI[ji + JOB_LARGE_SPLITTABLE] === 1;
	const jf = job * JOB_F;
	for (let a = first; a < last; a++) {
		const f = s.active[a];
		const at = f * FEATURE_DOUBLES;
		const end = at + 2 * (s.binCount[f] + 1);
		for (let b = 1; b < blocks; b++) {
			const other = s.slots[s.blocksI[(firstBlock + b) * BLOCK_I + BLOCK_SLOT]];
			for (let i = at; i < end; i++) small[i] += other[i];
		}
		if (parentSlot >= 0) {
			const parent = s.slots[parentSlot];
			for (let i = at; i < end; i++) parent[i] -= small[i];
			if (largeSplittable) {
				bestSplitOfFeature(
					s,
					parent,
					at,
					s.binCount[f],
					s.jobsF[jf + JOB_LARGE_G],
					s.jobsF[jf + JOB_LARGE_H],
					lambda,
					minChildWeight,
					(job * 2 + 1) * s.features + f,
				);
			}
		}
		if (smallSplittable) {
			bestSplitOfFeature(
				s,
				small,
				at,
				s.binCount[f],
				s.jobsF[jf + JOB_SMALL_G],
				s.jobsF[jf + JOB_SMALL_H],
				lambda,
				minChildWeight,
				job * 2 * s.features + f,
			);
		}
	}
}

/**
 * The best split of one node on one feature from its histogram (k value bins then the missing
 * bin, each a gradient sum and a hessian sum, from `base`), trying every threshold with
 * missing values sent right, then left. The gain is XGBoost's:
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); both children need a hessian of at least
 * minChildWeight. Ties keep the first (lowest bin, missing right). With no missing rows in the
 * node, missing values go to the child with more cover. Writes -Infinity when no split is valid.
 */
export function bestSplitOfFeature(
	s: SharedState,
	hist: Float64Array,
	base: number,
	k: number,
	totalG: number,
	totalH: number,
	lambda: number,
	minChildWeight: number,
	result: number,
): void {
	// A child lighter than this is rounding noise, not rows.
	const minHess = Math.max(minChildWeight, totalH * 1e-9);
	const missG = hist[base + 2 * k];
	const missH = hist[base + 2 * k + 1];
	const hasMissing = missH > 0;
	const parentScore = (totalG * totalG) / (totalH + lambda);
	let bestGain = -Infinity;
	let bestBin = -1;
	let bestMissingLeft = 0;
	let bestG = 0;
	let bestH = 0;
	let gl = 0;
	let hl = 0;
	for (let b = 0; b < k; b++) {
		const h = hist[base + 2 * b + 1];
		// An empty bin moves no rows: its thresholds equal the previous bin's, which won ties already.
		if (h === 0 && b > 0) continue;
		gl += hist[base + 2 * b];
		hl += h;
		// Missing right: the last bin would send every present row left, only worth it with missing rows.
		if (b < k - 1 || hasMissing) {
			const hr = totalH - hl;
			if (hl >= minHess && hr >= minHess) {
				const gr = totalG - gl;
				const gain = (gl * gl) / (hl + lambda) + (gr * gr) / (hr + lambda) - parentScore;
				if (gain > bestGain) {
					bestGain = gain;
					bestBin = b;
					bestMissingLeft = 0;
					bestG = gl;
					bestH = hl;
				}
			}
		}
		if (hasMissing && b < k - 1) {
			const gl2 = gl + missG;
			const hl2 = hl + missH;
			const hr = totalH - hl2;
			if (hl2 >= minHess && hr >= minHess) {
				const gr = totalG - gl2;
				const gain = (gl2 * gl2) / (hl2 + lambda) + (gr * gr) / (hr + lambda) - parentScore;
				if (gain > bestGain) {
					bestGain = gain;
					bestBin = b;
					bestMissingLeft = 1;
					bestG = gl2;
					bestH = hl2;
				}
			}
		}
	}
	if (!hasMissing && bestBin >= 0) bestMissingLeft = bestH >= totalH - bestH ? 1 : 0;
	s.resultsF[RESULT_F * result] = bestGain;
	s.resultsF[RESULT_F * result + 1] = bestG;
	s.resultsF[RESULT_F * result + 2] = bestH;
	s.resultsI[RESULT_I * result] = bestBin;
	s.resultsI[RESULT_I * result + 1] = bestMissingLeft;
}

/**
 * 1 when a row with bin b goes left at a split after `splitBin`, else 0. Sign-bit arithmetic,
 * not comparisons: V8 compiles those to branches, and the side of a row is a coin flip to the
 * processor (the mispredictions made the partition five times slower).
 */
function sideOf(b: number, splitBin: number, missing: number, missingLeft: number): number {
	const atOrBelow = ((splitBin - b) >>> 31) ^ 1;
	const isMissing = ((b ^ missing) - 1) >>> 31;
	return atOrBelow | (isMissing & missingLeft);
}

/**
 * First pass of a partition: splits the chunk's rows (with their gradient pairs) into its
 * left rows and its right rows, each kept in order at the chunk's own positions of the left
 * and right scratch buffers, and counts the left ones. Every row is written to both buffers
 * and only one write pointer advances, so there is no branch on the side.
 */
function partitionSplitTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const node = s.chunksI[ci + CHUNK_JOB] * JOB_I;
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const from = s.jobsI[node + SPLIT_BUFFER];
	const order = s.order[from];
	const pairs = s.ghPairs[from];
	const f = s.jobsI[node + SPLIT_FEATURE];
	const splitBin = s.jobsI[node + SPLIT_BIN];
	const missing = s.binCount[f];
	const missingLeft = s.jobsI[node + SPLIT_MISSING_LEFT];
	const column = f * s.rows;
	const { bins, leftOrder, rightOrder, leftPairs, rightPairs } = s;
	let l = begin;
	let r = begin;
	for (let i = begin; i < end; i++) {
		const row = order[i];
		const pair = pairs[i];
		const goesLeft = sideOf(bins[column + row], splitBin, missing, missingLeft);
		leftOrder[l] = row;
		leftPairs[l] = pair;
		rightOrder[r] = row;
		rightPairs[r] = pair;
		l += goesLeft;
		r += 1 - goesLeft;
	}
	s.chunksI[ci + CHUNK_LEFT_COUNT] = l - begin;
}

/** Second pass: copies the chunk's left and right rows to their places in the other buffer. */
function partitionPlaceTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const node = s.chunksI[ci + CHUNK_JOB] * JOB_I;
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const to = 1 - s.jobsI[node + SPLIT_BUFFER];
	const left = s.chunksI[ci + CHUNK_LEFT_COUNT];
	const leftTo = s.chunksI[ci + CHUNK_LEFT_TO];
	const rightTo = s.chunksI[ci + CHUNK_RIGHT_TO];
	s.order[to].set(s.leftOrder.subarray(begin, begin + left), leftTo);
	s.ghPairs[to].set(s.leftPairs.subarray(begin, begin + left), leftTo);
	s.order[to].set(s.rightOrder.subarray(begin, end - left), rightTo);
	s.ghPairs[to].set(s.rightPairs.subarray(begin, end - left), rightTo);
}

/** Adds a leaf's value to the score of each row in the chunk (a range of the leaf's positions): chunksF holds exp(-value). */
function updateScoresTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const order = s.order[s.chunksI[ci + CHUNK_JOB]];
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const value = s.chunksF[c];
	const negExp = s.negExp;
	for (let i = begin; i < end; i++) negExp[order[i]] *= value;
}

/** Adds a settled split's left or right leaf value to each row of the chunk, deciding the side from the bins. */
function updateSettledScoresTask(s: SharedState, c: number): void {
	const ci = c * CHUNK_I;
	const job = s.chunksI[ci + CHUNK_JOB];
	const node = job * JOB_I;
	const begin = s.chunksI[ci + CHUNK_BEGIN];
	const end = s.chunksI[ci + CHUNK_END];
	const order = s.order[s.jobsI[node + SPLIT_BUFFER]];
	const f = s.jobsI[node + SPLIT_FEATURE];
	const splitBin = s.jobsI[node + SPLIT_BIN];
	const missing = s.binCount[f];
	const missingLeft = s.jobsI[node + SPLIT_MISSING_LEFT];
	// exp(-value) of each side, indexed by "goes left", so the choice needs no branch.
	const factors = Float64Array.of(Math.exp(-s.jobsF[job * JOB_F + SETTLED_RIGHT_VALUE]), Math.exp(-s.jobsF[job * JOB_F + SETTLED_LEFT_VALUE]));
	const column = f * s.rows;
	const { bins, negExp } = s;
	for (let i = begin; i < end; i++) {
		const r = order[i];
		negExp[r] *= factors[sideOf(bins[column + r], splitBin, missing, missingLeft)];
	}
}
