/**
 * The early-stopping worker (started by stoppingThread.ts): adds each tree posted to it to the
 * validation rows' scores, and answers with every watch's state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalWatches } from './stopping';
import type { Tree } from '../tree';
import type { WatchReply, WatchStart } from './stoppingThread';

const { watched, baseScore, positiveWeight, rounds } = workerData as WatchStart;
const watches = new LocalWatches(watched, baseScore, positiveWeight, rounds);

parentPort?.on('message', ({ tree, done }: { tree: Tree; done: number }) => {
	watches.add(tree, done);
	const reply: WatchReply = { done, states: watches.states() };
	parentPort?.postMessage(reply);
});
