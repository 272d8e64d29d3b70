import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { simulateShop, simulationFormats, writeSimulation } from '../../core/simulate';
import { outputPath } from './support';

function sha256(path: string): string {
	return createHash('sha256').update(readFileSync(path)).digest('hex');
}

describe('simulate: determinism', () => {
	for (const format of simulationFormats) {
		for (const gzip of [false, true]) {
			it(`the same seed writes the same ${format}${gzip ? ' gzip' : ''} file, byte for byte`, async () => {
				const first = outputPath(`same-a.${format}${gzip ? '.gz' : ''}`);
				const second = outputPath(`same-b.${format}${gzip ? '.gz' : ''}`);
				const a = await writeSimulation({ profiles: 300, seed: 42, format, out: first, gzip });
				const b = await writeSimulation({ profiles: 300, seed: 42, format, out: second, gzip });
				assert.deepEqual(a, b);
				assert.ok(a.events > 3000, `300 customers should give thousands of events, got ${a.events}`);
				assert.equal(sha256(first), sha256(second));
			});
		}
	}

	it('a different seed gives different customers and events', async () => {
		const one = outputPath('seed-1.csv');
		const two = outputPath('seed-2.csv');
		await writeSimulation({ profiles: 200, seed: 1, format: 'csv', out: one });
		await writeSimulation({ profiles: 200, seed: 2, format: 'csv', out: two });
		assert.notEqual(sha256(one), sha256(two));
		const firstRows = (path: string) => readFileSync(path, 'utf8').split('\n').slice(1, 40).join('\n');
		assert.notEqual(firstRows(one), firstRows(two));
	});

	it('a customer is the same whether 50 or 500 customers are simulated', () => {
		const few = [...simulateShop({ profiles: 50, seed: 9 })];
		const many = [...simulateShop({ profiles: 500, seed: 9 })].filter((event) => event.profileId <= 'cust-0000050');
		assert.ok(few.length > 500);
		assert.deepEqual(many, few);
	});

	it('every event falls within the chosen history: the historyDays before end', () => {
		const year = [...simulateShop({ profiles: 100, seed: 5, end: '2026-06-30T00:00:00Z' })];
		const shorter = [...simulateShop({ profiles: 100, seed: 5, end: '2026-06-30T00:00:00Z', historyDays: 90 })];
		const windowStart = Date.parse('2026-06-30T00:00:00Z') - 90 * 86_400_000;
		assert.ok(shorter.every((event) => event.time >= windowStart));
		assert.ok(year.some((event) => event.time < windowStart));
		const moved = [...simulateShop({ profiles: 100, seed: 5, end: '2025-01-01' })];
		assert.ok(moved.every((event) => event.time < Date.parse('2025-01-01T00:00:00Z') && event.time >= Date.parse('2024-01-02T00:00:00Z')));
	});
});
