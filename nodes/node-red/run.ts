/**
 * How every Propensity node handles its messages: one at a time in arrival order, progress
 * shown under the node, the outcome as its status, errors through `done(err)` so Catch nodes
 * see them, and the work in hand cancelled when the node closes (redeploy, stop).
 */
import { type Progress, PropensityError, type WorkHooks, withThousands } from '../../core';
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeStatus, SendFunction } from './red';

export interface Work {
	/** Fires when the node closes; pass `hooks` to the core so long work stops at its next check. */
	readonly signal: AbortSignal;
	/** The signal, and progress shown as the node's status. */
	readonly hooks: WorkHooks;
}

/** Handles one message and says what to show under the node when it is done. */
export type Handler = (msg: NodeMessage, send: SendFunction, work: Work) => Promise<NodeStatus>;

/** How long a closing node waits for its work in hand to stop before letting Node-RED go on. */
const closeWaitMs = 10_000;

/** Registers the input and close handlers of a node around `handle`. */
export function handleMessages(node: Node, handle: Handler): void {
	const controller = new AbortController();
	const signal = controller.signal;
	let queue: Promise<void> = Promise.resolve();
	let waiting = 0;
	let busy = false;

	node.on('input', (msg, send, done) => {
		waiting++;
		if (busy) node.status({ fill: 'grey', shape: 'ring', text: `${waiting} waiting` });
		queue = queue.then(async () => {
			waiting--;
			// A message that arrived before a close is dropped quietly: the flow it belonged to is gone.
			if (signal.aborted) return done();
			busy = true;
			node.status({ fill: 'blue', shape: 'dot', text: 'working' });
			try {
				const outcome = await handle(msg, send, { signal, hooks: { signal, onProgress: progressStatus(node) } });
				node.status(outcome);
				done();
			} catch (error) {
				if (signal.aborted) {
					node.log(`Stopped: ${messageOf(error)}`);
					done();
				} else {
					node.status({ fill: 'red', shape: 'ring', text: shorten(messageOf(error)) });
					done(forNodeRed(error));
				}
			} finally {
				busy = false;
			}
		});
		// The chain must never reject: an unhandled rejection would stop Node-RED itself.
		queue = queue.catch((error: unknown) => node.error(error));
	});

	node.on('close', (_removed, done) => {
		controller.abort();
		let finished = false;
		const finish = (): void => {
			if (finished) return;
			finished = true;
			clearTimeout(timer);
			node.status({});
			done();
		};
		const timer = setTimeout(finish, closeWaitMs);
		void queue.then(finish, finish);
	});
}

/**
 * Shows progress under the node: each new stage at once, then at most twice a second within a
 * stage (each status travels to every open editor).
 */
function progressStatus(node: Node): (progress: Progress) => void {
	let last = 0;
	let stage = '';
	return (progress) => {
		const now = Date.now();
		if (progress.stage === stage && now - last < 500) return;
		last = now;
		stage = progress.stage;
		node.status({ fill: 'blue', shape: 'dot', text: describeProgress(progress) });
	};
}

/** Progress in a few words, e.g. "training: 120/400 trees" or "loading events: 120,345 events". */
export function describeProgress(progress: Progress): string {
	const total = progress.total === undefined ? '' : `/${count(progress.total)}`;
	return shorten(`${progress.stage}: ${count(progress.done)}${total} ${progress.unit}${progress.note ? ` · ${progress.note}` : ''}`);
}

/** A whole number with thousands separators, the same on every machine. */
export function count(value: number): string {
	return withThousands(Math.round(value));
}

/** Status texts stay on one line under the node. */
export function shorten(text: string, most = 80): string {
	const line = text.replace(/\s+/g, ' ').trim();
	return line.length > most ? `${line.slice(0, most - 1)}…` : line;
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/**
 * The error as Catch nodes and the debug sidebar should show it. Node-RED shows `String(error)`,
 * which for the core's errors would read "InputError: …"; their message already names the
 * input, the place and the fix, so it is shown alone, with the core's code kept on `code`.
 */
export function forNodeRed(error: unknown): Error {
	if (!(error instanceof PropensityError)) return error instanceof Error ? error : new Error(String(error));
	const shown = new Error(error.message, { cause: error }) as Error & { code?: string };
	shown.name = '';
	shown.code = error.code;
	shown.stack = error.stack;
	return shown;
}

/** Registers a node type whose constructor creates the node, as Node-RED requires, then hands it to `setup`. */
export function registerNode(
	RED: NodeAPI,
	type: string,
	setup: (node: Node, config: NodeDef) => void,
	options?: Parameters<NodeAPI['nodes']['registerType']>[2],
): void {
	RED.nodes.registerType(
		type,
		function (this: Node, config: NodeDef) {
			RED.nodes.createNode(this, config);
			setup(this, config);
		},
		options,
	);
}
