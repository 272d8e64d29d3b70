/**
 * A small pool of worker threads for boosted-tree training. The main thread hands out work
 * synchronously: it writes the parameters into shared memory, wakes the workers, claims tasks
 * itself from the same counter, and waits until every claimed task is finished.
 * Which thread runs a task does not matter (see kernels.ts), so results are identical
 * for any number of threads. With no workers, tasks simply run on the calling thread.
 * A worker that dies hard or hangs holding a task ends the dispatch with WorkerStallError
 * (stall.ts) instead of blocking this thread forever; train.ts then trains on one thread.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import * as path from 'node:path';
import {
	COMMAND,
	CLOSED,
	CTRL_COMMAND,
	CTRL_DONE,
	CTRL_ERROR,
	CTRL_GENERATION,
	CTRL_NEXT,
	CTRL_READY,
	CTRL_TASKS,
	MAX_TASKS,
	claimTask,
	finishTask,
	openWord,
} from './protocol';
import { addSlotViews, type SharedDescriptor, type SharedState } from './binned';
import { runTask } from './kernels';
import { STALL_MS, waitForCount } from './stall';

/** What a worker posts on its port. */
export type WorkerMessage = { type: 'error'; message: string; stack?: string };
/** What the main thread posts to a worker before a dispatch; workers read it when they wake. */
export type PoolMessage = { type: 'slots'; buffer: SharedArrayBuffer } | { type: 'drop-columns' };

/** A training worker stopped finishing its tasks (it died hard or hangs): the dispatch was given up. */
export class WorkerStallError extends Error {
	constructor(stallMs: number) {
		super(`a training worker finished no task for ${stallMs / 1000} s (it died or hangs)`);
		this.name = 'WorkerStallError';
	}
}

/**
 * Waits until every claimed task of the open dispatch is done, then closes it. When none finishes
 * for `stallMs`, the dispatch is closed (a worker waking late can claim nothing more) and
 * WorkerStallError thrown: the shared memory may still be written by the stalled worker, so the
 * caller must not use it again.
 */
export function awaitDispatch(control: Int32Array, tasks: number, stallMs = STALL_MS): void {
	const finished = waitForCount(control, CTRL_DONE, tasks, stallMs);
	Atomics.store(control, CTRL_NEXT, CLOSED);
	if (!finished) throw new WorkerStallError(stallMs);
}

/**
 * Runs `work` on `threads`, and once more on one thread when a worker stalled: threads never
 * change the result, and the second run allocates fresh memory, which no stalled worker writes.
 */
export async function withStallFallback<T>(threads: number, work: (threads: number) => Promise<T>, onFallback: (stall: WorkerStallError) => void): Promise<T> {
	try {
		return await work(threads);
	} catch (error) {
		if (!(error instanceof WorkerStallError) || threads === 1) throw error;
		onFallback(error);
		return work(1);
	}
}

export class WorkerPool {
	private constructor(
		private readonly state: SharedState,
		private readonly workers: Worker[],
		private readonly ports: MessagePort[],
	) {}

	/**
	 * Starts `workerCount` workers over the shared buffers and resolves once all are listening;
	 * rejects when one fails, exits or is not listening within `stallMs`.
	 */
	static async start(descriptor: SharedDescriptor, state: SharedState, workerCount: number, stallMs = STALL_MS): Promise<WorkerPool> {
		const workers: Worker[] = [];
		const ports: MessagePort[] = [];
		for (let w = 0; w < workerCount; w++) {
			const channel = new MessageChannel();
			const worker = new Worker(path.join(__dirname, 'worker.js'), {
				workerData: { descriptor, port: channel.port2 },
				transferList: [channel.port2],
			});
			worker.unref();
			workers.push(worker);
			// Never started on this side: errors are read synchronously with receiveMessageOnPort.
			ports.push(channel.port1);
		}
		const pool = new WorkerPool(state, workers, ports);
		let startFailure: string | undefined;
		const onError = (error: Error): void => {
			startFailure ??= error.message;
		};
		const onExit = (code: number): void => {
			startFailure ??= `it exited with code ${code}`;
		};
		for (const worker of workers) worker.once('error', onError).once('exit', onExit);
		const deadline = Date.now() + stallMs;
		try {
			// Workers count themselves in once they wait for work; polling keeps this thread free meanwhile.
			while (Atomics.load(state.control, CTRL_READY) < workerCount) {
				if (startFailure) throw new Error(`a training worker failed to start: ${startFailure}`);
				if (Date.now() > deadline) throw new Error(`a training worker failed to start: not listening after ${stallMs / 1000} s`);
				await new Promise((resolve) => setTimeout(resolve, 1));
			}
		} catch (error) {
			await pool.close();
			throw error;
		} finally {
			for (const worker of workers) worker.off('error', onError).off('exit', onExit);
		}
		return pool;
	}

