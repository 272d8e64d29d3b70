/**
 * n8n's Build Segment over a warehouse scores table (Scores In: PostgreSQL / ClickHouse Scores
 * Table), on PostgreSQL and the two-shard ClickHouse cluster, through n8n's execute API: the
 * rule runs there, only the entrants come back as items (the members the same rule picks in
 * memory), each item says where the work ran, and a second run hands on no one already in the segment.
 */
import assert from 'node:assert/strict';
import type { ICredentialDataDecryptedObject, INodeExecutionData, IDataObject } from 'n8n-workflow';
import { BuildSegment } from '../../nodes/n8n/BuildSegment/BuildSegment.node';
import { connectWarehouse } from '../../core/warehouse/client';
import { saveModel, scoreInWarehouse } from '../../core/pipeline';
import { openStore } from '../../core/store';
import type { WarehouseSource } from '../../core/warehouse/source';
import { engines } from '../warehouse/support';
import { WarehouseSegmentFixture, firstAsOf, secondAsOf } from '../warehouse/hostSegment';
import { runNode } from './fakeContext';
import { suiteTempFolders } from '../support/tempFolders';

const rule = 'top=10%';

function credentialsOf(source: WarehouseSource): Record<string, ICredentialDataDecryptedObject> {
	const data = { host: source.host, port: source.port, database: source.database, user: source.user, password: source.password };
	return source.engine === 'postgres' ? { propensityPostgresApi: { ...data, ssl: 'disable' } } : { propensityClickHouseApi: data };
}

