import assert from 'node:assert/strict';
import { CONTROL_DONE, CONTROL_NEXT, TASK_ROWS, newControl, runTasks, waitForTasks } from '../../core/learn/gbdt/predictPool';

describe('learn: the threads that share a scoring run', () => {
	const rows = 3 * TASK_ROWS;

	it('waits for every task and says the run finished', () => {
		const control = newControl();
		const scored: number[] = [];
		runTasks(control, rows, (from) => scored.push(from));
		assert.deepEqual(scored, [0, TASK_ROWS, 2 * TASK_ROWS]);
		assert.equal(waitForTasks(control, rows, 50), true);
	});

	it('gives the run up when a worker died holding a task, and lets nobody claim another', () => {
		const control = newControl();
		// A worker claimed the first task and died: it never counts it done.
		Atomics.add(control, CONTROL_NEXT, 1);
		const scored: number[] = [];
		runTasks(control, rows, (from) => scored.push(from));
		assert.deepEqual(scored, [TASK_ROWS, 2 * TASK_ROWS]);
		assert.equal(Atomics.load(control, CONTROL_DONE), 2);
		assert.equal(waitForTasks(control, rows, 50), false);
		const late: number[] = [];
		runTasks(control, rows, (from) => late.push(from));
		assert.deepEqual(late, [], 'a late worker finds no task left');
	});
});
