/**
 * The worker threads that share large scoring runs (see predict.ts). They start on the first
 * large run and stay for the process's life, unreferenced, so they never keep it alive. A run
 * is cut into tasks of rows; every thread claims tasks from a shared counter, so the calling
 * thread never waits on a worker that has not started or that the system has not scheduled: it
 * takes the remaining tasks itself and waits only for tasks a worker has claimed.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { STALL_MS, waitForCount } from './stall';

/** Slots of a run's control words. */
export const CONTROL_NEXT = 0;
export const CONTROL_DONE = 1;
export const CONTROL_FAILED = 2;
const CONTROL_WORDS = 3;

/** Rows per task: enough to amortise a claim, few enough that both threads end together. */
export const TASK_ROWS = 16_384;
/** At most this many threads score (the calling thread included). */
const MAX_THREADS = 4;

/** What the calling thread posts to each worker for one run; the arrays are views of shared memory. */
export interface RunMessage {
	readonly forest: unknown;
	readonly columns: readonly Float32Array[];
	readonly rows: number;
	readonly out: Float64Array;
	readonly control: Int32Array;
}

let workers: Worker[] | undefined;

/** Up to `threads - 1` running workers (fewer if starting one fails: the caller then does more itself). */
export function scoringWorkers(threads: number | undefined): Worker[] {
	const wanted = Math.min(MAX_THREADS, threads ?? availableParallelism()) - 1;
	if (wanted <= 0) return [];
	workers ??= [];
	while (workers.length < wanted) {
		try {
			const worker = new Worker(path.join(__dirname, 'predictWorker.js'));
			worker.unref();
			// A worker that fails is dropped; runs already posted to it are finished by the others.
			worker.on('error', () => forget(worker));
			worker.on('exit', () => forget(worker));
			workers.push(worker);
		} catch {
			break;
		}
	}
	return workers.slice(0, wanted);
}

function forget(worker: Worker): void {
	if (workers) workers = workers.filter((w) => w !== worker);
}

/** Fresh control words for one run. */
export function newControl(): Int32Array {
	return new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * Int32Array.BYTES_PER_ELEMENT));
}

/**
 * Claims and runs tasks of a run until none are left. A task that throws flags the run as
 * failed (the caller then scores every row itself) and still counts as done, so nobody waits forever.
 */
export function runTasks(control: Int32Array, rows: number, scoreRows: (from: number, to: number) => void): void {
	const tasks = Math.ceil(rows / TASK_ROWS);
	for (let task = Atomics.add(control, CONTROL_NEXT, 1); task < tasks; task = Atomics.add(control, CONTROL_NEXT, 1)) {
		try {
			scoreRows(task * TASK_ROWS, Math.min(rows, (task + 1) * TASK_ROWS));
		} catch {
			Atomics.store(control, CONTROL_FAILED, 1);
		}
		Atomics.add(control, CONTROL_DONE, 1);
		Atomics.notify(control, CONTROL_DONE);
	}
}

/**
 * Blocks until every task of the run is done (the caller has claimed all that were left), and
 * says whether they all finished. When no task finishes for `stallMs` (a worker died or hangs
 * holding one, see stall.ts), the run is given up and no further task can be claimed.
 */
export function waitForTasks(control: Int32Array, rows: number, stallMs = STALL_MS): boolean {
	const tasks = Math.ceil(rows / TASK_ROWS);
	if (waitForCount(control, CONTROL_DONE, tasks, stallMs)) return true;
	Atomics.store(control, CONTROL_NEXT, tasks);
	return false;
}
