/**
 * The BG/NBD model of repeat buying (Fader, Hardie and Lee, 2005, "Counting your customers the
 * easy way"): while alive a customer buys as a Poisson process of rate λ; after each repeat
 * purchase they drop out for good with probability p; λ ~ gamma(r, α) and p ~ beta(a, b)
 * across customers. Here: its log-likelihood (equation 6), the chance a customer is alive,
 * the exact chance of at least one purchase in the next t days, the expected purchases, and a
 * maximum-likelihood fit of the four parameters (Nelder-Mead on their logarithms, from a
 * fixed start: deterministic). Time is in days throughout. The buy-till-you-die features and
 * the BG/NBD simulator (simulate/bgnbd.ts) both read it.
 */

export interface BgnbdParams {
	/** Shape of the gamma spread of purchase rates. */
	readonly r: number;
	/** Rate (scale in days) of the gamma spread of purchase rates. */
	readonly alpha: number;
	/** Beta spread of the drop-out chance after each repeat purchase. */
	readonly a: number;
	readonly b: number;
}

/** The CDNOW estimates of the paper (r 0.243, α 4.414 weeks, a 0.793, b 2.426), α in days. */
export const cdnowParams: BgnbdParams = Object.freeze({ r: 0.243, alpha: 4.414 * 7, a: 0.793, b: 2.426 });

/** ln Γ(z) for z > 0 (Lanczos, g = 7), accurate to about 1e-14 relative. */
export function logGamma(z: number): number {
	if (z < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * z)) - logGamma(1 - z);
	const c = [
		0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
		9.9843695780195716e-6, 1.5056327351493116e-7,
	];
	z -= 1;
	let x = c[0];
	for (let i = 1; i < 9; i++) x += c[i] / (z + i);
	const t = z + 7.5;
	return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(x);
}

