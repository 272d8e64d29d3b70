/**
 * A small seeded pseudo-random generator (xoshiro128**), so that the same seed gives the
 * same simulated data, subsamples and models on every platform. Math.random is never used.
 */
export interface Rng {
	/** A float in [0, 1). */
	next(): number;
	/** An integer in [0, n). */
	int(n: number): number;
	/** A standard normal draw (Box-Muller). */
	normal(): number;
	/** A new generator whose stream is independent of this one's, derived deterministically. */
	fork(salt: number): Rng;
}

function splitmix32(seed: number): () => number {
	let s = seed >>> 0;
	return () => {
		s = (s + 0x9e3779b9) >>> 0;
		let z = s;
		z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
		z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
		return (z ^ (z >>> 16)) >>> 0;
	};
}

export function createRng(seed: number): Rng {
	const init = splitmix32(Math.floor(seed) >>> 0);
	let a = init();
	let b = init();
	let c = init();
	let d = init();
	if ((a | b | c | d) === 0) a = 1;

	const nextUint32 = (): number => {
		const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
		const t = (b << 9) >>> 0;
		c ^= a;
		d ^= b;
		b ^= c;
		a ^= d;
		c ^= t;
		d = rotl(d, 11);
		return result;
	};

	let spareNormal: number | undefined;
	const rng: Rng = {
		next: () => nextUint32() / 4294967296,
		int: (n) => Math.floor((nextUint32() / 4294967296) * n),
		normal: () => {
			if (spareNormal !== undefined) {
				const value = spareNormal;
				spareNormal = undefined;
				return value;
			}
			let u = 0;
			while (u === 0) u = rng.next();
			const v = rng.next();
			const radius = Math.sqrt(-2 * Math.log(u));
			spareNormal = radius * Math.sin(2 * Math.PI * v);
			return radius * Math.cos(2 * Math.PI * v);
		},
		fork: (salt) => createRng((nextUint32() ^ Math.imul(salt >>> 0, 0x9e3779b1)) >>> 0),
	};
	return rng;
}

function rotl(x: number, k: number): number {
	return ((x << k) | (x >>> (32 - k))) >>> 0;
}
