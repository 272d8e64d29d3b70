/**
 * The columnar event table every part of the engine reads.
 *
 * Events are sorted by profile, then time, and stored column by column in typed arrays
 * with dictionary-coded strings, so a table costs 18 bytes per event for time, type and
 * value (plus 4 or 8 per attribute column) and one offset per profile. No per-event
 * objects are kept. The layout is canonical: profile ids and type names are sorted, and
 * ties in time are ordered by type, then value, then the order of arrival, so the same
 * events give the same table whatever order they were read in.
 */

/** A string attribute, dictionary-coded. `codes[i] === -1` means the event has no value. */
export interface CategoryColumn {
	readonly name: string;
	readonly kind: 'category';
	readonly codes: Int32Array;
	readonly dictionary: readonly string[];
}

/** A numeric attribute. `NaN` means the event has no value. */
export interface NumberColumn {
	readonly name: string;
	readonly kind: 'number';
	readonly values: Float64Array;
}

export type AttributeColumn = CategoryColumn | NumberColumn;

export interface EventTable {
	/** Number of events. */
	readonly length: number;
	/** Profile index → profile id, sorted ascending. */
	readonly profileIds: readonly string[];
	/** Events of profile p occupy rows [profileStart[p], profileStart[p + 1]). Length: profiles + 1. */
	readonly profileStart: Uint32Array;
	/** Event time, UTC milliseconds since the epoch. */
	readonly time: Float64Array;
	/** Event type, as an index into `types`. */
	readonly type: Uint16Array;
	/** Event type names, sorted ascending. */
	readonly types: readonly string[];
	/** Optional numeric value (revenue, quantity…). `NaN` means none. */
	readonly value: Float64Array;
	/** Selected attribute columns, in the order they were declared. */
	readonly attributes: readonly AttributeColumn[];
}

export type AttributeKind = 'category' | 'number';

export interface AttributeSpec {
	readonly name: string;
	readonly kind: AttributeKind;
}

/** The most events reserve() makes room for in one call (an estimate beyond it grows as events come). */
const maxReservedEvents = 1 << 26;

/** At most this many distinct event types: the type column is 16-bit. */
export const maxEventTypes = 65535;

export function profileCount(table: EventTable): number {
	return table.profileIds.length;
}

/** The attribute column called `name`, or undefined. */
export function attributeColumn(table: EventTable, name: string): AttributeColumn | undefined {
	return table.attributes.find((column) => column.name === name);
}

/** Bytes held by the table's typed arrays (strings in dictionaries are not counted). */
export function tableBytes(table: EventTable): number {
	let bytes = table.time.byteLength + table.type.byteLength + table.value.byteLength + table.profileStart.byteLength;
	for (const column of table.attributes) {
		bytes += column.kind === 'category' ? column.codes.byteLength : column.values.byteLength;
	}
	return bytes;
}

/** A growable typed array: amortised O(1) push without per-element objects. */
class Growable<T extends Float64Array | Uint32Array | Uint16Array | Int32Array> {
	private data: T;
	length = 0;

	constructor(private readonly make: (size: number) => T) {
		this.data = make(1024);
	}

	push(value: number): void {
		if (this.length === this.data.length) this.reserve(1);
		this.data[this.length++] = value;
	}

	/** Appends `source` (of the same kind), growing once. */
	append(source: ArrayLike<number>): void {
		this.reserve(source.length);
		this.data.set(source, this.length);
		this.length += source.length;
	}

	/** Appends codes of another dictionary as codes of this one (`remap[code]`; -1, no value, stays). */
	appendCodes(source: Uint32Array | Int32Array, remap: Uint32Array): void {
		this.reserve(source.length);
		const at = this.length;
		// Through a view of the same kind as the source, so the loop stays monomorphic.
		if (source instanceof Int32Array) remapCodes(new Int32Array(this.data.buffer, this.data.byteOffset + at * 4, source.length), source, remap);
		else remapCodes(new Uint32Array(this.data.buffer, this.data.byteOffset + at * 4, source.length), source, remap);
		this.length += source.length;
	}

	/**
	 * Room for `more` values past the filled part: exactly that when asked (a caller that knows
	 * how many are coming, which spares the copies and, in a fresh process, the page faults of
	 * every doubling on the way), else by doubling.
	 */
	reserve(more: number, exactly = false): void {
		const needed = this.length + more;
		if (needed <= this.data.length) return;
		let size = Math.max(1024, this.data.length);
		if (exactly) size = needed;
		while (size < needed) size *= 2;
		const bigger = this.make(size);
		bigger.set(this.data.subarray(0, this.length));
		this.data = bigger;
	}

