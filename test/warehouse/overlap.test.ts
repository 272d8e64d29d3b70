/**
 * The parts of a split aggregation overlap: the next part's query starts once the one before it
 * answers, at most two are in flight, and a failure stops the other part. Rows of two parts
 * then arrive interleaved, and the examples are laid out the same whatever the arrival order.
 */
import assert from 'node:assert/strict';
import { parseGoal } from '../../core/goal';
import type { FeatureDecl } from '../../core/features/declaration';
import { buildWarehouseExamples, overlapping, type SqlRunner } from '../../core/warehouse/examples';
import { eventColumns } from '../../core/warehouse/source';
import { purchaseGoal } from './support';

/** A part whose rows the test hands over one at a time. */
interface ControlledPart {
	readonly started: boolean;
	row(): void;
	finish(): void;
	fail(error: Error): void;
}

/** `count` parts run by overlapping, each driven by the test; `events` records what happened, in order. */
function controlledParts(count: number, events: string[]) {
	const parts: ControlledPart[] = [];
	const run = overlapping(count, (i, arrived) => {
		events.push(`start ${i}`);
		return new Promise<void>((resolve, reject) => {
			parts[i] = {
				started: true,
				row: () => {
					try {
						arrived();
					} catch (error) {
						events.push(`stopped ${i}`);
						reject(error);
					}
				},
				finish: () => {
					events.push(`finish ${i}`);
					resolve();
				},
				fail: (error) => {
					events.push(`fail ${i}`);
					reject(error);
				},
			};
		});
	});
	return { parts, run };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('parts of a split aggregation in flight at once', () => {
	it('start the next part when the one before it answers, never more than two at once', async () => {
		const events: string[] = [];
		const { parts, run } = controlledParts(3, events);
		await tick();
		assert.deepEqual(events, ['start 0'], 'the next part waits until the first answers');
		parts[0].row();
		await tick();
		assert.deepEqual(events, ['start 0', 'start 1'], 'the servers aggregate part 1 while part 0 is read');
		parts[1].row();
		await tick();
		assert.deepEqual(events, ['start 0', 'start 1'], 'a third part waits until the first has finished');
		parts[0].finish();
		await tick();
		assert.deepEqual(events, ['start 0', 'start 1', 'finish 0', 'start 2']);
		parts[2].finish();
		parts[1].finish();
		await run;
	});

	it('start the next part when one ends without a row', async () => {
		const events: string[] = [];
		const { parts, run } = controlledParts(2, events);
		await tick();
		parts[0].finish();
		await tick();
		assert.deepEqual(events, ['start 0', 'finish 0', 'start 1']);
		parts[1].finish();
		await run;
	});

	// Part 1 fails before its first row (while the next part is awaited) or after it (while part 0 is still read).
	for (const answered of [false, true])
		it(`a part failing ${answered ? 'after' : 'before'} it answers stops the other at its next row, and its own error is the one thrown once both are done`, async () => {
			const events: string[] = [];
			const { parts, run } = controlledParts(3, events);
			const outcome = run.then(
				() => undefined,
				(error: Error) => error,
			);
			await tick();
			parts[0].row();
			await tick();
			if (answered) {
				parts[1].row();
				await tick();
			}
			parts[1].fail(new Error('part 1 refused'));
			await tick();
			parts[0].row();
			const error = await outcome;
			assert.equal(error?.message, 'part 1 refused', 'the cause, not the stop it caused in part 0');
			assert.deepEqual(events, ['start 0', 'start 1', 'fail 1', 'stopped 0'], 'no part starts after a failure, and the other one is stopped');
		});
});

describe('examples from rows arriving in any order', () => {
	const goal = parseGoal(purchaseGoal);
	const columns = eventColumns(
		{ engine: 'postgres', host: 'localhost', port: 5432, user: 'u', password: '', database: 'd', schema: 'public', table: 'events' },
		[
			{ name: 'customer_id', type: 'text' },
			{ name: 'timestamp', type: 'timestamp with time zone' },
			{ name: 'event_type', type: 'text' },
			{ name: 'value', type: 'double precision' },
		],
	);
	const features: FeatureDecl[] = [{ name: 'purchases', label: 'purchases', subject: 'purchases', filter: null, windowDays: 30, aggregate: 'count' }];
	const cutoffs = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 8), Date.UTC(2026, 0, 15)];
	/** A runner answering `rows` (p, k, then the aggregates: the feature's count, then the label's) in the order given. */
	const answering = (rows: readonly [string, number, number, number][]): SqlRunner => ({
		rows: async () => rows.map(([p, k, count, label]) => ({ p, k, a0: count, a1: label })),
	});
	const rows: [string, number, number, number][] = [];
	for (const [k, at] of cutoffs.entries())
		for (const id of ['b', 'a', 'é', 'A', 'c~1']) if ((id.length + k) % 4 !== 0) rows.push([id, at, k * 10 + id.charCodeAt(0), (id.charCodeAt(0) + k) % 2]);

	it('are grouped by cutoff, profiles ascending within each, whatever order the rows arrived in', async () => {
		const inOrder = await buildWarehouseExamples(answering(rows), columns, goal, features, cutoffs);
		const reversed = await buildWarehouseExamples(answering([...rows].reverse()), columns, goal, features, cutoffs);
		const shuffled = await buildWarehouseExamples(
			answering(rows.filter((_, r) => r % 2 === 0).concat(rows.filter((_, r) => r % 2 === 1))),
			columns,
			goal,
			features,
			cutoffs,
		);
		const expected = [...rows].sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : 1));
		assert.deepEqual(
			Array.from(inOrder.data.columns[0]),
			expected.map((row) => row[2]),
		);
		assert.deepEqual(
			Array.from(inOrder.data.label),
			expected.map((row) => (row[3] > 0 ? 1 : 0)),
		);
		assert.deepEqual(
			Array.from(inOrder.cutoffIndex),
			expected.map((row) => cutoffs.indexOf(row[1])),
		);
		assert.deepEqual(
			Array.from(inOrder.profile, (p) => inOrder.profileIds[p]),
			expected.map((row) => row[0]),
		);
		for (const other of [reversed, shuffled]) {
			assert.deepEqual(other.profileIds, inOrder.profileIds);
			assert.deepEqual(other.data, inOrder.data);
			assert.deepEqual(other.profile, inOrder.profile);
			assert.deepEqual(other.cutoffIndex, inOrder.cutoffIndex);
		}
	});
});
