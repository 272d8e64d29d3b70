/**
 * The mapping from any record (a CSV row, an NDJSON line, a flow item, an SQL row, an XDM
 * ExperienceEvent) onto an event: field paths for profile id, time, type, value and
 * attributes, starting from a preset (`flat` or `xdm`) with single fields overridden.
 *
 * Paths are dot paths into nested JSON (`commerce.order.priceTotal`); a number picks an array
 * element (`productListItems.0.SKU`) and a name applied to an array reads it from every
 * element (`productListItems.SKU`). A record key that itself contains dots is tried first,
 * so flattened exports (`"web.webPageDetails.name"` as one CSV column) work as they are.
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { AttributeKind } from './table';
import { parseZone, type TimeUnit, type Zone } from './time';

export type PresetName = 'flat' | 'xdm';
export const presetNames: readonly PresetName[] = ['flat', 'xdm'];

export interface AttributeMapping {
	/** Field path of the attribute. */
	path: string;
	/** `category` (text, dictionary-coded; the default) or `number`. */
	kind?: AttributeKind;
}

/** How records become events. Every field is optional: the preset fills in the rest. */
export interface MappingOptions {
	/** The field layout to start from. Default: `xdm` when the first record has `identityMap` or `endUserIDs`, else `flat`. */
	preset?: PresetName;
	/** Path of the profile id. */
	id?: string;
	/** Path of the timestamp. */
	time?: string;
	/** Path of the event type. */
	type?: string;
	/** Path of the numeric value (revenue, quantity); `null` for none. */
	value?: string | null;
	/** Attribute name → path (a category) or `{ path, kind }`. Declaring any replaces the preset's attributes. */
	attributes?: Record<string, string | AttributeMapping>;
	/** XDM: the identity namespace of the profile id, e.g. `ECID`, `CRMID`, `Email`, `aaid`. Default: the first of ECID, CRMID, Email, or any present. */
	namespace?: string;
	/** Zone of timestamps written without one: `UTC` (default), an IANA name (`Europe/Paris`) or an offset (`+02:00`). */
	timeZone?: string;
	/** How numeric timestamps are read: `auto` (by magnitude: under 1e11 is seconds), `seconds` or `milliseconds`. */
	timeUnit?: TimeUnit;
}

const pathSchema = z.string().trim().min(1, 'a field path cannot be empty');

export const attributeMappingSchema = z.union([pathSchema, z.object({ path: pathSchema, kind: z.enum(['category', 'number']).optional() }).strict()]);

export const mappingOptionsShape = {
	preset: z.enum(['flat', 'xdm']).optional(),
	id: pathSchema.optional(),
	time: pathSchema.optional(),
	type: pathSchema.optional(),
	value: pathSchema.nullable().optional(),
	attributes: z.record(z.string().trim().min(1, 'an attribute name cannot be empty'), attributeMappingSchema).optional(),
	namespace: z.string().trim().min(1).optional(),
	timeZone: z.string().trim().min(1).optional(),
	timeUnit: z.enum(['auto', 'seconds', 'milliseconds']).optional(),
};

export const mappingOptionsSchema = z.object(mappingOptionsShape).strict();

/** A zod error as one sentence per problem, naming the option. */
export function describeIssues(error: z.ZodError, what: string): string {
	return error.issues.map((issue) => `${what}${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`).join('; ');
}

/** Validated mapping options, or an InputError naming the bad option. */
export function parseMappingOptions(input: unknown): MappingOptions {
	const parsed = mappingOptionsSchema.safeParse(input ?? {});
	if (!parsed.success) {
		throw new InputError(`The event mapping is not valid: ${describeIssues(parsed.error, 'mapping')}.`, 'bad-mapping');
	}
	return parsed.data;
}

/**
 * Reads the CLI's `--map` text, `id=PATH,time=PATH,type=PATH,value=PATH,attr.NAME=PATH`
 * (`attr.NAME:number=PATH` for a numeric attribute, `value=` for no value,
 * `namespace=NS` for the XDM identity), into mapping options.
 */
