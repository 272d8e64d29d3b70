/** Helpers for the event tests: readable views of a table, and a folder for files tests write. */
import fs from 'node:fs';
import path from 'node:path';
import type { EventTable } from '../../core/events/table';

/** A folder under test-output/ for one suite, emptied first. */
export function outputDir(name: string): string {
	const dir = path.resolve(__dirname, '../../../test-output/events', name);
	fs.rmSync(dir, { recursive: true, force: true });
	fs.mkdirSync(dir, { recursive: true });
	return dir;
}

export interface PlainEvent {
	id: string;
	time: string;
	type: string;
	value: number | null;
	attributes: Record<string, string | number | null>;
}

/** The table's events as plain objects, in table order (profile, then time). */
export function eventsOf(table: EventTable, rename: (type: string) => string = (type) => type): PlainEvent[] {
	const events: PlainEvent[] = [];
	for (let p = 0; p < table.profileIds.length; p++) {
		for (let i = table.profileStart[p]; i < table.profileStart[p + 1]; i++) {
			const attributes: Record<string, string | number | null> = {};
			for (const column of table.attributes) {
				if (column.kind === 'category') attributes[column.name] = column.codes[i] >= 0 ? column.dictionary[column.codes[i]] : null;
				else attributes[column.name] = Number.isNaN(column.values[i]) ? null : column.values[i];
			}
			events.push({
				id: table.profileIds[p],
				time: new Date(table.time[i]).toISOString(),
				type: rename(table.types[table.type[i]]),
				value: Number.isNaN(table.value[i]) ? null : table.value[i],
				attributes,
			});
		}
	}
	return events;
}

/** The events without attributes, for comparing loads that name attributes differently. */
export function coreEventsOf(table: EventTable, rename?: (type: string) => string): Omit<PlainEvent, 'attributes'>[] {
	return eventsOf(table, rename).map(({ id, time, type, value }) => ({ id, time, type, value }));
}

/** One attribute's values in table order. */
export function attributeValues(table: EventTable, name: string): (string | number | null)[] {
	return eventsOf(table).map((event) => event.attributes[name] ?? null);
}

/** Asserts two tables hold the same typed arrays and dictionaries, exactly. */
export function sameTable(a: EventTable, b: EventTable): boolean {
	const sameArray = (x: ArrayLike<number>, y: ArrayLike<number>): boolean => {
		if (x.length !== y.length) return false;
		for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return false;
		return true;
	};
	if (a.length !== b.length || JSON.stringify(a.profileIds) !== JSON.stringify(b.profileIds) || JSON.stringify(a.types) !== JSON.stringify(b.types))
		return false;
	if (!sameArray(a.profileStart, b.profileStart) || !sameArray(a.time, b.time) || !sameArray(a.type, b.type) || !sameArray(a.value, b.value)) return false;
	if (a.attributes.length !== b.attributes.length) return false;
	return a.attributes.every((column, c) => {
		const other = b.attributes[c];
		if (column.name !== other.name || column.kind !== other.kind) return false;
		if (column.kind === 'category' && other.kind === 'category')
			return JSON.stringify(column.dictionary) === JSON.stringify(other.dictionary) && sameArray(column.codes, other.codes);
		return column.kind === 'number' && other.kind === 'number' && sameArray(column.values, other.values);
	});
}
