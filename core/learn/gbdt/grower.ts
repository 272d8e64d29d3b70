/**
 * Tree growth over the shared state of one training run: picks the nodes to split (depthwise or
 * leafwise), dispatches their histograms, split searches and partitions as tasks (kernels.ts),
 * and writes the tree. train.ts runs the boosting loop around it.
 */
import {
	COMMAND,
	MOVE_ROWS,
	UPDATE_ROWS,
	GROUP_SIZE,
	MIN_BLOCK_ROWS,
	MAX_BLOCKS,
	SLOTS_PER_BUFFER,
	MAX_JOBS,
	MAX_TASKS,
	JOB_I,
	JOB_BUFFER,
	JOB_BEGIN,
	JOB_END,
	JOB_SMALL_SLOT,
	JOB_PARENT_SLOT,
	JOB_SMALL_SPLITTABLE,
	JOB_LARGE_SPLITTABLE,
	JOB_FIRST_BLOCK,
	JOB_BLOCKS,
	JOB_F,
	JOB_SMALL_G,
	JOB_SMALL_H,
	JOB_LARGE_G,
	JOB_LARGE_H,
	SPLIT_BUFFER,
	SPLIT_BEGIN,
	SPLIT_END,
	SPLIT_FEATURE,
	SPLIT_BIN,
	SPLIT_MISSING_LEFT,
	UPDATE_LEFT_FACTOR,
	UPDATE_RIGHT_FACTOR,
	INT_UPDATE_NODES,
	INT_OUT_OF_BAG,
	TREE_I,
	TREE_FEATURE,
	TREE_BIN,
	TREE_MISSING_LEFT,
	TREE_LEFT,
	TREE_RIGHT,
	MAX_TREE_NODES,
	CHUNK_I,
	CHUNK_JOB,
	CHUNK_BEGIN,
	CHUNK_END,
	CHUNK_LEFT_COUNT,
	CHUNK_LEFT_TO,
	CHUNK_RIGHT_TO,
	BLOCK_I,
	BLOCK_JOB,
	BLOCK_BEGIN,
	BLOCK_END,
	BLOCK_SLOT,
	RESULT_F,
	RESULT_I,
	FLOAT_GRADIENT_STEP,
	FLOAT_HESSIAN_STEP,
} from './protocol';
import { writeActiveFeatures, histogramDoubles, type SharedState } from './binned';
import type { WorkerPool } from './pool';
import type { Tree } from '../tree';

/** Dispatches with less work than this (rows x features touched) run on the calling thread. */
const PARALLEL_MIN_WORK = 200_000;
/** Row-wise dispatches (gradients, partitions, updates) with fewer rows run on the calling thread. */
export const PARALLEL_MIN_MOVE = 50_000;
/** A split must gain more than this (beyond gamma) to be made; smaller gains are rounding noise. */
const MIN_GAIN = 1e-9;

/** The settings tree growth needs: the part of BoostSettings (train.ts) for one tree. */
export interface GrowSettings {
	readonly learningRate: number;
	readonly maxDepth: number;
	/** Infinity when only maxDepth limits a tree. */
	readonly maxLeaves: number;
	readonly growth: 'depthwise' | 'leafwise';
	readonly lambda: number;
	readonly gamma: number;
	readonly minChildWeight: number;
}

/** A histogram job: build `small`'s histogram, derive `large`'s (if any) from the parent's slot. */
interface HistogramJob {
	readonly small: number;
	readonly large: number;
	readonly smallSlot: number;
	readonly parentSlot: number;
}

/**
 * Grows one tree at a time over the shared state. Nodes live in plain arrays indexed by node
 * id (a tree has at most a few thousand nodes); rows never leave the typed buffers.
 */
export class TreeGrower {
	// Per node: its rows (buffer, positions), depth, gradient and hessian sums (units), histogram slot.
	private buffer: number[] = [];
	private begin: number[] = [];
	private end: number[] = [];
	private depth: number[] = [];
	private sumG: number[] = [];
	private sumH: number[] = [];
	private slot: number[] = [];
	// Per node: its best split, then (once made) its children.
	private gain: number[] = [];
	private feature: number[] = [];
	private bin: number[] = [];
	private missingLeft: number[] = [];
	private leftG: number[] = [];
	private leftH: number[] = [];
	private left: number[] = [];
	private right: number[] = [];

	/** Nodes split into two leaves without moving their rows. */
	private settled: number[] = [];
	private readonly freeSlots: number[] = [];
	private slotCount = 0;
	private active: Int32Array = new Int32Array(0);
	private readonly minGain: number;

