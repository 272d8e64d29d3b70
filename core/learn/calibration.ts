/**
 * Calibration: turns a learner's raw scores (log-odds) into probabilities that match observed
 * rates, fitted on the validation rows only. Two methods: Platt scaling (a logistic regression
 * on the raw score) and centred isotonic regression (pool-adjacent-violators, linearly interpolated
 * between the blocks' centres, so that scores within a block keep their order).
 * The one with the lower cross-validated log loss on the validation rows wins. The validation
 * metrics are honest: each validation row's calibrated probability comes from a calibrator
 * fitted on the other folds (cross-fitting); the final calibrator is then fitted on all of them.
 * Applying either is cheap and monotone: a higher raw score never gets a lower probability.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import { logLoss } from '../evaluate/loss';
import { createRng } from '../util/rng';
import { sigmoid } from './learner';

export type CalibratorJson =
	/** probability = sigmoid(slope × raw + intercept). */
	| { readonly method: 'platt'; readonly slope: number; readonly intercept: number }
	/** probability interpolated linearly between the points (raw[i], probability[i]), held flat beyond the ends. */
	| { readonly method: 'isotonic'; readonly raw: readonly number[]; readonly probability: readonly number[] }
	/** probability = sigmoid(raw): used only when validation cannot support a fit. */
	| { readonly method: 'none' };

export type CalibrationMethod = CalibratorJson['method'];

/** Why the calibrator is what it is. */
export interface CalibrationChoice {
	readonly method: CalibrationMethod;
	readonly folds: number;
	/** Cross-validated log loss of each method on the validation rows (null when not fitted). */
	readonly crossValidatedLogLoss: { readonly platt: number | null; readonly isotonic: number | null; readonly uncalibrated: number | null };
	readonly reason: string;
}

export interface CalibrationResult {
	readonly calibrator: CalibratorJson;
	readonly choice: CalibrationChoice;
	/** Each validation row's calibrated probability from a calibrator that did not see it (for honest metrics). */
	readonly crossFitted: Float64Array;
}

export interface CalibrationOptions {
	/** Folds for cross-fitting and the choice (default 5; fewer when a class has fewer rows). */
	readonly folds?: number;
	/** Seeds the fold assignment. */
	readonly seed: number;
	/** Force a method instead of choosing by cross-validated log loss. */
	readonly method?: 'platt' | 'isotonic';
}

/** Rows of each class the validation needs before a calibrator is fitted. */
export const minRowsPerClass = 2;

/**
 * Fits the calibrator on the validation rows' raw scores and 0/1 labels: chooses Platt or
 * isotonic by cross-validated log loss, reports cross-fitted probabilities, then fits the
 * chosen method on all rows. With fewer than two rows of either class it returns 'none'.
 */
export function calibrate(raw: ArrayLike<number>, labels: ArrayLike<number>, options: CalibrationOptions): CalibrationResult {
	const n = raw.length;
	if (labels.length !== n) throw new RangeError(`calibrate: ${n} raw scores but ${labels.length} labels.`);
	for (let i = 0; i < n; i++) {
		if (!Number.isFinite(raw[i])) throw new InputError(`Calibration needs finite raw scores, but validation row ${i + 1} scored ${raw[i]}.`, 'bad-score');
	}
	let positives = 0;
	for (let i = 0; i < n; i++) if (labels[i] === 1) positives++;
	const negatives = n - positives;
	const uncalibrated = Float64Array.from(raw, sigmoid);
	const uncalibratedLoss = n > 0 ? logLoss(labels, uncalibrated) : null;
	if (positives < minRowsPerClass || negatives < minRowsPerClass) {
		return {
			calibrator: { method: 'none' },
			choice: {
				method: 'none',
				folds: 0,
				crossValidatedLogLoss: { platt: null, isotonic: null, uncalibrated: uncalibratedLoss },
				reason: `not calibrated: the validation rows hold ${positives} with and ${negatives} without the outcome, and calibration needs at least ${minRowsPerClass} of each`,
			},
			crossFitted: uncalibrated,
		};
	}
	const folds = Math.max(2, Math.min(options.folds ?? 5, positives, negatives));
	const fold = assignFolds(labels, folds, options.seed);
	// Every isotonic fit reads its rows in score order: sorted once here, each fit keeps its own in that order.
	const byScore = rowsByScore(raw, () => true);
	const isotonicFit: Fitter = (scores, outcomes, include) => isotonicOfSorted(byScore.filter(include), scores, outcomes);
	const platt = crossFit(raw, labels, fold, folds, fitPlatt);
	const isotonic = crossFit(raw, labels, fold, folds, isotonicFit);
	const losses = { platt: logLoss(labels, platt), isotonic: logLoss(labels, isotonic), uncalibrated: uncalibratedLoss };
	const method = options.method ?? (losses.isotonic < losses.platt ? 'isotonic' : 'platt');
	const reason = options.method
		? `${method} as asked`
		: `${method} had the lower cross-validated log loss on the validation rows (${fixed(losses[method])} against ${fixed(losses[method === 'platt' ? 'isotonic' : 'platt'])})`;
	const fit = method === 'platt' ? fitPlatt : isotonicFit;
	return {
		calibrator: fit(raw, labels, () => true),
		choice: { method, folds, crossValidatedLogLoss: losses, reason },
		crossFitted: method === 'platt' ? platt : isotonic,
	};
}