	/** Whether the filled part is nearly all of the array (within 1/16): then a view of it wastes little. */
	get tight(): boolean {
		return this.data.length - this.length <= this.length / 16;
	}

	/** The filled part, without copying; valid until the next push or release. */
	view(): T {
		return this.data.subarray(0, this.length) as T;
	}

	release(): void {
		this.data = this.make(0);
		this.length = 0;
	}
}

/** target[i] = remap[source[i]], except -1 (no value), which stays. */
function remapCodes<A extends Int32Array | Uint32Array>(target: A, source: A, remap: Uint32Array): void {
	for (let i = 0; i < source.length; i++) {
		const code = source[i];
		target[i] = code < 0 ? code : remap[code];
	}
}

/** A string → code dictionary in order of first appearance. */
class Dictionary {
	readonly values: string[] = [];
	private readonly codes = new Map<string, number>();
	// Consecutive events often repeat a value (a profile's id, its email): compared before hashing.
	private last: string | undefined;
	private lastCode = -1;

	code(value: string, sliced = true): number {
		if (value === this.last) return this.lastCode;
		let code = this.codes.get(value);
		if (code === undefined) {
			code = this.values.length;
			// A copy: a value sliced out of a loader's text chunk would otherwise keep the whole chunk alive.
			const own = sliced ? (JSON.parse(JSON.stringify(value)) as string) : value;
			this.codes.set(own, code);
			this.values.push(own);
		}
		this.last = value;
		this.lastCode = code;
		return code;
	}

	/** Codes here of another dictionary's values, in its code order (adding the ones this one lacks). */
	absorb(values: readonly string[]): Uint32Array {
		const remap = new Uint32Array(values.length);
		// Another dictionary's values are its own copies already (a worker's, cloned into this thread).
		for (let i = 0; i < values.length; i++) remap[i] = this.code(values[i], false);
		return remap;
	}

	/** How many of `values` this dictionary lacks. */
	missing(values: readonly string[]): number {
		let count = 0;
		for (const value of values) if (!this.codes.has(value)) count++;
		return count;
	}

	/** Codes in arrival order → codes in sorted order, and the sorted values. */
	sorted(): { remap: Uint32Array; values: string[] } {
		// The default sort compares strings by code units, as compareStrings does, without calling back into JavaScript.
		const values = this.values.slice().sort();
		const remap = new Uint32Array(values.length);
		for (let code = 0; code < values.length; code++) remap[this.codes.get(values[code]) as number] = code;
		return { remap, values };
	}
}

/** Code-unit order, the same in every locale (localeCompare is not). */
export function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The events one builder collected, in arrival order with its own dictionary codes, for another
 * builder to append: a parallel load's second half. The arrays are views that can be transferred.
 */
export interface BuilderPart {
	readonly profiles: readonly string[];
	readonly profile: Uint32Array;
	readonly types: readonly string[];
	readonly type: Uint32Array;
	readonly time: Float64Array;
	readonly value: Float64Array;
	/** Per attribute spec: a category's dictionary and codes (-1: no value), or a number's values. */
	readonly attributes: readonly ({ readonly dictionary: readonly string[]; readonly codes: Int32Array } | { readonly values: Float64Array })[];
}

/** The buffers of a part's arrays, for postMessage's transfer list. */
export function partBuffers(part: BuilderPart): ArrayBuffer[] {
	const arrays: ArrayBufferView[] = [part.profile, part.type, part.time, part.value];
	for (const column of part.attributes) arrays.push('codes' in column ? column.codes : column.values);
	return arrays.map((array) => array.buffer as ArrayBuffer);
}

export interface BuildOptions {
	/** Drop events that repeat another's profile, time, type and value. */
	dropDuplicates?: boolean;
}

export interface BuildResult {
	table: EventTable;
	/** Events dropped as duplicates (0 unless dropDuplicates). */
	duplicatesDropped: number;
}

/**
 * Collects events one at a time and builds the sorted, canonical table.
 * Attribute values are passed in the order of the specs given to the constructor;
 * `undefined` (or an empty string, or NaN for numbers) means no value.
 */
export class EventTableBuilder {
	private readonly profiles = new Dictionary();
	private readonly typeNames = new Dictionary();
	private readonly profile = new Growable((n) => new Uint32Array(n));
	private readonly time = new Growable((n) => new Float64Array(n));
	private readonly type = new Growable((n) => new Uint32Array(n));
	private readonly value = new Growable((n) => new Float64Array(n));
	private readonly attributeCodes: Growable<Int32Array | Float64Array>[];
	private readonly attributeDictionaries: (Dictionary | undefined)[];
	private built = false;

