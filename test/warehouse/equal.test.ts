/**
 * The SQL executor equals the in-memory one, property style: over random event tables (the
 * leakage tests' kind of generator, plus missing values, ties at window edges, events exactly
 * at a cutoff, unicode ids and attributes), each engine gives the same eligible profiles,
 * labels and Float32 feature bits at every cutoff as buildExamples on the same events.
 */
import assert from 'node:assert/strict';
import type { EventTable } from '../../core/events/table';
import { type FeatureDecl, buildExamples, generateFeatures, judgeCutoffs, dataRange } from '../../core/features';
import { tableReadinessData } from '../../core/features/readiness';
import { declareFeatures } from '../../core/features/generate';
import { rangeOfTypes, typeVolumesAsOf, warehouseFeatureStats, warehouseTableTypes } from '../../core/warehouse/stats';
import { buildWarehouseExamples, countWarehouseCutoffs, judgeWarehouseCutoffs, warehouseDataRange } from '../../core/warehouse/examples';
import { warehouseActivity, warehouseReadinessData } from '../../core/warehouse/data';
import { conditionMask, fieldKinds, keptMask, resolveCondition } from '../../core/goal/conditions';
import { tableActivity } from '../../core/monitor/reference';
import { type Goal, parseGoal } from '../../core/goal';
import { type Rng, createRng } from '../../core/util/rng';
import { openEvents } from '../../core/warehouse/client';
import { type TestEvent, at, tableOf } from '../features/support';
import { engines, eventAttributes, writeEvents } from './support';

const types = ['visit', 'purchase', 'email_open', 'app_launch', 'café_view'];
const channels = ['web', 'email', 'sms', '', undefined];
const campaigns = ["c'0", 'c\\1', 'c2', undefined, undefined];
const ids = ['p', 'Ünï', '日本', '😀', "o'b", 'a"b\\', 'Zz'];
// The last cutoff falls mid-day, so day counts are checked where a cutoff's day and its window's first day are partial.
const cutoffs = [at(90), at(120), at(150) + 13 * 3_600_000 + 17_000];
const conversion: Goal = parseGoal({
	name: 'warehouse-conversion',
	propensityType: 'conversion',
	lookbackDays: 60,
	outcome: { occur: 'will_occur', windowDays: 20, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: {
		any: [
			{ activeWithinDays: 30 },
			{ did: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] }, withinDays: 45 },
			{ profile: { field: 'country', op: 'equals', value: 'DE' } },
		],
	},
	customEvents: [
		{
			name: 'big purchases',
			when: {
				all: [
					{ field: 'eventType', op: 'equals', value: 'purchase' },
					{ field: 'value', op: 'gt', value: 50 },
				],
			},
		},
	],
	profileAttributes: [{ field: 'country' }, { field: 'qty' }],
	exclusions: [
		{
			all: [
				{ field: 'channel', op: 'equals', value: 'sms' },
				{ field: 'eventType', op: 'equals', value: 'visit' },
			],
		},
	],
});

const churn: Goal = parseGoal({
	name: 'warehouse-churn',
	propensityType: 'churn',
	lookbackDays: 75,
	outcome: {
		occur: 'will_not_occur',
		windowDays: 25,
		when: {
			any: [
				{ field: 'eventType', op: 'in', value: ['visit', 'app_launch'] },
				{ field: 'value', op: 'gte', value: 20 },
			],
		},
	},
	eligibility: {
		all: [
			{ didNot: { all: [{ field: 'channel', op: 'notIn', value: ['web', 'email'] }] }, withinDays: 10 },
			{ profile: { field: 'qty', op: 'notEquals', value: 2 } },
		],
	},
	customEvents: [
		{
			name: 'campaign touches',
			when: {
				any: [
					{ field: 'campaign', op: 'startsWith', value: "c'" },
					{ field: 'campaign', op: 'contains', value: '\\' },
				],
			},
		},
		{
			name: 'untracked',
			when: {
				all: [
					{ field: 'channel', op: 'notExists' },
					{ field: 'qty', op: 'exists' },
				],
			},
		},
	],
	exclusions: [
		{
			all: [
				{ field: 'country', op: 'notEquals', value: 'US' },
				{ field: 'qty', op: 'lt', value: 1 },
				{ field: 'eventType', op: 'startsWith', value: 'email' },
			],
		},
	],
});

