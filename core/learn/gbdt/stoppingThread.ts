/**
 * Early stopping on a worker thread (stoppingWorker.ts): after each tree, this thread posts the
 * tree and goes on growing the next one, while the worker adds the tree to the validation rows'
 * scores and their log loss; the answers come back between trees. The boosting stops once the
 * answers say every watch has stopped, so it may grow a tree or two past that point; those trees
 * are never kept (each watch keeps its best count, which is at or before where it stopped).
 * The losses are computed by the same code on the same rows in the same order as on this
 * thread, so the trees kept, and the model bytes, are the same. When the worker dies, the
 * watches start again on this thread from the first tree.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { type LabelledDataset, SHARED_COPY_MAX_BYTES } from '../dataset';
import type { Tree } from '../tree';
import { allStopped, LocalWatches, type Watches, type WatchState } from './stopping';

/** Fewer validation rows than this are quicker to watch here than to hand over. */
export const WATCH_WORKER_MIN_ROWS = 5_000;

/** What starts the worker: the validation rows of each watch (compact copies) and the loss settings. */
export interface WatchStart {
	readonly watched: readonly LabelledDataset[];
	readonly baseScore: number;
	readonly positiveWeight: number;
	readonly rounds: number;
}

/** What the worker answers after each tree. */
export interface WatchReply {
	readonly done: number;
	readonly states: readonly WatchState[];
}

/**
 * The watches on a worker when it pays (enough rows, not too many bytes, more than one thread),
 * else on this thread.
 */
export function startWatches(watched: readonly LabelledDataset[], baseScore: number, positiveWeight: number, rounds: number, threads: number): Watches {
	const rows = watched.reduce((sum, data) => sum + data.rows, 0);
	const bytes = watched.reduce((sum, data) => sum + 4 * data.rows * data.columns.length, 0);
	if (threads < 2 || rows < WATCH_WORKER_MIN_ROWS || bytes > SHARED_COPY_MAX_BYTES) return new LocalWatches(watched, baseScore, positiveWeight, rounds);
	try {
		return new WorkerWatches({ watched: watched.map(compact), baseScore, positiveWeight, rounds });
	} catch {
		return new LocalWatches(watched, baseScore, positiveWeight, rounds);
	}
}

/** The rows with arrays of their own: posting a view would copy the whole buffer it views. */
function compact(data: LabelledDataset): LabelledDataset {
	return {
		rows: data.rows,
		featureNames: data.featureNames.slice(),
		columns: data.columns.map((column) => column.slice(0, data.rows)),
		label: data.label.slice(0, data.rows),
		...(data.weight ? { weight: data.weight.slice(0, data.rows) } : {}),
	};
}

class WorkerWatches implements Watches {
	private readonly worker: Worker;
	/** The trees handed over, kept for a restart on this thread. */
	private readonly trees: Tree[] = [];
	private latest: WatchReply;
	private local?: LocalWatches;
	private waiting?: () => void;
	private closed = false;

	constructor(private readonly start: WatchStart) {
		this.worker = new Worker(path.join(__dirname, 'stoppingWorker.js'), { workerData: start });
		this.latest = { done: 0, states: start.watched.map(() => ({ lastLoss: NaN, bestIteration: 0, stopped: false })) };
		this.worker.on('message', (reply: WatchReply) => {
			this.latest = reply;
			this.wake();
		});
		const fail = (): void => {
			if (!this.closed) this.runLocally();
		};
		this.worker.on('error', fail);
		this.worker.on('exit', fail);
	}

	add(tree: Tree, done: number): void {
		this.trees.push(tree);
		if (this.local) this.local.add(tree, done);
		else this.worker.postMessage({ tree, done });
	}

	states(): readonly WatchState[] {
		return this.local ? this.local.states() : this.latest.states;
	}

	async settle(): Promise<readonly WatchState[]> {
		while (!this.local && this.latest.done < this.trees.length && !allStopped(this.latest.states)) {
			await new Promise<void>((resolve) => (this.waiting = resolve));
		}
		return this.states();
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.worker.terminate();
	}

	/** The worker is gone: evaluate every tree so far here, and the rest as they come. */
	private runLocally(): void {
		if (this.local) return;
		const { watched, baseScore, positiveWeight, rounds } = this.start;
		this.local = new LocalWatches(watched, baseScore, positiveWeight, rounds);
		this.trees.forEach((tree, t) => this.local?.add(tree, t + 1));
		this.wake();
	}

	private wake(): void {
		const waiting = this.waiting;
		this.waiting = undefined;
		waiting?.();
	}
}
