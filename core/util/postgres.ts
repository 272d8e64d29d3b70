/**
 * PostgreSQL connection settings shared by the event loader and the model store, and the
 * one place that opens a client. The password never appears in an error message or log:
 * errors are rewritten to name host, port, database and user only.
 */
import { Client, type ClientConfig } from 'pg';
import { z } from 'zod';
import { InputError } from '../errors';

export const pgConnectionSchema = z
	.object({
		host: z.string().min(1, 'host is required'),
		port: z.number().int().min(1).max(65535).default(5432),
		database: z.string().min(1, 'database is required'),
		user: z.string().min(1, 'user is required'),
		password: z.string().default(''),
		/** true: TLS with certificate checks; 'allow-self-signed': TLS without them; false: no TLS. */
		ssl: z.union([z.boolean(), z.literal('allow-self-signed')]).default(false),
	})
	.strict();

export type PgConnectionInput = z.input<typeof pgConnectionSchema>;
export type PgConnection = z.output<typeof pgConnectionSchema>;

/** Where a connection goes, for messages: never the password. */
export function describeConnection(connection: PgConnection): string {
	return `${connection.user}@${connection.host}:${connection.port}/${connection.database}`;
}

export function parsePgConnection(input: unknown): PgConnection {
	const parsed = pgConnectionSchema.safeParse(input);
	if (!parsed.success) {
		const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'connection'}: ${issue.message}`);
		throw new InputError(`The PostgreSQL connection settings are not valid: ${problems.join('; ')}.`, 'bad-connection');
	}
	return parsed.data;
}

/** Connects, or throws an InputError that says where it tried and why it failed. */
export async function connectPostgres(input: PgConnectionInput): Promise<Client> {
	const connection = parsePgConnection(input);
	const config: ClientConfig = {
		host: connection.host,
		port: connection.port,
		database: connection.database,
		user: connection.user,
		password: connection.password,
		ssl: connection.ssl === false ? false : { rejectUnauthorized: connection.ssl === true },
		connectionTimeoutMillis: 15000,
	};
	const client = new Client(config);
	// A dropped connection emits 'error' on an idle client; unhandled, it would crash the host.
	client.on('error', () => undefined);
	try {
		await client.connect();
	} catch (error) {
		await client.end().catch(() => undefined);
		throw new InputError(
			`Could not connect to PostgreSQL at ${describeConnection(connection)}: ${redact(error, connection.password)}. Check the host, port, database, user and password.`,
			'postgres-connect',
		);
	}
	return client;
}

/** The error's message with the password removed, should a driver ever echo it. */
export function redact(error: unknown, password: string): string {
	const message = error instanceof Error ? error.message : String(error);
	return password ? message.split(password).join('***') : message;
}

/** Quotes an SQL identifier (table, column, schema) that has passed an allow-list check. */
export function quoteIdentifier(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) {
		throw new InputError(`"${name}" is not an allowed SQL name: use letters, digits and underscores, starting with a letter or underscore.`, 'bad-identifier');
	}
	return `"${name}"`;
}