	constructor(
		private readonly state: SharedState,
		private readonly pool: WorkerPool,
		private readonly settings: GrowSettings,
		private readonly upperBounds: readonly Float64Array[],
	) {
		this.minGain = Math.max(settings.gamma, MIN_GAIN);
	}

	/**
	 * Grows a tree on positions 0..positions-1 of buffer 0 (rows ascending), whose gradient and
	 * hessian sums in units (quantise.ts) are rootG and rootH, and adds its output
	 * to the scores of those rows and of the first `outOfBag` rows listed in the state's
	 * outOfBag (ascending).
	 */
	grow(positions: number, rootG: number, rootH: number, active: Int32Array, outOfBag = 0): Tree {
		this.reset();
		this.useFeatures(active);
		const root = this.addNode(0, 0, positions, 0, rootG, rootH);
		if (this.canSplit(0, rootH) && positions >= 2 && active.length > 0) {
			this.slot[root] = this.allocateSlot();
			this.findSplits([{ small: root, large: -1, smallSlot: this.slot[root], parentSlot: -1 }]);
		}
		if (this.settings.growth === 'leafwise') this.growLeafwise(root);
		else this.growDepthwise(root);
		const leaves: number[] = [];
		for (let node = 0; node < this.left.length; node++) {
			this.releaseSlot(node);
			if (this.left[node] === -1 && this.begin[node] >= 0) leaves.push(node);
		}
		const tree = this.toTree();
		this.updateScores(leaves, tree, outOfBag);
		return tree;
	}

	/** Splits every worthwhile node of a level, level by level, until maxDepth or maxLeaves. */
	private growDepthwise(root: number): void {
		let level = [root];
		let leaves = 1;
		while (level.length > 0) {
			let chosen = level.filter((node) => this.gain[node] > this.minGain);
			if (leaves + chosen.length > this.settings.maxLeaves) {
				chosen = chosen
					.sort((a, b) => this.gain[b] - this.gain[a] || a - b)
					.slice(0, this.settings.maxLeaves - leaves)
					.sort((a, b) => a - b);
			}
			for (const node of level) if (!chosen.includes(node)) this.releaseSlot(node);
			if (chosen.length === 0) break;
			leaves += chosen.length;
			level = this.splitNodes(chosen, leaves < this.settings.maxLeaves);
		}
	}

	/** Always splits the open leaf with the largest gain, until maxLeaves or no leaf gains. */
	private growLeafwise(root: number): void {
		const open = this.gain[root] > this.minGain ? [root] : [];
		let leaves = 1;
		while (open.length > 0 && leaves < this.settings.maxLeaves) {
			let pick = 0;
			for (let i = 1; i < open.length; i++) {
				const a = open[i];
				const b = open[pick];
				if (this.gain[a] > this.gain[b] || (this.gain[a] === this.gain[b] && a < b)) pick = i;
			}
			const node = open.splice(pick, 1)[0];
			leaves++;
			for (const child of this.splitNodes([node], leaves < this.settings.maxLeaves)) {
				if (this.gain[child] > this.minGain) open.push(child);
				else this.releaseSlot(child);
			}
		}
		for (const node of open) this.releaseSlot(node);
	}

	/**
	 * Makes the chosen splits, then finds the best splits of the children that may split
	 * further; returns those children. A split whose children can never split is "settled":
	 * its rows are not moved, only their scores change at the end (see updateScores).
	 */
	private splitNodes(parents: number[], mayGrow: boolean): number[] {
		const moving: number[] = [];
		for (const parent of parents) {
			const depth = this.depth[parent] + 1;
			const hl = this.leftH[parent];
			if (mayGrow && (this.canSplit(depth, hl) || this.canSplit(depth, this.sumH[parent] - hl))) moving.push(parent);
			else this.settle(parent);
		}
		const leftCounts = this.partition(moving);
		const jobs: HistogramJob[] = [];
		const next: number[] = [];
		moving.forEach((parent, i) => {
			const begin = this.begin[parent];
			const middle = begin + leftCounts[i];
			const [l, r] = this.addChildren(parent, 1 - this.buffer[parent], begin, middle, this.end[parent]);
			const [small, large] = middle - begin <= this.end[parent] - middle ? [l, r] : [r, l];
			const smallGrows = this.canSplit(this.depth[small], this.sumH[small]);
			const largeGrows = this.canSplit(this.depth[large], this.sumH[large]);
			const parentSlot = this.slot[parent];
			this.slot[parent] = -1;
			if (!largeGrows) {
				// The larger child stays a leaf: build the smaller one directly, in the parent's old slot.
				this.slot[small] = parentSlot;
				jobs.push({ small, large: -1, smallSlot: parentSlot, parentSlot: -1 });
				next.push(small);
			} else {
				// Subtraction: the larger child's histogram is the parent's minus the smaller's, in place.
				this.slot[small] = this.allocateSlot();
				this.slot[large] = parentSlot;
				jobs.push({ small, large, smallSlot: this.slot[small], parentSlot });
				if (smallGrows) next.push(small);
				next.push(large);
			}
		});
		this.findSplits(jobs);
		for (const job of jobs) if (!next.includes(job.small)) this.releaseSlot(job.small);
		return next.sort((a, b) => a - b);
	}

