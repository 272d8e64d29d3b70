/**
 * No leakage, property style: over random tables, changing, adding or deleting any events
 * after a cutoff leaves that cutoff's eligible profiles and every feature bit-identical.
 */
import assert from 'node:assert/strict';
import type { EventTable } from '../../core/events/table';
import { type FeatureDecl, buildExamples, generateFeatures } from '../../core/features';
import { type Goal, parseGoal } from '../../core/goal';
import { type Rng, createRng } from '../../core/util/rng';
import { type TestEvent, at, tableOf } from './support';
import { withBuyTillYouDie } from '../../core/features/buyTillYouDie';
import { simulateBgnbd } from '../../core/simulate/bgnbd';
import { bgnbdTable } from '../support/accuracyHarness';

const types = ['visit', 'purchase', 'email_open', 'app_launch', 'signup'];
const channels = ['web', 'email', 'sms', undefined];
const cutoffs = [at(90), at(120), at(150)];

/** The buy-till-you-die features, with fixed parameters (their fit is checked below). */
const buyTillYouDie: FeatureDecl[] = [
	{
		name: 'repeat_chance',
		label: 'r',
		subject: 'purchases',
		filter: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
		windowDays: null,
		aggregate: 'repeatChance',
		bgnbd: { r: 0.5, alpha: 20, a: 0.8, b: 2.5 },
		horizonDays: 20,
	},
	{
		name: 'active_chance',
		label: 'a',
		subject: 'purchases',
		filter: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
		windowDays: null,
		aggregate: 'activeChance',
		bgnbd: { r: 0.5, alpha: 20, a: 0.8, b: 2.5 },
	},
];

/** Every automatic feature of the table, and the buy-till-you-die ones. */
function allFeatures(table: EventTable): FeatureDecl[] {
	return [...generateFeatures(table, goal), ...buyTillYouDie];
}

const goal: Goal = parseGoal({
	name: 'leakage',
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
	profileAttributes: [{ field: 'country' }],
	exclusions: [
		{
			all: [
				{ field: 'channel', op: 'equals', value: 'sms' },
				{ field: 'eventType', op: 'equals', value: 'visit' },
			],
		},
	],
});

/** A time on a whole day half the time, so events land exactly on cutoffs and window edges. */
function randomTime(rng: Rng, fromDay: number, toDay: number): number {
	const day = fromDay + rng.int(toDay - fromDay);
	return rng.next() < 0.5 ? at(day) : at(day) + rng.int(86_400_000);
}

function randomEvent(rng: Rng, profile: string, time: number): TestEvent {
	const type = types[rng.int(types.length)];
	return {
		profile,
		ms: time,
		type,
		value: type === 'purchase' && rng.next() < 0.9 ? Math.round(rng.next() * 10000) / 100 : undefined,
		channel: channels[rng.int(channels.length)],
		qty: rng.next() < 0.5 ? rng.int(5) : undefined,
		country: rng.next() < 0.3 ? (rng.next() < 0.5 ? 'DE' : 'US') : undefined,
		campaign: rng.next() < 0.3 ? `c${rng.int(3)}` : undefined,
	};
}

function randomEvents(rng: Rng): TestEvent[] {
	const events: TestEvent[] = [];
	for (let p = 0; p < 25; p++) {
		const count = rng.int(30);
		for (let e = 0; e < count; e++) events.push(randomEvent(rng, `p${p}`, randomTime(rng, 0, 200)));
	}
	return events;
}

type Mutation = 'change' | 'add' | 'delete';

/** The events with some of those after `cutoff` changed, added or deleted (always at least one). */
function mutateAfter(rng: Rng, events: TestEvent[], cutoff: number, how: Mutation): TestEvent[] {
	const after = events.map((e, i) => ((e.ms as number) > cutoff ? i : -1)).filter((i) => i >= 0);
	const out = [...events];
	if (how === 'add' || after.length === 0) {
		const added = 1 + rng.int(10);
		for (let k = 0; k < added; k++) {
			const profile = rng.next() < 0.2 ? `new${k}` : `p${rng.int(25)}`;
			const event = randomEvent(rng, profile, cutoff + 1 + rng.int(60 * 86_400_000));
			out.push(rng.next() < 0.3 ? { ...event, type: 'brand_new_type', channel: 'brand-new-channel' } : event);
		}
		return out;
	}
	const picked = after.filter(() => rng.next() < 0.4);
	if (picked.length === 0) picked.push(after[rng.int(after.length)]);
	if (how === 'delete') return out.filter((_, i) => !picked.includes(i));
	for (const i of picked) out[i] = randomEvent(rng, out[i].profile, cutoff + 1 + rng.int(60 * 86_400_000));
	return out;
}