	constructor(readonly attributeSpecs: readonly AttributeSpec[] = []) {
		this.attributeCodes = attributeSpecs.map((spec) =>
			spec.kind === 'number' ? new Growable<Float64Array>((n) => new Float64Array(n)) : new Growable<Int32Array>((n) => new Int32Array(n)),
		);
		this.attributeDictionaries = attributeSpecs.map((spec) => (spec.kind === 'number' ? undefined : new Dictionary()));
	}

	get length(): number {
		return this.time.length;
	}

	get profileCount(): number {
		return this.profiles.values.length;
	}

	get typeCount(): number {
		return this.typeNames.values.length;
	}

	/** Adds one event. The caller has already validated id, time and type. */
	add(profileId: string, timeMs: number, eventType: string, value: number, attributes?: readonly (string | number | undefined)[]): void {
		this.checkOpen();
		const typeCode = this.typeNames.code(eventType);
		if (typeCode >= maxEventTypes) {
			throw new RangeError(`More than ${maxEventTypes} distinct event types; map a coarser field to the event type.`);
		}
		this.profile.push(this.profiles.code(profileId));
		this.time.push(timeMs);
		this.type.push(typeCode);
		this.value.push(value);
		for (let column = 0; column < this.attributeSpecs.length; column++) {
			const raw = attributes?.[column];
			const dictionary = this.attributeDictionaries[column];
			if (dictionary) {
				const text = typeof raw === 'string' ? raw : raw === undefined ? '' : String(raw);
				this.attributeCodes[column].push(text === '' ? -1 : dictionary.code(text));
			} else {
				this.attributeCodes[column].push(typeof raw === 'number' ? raw : raw === undefined || raw === '' ? NaN : Number(raw));
			}
		}
	}

	/**
	 * Makes room for `events` more events in every column at once: a loader that can estimate
	 * its row count (from the file's size) calls it before adding. Room that is never filled
	 * costs address space, not memory, as the pages are never touched.
	 */
	reserve(events: number): void {
		this.checkOpen();
		if (!(events > 0)) return;
		const more = Math.min(Math.ceil(events), maxReservedEvents);
		for (const column of [this.profile, this.time, this.type, this.value, ...this.attributeCodes]) column.reserve(more, true);
	}

	/** Its arrays are released by build(): a builder serves one table. */
	private checkOpen(): void {
		if (this.built) throw new Error('This EventTableBuilder has already built its table; start a new builder for more events.');
	}

	/** The events collected so far, as views of the builder's arrays (valid until the next add). */
	part(): BuilderPart {
		return {
			profiles: this.profiles.values,
			profile: this.profile.view(),
			types: this.typeNames.values,
			type: this.type.view(),
			time: this.time.view(),
			value: this.value.view(),
			attributes: this.attributeSpecs.map((_spec, column) => {
				const dictionary = this.attributeDictionaries[column];
				const codes = this.attributeCodes[column].view();
				return dictionary ? { dictionary: dictionary.values, codes: codes as Int32Array } : { values: codes as Float64Array };
			}),
		};
	}

	/** Whether appending `part` would keep the event types within maxEventTypes. */
	canAppend(part: BuilderPart): boolean {
		return this.typeNames.values.length + this.typeNames.missing(part.types) <= maxEventTypes;
	}

	/**
	 * Appends another builder's events after the ones collected here, as if they had been added
	 * one by one in their order: same attribute specs, codes translated into this builder's
	 * dictionaries. The built table is the same as one builder's fed with every event.
	 */
	append(part: BuilderPart): void {
		this.checkOpen();
		if (!this.canAppend(part)) throw new RangeError(`More than ${maxEventTypes} distinct event types; map a coarser field to the event type.`);
		if (part.attributes.length !== this.attributeSpecs.length) throw new Error('appending events collected with other attributes');
		this.profile.appendCodes(part.profile, this.profiles.absorb(part.profiles));
		this.type.appendCodes(part.type, this.typeNames.absorb(part.types));
		this.time.append(part.time);
		this.value.append(part.value);
		part.attributes.forEach((column, index) => {
			const dictionary = this.attributeDictionaries[index];
			if ('codes' in column) {
				if (!dictionary) throw new Error(`attribute ${this.attributeSpecs[index].name} is a number here, a category in the part`);
				(this.attributeCodes[index] as Growable<Int32Array>).appendCodes(column.codes, dictionary.absorb(column.dictionary));
			} else {
				if (dictionary) throw new Error(`attribute ${this.attributeSpecs[index].name} is a category here, a number in the part`);
				(this.attributeCodes[index] as Growable<Float64Array>).append(column.values);
			}
		});
	}