	/** Splits a node into two leaves without moving its rows (they stay in the parent's range). */
	private settle(parent: number): void {
		this.addChildren(parent, -1, -1, -1, -1);
		this.releaseSlot(parent);
		this.settled.push(parent);
	}

	/** Adds the two children of a split, with the split's gradient and hessian sums; returns [left, right]. */
	private addChildren(parent: number, buffer: number, begin: number, middle: number, end: number): [number, number] {
		const depth = this.depth[parent] + 1;
		const gl = this.leftG[parent];
		const hl = this.leftH[parent];
		const l = this.addNode(buffer, begin, middle, depth, gl, hl);
		const r = this.addNode(buffer, middle, end, depth, this.sumG[parent] - gl, this.sumH[parent] - hl);
		this.left[parent] = l;
		this.right[parent] = r;
		return [l, r];
	}

	/** Whether a node at this depth with this hessian sum (in units) could still be split. */
	private canSplit(depth: number, hessian: number): boolean {
		return depth < this.settings.maxDepth && hessian * this.hessianStep() >= 2 * this.settings.minChildWeight && hessian > 0;
	}

	private gradientStep(): number {
		return this.state.floats[FLOAT_GRADIENT_STEP];
	}

	private hessianStep(): number {
		return this.state.floats[FLOAT_HESSIAN_STEP];
	}

	/**
	 * Builds the jobs' histograms, block by block, then sums each job's blocks and stores each
	 * growing node's best split over the active features.
	 */
	private findSplits(unordered: readonly HistogramJob[]): void {
		const s = this.state;
		// Largest first, so the last tasks of a dispatch are small and the threads finish together.
		const size = (job: HistogramJob): number => this.end[job.small] - this.begin[job.small];
		const jobs = unordered.slice().sort((a, b) => size(b) - size(a) || a.small - b.small);
		const groups = Math.ceil(this.active.length / GROUP_SIZE);
		const perBatch = Math.max(1, Math.min(MAX_JOBS, Math.floor(MAX_TASKS / groups)));
		for (let from = 0; from < jobs.length; from += perBatch) {
			const batch = jobs.slice(from, from + perBatch);
			let work = 0;
			let blocks = 0;
			const scratch: number[] = [];
			batch.forEach((job, j) => {
				const ji = j * JOB_I;
				const jf = j * JOB_F;
				const begin = this.begin[job.small];
				const rows = this.end[job.small] - begin;
				s.jobsI[ji + JOB_BUFFER] = this.buffer[job.small];
				s.jobsI[ji + JOB_BEGIN] = begin;
				s.jobsI[ji + JOB_END] = this.end[job.small];
				s.jobsI[ji + JOB_SMALL_SLOT] = job.smallSlot;
				s.jobsI[ji + JOB_PARENT_SLOT] = job.parentSlot;
				s.jobsI[ji + JOB_SMALL_SPLITTABLE] = this.canSplit(this.depth[job.small], this.sumH[job.small]) ? 1 : 0;
				s.jobsI[ji + JOB_LARGE_SPLITTABLE] = job.large >= 0 && this.canSplit(this.depth[job.large], this.sumH[job.large]) ? 1 : 0;
				s.jobsF[jf + JOB_SMALL_G] = this.sumG[job.small];
				s.jobsF[jf + JOB_SMALL_H] = this.sumH[job.small];
				s.jobsF[jf + JOB_LARGE_G] = job.large >= 0 ? this.sumG[job.large] : 0;
				s.jobsF[jf + JOB_LARGE_H] = job.large >= 0 ? this.sumH[job.large] : 0;
				blocks += this.writeBlocks(j, begin, rows, job.smallSlot, blocks, scratch);
				work += rows * this.active.length;
			});
			const parallel = work >= PARALLEL_MIN_WORK;
			this.pool.run(COMMAND.histograms, blocks, parallel);
			this.pool.run(COMMAND.splits, batch.length * groups, parallel);
			for (const slot of scratch) this.freeSlots.push(slot);
			batch.forEach((job, j) => {
				if (s.jobsI[j * JOB_I + JOB_SMALL_SPLITTABLE] === 1) this.takeBestSplit(job.small, j * 2);
				if (s.jobsI[j * JOB_I + JOB_LARGE_SPLITTABLE] === 1) this.takeBestSplit(job.large, j * 2 + 1);
			});
		}
	}

