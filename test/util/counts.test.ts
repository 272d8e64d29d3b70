import assert from 'node:assert/strict';
import { withThousands } from '../../core/util/counts';
import { createRng } from '../../core/util/rng';

describe('counts written with thousands separators', () => {
	it('write what toLocaleString("en-US") writes, for whole numbers of every length and sign', () => {
		const rng = createRng(18);
		const values = [0, -0, 7, -7, 999, 1000, -1000, 12_345, 100_000, 1_234_567, -98_765_432_109, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER];
		for (let i = 0; i < 2000; i++) values.push(Math.floor((rng.next() - 0.3) * 10 ** rng.int(16)));
		for (const value of values) assert.equal(withThousands(value), value.toLocaleString('en-US'), String(value));
	});

	it('leave what is not a safe whole number to the built-in', () => {
		for (const value of [1.5, -2.25, 1234.5678, NaN, Infinity, 2 ** 60]) assert.equal(withThousands(value), value.toLocaleString('en-US'));
	});
});
