/**
 * Profile attribute values as of a moment (an email address for each member of a
 * segment, a country for each scored profile), read from the events.
 */
import { type EventTable, attributeColumn } from '../events/table';
import { InputError } from '../errors';
import { fieldKinds } from '../goal/conditions';
import { didYouMean, listNames } from '../goal/suggest';

/**
 * For each field, per listed profile: the latest non-missing value in an event at or before
 * `asOf` (every event when asOf is undefined), or null when there is none. `eventType` and
 * `value` are fields too.
 */
export function latestAttributeValues(
	table: EventTable,
	profileIndexes: ArrayLike<number>,
	asOf: number | undefined,
	fields: readonly string[],
): Record<string, (string | number | null)[]> {
	const kinds = fieldKinds(table);
	for (const field of fields) {
		if (!kinds.has(field)) {
			throw new InputError(
				`The events have no field "${field}"${didYouMean(field, kinds.keys())}; the fields are ${listNames([...kinds.keys()])}. Map it when loading the events.`,
				'unknown-field',
			);
		}
	}
	const limit = asOf ?? Infinity;
	const result: Record<string, (string | number | null)[]> = {};
	for (const field of fields) {
		const read = reader(table, field);
		const values: (string | number | null)[] = new Array(profileIndexes.length);
		for (let j = 0; j < profileIndexes.length; j++) {
			const p = profileIndexes[j];
			if (!(p >= 0 && p < table.profileIds.length)) throw new RangeError(`Profile index ${p} is outside the table.`);
			values[j] = latestAtOrBefore(table, p, limit, read);
		}
		result[field] = values;
	}
	return result;
}

/** Reads a field of row i, null when the event has no value in it. */
function reader(table: EventTable, field: string): (i: number) => string | number | null {
	if (field === 'eventType') return (i) => table.types[table.type[i]];
	if (field === 'value') return (i) => (table.value[i] === table.value[i] ? table.value[i] : null);
	const column = attributeColumn(table, field);
	if (column?.kind === 'number') return (i) => (column.values[i] === column.values[i] ? column.values[i] : null);
	if (column?.kind === 'category') return (i) => (column.codes[i] >= 0 ? column.dictionary[column.codes[i]] : null);
	throw new Error(`no column "${field}"`);
}

function latestAtOrBefore(table: EventTable, p: number, limit: number, read: (i: number) => string | number | null): string | number | null {
	const start = table.profileStart[p];
	// The first event after the limit, by binary search on the profile's sorted times.
	let low = start;
	let high = table.profileStart[p + 1];
	while (low < high) {
		const middle = (low + high) >>> 1;
		if (table.time[middle] <= limit) low = middle + 1;
		else high = middle;
	}
	for (let i = low - 1; i >= start; i--) {
		const value = read(i);
		if (value !== null) return value;
	}
	return null;
}
