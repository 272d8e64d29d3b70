/**
 * Per-profile contributions for many rows of a dataset, whatever the model: TreeSHAP for tree
 * ensembles (boosted trees, forests), and the model's own additive log-odds contributions for
 * linear models (logistic regression, naive Bayes). Large tree batches are split over worker
 * threads; every row is explained by the same code, so results do not depend on the split.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { InputError, throwIfCancelled } from '../errors';
import type { Dataset } from '../learn/dataset';
import type { Tree } from '../learn/tree';
import { throttledProgress, type WorkHooks } from '../util/progress';
import { explainBlock } from './block';
import type { ShapKernel } from './ensemble';
import { poolFor } from './shapPool';
import { engineFor, type PreparedEnsemble } from './treeShap';

/** What a linear model offers: its expected raw output and each feature's additive log-odds contribution for a row. */
export interface LinearExplanation {
	/** The raw output (log-odds) with nothing known about the row; the same for every row. */
	readonly expected: number;
	/** One contribution per feature, so that expected + Σ contributions = the model's raw output for the row. */
	readonly contributions: Float64Array;
}

export type Explainer =
	| { readonly kind: 'tree'; readonly trees: readonly Tree[]; readonly baseScore: number }
	| { readonly kind: 'linear'; explain(row: (feature: number) => number): LinearExplanation };

export interface Explanations {
	/** The raw output with nothing known (log-odds); add a row's contributions to get its raw output. */
	readonly expected: number;
	/** rows × features, row-major: contributions[i * features + f] is feature f's for the i-th requested row. */
	readonly contributions: Float32Array;
}

export interface ExplainOptions {
	/**
	 * Worker threads for large tree batches: 1 keeps everything on the calling thread; the default
	 * is the machine's available parallelism (at most 8). Results are identical either way.
	 */
	readonly threads?: number;
}

/** Rows per block handed to a worker or run between progress reports and cancellation checks. */
const blockRows = 256;
/** Below this much work (rows × tree nodes), starting workers costs more than it saves. */
const minWorkForThreads = 20_000_000;

/**
 * Explains the given rows of `data` (indices into it): one contribution per feature and row,
 * in log-odds, plus the expected value, so that expected + Σ_f contributions = the raw output.
 */
export async function explainRows(
	explainer: Explainer,
	data: Dataset,
	rows: ArrayLike<number>,
	hooks?: WorkHooks,
	options: ExplainOptions = {},
): Promise<Explanations> {
	checkRows(data, rows);
	if (explainer.kind === 'linear') return explainLinear(explainer, data, rows, hooks);
	const engine = engineFor(explainer.trees);
	const { ensemble } = engine.prepared;
	const features = data.columns.length;
	if (ensemble.features > features) {
		throw new InputError(
			`The model splits on feature ${ensemble.features - 1} but the data has ${features} feature columns; score with the feature declarations the model was trained on.`,
			'feature-mismatch',
		);
	}
	const contributions = new Float32Array(rows.length * features);
	// Unless told, use threads only when the work outweighs handing blocks over (and starting them, about 50 ms each).
	const blocks = Math.ceil(rows.length / blockRows);
	const threads = Math.min(options.threads ?? Math.min(availableParallelism(), 8), blocks);
	const worthIt = options.threads !== undefined || rows.length * ensemble.feature.length >= minWorkForThreads;
	if (threads > 1 && worthIt && existsSync(workerFile)) {
		await explainInWorkers(engine.prepared, data, rows, contributions, threads, hooks);
	} else {
		await explainHere(engine.explain, data, rows, contributions, hooks);
	}
	return { expected: explainer.baseScore + ensemble.expected, contributions };
}

const workerFile = join(__dirname, 'shapWorker.js');

