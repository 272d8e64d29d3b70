/**
 * What the hosts' Build Segment tests over a warehouse scores table share: events on PostgreSQL
 * or the ClickHouse cluster, a model trained on them in memory, runs scored into a scores table,
 * and the members the same rule picks over the same scores in memory (what the warehouse must match).
 */
import { EventTableBuilder } from '../../core/events/table';
import type { Model } from '../../core/model/schema';
import { buildSegment, scoreInWarehouse, scoreProfiles, trainModel } from '../../core/pipeline';
import { referenceTo, type WarehouseReference } from '../../core/warehouse/reference';
import { connectWarehouse } from '../../core/warehouse/client';
import type { WarehouseSource } from '../../core/warehouse/source';
import { parseRuleTexts } from '../../core/segment/syntax';
import type { SegmentMember } from '../../core/segment/build';
import type { ScoredProfile } from '../../core/score/types';
import { type EngineName, type TestRow, purchaseGoal, shopColumns, shopRows, writeRows } from './support';

const columns = shopColumns();

const goal = purchaseGoal;

/** Two score dates a month apart: the second run's segment differs from the first's. */
export const firstAsOf = '2026-04-01T00:00:00.000Z';
export const secondAsOf = '2026-05-01T00:00:00.000Z';

export class WarehouseSegmentFixture {
	readonly rows: TestRow[] = shopRows({ profiles: 800, seed: 9, historyDays: 200 });
	private readonly table;
	readonly model: Promise<Model>;

	constructor() {
		const builder = new EventTableBuilder([]);
		for (const row of this.rows)
			builder.add(row.customer_id as string, row.timestamp as number, row.event_type as string, (row.value as number | undefined) ?? NaN, []);
		this.table = builder.build().table;
		this.model = trainModel(this.table, goal, { learner: 'logistic', minPositives: 20, minNegatives: 20, seed: 1 }).then((outcome) => outcome.model);
	}

	/** The events written to `eventsTable` on the engine, `scoresTable` dropped; the source and Load Events' reference to it. */
	async prepare(
		engine: EngineName,
		eventsTable: string,
		scoresTable: string,
		connection: string,
	): Promise<{ source: WarehouseSource; reference: WarehouseReference }> {
		const source = await writeRows(engine, eventsTable, columns, this.rows);
		const client = await connectWarehouse(source);
		try {
			await client.command(`DROP TABLE IF EXISTS ${scoresTable}`, []);
		} finally {
			await client.close();
		}
		return { source, reference: referenceTo(source, {}, connection) };
	}

	/** Scores every eligible profile as of `asOf` into the scores table; Score Profiles' summary. */
	async score(source: WarehouseSource, scoresTable: string, asOf: string) {
		return scoreInWarehouse(source, {}, await this.model, { scoresTable, asOf });
	}

	/** The members the rule picks over the same scores in memory, explained with k factors each (what a warehouse segment with k factors must hand on). */
	async explainedMembers(rule: string, asOf: string, k: number): Promise<Map<string, SegmentMember>> {
		const scored = await (await scoreProfiles(this.table, await this.model, { asOf, explain: k })).all();
		const built = await buildSegment(scored, parseRuleTexts([rule]), { mode: 'all', runAt: asOf });
		return new Map(built.members.map((member) => [member.profileId, member]));
	}

	/** The profiles `ids` scored in memory as of `asOf` with k factors each (what Explain Factors on the table in place must give them). */
	async explained(asOf: string, k: number, ids: readonly string[]): Promise<Map<string, ScoredProfile>> {
		const scored = await (await scoreProfiles(this.table, await this.model, { asOf, explain: k, profiles: [...ids] })).all();
		return new Map(scored.map((profile) => [profile.profileId, profile]));
	}

	/** The ids the rule picks over the same scores in memory, sorted. */
	async members(rule: string, asOf: string): Promise<string[]> {
		const scored = await (await scoreProfiles(this.table, await this.model, { asOf })).all();
		const built = await buildSegment(scored, parseRuleTexts([rule]), { mode: 'all', runAt: asOf });
		return built.members.map((member) => member.profileId).sort();
	}
}