/** Per profile id: the bits of every feature at cutoff k. */
async function featureBits(table: EventTable, features: FeatureDecl[], k: number): Promise<Map<string, number[]>> {
	const examples = await buildExamples(table, goal, features, { cutoffs });
	const bits = new Map<string, number[]>();
	const word = new Float32Array(1);
	const asBits = new Uint32Array(word.buffer);
	for (let r = 0; r < examples.data.rows; r++) {
		if (examples.cutoffIndex[r] !== k) continue;
		bits.set(
			table.profileIds[examples.profile[r]],
			examples.data.columns.map((column) => {
				word[0] = column[r];
				return asBits[0];
			}),
		);
	}
	return bits;
}

describe('no leakage', () => {
	for (const how of ['change', 'add', 'delete'] as Mutation[]) {
		it(`${how === 'change' ? 'changing' : how === 'add' ? 'adding' : 'deleting'} events after a cutoff leaves that cutoff's eligible profiles and features bit-identical`, async () => {
			for (let seed = 1; seed <= 12; seed++) {
				const rng = createRng(seed * 7 + how.length);
				const events = randomEvents(rng);
				const table = tableOf(events);
				const features = allFeatures(table);
				const k = rng.int(cutoffs.length);
				const before = await featureBits(table, features, k);
				const after = await featureBits(tableOf(mutateAfter(rng, events, cutoffs[k], how)), features, k);
				assert.ok(before.size > 0, `seed ${seed}: some profiles are eligible`);
				assert.deepEqual([...after.keys()], [...before.keys()], `seed ${seed}: the same profiles are eligible`);
				for (const [profile, values] of before) assert.deepEqual(after.get(profile), values, `seed ${seed}, profile ${profile}`);
			}
		});
	}

	it('the check itself notices a change at or before the cutoff', async () => {
		const rng = createRng(99);
		const events = randomEvents(rng);
		const table = tableOf(events);
		const features = allFeatures(table);
		const before = await featureBits(table, features, 1);
		const touched = events.map((e) =>
			(e.ms as number) === at(120) || ((e.ms as number) <= at(120) && (e.ms as number) > at(100)) ? { ...e, value: 999, type: 'purchase' } : e,
		);
		const after = await featureBits(tableOf(touched), features, 1);
		assert.notDeepEqual([...after.values()], [...before.values()]);
	});
});

describe('no leakage into the buy-till-you-die fit', () => {
	it('fits the same parameters at a cutoff whatever happens after it', async () => {
		const sim = simulateBgnbd({ customers: 2000, seed: 4, historyDays: 300, futureDays: 0 });
		const table = bgnbdTable(sim);
		const purchaseGoal = parseGoal({
			name: 'p',
			propensityType: 'conversion',
			lookbackDays: 365,
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
		});
		const cutoff = sim.start + 200 * 86_400_000;
		const fitted = await withBuyTillYouDie(table, purchaseGoal, [], cutoff);
		assert.equal(fitted.length, 2, 'the model is identified on 2,000 customers');
		const earlier = {
			...sim,
			customers: sim.customers.map((c) => ({
				...c,
				purchases: c.purchases.filter((t) => t <= cutoff),
				values: c.values.filter((_, i) => c.purchases[i] <= cutoff),
			})),
		};
		assert.deepEqual(await withBuyTillYouDie(bgnbdTable(earlier), purchaseGoal, [], cutoff), fitted);
		assert.notDeepEqual(
			await withBuyTillYouDie(table, purchaseGoal, [], cutoff + 30 * 86_400_000),
			fitted,
			'control: a later cutoff fits other parameters',
		);
	});
});

describe('threads', () => {
	it('give the same examples, byte for byte, on one thread and on three', async () => {
		const table = tableOf(randomEvents(createRng(5)));
		const features = allFeatures(table);
		const one = await buildExamples(table, goal, features, { cutoffs, threads: 1 });
		const three = await buildExamples(table, goal, features, { cutoffs, threads: 3 });
		const bytes = (array: ArrayBufferView) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);
		assert.ok(one.data.rows > 20);
		assert.deepEqual(bytes(three.profile), bytes(one.profile));
		assert.deepEqual(bytes(three.cutoffIndex), bytes(one.cutoffIndex));
		assert.deepEqual(bytes(three.data.label), bytes(one.data.label));
		three.data.columns.forEach((column, f) => assert.deepEqual(bytes(column), bytes(one.data.columns[f]), features[f].name));
	});
});
