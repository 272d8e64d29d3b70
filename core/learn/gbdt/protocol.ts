/**
 * How the main thread and the worker threads of boosted-tree training talk: the commands of a
 * dispatch, the sizes that fix how work is cut into tasks (fixed, so no result depends on the
 * thread count), the control words through which tasks are claimed and finished, and the
 * layout of the parameter, job, chunk, block and result fields in shared memory.
 */
import { MAX_VALUE_BINS } from '../binning';

/** What a dispatch asks every thread to do; tasks are numbered 0..count-1 within it. */
export const COMMAND = {
	bin: 1,
	gradients: 2,
	histograms: 3,
	splits: 4,
	partitionSplit: 5,
	partitionPlace: 6,
	updateScores: 7,
	pack: 8,
	exit: 9,
} as const;

/** Rows per chunk for gradient tasks. Fixed, so that partial sums never depend on the thread count. */
export const CHUNK_ROWS = 8192;
/** Rows per chunk when moving rows (partition): small enough to share a node between threads. */
export const MOVE_ROWS = 8192;
/**
 * Rows per task of a score update: a range whose scores and bins stay in cache, and a multiple
 * of 8, so two tasks never write the same cache line of scores.
 */
export const UPDATE_ROWS = 32768;
/** Features per split task: a task sums one node's blocks and finds its best splits for this many. */
export const GROUP_SIZE = 8;
/** Fewest rows in a histogram block; a node with fewer than twice this is built in one block. */
export const MIN_BLOCK_ROWS = 4096;
/** Most blocks of one node: enough to share a node between threads, few enough to add cheaply. */
export const MAX_BLOCKS = 8;
/** Doubles per feature in a histogram: one packed gradient and hessian sum (quantise.ts) for each of up to 256 bins. */
export const FEATURE_DOUBLES = MAX_VALUE_BINS + 1;
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
export const INT_UPDATE_NODES = 6; // score update: nodes listed in jobsI / jobsF
export const INT_OUT_OF_BAG = 7; // score update: rows listed in outOfBag, scored by walking the tree in treeI / treeF
export const INT_TREE_SEED = 8; // gradients: the seed of this tree's stochastic rounding (quantise.ts)
// Float parameters (floats).
export const FLOAT_LAMBDA = 0;
export const FLOAT_MIN_CHILD_WEIGHT = 1;
// Quantised gradients (quantise.ts): the gradient and hessian units, and the packing factor.
export const FLOAT_GRADIENT_STEP = 2;
export const FLOAT_HESSIAN_STEP = 3;
export const FLOAT_PACK = 4;

// Histogram job fields (jobsI / jobsF): build the smaller child, derive the larger from its parent.
// The gradient and hessian sums of jobsF, like every node's sums, are in quantised units.
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
// Score update nodes (jobsI, reused as above; SPLIT_FEATURE -1 for a leaf), and (jobsF)
// exp(-value) of the leaf, or of a settled split's left and right leaves.
export const UPDATE_LEFT_FACTOR = 0;
export const UPDATE_RIGHT_FACTOR = 1;

// Tree fields (treeI), per node of the tree just grown (feature -1 for a leaf); treeF holds
// each leaf's exp(-value).
export const TREE_I = 5;
export const TREE_FEATURE = 0;
export const TREE_BIN = 1;
export const TREE_MISSING_LEFT = 2;
export const TREE_LEFT = 3;
export const TREE_RIGHT = 4;
/**
 * Most nodes of a tree whose out-of-bag rows the score-update tasks walk it for (depth 11
 * complete); a larger tree's are walked on the main thread.
 */
export const MAX_TREE_NODES = 4095;

// Chunk fields (chunksI): a range of one node's positions.
export const CHUNK_I = 6;
export const CHUNK_JOB = 0; // partition: the node (job) it belongs to
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

// Split results, per (job, side, feature): gain, left gradient, left hessian (in units) | bin, missing-left.
export const RESULT_F = 3;
export const RESULT_I = 2;
