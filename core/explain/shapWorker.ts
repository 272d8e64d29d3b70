/**
 * A worker thread that explains blocks of rows for `explainRows` (through `ShapPool`): it
 * receives the prepared ensemble once (plain typed arrays), then blocks of row values, and
 * answers each block with its contributions, computed by the same loop as the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { explainBlock } from './block';
import { engineOf, type PreparedEnsemble } from './treeShap';

export interface ShapWorkerData {
	readonly prepared: PreparedEnsemble;
}

export interface ShapWorkerRequest {
	readonly id: number;
	/** rows × features, row-major, NaN = missing. */
	readonly values: Float64Array;
	readonly features: number;
}

export interface ShapWorkerReply {
	readonly id: number;
	readonly contributions: Float32Array;
}

if (parentPort) {
	const port = parentPort;
	const explain = engineOf((workerData as ShapWorkerData).prepared);
	let phi = new Float64Array(0);
	port.on('message', (request: ShapWorkerRequest) => {
		const contributions = new Float32Array(request.values.length);
		if (phi.length < request.values.length) phi = new Float64Array(request.values.length);
		explainBlock(explain, request.values, request.features, contributions, phi);
		const reply: ShapWorkerReply = { id: request.id, contributions };
		port.postMessage(reply, [contributions.buffer]);
	});
}