	/** Sorts and freezes the collected events. The builder is spent afterwards: it refuses more events. */
	build(options: BuildOptions = {}): BuildResult {
		this.checkOpen();
		this.built = true;
		const profiles = this.profiles.sorted();
		const types = this.typeNames.sorted();
		const n = this.length;
		const profileOf = new Uint32Array(n);
		const typeOf = new Uint16Array(n);
		const arrivalProfile = this.profile.view();
		const arrivalType = this.type.view();
		for (let i = 0; i < n; i++) {
			profileOf[i] = profiles.remap[arrivalProfile[i]];
			typeOf[i] = types.remap[arrivalType[i]];
		}
		this.profile.release();
		this.type.release();
		// Views, not copies: the growing arrays are released once the sorted columns are gathered.
		const time = this.time.view();
		const value = this.value.view();

		const { order, profileStart } = sortByProfileThenTime(profileOf, time, typeOf, value, profiles.values.length);
		const keep = options.dropDuplicates ? duplicateMask(order, profileOf, time, typeOf, value) : undefined;
		const kept = keep ? countTrue(keep) : n;
		const finalStart = keep ? recountStarts(order, profileOf, keep, profiles.values.length) : profileStart;
		// Events that came nearly in the table's order (a file sorted by profile, then time, but for a
		// few ties) keep their arrays when these are nearly full: the few rows out of place are moved
		// in place instead of every row being gathered into new arrays.
		const displaced = keep ? undefined : displacedRows(order);

		const pick = <T extends Float64Array | Uint16Array | Int32Array>(source: T, make: (size: number) => T, tight = true): T => {
			if (displaced && tight) return moveDisplaced(source, displaced, order);
			const out = make(kept);
			let j = 0;
			for (let k = 0; k < n; k++) if (!keep || keep[k]) out[j++] = source[order[k]];
			return out;
		};

		const attributes: AttributeColumn[] = this.attributeSpecs.map((spec, column) => {
			const raw = this.attributeCodes[column].view();
			const tight = this.attributeCodes[column].tight;
			const dictionary = this.attributeDictionaries[column];
			let attribute: AttributeColumn;
			if (!dictionary) {
				attribute = { name: spec.name, kind: 'number', values: pick(raw as Float64Array, (s) => new Float64Array(s), tight) };
			} else {
				const sorted = dictionary.sorted();
				const codes =
					displaced && tight
						? moveDisplaced(remapInPlace(raw as Int32Array, sorted.remap), displaced, order)
						: pickCodes(raw as Int32Array, sorted.remap, order, keep, kept);
				attribute = { name: spec.name, kind: 'category', codes, dictionary: sorted.values };
			}
			this.attributeCodes[column].release();
			return attribute;
		});

		const sortedTime = pick(time, (s) => new Float64Array(s), this.time.tight);
		this.time.release();
		const sortedValue = pick(value, (s) => new Float64Array(s), this.value.tight);
		this.value.release();
		const table: EventTable = {
			length: kept,
			profileIds: profiles.values,
			profileStart: finalStart,
			time: sortedTime,
			type: pick(typeOf, (s) => new Uint16Array(s)),
			types: types.values,
			value: sortedValue,
			attributes,
		};
		return { table, duplicatesDropped: n - kept };
	}
}

/**
 * Counting sort by profile (profiles are dense codes), then a sort by time, type, value and
 * arrival inside each profile, which is short. Returns the row order and profile offsets.
 */
function sortByProfileThenTime(
	profileOf: Uint32Array,
	time: Float64Array,
	typeOf: Uint16Array,
	value: Float64Array,
	profiles: number,
): { order: Uint32Array; profileStart: Uint32Array } {
	const n = profileOf.length;
	const profileStart = new Uint32Array(profiles + 1);
	for (let i = 0; i < n; i++) profileStart[profileOf[i] + 1]++;
	for (let p = 0; p < profiles; p++) profileStart[p + 1] += profileStart[p];
	const next = profileStart.slice(0, profiles);
	const order = new Uint32Array(n);
	for (let i = 0; i < n; i++) order[next[profileOf[i]]++] = i;

	const compare = (a: number, b: number): number => time[a] - time[b] || typeOf[a] - typeOf[b] || compareValues(value[a], value[b]) || a - b;
	for (let p = 0; p < profiles; p++) {
		const start = profileStart[p];
		const end = profileStart[p + 1];
		if (end - start > 1 && !isSorted(order, start, end, compare)) {
			order.subarray(start, end).sort(compare);
		}
	}
	return { order, profileStart };
}

