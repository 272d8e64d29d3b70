/**
 * A run scored into the warehouse is remembered like a run scored in process, without its rows:
 * the store keeps what drift needs (scores binned, bucket counts, the drift features binned,
 * activity counted by SQL) and the backtest reads the rows back from the scores table. Monitor
 * Model on the warehouse's events gives the figures monitorModel gives in memory, on PostgreSQL
 * and on the two-shard ClickHouse cluster.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
	loadModel,
	monitorModel,
	monitorWarehouse,
	openStore,
	rememberScoringRun,
	saveModel,
	scoreProfiles,
	scoreWarehouse,
	trainModel,
	type MonitorResult,
	type Store,
} from '../../core/pipeline';
import type { Model } from '../../core/model/schema';
import { binCounts } from '../../core/monitor/distribution';
import { openEvents } from '../../core/warehouse/client';
import { type ShopAttribute, engines, purchaseGoal, shopColumns, shopRows, shopTable, writeRows } from './support';

const attributes: ShopAttribute[] = ['channel', 'country'];
const columns = shopColumns(attributes);
const asOf = '2026-04-01T00:00:00.000Z';

async function freshStore(name: string): Promise<Store> {
	const root = path.resolve('test-output', 'warehouse-monitor', String(process.pid), name);
	fs.rmSync(root, { recursive: true, force: true });
	return openStore({ kind: 'folder', path: root });
}

/** Equal, numbers within 1e-9 relative: sums run in another order, and ClickHouse answers Float64 in decimal. */
function assertClose(actual: unknown, expected: unknown, where = 'result'): void {
	if (typeof expected === 'number' && typeof actual === 'number') {
		assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${where}: ${actual} vs ${expected}`);
		return;
	}
	if (expected !== null && typeof expected === 'object') {
		assert.ok(actual !== null && typeof actual === 'object', `${where}: ${JSON.stringify(actual)} is not an object`);
		assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: keys`);
		for (const key of Object.keys(expected))
			assertClose((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], `${where}.${key}`);
		return;
	}
	assert.deepEqual(actual, expected, where);
}

/** The figures of a monitor result that must not depend on where the events were. */
function comparable(result: MonitorResult) {
	return {
		verdict: result.verdict,
		events: result.events,
		counts: result.counts,
		runs: result.runs.map(({ backtest, drift }) => ({
			status: backtest.status,
			profiles: backtest.profiles,
			message: backtest.message,
			metrics: backtest.metrics,
			buckets: backtest.buckets,
			deciles: backtest.deciles,
			calibration: backtest.calibration,
			drift,
		})),
	};
}