/** A whole-second time, on a whole day half the time, so events land exactly on cutoffs and window edges. */
function randomTime(rng: Rng, fromDay: number, toDay: number): number {
	const day = fromDay + rng.int(toDay - fromDay);
	return rng.next() < 0.5 ? at(day) : at(day) + 1000 * rng.int(86_400);
}

function randomEvent(rng: Rng, profile: string, time: number): TestEvent {
	const type = types[rng.int(types.length)];
	return {
		profile,
		ms: time,
		type,
		value: (type === 'purchase' && rng.next() < 0.9) || rng.next() < 0.1 ? Math.round(rng.next() * 10000) / 100 : undefined,
		channel: channels[rng.int(channels.length)],
		qty: rng.next() < 0.5 ? rng.int(5) : undefined,
		country: rng.next() < 0.3 ? (rng.next() < 0.5 ? 'DE' : 'US') : undefined,
		campaign: campaigns[rng.int(campaigns.length)],
	};
}

/**
 * Random events; an event repeating another's profile, time, type and value is dropped, since
 * an in-memory table orders such a pair by arrival, which a warehouse does not have.
 */
function randomEvents(rng: Rng, profiles: number): TestEvent[] {
	const events: TestEvent[] = [];
	const seen = new Set<string>();
	for (let p = 0; p < profiles; p++) {
		const id = `${ids[p % ids.length]}${p}`;
		const count = rng.int(30);
		for (let e = 0; e < count; e++) {
			const event = randomEvent(rng, id, randomTime(rng, 0, 200));
			// Some events at a cutoff and at the edges of the 30-day and lookback windows, to the second.
			const edge = rng.next() < 0.1 ? { ...event, ms: cutoffs[rng.int(3)] - [0, 30, 60, 75, -20, -25][rng.int(6)] * 86_400_000 } : event;
			const key = JSON.stringify([edge.profile, edge.ms, edge.type, edge.value ?? null]);
			if (seen.has(key)) continue;
			seen.add(key);
			events.push(edge);
		}
	}
	return events;
}

/** A few declarations generateFeatures does not make, so every aggregate is covered. */
function extraFeatures(): FeatureDecl[] {
	return [
		{ name: 'value_max_30d', label: 'largest value in 30 days', subject: 'events', filter: null, windowDays: 30, aggregate: 'max', field: 'value' },
		{ name: 'qty_max', label: 'largest qty', subject: 'events', filter: null, windowDays: null, aggregate: 'max', field: 'qty' },
		{
			name: 'channel_latest',
			label: 'latest channel',
			subject: 'events',
			filter: null,
			windowDays: 45,
			aggregate: 'latest',
			field: 'channel',
			categories: ['web', 'email'],
		},
		{
			name: 'purchase_gap',
			label: 'gap',
			subject: 'purchases',
			filter: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
			windowDays: 40,
			aggregate: 'meanGapDays',
		},
	];
}

interface Rows {
	/** Per cutoff: profile id → [label, ...feature bits]. */
	readonly perCutoff: Map<string, number[]>[];
}

const word = new Float32Array(1);
const bits = new Uint32Array(word.buffer);
function bitsOf(x: number): number {
	word[0] = x;
	return bits[0];
}

function collect(rows: number, profileId: (r: number) => string, cutoffIndex: Uint16Array, label: Uint8Array, columns: readonly Float32Array[]): Rows {
	const perCutoff = cutoffs.map(() => new Map<string, number[]>());
	for (let r = 0; r < rows; r++) perCutoff[cutoffIndex[r]].set(profileId(r), [label[r], ...columns.map((column) => bitsOf(column[r]))]);
	return { perCutoff };
}

async function inMemory(table: EventTable, goal: Goal, features: FeatureDecl[]): Promise<Rows> {
	const examples = await buildExamples(table, goal, features, { cutoffs });
	return collect(examples.data.rows, (r) => table.profileIds[examples.profile[r]], examples.cutoffIndex, examples.data.label, examples.data.columns);
}

