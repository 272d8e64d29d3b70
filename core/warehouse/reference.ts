/**
 * A warehouse table as the host nodes hand it on: which engine, database, table and column
 * mapping, plus the name of the connection it was read with — never a password. Nothing is
 * loaded: each node that needs the table joins the reference with its own connection (an n8n
 * credential, a Node-RED config node), so the secret stays in the host's credential store, and
 * the work runs in the warehouse (summary, readiness, training).
 */
import { z } from 'zod';
import { InputError } from '../errors';
import { attributeMappingSchema, describeIssues, type MappingOptions } from '../events/mapping';
import { connectWarehouse } from './client';
import { dialectOf, quoteName, type Engine } from './dialect';
import { describeSource, type WarehouseSource } from './source';

/** Where a warehouse server is and who connects: what a credential or config node holds. */
export interface WarehouseConnection {
	readonly host: string;
	readonly port: number;
	readonly user: string;
	readonly password?: string;
	readonly database: string;
}

/** The engines a table in place can be on; the hosts offer exactly these (test/architecture/lists.test.ts). */
export const warehouseEngines = ['postgres', 'clickhouse'] as const satisfies readonly Engine[];

const nameSchema = z.string().trim().min(1, 'cannot be empty');

const mappingSchema = z
	.object({
		id: nameSchema.optional(),
		time: nameSchema.optional(),
		type: nameSchema.optional(),
		value: nameSchema.nullable().optional(),
		attributes: z.record(nameSchema, attributeMappingSchema).optional(),
	})
	.strict();

export const warehouseReferenceSchema = z
	.object({
		kind: z.literal('warehouse-table'),
		engine: z.enum(warehouseEngines),
		database: nameSchema,
		schema: nameSchema.optional(),
		table: nameSchema,
		mapping: mappingSchema,
		/** The connection it was read with (an n8n credential's name, a Node-RED config node's id). */
		connection: z.string().optional(),
		/** Where, for people: engine, user, host, port, database and table. */
		source: z.string(),
	})
	.strict();

export type WarehouseReference = z.infer<typeof warehouseReferenceSchema>;

/** True when the value looks like a reference (the nodes then take the warehouse path). */
export function isWarehouseReference(value: unknown): boolean {
	return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'warehouse-table';
}

/** A validated reference, or an InputError naming the bad field and where the reference came from. */
export function parseWarehouseReference(value: unknown, where = 'the warehouse reference'): WarehouseReference {
	const parsed = warehouseReferenceSchema.safeParse(value);
	if (!parsed.success) {
		throw new InputError(
			`${where} is not a warehouse table as Load Events makes it: ${describeIssues(parsed.error, 'warehouse')}. Wire Load Events (source "warehouse table") to this node and keep its warehouse field as it is.`,
			'bad-warehouse-reference',
		);
	}
	return parsed.data;
}

/**
 * The source of a table named `table` (PostgreSQL: `SCHEMA.TABLE` or `TABLE`, schema public;
 * ClickHouse: `TABLE`, in the connection's database) reached through `connection`.
 */
export function warehouseTableSource(engine: Engine, connection: WarehouseConnection, table: string): WarehouseSource {
	const given = table.trim();
	const parts = given.split('.');
	if (given === '' || parts.length > 2 || (engine === 'clickhouse' && parts.length > 1) || parts.some((part) => part === '')) {
		throw new InputError(
			`The table "${table}" is not a table name: write ${engine === 'postgres' ? 'SCHEMA.TABLE or TABLE (schema public)' : 'TABLE (the database is in the connection)'}.`,
			'bad-warehouse-table',
		);
	}
	const [schema, name] = parts.length === 2 ? parts : [engine === 'postgres' ? 'public' : undefined, parts[0]];
	const source: WarehouseSource = {
		engine,
		host: connection.host.trim(),
		port: connection.port,
		user: connection.user.trim(),
		password: connection.password ?? '',
		database: connection.database.trim(),
		schema,
		table: name,
	};
	if (!source.host) throw new InputError('The warehouse connection names no host: fill in its Host.', 'bad-warehouse-connection');
	if (!source.user) throw new InputError('The warehouse connection names no user: fill in its User.', 'bad-warehouse-connection');
	if (!source.database) throw new InputError('The warehouse connection names no database: fill in its Database.', 'bad-warehouse-connection');
	if (!Number.isInteger(source.port) || source.port < 1 || source.port > 65535)
		throw new InputError(
			`The warehouse connection's port ${connection.port} is not a port: give a whole number from 1 to 65535.`,
			'bad-warehouse-connection',
		);
	const dialect = dialectOf(engine);
	for (const part of [source.database, schema, name]) if (part !== undefined) quoteName(dialect, part);
	return source;
}

/** The reference a Load Events node hands on for a table: no host secret, no password. */
export function referenceTo(source: WarehouseSource, mapping: MappingOptions, connection?: string): WarehouseReference {
	return parseWarehouseReference({
		kind: 'warehouse-table',
		engine: source.engine,
		database: source.database,
		...(source.schema !== undefined ? { schema: source.schema } : {}),
		table: source.table,
		mapping: warehouseMapping(mapping),
		...(connection !== undefined ? { connection } : {}),
		source: describeSource(source),
	});
}

/** The part of a mapping a table takes (columns, not paths, presets or time units). */
function warehouseMapping(mapping: MappingOptions): WarehouseReference['mapping'] {
	const out: Record<string, unknown> = {};
	for (const key of ['id', 'time', 'type', 'value', 'attributes'] as const) if (mapping[key] !== undefined) out[key] = mapping[key];
	return out as WarehouseReference['mapping'];
}

/** The reference joined with the connection of the node that reads it: the table's source. */
export function sourceOfReference(reference: WarehouseReference, connection: WarehouseConnection): WarehouseSource {
	// The table is where the reference says; the connection gives the server and the right to read it.
	const table = reference.schema ? `${reference.schema}.${reference.table}` : reference.table;
	return warehouseTableSource(reference.engine, { ...connection, database: reference.database }, table);
}

/** A credential or config node's test: connect and run a first query; says where it failed, never the password. */
export async function checkWarehouseConnection(engine: Engine, connection: WarehouseConnection): Promise<string> {
	const source = warehouseTableSource(engine, connection, engine === 'postgres' ? 'public.connection_check' : 'connection_check');
	const where = describeSource(source);
	const server = where.replace(/\?table=.*$/, '');
	// The table is a placeholder: messages name the server only.
	const client = await connectWarehouse(source).catch((error: unknown) => {
		if (error instanceof InputError) return new InputError(error.message.split(where).join(server), error.code);
		return error instanceof Error ? error : new Error(String(error));
	});
	if (client instanceof Error) throw client;
	await client.close();
	return `Connected to ${server}.`;
}
