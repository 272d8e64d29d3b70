/**
 * The one entry point of every thread of boosted-tree training: runs a task of a command. The
 * main thread and the worker threads (worker.ts) see the same SharedArrayBuffers and run the
 * same tasks, so a result never depends on which thread ran a task: every histogram, every
 * partial sum and every row move is computed by exactly one task, in a fixed order.
 *
 * The tasks live by subject, as in LightGBM: binned.ts (binned data, shared memory),
 * histogram.ts, split.ts (split search), partition.ts, scores.ts (gradients, score updates);
 * protocol.ts holds the commands, control words and field layouts.
 */
import { COMMAND } from './protocol';
import { binFeatureTask, packRowsTask, type SharedState } from './binned';
import { histogramBlockTask } from './histogram';
import { splitTask } from './split';
import { partitionSplitTask, partitionPlaceTask } from './partition';
import { gradientTask, updateScoresTask } from './scores';

/** Runs task `task` of `command` on the shared state: the one entry point of every thread. */
export function runTask(s: SharedState, command: number, task: number): void {
	switch (command) {
		case COMMAND.bin:
			return binFeatureTask(s, task);
		case COMMAND.gradients:
			return gradientTask(s, task);
		case COMMAND.histograms:
			return histogramBlockTask(s, task);
		case COMMAND.splits:
			return splitTask(s, task);
		case COMMAND.partitionSplit:
			return partitionSplitTask(s, task);
		case COMMAND.partitionPlace:
			return partitionPlaceTask(s, task);
		case COMMAND.updateScores:
			return updateScoresTask(s, task);
		case COMMAND.pack:
			return packRowsTask(s, task);
		default:
			throw new Error(`unknown boosting command ${command}`);
	}
}