function assertSame(actual: Rows, expected: Rows, features: FeatureDecl[], what: string): void {
	expected.perCutoff.forEach((rows, k) => {
		assert.deepEqual([...actual.perCutoff[k].keys()], [...rows.keys()], `${what}, cutoff ${k}: the same eligible profiles in the same order`);
		for (const [profile, values] of rows) {
			const got = actual.perCutoff[k].get(profile) as number[];
			values.forEach((value, i) => {
				const name = i === 0 ? 'label' : features[i - 1].name;
				assert.equal(got[i], value, `${what}, cutoff ${k}, profile ${profile}: ${name} (bits ${got[i]} vs ${value})`);
			});
		}
	});
}

type Opened = Awaited<ReturnType<typeof openEvents>>;

/**
 * Profiles with a kept event read at each cutoff (any in the lookback before it, a goal event in
 * the outcome window after it): the groups the aggregation holds.
 */
function groupsInMemory(table: EventTable, goal: Goal, at: readonly number[]): number[] {
	const kept = keptMask(table, goal.exclusions);
	const outcome = conditionMask(resolveCondition(goal.outcome.when, fieldKinds(table)), table);
	return at.map((cutoff) => {
		const [from, to] = [cutoff - goal.lookbackDays * 86_400_000, cutoff + goal.outcome.windowDays * 86_400_000];
		const read = (i: number) => kept[i] && table.time[i] >= from && (table.time[i] <= cutoff || (table.time[i] <= to && outcome[i]));
		let groups = 0;
		for (let p = 0; p < table.profileIds.length; p++) {
			for (let i = table.profileStart[p]; i < table.profileStart[p + 1]; i++) {
				if (read(i)) {
					groups++;
					break;
				}
			}
		}
		return groups;
	});
}

/**
 * What training reuses instead of counting again gives what counting gives: the types' counts
 * and range, readiness's groups per cutoff, the statistics with the table's types and profile
 * count passed in, and the monitoring reference's activity from them.
 */
async function checkCountsReused(client: Opened['client'], columns: Opened['columns'], table: EventTable, goal: Goal, seed: number): Promise<void> {
	const types = await warehouseTableTypes(client, columns);
	assert.deepEqual(rangeOfTypes(types), dataRange(table), `seed ${seed}: the range from the types' counts`);
	assert.deepEqual(rangeOfTypes(types, at(100)), dataRange(table, at(100)), `seed ${seed}: the range from the types' counts, as of a date`);
	const counted = await countWarehouseCutoffs(client, columns, goal, cutoffs);
	assert.deepEqual(counted.groups, groupsInMemory(table, goal, cutoffs), `seed ${seed}: groups within reach of each cutoff`);
	for (const asOf of [undefined, at(130)]) {
		const options = asOf === undefined ? {} : { asOf };
		const known = { types, profiles: table.profileIds.length, profilesBy: cutoffs[1] };
		const { profilesBy, ...stats } = await warehouseFeatureStats(client, columns, goal, options, known);
		assert.deepEqual(stats, await warehouseFeatureStats(client, columns, goal, options), `seed ${seed}: statistics with known counts`);
		const activity = await warehouseActivity(client, columns, cutoffs[1], at(140), { types, activeProfiles: profilesBy });
		assert.deepEqual(activity, tableActivity(table, cutoffs[1], at(140)), `seed ${seed}: the monitoring reference's activity`);
	}
	assert.deepEqual(
		await warehouseActivity(client, columns, cutoffs[1], at(140)),
		tableActivity(table, cutoffs[1], at(140)),
		`seed ${seed}: activity counted`,
	);
}

/**
 * Readiness's event-type volumes as in memory: every event and the goal's kept ones, none after
 * the as-of date (one before every event included), with and without the goal's exclusions,
 * and through warehouseReadinessData as readiness reads them.
 */
async function checkTypeVolumes(client: Opened['client'], columns: Opened['columns'], table: EventTable, goal: Goal, seed: number): Promise<void> {
	const types = await warehouseTableTypes(client, columns);
	for (const asOf of [undefined, at(130), at(-1)]) {
		for (const asked of [goal, { ...goal, exclusions: [] }]) {
			const inMemory = tableReadinessData(table, asked, asOf);
			const expected = { all: inMemory.typeVolumes(undefined), kept: inMemory.typeVolumes(asked) };
			const label = `seed ${seed}: type volumes as of ${asOf === undefined ? 'the end' : new Date(asOf).toISOString()}, ${asked.exclusions.length} exclusions`;
			assert.deepEqual(await typeVolumesAsOf(client, columns, types, asked, asOf), expected, label);
			const readiness = await warehouseReadinessData(client, columns, asked, asOf, types);
			assert.deepEqual({ all: readiness.typeVolumes(undefined), kept: readiness.typeVolumes(asked) }, expected, `${label}, as readiness reads them`);
		}
	}
	assert.ok(
		table.time.some((time) => time > at(130)),
		`seed ${seed}: some events are after the as-of date`,
	);
}