	/**
	 * Cuts job j's rows into blocks by the row count alone (so the sums never depend on the
	 * threads), from block `first`: the first block is built in the job's slot, the others in
	 * scratch slots, added to `scratch`. Returns the block count.
	 */
	private writeBlocks(j: number, begin: number, rows: number, smallSlot: number, first: number, scratch: number[]): number {
		const s = this.state;
		const count = Math.min(MAX_BLOCKS, Math.max(1, Math.floor(rows / MIN_BLOCK_ROWS)));
		s.jobsI[j * JOB_I + JOB_FIRST_BLOCK] = first;
		s.jobsI[j * JOB_I + JOB_BLOCKS] = count;
		for (let b = 0; b < count; b++) {
			const bi = (first + b) * BLOCK_I;
			const slot = b === 0 ? smallSlot : this.allocateSlot();
			if (b > 0) scratch.push(slot);
			s.blocksI[bi + BLOCK_JOB] = j;
			s.blocksI[bi + BLOCK_BEGIN] = begin + Math.floor((rows * b) / count);
			s.blocksI[bi + BLOCK_END] = begin + Math.floor((rows * (b + 1)) / count);
			s.blocksI[bi + BLOCK_SLOT] = slot;
		}
		return count;
	}

	/** The node's best split over the active features (ties: the lowest feature), from the task results. */
	private takeBestSplit(node: number, side: number): void {
		const s = this.state;
		let best = -Infinity;
		for (let i = 0; i < this.active.length; i++) {
			const f = this.active[i];
			const result = side * s.features + f;
			const gain = s.resultsF[RESULT_F * result];
			if (gain > best) {
				best = gain;
				this.feature[node] = f;
				this.bin[node] = s.resultsI[RESULT_I * result];
				this.missingLeft[node] = s.resultsI[RESULT_I * result + 1];
				this.leftG[node] = s.resultsF[RESULT_F * result + 1];
				this.leftH[node] = s.resultsF[RESULT_F * result + 2];
			}
		}
		this.gain[node] = best;
	}

	/** Moves each parent's rows into its children's places in the other buffer; returns the left counts. */
	private partition(parents: readonly number[]): number[] {
		const s = this.state;
		const leftCounts: number[] = [];
		let start = 0;
		while (start < parents.length) {
			// A batch of whole nodes that fits the job and chunk tables.
			let chunks = 0;
			let rows = 0;
			let stop = start;
			while (stop < parents.length && stop - start < MAX_JOBS) {
				const size = this.end[parents[stop]] - this.begin[parents[stop]];
				const need = Math.max(1, Math.ceil(size / MOVE_ROWS));
				if (chunks + need > s.maxChunks) break;
				chunks += need;
				rows += size;
				stop++;
			}
			let c = 0;
			for (let j = 0; j < stop - start; j++) {
				const node = parents[start + j];
				const ji = j * JOB_I;
				s.jobsI[ji + SPLIT_BUFFER] = this.buffer[node];
				s.jobsI[ji + SPLIT_BEGIN] = this.begin[node];
				s.jobsI[ji + SPLIT_END] = this.end[node];
				s.jobsI[ji + SPLIT_FEATURE] = this.feature[node];
				s.jobsI[ji + SPLIT_BIN] = this.bin[node];
				s.jobsI[ji + SPLIT_MISSING_LEFT] = this.missingLeft[node];
				for (let b = this.begin[node]; b < this.end[node]; b += MOVE_ROWS) {
					const ci = c++ * CHUNK_I;
					s.chunksI[ci + CHUNK_JOB] = j;
					s.chunksI[ci + CHUNK_BEGIN] = b;
					s.chunksI[ci + CHUNK_END] = Math.min(this.end[node], b + MOVE_ROWS);
				}
			}
			const parallel = rows >= PARALLEL_MIN_MOVE;
			this.pool.run(COMMAND.partitionSplit, c, parallel);
			// Each chunk's left rows follow the earlier chunks' left rows; its right rows follow all left rows.
			let chunk = 0;
			for (let j = 0; j < stop - start; j++) {
				const node = parents[start + j];
				let totalLeft = 0;
				const first = chunk;
				while (chunk < c && s.chunksI[chunk * CHUNK_I + CHUNK_JOB] === j) totalLeft += s.chunksI[chunk++ * CHUNK_I + CHUNK_LEFT_COUNT];
				let leftTo = this.begin[node];
				let rightTo = this.begin[node] + totalLeft;
				for (let k = first; k < chunk; k++) {
					const ci = k * CHUNK_I;
					s.chunksI[ci + CHUNK_LEFT_TO] = leftTo;
					s.chunksI[ci + CHUNK_RIGHT_TO] = rightTo;
					leftTo += s.chunksI[ci + CHUNK_LEFT_COUNT];
					rightTo += s.chunksI[ci + CHUNK_END] - s.chunksI[ci + CHUNK_BEGIN] - s.chunksI[ci + CHUNK_LEFT_COUNT];
				}
				leftCounts.push(totalLeft);
			}
			this.pool.run(COMMAND.partitionPlace, c, parallel);
			start = stop;
		}
		return leftCounts;
	}

