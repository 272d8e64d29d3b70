/**
 * A scoring worker (started by predictPool.ts): for each run posted to it, it claims tasks of
 * rows from the run's shared counter and adds the trees' leaf values to the shared output.
 */
import { parentPort } from 'node:worker_threads';
import { codersOf, predictRows, type FlatForest } from './predict';
import { runTasks, type RunMessage } from './predictPool';

parentPort?.on('message', (message: RunMessage) => {
	const forest = message.forest as FlatForest;
	let coders: ReturnType<typeof codersOf> | undefined;
	runTasks(message.control, message.rows, (from, to) => {
		// Built on the first task claimed: a worker that claims none pays nothing.
		coders ??= codersOf(forest, true);
		predictRows(forest, message.columns, from, to, message.out, true, coders);
	});
});
