/**
 * The EventTable as bytes, for passing it between n8n nodes (binary data), caching it on
 * disk or storing it. Layout, all little-endian:
 *
 *   0  magic "PRPEVTBL" (8 bytes)       16  CRC-32 of every byte from 32 to the end
 *   8  format version (u32)             20  reserved, 0 (u32)
 *  12  header length in bytes (u32)     24  total length in bytes (f64)
 *  32  header: UTF-8 JSON (counts, profile ids, type names, attribute names, kinds and
 *      dictionaries, and where each section lies), padded to 8 bytes
 *      sections: profileStart (u32), time (f64), type (u16), value (f64), then one per
 *      attribute (i32 codes or f64 values), each starting on an 8-byte boundary
 *
 * The numbers are stored as they sit in memory, so encoding and decoding are copies. A reader
 * refuses a wrong magic number, a newer version, a failed checksum or an inconsistent table.
 */
import zlib from 'node:zlib';
import { z } from 'zod';
import { InputError } from '../errors';
import type { AttributeColumn, EventTable } from './table';

const magic = 'PRPEVTBL';
export const eventTableFormatVersion = 1;
const preambleBytes = 32;

type SectionType = 'u16' | 'u32' | 'i32' | 'f64';
type NumberArray = Uint16Array | Uint32Array | Int32Array | Float64Array;

const sectionSchema = z.object({ type: z.enum(['u16', 'u32', 'i32', 'f64']), offset: z.number().int().min(0), count: z.number().int().min(0) }).strict();

const headerSchema = z
	.object({
		events: z.number().int().min(0),
		profileIds: z.array(z.string()),
		types: z.array(z.string()),
		attributes: z.array(
			z.discriminatedUnion('kind', [
				z.object({ name: z.string(), kind: z.literal('category'), dictionary: z.array(z.string()), section: sectionSchema }).strict(),
				z.object({ name: z.string(), kind: z.literal('number'), section: sectionSchema }).strict(),
			]),
		),
		profileStart: sectionSchema,
		time: sectionSchema,
		type: sectionSchema,
		value: sectionSchema,
	})
	.strict();

type Section = z.infer<typeof sectionSchema>;

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const elementBytes: Record<SectionType, number> = { u16: 2, u32: 4, i32: 4, f64: 8 };

function align8(n: number): number {
	return Math.ceil(n / 8) * 8;
}

function sectionTypeOf(array: NumberArray): SectionType {
	if (array instanceof Uint16Array) return 'u16';
	if (array instanceof Uint32Array) return 'u32';
	if (array instanceof Int32Array) return 'i32';
	return 'f64';
}

/** Copies a typed array into `out` at `offset`, little-endian whatever the machine. */
function writeArray(out: Uint8Array, offset: number, array: NumberArray): void {
	if (littleEndian) {
		out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), offset);
		return;
	}
	const view = new DataView(out.buffer, out.byteOffset + offset, array.byteLength);
	const type = sectionTypeOf(array);
	for (let i = 0; i < array.length; i++) {
		if (type === 'u16') view.setUint16(i * 2, array[i], true);
		else if (type === 'u32') view.setUint32(i * 4, array[i], true);
		else if (type === 'i32') view.setInt32(i * 4, array[i], true);
		else view.setFloat64(i * 8, array[i], true);
	}
}

/** Encodes the table in the binary form described above (format version 1). */
export function encodeEventTable(table: EventTable): Uint8Array {
	const arrays: NumberArray[] = [table.profileStart, table.time, table.type, table.value];
	for (const column of table.attributes) arrays.push(column.kind === 'category' ? column.codes : column.values);
	let offset = 0;
	const sections: Section[] = arrays.map((array) => {
		const section = { type: sectionTypeOf(array), offset, count: array.length };
		offset = align8(offset + array.byteLength);
		return section;
	});
	const header = {
		events: table.length,
		profileIds: table.profileIds,
		types: table.types,
		attributes: table.attributes.map((column, a) =>
			column.kind === 'category'
				? { name: column.name, kind: column.kind, dictionary: column.dictionary, section: sections[4 + a] }
				: { name: column.name, kind: column.kind, section: sections[4 + a] },
		),
		profileStart: sections[0],
		time: sections[1],
		type: sections[2],
		value: sections[3],
	};
	const headerBytes = new TextEncoder().encode(JSON.stringify(header));
	const dataStart = align8(preambleBytes + headerBytes.length);
	const total = dataStart + offset;
	const out = new Uint8Array(total);
	out.set(new TextEncoder().encode(magic), 0);
	const view = new DataView(out.buffer);
	view.setUint32(8, eventTableFormatVersion, true);
	view.setUint32(12, headerBytes.length, true);
	view.setFloat64(24, total, true);
	out.set(headerBytes, preambleBytes);
	arrays.forEach((array, i) => writeArray(out, dataStart + sections[i].offset, array));
	view.setUint32(16, zlib.crc32(out.subarray(preambleBytes)), true);
	return out;
}

function refuse(why: string, fix = 'Load the events again to rebuild the table.'): InputError {
	return new InputError(`This is not a usable Propensity event table: ${why}. ${fix}`, 'bad-event-table');
}