	/**
	 * Adds each leaf's value to the scores of its rows, and each settled split's left or right
	 * leaf value to its rows'; then the tree's output to the first `outOfBag` rows listed in
	 * the state's outOfBag (rows the tree did not train on). Tasks cut the rows into fixed
	 * ranges (see updateScoresTask), so threads never share a cache line of scores.
	 */
	private updateScores(leaves: readonly number[], tree: Tree, outOfBag: number): void {
		const s = this.state;
		// A tree too large for the shared tree table walks its out-of-bag rows here instead.
		const shareTree = outOfBag > 0 && tree.left.length <= MAX_TREE_NODES;
		if (shareTree) this.writeTree(tree);
		else this.updateOutOfBag(outOfBag, tree);
		const nodes = [...leaves, ...this.settled];
		for (let start = 0; start < nodes.length; start += MAX_JOBS) {
			const batch = nodes.slice(start, start + MAX_JOBS);
			// The out-of-bag rows go with the first batch only: each row's score changes once.
			const rowsOutOfBag = start === 0 && shareTree ? outOfBag : 0;
			let rows = rowsOutOfBag;
			batch.forEach((node, j) => {
				const ji = j * JOB_I;
				const jf = j * JOB_F;
				const settled = this.left[node] !== -1;
				s.jobsI[ji + SPLIT_BUFFER] = this.buffer[node];
				s.jobsI[ji + SPLIT_BEGIN] = this.begin[node];
				s.jobsI[ji + SPLIT_END] = this.end[node];
				s.jobsI[ji + SPLIT_FEATURE] = settled ? this.feature[node] : -1;
				s.jobsI[ji + SPLIT_BIN] = this.bin[node];
				s.jobsI[ji + SPLIT_MISSING_LEFT] = this.missingLeft[node];
				s.jobsF[jf + UPDATE_LEFT_FACTOR] = Math.exp(-tree.value[settled ? this.left[node] : node]);
				s.jobsF[jf + UPDATE_RIGHT_FACTOR] = settled ? Math.exp(-tree.value[this.right[node]]) : 0;
				rows += this.end[node] - this.begin[node];
			});
			s.ints[INT_UPDATE_NODES] = batch.length;
			s.ints[INT_OUT_OF_BAG] = rowsOutOfBag;
			this.pool.run(COMMAND.updateScores, Math.ceil(s.rows / UPDATE_ROWS), rows >= PARALLEL_MIN_MOVE);
		}
	}

	/** Writes the tree for the update tasks: each node's split (feature -1 for a leaf), each leaf's exp(-value). */
	private writeTree(tree: Tree): void {
		const { treeI, treeF } = this.state;
		for (let node = 0; node < tree.left.length; node++) {
			const ni = node * TREE_I;
			treeI[ni + TREE_FEATURE] = tree.feature[node];
			treeI[ni + TREE_BIN] = this.bin[node];
			treeI[ni + TREE_MISSING_LEFT] = this.missingLeft[node];
			treeI[ni + TREE_LEFT] = tree.left[node];
			treeI[ni + TREE_RIGHT] = tree.right[node];
			treeF[node] = Math.exp(-tree.value[node]);
		}
	}

