/**
 * Small hand-written event tables and goals for the goal and feature tests.
 */
import { type AttributeSpec, type EventTable, EventTableBuilder } from '../../core/events/table';
import { type Goal, type GoalInput, parseGoal } from '../../core/goal';

export const DAY = 86_400_000;
/** Day 0 of every test table: 2024-01-01T00:00:00Z. */
export const EPOCH = Date.UTC(2024, 0, 1);

/** The moment `days` (fractions allowed) after the test epoch. */
export function at(days: number): number {
	return EPOCH + days * DAY;
}

export interface TestEvent {
	readonly profile: string;
	/** Days after the epoch, or a UTC ms moment when `ms` is set. */
	readonly day?: number;
	readonly ms?: number;
	readonly type: string;
	readonly value?: number;
	readonly channel?: string;
	readonly campaign?: string;
	readonly qty?: number;
	readonly country?: string;
	readonly email?: string;
}

/** The attribute columns of test tables: text channel, campaign, country, email; numeric qty. */
export const testAttributes: AttributeSpec[] = [
	{ name: 'channel', kind: 'category' },
	{ name: 'campaign', kind: 'category' },
	{ name: 'qty', kind: 'number' },
	{ name: 'country', kind: 'category' },
	{ name: 'email', kind: 'category' },
];

export function tableOf(events: readonly TestEvent[], attributes: AttributeSpec[] = testAttributes): EventTable {
	const builder = new EventTableBuilder(attributes);
	for (const event of events) {
		const values = attributes.map((spec) => (event as unknown as Record<string, string | number | undefined>)[spec.name]);
		builder.add(event.profile, event.ms ?? at(event.day ?? 0), event.type, event.value ?? NaN, values);
	}
	return builder.build().table;
}

export const purchase = { all: [{ field: 'eventType', op: 'equals' as const, value: 'purchase' }] };

/** A conversion goal on purchases within `windowDays`, with overrides. */
export function goalOf(overrides: Partial<GoalInput> = {}, windowDays = 30): Goal {
	return parseGoal({
		name: 'test-goal',
		propensityType: 'conversion',
		outcome: { occur: 'will_occur', windowDays, when: purchase },
		lookbackDays: 90,
		...overrides,
	});
}

/** Row index of a profile id in the table. */
export function profileIndex(table: EventTable, id: string): number {
	const p = table.profileIds.indexOf(id);
	if (p < 0) throw new Error(`no profile ${id}`);
	return p;
}
