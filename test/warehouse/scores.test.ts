/**
 * Scoring in the warehouse equals scoring the same events in process (probability within
 * 1e-9, the same score, percentile and bucket for every profile), on PostgreSQL and on the
 * two-shard ClickHouse cluster, for the default model and for 1,000 trees of depth 6; runs are
 * appended, a retry replaces its run, a lost connection mid-write leaves the table as it was,
 * and a table with other columns is refused with nothing written.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { scoreProfiles, scoreWarehouse, trainModel } from '../../core/pipeline';
import type { Model } from '../../core/model/schema';
import { type WarehouseClient, openEvents } from '../../core/warehouse/client';
import type { EventColumns } from '../../core/warehouse/columns';
import { scoreIntoWarehouse, stagingName, staleStagingMs } from '../../core/warehouse/scores';
import { type EngineName, type ShopAttribute, engines, purchaseGoal, shopColumns, shopRows, shopTable, writeRows } from './support';

const attributes: ShopAttribute[] = ['channel', 'country'];
const columns = shopColumns(attributes);

const goal = { ...purchaseGoal, profileAttributes: [{ field: 'country' }] };

interface ScoreRow {
	profile_id: string;
	probability: number;
	score: number;
	percentile: number;
	bucket: string;
	propensity_type: string;
	score_date: string;
	model_name: string;
	model_version: number | null;
}

async function readScores(client: WarehouseClient, table: string): Promise<ScoreRow[]> {
	const date = client.source.engine === 'postgres' ? `to_char(score_date AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : 'score_date';
	const rows = await client.rows(
		`SELECT profile_id, probability, score, percentile, bucket, propensity_type, ${date} AS score_date, model_name, model_version FROM ${table} ORDER BY profile_id, score_date`,
		[],
	);
	return rows.map((row) => ({
		profile_id: String(row.profile_id),
		probability: Number(row.probability),
		score: Number(row.score),
		percentile: Number(row.percentile),
		bucket: String(row.bucket),
		propensity_type: String(row.propensity_type),
		score_date: String(row.score_date),
		model_name: String(row.model_name),
		model_version: row.model_version === null ? null : Number(row.model_version),
	}));
}

async function dropTable(client: WarehouseClient, table: string): Promise<void> {
	await client.command(`DROP TABLE IF EXISTS ${table}`, []);
}

/** A TCP relay to the server whose `cut` drops every connection and refuses new ones: a network that goes away. */
async function relayTo(host: string, port: number): Promise<{ port: number; cut: () => void; close: () => Promise<void> }> {
	const sockets = new Set<net.Socket>();
	let down = false;
	const server = net.createServer((socket) => {
		if (down) return socket.destroy();
		const upstream = net.connect(port, host);
		for (const s of [socket, upstream]) {
			sockets.add(s);
			s.on('error', () => undefined);
			s.on('close', () => sockets.delete(s));
		}
		socket.pipe(upstream).pipe(socket);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	return {
		port: (server.address() as net.AddressInfo).port,
		cut: () => {
			down = true;
			for (const socket of sockets) socket.destroy();
		},
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

/** A client whose connection is cut before the n-th insert of rows (streamed rows, JSON or an INSERT statement): the write fails part-way, as on a lost network. */
function cutBeforeInsert(client: WarehouseClient, n: number, cut: () => void): WarehouseClient {
	let inserts = 0;
	const counted = () => {
		inserts++;
		if (inserts === n) cut();
	};
	return {
		...client,
		async insertJson(table, rows) {
			counted();
			return client.insertJson(table, rows);
		},
		async insertRows(table, names, count, rowAt) {
			counted();
			return client.insertRows(table, names, count, rowAt);
		},
		async command(sql, params) {
			if (/^INSERT /.test(sql)) counted();
			return client.command(sql, params);
		},
	};
}

describe('scoring in the warehouse', function () {
	this.timeout(600_000);
	const rows = shopRows({ profiles: 1200, seed: 5, historyDays: 240 }, attributes);
	const table = shopTable(rows, attributes);
	const asOf = '2026-05-01T00:00:00.000Z';
	const models = new Map<string, Promise<Model>>();
	const modelOf = (size: 'default' | '1000 trees of depth 6') => {
		let model = models.get(size);
		if (!model) {
			const learnerOptions = size === 'default' ? undefined : { gbdt: { maxTrees: 1000, maxDepth: 6, earlyStoppingRounds: 0, learningRate: 0.02 } };
			model = trainModel(table, goal, { learner: 'gbdt', minPositives: 30, minNegatives: 30, seed: 2, learnerOptions }).then((outcome) => outcome.model);
			models.set(size, model);
		}
		return model;
	};
	const sources = new Map<EngineName, ReturnType<typeof writeRows>>();
	const opened = async (engine: EngineName): Promise<{ client: WarehouseClient; columns: EventColumns }> => {
		let source = sources.get(engine);
		if (!source) {
			source = writeRows(engine, 'score_events', columns, rows);
			sources.set(engine, source);
		}
		return openEvents(await source);
	};

	for (const engine of engines) {
		for (const size of ['default', '1000 trees of depth 6'] as const) {
			it(`equals in-process scoring, ${size} (${engine})`, async () => {
				const model = await modelOf(size);
				if (size !== 'default') assert.equal((model.learner as unknown as { trees: unknown[] }).trees.length, 1000);
				const expected = await (await scoreProfiles(table, model, { asOf })).all();
				const { client, columns: mapped } = await opened(engine);
				const target = engine === 'postgres' ? 'public.scores_equal' : 'scores_equal';
				try {
					await dropTable(client, target);
					const summary = await scoreWarehouse(client, mapped, model, { scoresTable: target, asOf, modelVersion: 3 });
					assert.equal(summary.scored, expected.length);
					assert.equal(summary.written, expected.length);
					assert.deepEqual(summary.ranIn, { features: 'warehouse', probabilities: 'process', scores: 'warehouse' });
					const written = await readScores(client, target);
					assert.equal(written.length, expected.length);
					const byId = new Map(written.map((row) => [row.profile_id, row]));
					for (const profile of expected) {
						const row = byId.get(profile.profileId);
						assert.ok(row, `${profile.profileId} was not written`);
						assert.ok(
							Math.abs(row.probability - profile.probability) <= 1e-9,
							`${profile.profileId}: ${row.probability} vs ${profile.probability}`,
						);
						assert.equal(row.score, profile.score, profile.profileId);
						assert.equal(row.percentile, profile.percentile, profile.profileId);
						assert.equal(row.bucket, profile.bucket, profile.profileId);
						assert.equal(row.propensity_type, profile.propensityType);
						assert.equal(row.score_date, profile.scoreDate);
						assert.equal(row.model_name, model.name);
						assert.equal(row.model_version, 3);
					}
				} finally {
					await client.close();
				}
			});
		}

		it(`appends runs, and a retry of a run replaces it (${engine})`, async () => {
			const model = await modelOf('default');
			const { client, columns: mapped } = await opened(engine);
			const target = 'scores_history';
			try {
				await dropTable(client, target);
				const first = await scoreWarehouse(client, mapped, model, { scoresTable: target, asOf: '2026-04-01' });
				const second = await scoreWarehouse(client, mapped, model, { scoresTable: target, asOf });
				await scoreWarehouse(client, mapped, model, { scoresTable: target, asOf });
				const written = await readScores(client, target);
				assert.equal(written.length, first.scored + second.scored);
				assert.equal(written.filter((row) => row.score_date === second.scoreDate).length, second.scored);
				assert.equal(new Set(written.map((row) => `${row.profile_id} ${row.score_date}`)).size, written.length);
			} finally {
				await client.close();
			}
		});

		it(`leaves the table as it was when the connection is lost mid-write, and a retry writes the run once (${engine})`, async () => {
			const model = await modelOf('default');
			const target = 'scores_fault';
			const setup = await opened(engine);
			let before: ScoreRow[];
			try {
				await dropTable(setup.client, target);
				await scoreWarehouse(setup.client, setup.columns, model, { scoresTable: target, asOf: '2026-04-01' });
				before = await readScores(setup.client, target);
			} finally {
				await setup.client.close();
			}
			const source = await sources.get(engine);
			assert.ok(source);
			const relay = await relayTo(source.host, source.port);
			const cut = await openEvents({ ...source, host: '127.0.0.1', port: relay.port });
			try {
				await assert.rejects(
					scoreIntoWarehouse(cutBeforeInsert(cut.client, 2, relay.cut), cut.columns, model, {
						scoresTable: target,
						asOf: Date.parse(asOf),
						writeRows: 100,
					}),
					(error: Error & { code?: string }) => {
						assert.match(error.message, /connection to the warehouse .* was lost/);
						return true;
					},
				);
			} finally {
				await cut.client.close();
				await relay.close();
			}
			const retry = await opened(engine);
			const staging = async () =>
				(await retry.client.rows(`SELECT name FROM system.tables WHERE database = 'default' AND startsWith(name, 'scores_fault__staging')`, [])).length;
			try {
				assert.deepEqual(await readScores(retry.client, target), before, 'the failed run left rows behind');
				// The cut run could not drop its staging table.
				if (engine === 'clickhouse') assert.equal(await staging(), 1);
				const summary = await scoreIntoWarehouse(retry.client, retry.columns, model, { scoresTable: target, asOf: Date.parse(asOf), writeRows: 100 });
				const after = await readScores(retry.client, target);
				assert.equal(after.length, before.length + summary.scored);
				// The retry dropped the one left behind, then its own.
				if (engine === 'clickhouse') assert.equal(await staging(), 0);
			} finally {
				await retry.client.close();
			}
		});

		if (engine === 'clickhouse')
			it('drops the staging tables of earlier writes of the same run, and others older than a day, but nothing else (clickhouse)', async () => {
				const model = await modelOf('default');
				const { client, columns: mapped } = await opened(engine);
				const target = 'scores_clean';
				const run = { modelName: model.name, modelVersion: null, scoreDate: asOf };
				const other = { ...run, scoreDate: '2026-04-01T00:00:00.000Z' };
				const now = Date.now();
				const names = {
					sameRun: stagingName(target, run, now - 60_000),
					otherRunFresh: stagingName(target, other, now - 60_000),
					otherRunOld: stagingName(target, other, now - 2 * staleStagingMs),
					notOurs: `${target}__staging_kept_by_someone`,
					otherTable: stagingName(`${target}2`, run, now - 60_000),
				};
				const present = async () =>
					(await client.rows(`SELECT name FROM system.tables WHERE database = 'default' AND startsWith(name, 'scores_clean')`, [])).map((row) =>
						String(row.name),
					);
				try {
					await dropTable(client, target);
					for (const name of Object.values(names)) await dropTable(client, name);
					await scoreWarehouse(client, mapped, model, { scoresTable: target, asOf });
					for (const name of Object.values(names)) await client.command(`CREATE TABLE ${name} AS ${target}`, []);
					await scoreWarehouse(client, mapped, model, { scoresTable: target, asOf });
					assert.deepEqual(new Set(await present()), new Set([target, names.otherRunFresh, names.notOurs, names.otherTable]));
				} finally {
					for (const name of Object.values(names)) await dropTable(client, name);
					await client.close();
				}
			});

		it(`refuses a table with other columns and writes nothing (${engine})`, async () => {
			const model = await modelOf('default');
			const { client, columns: mapped } = await opened(engine);
			try {
				await dropTable(client, 'not_scores');
				await client.command(
					engine === 'postgres'
						? 'CREATE TABLE not_scores (profile_id text, probability float8, note text)'
						: 'CREATE TABLE not_scores (profile_id String, probability Float64, note String) ENGINE = MergeTree() ORDER BY profile_id',
					[],
				);
				await assert.rejects(scoreWarehouse(client, mapped, model, { scoresTable: 'not_scores', asOf }), (error: Error) => {
					assert.match(error.message, /not a scores table/);
					assert.match(error.message, /lacks score, percentile, bucket/);
					assert.match(error.message, /other columns \(note\)/);
					assert.match(error.message, /nothing was written/);
					return true;
				});
				const [row] = await client.rows('SELECT count(*) AS n FROM not_scores', []);
				assert.equal(Number(row.n), 0);
			} finally {
				await client.close();
			}
		});
	}
});