export function parseFieldMap(text: string): MappingOptions {
	const options: MappingOptions = {};
	for (const item of text.split(',')) {
		const entry = item.trim();
		if (entry === '') continue;
		const equals = entry.indexOf('=');
		if (equals <= 0) throw badFieldMap(entry, 'it has no "="');
		const key = entry.slice(0, equals).trim();
		const path = entry.slice(equals + 1).trim();
		if (key === 'value' && path === '') {
			options.value = null;
			continue;
		}
		if (path === '') throw badFieldMap(entry, 'the path after "=" is empty');
		if (key === 'id' || key === 'time' || key === 'type' || key === 'value' || key === 'namespace') {
			options[key] = path;
		} else if (key.startsWith('attr.')) {
			const [name, kind = 'category'] = key.slice(5).split(':');
			if (!name) throw badFieldMap(entry, 'the attribute has no name');
			if (kind !== 'category' && kind !== 'number') throw badFieldMap(entry, `"${kind}" is not an attribute kind (category or number)`);
			options.attributes = { ...options.attributes, [name]: { path, kind } };
		} else {
			throw badFieldMap(entry, `"${key}" is not one of id, time, type, value, namespace or attr.NAME`);
		}
	}
	return options;
}

function badFieldMap(entry: string, why: string): InputError {
	return new InputError(
		`The field map entry "${entry}" is not valid: ${why}. Write it as id=PATH,time=PATH,type=PATH,value=PATH,attr.NAME=PATH (attr.NAME:number=PATH for a number).`,
		'bad-mapping',
	);
}

/** Reads one field of a record; undefined when absent. */
export type Getter = (record: unknown) => unknown;

/** The mapping as it was applied, for the load report. */
export interface ResolvedMapping {
	preset: PresetName;
	id: string;
	time: string;
	type: string;
	value: string | null;
	attributes: { name: string; path: string; kind: AttributeKind }[];
	namespace: string | null;
	timeZone: string;
	timeUnit: TimeUnit;
}

/** A mapping compiled for the records of one source. */
export interface Mapper {
	readonly resolved: ResolvedMapping;
	readonly id: Getter;
	readonly time: Getter;
	readonly type: Getter;
	readonly value: Getter | undefined;
	readonly attributes: readonly { name: string; path: string; kind: AttributeKind; get: Getter; declared: boolean }[];
	readonly zone: Zone;
	readonly timeUnit: TimeUnit;
	/** Turns a CSV row into the record the getters read (only for XDM over CSV: the row, unflattened). */
	readonly prepare?: (fields: readonly string[]) => unknown;
}

/** What a loader knows of its records before the first event: CSV's header, or the first records (up to `sampleRecords`). */
export type RecordShape = { kind: 'columns'; header: readonly string[] } | { kind: 'objects'; sample: readonly unknown[] };

/** Records looked at before mapping objects: the flat preset's attributes are the scalar fields seen in them. */
export const sampleRecords = 1000;

const flatDefaults = { id: 'customer_id', time: 'timestamp', type: 'event_type', value: 'value' };

/** The XDM preset's attributes, kept when at least one event has a value for them. */
export const xdmAttributePaths = [
	'marketing.campaignName',
	'marketing.campaignGroup',
	'marketing.trackingCode',
	'channel._type',
	'channel.mediaType',
	'channel.mediaAction',
	'web.webPageDetails.name',
	'productListItems.SKU',
	'productListItems.productCategories.categoryID',
	'application.name',
	'search.keywords',
	'device.type',
	'environment.type',
	'placeContext.geo.countryCode',
];

const xdmIdPreference = ['ecid', 'crmid', 'email'];

/** Event type given to XDM events that carry an order (`commerce.order.purchaseID`). */
export const xdmOrderType = 'commerce.purchases';

