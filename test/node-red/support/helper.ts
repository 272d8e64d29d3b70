/**
 * node-red-node-test-helper, typed for these suites and started with the Node-RED of the
 * devDependencies, plus small waits on what a node under test does: the messages a helper
 * node receives and the statuses the node shows.
 */
import type { EventEmitter } from 'node:events';

export interface FlowNode {
	id: string;
	type: string;
	wires?: string[][];
	[property: string]: unknown;
}

/** A running node: receives messages; the helper re-emits its status and send calls. */
export interface TestNode extends EventEmitter {
	readonly id: string;
	receive(msg: Record<string, unknown>): void;
}

interface SinonCall {
	readonly args: unknown[];
}

interface Helper {
	init(runtimePath: string, settings?: Record<string, unknown>): void;
	settings(settings: Record<string, unknown>): void;
	load(nodes: unknown, flow: FlowNode[], credentials?: Record<string, Record<string, string>>): Promise<void>;
	unload(): Promise<void>;
	getNode(id: string): TestNode;
	request(): {
		post(path: string): { send(body: unknown): Promise<{ status: number; body: unknown }> };
		get(path: string): Promise<{ status: number; body: unknown }>;
	};
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require('node-red-node-test-helper') as Helper;
helper.init(require.resolve('node-red'));

/** The next `count` messages a node receives (an input of a helper node), in order. */
export function messages(node: TestNode, count: number, timeoutMs = 60000): Promise<Record<string, unknown>[]> {
	const got: Record<string, unknown>[] = [];
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${count} messages at node ${node.id} (got ${got.length}).`)), timeoutMs);
		node.on('input', (msg: Record<string, unknown>) => {
			got.push(msg);
			if (got.length === count) {
				clearTimeout(timer);
				resolve(got);
			}
		});
	});
}

/** The next message a node receives. */
export async function message(node: TestNode, timeoutMs?: number): Promise<Record<string, unknown>> {
	return (await messages(node, 1, timeoutMs))[0];
}

export interface ShownStatus {
	fill?: string;
	shape?: string;
	text?: string;
}

/** Records every status a node shows from now on. */
export function statuses(node: TestNode): ShownStatus[] {
	const shown: ShownStatus[] = [];
	node.on('call:status', (call: SinonCall) => shown.push(call.args[0] as ShownStatus));
	return shown;
}

/** Resolves with the first status from now on that `wanted` accepts. */
export function statusWhere(node: TestNode, wanted: (status: ShownStatus) => boolean, timeoutMs = 60000): Promise<ShownStatus> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`Timed out waiting for a status at node ${node.id}.`)), timeoutMs);
		node.on('call:status', (call: SinonCall) => {
			const status = call.args[0] as ShownStatus;
			if (wanted(status)) {
				clearTimeout(timer);
				resolve(status);
			}
		});
	});
}

/** Fails when a message arrives at the node within `ms` (nothing is expected there). */
export function noMessage(node: TestNode, ms: number): Promise<void> {
	return new Promise((resolve, reject) => {
		const timer = setTimeout(resolve, ms);
		node.on('input', (msg: Record<string, unknown>) => {
			clearTimeout(timer);
			reject(new Error(`Expected no message at node ${node.id}, got one with payload ${JSON.stringify(msg.payload)?.slice(0, 200)}.`));
		});
	});
}
