/**
 * The worker thread of a parallel CSV load (started by parallelCsv.ts): waits for its job, loads
 * the file's second half, and posts the events back (their arrays transferred, not copied), or
 * `{ part: undefined }` when the half has to be read by the calling thread.
 */
import { parentPort } from 'node:worker_threads';
import { type CsvHalfJob, loadCsvHalf } from './csvHalf';
import { partBuffers } from './table';

parentPort?.once('message', (job: CsvHalfJob) => {
	loadCsvHalf(job).then(
		(part) => parentPort?.postMessage({ part }, part ? partBuffers(part.events) : []),
		() => parentPort?.postMessage({ part: undefined }),
	);
});
