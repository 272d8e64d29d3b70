/**
 * A warehouse source: a reference to a table of events (connection, table, column mapping),
 * never loaded data. Written as a URL,
 *   postgres://USER@HOST:PORT/DATABASE?table=SCHEMA.TABLE
 *   clickhouse://USER@HOST:PORT/DATABASE?table=TABLE   (the HTTP port)
 * with the password in the URL or in PROPENSITY_WAREHOUSE_PASSWORD. The password is never
 * part of a message: `describe` names engine, user, host, port, database and table only.
 */
import { InputError } from '../errors';
import type { MappingOptions } from '../events/mapping';
import { type EventColumns } from './columns';
import { type Dialect, type Engine, dialectOf, quoteName } from './dialect';

export interface WarehouseSource {
	readonly engine: Engine;
	readonly host: string;
	readonly port: number;
	readonly user: string;
	readonly password: string;
	readonly database: string;
	/** PostgreSQL: the schema (default public). */
	readonly schema?: string;
	readonly table: string;
}

export const passwordVariable = 'PROPENSITY_WAREHOUSE_PASSWORD';

/** True for text that names a warehouse table rather than a file. */
export function isWarehouseUrl(text: string): boolean {
	return /^(postgres|postgresql|clickhouse):\/\//i.test(text.trim());
}

function badUrl(why: string): InputError {
	return new InputError(
		`The warehouse address is not valid: ${why}. Write postgres://USER@HOST:PORT/DATABASE?table=SCHEMA.TABLE or clickhouse://USER@HOST:PORT/DATABASE?table=TABLE (the password in the URL or in ${passwordVariable}).`,
		'bad-warehouse-url',
	);
}

/** Parses a warehouse URL; the password comes from it or from the environment. */
export function parseWarehouseUrl(text: string, env: Record<string, string | undefined> = process.env): WarehouseSource {
	let url: URL;
	try {
		url = new URL(text.trim());
	} catch {
		throw badUrl('it is not a URL');
	}
	const scheme = url.protocol.replace(/:$/, '').toLowerCase();
	const engine: Engine | undefined = scheme === 'postgres' || scheme === 'postgresql' ? 'postgres' : scheme === 'clickhouse' ? 'clickhouse' : undefined;
	if (!engine) throw badUrl(`"${scheme}" is not postgres or clickhouse`);
	if (!url.hostname) throw badUrl('it names no host');
	const user = decodeURIComponent(url.username);
	if (!user) throw badUrl('it names no user (USER@HOST)');
	const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
	if (!database || database.includes('/')) throw badUrl('it names no database (/DATABASE after the port)');
	const tableParam = url.searchParams.get('table');
	if (!tableParam) throw badUrl('it names no table (?table=…)');
	for (const key of url.searchParams.keys()) if (key !== 'table') throw badUrl(`"${key}" is not a setting it takes (only table)`);
	const parts = tableParam.split('.');
	if (parts.length > 2 || (engine === 'clickhouse' && parts.length > 1))
		throw badUrl(`the table "${tableParam}" should be ${engine === 'postgres' ? 'SCHEMA.TABLE or TABLE' : 'TABLE (the database is in the path)'}`);
	const [schema, table] = parts.length === 2 ? parts : [engine === 'postgres' ? 'public' : undefined, parts[0]];
	const port = url.port ? Number(url.port) : engine === 'postgres' ? 5432 : 8123;
	const password = url.password ? decodeURIComponent(url.password) : (env[passwordVariable] ?? '');
	const source: WarehouseSource = { engine, host: url.hostname.replace(/^\[|\]$/g, ''), port, user, password, database, schema, table };
	// Names are checked now, so a bad one is refused before connecting.
	const dialect = dialectOf(engine);
	for (const name of [database, schema, table]) if (name !== undefined) quoteName(dialect, name);
	return source;
}

/** Where the events are, for messages and reports: never the password. */
export function describeSource(source: WarehouseSource): string {
	const table = source.schema ? `${source.schema}.${source.table}` : source.table;
	return `${source.engine}://${source.user}@${source.host}:${source.port}/${source.database}?table=${table}`;
}