function fixed(value: number): string {
	return value.toFixed(4);
}

/** Fold of each row: rows of each class shuffled (seeded) and dealt round-robin, so every fold holds both classes. */
function assignFolds(labels: ArrayLike<number>, folds: number, seed: number): Uint8Array {
	const rng = createRng(seed).fork(0xca1);
	const fold = new Uint8Array(labels.length);
	for (const cls of [0, 1]) {
		const rows: number[] = [];
		for (let i = 0; i < labels.length; i++) if ((labels[i] === 1 ? 1 : 0) === cls) rows.push(i);
		for (let i = rows.length - 1; i > 0; i--) {
			const j = rng.int(i + 1);
			[rows[i], rows[j]] = [rows[j], rows[i]];
		}
		rows.forEach((row, k) => (fold[row] = k % folds));
	}
	return fold;
}

type Fitter = (raw: ArrayLike<number>, labels: ArrayLike<number>, include: (row: number) => boolean) => CalibratorJson;

/** Each row's probability from a calibrator fitted on the other folds. */
function crossFit(raw: ArrayLike<number>, labels: ArrayLike<number>, fold: Uint8Array, folds: number, fit: Fitter): Float64Array {
	const out = new Float64Array(raw.length);
	for (let k = 0; k < folds; k++) {
		const calibrator = compile(fit(raw, labels, (row) => fold[row] !== k));
		for (let i = 0; i < raw.length; i++) if (fold[i] === k) out[i] = calibrator(raw[i]);
	}
	return out;
}

/**
 * Platt scaling on the included rows: the slope and intercept maximising the likelihood of
 * Platt's smoothed targets ((N₊ + 1) / (N₊ + 2) and 1 / (N₋ + 2)), by Newton's method.
 */
export const fitPlatt: Fitter = (raw, labels, include) => {
	const xs: number[] = [];
	const ys: number[] = [];
	for (let i = 0; i < raw.length; i++) {
		if (!include(i)) continue;
		xs.push(raw[i]);
		ys.push(labels[i] === 1 ? 1 : 0);
	}
	const positives = ys.reduce((a, b) => a + b, 0);
	const high = (positives + 1) / (positives + 2);
	const low = 1 / (ys.length - positives + 2);
	const target = ys.map((y) => (y === 1 ? high : low));
	const loss = (a: number, b: number): number => {
		let sum = 0;
		for (let i = 0; i < xs.length; i++) {
			const m = a * xs[i] + b;
			sum += (m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m))) - target[i] * m;
		}
		return sum;
	};
	let a = 1;
	let b = 0;
	let current = loss(a, b);
	for (let iteration = 0; iteration < 100; iteration++) {
		let ga = 0,
			gb = 0,
			haa = 1e-12,
			hab = 0,
			hbb = 1e-12;
		for (let i = 0; i < xs.length; i++) {
			const p = sigmoid(a * xs[i] + b);
			const e = p - target[i];
			const w = p * (1 - p);
			ga += e * xs[i];
			gb += e;
			haa += w * xs[i] * xs[i];
			hab += w * xs[i];
			hbb += w;
		}
		const det = haa * hbb - hab * hab;
		if (!(det > 0) || Math.max(Math.abs(ga), Math.abs(gb)) < 1e-10 * xs.length) break;
		const da = (hbb * ga - hab * gb) / det;
		const db = (haa * gb - hab * ga) / det;
		let step = 1;
		let next = loss(a - step * da, b - step * db);
		while (next > current && step > 1e-10) {
			step /= 2;
			next = loss(a - step * da, b - step * db);
		}
		if (!(next <= current)) break;
		a -= step * da;
		b -= step * db;
		const improved = current - next;
		current = next;
		if (improved < 1e-14 * Math.max(1, current)) break;
	}
	return { method: 'platt', slope: a, intercept: b };
};