/** XDM measures that name an event when `eventType` is missing, in order of precedence. */
const xdmMeasureTypes: [string, string][] = [
	['commerce.productListAdds.value', 'commerce.productListAdds'],
	['commerce.checkouts.value', 'commerce.checkouts'],
	['commerce.productListRemovals.value', 'commerce.productListRemovals'],
	['commerce.productListOpens.value', 'commerce.productListOpens'],
	['commerce.productViews.value', 'commerce.productViews'],
	['commerce.productListViews.value', 'commerce.productListViews'],
	['commerce.saveForLaters.value', 'commerce.saveForLaters'],
	['application.launches.value', 'application.launch'],
	['web.webPageDetails.pageViews.value', 'web.webpagedetails.pageViews'],
];

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null;
}

/** Walks `segments` from `node`; a name applied to an array collects it from every element. */
function walk(node: unknown, segments: readonly string[], from: number): unknown {
	for (let i = from; i < segments.length; i++) {
		if (!isRecord(node)) return undefined;
		if (Array.isArray(node)) {
			const segment = segments[i];
			if (/^\d+$/.test(segment)) {
				node = node[Number(segment)];
				continue;
			}
			const values: unknown[] = [];
			for (const element of node) {
				const found = walk(element, segments, i);
				if (Array.isArray(found)) values.push(...found);
				else if (found !== undefined && found !== null) values.push(found);
			}
			return values;
		}
		node = node[segments[i]];
	}
	return node;
}

/** A getter for a dot path into objects; a key equal to the whole path is tried first. */
export function pathGetter(path: string): Getter {
	const segments = path.split('.');
	if (segments.length === 1) return (record) => (isRecord(record) ? record[path] : undefined);
	return (record) => {
		if (!isRecord(record)) return undefined;
		const literal = record[path];
		return literal !== undefined ? literal : walk(record, segments, 0);
	};
}

/** Rebuilds nested objects from dotted column names (`a.b.c`), for XDM exported as CSV. */
function unflattener(header: readonly string[]): (fields: readonly string[]) => unknown {
	const paths = header.map((name) => name.split('.'));
	return (fields) => {
		const root: Record<string, unknown> = {};
		paths.forEach((segments, column) => {
			const value = fields[column];
			if (value === undefined || value === '') return;
			let node = root;
			for (let i = 0; i < segments.length - 1; i++) {
				const next = node[segments[i]];
				node = (isRecord(next) ? next : (node[segments[i]] = {})) as Record<string, unknown>;
			}
			node[segments[segments.length - 1]] = value;
		});
		return root;
	};
}

/** The key of `object` equal to `name` ignoring case, or undefined. */
function keyLike(object: Record<string, unknown>, name: string): string | undefined {
	if (name in object) return name;
	const lower = name.toLowerCase();
	return Object.keys(object).find((key) => key.toLowerCase() === lower);
}

/** endUserIDs._experience names some namespaces its own way: the ECID as mcid, the email as emailid. */
const endUserIdAliases: Record<string, string> = { ecid: 'mcid', email: 'emailid' };

/** The id of namespace `name` in an XDM identityMap (primary first) or in endUserIDs._experience. */
function xdmIdentity(record: unknown, name: string): unknown {
	if (!isRecord(record)) return undefined;
	const map = record.identityMap;
	if (isRecord(map)) {
		const key = keyLike(map, name);
		if (key !== undefined) {
			const entries = Array.isArray(map[key]) ? (map[key] as unknown[]) : isRecord(map[key]) ? Object.values(map[key]) : [];
			const primary = entries.find((entry) => isRecord(entry) && entry.primary === true) ?? entries[0];
			if (isRecord(primary) && primary.id !== undefined && primary.id !== '') return primary.id;
		}
	}
	const experience = walk(record, ['endUserIDs', '_experience'], 0);
	if (isRecord(experience)) {
		const alias = endUserIdAliases[name.toLowerCase()];
		const key = keyLike(experience, name) ?? (alias !== undefined ? keyLike(experience, alias) : undefined);
		const entry = key === undefined ? undefined : experience[key];
		if (isRecord(entry) && entry.id !== undefined && entry.id !== '') return entry.id;
	}
	return undefined;
}

/** The namespaces present in a record's identityMap and endUserIDs._experience, in that order. */
function xdmNamespaces(record: unknown): string[] {
	if (!isRecord(record)) return [];
	const names: string[] = [];
	if (isRecord(record.identityMap)) names.push(...Object.keys(record.identityMap));
	const experience = walk(record, ['endUserIDs', '_experience'], 0);
	if (isRecord(experience)) names.push(...Object.keys(experience));
	return names;
}

