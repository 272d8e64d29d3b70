/**
 * Fast prediction for an ensemble of trees. Three choices make it fast in JavaScript:
 *
 * - Values become integer codes first. For each feature, the model's distinct thresholds are
 *   its "cuts"; a value's code is the number of cuts below it, so `x <= cuts[j]` is exactly
 *   `code <= j`, and a missing value gets MISSING_CODE. A step down a tree is then integer
 *   arithmetic with no branch to mispredict: going right is the sign bit of `cut - code`,
 *   flipped for a missing value when the node sends missing values left.
 * - Every walk has a fixed length: a leaf's two children are itself, and a tree is walked for
 *   exactly its depth in steps, so the loop never exits early.
 * - Four rows are walked side by side, so the processor overlaps four independent chains of
 *   memory loads instead of waiting on one.
 *
 * Rows are coded and scored in blocks, so a block's codes stay in cache while every tree is
 * walked over it. A row's score is the base score plus each tree's leaf value, in tree order,
 * exactly as training accumulates it. Large inputs are cut into tasks of rows that the calling
 * thread and worker threads (predictPool.ts) claim from a shared counter: every row is scored
 * the same way whichever thread takes it, so the scores are identical for any thread count.
 */
import type { Tree } from '../tree';
import { orderKey, smallestOfKeyBuckets } from '../binning';
import { CONTROL_FAILED, newControl, runTasks, scoringWorkers, waitForTasks, type RunMessage } from './predictPool';

/** The code of a missing value: above every cut, and flagged by bit 30. */
const MISSING_CODE = 1 << 30;
/** Rows coded and scored together. */
const BLOCK_ROWS = 1024;
/** Above this many rows, values are coded through a lookup table on their float bits. */
const TABLE_MIN_ROWS = 32_768;
/** From this many rows on, worker threads share the scoring (starting one costs tens of milliseconds). */
const PARALLEL_MIN_ROWS = 50_000;

export interface FlatForest {
	/** Per tree, its root node. */
	readonly roots: Int32Array;
	/** Per tree, its depth: the number of steps every walk of it takes. */
	readonly depths: Int32Array;
	/** Per node, the feature it tests (0 for a leaf). */
	readonly feature: Int32Array;
	/** Per node, the index of its threshold among its feature's cuts. */
	readonly cut: Int32Array;
	/** Per node, 1 when missing values go left. */
	readonly missingLeft: Int32Array;
	/** Per node, its left then right child; a leaf's are itself. */
	readonly children: Int32Array;
	/** Per node, its value (a leaf's is what a row reaching it adds). */
	readonly value: Float64Array;
	/** Per feature, the distinct thresholds the trees test it against, ascending. */
	readonly cuts: readonly Float64Array[];
	/** The same trees as complete binary trees, when none is deeper than HEAP_MAX_DEPTH. */
	readonly heap?: HeapForest;
}

/**
 * Trees laid out as complete binary trees of their depth (a heap: node i's children are 2i+1
 * and 2i+2), so a step computes the next node instead of loading it: one dependent memory load
 * fewer per step, about a quarter faster. A leaf above the bottom level is padded: its slots
 * below always go left (cut above every code, missing values left) and every bottom slot under it
 * holds its value, so a walk of exactly the tree's depth ends at that value.
 */
export interface HeapForest {
	/** Per tree, the offset of its internal slots in feature/cut/missingLeft. */
	readonly nodeBase: Int32Array;
	/** Per tree, the offset of its bottom level in `leaf`, minus its count of internal slots. */
	readonly leafBase: Int32Array;
	readonly feature: Int32Array;
	readonly cut: Int32Array;
	readonly missingLeft: Int32Array;
	/** Per tree, its 2^depth bottom slots' values. */
	readonly leaf: Float64Array;
}

/** Deeper trees (2^depth slots each) keep to the general layout. */
const HEAP_MAX_DEPTH = 8;
/** A padded slot's cut: every code, even a missing value's, is at or below it, so the walk goes left. */
const ALWAYS_LEFT = 0x7fffffff;