/**
 * Isotonic regression on the included rows by pool-adjacent-violators (equal raw scores pooled
 * first), centred (Oron and Flournoy, 2017): one point per block, at the mean raw score of its
 * rows, with the block's rate, and straight lines between. A flat step per block would give
 * every score in the block the same probability and so throw away the learner's ranking within
 * it (an AUC cost); the lines keep that ranking, since the rates rise strictly from block to
 * block, and each block's rate still sits at its centre; gentle tails beyond the outer centres
 * (withTails) keep the order of scores outside the validated range. The blocks' rates are kept
 * within [½/n, 1 − ½/n] (half an outcome among the n rows) so that no score is ever called
 * certain; the tails stay strictly between 0 and 1.
 */
export const fitIsotonic: Fitter = (raw, labels, include) => isotonicOfSorted(rowsByScore(raw, include), raw, labels);

/** The included rows by ascending raw score, ties by row number. */
function rowsByScore(raw: ArrayLike<number>, include: (row: number) => boolean): number[] {
	const rows: number[] = [];
	for (let i = 0; i < raw.length; i++) if (include(i)) rows.push(i);
	return rows.sort((x, y) => raw[x] - raw[y] || x - y);
}

/** fitIsotonic on `rows`, already in rowsByScore's order. */
function isotonicOfSorted(rows: readonly number[], raw: ArrayLike<number>, labels: ArrayLike<number>): CalibratorJson {
	const blocks = poolAdjacentViolators(rows, raw, labels);
	const edge = 0.5 / rows.length;
	const xs: number[] = [];
	const ps: number[] = [];
	for (const block of blocks) {
		// The mean of a block's sorted scores lies within them; clamping guards the last bit of rounding, so centres keep rising.
		xs.push(Math.min(block.hi, Math.max(block.lo, block.rawSum / block.count)));
		ps.push(Math.min(1 - edge, Math.max(edge, block.positives / block.count)));
	}
	return { method: 'isotonic', ...withTails(xs, ps) };
}

/** How far the tails reach beyond the outer centres, in spans of the centres. */
const tailSpans = 10;

/**
 * Scores beyond the validation's are common when scoring a later population (customers who
 * have aged further, for one): held flat, they would all tie. A gentle tail on each side keeps
 * their order: over ten times the centres' span, the probability moves halfway from the
 * outer block's rate towards 0 (or 1), which hardly changes any probability near the validated
 * range. With one block there is no span to scale by, and the function stays flat.
 */
function withTails(xs: readonly number[], ps: readonly number[]): { raw: number[]; probability: number[] } {
	const last = xs.length - 1;
	const reach = tailSpans * (xs[last] - xs[0]);
	const low = xs[0] - reach;
	const high = xs[last] + reach;
	const raw = [...xs];
	const probability = [...ps];
	// Far out, rounding could leave a tail's end on the centre itself, or overflow: that tail is then left out.
	if (last > 0 && low < xs[0] && Number.isFinite(low)) {
		raw.unshift(low);
		probability.unshift(ps[0] / 2);
	}
	if (last > 0 && high > xs[last] && Number.isFinite(high)) {
		raw.push(high);
		probability.push((1 + ps[last]) / 2);
	}
	return { raw, probability };
}

