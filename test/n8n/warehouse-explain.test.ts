/**
 * n8n's Explain Factors on a warehouse table in place (Features From: PostgreSQL / ClickHouse
 * Table), on PostgreSQL and the two-shard ClickHouse cluster, through n8n's execute API: Build
 * Segment's members over the scores table go on to Explain Factors, which reads their features
 * from the events by SQL and explains them here; each item carries the in-memory path's scores,
 * attributes and factors, and says where the work ran. An unknown profile gets its own error.
 */
import assert from 'node:assert/strict';
import type { ICredentialDataDecryptedObject, IDataObject } from 'n8n-workflow';
import { BuildSegment } from '../../nodes/n8n/BuildSegment/BuildSegment.node';
import { ExplainFactors } from '../../nodes/n8n/ExplainFactors/ExplainFactors.node';
import { saveModel, scoreInWarehouse } from '../../core/pipeline';
import { openStore } from '../../core/store';
import type { WarehouseSource } from '../../core/warehouse/source';
import { engines } from '../warehouse/support';
import { WarehouseSegmentFixture, firstAsOf } from '../warehouse/hostSegment';
import { runNode } from './fakeContext';
import { suiteTempFolders } from '../support/tempFolders';

function credentialsOf(source: WarehouseSource): Record<string, ICredentialDataDecryptedObject> {
	const data = { host: source.host, port: source.port, database: source.database, user: source.user, password: source.password };
	return source.engine === 'postgres' ? { propensityPostgresApi: { ...data, ssl: 'disable' } } : { propensityClickHouseApi: data };
}

describe('n8n Explain Factors on a warehouse table in place (PostgreSQL and the ClickHouse cluster)', function () {
	this.timeout(600000);
	const fixture = new WarehouseSegmentFixture();
	const tempFolder = suiteTempFolders('propensity-n8n-wh-explain-');
	const k = 3;

	for (const engine of engines) {
		it(`explains Build Segment's members from features computed in ${engine}, as the in-memory path does`, async () => {
			const { source, reference } = await fixture.prepare(engine, 'n8n_wx_events', 'n8n_wx_scores', 'cred');
			const storeFolder = tempFolder();
			const store = await openStore({ kind: 'folder', path: storeFolder });
			const saved = await saveModel(store, await fixture.model).finally(() => store.close());
			const summary = await scoreInWarehouse(source, {}, await fixture.model, {
				scoresTable: 'n8n_wx_scores',
				asOf: firstAsOf,
				modelVersion: saved.version,
			});
			const credentials = credentialsOf(source);
			const segment = await runNode(new BuildSegment(), {
				parameters: {
					scoresIn: engine,
					scoresTable: 'n8n_wx_scores',
					ruleMode: 'text',
					ruleText: 'top=5%',
					mode: 'all',
					store: 'folder',
					storeFolder,
					options: {},
				},
				items: [{ json: { ...summary, warehouse: reference } as unknown as IDataObject }],
				credentials,
			});
			const members = segment.outputs[0];
			assert.ok(members.length > 5, `${members.length} members: a weak test`);
			const where = `${engine}://${source.user}@${source.host}:${source.port}/${source.database}`;
			assert.ok(
				members.every((item) => String(item.json.scoresTable).startsWith(where) && item.json.warehouse !== undefined),
				'members carry the reference on',
			);
			const items = [...members, { json: { profileId: 'nobody-at-all', warehouse: reference } as unknown as IDataObject }];
			const run = await runNode(new ExplainFactors(), {
				parameters: {
					featuresFrom: engine,
					scoresTable: 'n8n_wx_scores',
					modelSource: 'store',
					store: 'folder',
					storeFolder,
					topK: k,
					bucketSummary: true,
					options: {},
				},
				items,
				credentials,
				continueOnFail: true,
			});
			const out = run.outputs[0];
			assert.equal(out.length, items.length);
			const expected = await fixture.explained(
				firstAsOf,
				k,
				members.map((item) => String(item.json.profileId)),
			);
			out.slice(0, -1).forEach((item, i) => {
				const want = expected.get(String(item.json.profileId));
				assert.ok(want, String(item.json.profileId));
				assert.deepEqual(item.pairedItem, { item: i });
				assert.deepEqual(item.json.factors, want.factors, 'the factors of the in-memory path');
				assert.equal(item.json.percentile, want.percentile);
				assert.equal(item.json.bucket, want.bucket);
				assert.ok(Math.abs(Number(item.json.probability) - want.probability) < 1e-9);
				assert.equal(item.json.workRanIn, `${where}?table=${engine === 'postgres' ? 'public.' : ''}n8n_wx_events`);
				assert.match(String(item.json.scoresTable), /n8n_wx_scores$/);
				assert.equal((item.json.bucketFactors as { bucket: string }).bucket, want.bucket);
				assert.ok(!('features' in item.json), 'the feature values stay out of the item');
				assert.ok(!JSON.stringify(item.json).includes(source.password || 'no password set'), 'no password on an item');
			});
			const last = out[out.length - 1];
			assert.deepEqual(last.pairedItem, { item: items.length - 1 });
			assert.match(String(last.json.error), /"nobody-at-all" is not in the latest run of the model "purchase-soon"/);
		});
	}

	it('refuses items without a warehouse field, saying what to put before the node', async () => {
		const run = await runNode(new ExplainFactors(), {
			parameters: { featuresFrom: 'clickhouse', scoresTable: 's', modelSource: 'store', store: 'folder', topK: 3, options: {} },
			items: [{ json: { profileId: 'a' } }],
			continueOnFail: true,
		});
		assert.match(
			String(run.outputs[0][0].json.error),
			/No input item has a warehouse field: put Load Events \(source "ClickHouse Table \(In Place\)"\).*or set Features From to Profile Items/,
		);
	});
});
