import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import { WorkerStallError, awaitDispatch, withStallFallback } from '../../core/learn/gbdt/pool';
import { CTRL_DONE, CTRL_GENERATION, CTRL_NEXT, CTRL_WORDS, claimTask, finishTask, openWord } from '../../core/learn/gbdt/protocol';

/** Control words with dispatch 1 of `tasks` tasks open, as WorkerPool.run opens it. */
function openDispatch(): Int32Array {
	const control = new Int32Array(new SharedArrayBuffer(CTRL_WORDS * Int32Array.BYTES_PER_ELEMENT));
	Atomics.store(control, CTRL_NEXT, openWord(1));
	Atomics.store(control, CTRL_GENERATION, 1);
	return control;
}

/** Claims and finishes every task left, as the calling thread does. */
function runLeft(control: Int32Array, tasks: number): number[] {
	const ran: number[] = [];
	for (let task = claimTask(control, 1, tasks); task >= 0; task = claimTask(control, 1, tasks)) {
		ran.push(task);
		finishTask(control, tasks);
	}
	return ran;
}

describe('learn: the threads that share boosted-tree training', () => {
	const tasks = 4;

	it('waits for every task of a dispatch, then closes it', () => {
		const control = openDispatch();
		assert.deepEqual(runLeft(control, tasks), [0, 1, 2, 3]);
		awaitDispatch(control, tasks, 50);
		assert.equal(claimTask(control, 1, tasks), -1);
	});

	it('gives the dispatch up when a worker died holding a task, and lets nobody claim another', () => {
		const control = openDispatch();
		// A worker claimed the first task and died: it never counts it done.
		assert.equal(claimTask(control, 1, tasks), 0);
		assert.deepEqual(runLeft(control, tasks), [1, 2, 3]);
		const started = Date.now();
		assert.throws(() => awaitDispatch(control, tasks, 50), WorkerStallError);
		assert.ok(Date.now() - started < 5000, 'it gave up after the stall time');
		assert.equal(Atomics.load(control, CTRL_DONE), 3);
		assert.equal(claimTask(control, 1, tasks), -1, 'a late worker finds the dispatch closed');
	});

	it('gives the dispatch up when a real worker thread exits holding a task', async () => {
		const control = openDispatch();
		// The worker claims one task of the open dispatch and exits without finishing it.
		const protocol = path.join(__dirname, '../../core/learn/gbdt/protocol.js');
		const worker = new Worker(
			`const { claimTask } = require(${JSON.stringify(protocol)});
			 const { workerData } = require('node:worker_threads');
			 claimTask(workerData.control, 1, ${tasks});
			 process.exit(3);`,
			{ eval: true, workerData: { control } },
		);
		const code = await new Promise((resolve) => worker.once('exit', resolve));
		assert.equal(code, 3);
		assert.deepEqual(runLeft(control, tasks), [1, 2, 3]);
		assert.throws(() => awaitDispatch(control, tasks, 50), /a training worker finished no task for 0.05 s \(it died or hangs\)/);
	});

	it('trains again on one thread after a stall, and only then', async () => {
		const calls: number[] = [];
		const stalls: string[] = [];
		const result = await withStallFallback(
			2,
			async (threads) => {
				calls.push(threads);
				if (threads > 1) throw new WorkerStallError(50);
				return 'model';
			},
			(stall) => stalls.push(stall.message),
		);
		assert.equal(result, 'model');
		assert.deepEqual(calls, [2, 1]);
		assert.equal(stalls.length, 1);
		// Other failures are not retried, and a stall on one thread (impossible) is not retried either.
		await assert.rejects(
			withStallFallback(
				2,
				async () => {
					throw new RangeError('bad data');
				},
				() => assert.fail('no fallback'),
			),
			RangeError,
		);
		await assert.rejects(
			withStallFallback(
				1,
				async () => {
					throw new WorkerStallError(50);
				},
				() => assert.fail('no fallback'),
			),
			WorkerStallError,
		);
	});
});
