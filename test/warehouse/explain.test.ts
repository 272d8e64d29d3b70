/**
 * Explain Factors on a table in place: the profiles of a scores run, their features read by SQL
 * from the events as of the run's score date and explained in process, carry the same scores,
 * attributes, feature values and factors as the same profiles scored and explained in memory,
 * on both engines; what cannot be explained is named, and too many profiles are refused.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { explainInWarehouse, explainProfiles, scoreProfiles, scoreWarehouse, trainModel } from '../../core/pipeline';
import { openEvents } from '../../core/warehouse/client';
import type { WarehouseSource } from '../../core/warehouse/source';
import { runCli } from '../support/cli';
import { engines, purchaseGoal, type ShopAttribute, shopColumns, shopRows, shopTable, writeRows } from './support';

const attributes: ShopAttribute[] = ['channel', 'country'];
const columns = shopColumns(attributes);
const asOf = '2026-05-01T00:00:00.000Z';
const k = 4;
const dir = path.join('test-output', 'warehouse-explain');

function urlOf(source: WarehouseSource): string {
	const qualified = source.schema ? `${source.schema}.${source.table}` : source.table;
	return `${source.engine}://${source.user}:${encodeURIComponent(source.password)}@${source.host}:${source.port}/${source.database}?table=${qualified}`;
}

describe('Explain Factors on a warehouse table in place', function () {
	this.timeout(900_000);
	const rows = shopRows({ profiles: 500, seed: 21, historyDays: 200 }, attributes);
	const table = shopTable(rows, attributes);
	const model = trainModel(table, purchaseGoal, { learner: 'gbdt', minPositives: 20, minNegatives: 20, seed: 5 }).then((outcome) => outcome.model);

	for (const engine of engines) {
		it(`gives the listed profiles the scores, attributes, feature values and factors of the in-memory path (${engine})`, async () => {
			const trained = await model;
			const source = await writeRows(engine, 'whx_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				await client.command('DROP TABLE IF EXISTS whx_scores', []);
				await scoreWarehouse(client, mapped, trained, { scoresTable: 'whx_scores', asOf });
			} finally {
				await client.close();
			}
			const everyone = await (await scoreProfiles(table, trained, { asOf })).all();
			// Profiles from every bucket, in an order of their own, one id twice and one nobody scored.
			const chosen = everyone.filter((_, i) => i % 23 === 5).map((profile) => profile.profileId);
			assert.ok(chosen.length >= 10, 'enough profiles to compare');
			const asked = [...chosen].reverse().concat([chosen[0], 'nobody-at-all']);
			const expected = await (await scoreProfiles(table, trained, { asOf, explain: k, profiles: chosen, includeFeatures: true })).all();
			const want = new Map(expected.map((profile) => [profile.profileId, profile]));

			const got = await explainInWarehouse(source, undefined, trained, asked, { scoresTable: 'whx_scores', topK: k, perBucket: true });
			assert.equal(got.run.modelName, trained.name);
			assert.deepEqual(
				got.profiles.map((profile) => profile.profileId),
				[...chosen].reverse(),
				'each profile once, in the order asked',
			);
			for (const profile of got.profiles) {
				const memory = want.get(profile.profileId);
				assert.ok(memory, profile.profileId);
				assert.ok(Math.abs(profile.probability - memory.probability) <= 1e-9, `${profile.profileId}: probability`);
				assert.deepEqual(
					{ ...profile, probability: 0, model: null },
					{ ...memory, probability: 0, model: null },
					`${profile.profileId}: score, percentile, bucket, attributes, features and factors`,
				);
				assert.equal(profile.factors?.length, k);
			}
			assert.deepEqual([...got.unexplained.keys()], ['nobody-at-all']);
			assert.match(
				got.unexplained.get('nobody-at-all')?.message ?? '',
				/"nobody-at-all" is not in the latest run of the model "purchase-soon".*score it first/,
			);
			// The bucket summaries are those of the same profiles explained in memory.
			const buckets = await explainProfiles(trained, [...expected].reverse(), { topK: k, perBucket: true });
			assert.deepEqual(got.buckets, buckets.buckets);

			// The CLI prints what "propensity explain" prints for an events file: the in-memory profiles, without feature values.
			fs.mkdirSync(dir, { recursive: true });
			const modelFile = path.join(dir, `${engine}-model.json`);
			fs.writeFileSync(modelFile, JSON.stringify(trained));
			const ids = chosen.slice(0, 3);
			const cli = await runCli(
				'explain',
				'--events',
				urlOf(source),
				'--model',
				modelFile,
				'--scores-table',
				'whx_scores',
				'--top',
				String(k),
				'--profiles',
				ids.join(','),
			);
			assert.equal(cli.code, 0, cli.stderr);
			const printed = JSON.parse(cli.stdout) as { profileId: string; probability: number }[];
			const inMemory = await (await scoreProfiles(table, trained, { asOf, explain: k, profiles: ids })).all();
			const inMemoryPrinted = JSON.parse(JSON.stringify(inMemory)) as { profileId: string; probability: number }[];
			assert.equal(printed.length, ids.length);
			printed.forEach((profile, i) => assert.ok(Math.abs(profile.probability - inMemoryPrinted[i].probability) <= 1e-9, profile.profileId));
			assert.deepEqual(
				printed.map((profile) => ({ ...profile, probability: 0 })),
				inMemoryPrinted.map((profile) => ({ ...profile, probability: 0 })),
			);
			const unknown = await runCli(
				'explain',
				'--events',
				urlOf(source),
				'--model',
				modelFile,
				'--scores-table',
				'whx_scores',
				'--profiles',
				`${ids[0]},nobody-at-all`,
			);
			assert.notEqual(unknown.code, 0);
			assert.match(unknown.stderr, /Some profiles cannot be explained: Profile "nobody-at-all" is not in the latest run/);
		});
	}

	it('refuses more profiles than it explains at once, before any query, saying what to do (postgres)', async () => {
		const trained = await model;
		const source = await writeRows('postgres', 'whx_events', columns, rows.slice(0, 10));
		await assert.rejects(
			explainInWarehouse(source, undefined, trained, ['a', 'b', 'c'], { scoresTable: 'whx_scores', topK: 3, maxProfiles: 2 }),
			/3 profiles were given to explain on a table in place, more than the 2 it explains at once.*split them into batches/,
		);
		await assert.rejects(
			explainInWarehouse(source, undefined, trained, ['a'], { scoresTable: 'whx_missing_scores', topK: 3 }),
			/The scores table .*whx_missing_scores does not exist/,
		);
	});
});
