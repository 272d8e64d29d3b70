/**
 * Segments over a warehouse scores table with the events the run was scored from: the rows
 * handed on carry the same attributes and the same factor sentences as a segment of the same
 * events scored in memory with --explain K, and rules on factors and attributes (judged in
 * process on the candidates SQL leaves) admit the same members, on both engines.
 */
import assert from 'node:assert/strict';
import { buildSegment, scoreProfiles, scoreWarehouse, segmentWarehouse, trainModel } from '../../core/pipeline';
import type { ScoredProfile } from '../../core/score/types';
import type { SegmentRule } from '../../core/segment/rules';
import { openStore } from '../../core/store';
import { openEvents } from '../../core/warehouse/client';
import { engines, purchaseGoal, type ShopAttribute, shopColumns, shopRows, shopTable, writeRows } from './support';
import { suiteTempFolders } from '../support/tempFolders';

const attributes: ShopAttribute[] = ['channel', 'country'];
const columns = shopColumns(attributes);
const asOf = '2026-05-01T00:00:00.000Z';
const k = 3;

/** The feature most often among the profiles' top factors raising the chance, and the most common country. */
function commonest(scored: readonly ScoredProfile[]): { feature: string; country: string } {
	const count = (values: string[]) => {
		const counts = new Map<string, number>();
		for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
		return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];
	};
	return {
		feature: count(scored.flatMap((profile) => (profile.factors ?? []).filter((factor) => factor.impact > 0).map((factor) => factor.feature))),
		country: count(scored.map((profile) => String(profile.attributes?.country))),
	};
}

