/**
 * Worker threads for TreeSHAP, kept per prepared ensemble between explainRows calls: scoring
 * explains profiles batch after batch with the same model, and starting a worker (loading the
 * code, copying the trees and tables) costs tens of milliseconds. Idle workers do not keep the
 * process alive and stop after `idleMs`. A call that finds the pool busy gets workers of its own.
 */
import { Worker } from 'node:worker_threads';
import { CancelledError } from '../errors';
import type { PreparedEnsemble } from './treeShap';
import type { ShapWorkerData, ShapWorkerReply, ShapWorkerRequest } from './shapWorker';

/** How long idle workers wait for the next call before stopping. */
const idleMs = 2000;

export class ShapPool {
	private workers: Worker[] = [];
	private busy = false;
	private idleTimer: NodeJS.Timeout | undefined;

	constructor(
		private readonly workerFile: string,
		private readonly prepared: PreparedEnsemble,
	) {}

	/**
	 * Explains `blocks` blocks on `threads` workers, handing each worker the next block as it
	 * finishes one: `blockAt(id)` gives block id's values (rows × features), `onBlock(id, out)` takes
	 * its contributions. Rejects with CancelledError when `signal` fires, or with the worker's error.
	 */
	async run(
		threads: number,
		blocks: number,
		features: number,
		blockAt: (id: number) => Float64Array<ArrayBuffer>,
		onBlock: (id: number, contributions: Float32Array) => void,
		signal?: AbortSignal,
	): Promise<void> {
		if (this.busy) {
			const own = new ShapPool(this.workerFile, this.prepared);
			try {
				return await own.run(threads, blocks, features, blockAt, onBlock, signal);
			} finally {
				own.stop();
			}
		}
		this.busy = true;
		clearTimeout(this.idleTimer);
		try {
			while (this.workers.length < threads)
				this.workers.push(new Worker(this.workerFile, { workerData: { prepared: this.prepared } satisfies ShapWorkerData }));
			await this.dispatch(this.workers.slice(0, threads), blocks, features, blockAt, onBlock, signal);
			for (const worker of this.workers) worker.unref();
			this.idleTimer = setTimeout(() => this.stop(), idleMs).unref();
		} catch (error) {
			this.stop();
			throw error;
		} finally {
			this.busy = false;
		}
	}

	/** Stops every worker now. */
	stop(): void {
		clearTimeout(this.idleTimer);
		for (const worker of this.workers) void worker.terminate();
		this.workers = [];
	}

	private dispatch(
		workers: Worker[],
		blocks: number,
		features: number,
		blockAt: (id: number) => Float64Array<ArrayBuffer>,
		onBlock: (id: number, contributions: Float32Array) => void,
		signal?: AbortSignal,
	): Promise<void> {
		return new Promise<void>((resolve, reject) => {
			let next = 0;
			let finished = 0;
			let settled = false;
			const listeners = new Map<Worker, { message: (reply: ShapWorkerReply) => void; error: (error: Error) => void; exit: (code: number) => void }>();
			const settle = (error?: unknown): void => {
				if (settled) return;
				settled = true;
				signal?.removeEventListener('abort', onAbort);
				for (const [worker, on] of listeners) {
					worker.off('message', on.message);
					worker.off('error', on.error);
					worker.off('exit', on.exit);
				}
				if (error === undefined) resolve();
				else reject(error);
			};
			const onAbort = (): void => settle(new CancelledError('explanation'));
			const send = (worker: Worker): void => {
				if (next >= blocks) return;
				const id = next++;
				const values = blockAt(id);
				const request: ShapWorkerRequest = { id, values, features };
				worker.postMessage(request, [values.buffer]);
			};
			if (blocks === 0) return settle();
			if (signal?.aborted) return settle(new CancelledError('explanation'));
			signal?.addEventListener('abort', onAbort, { once: true });
			for (const worker of workers) {
				const on = {
					message: (reply: ShapWorkerReply): void => {
						if (settled) return;
						onBlock(reply.id, reply.contributions);
						if (++finished === blocks) settle();
						else send(worker);
					},
					error: (error: Error): void => settle(error),
					exit: (code: number): void => settle(new Error(`A TreeSHAP worker thread stopped (exit code ${code}) before finishing.`)),
				};
				listeners.set(worker, on);
				worker.ref();
				worker.on('message', on.message);
				worker.on('error', on.error);
				worker.on('exit', on.exit);
				send(worker);
			}
		});
	}
}

const pools = new WeakMap<PreparedEnsemble, ShapPool>();

/** The pool of the prepared ensemble (created on first use). */
export function poolFor(workerFile: string, prepared: PreparedEnsemble): ShapPool {
	let pool = pools.get(prepared);
	if (!pool) {
		pool = new ShapPool(workerFile, prepared);
		pools.set(prepared, pool);
	}
	return pool;
}
