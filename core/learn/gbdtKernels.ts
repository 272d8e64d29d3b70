/**
 * The hot loops of boosted-tree training and the shared memory they work on. The main thread
 * and the worker threads (gbdtWorker.ts) see the same SharedArrayBuffers and run the same
 * tasks, so a result never depends on which thread ran a task: every histogram, every partial
 * sum and every row move is computed by exactly one task, in a fixed order.
 *
 * Memory layout, with n training rows and F features:
 * - `bins` Uint8 [F * n], column-major (see binning.ts); bin k_f of feature f is its missing bin.
 * - `packed` Uint32 [ceil(F/4) * n]: the same bins four features to a word (word q of row r
 *   at q * n + r holds features 4q..4q+3, lowest byte first), so a histogram pass reads one
 *   word per row for four features instead of four bytes from four columns.
 * - two row buffers (`order`, `gh`): a tree node owns positions [begin, end) of one buffer,
 *   holding its row numbers and their gradient/hessian pairs (float32, interleaved). Splitting
 *   a node moves its rows, stably, into the same positions of the other buffer: left rows first.
 * - histograms: per node, the gradient sum per bin of every feature (feature f's bins from
 *   `histOffset[f]`), then the hessian sums in the same layout: float64, in slots of
 *   histogramDoubles(state) each.
 */
import { binColumn, findBinEdges, sampleValues, MAX_VALUE_BINS } from './binning';

/** What a dispatch asks every thread to do; tasks are numbered 0..count-1 within it. */
export const COMMAND = {
	bin: 1,
	gradients: 2,
	histograms: 3,
	partitionSplit: 4,
	partitionPlace: 5,
	updateScores: 6,
	updateSettledScores: 7,
	pack: 8,
	exit: 9,
} as const;

/** Rows per chunk for gradient tasks. Fixed, so that partial sums never depend on the thread count. */
export const CHUNK_ROWS = 8192;
/** Rows per chunk when moving rows (partition, score update): small enough to share a node between threads. */
export const MOVE_ROWS = 8192;
/** Most features a histogram task builds: two packed words, or up to eight single columns. */
export const GROUP_SIZE = 8;
/** Group fields: kind, item count, then up to GROUP_SIZE items (packed words or features). */
export const GROUP_FIELDS = 2 + GROUP_SIZE;
/** A group of one or two packed words (four features each), read a word per row. */
export const GROUP_PACKED = 0;
/** A group of single feature columns, read a byte per row each. */
export const GROUP_COLUMNS = 1;
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
export const INT_GROUPS = 2; // feature groups in this histogram dispatch
export const INT_MAX_BINS = 3;
export const INT_JOBS = 4;
// Float parameters (floats).
export const FLOAT_LAMBDA = 0;
export const FLOAT_MIN_CHILD_WEIGHT = 1;

// Histogram job fields (jobsI / jobsF): build the smaller child, derive the larger from its parent.
export const JOB_I = 8;
export const JOB_BUFFER = 0;
export const JOB_BEGIN = 1;
export const JOB_END = 2;
export const JOB_SMALL_SLOT = 3;
export const JOB_PARENT_SLOT = 4; // -1: no parent histogram, build the small node only
export const JOB_SMALL_SPLITTABLE = 5;
export const JOB_LARGE_SPLITTABLE = 6;
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

// Split results, per (job, side, feature): gain, left gradient, left hessian | bin, missing-left.
export const RESULT_F = 3;
export const RESULT_I = 2;

/** The SharedArrayBuffers of one training run and its sizes: what a worker is started with. */
export interface SharedDescriptor {
	readonly rows: number;
	readonly features: number;
	readonly maxChunks: number;
	readonly control: SharedArrayBuffer;
	readonly bins: SharedArrayBuffer;
	readonly packed: SharedArrayBuffer;
	readonly binCount: SharedArrayBuffer;
	readonly missingCount: SharedArrayBuffer;
	readonly histOffset: SharedArrayBuffer;
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
	readonly groups: SharedArrayBuffer;
	readonly jobsI: SharedArrayBuffer;
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
	readonly packed: Uint32Array;
	readonly binCount: Int32Array;
	readonly missingCount: Int32Array;
	readonly histOffset: Int32Array;
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
	readonly groups: Int32Array;
	readonly jobsI: Int32Array;
	readonly jobsF: Float64Array;
	readonly chunksI: Int32Array;
	readonly chunksF: Float64Array;
	readonly chunkSums: Float64Array;
	readonly resultsF: Float64Array;
	readonly resultsI: Int32Array;
	/** Raw values per feature, for the binning task; dropped once binned. */
	columns: Float32Array[];
	sample: Int32Array | undefined;
	/** Histogram slot buffers, SLOTS_PER_BUFFER slots each; grows as trees need more. */
	readonly slotBuffers: Float64Array[];
}