for (const engine of engines) {
	describe(`the SQL executor on ${engine === 'postgres' ? 'PostgreSQL' : 'a two-shard ClickHouse cluster'}`, () => {
		for (const [goalName, goal] of [
			['conversion', conversion],
			['churn', churn],
		] as const) {
			it(`gives the in-memory executor's eligible profiles, labels and Float32 features at every cutoff (${goalName} goal, random tables)`, async () => {
				for (let seed = 1; seed <= 4; seed++) {
					const rng = createRng(seed * 31 + goalName.length);
					const events = randomEvents(rng, 30);
					const table = tableOf(events, eventAttributes);
					const features = [...generateFeatures(table, goal), ...extraFeatures()];
					const expected = await inMemory(table, goal, features);
					assert.ok(
						expected.perCutoff.some((rows) => rows.size > 5),
						`seed ${seed}: some profiles are eligible`,
					);
					const source = await writeEvents(engine, `eq_${goalName}_${seed}`, events);
					const { client, columns } = await openEvents(source);
					try {
						const examples = await buildWarehouseExamples(client, columns, goal, features, cutoffs);
						const actual = collect(
							examples.data.rows,
							(r) => examples.profileIds[examples.profile[r]],
							examples.cutoffIndex,
							examples.data.label,
							examples.data.columns,
						);
						assertSame(actual, expected, features, `${engine} seed ${seed}`);
						assert.deepEqual(
							await judgeWarehouseCutoffs(client, columns, goal, cutoffs),
							judgeCutoffs(table, goal, cutoffs),
							`seed ${seed}: readiness counts`,
						);
						assert.deepEqual(await warehouseDataRange(client, columns), dataRange(table), `seed ${seed}: data range`);
						assert.deepEqual(
							await warehouseDataRange(client, columns, at(100)),
							dataRange(table, at(100)),
							`seed ${seed}: data range as of a date`,
						);
						assert.deepEqual(
							declareFeatures(await warehouseFeatureStats(client, columns, goal), goal),
							generateFeatures(table, goal),
							`seed ${seed}: the same automatic features`,
						);
						const asOf = { asOf: at(130), topCategories: 2, topTypes: 3 };
						assert.deepEqual(
							declareFeatures(await warehouseFeatureStats(client, columns, goal, asOf), goal, asOf),
							generateFeatures(table, goal, asOf),
							`seed ${seed}: the same features as of a date`,
						);
						await checkTypeVolumes(client, columns, table, goal, seed);
						await checkCountsReused(client, columns, table, goal, seed);
					} finally {
						await client.close();
					}
				}
			});
		}

		it('the check notices a difference (a changed value before a cutoff changes the compared bits)', async () => {
			const rng = createRng(7);
			const events = randomEvents(rng, 20);
			const table = tableOf(events, eventAttributes);
			const features = generateFeatures(table, conversion);
			const expected = await inMemory(table, conversion, features);
			const changed = events.map((event) =>
				event.type === 'purchase' && (event.ms as number) <= cutoffs[2] && (event.ms as number) > cutoffs[2] - 20 * 86_400_000
					? { ...event, value: (event.value ?? 0) + 0.5 }
					: event,
			);
			const source = await writeEvents(engine, 'eq_changed', changed);
			const { client, columns } = await openEvents(source);
			try {
				const examples = await buildWarehouseExamples(client, columns, conversion, features, cutoffs);
				const actual = collect(
					examples.data.rows,
					(r) => examples.profileIds[examples.profile[r]],
					examples.cutoffIndex,
					examples.data.label,
					examples.data.columns,
				);
				assert.throws(() => assertSame(actual, expected, features, engine));
			} finally {
				await client.close();
			}
		});
	});
}