/** The profile id by the default preference: ECID, then CRMID, then Email, then any namespace present. */
function xdmDefaultIdentity(record: unknown): unknown {
	for (const name of xdmIdPreference) {
		const id = xdmIdentity(record, name);
		if (id !== undefined) return id;
	}
	for (const name of xdmNamespaces(record)) {
		const id = xdmIdentity(record, name);
		if (id !== undefined) return id;
	}
	return undefined;
}

const purchaseId = pathGetter('commerce.order.purchaseID');
const purchases = pathGetter('commerce.purchases.value');
const eventType = pathGetter('eventType');
const orderTotal = pathGetter('commerce.order.priceTotal');
const itemTotals = pathGetter('productListItems.priceTotal');
const measureGetters = xdmMeasureTypes.map(([path, type]) => [pathGetter(path), type] as const);

function present(value: unknown): boolean {
	return value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);
}

function isOrder(record: unknown): boolean {
	const count = purchases(record);
	return present(purchaseId(record)) || (typeof count === 'number' && count > 0) || (typeof count === 'string' && Number(count) > 0);
}

/** XDM event type: orders are `commerce.purchases` whatever eventType says; else eventType; else the measure set. */
function xdmType(record: unknown): unknown {
	if (isOrder(record)) return xdmOrderType;
	const declared = eventType(record);
	if (present(declared)) return declared;
	for (const [get, type] of measureGetters) {
		const count = get(record);
		if ((typeof count === 'number' && count > 0) || (typeof count === 'string' && Number(count) > 0)) return type;
	}
	return undefined;
}

/** XDM value: the order total, or for an order without one the sum of its items' totals. */
function xdmValue(record: unknown): unknown {
	const total = orderTotal(record);
	if (present(total)) return total;
	return isOrder(record) ? itemTotals(record) : undefined;
}

/** The preset to use: the declared one, or xdm when the data looks like XDM. */
export function choosePreset(options: MappingOptions, shape: RecordShape): PresetName {
	if (options.preset) return options.preset;
	if (shape.kind === 'columns') {
		return shape.header.some((name) => name.startsWith('identityMap.') || name.startsWith('endUserIDs.')) ? 'xdm' : 'flat';
	}
	const first = shape.sample[0];
	return isRecord(first) && (isRecord(first.identityMap) || isRecord(first.endUserIDs)) ? 'xdm' : 'flat';
}

function normaliseAttributes(declared: MappingOptions['attributes']): { name: string; path: string; kind: AttributeKind }[] {
	return Object.entries(declared ?? {}).map(([name, spec]) =>
		typeof spec === 'string' ? { name, path: spec, kind: 'category' } : { name, path: spec.path, kind: spec.kind ?? 'category' },
	);
}

/**
 * The flat preset's attributes: CSV's columns, or the top-level fields of the first records
 * that hold a scalar (never an object or array), in order of first appearance; fields mapped
 * to id, time, type or value are left out.
 */
function inferredAttributes(shape: RecordShape, used: readonly (string | null)[]): { name: string; path: string; kind: AttributeKind }[] {
	let names: string[];
	if (shape.kind === 'columns') names = [...shape.header];
	else {
		const scalar = new Map<string, boolean>();
		for (const record of shape.sample) {
			if (!isRecord(record) || Array.isArray(record)) continue;
			for (const key of Object.keys(record)) {
				const value = record[key];
				const isScalar =
					value === null || value === undefined || ['string', 'number', 'boolean', 'bigint'].includes(typeof value) || value instanceof Date;
				scalar.set(key, (scalar.get(key) ?? true) && isScalar);
			}
		}
		names = [...scalar].filter(([, isScalar]) => isScalar).map(([key]) => key);
	}
	return names.filter((name) => name !== '' && !used.includes(name)).map((name) => ({ name, path: name, kind: 'category' as const }));
}