interface Block {
	positives: number;
	count: number;
	rawSum: number;
	lo: number;
	hi: number;
}

/** Blocks of the rows (sorted by raw score) whose rates rise strictly: equal scores pooled first, then adjacent violators. */
function poolAdjacentViolators(rows: readonly number[], raw: ArrayLike<number>, labels: ArrayLike<number>): Block[] {
	const blocks: Block[] = [];
	for (let k = 0; k < rows.length;) {
		const block: Block = { positives: 0, count: 0, rawSum: 0, lo: raw[rows[k]], hi: raw[rows[k]] };
		for (; k < rows.length && raw[rows[k]] === block.lo; k++) {
			block.positives += labels[rows[k]] === 1 ? 1 : 0;
			block.count++;
			block.rawSum += raw[rows[k]];
		}
		// Pool backwards while the previous block's rate is not below this one's.
		let current = block;
		while (blocks.length > 0 && blocks[blocks.length - 1].positives * current.count >= current.positives * blocks[blocks.length - 1].count) {
			const previous = blocks.pop() as Block;
			current = {
				positives: previous.positives + current.positives,
				count: previous.count + current.count,
				rawSum: previous.rawSum + current.rawSum,
				lo: previous.lo,
				hi: current.hi,
			};
		}
		blocks.push(current);
	}
	return blocks;
}

/** A function from one raw score to its calibrated probability. */
export function compile(calibrator: CalibratorJson): (raw: number) => number {
	switch (calibrator.method) {
		case 'none':
			return sigmoid;
		case 'platt': {
			const { slope, intercept } = calibrator;
			return (raw) => sigmoid(slope * raw + intercept);
		}
		case 'isotonic': {
			const xs = calibrator.raw;
			const ps = calibrator.probability;
			const last = xs.length - 1;
			return (raw) => {
				if (Number.isNaN(raw)) return NaN;
				if (raw <= xs[0]) return ps[0];
				if (raw >= xs[last]) return ps[last];
				let lo = 0;
				let hi = last;
				while (hi - lo > 1) {
					const mid = (lo + hi) >> 1;
					if (xs[mid] <= raw) lo = mid;
					else hi = mid;
				}
				return ps[lo] + ((ps[hi] - ps[lo]) * (raw - xs[lo])) / (xs[hi] - xs[lo]);
			};
		}
	}
}

/** Calibrated probabilities of many raw scores. */
export function applyCalibration(calibrator: CalibratorJson, raw: ArrayLike<number>): Float64Array {
	const f = compile(calibrator);
	const out = new Float64Array(raw.length);
	for (let i = 0; i < raw.length; i++) out[i] = f(raw[i]);
	return out;
}

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const probability = finite.refine((p) => p >= 0 && p <= 1, 'must be a probability in [0, 1]');

/** The calibrator's JSON form; isotonic points must be sorted by raw score with non-decreasing probabilities. */
export const calibratorSchema: z.ZodType<CalibratorJson> = z.union([
	z.object({ method: z.literal('platt'), slope: finite, intercept: finite }).strict(),
	z
		.object({ method: z.literal('isotonic'), raw: z.array(finite).min(1), probability: z.array(probability).min(1) })
		.strict()
		.refine((c) => c.raw.length === c.probability.length, 'raw and probability need the same number of points')
		.refine(
			(c) => c.raw.every((x, i) => i === 0 || (x > c.raw[i - 1] && c.probability[i] >= c.probability[i - 1])),
			'points must rise in raw score and never fall in probability',
		),
	z.object({ method: z.literal('none') }).strict(),
]);

const lossOrNull = finite.nullable();
export const calibrationChoiceSchema = z
	.object({
		method: z.enum(['platt', 'isotonic', 'none']),
		folds: z.number().int().min(0),
		crossValidatedLogLoss: z.object({ platt: lossOrNull, isotonic: lossOrNull, uncalibrated: lossOrNull }).strict(),
		reason: z.string(),
	})
	.strict();