describe('n8n Build Segment over a warehouse scores table (PostgreSQL and the ClickHouse cluster)', function () {
	this.timeout(600000);
	const fixture = new WarehouseSegmentFixture();
	const tempFolder = suiteTempFolders('propensity-n8n-wh-');

	for (const engine of engines) {
		it(`passes on only the entrants, chosen in ${engine}, and none again on the next run`, async () => {
			const { source, reference } = await fixture.prepare(engine, 'n8n_seg_events', 'n8n_seg_scores', 'cred');
			const credentials = credentialsOf(source);
			// As n8n offers it: a PostgreSQL scores table is read with the PostgreSQL store's credential.
			const store =
				engine === 'postgres' ? { store: 'postgres', storeSchema: 'propensity_n8n_wh_segment' } : { store: 'folder', storeFolder: tempFolder() };
			if (engine === 'postgres') {
				const client = await connectWarehouse(source);
				await client.command('DROP SCHEMA IF EXISTS propensity_n8n_wh_segment CASCADE', []).finally(() => client.close());
			}
			const where = new RegExp(`^${engine}://${source.user}@${source.host}:${source.port}/${source.database}\\?table=(public\\.)?n8n_seg_scores$`);
			const segment = async (summary: object, runAt: string) =>
				runNode(new BuildSegment(), {
					parameters: {
						scoresIn: engine,
						scoresTable: 'n8n_seg_scores',
						ruleMode: 'text',
						ruleText: rule,
						mode: 'entered',
						segmentName: 'top-tenth',
						...store,
						options: { runAt },
					},
					// Score Profiles' summary item, carrying the reference on.
					items: [{ json: { ...summary, warehouse: reference } as unknown as IDataObject }],
					credentials,
				});
			const ids = (items: INodeExecutionData[]) => items.map((item) => String(item.json.profileId)).sort();

			const first = await fixture.score(source, 'n8n_seg_scores', firstAsOf);
			const expected1 = await fixture.members(rule, firstAsOf);
			assert.ok(expected1.length > 10, `${expected1.length} members: a weak test`);
			const run1 = await segment(first, '2026-04-01T06:00:00Z');
			assert.deepEqual(ids(run1.outputs[0]), expected1, 'the members the rule picks in memory, all entered');
			assert.equal(run1.outputs[1].length, 0, 'only the members come back from the warehouse');
			for (const item of run1.outputs[0]) {
				assert.deepEqual(item.json.segment, {
					name: 'top-tenth',
					mode: 'entered',
					rule: (item.json.segment as { rule: string }).rule,
					runAt: '2026-04-01T06:00:00Z',
					previousRunAt: null,
					status: 'entered',
					run: 1,
				});
				assert.match(String(item.json.workRanIn), where);
				assert.deepEqual(item.pairedItem, [{ item: 0 }]);
				assert.ok(!JSON.stringify(item.json).includes(source.password), 'no password on an item');
			}
			assert.match(String(run1.hints[0]?.message), new RegExp(`^${expected1.length} of the ${first.scored} profiles scored at ${firstAsOf}`));

			const run2 = await segment(first, '2026-04-02T06:00:00Z');
			assert.equal(run2.outputs[0].length, 0, 'nobody new on the same scores');

			const second = await fixture.score(source, 'n8n_seg_scores', secondAsOf);
			const expected2 = (await fixture.members(rule, secondAsOf)).filter((id) => !expected1.includes(id));
			assert.ok(expected2.length > 0, 'someone entered: a weak test');
			const run3 = await segment(second, '2026-05-01T06:00:00Z');
			assert.deepEqual(ids(run3.outputs[0]), expected2, 'only those not in the segment before');
			assert.equal((run3.outputs[0][0].json.segment as { run: number }).run, 3);
		});
	}

	it("hands on each entrant with its reasons, read from the events and explained with the run's model from the store (Factors per Profile)", async () => {
		const { source, reference } = await fixture.prepare('postgres', 'n8n_seg_events', 'n8n_seg_scores', 'cred');
		const storeFolder = tempFolder();
		const store = await openStore({ kind: 'folder', path: storeFolder });
		const saved = await saveModel(store, await fixture.model).finally(() => store.close());
		const summary = await scoreInWarehouse(source, {}, await fixture.model, {
			scoresTable: 'n8n_seg_scores',
			asOf: firstAsOf,
			modelVersion: saved.version,
		});
		const run = await runNode(new BuildSegment(), {
			parameters: {
				scoresIn: 'postgres',
				scoresTable: 'n8n_seg_scores',
				ruleMode: 'text',
				ruleText: rule,
				mode: 'entered',
				segmentName: 'with-reasons',
				factorsPerProfile: 2,
				store: 'folder',
				storeFolder,
				options: { runAt: '2026-04-01T06:00:00Z' },
			},
			items: [{ json: { ...summary, warehouse: reference } as unknown as IDataObject }],
			credentials: credentialsOf(source),
		});
		const expected = await fixture.explainedMembers(rule, firstAsOf, 2);
		assert.equal(run.outputs[0].length, expected.size);
		for (const item of run.outputs[0]) {
			const { segment: _segment, workRanIn: _where, scoresTable: _table, warehouse: _reference, ...member } = item.json;
			assert.deepEqual(member, { ...expected.get(String(item.json.profileId)) }, 'the reasons and attributes of the in-memory path');
			assert.equal((item.json.factors as string[]).length, 2);
		}
	});

	it('refuses a rule on factors without factors asked for, and an item without a warehouse field, saying what to do', async () => {
		const run = await runNode(new BuildSegment(), {
			parameters: { scoresIn: 'clickhouse', scoresTable: 's', ruleMode: 'text', ruleText: 'top=5', mode: 'all', options: {} },
			items: [{ json: { scored: 3 } }],
			continueOnFail: true,
		});
		assert.match(String(run.outputs[0][0].json.error), /No input item has a warehouse field: put Load Events \(source "ClickHouse Table \(In Place\)"\)/);
		const { source, reference } = await fixture.prepare('postgres', 'n8n_seg_events', 'n8n_seg_scores', 'cred');
		const refused = await runNode(new BuildSegment(), {
			parameters: {
				scoresIn: 'postgres',
				scoresTable: 'n8n_seg_scores',
				ruleMode: 'text',
				ruleText: 'factor=recency:raises',
				mode: 'all',
				store: 'folder',
				storeFolder: tempFolder(),
				options: {},
			},
			items: [{ json: { warehouse: reference } as unknown as IDataObject }],
			credentials: credentialsOf(source),
			continueOnFail: true,
		});
		assert.match(String(refused.outputs[0][0].json.error), /The factor rule on "recency" needs each profile's factors: ask for them .*Factors per Profile/);
	});
});
