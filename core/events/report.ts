/**
 * What a load tells its user: the rows it could not read, counted by reason with the first
 * examples, and a summary of the events it kept. Both are plain JSON, so adapters pass them
 * on as they are and the same load gives the same report, byte for byte.
 */
import type { ResolvedMapping } from './mapping';
import { type EventTable, tableBytes } from './table';
import { isoTime } from './time';

/** Why a row was rejected. */
export type BadRowReason =
	| 'unparsable'
	| 'missing-id'
	| 'bad-id'
	| 'missing-time'
	| 'bad-time'
	| 'impossible-date'
	| 'missing-type'
	| 'bad-type'
	| 'bad-value'
	| 'bad-attribute'
	| 'too-deep'
	| 'bad-encoding';

/** What each reason means, for messages. */
export const badRowReasons: Record<BadRowReason, string> = {
	unparsable: 'the record could not be read',
	'missing-id': 'the profile id is missing',
	'bad-id': 'the profile id is not a single text or number',
	'missing-time': 'the timestamp is missing',
	'bad-time': 'the timestamp is not in a form we read',
	'impossible-date': 'the timestamp is not a real date or time',
	'missing-type': 'the event type is missing',
	'bad-type': 'the event type is not a single text or number',
	'bad-value': 'the value is not a number',
	'bad-attribute': 'an attribute value is not usable',
	'too-deep': 'a value is nested too deeply',
	'bad-encoding': 'the row is not valid text',
};

/** One rejected row, as the report shows it. */
export interface BadRowExample {
	/** 1-based number of the record in the source (CSV: data rows after the header). */
	row: number;
	/** 1-based line in the file where the record starts, for text files. */
	line?: number;
	/** The field at fault (`timestamp`, `attribute channel`), or null when the whole record is. */
	field: string | null;
	/** The raw value, as text (cut at 200 characters). */
	value: string;
	reason: BadRowReason;
	/** A sentence that says what is wrong and how to fix it. */
	message: string;
}

export interface RejectedRows {
	total: number;
	byReason: Partial<Record<BadRowReason, number>>;
	/** The first examples of each reason, in the order the rows were read. */
	examples: BadRowExample[];
}

/** How the load went: where from, how it was mapped, what was kept and what was not. */
export interface LoadReport {
	/** The file name, `buffer`, `rows` or the database the events came from (never a password). */
	source: string;
	format: 'csv' | 'ndjson' | 'json' | 'rows' | 'postgres';
	/** True when the bytes were gzip-compressed. */
	compressed: boolean;
	mapping: ResolvedMapping | null;
	badRows: 'fail' | 'skip';
	/** Records read (CSV data rows, NDJSON lines that are not blank, array elements, items, SQL rows). */
	rowsRead: number;
	/** Events in the table: rowsRead − rejected.total − duplicatesDropped. */
	eventsLoaded: number;
	rejected: RejectedRows;
	duplicatesDropped: number;
	/** Preset or inferred attributes left out because no event had a value for them. */
	emptyAttributesDropped: string[];
}

export interface AttributeSummary {
	name: string;
	kind: 'category' | 'number';
	/** Distinct values among the loaded events. */
	distinctValues: number;
	/** Events that have a value for the attribute. */
	eventsWithValue: number;
}

/** The loaded events at a glance. */
export interface LoadSummary {
	profiles: number;
	events: number;
	/** ISO 8601 (UTC) time of the earliest and the latest event; null when there are none. */
	firstEvent: string | null;
	lastEvent: string | null;
	/** Event type → number of events, in the table's (sorted) type order. */
	eventsPerType: Record<string, number>;
	/** Events that carry a numeric value. */
	eventsWithValue: number;
	attributes: AttributeSummary[];
	rejectedRows: number;
	rejectedByReason: Partial<Record<BadRowReason, number>>;
	duplicatesDropped: number;
	/** Bytes of the table's typed arrays per event (id, time, type, value and attribute columns). */
	bytesPerEvent: number;
}

/** Counts rejected rows by reason and keeps the first `maxExamples` examples of each. */
export class BadRowCounter {
	total = 0;
	private readonly counts = new Map<BadRowReason, number>();
	private readonly examples: BadRowExample[] = [];

	constructor(private readonly maxExamples: number) {}

	add(example: BadRowExample): void {
		this.total++;
		const count = (this.counts.get(example.reason) ?? 0) + 1;
		this.counts.set(example.reason, count);
		if (count <= this.maxExamples) this.examples.push(example);
	}

	/** Whether another example of `reason` would be kept (so callers build examples only then). */
	wantsExample(reason: BadRowReason): boolean {
		return (this.counts.get(reason) ?? 0) < this.maxExamples;
	}

	count(reason: BadRowReason): void {
		this.total++;
		this.counts.set(reason, (this.counts.get(reason) ?? 0) + 1);
	}

	result(): RejectedRows {
		const byReason: Partial<Record<BadRowReason, number>> = {};
		for (const reason of Object.keys(badRowReasons) as BadRowReason[]) {
			const count = this.counts.get(reason);
			if (count) byReason[reason] = count;
		}
		return { total: this.total, byReason, examples: [...this.examples] };
	}
}

/** Distinct numbers among the values that are not NaN, and how many there are. */
function distinctNumbers(values: Float64Array): { distinct: number; present: number } {
	const sorted = values.filter((value) => !Number.isNaN(value)).sort();
	let distinct = 0;
	for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[i - 1]) distinct++;
	return { distinct, present: sorted.length };
}

/** The summary of a loaded table and of what was rejected or dropped on the way. */
export function summarizeLoad(table: EventTable, rejected: RejectedRows, duplicatesDropped: number): LoadSummary {
	let first = Infinity;
	let last = -Infinity;
	const perType = new Float64Array(table.types.length);
	let eventsWithValue = 0;
	for (let i = 0; i < table.length; i++) {
		const time = table.time[i];
		if (time < first) first = time;
		if (time > last) last = time;
		perType[table.type[i]]++;
		if (!Number.isNaN(table.value[i])) eventsWithValue++;
	}
	const eventsPerType: Record<string, number> = {};
	table.types.forEach((name, code) => {
		if (perType[code] > 0) eventsPerType[name] = perType[code];
	});
	const attributes = table.attributes.map((column): AttributeSummary => {
		if (column.kind === 'number') {
			const { distinct, present } = distinctNumbers(column.values);
			return { name: column.name, kind: 'number', distinctValues: distinct, eventsWithValue: present };
		}
		const seen = new Uint8Array(column.dictionary.length);
		let present = 0;
		for (let i = 0; i < column.codes.length; i++) {
			const code = column.codes[i];
			if (code >= 0) {
				seen[code] = 1;
				present++;
			}
		}
		return { name: column.name, kind: 'category', distinctValues: seen.reduce((sum, flag) => sum + flag, 0), eventsWithValue: present };
	});
	return {
		profiles: table.profileIds.length,
		events: table.length,
		firstEvent: table.length ? isoTime(first) : null,
		lastEvent: table.length ? isoTime(last) : null,
		eventsPerType,
		eventsWithValue,
		attributes,
		rejectedRows: rejected.total,
		rejectedByReason: rejected.byReason,
		duplicatesDropped,
		bytesPerEvent: table.length ? Math.round((tableBytes(table) / table.length) * 100) / 100 : 0,
	};
}
