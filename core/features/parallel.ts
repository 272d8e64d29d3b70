/**
 * The feature walk over several threads. Profiles are split into contiguous ranges of about
 * equal event counts; each worker receives copies of its range's slice of the table (times,
 * row classes and the columns the features read) and writes its rows straight into output
 * columns backed by shared memory. Rows are assigned exactly as on one thread (by cutoff,
 * then profile), so the result is the same bytes whatever the number of threads.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { CancelledError, throwIfCancelled } from '../errors';
import type { WorkHooks } from '../util/progress';
import type { FeatureSink } from './execute';
import { type EventsView, type Program, type WalkPlan, slots } from './walk';

/** Below this many events a second thread costs more than it saves. */
export const minEventsPerThread = 250_000;

/** Threads to use: as asked, else one per core (at most 4) but fewer for small tables. */
export function threadCount(events: number, asked?: number): number {
	if (asked !== undefined) return Math.max(1, Math.floor(asked));
	return Math.max(1, Math.min(4, availableParallelism(), Math.floor(events / minEventsPerThread)));
}

/** What a worker needs for profiles [from, to) of the table. */
export interface RangeJob {
	readonly events: EventsView;
	readonly classOf: Uint32Array;
	readonly plan: WalkPlan;
	readonly cutoffs: Float64Array;
	/** States of the range's profiles only (profile 0 = the range's first). */
	readonly state: Uint8Array;
	readonly profiles: number;
	/** Global index of the range's first profile. */
	readonly profileOffset: number;
	readonly sink: FeatureSink;
}

/** Splits profiles into `parts` contiguous ranges with about the same number of events. */
export function splitProfiles(profileStart: Uint32Array, parts: number): number[] {
	const profiles = profileStart.length - 1;
	const events = profileStart[profiles];
	const bounds = [0];
	let p = 0;
	for (let part = 1; part < parts; part++) {
		const target = (events * part) / parts;
		while (p < profiles && profileStart[p] < target) p++;
		bounds.push(Math.max(p, bounds[bounds.length - 1]));
	}
	bounds.push(profiles);
	return bounds;
}

/** Per cutoff, the row at which the profiles from `from` on start writing: the eligible rows before them. */
export function firstRows(state: Uint8Array, cutoffs: number, from: number, cutoffStart: Uint32Array): Uint32Array {
	const next = Uint32Array.from(cutoffStart);
	for (let i = 0; i < from * cutoffs; i++) if (state[i] !== 0) next[i % cutoffs]++;
	return next;
}

/** The job for profiles [from, to): slices of the arrays the walk reads, rebased to the range. */
export function rangeJob(
	table: EventsView,
	classOf: Uint32Array,
	plan: WalkPlan,
	cutoffs: Float64Array,
	state: Uint8Array,
	from: number,
	to: number,
	sink: FeatureSink,
): RangeJob {
	const first = table.profileStart[from];
	const last = table.profileStart[to];
	const profileStart = table.profileStart.slice(from, to + 1);
	for (let p = 0; p < profileStart.length; p++) profileStart[p] -= first;
	// The same source column is sliced once however many operations read it.
	const sliced = new Map<Float64Array | Int32Array, Float64Array | Int32Array>();
	const slice = <T extends Float64Array | Int32Array>(column: T): T => {
		if (column.length === 0) return column;
		let part = sliced.get(column);
		if (!part) sliced.set(column, (part = column.slice(first, last)));
		return part as T;
	};
	const program: Program = { ...plan.program, numbers: plan.program.numbers.map(slice), codes: plan.program.codes.map(slice) };
	return {
		events: { time: table.time.slice(first, last), profileStart },
		classOf: classOf.slice(first, last),
		plan: { ...plan, program },
		cutoffs,
		state: state.slice(from * cutoffs.length, to * cutoffs.length),
		profiles: to - from,
		profileOffset: from,
		sink,
	};
}

/** Float32 columns (and row bookkeeping) in shared memory, so workers can write into them. */
export function sharedSink(rows: number, features: number, labels: boolean, nextRow: Uint32Array): FeatureSink {
	const shared = <T>(make: (buffer: SharedArrayBuffer) => T, bytes: number): T => make(new SharedArrayBuffer(bytes));
	return {
		columns: Array.from({ length: features }, () => shared((b) => new Float32Array(b), rows * 4)),
		nextRow,
		profile: shared((b) => new Uint32Array(b), rows * 4),
		cutoffIndex: shared((b) => new Uint16Array(b), rows * 2),
		label: labels ? shared((b) => new Uint8Array(b), rows) : undefined,
	};
}

/** Runs a job on a new worker thread; resolves when its rows are written. Terminated on cancel. */
export function runOnWorker(job: RangeJob, hooks: WorkHooks | undefined, onProfiles: (done: number) => void): Promise<void> {
	return new Promise((resolve, reject) => {
		throwIfCancelled(hooks?.signal, 'feature computation');
		const worker = new Worker(path.join(__dirname, 'worker.js'), { workerData: job });
		const cancel = (): void => {
			void worker.terminate();
			reject(new CancelledError('feature computation'));
		};
		hooks?.signal?.addEventListener('abort', cancel, { once: true });
		const finish = (error?: Error): void => {
			hooks?.signal?.removeEventListener('abort', cancel);
			if (error) reject(error);
			else resolve();
		};
		worker.on('message', (message: { done?: number; finished?: boolean }) => {
			if (message.done !== undefined) onProfiles(message.done);
			if (message.finished) {
				void worker.terminate();
				finish();
			}
		});
		worker.once('error', (error) => finish(error));
		worker.once('exit', (code) => {
			if (code !== 0) finish(new Error(`a feature worker stopped with exit code ${code}`));
		});
	});
}

/** Scratch accumulators for one thread's walk. */
export function scratchFor(plan: WalkPlan, cutoffs: number): { acc: Float64Array; active: Int32Array } {
	return { acc: new Float64Array(Math.max(1, cutoffs * plan.program.size * slots)), active: new Int32Array(cutoffs) };
}
