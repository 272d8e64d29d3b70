/**
 * A large CSV file loaded by two threads: the calling thread reads the first half while a worker
 * reads the second, from a line break near the middle. The split is only a guess until the
 * calling thread, reading from the start, reaches it: the worker's events are kept only when the
 * first half ended exactly at a record's end there (no quoted field spans the split), neither half
 * met an undecodable byte and the worker's half had no bad row. Otherwise the calling thread
 * simply reads on, as a single-threaded load would. Kept or not, the events are the same, in the
 * same order (the first half's, then the second's), so the table is byte-identical to a
 * single-threaded load's.
 */
import fs from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { CsvHalfJob } from './csvHalf';
import type { SinkPart } from './sink';
import type { ReadPause } from './text';

/** Files smaller than this are read by one thread: starting a worker costs more than it saves. */
export const parallelCsvSettings = { minBytes: 48 * 1024 * 1024 };

/**
 * How often a worker's half was kept or read again by the calling thread, in this process, and
 * how long the calling thread waited for the worker in all (milliseconds): tests and benchmarks read it.
 */
export const parallelCsvOutcomes = { kept: 0, readAgain: 0, waitedMs: 0 };

/** How far past the middle a line break is looked for. */
const searchBytes = 1 << 20;

/**
 * The worker's share of the file: a little under half, as its start-up (loading the reader's
 * modules) runs while the calling thread is already reading. 43% was tried (the worker's code
 * starts cold): the calling thread then rarely waited for the worker, and its own longer part
 * made its CPU time longer, not shorter (docs/performance.md).
 */
const workerShare = 0.47;

/** The second half of one load, on a worker thread. */
export class CsvSplit {
	private worker: Worker | undefined;
	private result: Promise<SinkPart | undefined> = Promise.resolve(undefined);
	private started = false;
	/** Set once the first half is read: keeps the worker's events (true) or not. */
	accept: (part: SinkPart) => boolean = () => false;

	private constructor(
		readonly file: string,
		/** Byte offset where the second half starts. */
		readonly at: number,
		/** The file's size in bytes. */
		readonly size: number,
	) {}

	/** A split of `file` when it is large enough and has a line break past its middle, else undefined. */
	static async plan(file: string): Promise<CsvSplit | undefined> {
		if (availableParallelism() < 2) return undefined;
		let handle: fs.promises.FileHandle | undefined;
		try {
			handle = await fs.promises.open(file, 'r');
			const { size } = await handle.stat();
			if (size < parallelCsvSettings.minBytes) return undefined;
			const head = Buffer.alloc(2);
			await handle.read(head, 0, 2, 0);
			// gzip: its bytes cannot be split.
			if (head[0] === 0x1f && head[1] === 0x8b) return undefined;
			const from = Math.floor(size * (1 - workerShare));
			const window = Buffer.alloc(Math.min(searchBytes, size - from));
			const { bytesRead } = await handle.read(window, 0, window.length, from);
			const newline = window.subarray(0, bytesRead).indexOf(10);
			if (newline === -1 || from + newline + 1 >= size) return undefined;
			const split = new CsvSplit(file, from + newline + 1, size);
			split.spawn();
			return split;
		} catch {
			return undefined;
		} finally {
			await handle?.close();
		}
	}

	/**
	 * Starts the worker thread, which loads its modules while the calling thread opens the file
	 * and reads the header. Without a worker (none could start), the calling thread reads on.
	 */
	private spawn(): void {
		this.result = new Promise<SinkPart | undefined>((resolve) => {
			let worker: Worker;
			try {
				worker = new Worker(path.join(__dirname, 'csvWorker.js'));
			} catch {
				resolve(undefined);
				return;
			}
			this.worker = worker;
			worker.unref();
			worker.once('message', (message: { part: SinkPart | undefined }) => resolve(message.part));
			worker.once('error', () => resolve(undefined));
			worker.once('exit', () => resolve(undefined));
		});
	}

	/** Sets the worker on the second half, once the header is known. */
	start(job: Omit<CsvHalfJob, 'path' | 'start'>): void {
		if (!this.worker || this.started) return;
		this.started = true;
		this.worker.postMessage({ ...job, path: this.file, start: this.at } satisfies CsvHalfJob);
	}

	/** Gives up the worker (a failed load, a format or encoding that cannot be split); the calling thread reads on. */
	cancel(): void {
		void this.worker?.terminate();
		this.worker = undefined;
	}

	/** Where the calling thread's reading pauses: it reads on unless the worker's half is accepted. */
	get pause(): ReadPause {
		return {
			at: this.at,
			resume: async () => {
				const waitFrom = performance.now();
				const part = this.started && this.worker ? await this.result : undefined;
				parallelCsvOutcomes.waitedMs += performance.now() - waitFrom;
				this.cancel();
				const kept = part !== undefined && this.accept(part);
				if (kept) parallelCsvOutcomes.kept++;
				else if (this.started) parallelCsvOutcomes.readAgain++;
				return !kept;
			},
		};
	}
}