/** A typed array over shared memory, so worker threads read the forest without a copy. */
function shared<T extends Int32Array | Float64Array>(Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, length: number): T {
	return new Kind(new SharedArrayBuffer(length * Kind.BYTES_PER_ELEMENT));
}

/** One flat layout for all the trees, in order, for a model with `features` features (in shared memory). */
export function flattenTrees(trees: readonly Tree[], features: number): FlatForest {
	const thresholds = Array.from({ length: features }, () => new Set<number>());
	let nodes = 0;
	for (const tree of trees) {
		nodes += tree.left.length;
		for (let node = 0; node < tree.left.length; node++) if (tree.left[node] !== -1) thresholds[tree.feature[node]].add(tree.threshold[node]);
	}
	const cuts = thresholds.map((set) => {
		const sorted = shared(Float64Array, set.size);
		sorted.set(Array.from(set));
		return sorted.sort();
	});
	const forest = {
		roots: shared(Int32Array, trees.length),
		depths: shared(Int32Array, trees.length),
		feature: shared(Int32Array, nodes),
		cut: shared(Int32Array, nodes),
		missingLeft: shared(Int32Array, nodes),
		children: shared(Int32Array, 2 * nodes),
		value: shared(Float64Array, nodes),
		cuts,
	};
	let base = 0;
	trees.forEach((tree, t) => {
		forest.roots[t] = base;
		forest.depths[t] = depthOf(tree);
		for (let node = 0; node < tree.left.length; node++) {
			const at = base + node;
			forest.value[at] = tree.value[node];
			if (tree.left[node] === -1) {
				forest.children[2 * at] = at;
				forest.children[2 * at + 1] = at;
				continue;
			}
			const f = tree.feature[node];
			forest.feature[at] = f;
			forest.cut[at] = lowerBound(cuts[f], tree.threshold[node]);
			forest.missingLeft[at] = tree.missingLeft[node];
			forest.children[2 * at] = base + tree.left[node];
			forest.children[2 * at + 1] = base + tree.right[node];
		}
		base += tree.left.length;
	});
	const deepest = forest.depths.reduce((a, b) => Math.max(a, b), 0);
	return deepest <= HEAP_MAX_DEPTH ? { ...forest, heap: heapLayout(trees, forest.depths, cuts) } : forest;
}

/** The trees as complete binary trees of their own depths (see HeapForest). */
function heapLayout(trees: readonly Tree[], depths: Int32Array, cuts: readonly Float64Array[]): HeapForest {
	let internal = 0;
	let bottom = 0;
	for (const depth of depths) {
		internal += (1 << depth) - 1;
		bottom += 1 << depth;
	}
	const heap = {
		nodeBase: shared(Int32Array, trees.length),
		leafBase: shared(Int32Array, trees.length),
		feature: shared(Int32Array, internal),
		cut: shared(Int32Array, internal),
		missingLeft: shared(Int32Array, internal),
		leaf: shared(Float64Array, bottom),
	};
	let nodeAt = 0;
	let leafAt = 0;
	trees.forEach((tree, t) => {
		const depth = depths[t];
		const slots = (1 << depth) - 1;
		heap.nodeBase[t] = nodeAt;
		heap.leafBase[t] = leafAt - slots;
		heap.cut.fill(ALWAYS_LEFT, nodeAt, nodeAt + slots);
		// Place each node at its heap slot, walking down from the root.
		const place = (node: number, slot: number, level: number): void => {
			if (tree.left[node] === -1) {
				// A leaf: every bottom slot under this slot holds its value.
				const first = (slot + 1) * (1 << (depth - level)) - 1;
				heap.leaf.fill(tree.value[node], leafAt + first - slots, leafAt + first - slots + (1 << (depth - level)));
				return;
			}
			const f = tree.feature[node];
			heap.feature[nodeAt + slot] = f;
			heap.cut[nodeAt + slot] = lowerBound(cuts[f], tree.threshold[node]);
			heap.missingLeft[nodeAt + slot] = tree.missingLeft[node];
			place(tree.left[node], 2 * slot + 1, level + 1);
			place(tree.right[node], 2 * slot + 2, level + 1);
		};
		place(0, 0, 0);
		nodeAt += slots;
		leafAt += 1 << depth;
	});
	return heap;
}

