/**
 * Where every loader delivers its records: each is mapped, its fields are checked and
 * converted, and it becomes one event in the table builder or one counted bad row. Under the
 * `fail` policy the first bad row stops the load with an InputError that names the row, the
 * field, the value and the fix. The hot path allocates nothing per row but the event itself.
 */
import { InputError } from '../errors';
import { compileMapping, type Mapper, type MappingOptions, type RecordShape, sampleRecords } from './mapping';
import { type BadRowExample, BadRowCounter, type BadRowReason, badRowReasons, type RejectedRows } from './report';
import { type BuilderPart, type BuildResult, EventTableBuilder, maxEventTypes } from './table';
import { parseTime } from './time';
import { withThousands } from '../util/counts';

export type BadRowPolicy = 'fail' | 'skip';

/** Strict decimal numbers: digits with an optional dot and exponent; no hex, no thousands separators. */
const numberPattern = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/**
 * Arrays nested deeper than this in one field are refused (reason `too-deep`): the converters
 * below recurse into arrays, and a hostile record nested thousands of levels would overflow
 * the stack and abort the whole load instead of failing one row.
 */
export const maxNesting = 32;

/**
 * A value as a finite number, NaN when there is none, or undefined when it is not a number.
 * Numbers too large for a double (1e309, a 400-digit integer, a huge BigInt) are not numbers:
 * they would load as Infinity.
 */
export function toNumber(raw: unknown, depth = 0): number | undefined {
	if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
	if (raw === undefined || raw === null || raw === '') return NaN;
	if (typeof raw === 'string') return numberPattern.test(raw) ? finite(Number(raw)) : raw.trim() === '' ? NaN : undefined;
	if (typeof raw === 'bigint') return finite(Number(raw));
	if (Array.isArray(raw)) {
		if (depth >= maxNesting) return undefined;
		// A path through an array (productListItems.priceTotal) sums the elements.
		let sum = NaN;
		for (const element of raw) {
			const number = toNumber(element, depth + 1);
			if (number === undefined) return undefined;
			if (!Number.isNaN(number)) sum = Number.isNaN(sum) ? number : sum + number;
		}
		return Number.isFinite(sum) ? sum : undefined;
	}
	return undefined;
}

function finite(number: number): number | undefined {
	return Number.isFinite(number) ? number : undefined;
}

/** True when `raw` holds arrays or objects nested more than maxNesting levels (checked without recursion). */
export function nestedTooDeep(raw: unknown): boolean {
	let level: unknown[] = [raw];
	for (let depth = 0; level.length > 0; depth++) {
		if (depth > maxNesting) return true;
		const next: unknown[] = [];
		for (const value of level) {
			if (typeof value !== 'object' || value === null) continue;
			for (const child of Array.isArray(value) ? value : Object.values(value)) if (typeof child === 'object' && child !== null) next.push(child);
		}
		level = next;
	}
	return false;
}

/** A value as one text: '' when missing, undefined when it is not a single text or number. */
function toText(raw: unknown, depth = 0): string | undefined {
	if (typeof raw === 'string') return raw;
	if (raw === undefined || raw === null) return '';
	if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : undefined;
	if (typeof raw === 'bigint' || typeof raw === 'boolean') return String(raw);
	if (Array.isArray(raw)) {
		if (depth >= maxNesting) return undefined;
		const texts = new Set<string>();
		for (const element of raw) {
			const text = toText(element, depth + 1);
			if (text === undefined) return undefined;
			if (text !== '') texts.add(text);
		}
		return texts.size <= 1 ? ([...texts][0] ?? '') : undefined;
	}
	return undefined;
}

/** A category attribute: distinct values of an array are joined with '|' in order of appearance. */
function toCategory(raw: unknown): string | undefined {
	// Nearly every value is a text already (every CSV field is): no other check.
	if (typeof raw === 'string') return raw;
	if (Array.isArray(raw)) {
		const texts: string[] = [];
		for (const element of raw) {
			const text = toText(element, 1);
			if (text === undefined) return undefined;
			if (text !== '' && !texts.includes(text)) texts.push(text);
		}
		return texts.join('|');
	}
	if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? undefined : raw.toISOString();
	return toText(raw);
}