describe('segments over a warehouse scores table: attributes, factors and the rules on them', function () {
	this.timeout(900_000);
	const rows = shopRows({ profiles: 700, seed: 11, historyDays: 200 }, attributes);
	const table = shopTable(rows, attributes);
	const model = trainModel(table, purchaseGoal, { learner: 'gbdt', minPositives: 20, minNegatives: 20, seed: 3 }).then((outcome) => outcome.model);
	const tempFolder = suiteTempFolders('propensity-wh-segf-');

	for (const engine of engines) {
		it(`hands on the attributes and factors, and judges factor and attribute rules, as in memory (${engine})`, async () => {
			const trained = await model;
			const source = await writeRows(engine, 'segf_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				await client.command('DROP TABLE IF EXISTS segf_scores', []);
				await scoreWarehouse(client, mapped, trained, { scoresTable: 'segf_scores', asOf });
				const scored = await (await scoreProfiles(table, trained, { asOf, explain: k })).all();
				assert.deepEqual(Object.keys(scored[0].attributes ?? {}), ['country'], 'only the one-value-per-profile attribute is carried');
				const { feature, country } = commonest(scored);
				const events = { columns: mapped, model: trained, explain: k };
				const rules: SegmentRule[] = [
					{ top: { percent: 10 } },
					{ all: [{ top: { percent: 30 } }, { factor: { feature, direction: 'raises', withinTop: 2 } }] },
					{ all: [{ bucket: ['high', 'medium'] }, { attribute: { name: 'country', equals: country } }] },
					{ any: [{ score: { gte: 60 } }, { all: [{ percentile: { gte: 70 } }, { not: { attribute: { name: 'country', equals: country } } }] }] },
					{ all: [{ not: { factor: { feature, withinTop: 1 } } }, { top: { count: 40 } }] },
				];
				for (const rule of rules) {
					const expected = await buildSegment(scored, rule, { mode: 'all', runAt: asOf });
					const got = await segmentWarehouse(client, rule, { scoresTable: 'segf_scores', mode: 'all', runAt: asOf, events });
					const what = JSON.stringify(rule);
					assert.ok(expected.members.length > 0 && expected.members.length < scored.length, `${what} admits ${expected.members.length}: a weak test`);
					assert.deepEqual(got.summary.warnings, [], what);
					const byId = (members: readonly { profileId: string }[]) => [...members].sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
					assert.deepEqual(
						byId(got.members).map((member) => member.profileId),
						byId(expected.members).map((member) => member.profileId),
						what,
					);
					// Every member handed on carries the in-memory path's attributes and factor sentences, in order.
					assert.deepEqual(byId(got.output), byId(expected.output), what);
					assert.ok(
						got.output.every((row) => 'factors' in row && row.factors.length === k),
						`${what}: every member has ${k} reasons`,
					);
				}

				// Entrants only, with a store: the reasons come with the rows handed on.
				const store = await openStore({ kind: 'folder', path: tempFolder() });
				try {
					const options = { scoresTable: 'segf_scores', name: 'keen', store, mode: 'entered' as const, events };
					const first = await segmentWarehouse(client, { top: { percent: 5 } }, { ...options, runAt: '2026-05-01T01:00:00Z' });
					const expected = await buildSegment(scored, { top: { percent: 5 } }, { mode: 'all', runAt: asOf });
					assert.equal(first.output.length, expected.members.length);
					const want = new Map(expected.members.map((member) => [member.profileId, member]));
					for (const row of first.output) assert.deepEqual(row, want.get(row.profileId));
					const wider = await segmentWarehouse(client, { top: { percent: 8 } }, { ...options, runAt: '2026-05-02T01:00:00Z' });
					const inMemory = new Map(
						(await buildSegment(scored, { top: { percent: 8 } }, { mode: 'all', runAt: asOf })).members.map((m) => [m.profileId, m]),
					);
					assert.ok(wider.output.length > 0);
					for (const row of wider.output) {
						assert.ok(!want.has(row.profileId), 'only new entrants are handed on');
						assert.deepEqual(row, inMemory.get(row.profileId));
					}
				} finally {
					await store.close();
				}
			} finally {
				await client.close();
			}
		});
	}

	for (const engine of engines) {
		it(`runs attribute tests as SQL over the scores table, so only the profiles whose attribute can pass come back to be judged (${engine})`, async () => {
			const trained = await model;
			const source = await writeRows(engine, 'segf_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				await client.command('DROP TABLE IF EXISTS segf_scores', []);
				await scoreWarehouse(client, mapped, trained, { scoresTable: 'segf_scores', asOf });
				const scored = await (await scoreProfiles(table, trained, { asOf })).all();
				const { country } = commonest(await (await scoreProfiles(table, trained, { asOf, explain: 1 })).all());
				const events = { columns: mapped, model: trained };
				const rules: SegmentRule[] = [
					{ attribute: { name: 'country', equals: country } },
					{ attribute: { name: 'country', in: [country, "x' OR 1=1 --", 'Zürich "quoted" \\ back'] } },
					{ any: [{ attribute: { name: 'country', contains: country.slice(1) } }, { score: { gte: 90 } }] },
					{
						all: [
							{ attribute: { name: 'country', exists: true } },
							{ not: { attribute: { name: 'country', equals: country } } },
							{ top: { percent: 40 } },
						],
					},
				];
				for (const rule of rules) {
					const what = JSON.stringify(rule);
					const expected = await buildSegment(scored, rule, { mode: 'all', runAt: asOf });
					assert.ok(expected.members.length > 0 && expected.members.length < scored.length, `${what} admits ${expected.members.length}: a weak test`);
					const byId = <T extends { profileId: string }>(members: readonly T[]) => [...members].sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
					const got = await segmentWarehouse(client, rule, { scoresTable: 'segf_scores', mode: 'all', runAt: asOf, events });
					assert.deepEqual(
						byId(got.members).map((member) => member.profileId),
						byId(expected.members).map((member) => member.profileId),
						what,
					);
					// Probabilities within 1e-9 (the scores table keeps the warehouse's double), every other field equal.
					const rounded = (output: readonly object[]) =>
						byId(output as { profileId: string; probability: number }[]).map((row) => ({ ...row, probability: Math.round(row.probability * 1e9) }));
					const [mine, theirs] = [rounded(got.output), rounded(expected.output)];
					mine.forEach((row, i) => assert.ok(Math.abs(row.probability - theirs[i].probability) <= 1, `${what}: ${row.profileId}'s probability`));
					assert.deepEqual(
						mine.map((row) => ({ ...row, probability: 0 })),
						theirs.map((row) => ({ ...row, probability: 0 })),
						`${what}: the rows handed on, attributes included`,
					);
				}
				// Were the attribute judged in process only, every scored profile would be a candidate, more than the limit allows.
				const only = await buildSegment(scored, rules[0], { mode: 'all', runAt: asOf });
				assert.ok(only.members.length < scored.length / 2, 'the attribute test leaves fewer than half the scored profiles');
				const narrowed = await segmentWarehouse(client, rules[0], {
					scoresTable: 'segf_scores',
					mode: 'all',
					runAt: asOf,
					events,
					maxCandidates: only.members.length,
				});
				assert.equal(narrowed.members.length, only.members.length, 'the attribute test ran in SQL: the candidates are the members');
			} finally {
				await client.close();
			}
		});
	}

	it('refuses what it cannot judge with what to do instead (postgres)', async () => {
		const trained = await model;
		const source = await writeRows('postgres', 'segf_events', columns, rows);
		const { client, columns: mapped } = await openEvents(source);
		try {
			await client.command('DROP TABLE IF EXISTS segf_scores', []);
			await scoreWarehouse(client, mapped, trained, { scoresTable: 'segf_scores', asOf });
			const base = { scoresTable: 'segf_scores', mode: 'all' as const, runAt: asOf };
			const factor: SegmentRule = { all: [{ top: { percent: 10 } }, { factor: { feature: 'x', withinTop: 3 } }] };
			await assert.rejects(
				segmentWarehouse(client, factor, base),
				/factor rule cannot run over a scores table in the warehouse alone.*--events URL with --explain K/,
			);
			await assert.rejects(
				segmentWarehouse(client, factor, { ...base, events: { columns: mapped, model: trained } }),
				/needs each profile's factors: ask for them \(CLI: --explain K/,
			);
			await assert.rejects(
				segmentWarehouse(
					client,
					{ top: { count: 5, among: { attribute: { name: 'country', equals: 'FR' } } } },
					{ ...base, events: { columns: mapped, model: trained } },
				),
				/Put the factor or attribute rule beside the top instead/,
			);
			await assert.rejects(
				segmentWarehouse(client, { top: { count: 5 } }, { ...base, events: { columns: mapped, model: { ...trained, name: 'another-model' } } }),
				/scored by the model "purchase-soon", but the model given to explain it is "another-model"/,
			);
			await assert.rejects(
				segmentWarehouse(
					client,
					{ attribute: { name: 'country', exists: true } },
					{ ...base, events: { columns: mapped, model: trained }, maxCandidates: 50 },
				),
				/more than 50 scored profiles to judge on factors or attributes/,
			);
		} finally {
			await client.close();
		}
	});
});