/** The depth of a tree (0 for a single leaf); children always come after their parent. */
function depthOf(tree: Tree): number {
	const depth = new Int32Array(tree.left.length);
	let deepest = 0;
	for (let node = 0; node < tree.left.length; node++) {
		if (tree.left[node] === -1) continue;
		depth[tree.left[node]] = depth[tree.right[node]] = depth[node] + 1;
		deepest = Math.max(deepest, depth[node] + 1);
	}
	return deepest;
}

/** The number of entries of the ascending `cuts` below x (NaN has MISSING_CODE). */
function lowerBound(cuts: Float64Array, x: number): number {
	if (x !== x) return MISSING_CODE;
	let low = 0;
	let high = cuts.length;
	while (low < high) {
		const mid = (low + high) >>> 1;
		if (cuts[mid] < x) low = mid + 1;
		else high = mid;
	}
	return low;
}

/**
 * Raw scores (base score plus every tree's leaf value) for `rows` rows of column-major
 * feature values; a missing value (NaN) follows each node's missing direction. `threads`
 * (default: the machine's cores, at most 4) share large inputs.
 */
export function predictForest(forest: FlatForest, columns: readonly Float32Array[], rows: number, baseScore: number, threads?: number): Float64Array {
	if (rows >= PARALLEL_MIN_ROWS && (threads ?? 2) > 1) {
		const out = scoreInParallel(forest, columns, rows, baseScore, threads);
		if (out) return out;
	}
	const out = new Float64Array(rows).fill(baseScore);
	predictRows(forest, columns, 0, rows, out, rows >= TABLE_MIN_ROWS);
	return out;
}

/**
 * Scores the rows on this thread and the scoring workers, or returns undefined when no worker
 * could be started. Worker threads read the feature values from shared memory, so columns that
 * are not already shared are copied there first (a memory copy, a few percent of the run).
 */
function scoreInParallel(
	forest: FlatForest,
	columns: readonly Float32Array[],
	rows: number,
	baseScore: number,
	threads: number | undefined,
): Float64Array | undefined {
	const workers = scoringWorkers(threads);
	if (workers.length === 0) return undefined;
	const out = new Float64Array(new SharedArrayBuffer(rows * Float64Array.BYTES_PER_ELEMENT)).fill(baseScore);
	const control = newControl();
	const message: RunMessage = { forest, columns: columns.map((column) => sharedCopy(column, rows)), rows, out, control };
	for (const worker of workers) worker.postMessage(message);
	const coders = codersOf(forest, true);
	runTasks(control, rows, (from, to) => predictRows(forest, message.columns, from, to, out, true, coders));
	const finished = waitForTasks(control, rows);
	// Callers get ordinary memory, as from the single-thread path.
	const result = new Float64Array(rows);
	if (finished && Atomics.load(control, CONTROL_FAILED) === 0) {
		result.set(out);
		return result;
	}
	// A task failed, or a worker died holding one: score every row here, into memory no worker can
	// still write, so a failure shows as this thread's error and a late worker changes nothing.
	result.fill(baseScore);
	predictRows(forest, columns, 0, rows, result, true, coders);
	return result;
}

/** The column itself when it is already in shared memory, else a shared copy of its first `rows` values. */
function sharedCopy(column: Float32Array, rows: number): Float32Array {
	if (column.buffer instanceof SharedArrayBuffer) return column;
	const copy = new Float32Array(new SharedArrayBuffer(rows * Float32Array.BYTES_PER_ELEMENT));
	copy.set(column.subarray(0, rows));
	return copy;
}