/** The table's columns and their types, as the warehouse reports them. */
export interface ColumnType {
	readonly name: string;
	readonly type: string;
}

/** What a column type can hold, for the roles it may play. */
type TypeClass = 'text' | 'number' | 'integer' | 'datetime' | 'date' | 'other';

function typeClass(dialect: Dialect, raw: string): TypeClass {
	let type = raw.toLowerCase();
	if (dialect.engine === 'clickhouse') {
		type = type.replace(/^(nullable|lowcardinality)\((.*)\)$/, '$2').replace(/^(nullable|lowcardinality)\((.*)\)$/, '$2');
		if (type === 'string' || type.startsWith('fixedstring')) return 'text';
		if (/^u?int\d+$/.test(type)) return 'integer';
		if (/^float\d+$/.test(type) || type.startsWith('decimal')) return 'number';
		if (type.startsWith('datetime')) return 'datetime';
		if (type === 'date') return 'date';
		return 'other';
	}
	if (['text', 'character varying', 'character', 'uuid'].includes(type)) return 'text';
	if (['smallint', 'integer', 'bigint'].includes(type)) return 'integer';
	if (['real', 'double precision', 'numeric'].includes(type)) return 'number';
	if (type.startsWith('timestamp')) return 'datetime';
	if (type === 'date') return 'date';
	return 'other';
}

/** Flat names by default, as for files. */
const defaults = { id: 'customer_id', time: 'timestamp', type: 'event_type', value: 'value' };

/**
 * Maps the table's columns to roles (the mapping as for files: id, time, type, value,
 * attr.NAME) and writes each as a SQL expression; every other column of a text or number
 * type is an attribute. Throws InputError for a missing column or a column of the wrong type.
 */
export function eventColumns(source: WarehouseSource, columnTypes: readonly ColumnType[], mapping: MappingOptions = {}): EventColumns {
	const dialect = dialectOf(source.engine);
	const where = describeSource(source);
	if (columnTypes.length === 0) {
		throw new InputError(
			`The table ${where} does not exist or has no columns the user may read. Check the table name (?table=…) and the user's rights.`,
			'warehouse-no-table',
		);
	}
	const byName = new Map(columnTypes.map((column) => [column.name, column]));
	const roleColumn = (role: string, key: 'id' | 'time' | 'type' | 'value'): ColumnType | undefined => {
		const name = mapping[key] ?? defaults[key];
		const column = byName.get(name);
		if (!column && (key !== 'value' || mapping.value !== undefined)) {
			throw new InputError(
				`The table ${where} has no column "${name}" for the ${role}. Its columns are: ${columnTypes.map((c) => c.name).join(', ')}. Map the ${role} to one of them (CLI: --map ${key}=COLUMN).`,
				'warehouse-no-column',
			);
		}
		if (column) quoteName(dialect, column.name);
		return column;
	};
	const wrongType = (column: ColumnType, role: string, wanted: string) =>
		new InputError(
			`The column "${column.name}" of ${where} is of type ${column.type}, which cannot be the ${role}: it needs ${wanted}.`,
			'warehouse-column-type',
		);
	const q = (column: ColumnType) => quoteName(dialect, column.name);

	const id = roleColumn('profile id', 'id') as ColumnType;
	const idClass = typeClass(dialect, id.type);
	if (idClass !== 'text' && idClass !== 'integer') throw wrongType(id, 'profile id', 'text or whole numbers');
	const time = roleColumn('event time', 'time') as ColumnType;
	const type = roleColumn('event type', 'type') as ColumnType;
	if (typeClass(dialect, type.type) !== 'text') throw wrongType(type, 'event type', 'text');
	const value = mapping.value === null ? undefined : roleColumn('value', 'value');
	if (value && !['number', 'integer'].includes(typeClass(dialect, value.type))) throw wrongType(value, 'value', 'numbers');

	const profile = idClass === 'text' ? q(id) : dialect.engine === 'postgres' ? `(${q(id)})::text` : `toString(${q(id)})`;
	const timeMs = timeExpr(dialect, time, typeClass(dialect, time.type), () => wrongType(time, 'event time', 'a date-time, a date or ISO 8601 text'));
	const eventType = q(type);
	const number = (column: ColumnType) => (dialect.engine === 'postgres' ? `(${q(column)})::float8` : `toFloat64(${q(column)})`);
	const used = new Set([id.name, time.name, type.name, value?.name]);
	const attributes = attributeColumns(columnTypes, mapping, used, byName, where).map(({ name, column, kind }) => {
		const cls = typeClass(dialect, column.type);
		const actual = kind ?? (cls === 'number' || cls === 'integer' ? 'number' : 'category');
		if (actual === 'number' && cls !== 'number' && cls !== 'integer') throw wrongType(column, `number attribute "${name}"`, 'numbers');
		if (actual === 'category' && cls !== 'text') throw wrongType(column, `text attribute "${name}"`, 'text');
		return { name, kind: actual, expr: actual === 'number' ? number(column) : dialect.emptyAsNull(q(column)) };
	});
	const table = source.schema ? `${quoteName(dialect, source.schema)}.${quoteName(dialect, source.table)}` : quoteName(dialect, source.table);
	return {
		dialect,
		table,
		profile,
		timeMs,
		eventType,
		value: value ? number(value) : dialect.engine === 'postgres' ? 'NULL::float8' : 'CAST(NULL AS Nullable(Float64))',
		attributes,
		valid: `${q(id)} IS NOT NULL AND ${q(time)} IS NOT NULL AND ${q(type)} IS NOT NULL AND ${q(type)} <> ''`,
	};
}

