/**
 * The BG/NBD purchase process (Fader, Hardie and Lee, 2005, "Counting your customers the
 * easy way"): while alive a customer buys as a Poisson process of rate λ; after each repeat
 * purchase they drop out for good with probability p; λ ~ gamma(r, α) and p ~ beta(a, b)
 * across customers. Because the process is known, the best possible ranking of "will buy in
 * the next t days" is known too: `bgnbdPurchaseChance` with the true parameters. The tests
 * and benchmarks measure the engine against that optimum.
 * The model's formulas live in features/bgnbd.ts. Time is in days throughout (α is in days:
 * the paper's weekly 4.414 is 30.9 here).
 */
import { type BgnbdParams, cdnowParams } from '../features/bgnbd';
import { createRng, type Rng } from '../util/rng';

export { bgnbdAliveChance, bgnbdExpectedPurchases, bgnbdLogLikelihood, bgnbdPurchaseChance, cdnowParams, fitBgnbd, type BgnbdParams } from '../features/bgnbd';

const DAY_MS = 86_400_000;

export interface BgnbdSimulationOptions {
	readonly customers: number;
	readonly seed: number;
	/** Days from the start of the data to its end (the as-of moment). Default 364 (52 weeks). */
	readonly historyDays?: number;
	/** Days simulated after the end, for outcomes (not part of the history). Default 91. */
	readonly futureDays?: number;
	/** First purchases are spread evenly over the first `joinDays` days. Default 84 (12 weeks, as CDNOW's cohort). */
	readonly joinDays?: number;
	readonly params?: BgnbdParams;
	/** UTC ms of the start of the data. Default 2025-01-06. */
	readonly start?: number;
}

export interface BgnbdCustomer {
	readonly id: string;
	/** Purchase times (UTC ms), ascending; the first is the joining purchase. Includes those after the end. */
	readonly purchases: Float64Array;
	/** Purchase values, one per purchase (gamma-gamma spend, independent of the timing). */
	readonly values: Float64Array;
}

export interface BgnbdSimulation {
	readonly customers: BgnbdCustomer[];
	readonly start: number;
	/** End of the history (UTC ms): the moment predictions are made. */
	readonly end: number;
	readonly params: BgnbdParams;
}

/** Simulates customers of the BG/NBD process; the same options give the same purchases. */
export function simulateBgnbd(options: BgnbdSimulationOptions): BgnbdSimulation {
	const params = options.params ?? cdnowParams;
	const historyDays = options.historyDays ?? 364;
	const futureDays = options.futureDays ?? 91;
	const joinDays = options.joinDays ?? 84;
	const start = options.start ?? Date.UTC(2025, 0, 6);
	const horizon = historyDays + futureDays;
	const root = createRng(options.seed);
	const customers: BgnbdCustomer[] = [];
	for (let c = 0; c < options.customers; c++) {
		const rng = root.fork(c);
		const lambda = gamma(rng, params.r) / params.alpha;
		const p = beta(rng, params.a, params.b);
		const spend = gamma(rng, 3.74) / 15.44;
		const times: number[] = [rng.next() * joinDays];
		for (;;) {
			const t = times[times.length - 1] + -Math.log(1 - rng.next()) / lambda;
			if (!(t < horizon)) break;
			times.push(t);
			if (rng.next() < p) break;
		}
		// Whole seconds, as event logs have; values in cents.
		const purchases = Float64Array.from(times, (t) => start + Math.round(t * 86_400) * 1000);
		const values = Float64Array.from(times, () => Math.round(gamma(rng, 6.25) / spend) / 100);
		customers.push({ id: `c${String(c).padStart(7, '0')}`, purchases, values });
	}
	return { customers, start, end: start + historyDays * DAY_MS, params };
}

/** A customer's summary as of `asOf`: repeat purchases x, the last repeat's age t_x and the customer's age T, in days. */
export function rfmAsOf(purchases: Float64Array, asOf: number): { x: number; tx: number; T: number } | undefined {
	if (purchases.length === 0 || purchases[0] > asOf) return undefined;
	let n = 0;
	while (n < purchases.length && purchases[n] <= asOf) n++;
	return { x: n - 1, tx: (purchases[n - 1] - purchases[0]) / DAY_MS, T: (asOf - purchases[0]) / DAY_MS };
}

/** A gamma(shape, 1) draw (Marsaglia and Tsang; shapes below 1 by the usual power trick). */
export function gamma(rng: Rng, shape: number): number {
	if (shape < 1) {
		let u = rng.next();
		while (u === 0) u = rng.next();
		return gamma(rng, shape + 1) * Math.pow(u, 1 / shape);
	}
	const d = shape - 1 / 3;
	const c = 1 / Math.sqrt(9 * d);
	for (;;) {
		let x: number;
		let v: number;
		do {
			x = rng.normal();
			v = 1 + c * x;
		} while (v <= 0);
		v = v * v * v;
		const u = rng.next();
		if (u < 1 - 0.0331 * x * x * x * x) return d * v;
		if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
	}
}

function beta(rng: Rng, a: number, b: number): number {
	const x = gamma(rng, a);
	const y = gamma(rng, b);
	return x / (x + y);
}