describe('Monitor Model and scoring runs in the warehouse', function () {
	this.timeout(600_000);
	const rows = shopRows({ profiles: 1500, seed: 9, historyDays: 240 }, attributes);
	const table = shopTable(rows, attributes);
	// Ten profiles scored on the day whose events were deleted since: the backtest counts them as vanished.
	const gone = new Set([...new Set(rows.map((row) => row.customer_id as string))].slice(0, 10));
	const laterRows = rows.filter((row) => !gone.has(row.customer_id as string));
	const later = shopTable(laterRows, attributes);
	let model: Model;
	let version: number;
	/** In process: the same model scored the same events and was remembered the usual way. */
	let inProcess: Store;
	before(async () => {
		inProcess = await freshStore('in-process');
		const trained = await trainModel(table, purchaseGoal, { learner: 'gbdt', minPositives: 30, minNegatives: 30, seed: 3, asOf: '2026-02-15' });
		version = (await saveModel(inProcess, trained.model, trained.modelText)).version;
		model = (await loadModel(inProcess, trained.model.name)).model;
		assert.ok(model.monitoring, 'the model keeps a drift reference');
		await rememberScoringRun(inProcess, table, model, await scoreProfiles(table, model, { asOf, modelVersion: version }));
	});
	after(async () => {
		await inProcess.close();
	});

	for (const engine of engines) {
		it(`remembers a warehouse run without its rows, and Monitor Model on the warehouse's events equals it in memory (${engine})`, async () => {
			const store = await freshStore(engine);
			const source = await writeRows(engine, 'monitor_events', columns, rows);
			const laterSource = await writeRows(engine, 'monitor_events_later', columns, laterRows);
			const { client, columns: mapped } = await openEvents(source);
			const afterwards = await openEvents(laterSource);
			try {
				await client.command('DROP TABLE IF EXISTS monitor_scores', []);
				await saveModel(store, model, (await inProcess.loadModel(model.name, version)).text);
				const summary = await scoreWarehouse(client, mapped, model, { scoresTable: 'monitor_scores', asOf, modelVersion: version, store });
				assert.ok(summary.remembered, 'the run was remembered');
				assert.equal(summary.remembered.scored, summary.scored);

				// The record: the in-process run's figures, with the rows left in the scores table.
				const [expectedInfo] = await inProcess.listRuns(model.name);
				const expected = await inProcess.loadRun(model.name, expectedInfo.id);
				const record = await store.loadRun(model.name, summary.remembered.id);
				assert.equal(record.scored, expected.scored);
				assert.deepEqual([record.profileId.length, record.probability.length, record.score.length, record.bucket.length], [0, 0, 0, 0]);
				for (const key of [
					'model',
					'modelVersion',
					'goalChecksum',
					'propensityType',
					'scoreDate',
					'boundaries',
					'profilesActive',
					'features',
					'eventTypes',
				] as const)
					assert.deepEqual(record[key], expected[key], key);
				assert.ok(record.features.length > 0, 'the drift features are kept');
				assert.deepEqual(record.warehouse?.scoreCounts, binCounts(expected.probability, model.monitoring?.scores.edges ?? []));
				const letters = { low: 'l', medium: 'm', high: 'h' } as const;
				for (const bucket of ['low', 'medium', 'high'] as const)
					assert.equal(record.warehouse?.buckets[bucket], [...expected.bucket].filter((letter) => letter === letters[bucket]).length, bucket);
				assert.equal(record.warehouse?.scoresTable, 'monitor_scores');

				// Backtest and drift, read back from the scores table and judged by SQL, on events that have lost ten profiles since.
				const inMemory = comparable(await monitorModel(inProcess, model.name, later));
				const inWarehouse = comparable(await monitorWarehouse(store, model.name, afterwards.client, afterwards.columns));
				assert.equal(inMemory.runs[0].status, 'done');
				assert.ok(inMemory.runs[0].profiles.vanished > 0, 'some scored profiles vanished');
				assert.ok(inMemory.runs[0].drift.scorePsi !== null);
				assertClose(inWarehouse, inMemory);
				// A run scored in process is backtested on the warehouse's events too.
				assertClose(comparable(await monitorWarehouse(inProcess, model.name, afterwards.client, afterwards.columns)), inMemory);
				// In memory, a warehouse run cannot be read back: the error says where its scores are.
				await assert.rejects(monitorModel(store, model.name, later), /scored into the warehouse \(.*monitor_scores\).*events of that warehouse/);
				// A row of the run with a bucket scoring never writes (the table edited since): refused, naming the value, row and column.
				const date = engine === 'postgres' ? `'${asOf}'::timestamptz` : `'${asOf}'`;
				await client.command(
					`INSERT INTO monitor_scores VALUES ('~edited', 0.5, 50, 50, 'hot', 'conversion', ${date}, '${model.name}', ${version})`,
					[],
				);
				await assert.rejects(
					monitorWarehouse(store, model.name, afterwards.client, afterwards.columns),
					(error: Error & { code?: string }) =>
						error.code === 'warehouse-result' &&
						/^The scores table holds "hot" for bucket in row \d+ of the answer when reading the run of 2026-04-01T00:00:00\.000Z from .*monitor_scores, where scoring writes low, medium, high/.test(
							error.message,
						),
				);
			} finally {
				await client.close();
				await afterwards.client.close();
				await store.close();
			}
		});
	}
});