/** Throws InputError unless every requested row is a whole number inside the dataset. */
function checkRows(data: Dataset, rows: ArrayLike<number>): void {
	for (let i = 0; i < rows.length; i++) {
		const row = rows[i];
		if (!Number.isInteger(row) || row < 0 || row >= data.rows) {
			throw new InputError(`Row ${row} (position ${i} of the rows to explain) is not in the data, which has rows 0 to ${data.rows - 1}.`, 'bad-row');
		}
	}
}

/** Copies rows [from, to) of the request into a row-major block (NaN = missing). */
function blockOf(data: Dataset, rows: ArrayLike<number>, from: number, to: number): Float64Array<ArrayBuffer> {
	const features = data.columns.length;
	const values = new Float64Array((to - from) * features);
	for (let f = 0; f < features; f++) {
		const column = data.columns[f];
		for (let i = from; i < to; i++) values[(i - from) * features + f] = column[rows[i]];
	}
	return values;
}

/** Explains block after block on this thread, yielding between blocks so cancellation can arrive. */
async function explainHere(explain: ShapKernel, data: Dataset, rows: ArrayLike<number>, out: Float32Array, hooks: WorkHooks | undefined): Promise<void> {
	const features = data.columns.length;
	const phi = new Float64Array(blockRows * features);
	const report = throttledProgress(hooks);
	for (let from = 0; from < rows.length; from += blockRows) {
		throwIfCancelled(hooks?.signal, 'explanation');
		const to = Math.min(rows.length, from + blockRows);
		explainBlock(explain, blockOf(data, rows, from, to), features, out.subarray(from * features, to * features), phi);
		report({ stage: 'explaining', done: to, total: rows.length, unit: 'profiles' }, to === rows.length);
		if (to < rows.length) await nextTurn();
	}
}

/** Hands blocks to `threads` pooled workers as each finishes its previous one, and writes their answers into `out`. */
async function explainInWorkers(
	prepared: PreparedEnsemble,
	data: Dataset,
	rows: ArrayLike<number>,
	out: Float32Array,
	threads: number,
	hooks: WorkHooks | undefined,
): Promise<void> {
	const features = data.columns.length;
	const blocks = Math.ceil(rows.length / blockRows);
	const report = throttledProgress(hooks);
	let done = 0;
	await poolFor(workerFile, prepared).run(
		threads,
		blocks,
		features,
		(id) => blockOf(data, rows, id * blockRows, Math.min(rows.length, (id + 1) * blockRows)),
		(id, contributions) => {
			out.set(contributions, id * blockRows * features);
			done += contributions.length / features;
			report({ stage: 'explaining', done, total: rows.length, unit: 'profiles' }, done === rows.length);
		},
		hooks?.signal,
	);
}

/** Explains rows with a linear model's own contributions (on this thread: the model is a function). */
async function explainLinear(
	explainer: Extract<Explainer, { kind: 'linear' }>,
	data: Dataset,
	rows: ArrayLike<number>,
	hooks: WorkHooks | undefined,
): Promise<Explanations> {
	const features = data.columns.length;
	const contributions = new Float32Array(rows.length * features);
	let row = 0;
	const valueOf = (f: number): number => data.columns[f][row];
	let expected = rows.length === 0 ? explainer.explain(() => NaN).expected : NaN;
	const report = throttledProgress(hooks);
	for (let i = 0; i < rows.length; i++) {
		if (i % blockRows === 0) {
			throwIfCancelled(hooks?.signal, 'explanation');
			if (i > 0) await nextTurn();
		}
		row = rows[i];
		const result = explainer.explain(valueOf);
		if (result.contributions.length !== features) {
			throw new InputError(
				`The linear model gave ${result.contributions.length} contributions for a row of ${features} features; it must give one per feature column.`,
				'feature-mismatch',
			);
		}
		if (i === 0) expected = result.expected;
		contributions.set(result.contributions, i * features);
		report({ stage: 'explaining', done: i + 1, total: rows.length, unit: 'profiles' }, i + 1 === rows.length);
	}
	return { expected, contributions };
}
