/**
 * `auto` fits its extra candidates (logistic regression, naive Bayes) on a worker thread while
 * the boosted trees train on this one. The trees use both cores only part of the time (their
 * worker sleeps while this thread grows a tree, samples rows and checks the validation loss), so
 * the candidates fit in that idle time instead of after the trees.
 *
 * A candidate fits the same way on any thread (same code, same data, same seed) and comes back
 * as its JSON form, which reads back into the same learner: the choice and the model bytes are
 * those of fitting them one after another. Only small enough data goes (the worker reads a shared
 * copy of the training columns, which must not double the memory of a large training); when the
 * worker cannot start or dies, the remaining candidates fit on this thread after the trees.
 */
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { InputError } from '../errors';
import { type LabelledDataset, SHARED_COPY_MAX_BYTES } from './dataset';
import type { LearnerKind, TrainedLearner } from './learner';
import type { FitOptions } from './registry';

/** The candidates a worker can fit: they read no validation rows and report no progress worth waiting for. */
export const backgroundKinds: readonly LearnerKind[] = ['logistic', 'naiveBayes'];

/** Fewer training rows fit faster on this thread than a worker starts. */
export const BACKGROUND_MIN_ROWS = 20_000;

/** What the main thread posts to the worker: the training rows in shared memory, and what to fit. */
export interface BackgroundRequest {
	readonly kinds: readonly LearnerKind[];
	readonly rows: number;
	readonly featureNames: readonly string[];
	/** Column after column, rows × features values. */
	readonly values: Float32Array;
	readonly label: Uint8Array;
	readonly weight?: Float32Array;
	readonly options: FitOptions;
	readonly seed: number;
}

/** What the worker posts back, once per kind, in the order asked. */
export type BackgroundReply =
	| { readonly kind: LearnerKind; readonly json: unknown; readonly seconds: number }
	| { readonly kind: LearnerKind; readonly error: { readonly name: string; readonly message: string; readonly code?: string; readonly details?: unknown } };

/** A fit's outcome: the learner and its fit seconds, or the error it threw (rethrown where the fit would have run). */
export type BackgroundOutcome = { readonly learner: TrainedLearner; readonly seconds: number } | { readonly error: Error };

export interface BackgroundFits {
	/** The outcome for `kind`, or undefined when the worker could not fit it (fit it on this thread). */
	take(kind: LearnerKind): Promise<BackgroundOutcome | undefined>;
	/** Stops the worker (idempotent): after cancellation or once every outcome is taken. */
	close(): Promise<void>;
}

/**
 * Starts fitting `kinds` (those a worker can fit) on a worker thread, or returns undefined when
 * none can go there: too few rows or too many values, one core, or the trees asked for one thread.
 */
export function startBackgroundFits(
	kinds: readonly LearnerKind[],
	train: LabelledDataset,
	options: FitOptions,
	seed: number,
	fromJson: (json: unknown) => TrainedLearner,
): BackgroundFits | undefined {
	const wanted = kinds.filter((kind) => backgroundKinds.includes(kind));
	const bytes = 4 * train.rows * train.columns.length;
	if (wanted.length === 0 || train.rows < BACKGROUND_MIN_ROWS || bytes > SHARED_COPY_MAX_BYTES) return undefined;
	if (options.gbdt?.threads === 1 || availableParallelism() < 2) return undefined;
	let worker: Worker;
	try {
		worker = new Worker(path.join(__dirname, 'backgroundWorker.js'));
	} catch {
		return undefined;
	}
	// Not unreferenced: this thread may await a reply with nothing else keeping the process alive. close() ends it.
	const pending = new Map<LearnerKind, (outcome: BackgroundOutcome | undefined) => void>();
	const outcomes = new Map<LearnerKind, Promise<BackgroundOutcome | undefined>>();
	for (const kind of wanted) outcomes.set(kind, new Promise((resolve) => pending.set(kind, resolve)));
	const settleRest = (): void => {
		// The worker is gone: whatever it did not answer fits on the calling thread.
		for (const resolve of pending.values()) resolve(undefined);
		pending.clear();
	};
	worker.on('message', (reply: BackgroundReply) => {
		const resolve = pending.get(reply.kind);
		if (!resolve) return;
		pending.delete(reply.kind);
		resolve(outcomeOf(reply, fromJson));
	});
	worker.on('error', settleRest);
	worker.on('exit', settleRest);
	worker.postMessage(requestOf(wanted, train, options, seed));
	let closed = false;
	return {
		take: (kind) => outcomes.get(kind) ?? Promise.resolve(undefined),
		close: async () => {
			if (closed) return;
			closed = true;
			settleRest();
			await worker.terminate();
		},
	};
}

/** The request with the training rows copied into shared memory (no second copy on posting). */
function requestOf(kinds: readonly LearnerKind[], train: LabelledDataset, options: FitOptions, seed: number): BackgroundRequest {
	const { rows, columns } = train;
	const values = new Float32Array(new SharedArrayBuffer(4 * rows * columns.length));
	columns.forEach((column, f) => values.set(column.subarray(0, rows), f * rows));
	const label = new Uint8Array(new SharedArrayBuffer(rows));
	label.set(train.label.subarray(0, rows));
	let weight: Float32Array | undefined;
	if (train.weight) {
		weight = new Float32Array(new SharedArrayBuffer(4 * rows));
		weight.set(train.weight.subarray(0, rows));
	}
	return { kinds, rows, featureNames: train.featureNames.slice(), values, label, ...(weight ? { weight } : {}), options, seed };
}

/** A reply as the outcome the fit on this thread would have had: its learner, or its error (an InputError stays one). */
function outcomeOf(reply: BackgroundReply, fromJson: (json: unknown) => TrainedLearner): BackgroundOutcome {
	if ('error' in reply) {
		const { name, message, code, details } = reply.error;
		const error = name === 'InputError' ? new InputError(message, code, details) : new Error(message);
		return { error };
	}
	try {
		return { learner: fromJson(reply.json), seconds: reply.seconds };
	} catch (error) {
		return { error: error instanceof Error ? error : new Error(String(error)) };
	}
}

/** The training rows of a request, as the learners read them. */
export function datasetOf(request: BackgroundRequest): LabelledDataset {
	const { rows, featureNames, values, label, weight } = request;
	const columns = featureNames.map((_, f) => values.subarray(f * rows, (f + 1) * rows));
	return { rows, featureNames, columns, label, ...(weight ? { weight } : {}) };
}