/** Attribute columns: those mapped with attr.NAME, or else every unused text or number column. */
function attributeColumns(
	columnTypes: readonly ColumnType[],
	mapping: MappingOptions,
	used: Set<string | undefined>,
	byName: ReadonlyMap<string, ColumnType>,
	where: string,
): { name: string; column: ColumnType; kind?: 'category' | 'number' }[] {
	if (mapping.attributes) {
		return Object.entries(mapping.attributes).map(([name, spec]) => {
			const path = typeof spec === 'string' ? spec : spec.path;
			const column = byName.get(path);
			if (!column)
				throw new InputError(
					`The table ${where} has no column "${path}" for the attribute "${name}". Its columns are: ${columnTypes.map((c) => c.name).join(', ')}.`,
					'warehouse-no-column',
				);
			return { name, column, kind: typeof spec === 'string' ? undefined : spec.kind };
		});
	}
	return columnTypes
		.filter((column) => !used.has(column.name) && /^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(column.name))
		.map((column) => ({ name: column.name, column }));
}

/** The time column as UTC milliseconds: a date-time, a date (midnight UTC) or ISO 8601 text. */
function timeExpr(dialect: Dialect, column: ColumnType, cls: TypeClass, wrong: () => InputError): string {
	const q = quoteName(dialect, column.name);
	if (dialect.engine === 'postgres') {
		// Sessions run in UTC (client.ts), so a timestamp or text without a zone is read as UTC.
		if (cls === 'datetime' || cls === 'date') return `(floor(extract(epoch from ${q}) * 1000))::bigint`;
		if (cls === 'text') return `(floor(extract(epoch from (${q})::timestamptz) * 1000))::bigint`;
		throw wrong();
	}
	if (/^(nullable\()?datetime64/i.test(column.type)) return `toUnixTimestamp64Milli(${q})`;
	if (cls === 'datetime') return `(toInt64(toUInt32(${q})) * 1000)`;
	if (cls === 'date') return `(toInt64(toUInt32(toDateTime(${q}))) * 1000)`;
	if (cls === 'text') return `(toInt64(toUInt32(parseDateTimeBestEffort(${q}))) * 1000)`;
	throw wrong();
}