/** Doubles per histogram slot: two per bin of every feature (missing bins included), once binned. */
export function histogramDoubles(s: SharedState): number {
	return 2 * s.histOffset[s.features];
}

const shared = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(8, bytes));

/** Allocates the shared buffers for `rows` x `features`, with room for `workers` acks. */
export function allocateShared(rows: number, features: number, weighted: boolean, withColumns: boolean, sampleSize: number): SharedDescriptor {
	const maxChunks = Math.ceil(rows / MOVE_ROWS) + MAX_JOBS + 1;
	return {
		rows,
		features,
		maxChunks,
		control: shared(4 * CTRL_WORDS),
		bins: shared(rows * features),
		packed: shared(4 * rows * Math.ceil(features / 4)),
		binCount: shared(4 * features),
		missingCount: shared(4 * features),
		histOffset: shared(4 * (features + 1)),
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
		groups: shared(4 * GROUP_FIELDS * Math.ceil(features / 2)),
		jobsI: shared(4 * JOB_I * MAX_JOBS),
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
	const columns: Float32Array[] = [];
	if (d.columns) for (let f = 0; f < features; f++) columns.push(new Float32Array(d.columns, 4 * f * rows, rows));
	return {
		rows,
		features,
		control: new Int32Array(d.control),
		bins: new Uint8Array(d.bins, 0, rows * features),
		packed: new Uint32Array(d.packed, 0, rows * Math.ceil(features / 4)),
		binCount: new Int32Array(d.binCount, 0, features),
		missingCount: new Int32Array(d.missingCount, 0, features),
		histOffset: new Int32Array(d.histOffset, 0, features + 1),
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
		groups: new Int32Array(d.groups),
		jobsI: new Int32Array(d.jobsI),
		jobsF: new Float64Array(d.jobsF),
		chunksI: new Int32Array(d.chunksI),
		chunksF: new Float64Array(d.chunksF),
		chunkSums: new Float64Array(d.chunkSums),
		resultsF: new Float64Array(d.resultsF),
		resultsI: new Int32Array(d.resultsI),
		columns,
		sample: d.sample ? new Int32Array(d.sample) : undefined,
		slotBuffers: [],
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
			return histogramTask(s, task);
		case COMMAND.partitionSplit:
			return partitionSplitTask(s, task);
		case COMMAND.partitionPlace:
			return partitionPlaceTask(s, task);
		case COMMAND.updateScores:
			return updateScoresTask(s, task);
		case COMMAND.updateSettledScores:
			return updateSettledScoresTask(s, task);
		case COMMAND.pack:
			return packWordTask(s, task);
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

/** Packs word q: the bins of features 4q..4q+3 of every row into one Uint32 (absent features as 0). */
function packWordTask(s: SharedState, q: number): void {
	const { rows, bins, packed } = s;
	const columns = [0, 1, 2, 3].map((k) => (4 * q + k < s.features ? (4 * q + k) * rows : -1));
	const out = q * rows;
	for (let r = 0; r < rows; r++) {
		let word = 0;
		for (let k = 0; k < 4; k++) if (columns[k] >= 0) word |= bins[columns[k] + r] << (8 * k);
		packed[out + r] = word >>> 0;
	}
}

/**
 * Writes the histogram groups for the features a tree may use: words whose four features are
 * all active are read packed, two words a group; the other active features are read column by
 * column, up to eight a group. Returns the number of groups.
 */
export function writeGroups(s: SharedState, active: Int32Array): number {
	const isActive = new Uint8Array(s.features);
	for (const f of active) isActive[f] = 1;
	const words: number[] = [];
	const columns: number[] = [];
	for (let q = 0; 4 * q < s.features; q++) {
		const whole = 4 * q + 3 < s.features && isActive[4 * q] + isActive[4 * q + 1] + isActive[4 * q + 2] + isActive[4 * q + 3] === 4;
		if (whole) words.push(q);
		else for (let f = 4 * q; f < Math.min(s.features, 4 * q + 4); f++) if (isActive[f]) columns.push(f);
	}
	let groups = 0;
	const add = (kind: number, items: number[]): void => {
		const at = groups++ * GROUP_FIELDS;
		s.groups[at] = kind;
		s.groups[at + 1] = items.length;
		items.forEach((item, k) => (s.groups[at + 2 + k] = item));
	};
	for (let i = 0; i < words.length; i += 2) add(GROUP_PACKED, words.slice(i, i + 2));
	for (let i = 0; i < columns.length; i += GROUP_SIZE) add(GROUP_COLUMNS, columns.slice(i, i + GROUP_SIZE));
	s.ints[INT_GROUPS] = groups;
	return groups;
}

/** The features a group covers: every feature of its packed words, or its columns. */
function groupFeatures(s: SharedState, group: number): number[] {
	const at = group * GROUP_FIELDS;
	const count = s.groups[at + 1];
	const out: number[] = [];
	for (let k = 0; k < count; k++) {
		const item = s.groups[at + 2 + k];
		if (s.groups[at] === GROUP_PACKED) out.push(4 * item, 4 * item + 1, 4 * item + 2, 4 * item + 3);
		else out.push(item);
	}
	return out;
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

/** The Float64Array holding slot `slot` and the slot's first index in it. */
function slotArray(s: SharedState, slot: number): Float64Array {
	return s.slotBuffers[Math.floor(slot / SLOTS_PER_BUFFER)];
}
function slotBase(s: SharedState, slot: number): number {
	return (slot % SLOTS_PER_BUFFER) * histogramDoubles(s);
}

/**
 * Task (job, feature group): the group's histograms of the job's smaller child, the larger
 * child's by subtraction from the parent (in the parent's slot), then the best split of each
 * child on each feature of the group.
 */
function histogramTask(s: SharedState, task: number): void {
	const groupCount = s.ints[INT_GROUPS];
	const job = Math.floor(task / groupCount);
	const group = task - job * groupCount;
	const ji = job * JOB_I;
	const buffer = s.jobsI[ji + JOB_BUFFER];
	const begin = s.jobsI[ji + JOB_BEGIN];
	const end = s.jobsI[ji + JOB_END];
	const smallSlot = s.jobsI[ji + JOB_SMALL_SLOT];
	const parentSlot = s.jobsI[ji + JOB_PARENT_SLOT];
	const features = groupFeatures(s, group);
	const small = slotArray(s, smallSlot);
	const smallBase = slotBase(s, smallSlot);
	const plane = s.histOffset[s.features];
	const { histOffset } = s;

	for (const f of features) small.fill(0, smallBase + histOffset[f], smallBase + histOffset[f + 1]);
	for (const f of features) small.fill(0, smallBase + plane + histOffset[f], smallBase + plane + histOffset[f + 1]);
	const order = s.order[buffer];
	const gh = s.gh[buffer];
	const at = group * GROUP_FIELDS;
	if (s.groups[at] === GROUP_PACKED) {
		const h = (f: number): number => smallBase + histOffset[f];
		const q0 = s.groups[at + 2];
		if (s.groups[at + 1] === 2) {
			const q1 = s.groups[at + 3];
			histogramPacked8(small, plane, h(4 * q0), h(4 * q0 + 1), h(4 * q0 + 2), h(4 * q0 + 3), h(4 * q1), h(4 * q1 + 1), h(4 * q1 + 2), h(4 * q1 + 3),
				s.packed, q0 * s.rows, q1 * s.rows, order, gh, begin, end);
		} else {
			histogramPacked4(small, plane, h(4 * q0), h(4 * q0 + 1), h(4 * q0 + 2), h(4 * q0 + 3), s.packed, q0 * s.rows, order, gh, begin, end);
		}
	} else {
		buildHistograms(s, small, smallBase, plane, features, order, gh, begin, end);
	}

	const lambda = s.floats[FLOAT_LAMBDA];
	const minChildWeight = s.floats[FLOAT_MIN_CHILD_WEIGHT];
	const smallSplittable = s.jobsI[ji + JOB_SMALL_SPLITTABLE] === 1;
	const largeSplittable = s.jobsI[ji + JOB_LARGE_SPLITTABLE] === 1;
	const jf = job * JOB_F;
	for (const f of features) {
		const from = histOffset[f];
		const length = histOffset[f + 1] - from;
		if (parentSlot >= 0) {
			const parent = slotArray(s, parentSlot);
			const parentBase = slotBase(s, parentSlot);
			for (let b = 0; b < length; b++) {
				parent[parentBase + from + b] -= small[smallBase + from + b];
				parent[parentBase + plane + from + b] -= small[smallBase + plane + from + b];
			}
			if (largeSplittable) {
				bestSplitOfFeature(s, parent, parentBase + from, plane, s.binCount[f], s.jobsF[jf + JOB_LARGE_G], s.jobsF[jf + JOB_LARGE_H], lambda, minChildWeight, (job * 2 + 1) * s.features + f);
			}
		}
		if (smallSplittable) {
			bestSplitOfFeature(s, small, smallBase + from, plane, s.binCount[f], s.jobsF[jf + JOB_SMALL_G], s.jobsF[jf + JOB_SMALL_H], lambda, minChildWeight, (job * 2) * s.features + f);
		}
	}
}

/**
 * Adds the gradient pairs of positions [begin, end) into the histograms of `features`, eight,
 * four, two or one features per pass over the rows: each row's pair is read once per pass, and
 * the independent accumulations keep the processor busy while each waits on its last store.
 * Gradient sums sit in one plane of the slot and hessian sums `plane` doubles after them
 * (faster than interleaving them).
 */
function buildHistograms(s: SharedState, hist: Float64Array, base: number, plane: number, features: readonly number[],
	order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	const { bins, rows, histOffset } = s;
	let k = 0;
	while (k < features.length) {
		const left = features.length - k;
		if (left >= 8) {
			histogram8(hist, base, plane, histOffset, bins, rows, features, k, order, gh, begin, end);
			k += 8;
		} else if (left >= 4) {
			const f0 = features[k];
			const f1 = features[k + 1];
			const f2 = features[k + 2];
			const f3 = features[k + 3];
			histogram4(hist, plane, base + histOffset[f0], base + histOffset[f1], base + histOffset[f2], base + histOffset[f3],
				bins, f0 * rows, f1 * rows, f2 * rows, f3 * rows, order, gh, begin, end);
			k += 4;
		} else if (left >= 2) {
			const f0 = features[k];
			const f1 = features[k + 1];
			histogram2(hist, plane, base + histOffset[f0], base + histOffset[f1], bins, f0 * rows, f1 * rows, order, gh, begin, end);
			k += 2;
		} else {
			const f0 = features[k];
			histogram1(hist, plane, base + histOffset[f0], bins, f0 * rows, order, gh, begin, end);
			k += 1;
		}
	}
}

function histogram8(hist: Float64Array, base: number, plane: number, histOffset: Int32Array, bins: Uint8Array, rows: number,
	features: readonly number[], k: number, order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	const h0 = base + histOffset[features[k]];
	const h1 = base + histOffset[features[k + 1]];
	const h2 = base + histOffset[features[k + 2]];
	const h3 = base + histOffset[features[k + 3]];
	const h4 = base + histOffset[features[k + 4]];
	const h5 = base + histOffset[features[k + 5]];
	const h6 = base + histOffset[features[k + 6]];
	const h7 = base + histOffset[features[k + 7]];
	const c0 = features[k] * rows;
	const c1 = features[k + 1] * rows;
	const c2 = features[k + 2] * rows;
	const c3 = features[k + 3] * rows;
	const c4 = features[k + 4] * rows;
	const c5 = features[k + 5] * rows;
	const c6 = features[k + 6] * rows;
	const c7 = features[k + 7] * rows;
	for (let i = begin; i < end; i++) {
		const r = order[i];
		const g = gh[2 * i];
		const h = gh[2 * i + 1];
		let b = h0 + bins[c0 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h1 + bins[c1 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h2 + bins[c2 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h3 + bins[c3 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h4 + bins[c4 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h5 + bins[c5 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h6 + bins[c6 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h7 + bins[c7 + r];
		hist[b] += g;
		hist[b + plane] += h;
	}
}

/** Eight features from two packed words per row: two loads instead of eight, and fewer live values. */
function histogramPacked8(hist: Float64Array, plane: number, h0: number, h1: number, h2: number, h3: number,
	h4: number, h5: number, h6: number, h7: number, packed: Uint32Array, w0: number, w1: number,
	order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	for (let i = begin; i < end; i++) {
		const r = order[i];
		const u = packed[w0 + r];
		const v = packed[w1 + r];
		const g = gh[2 * i];
		const h = gh[2 * i + 1];
		let b = h0 + (u & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h1 + ((u >>> 8) & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h2 + ((u >>> 16) & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h3 + (u >>> 24);
		hist[b] += g;
		hist[b + plane] += h;
		b = h4 + (v & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h5 + ((v >>> 8) & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h6 + ((v >>> 16) & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h7 + (v >>> 24);
		hist[b] += g;
		hist[b + plane] += h;
	}
}

/** Four features from one packed word per row. */
function histogramPacked4(hist: Float64Array, plane: number, h0: number, h1: number, h2: number, h3: number,
	packed: Uint32Array, w0: number, order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	for (let i = begin; i < end; i++) {
		const u = packed[w0 + order[i]];
		const g = gh[2 * i];
		const h = gh[2 * i + 1];
		let b = h0 + (u & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h1 + ((u >>> 8) & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h2 + ((u >>> 16) & 255);
		hist[b] += g;
		hist[b + plane] += h;
		b = h3 + (u >>> 24);
		hist[b] += g;
		hist[b + plane] += h;
	}
}

function histogram4(hist: Float64Array, plane: number, h0: number, h1: number, h2: number, h3: number,
	bins: Uint8Array, c0: number, c1: number, c2: number, c3: number,
	order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	for (let i = begin; i < end; i++) {
		const r = order[i];
		const g = gh[2 * i];
		const h = gh[2 * i + 1];
		let b = h0 + bins[c0 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h1 + bins[c1 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h2 + bins[c2 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h3 + bins[c3 + r];
		hist[b] += g;
		hist[b + plane] += h;
	}
}

function histogram2(hist: Float64Array, plane: number, h0: number, h1: number, bins: Uint8Array, c0: number, c1: number,
	order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	for (let i = begin; i < end; i++) {
		const r = order[i];
		const g = gh[2 * i];
		const h = gh[2 * i + 1];
		let b = h0 + bins[c0 + r];
		hist[b] += g;
		hist[b + plane] += h;
		b = h1 + bins[c1 + r];
		hist[b] += g;
		hist[b + plane] += h;
	}
}

function histogram1(hist: Float64Array, plane: number, h0: number, bins: Uint8Array, c0: number,
	order: Int32Array, gh: Float32Array, begin: number, end: number): void {
	for (let i = begin; i < end; i++) {
		const b = h0 + bins[c0 + order[i]];
		hist[b] += gh[2 * i];
		hist[b + plane] += gh[2 * i + 1];
	}
}

/**
 * The best split of one node on one feature from its histogram (k value bins then the missing
 * bin, gradient sums from `base`, hessian sums `plane` later), trying every threshold with
 * missing values sent right, then left. The gain is XGBoost's:
 * G_L²/(H_L+λ) + G_R²/(H_R+λ) − G²/(H+λ); both children need a hessian of at least
 * minChildWeight. Ties keep the first (lowest bin, missing right). With no missing rows in the
 * node, missing values go to the child with more cover. Writes -Infinity when no split is valid.
 */
export function bestSplitOfFeature(s: SharedState, hist: Float64Array, base: number, plane: number, k: number,
	totalG: number, totalH: number, lambda: number, minChildWeight: number, result: number): void {
	// A child lighter than this is rounding noise, not rows.
	const minHess = Math.max(minChildWeight, totalH * 1e-9);
	const missG = hist[base + k];
	const missH = hist[base + plane + k];
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
		const h = hist[base + plane + b];
		// An empty bin moves no rows: its thresholds equal the previous bin's, which won ties already.
		if (h === 0 && b > 0) continue;
		gl += hist[base + b];
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