/** A typed array read from its section, as a copy owned by the table. */
function readArray(bytes: Uint8Array, dataStart: number, section: Section, expected: SectionType, what: string): NumberArray {
	if (section.type !== expected) throw refuse(`the ${what} section holds ${section.type} numbers instead of ${expected}`);
	const start = dataStart + section.offset;
	const length = section.count * elementBytes[expected];
	if (section.offset % 8 !== 0 || start + length > bytes.length) throw refuse(`the ${what} section lies outside the data`);
	const copy = new Uint8Array(length);
	copy.set(bytes.subarray(start, start + length));
	const make = { u16: Uint16Array, u32: Uint32Array, i32: Int32Array, f64: Float64Array }[expected];
	if (littleEndian) return new make(copy.buffer);
	const view = new DataView(copy.buffer);
	const array = new make(section.count);
	for (let i = 0; i < section.count; i++) {
		array[i] =
			expected === 'u16'
				? view.getUint16(i * 2, true)
				: expected === 'u32'
					? view.getUint32(i * 4, true)
					: expected === 'i32'
						? view.getInt32(i * 4, true)
						: view.getFloat64(i * 8, true);
	}
	return array;
}

/**
 * Decodes bytes written by encodeEventTable. Refuses, with an InputError that says why, bytes
 * that are not an event table, a version this package does not read, a damaged payload
 * (checksum) or a table whose parts do not fit together.
 */
export function decodeEventTable(bytes: Uint8Array): EventTable {
	if (!(bytes instanceof Uint8Array)) throw refuse('the input is not binary data', 'Pass the bytes of an encoded event table.');
	if (bytes.length < preambleBytes || new TextDecoder().decode(bytes.subarray(0, 8)) !== magic) {
		throw refuse(
			'it does not start with the event table signature (PRPEVTBL)',
			'Pass the binary output of Load Events (or of encodeEventTable), not another file.',
		);
	}
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const version = view.getUint32(8, true);
	if (version !== eventTableFormatVersion) {
		throw refuse(
			`it is in format version ${version}, and this version of the package reads version ${eventTableFormatVersion}`,
			version > eventTableFormatVersion
				? 'Update n8n-nodes-propensity to read it, or load the events again with this version.'
				: 'Load the events again with this version.',
		);
	}
	const total = view.getFloat64(24, true);
	if (total !== bytes.length) throw refuse(`it should be ${total} bytes long but is ${bytes.length} (cut short or padded)`);
	if (zlib.crc32(bytes.subarray(preambleBytes)) !== view.getUint32(16, true)) throw refuse('its checksum does not match, so the bytes were damaged');
	const headerLength = view.getUint32(12, true);
	if (preambleBytes + headerLength > bytes.length) throw refuse('its header runs past the end');
	let header: z.infer<typeof headerSchema>;
	try {
		header = headerSchema.parse(JSON.parse(new TextDecoder().decode(bytes.subarray(preambleBytes, preambleBytes + headerLength))));
	} catch (error) {
		throw refuse(`its header cannot be read (${(error as Error).message.slice(0, 200)})`);
	}
	const dataStart = align8(preambleBytes + headerLength);
	const n = header.events;
	const profiles = header.profileIds.length;
	const counts: [Section, number, string][] = [
		[header.profileStart, profiles + 1, 'profileStart'],
		[header.time, n, 'time'],
		[header.type, n, 'type'],
		[header.value, n, 'value'],
		...header.attributes.map((attribute): [Section, number, string] => [attribute.section, n, `attribute ${attribute.name}`]),
	];
	for (const [section, count, what] of counts)
		if (section.count !== count) throw refuse(`the ${what} section has ${section.count} entries instead of ${count}`);

	const profileStart = readArray(bytes, dataStart, header.profileStart, 'u32', 'profileStart') as Uint32Array;
	if (profileStart[0] !== 0 || profileStart[profiles] !== n) throw refuse('the profile offsets do not cover the events');
	for (let p = 0; p < profiles; p++) if (profileStart[p + 1] < profileStart[p]) throw refuse('the profile offsets go backwards');
	const type = readArray(bytes, dataStart, header.type, 'u16', 'type') as Uint16Array;
	for (let i = 0; i < n; i++) if (type[i] >= header.types.length) throw refuse(`event ${i} has an event type code with no name`);
	const attributes: AttributeColumn[] = header.attributes.map((attribute) => {
		if (attribute.kind === 'number')
			return {
				name: attribute.name,
				kind: 'number',
				values: readArray(bytes, dataStart, attribute.section, 'f64', `attribute ${attribute.name}`) as Float64Array,
			};
		const codes = readArray(bytes, dataStart, attribute.section, 'i32', `attribute ${attribute.name}`) as Int32Array;
		const size = attribute.dictionary.length;
		for (let i = 0; i < n; i++)
			if (codes[i] < -1 || codes[i] >= size) throw refuse(`event ${i} has a value code with no value in attribute ${attribute.name}`);
		return { name: attribute.name, kind: 'category', codes, dictionary: attribute.dictionary };
	});
	return {
		length: n,
		profileIds: header.profileIds,
		profileStart,
		time: readArray(bytes, dataStart, header.time, 'f64', 'time') as Float64Array,
		type,
		types: header.types,
		value: readArray(bytes, dataStart, header.value, 'f64', 'value') as Float64Array,
		attributes,
	};
}