/** Raw input as text for a report: JSON for structures, cut at 200 characters. */
export function showRaw(raw: unknown): string {
	let text: string;
	if (typeof raw === 'string') text = raw;
	else if (raw === undefined) text = '';
	// JSON would show Infinity and NaN (from a PostgreSQL float, say) as "null".
	else if (typeof raw === 'number' || typeof raw === 'bigint') text = String(raw);
	else if (raw instanceof Date) text = Number.isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString();
	else {
		try {
			text = nestedTooDeep(raw)
				? `${Array.isArray(raw) ? '[' : '{'}… nested more than ${maxNesting} levels …${Array.isArray(raw) ? ']' : '}'}`
				: (JSON.stringify(raw, (_key, value: unknown) =>
						typeof value === 'bigint' ? value.toString() : typeof value === 'number' && !Number.isFinite(value) ? String(value) : value,
					) ?? String(raw));
		} catch {
			text = String(raw);
		}
	}
	return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** How to fix each kind of bad row, for messages. */
function fixFor(reason: BadRowReason, field: string | null, mapKey: string): string {
	switch (reason) {
		case 'unparsable':
			return 'correct the record';
		case 'missing-id':
		case 'missing-time':
		case 'missing-type':
			return `give the record a ${field ?? 'value'}, or map the field that holds it (CLI: --map ${mapKey}=PATH)`;
		case 'bad-id':
		case 'bad-type':
			return `map a field that holds one text or number (CLI: --map ${mapKey}=PATH)`;
		case 'bad-time':
			return 'write it as ISO 8601 (2024-03-21T14:05:00Z, 2024-03-21 14:05) or as epoch seconds or milliseconds';
		case 'impossible-date':
			return 'correct the date: the month, day, hour, minute or second is out of range';
		case 'bad-value':
			return 'write numbers with a dot as decimal separator and no thousands separators, within ±1.7e308 (Infinity, NaN and larger numbers are not values), or map another field as the value';
		case 'bad-attribute':
			return 'map the attribute to a field that holds a single text, or declare it as a number only if every value is one';
		case 'too-deep':
			return `map a field that holds a single value (arrays and objects nest at most ${maxNesting} levels)`;
		case 'bad-encoding':
			return "give the file's encoding (CLI: --encoding latin1, windows-1252, utf-16le or utf-16be; in the nodes: the Encoding option), or save it as UTF-8";
	}
}

/** The good records a sink collected (it met no bad one), as another sink can absorb them. */
export interface SinkPart {
	/** Records read. */
	readonly rows: number;
	/** Per attribute: 1 when some record had a value. */
	readonly seen: Uint8Array;
	readonly events: BuilderPart;
}

/** Receives records from a loader and turns each into an event or a counted bad row. */
export class EventSink {
	/** Records seen so far (bad ones included). */
	rows = 0;
	private mapper: Mapper | undefined;
	/** Object records held until there are enough to infer the mapping from (see sampleRecords). */
	private pending: { record: unknown; line: number | undefined; unparsable?: { raw: string; why: string; reason?: BadRowReason } }[] = [];
	private builder: EventTableBuilder | undefined;
	private readonly bad: BadRowCounter;
	private attributeValues: (string | number | undefined)[] = [];
	private seen: Uint8Array = new Uint8Array(0);
	/** The fields the records have, for messages: CSV's header or the first record's keys. */
	private fieldNames: readonly string[] = [];
	/** How many records the source is expected to hold (estimated from its size), or 0. */
	private expectedRows = 0;

	constructor(
		/** The mapping as the caller gave it (a parallel load passes it to its worker). */
		readonly mapping: MappingOptions,
		private readonly policy: BadRowPolicy,
		maxExamples: number,
		/** Names the source in messages: `events.csv`, `the rows`. */
		private readonly sourceName: string,
	) {
		this.bad = new BadRowCounter(maxExamples);
	}

	get resolved(): Mapper['resolved'] | null {
		return this.mapper?.resolved ?? null;
	}

	/** Compiles the mapping for this source (CSV: from the header; others: from the first record). */
	useShape(shape: RecordShape): void {
		this.mapper = compileMapping(this.mapping, shape);
		this.builder = new EventTableBuilder(this.mapper.attributes.map(({ name, kind }) => ({ name, kind })));
		this.builder.reserve(this.expectedRows);
		this.attributeValues = new Array(this.mapper.attributes.length).fill(undefined);
		this.seen = new Uint8Array(this.mapper.attributes.length);
		const first = shape.kind === 'objects' ? shape.sample[0] : undefined;
		this.fieldNames = shape.kind === 'columns' ? shape.header : typeof first === 'object' && first !== null ? Object.keys(first) : [];
	}

	/** Makes room for `rows` records in all, an estimate (too few only costs the growth; room left empty costs no memory). */
	expectRows(rows: number): void {
		this.expectedRows = rows;
		if (this.builder) this.builder.reserve(rows - this.builder.length);
	}

	/**
	 * Adds one record: a CSV row (with the header given to useShape) or an object. The first
	 * objects are held until sampleRecords have come (or the input ends) and the mapping is set.
	 */
	accept(record: unknown, line?: number): void {
		if (!this.mapper) {
			this.pending.push({ record, line });
			if (this.pending.length >= sampleRecords) this.flushPending();
			return;
		}
		this.add(record, ++this.rows, line);
	}

	/** Sets the mapping from the records held so far and adds them, in their order. */
	private flushPending(): void {
		const pending = this.pending;
		this.pending = [];
		this.useShape({ kind: 'objects', sample: pending.filter((item) => !item.unparsable).map((item) => item.record) });
		for (const item of pending) {
			if (item.unparsable)
				this.rejectWith(++this.rows, item.line, item.unparsable.reason ?? 'unparsable', null, item.unparsable.raw, item.unparsable.why);
			else this.add(item.record, ++this.rows, item.line);
		}
	}

	private add(record: unknown, row: number, line: number | undefined): void {
		const mapper = this.mapper as Mapper;
		const input = mapper.prepare ? mapper.prepare(record as string[]) : record;

		const rawId = mapper.id(input);
		const id = toText(rawId);
		if (id === undefined || id === '') return this.reject(row, line, id === undefined ? 'bad-id' : 'missing-id', 'profile id', rawId);

		const rawTime = mapper.time(input);
		if (rawTime === undefined || rawTime === null || rawTime === '') return this.reject(row, line, 'missing-time', 'timestamp', rawTime);
		const time = parseTime(rawTime, mapper.zone, mapper.timeUnit);
		if (typeof time !== 'number') return this.reject(row, line, time, 'timestamp', rawTime);

		const rawType = mapper.type(input);
		const type = toText(rawType);
		if (type === undefined || type === '') return this.reject(row, line, type === undefined ? 'bad-type' : 'missing-type', 'event type', rawType);

		let value = NaN;
		if (mapper.value) {
			const rawValue = mapper.value(input);
			const number = toNumber(rawValue);
			if (number === undefined) return this.reject(row, line, 'bad-value', 'value', rawValue);
			value = number;
		}

		const attributes = mapper.attributes;
		const values = this.attributeValues;
		for (let a = 0; a < attributes.length; a++) {
			const raw = attributes[a].get(input);
			const converted = attributes[a].kind === 'number' ? toNumber(raw) : toCategory(raw);
			if (converted === undefined) return this.reject(row, line, 'bad-attribute', `attribute ${attributes[a].name}`, raw);
			values[a] = converted;
			if (converted === converted && converted !== '') this.seen[a] = 1;
		}
		try {
			(this.builder as EventTableBuilder).add(id, time, type, value, values);
		} catch (error) {
			if (!(error instanceof RangeError)) throw error;
			throw new InputError(
				`Row ${row} of ${this.sourceName} brings more than ${withThousands(maxEventTypes)} distinct event types (field event type at "${mapper.resolved.type}"). Map a field with fewer distinct values as the event type (CLI: --map type=PATH).`,
				'too-many-event-types',
			);
		}
	}

	/** What this sink collected, for another sink over the same mapping to absorb (a parallel load's second half). */
	part(): SinkPart {
		return { rows: this.rows, seen: this.seen, events: (this.builder ?? new EventTableBuilder([])).part() };
	}

	/** Whether `part` can follow this sink's records: the mapping is set, the attributes match, the types fit. */
	canAbsorb(part: SinkPart): boolean {
		return (
			this.builder !== undefined &&
			this.pending.length === 0 &&
			part.seen.length === this.seen.length &&
			part.events.attributes.length === this.builder.attributeSpecs.length &&
			this.builder.canAppend(part.events)
		);
	}

	/** Takes `part`'s records as if they had come after this sink's, in their order. */
	absorb(part: SinkPart): void {
		if (!this.canAbsorb(part)) throw new Error('these records were collected under another mapping');
		(this.builder as EventTableBuilder).append(part.events);
		this.rows += part.rows;
		for (let a = 0; a < this.seen.length; a++) this.seen[a] |= part.seen[a];
	}

	/** Counts a record the loader could not read (bad JSON line, CSV row with the wrong number of fields). */
	unparsable(line: number | undefined, raw: string, why: string): void {
		if (!this.mapper && this.pending.length > 0) {
			this.pending.push({ record: undefined, line, unparsable: { raw, why } });
			return;
		}
		this.rejectWith(++this.rows, line, 'unparsable', null, raw, why);
	}

	/** Counts a record whose text was spoiled by bytes invalid in the file's encoding. */
	badEncoding(line: number | undefined, raw: string, why: string): void {
		if (!this.mapper && this.pending.length > 0) {
			this.pending.push({ record: undefined, line, unparsable: { raw, why, reason: 'bad-encoding' } });
			return;
		}
		this.rejectWith(++this.rows, line, 'bad-encoding', null, raw, why);
	}

	/** Records received so far, held ones included (for progress). */
	get received(): number {
		return this.rows + this.pending.length;
	}

	private reject(row: number, line: number | undefined, reason: BadRowReason, field: string, raw: unknown): void {
		// Only rejected values are measured, so the check costs nothing on good rows.
		const deep = (reason === 'bad-id' || reason === 'bad-type' || reason === 'bad-value' || reason === 'bad-attribute') && nestedTooDeep(raw);
		this.rejectWith(row, line, deep ? 'too-deep' : reason, field, raw, undefined);
	}

	private rejectWith(row: number, line: number | undefined, reason: BadRowReason, field: string | null, raw: unknown, why: string | undefined): void {
		if (this.policy === 'skip' && !this.bad.wantsExample(reason)) {
			this.bad.count(reason);
			return;
		}
		const example = this.example(row, line, reason, field, raw, why);
		if (this.policy === 'fail') {
			throw new InputError(
				`${example.message} To load the other rows and report this one, set the bad-row policy to skip (CLI: --bad-rows skip).`,
				'bad-row',
				example,
			);
		}
		this.bad.add(example);
	}

	private example(row: number, line: number | undefined, reason: BadRowReason, field: string | null, raw: unknown, why: string | undefined): BadRowExample {
		const value = showRaw(raw);
		const where = `Row ${row}${line !== undefined ? ` (line ${line})` : ''} of ${this.sourceName}`;
		const path = field === null ? '' : this.pathOf(field);
		const what =
			field === null
				? `${badRowReasons[reason]}: ${why ?? 'not a record'}`
				: `${badRowReasons[reason]} (field ${field}${path ? ` at "${path}"` : ''}, value "${value}")`;
		const fields =
			(reason === 'missing-id' || reason === 'missing-time' || reason === 'missing-type') && this.fieldNames.length
				? ` The records have the fields: ${this.fieldNames.slice(0, 30).join(', ')}.`
				: '';
		const message = `${where}: ${what}. Fix: ${fixFor(reason, field, mapKeyOf(field))}.${fields}`;
		return { row, ...(line !== undefined ? { line } : {}), field, value, reason, message };
	}

	private pathOf(field: string): string {
		const resolved = this.mapper?.resolved;
		if (!resolved) return '';
		if (field === 'profile id') return resolved.id;
		if (field === 'timestamp') return resolved.time;
		if (field === 'event type') return resolved.type;
		if (field === 'value') return resolved.value ?? '';
		return resolved.attributes.find((attribute) => `attribute ${attribute.name}` === field)?.path ?? '';
	}

	/** The built table (attributes without any value dropped unless declared) and the rejected rows. */
	finish(dropDuplicates: boolean): BuildResult & { rejected: RejectedRows; emptyAttributesDropped: string[] } {
		if (!this.mapper && this.pending.length > 0) this.flushPending();
		if (!this.builder) this.builder = new EventTableBuilder([]);
		const built = this.builder.build({ dropDuplicates });
		const attributes = this.mapper?.attributes ?? [];
		const keep = attributes.map((attribute, a) => attribute.declared || this.seen[a] === 1);
		const emptyAttributesDropped = attributes.filter((_attribute, a) => !keep[a]).map((attribute) => attribute.name);
		if (emptyAttributesDropped.length && this.mapper) {
			built.table = { ...built.table, attributes: built.table.attributes.filter((_column, a) => keep[a]) };
			this.mapper.resolved.attributes = this.mapper.resolved.attributes.filter((_attribute, a) => keep[a]);
		}
		return { ...built, rejected: this.bad.result(), emptyAttributesDropped };
	}
}

function mapKeyOf(field: string | null): string {
	if (field === 'profile id') return 'id';
	if (field === 'timestamp') return 'time';
	if (field === 'event type') return 'type';
	if (field === 'value') return 'value';
	return field?.startsWith('attribute ') ? `attr.${field.slice(10)}` : 'FIELD';
}
