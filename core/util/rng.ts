/**
 * A small seeded pseudo-random generator (xoshiro128**), so that the same seed gives the
 * same simulated data, subsamples and models on every platform. Math.random is never used.
 */
export interface Rng {
	/** A float in [0, 1). */
	next(): number;
	/** An integer in [0, n). */
	int(n: number): number;
	/**
	 * Writes the next `count` raw 32-bit draws into out[0..count): the draws `next()` would make,
	 * undivided (next() is draw / 2^32), so `draw < p * 2^32` is exactly `next() < p`. One call
	 * per block keeps the state in registers and boxes no number, where a call per draw cannot.
	 */
	fillUint32(out: Uint32Array, count: number): void;
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
		fillUint32: (out, count) => {
			// nextUint32 with the state in locals (the same steps, the same stream).
			let s0 = a;
			let s1 = b;
			let s2 = c;
			let s3 = d;
			for (let i = 0; i < count; i++) {
				const times5 = Math.imul(s1, 5);
				out[i] = Math.imul((times5 << 7) | (times5 >>> 25), 9);
				const t = s1 << 9;
				s2 ^= s0;
				s3 ^= s1;
				s1 ^= s2;
				s0 ^= s3;
				s2 ^= t;
				s3 = (s3 << 11) | (s3 >>> 21);
			}
			a = s0 >>> 0;
			b = s1 >>> 0;
			c = s2 >>> 0;
			d = s3 >>> 0;
		},
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
