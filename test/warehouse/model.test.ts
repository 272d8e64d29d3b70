/**
 * A model trained from a warehouse table is the model trained on the same events loaded into
 * memory: the same bytes (trees, calibration, report), on PostgreSQL and on the ClickHouse cluster.
 */
import assert from 'node:assert/strict';
import { trainModel } from '../../core/pipeline';
import { type WarehouseClient, openEvents } from '../../core/warehouse/client';
import { trainWarehouse } from '../../core/pipeline';
import { type ShopAttribute, engines, purchaseGoal, shopColumns, shopRows, shopTable, writeRows } from './support';

const attributes: ShopAttribute[] = ['channel', 'device', 'country'];
const columns = shopColumns(attributes);

const goal = { ...purchaseGoal, profileAttributes: [{ field: 'country' }] };

/** The client, noting when readiness's and the statistics' statements start and end. */
function noting(client: WarehouseClient, log: string[]): WarehouseClient {
	const note = async <T>(sql: string, work: () => Promise<T>): Promise<T> => {
		const kind = sql.startsWith('SELECT propensity_k AS k, count(*)') ? 'readiness' : / AS propensity_s0\b/.test(sql) ? 'statistics' : 'other';
		log.push(`start ${kind}`);
		try {
			return await work();
		} finally {
			log.push(`end ${kind}`);
		}
	};
	return {
		...client,
		rows: (sql, params) => note(sql, () => client.rows(sql, params)),
		each: (sql, params, onRow) => note(sql, () => client.each(sql, params, onRow)),
		eachCells: (sql, params, where, onRow) => note(sql, () => client.eachCells(sql, params, where, onRow)),
	};
}

describe('a model trained in the warehouse', () => {
	const rows = shopRows({ profiles: 1500, seed: 3, historyDays: 240 }, attributes);
	const table = shopTable(rows, attributes);
	const settings = { learner: 'gbdt', minPositives: 50, minNegatives: 50, seed: 4 };
	let inMemory: Promise<string> | undefined;
	// A lookback as long as the history: readiness warns and counts who a shorter one would keep.
	const longLookback = { ...goal, lookbackDays: 240 };
	let inMemoryLong: Promise<string> | undefined;

	for (const engine of engines) {
		it(`is byte-identical to the model trained in memory, the statistics asked while readiness counts (${engine})`, async () => {
			inMemory ??= trainModel(table, goal, settings).then((outcome) => outcome.modelText);
			const source = await writeRows(engine, 'model_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				const log: string[] = [];
				const outcome = await trainWarehouse(noting(client, log), mapped, goal, settings);
				assert.ok(outcome.summary.trainingRows > 500, `${outcome.summary.trainingRows} training rows`);
				assert.equal(outcome.modelText, await inMemory);
				assert.ok(log.includes('start statistics') && log.includes('end readiness'), log.join(', '));
				assert.ok(log.indexOf('start statistics') < log.indexOf('end readiness'), log.join(', '));
			} finally {
				await client.close();
			}
		});

		it(`is byte-identical with attribute columns named as the statements once named their answers (${engine})`, async () => {
			// On ClickHouse an alias stands for its expression in the whole query: an answer named p was read in the attribute p's place.
			const named = ['p', 'k', 'a0', 's0', 'category_events'];
			const renamed = rows.map((row) => ({ ...row, p: row.country, k: row.channel, a0: row.device, s0: row.channel, category_events: row.device }));
			const namedGoal = { ...goal, profileAttributes: named.map((field) => ({ field })) };
			const inMemory = await trainModel(shopTable(renamed, [...attributes, ...named]), namedGoal, settings);
			const source = await writeRows(engine, 'model_named', [...columns, ...named.map((name) => ({ name, kind: 'text' as const }))], renamed);
			const { client, columns: mapped } = await openEvents(source);
			try {
				const outcome = await trainWarehouse(client, mapped, namedGoal, settings);
				assert.equal(outcome.modelText, inMemory.modelText);
			} finally {
				await client.close();
			}
		});

		it(`warns of a short history with the same counts as in memory, and so is byte-identical (${engine})`, async () => {
			inMemoryLong ??= trainModel(table, longLookback, settings).then((outcome) => outcome.modelText);
			const source = await writeRows(engine, 'model_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				const outcome = await trainWarehouse(client, mapped, longLookback, settings);
				const warning = outcome.readiness.warnings.find((entry) => entry.code === 'short-history');
				assert.match(warning?.message ?? '', /\d[\d,]* profiles with an event in the last \d+ days, against [\d,]+ in the last 240\)/);
				assert.equal(outcome.modelText, await inMemoryLong);
			} finally {
				await client.close();
			}
		});
	}
});
