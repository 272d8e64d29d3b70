/**
 * Early stopping of the boosting loop (train.ts): the validation log loss after each tree, the
 * tree count where it was lowest, and whether it has not improved for long enough to stop.
 *
 * The trees never depend on the validation rows, only where the boosting stops. So one run can
 * watch several validation sets (the deployed model's and its mirror's, see
 * core/model/build.ts) and keep going until every one of them has stopped: each set's model is
 * the run's first trees up to that set's best count, the same trees a run watching that set
 * alone would have kept.
 */
import { addTreeOutput } from './predict';
import type { LabelledDataset } from '../dataset';
import type { Tree } from '../tree';

export class EarlyStopping {
	private readonly score: Float64Array;
	private readonly weights: Float64Array;
	private bestLoss = Infinity;
	/** The tree count with the lowest loss so far (frozen once stopped). */
	bestIteration = 0;
	/** The loss after the last tree added before stopping. */
	lastLoss = NaN;
	/** True once the loss has not improved for `rounds` trees: later trees are not watched. */
	stopped = false;

	/** `rounds` 0 watches the loss but never stops. */
	constructor(
		private readonly rows: LabelledDataset,
		baseScore: number,
		positiveWeight: number,
		private readonly rounds: number,
	) {
		this.score = new Float64Array(rows.rows).fill(baseScore);
		this.weights = validationLossWeights(rows, positiveWeight);
	}

	/** Adds the output of tree number `done` (counting from 1) to the rows' scores and updates the best count. */
	add(tree: Tree, done: number): void {
		if (this.stopped) return;
		addTreeOutput(tree, this.rows.columns, this.score);
		this.lastLoss = logLoss(this.rows.label, this.score, this.weights);
		if (this.lastLoss < this.bestLoss) {
			this.bestLoss = this.lastLoss;
			this.bestIteration = done;
		}
		this.stopped = this.rounds > 0 && done - this.bestIteration >= this.rounds;
	}
}

/** Validation rows' weights for the log loss: their own weight times the training class weight. */
function validationLossWeights(validation: LabelledDataset, positiveWeight: number): Float64Array {
	const out = new Float64Array(validation.rows);
	for (let r = 0; r < validation.rows; r++) {
		out[r] = (validation.weight ? validation.weight[r] : 1) * (validation.label[r] === 1 ? positiveWeight : 1);
	}
	return out;
}

/** Weighted mean logistic loss of raw scores, computed without overflow for large scores. */
export function logLoss(label: Uint8Array, raw: Float64Array, weight: Float64Array): number {
	let loss = 0;
	let total = 0;
	for (let i = 0; i < raw.length; i++) {
		// -log p = softplus(-z) for a positive, -log(1-p) = softplus(z) for a negative.
		const z = label[i] === 1 ? -raw[i] : raw[i];
		const softplus = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
		loss += weight[i] * softplus;
		total += weight[i];
	}
	return total > 0 ? loss / total : 0;
}

/** The state of one watch after the trees evaluated so far. */
export interface WatchState {
	readonly lastLoss: number;
	readonly bestIteration: number;
	readonly stopped: boolean;
}

/**
 * Early stopping as the boosting loop sees it, wherever the validation losses are computed: here
 * (LocalWatches) or on a worker thread while the next trees grow (stoppingWorker.ts).
 */
export interface Watches {
	/** Hands over tree number `done` (counting from 1). */
	add(tree: Tree, done: number): void;
	/** Every watch's state, as far as the trees evaluated so far tell. */
	states(): readonly WatchState[];
	/** Waits until every tree handed over is evaluated, or every watch has stopped; then the states. */
	settle(): Promise<readonly WatchState[]>;
	close(): Promise<void>;
}

/** True when there are watches and every one has stopped. */
export function allStopped(states: readonly WatchState[]): boolean {
	return states.length > 0 && states.every((state) => state.stopped);
}

/** The watches evaluated on this thread, each tree as it is handed over. */
export class LocalWatches implements Watches {
	private readonly watches: EarlyStopping[];

	constructor(watched: readonly LabelledDataset[], baseScore: number, positiveWeight: number, rounds: number) {
		this.watches = watched.map((rows) => new EarlyStopping(rows, baseScore, positiveWeight, rounds));
	}

	add(tree: Tree, done: number): void {
		for (const watch of this.watches) watch.add(tree, done);
	}

	states(): WatchState[] {
		return this.watches.map(({ lastLoss, bestIteration, stopped }) => ({ lastLoss, bestIteration, stopped }));
	}

	async settle(): Promise<readonly WatchState[]> {
		return this.states();
	}

	async close(): Promise<void> {}
}