function logBeta(a: number, b: number): number {
	return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * The parts of a customer's likelihood (up to the factor Γ(r+x)α^r / Γ(r)B(a,b)), in logs:
 * alive at T (`alive`), dropped out after the last purchase (`dead`, −∞ when x = 0).
 */
function likelihoodParts(params: BgnbdParams, x: number, tx: number, T: number): { alive: number; dead: number } {
	const { r, alpha, a, b } = params;
	const alive = logBeta(a, b + x) - (r + x) * Math.log(alpha + T);
	const dead = x > 0 ? logBeta(a + 1, b + x - 1) - (r + x) * Math.log(alpha + tx) : -Infinity;
	return { alive, dead };
}

function logSumExp(u: number, v: number): number {
	const m = Math.max(u, v);
	return m === -Infinity ? -Infinity : m + Math.log(Math.exp(u - m) + Math.exp(v - m));
}

/** One customer's BG/NBD log-likelihood (equation 6 of the paper). */
export function bgnbdLogLikelihood(params: BgnbdParams, x: number, tx: number, T: number): number {
	const { r, alpha, a, b } = params;
	const { alive, dead } = likelihoodParts(params, x, tx, T);
	return logGamma(r + x) - logGamma(r) + r * Math.log(alpha) - logBeta(a, b) + logSumExp(alive, dead);
}

/** The chance the customer is still alive at T, given x repeat purchases, the last at t_x. */
export function bgnbdAliveChance(params: BgnbdParams, x: number, tx: number, T: number): number {
	const { alive, dead } = likelihoodParts(params, x, tx, T);
	return 1 / (1 + Math.exp(dead - alive));
}

/**
 * The chance of at least one purchase in (T, T + t], given x repeat purchases, the last at
 * t_x, at age T: the customer must be alive at T and the Poisson clock must tick in t days
 * (dropping out only ever follows a purchase). Exact for the BG/NBD process.
 */
export function bgnbdPurchaseChance(params: BgnbdParams, x: number, tx: number, T: number, t: number): number {
	const { alive, dead } = likelihoodParts(params, x, tx, T);
	// Alive at T and no purchase by T + t has the alive part's form with T + t in place of T.
	const silent = alive - (params.r + x) * (Math.log(params.alpha + T + t) - Math.log(params.alpha + T));
	const total = logSumExp(alive, dead);
	return Math.max(0, Math.exp(alive - total) - Math.exp(silent - total));
}

/** Expected purchases in (T, T + t] given the history (equation 10 of the paper, by series for the hypergeometric function). */
export function bgnbdExpectedPurchases(params: BgnbdParams, x: number, tx: number, T: number, t: number): number {
	const { r, alpha, a, b } = params;
	const z = t / (alpha + T + t);
	const f = hyp2f1(r + x, b + x, a + b + x - 1, z);
	const head = ((a + b + x - 1) / (a - 1)) * (1 - Math.pow((alpha + T) / (alpha + T + t), r + x) * f);
	return head * bgnbdAliveChance(params, x, tx, T);
}

function hyp2f1(a: number, b: number, c: number, z: number): number {
	let term = 1;
	let sum = 1;
	for (let k = 0; k < 2000; k++) {
		term *= (((a + k) * (b + k)) / ((c + k) * (k + 1))) * z;
		sum += term;
		if (Math.abs(term) < 1e-12 * Math.abs(sum)) break;
	}
	return sum;
}

/** Summaries (x, t_x, T per customer) as parallel arrays. */
export interface RfmColumns {
	readonly x: ArrayLike<number>;
	readonly tx: ArrayLike<number>;
	readonly T: ArrayLike<number>;
}

/**
 * Maximum-likelihood estimates of r, α, a, b for the summaries, by Nelder-Mead on their
 * logarithms from a fixed start; undefined when the data cannot identify them (no repeat
 * purchases, or the search does not settle). Deterministic: no randomness, fixed order.
 */
export function fitBgnbd(rfm: RfmColumns, maxIterations = 600): BgnbdParams | undefined {
	const n = rfm.x.length;
	let repeaters = 0;
	for (let i = 0; i < n; i++) if (rfm.x[i] > 0) repeaters++;
	if (n < 20 || repeaters < 10) return undefined;
	// Terms that depend on x alone are computed once per distinct x, not per customer.
	let maxX = 0;
	for (let i = 0; i < n; i++) maxX = Math.max(maxX, rfm.x[i]);
	const perX = new Float64Array(maxX + 1);
	const deadShift = new Float64Array(maxX + 1);
	const objective = (v: readonly number[]): number => {
		const [r, alpha, a, b] = v.map(Math.exp);
		const base = -logGamma(r) + r * Math.log(alpha) - logBeta(a, b);
		for (let x = 0; x <= maxX; x++) {
			perX[x] = logGamma(r + x) + base + logBeta(a, b + x);
			deadShift[x] = x > 0 ? Math.log(a / (b + x - 1)) : -Infinity;
		}
		let sum = 0;
		for (let i = 0; i < n; i++) {
			const x = rfm.x[i];
			const alive = -(r + x) * Math.log(alpha + rfm.T[i]);
			const dead = x > 0 ? deadShift[x] - (r + x) * Math.log(alpha + rfm.tx[i]) : -Infinity;
			sum += perX[x] + logSumExp(alive, dead);
		}
		return Number.isFinite(sum) ? -sum / n : Infinity;
	};
	let meanT = 0;
	for (let i = 0; i < n; i++) meanT += rfm.T[i];
	meanT /= n;
	const best = nelderMead(objective, [0, Math.log(Math.max(1, meanT / 10)), 0, 0], maxIterations);
	if (!best) return undefined;
	const [r, alpha, a, b] = best.map(Math.exp);
	return [r, alpha, a, b].every((v) => Number.isFinite(v) && v > 1e-6 && v < 1e6) ? { r, alpha, a, b } : undefined;
}

/** Minimises f from `start` (steps of 0.5 in each coordinate); undefined when it does not converge. */
export function nelderMead(f: (v: readonly number[]) => number, start: readonly number[], maxIterations: number): number[] | undefined {
	const d = start.length;
	let simplex = [start.slice()];
	for (let i = 0; i < d; i++) {
		const v = start.slice();
		v[i] += 0.5;
		simplex.push(v);
	}
	let values = simplex.map(f);
	for (let iteration = 0; iteration < maxIterations; iteration++) {
		const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j] || i - j);
		simplex = order.map((i) => simplex[i]);
		values = order.map((i) => values[i]);
		if (Math.abs(values[d] - values[0]) < 1e-10 * (1 + Math.abs(values[0]))) return simplex[0];
		const centroid = new Array<number>(d).fill(0);
		for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) centroid[k] += simplex[i][k] / d;
		const along = (scale: number) => centroid.map((c, k) => c + scale * (simplex[d][k] - c));
		const reflected = along(-1);
		const fr = f(reflected);
		if (fr < values[0]) {
			const expanded = along(-2);
			const fe = f(expanded);
			[simplex[d], values[d]] = fe < fr ? [expanded, fe] : [reflected, fr];
		} else if (fr < values[d - 1]) {
			[simplex[d], values[d]] = [reflected, fr];
		} else {
			const contracted = fr < values[d] ? along(-0.5) : along(0.5);
			const fc = f(contracted);
			if (fc < Math.min(fr, values[d])) {
				[simplex[d], values[d]] = [contracted, fc];
			} else {
				for (let i = 1; i <= d; i++) {
					simplex[i] = simplex[i].map((v, k) => simplex[0][k] + 0.5 * (v - simplex[0][k]));
					values[i] = f(simplex[i]);
				}
			}
		}
	}
	return Number.isFinite(values[0]) ? simplex[0] : undefined;
}