/** The value coders of a forest's features: each thread builds its own (the lookup tables take a few milliseconds). */
export function codersOf(forest: FlatForest, useTable: boolean): ValueCoder[] {
	return forest.cuts.map((cuts) => valueCoder(cuts, useTable));
}

/** Adds every tree's leaf value to out[from..to) for those rows of `columns`, a block of rows at a time. */
export function predictRows(
	forest: FlatForest,
	columns: readonly Float32Array[],
	from: number,
	to: number,
	out: Float64Array,
	useTable: boolean,
	coders: ValueCoder[] = codersOf(forest, useTable),
): void {
	const features = columns.length;
	const block = new Int32Array(BLOCK_ROWS * features);
	for (let start = from; start < to; start += BLOCK_ROWS) {
		const count = Math.min(to, start + BLOCK_ROWS) - start;
		for (let f = 0; f < features; f++) coders[f](columns[f], start, count, block, f, features);
		scoreBlock(forest, block, features, count, out, start);
	}
}

/** Adds every tree's leaf value to out[start..start+count) for the coded rows of `block`. */
function scoreBlock(forest: FlatForest, block: Int32Array, features: number, count: number, out: Float64Array, start: number): void {
	if (forest.heap) scoreBlockHeap(forest.heap, forest.depths, block, features, count, out, start);
	else scoreBlockGeneral(forest, block, features, count, out, start);
}

/**
 * scoreBlock over complete trees, eight rows side by side. One step for row r at slot n:
 * k = base + n; v = block[row + feature[k]]; n = 2n + 1 + (v above the cut, flipped when v is
 * missing and missing values go left). Written out per row: V8 keeps the eight walks in registers.
 */
function scoreBlockHeap(heap: HeapForest, depths: Int32Array, block: Int32Array, features: number, count: number, out: Float64Array, start: number): void {
	const { nodeBase, leafBase, feature, cut, missingLeft, leaf } = heap;
	for (let t = 0; t < nodeBase.length; t++) {
		const base = nodeBase[t];
		const leaves = leafBase[t];
		const depth = depths[t];
		let i = 0;
		for (; i + 8 <= count; i += 8) {
			const b0 = i * features;
			const b1 = b0 + features;
			const b2 = b1 + features;
			const b3 = b2 + features;
			const b4 = b3 + features;
			const b5 = b4 + features;
			const b6 = b5 + features;
			const b7 = b6 + features;
			let n0 = 0;
			let n1 = 0;
			let n2 = 0;
			let n3 = 0;
			let n4 = 0;
			let n5 = 0;
			let n6 = 0;
			let n7 = 0;
			for (let d = 0; d < depth; d++) {
				let k = base + n0;
				let v = block[b0 + feature[k]];
				n0 = 2 * n0 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n1;
				v = block[b1 + feature[k]];
				n1 = 2 * n1 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n2;
				v = block[b2 + feature[k]];
				n2 = 2 * n2 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n3;
				v = block[b3 + feature[k]];
				n3 = 2 * n3 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n4;
				v = block[b4 + feature[k]];
				n4 = 2 * n4 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n5;
				v = block[b5 + feature[k]];
				n5 = 2 * n5 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n6;
				v = block[b6 + feature[k]];
				n6 = 2 * n6 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
				k = base + n7;
				v = block[b7 + feature[k]];
				n7 = 2 * n7 + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
			}
			const o = start + i;
			out[o] += leaf[leaves + n0];
			out[o + 1] += leaf[leaves + n1];
			out[o + 2] += leaf[leaves + n2];
			out[o + 3] += leaf[leaves + n3];
			out[o + 4] += leaf[leaves + n4];
			out[o + 5] += leaf[leaves + n5];
			out[o + 6] += leaf[leaves + n6];
			out[o + 7] += leaf[leaves + n7];
		}
		for (; i < count; i++) {
			const b = i * features;
			let n = 0;
			for (let d = 0; d < depth; d++) {
				const k = base + n;
				const v = block[b + feature[k]];
				n = 2 * n + 1 + (((cut[k] - v) >>> 31) ^ ((v >>> 30) & missingLeft[k]));
			}
			out[start + i] += leaf[leaves + n];
		}
	}
}