	/** A pool with no workers: every task runs on the calling thread. */
	static inline(state: SharedState): WorkerPool {
		return new WorkerPool(state, [], []);
	}

	get threads(): number {
		return this.workers.length + 1;
	}

	/** Gives every thread a new buffer of histogram slots. */
	addSlotBuffer(buffer: SharedArrayBuffer): void {
		addSlotViews(this.state, buffer);
		this.post({ type: 'slots', buffer });
	}

	/** Lets every thread drop its view of the raw feature values once they are binned. */
	dropColumns(): void {
		this.state.columns = [];
		this.state.sample = undefined;
		this.post({ type: 'drop-columns' });
	}

	/**
	 * Runs tasks 0..tasks-1 of `command` and returns when all are done. `parallel` false (or
	 * no workers) runs them here: waking workers costs tens of microseconds, more than small jobs.
	 * Only claimed tasks are waited for, so a worker the system has not scheduled yet never holds
	 * up the dispatch: it finds the dispatch closed when it wakes.
	 */
	run(command: number, tasks: number, parallel = true): void {
		if (tasks <= 0) return;
		if (!parallel || this.workers.length === 0 || tasks === 1) {
			for (let t = 0; t < tasks; t++) runTask(this.state, command, t);
			return;
		}
		if (tasks > MAX_TASKS) throw new RangeError(`a dispatch holds at most ${MAX_TASKS} tasks, got ${tasks}`);
		const control = this.state.control;
		const generation = Atomics.load(control, CTRL_GENERATION) + 1;
		Atomics.store(control, CTRL_COMMAND, command);
		Atomics.store(control, CTRL_TASKS, tasks);
		Atomics.store(control, CTRL_DONE, 0);
		Atomics.store(control, CTRL_NEXT, openWord(generation));
		Atomics.store(control, CTRL_GENERATION, generation);
		Atomics.notify(control, CTRL_GENERATION);
		let failure: unknown;
		for (let task = claimTask(control, generation, tasks); task >= 0; task = claimTask(control, generation, tasks)) {
			try {
				runTask(this.state, command, task);
			} catch (error) {
				failure ??= error;
			}
			finishTask(control, tasks);
		}
		awaitDispatch(control, tasks);
		if (failure !== undefined) throw failure;
		if (Atomics.load(control, CTRL_ERROR) !== 0) throw this.workerError();
	}

	/** Stops the workers and waits for them to exit. */
	async close(): Promise<void> {
		if (this.workers.length === 0) return;
		const control = this.state.control;
		Atomics.store(control, CTRL_COMMAND, COMMAND.exit);
		Atomics.store(control, CTRL_TASKS, 0);
		Atomics.store(control, CTRL_NEXT, CLOSED);
		Atomics.add(control, CTRL_GENERATION, 1);
		Atomics.notify(control, CTRL_GENERATION);
		// The exit command ends a waiting worker's loop; terminate covers one that never started.
		await Promise.all(this.workers.map((worker) => worker.terminate()));
		for (const port of this.ports) port.close();
		this.workers.length = 0;
	}

	private post(message: PoolMessage): void {
		for (const port of this.ports) port.postMessage(message);
	}

	private workerError(): Error {
		for (const port of this.ports) {
			for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
				const message = received.message as WorkerMessage;
				if (message.type === 'error') return new Error(`a training worker failed: ${message.message}`);
			}
		}
		return new Error('a training worker failed');
	}
}