/**
 * Compiles the mapping for a source whose records have `shape`. Throws an InputError when a
 * CSV lacks a column the mapping needs, naming the columns it has and the fix.
 */
export function compileMapping(input: MappingOptions, shape: RecordShape): Mapper {
	const options = parseMappingOptions(input);
	const preset = choosePreset(options, shape);
	const zone = parseZone(options.timeZone);
	const timeUnit = options.timeUnit ?? 'auto';
	const xdm = preset === 'xdm';
	const id = options.id ?? (xdm ? null : flatDefaults.id);
	const time = options.time ?? (xdm ? 'timestamp' : flatDefaults.time);
	const type = options.type ?? (xdm ? null : flatDefaults.type);
	const value = options.value === null ? null : (options.value ?? (xdm ? null : flatDefaults.value));

	// Over CSV the flat preset reads columns by index; everything else reads objects by path.
	const byColumn = shape.kind === 'columns' && !xdm;
	const header = shape.kind === 'columns' ? shape.header : [];
	const getter = (path: string, role: string, required: boolean): Getter | undefined => {
		// "=order": one event type for every record, for a file of one kind of event (a list of orders).
		if (role === 'event type' && path.startsWith('=') && path.length > 1) return () => path.slice(1);
		if (!byColumn) return pathGetter(path);
		const column = header.indexOf(path);
		if (column >= 0) return (fields) => (fields as readonly string[])[column];
		if (!required) return undefined;
		throw new InputError(
			`The events have no column "${path}" for the ${role}. Their columns are: ${header.join(', ')}. Map the ${role} to one of them (CLI: --map ${roleKey(role)}=COLUMN)${role === 'event type' ? ', or give every row the same type (CLI: --map type==order, for a file of orders)' : ''}.`,
			'missing-column',
		);
	};

	const declared = options.attributes !== undefined;
	const attributeSpecs = declared
		? normaliseAttributes(options.attributes)
		: xdm
			? [
					...xdmAttributePaths.map((path) => ({ name: path, path, kind: 'category' as const })),
					{ name: 'email', path: 'identityMap.Email', kind: 'category' as const },
				]
			: inferredAttributes(shape, [id, time, type, value]);
	const attributes = attributeSpecs.map((spec) => {
		const get =
			!declared && xdm && spec.name === 'email' ? (record: unknown) => xdmIdentity(record, 'Email') : getter(spec.path, `attribute "${spec.name}"`, true);
		return { ...spec, get: get as Getter, declared };
	});

	const namespace = xdm && id === null ? (options.namespace ?? null) : null;
	const valueGetter = value !== null ? getter(value, 'value', options.value !== undefined) : xdm && options.value !== null ? xdmValue : undefined;
	const idGetter =
		id !== null ? getter(id, 'profile id', true) : namespace !== null ? (record: unknown) => xdmIdentity(record, namespace) : xdmDefaultIdentity;
	return {
		resolved: {
			preset,
			id:
				id ??
				(namespace !== null
					? `identityMap.${namespace} | endUserIDs._experience.${namespace}.id`
					: 'identityMap (ECID, CRMID, Email, any) | endUserIDs._experience.<namespace>.id'),
			time,
			type: type ?? `${xdmOrderType} when commerce.order.purchaseID, else eventType`,
			value: valueGetter === undefined ? null : (value ?? 'commerce.order.priceTotal, else the sum of productListItems.priceTotal for an order'),
			attributes: attributeSpecs,
			namespace,
			timeZone: zone.name,
			timeUnit,
		},
		id: idGetter as Getter,
		time: getter(time, 'timestamp', true) as Getter,
		type: (type !== null ? getter(type, 'event type', true) : xdmType) as Getter,
		value: valueGetter,
		attributes,
		zone,
		timeUnit,
		prepare: shape.kind === 'columns' && xdm ? unflattener(shape.header) : undefined,
	};
}

function roleKey(role: string): string {
	if (role === 'profile id') return 'id';
	if (role === 'timestamp') return 'time';
	if (role === 'event type') return 'type';
	if (role === 'value') return 'value';
	return `attr.${role.replace(/^attribute "(.*)"$/, '$1')}`;
}