/** scoreBlock over the general layout (any depth), four rows side by side. */
function scoreBlockGeneral(forest: FlatForest, block: Int32Array, features: number, count: number, out: Float64Array, start: number): void {
	const { roots, depths, feature, cut, missingLeft, children, value } = forest;
	for (let t = 0; t < roots.length; t++) {
		const root = roots[t];
		const depth = depths[t];
		let i = 0;
		for (; i + 4 <= count; i += 4) {
			const b0 = i * features;
			const b1 = b0 + features;
			const b2 = b1 + features;
			const b3 = b2 + features;
			let n0 = root;
			let n1 = root;
			let n2 = root;
			let n3 = root;
			for (let d = 0; d < depth; d++) {
				let v = block[b0 + feature[n0]];
				n0 = children[2 * n0 + (((cut[n0] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n0]))];
				v = block[b1 + feature[n1]];
				n1 = children[2 * n1 + (((cut[n1] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n1]))];
				v = block[b2 + feature[n2]];
				n2 = children[2 * n2 + (((cut[n2] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n2]))];
				v = block[b3 + feature[n3]];
				n3 = children[2 * n3 + (((cut[n3] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n3]))];
			}
			out[start + i] += value[n0];
			out[start + i + 1] += value[n1];
			out[start + i + 2] += value[n2];
			out[start + i + 3] += value[n3];
		}
		for (; i < count; i++) {
			const b = i * features;
			let n = root;
			for (let d = 0; d < depth; d++) {
				const v = block[b + feature[n]];
				n = children[2 * n + (((cut[n] - v) >>> 31) ^ ((v >>> 30) & missingLeft[n]))];
			}
			out[start + i] += value[n];
		}
	}
}

/** Writes the codes of column[start..start+count) into block[i * stride + f]. */
export type ValueCoder = (column: Float32Array, start: number, count: number, block: Int32Array, f: number, stride: number) => void;

/**
 * A coder for one feature's cuts: a binary search per value, or for large inputs a table
 * indexed by the top 16 bits of the value's order-keeping float key, which gives the code of
 * the smallest value with those bits; a value then needs one lookup and rarely a step or two.
 */
function valueCoder(cuts: Float64Array, useTable: boolean): ValueCoder {
	if (!useTable || cuts.length === 0) {
		return (column, start, count, block, f, stride) => {
			for (let i = 0; i < count; i++) block[i * stride + f] = lowerBound(cuts, column[start + i]);
		};
	}
	const first = new Int32Array(65536);
	const floors = smallestOfKeyBuckets();
	let j = 0;
	for (let bucket = 0; bucket < 65536; bucket++) {
		const smallest = floors[bucket];
		// Buckets of NaN bit patterns are never looked up; keep the running index for them.
		if (smallest === smallest) while (j < cuts.length && cuts[j] < smallest) j++;
		first[bucket] = j;
	}
	const m = cuts.length;
	return (column, start, count, block, f, stride) => {
		const bits = new Uint32Array(column.buffer, column.byteOffset, column.length);
		for (let i = 0; i < count; i++) {
			const x = column[start + i];
			let code = MISSING_CODE;
			if (x === x) {
				code = first[orderKey(bits[start + i]) >>> 16];
				while (code < m && cuts[code] < x) code++;
			}
			block[i * stride + f] = code;
		}
	};
}

/** Adds one tree's output to `out` for each row (used for the validation score after each tree). */
export function addTreeOutput(tree: Tree, columns: readonly Float32Array[], out: Float64Array): void {
	const { feature, threshold, left, right, missingLeft, value } = tree;
	for (let i = 0; i < out.length; i++) {
		let node = 0;
		while (left[node] !== -1) {
			const x = columns[feature[node]][i];
			node = x <= threshold[node] || (x !== x && missingLeft[node] === 1) ? left[node] : right[node];
		}
		out[i] += value[node];
	}
}