/** The rows k where order[k] is not k, when they are at most 1/16 of all; else undefined (gather them all). */
function displacedRows(order: Uint32Array): Uint32Array | undefined {
	const most = order.length >>> 4;
	const rows = new Uint32Array(most);
	let count = 0;
	for (let k = 0; k < order.length; k++) {
		if (order[k] === k) continue;
		if (count === most) return undefined;
		rows[count++] = k;
	}
	return rows.subarray(0, count);
}

/** column[k] = column[order[k]] for the displaced rows k (the others are in place already), in place. */
function moveDisplaced<T extends Float64Array | Uint16Array | Int32Array>(column: T, displaced: Uint32Array, order: Uint32Array): T {
	// Read every moved value before writing any: a row's old value may be another's new one. A double holds each kind exactly.
	const moved = new Float64Array(displaced.length);
	for (let j = 0; j < displaced.length; j++) moved[j] = column[order[displaced[j]]];
	for (let j = 0; j < displaced.length; j++) column[displaced[j]] = moved[j];
	return column;
}

/** Each code translated by `remap`, in place; -1 (no value) stays. */
function remapInPlace(codes: Int32Array, remap: Uint32Array): Int32Array {
	for (let i = 0; i < codes.length; i++) {
		const code = codes[i];
		if (code >= 0) codes[i] = remap[code];
	}
	return codes;
}

/** The codes in sorted row order (`order`, rows `keep` leaves in), each translated by `remap`; -1 (no value) stays. One pass, one new array. */
function pickCodes(codes: Int32Array, remap: Uint32Array, order: Uint32Array, keep: Uint8Array | undefined, kept: number): Int32Array {
	const out = new Int32Array(kept);
	let j = 0;
	for (let k = 0; k < order.length; k++) {
		if (keep && !keep[k]) continue;
		const code = codes[order[k]];
		out[j++] = code < 0 ? code : remap[code];
	}
	return out;
}

/** NaN (no value) sorts first, so duplicates without a value are adjacent. */
function compareValues(a: number, b: number): number {
	const aMissing = Number.isNaN(a);
	const bMissing = Number.isNaN(b);
	if (aMissing || bMissing) return aMissing === bMissing ? 0 : aMissing ? -1 : 1;
	return a - b;
}

function isSorted(order: Uint32Array, start: number, end: number, compare: (a: number, b: number) => number): boolean {
	for (let k = start + 1; k < end; k++) if (compare(order[k - 1], order[k]) > 0) return false;
	return true;
}

/** keep[k] is 0 for a sorted row equal to the previous one in profile, time, type and value. */
function duplicateMask(order: Uint32Array, profileOf: Uint32Array, time: Float64Array, typeOf: Uint16Array, value: Float64Array): Uint8Array {
	const keep = new Uint8Array(order.length).fill(1);
	for (let k = 1; k < order.length; k++) {
		const a = order[k - 1];
		const b = order[k];
		if (profileOf[a] === profileOf[b] && time[a] === time[b] && typeOf[a] === typeOf[b] && compareValues(value[a], value[b]) === 0) {
			keep[k] = 0;
		}
	}
	return keep;
}

function countTrue(mask: Uint8Array): number {
	let count = 0;
	for (let i = 0; i < mask.length; i++) count += mask[i];
	return count;
}

function recountStarts(order: Uint32Array, profileOf: Uint32Array, keep: Uint8Array, profiles: number): Uint32Array {
	const start = new Uint32Array(profiles + 1);
	for (let k = 0; k < order.length; k++) if (keep[k]) start[profileOf[order[k]] + 1]++;
	for (let p = 0; p < profiles; p++) start[p + 1] += start[p];
	return start;
}

/**
 * Whether an attribute holds at most one distinct value within each profile (email, country,
 * plan): such attributes describe the profile rather than the event, and travel with scores.
 */
export function isProfileAttribute(table: EventTable, column: AttributeColumn): boolean {
	const present = column.kind === 'category' ? (i: number) => column.codes[i] >= 0 : (i: number) => !Number.isNaN(column.values[i]);
	const same =
		column.kind === 'category'
			? (i: number, j: number) => column.codes[i] === column.codes[j]
			: (i: number, j: number) => column.values[i] === column.values[j];
	for (let p = 0; p < table.profileIds.length; p++) {
		let first = -1;
		for (let i = table.profileStart[p]; i < table.profileStart[p + 1]; i++) {
			if (!present(i)) continue;
			if (first < 0) first = i;
			else if (!same(first, i)) return false;
		}
	}
	return true;
}