	/** Adds the tree's output to the first `count` out-of-bag rows on this thread, walking it over their bins. */
	private updateOutOfBag(count: number, tree: Tree): void {
		const { bins, binCount, negExp, outOfBag } = this.state;
		const factors = tree.value.map((value) => Math.exp(-value));
		const n = this.state.rows;
		for (let i = 0; i < count; i++) {
			const r = outOfBag[i];
			let node = 0;
			while (this.left[node] !== -1) {
				const f = this.feature[node];
				const b = bins[f * n + r];
				const goesLeft = b <= this.bin[node] || (b === binCount[f] && this.missingLeft[node] === 1);
				node = goesLeft ? this.left[node] : this.right[node];
			}
			negExp[r] *= factors[node];
		}
	}

	/**
	 * The grown tree in the shared format: thresholds are bin upper bounds, leaf values
	 * -G/(H+lambda) times the learning rate (G and H the node's sums of units times the
	 * steps), covers the hessian sums (an internal node's the sum of its children's), internal
	 * values the cover-weighted mean of their children's.
	 */
	private toTree(): Tree {
		const count = this.left.length;
		const tree = {
			feature: new Int32Array(count),
			threshold: new Float64Array(count),
			left: new Int32Array(count),
			right: new Int32Array(count),
			missingLeft: new Uint8Array(count),
			value: new Float64Array(count),
			cover: new Float64Array(count),
		};
		const { lambda, learningRate } = this.settings;
		const gStep = this.gradientStep();
		const hStep = this.hessianStep();
		// Children always have larger ids than their parent, so a reverse sweep sees children first.
		for (let node = count - 1; node >= 0; node--) {
			const l = this.left[node];
			const r = this.right[node];
			tree.left[node] = l;
			tree.right[node] = r;
			if (l === -1) {
				tree.feature[node] = -1;
				const cover = this.sumH[node] * hStep;
				tree.cover[node] = cover;
				// No weight and no penalty (a leaf whose hessians all rounded to 0, lambda 0): no change.
				tree.value[node] = cover + lambda > 0 ? (-(this.sumG[node] * gStep) / (cover + lambda)) * learningRate : 0;
			} else {
				const f = this.feature[node];
				tree.feature[node] = f;
				tree.threshold[node] = this.upperBounds[f][this.bin[node]];
				tree.missingLeft[node] = this.missingLeft[node];
				const cover = tree.cover[l] + tree.cover[r];
				tree.cover[node] = cover;
				tree.value[node] = cover > 0 ? (tree.cover[l] * tree.value[l] + tree.cover[r] * tree.value[r]) / cover : (tree.value[l] + tree.value[r]) / 2;
			}
		}
		return tree;
	}

	private reset(): void {
		for (const list of [
			this.settled,
			this.buffer,
			this.begin,
			this.end,
			this.depth,
			this.sumG,
			this.sumH,
			this.slot,
			this.gain,
			this.feature,
			this.bin,
			this.missingLeft,
			this.leftG,
			this.leftH,
			this.left,
			this.right,
		])
			list.length = 0;
	}

	private addNode(buffer: number, begin: number, end: number, depth: number, g: number, h: number): number {
		const id = this.left.length;
		this.buffer.push(buffer);
		this.begin.push(begin);
		this.end.push(end);
		this.depth.push(depth);
		this.sumG.push(g);
		this.sumH.push(h);
		this.slot.push(-1);
		this.gain.push(-Infinity);
		this.feature.push(-1);
		this.bin.push(-1);
		this.missingLeft.push(0);
		this.leftG.push(0);
		this.leftH.push(0);
		this.left.push(-1);
		this.right.push(-1);
		return id;
	}

	/** Writes this tree's features for the histogram and split tasks. */
	private useFeatures(active: Int32Array): void {
		this.active = active;
		writeActiveFeatures(this.state, active);
	}

	private allocateSlot(): number {
		const free = this.freeSlots.pop();
		if (free !== undefined) return free;
		if (this.slotCount % SLOTS_PER_BUFFER === 0) {
			this.pool.addSlotBuffer(new SharedArrayBuffer(8 * SLOTS_PER_BUFFER * histogramDoubles(this.state)));
		}
		return this.slotCount++;
	}

	private releaseSlot(node: number): void {
		if (this.slot[node] >= 0) {
			this.freeSlots.push(this.slot[node]);
			this.slot[node] = -1;
		}
	}
}
