/**
 * A boosted-tree training worker (started by pool.ts): it sleeps on the shared generation
 * counter, and on each new dispatch reads any pending messages (new histogram slots), then
 * claims tasks from the shared counter until none are left.
 */
import { receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { COMMAND, CTRL_COMMAND, CTRL_ERROR, CTRL_GENERATION, CTRL_READY, CTRL_TASKS, claimTask, finishTask, waitWhile } from './protocol';
import { addSlotViews, viewShared, type SharedDescriptor } from './binned';
import { runTask } from './kernels';
import type { PoolMessage, WorkerMessage } from './pool';

const { descriptor, port } = workerData as { descriptor: SharedDescriptor; port: MessagePort };
const state = viewShared(descriptor);
const control = state.control;

/** Applies the messages the main thread posted before this dispatch. */
function readMessages(): void {
	for (let received = receiveMessageOnPort(port); received; received = receiveMessageOnPort(port)) {
		const message = received.message as PoolMessage;
		if (message.type === 'slots') addSlotViews(state, message.buffer);
		else if (message.type === 'drop-columns') {
			state.columns = [];
			state.sample = undefined;
		}
	}
}

function serve(): void {
	let seen = Atomics.load(control, CTRL_GENERATION);
	Atomics.add(control, CTRL_READY, 1);
	for (;;) {
		waitWhile(control, CTRL_GENERATION, seen);
		seen = Atomics.load(control, CTRL_GENERATION);
		const command = Atomics.load(control, CTRL_COMMAND);
		if (command === COMMAND.exit) break;
		readMessages();
		const tasks = Atomics.load(control, CTRL_TASKS);
		// A claim only succeeds while this generation's dispatch is open, so the parameters read are its own.
		for (let task = claimTask(control, seen, tasks); task >= 0; task = claimTask(control, seen, tasks)) {
			try {
				runTask(state, command, task);
			} catch (error) {
				reportFailure(error);
			}
			finishTask(control, tasks);
		}
	}
	port.close();
}

/** Flags the failure for the main thread and sends it the message. */
function reportFailure(error: unknown): void {
	const failure: WorkerMessage =
		error instanceof Error ? { type: 'error', message: error.message, stack: error.stack } : { type: 'error', message: String(error) };
	port.postMessage(failure);
	Atomics.store(control, CTRL_ERROR, 1);
}

serve();
