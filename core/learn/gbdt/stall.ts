/**
 * The one guard both worker pools (training, pool.ts; scoring, predictPool.ts) put on their
 * wait for workers. The waiting thread is blocked in Atomics.wait, so it cannot see a worker's
 * exit event: a worker that dies hard (killed, out of memory) or hangs while holding a task
 * never counts it done, and without a limit the wait, and the host process with it, would last
 * forever. So the wait gives up when the count of finished tasks stops moving.
 */

/** How long a run may go without a task finishing before a worker is taken for dead. */
export const STALL_MS = 60_000;

/**
 * Blocks until control[index] (a count of finished tasks) reaches `target`, and says whether it
 * did: false when the count did not move for `stallMs`.
 */
export function waitForCount(control: Int32Array, index: number, target: number, stallMs = STALL_MS): boolean {
	for (let done = Atomics.load(control, index); done < target; done = Atomics.load(control, index)) {
		if (Atomics.wait(control, index, done, stallMs) === 'timed-out' && Atomics.load(control, index) === done) return false;
	}
	return true;
}
