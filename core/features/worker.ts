/**
 * A feature worker (started by parallel.ts): computes the rows of one range of profiles
 * into the shared output columns, reporting progress every chunk of profiles.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { computeFeatureRows } from './execute';
import { type RangeJob, scratchFor } from './parallel';

const job = workerData as RangeJob;
const chunk = 16_384;
const scratch = scratchFor(job.plan, job.cutoffs.length);
for (let from = 0; from < job.profiles; from += chunk) {
	const to = Math.min(job.profiles, from + chunk);
	computeFeatureRows(job.events, job.classOf, job.plan, job.cutoffs, job.state, from, to, job.sink, scratch, job.profileOffset);
	parentPort?.postMessage({ done: to - from });
}
parentPort?.postMessage({ finished: true });
