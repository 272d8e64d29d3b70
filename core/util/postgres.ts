/**
 * PostgreSQL connection settings shared by the event loader and the model store, and the
 * one place that opens a client. The password never appears in an error message or log:
 * errors are rewritten to name host, port, database and user only.
 */
import type { Client, ClientConfig } from 'pg';
import { z } from 'zod';
import { CancelledError, InputError, PropensityError, throwIfCancelled } from '../errors';

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
export async function connectPostgres(input: PgConnectionInput, signal?: AbortSignal): Promise<Client> {
	const connection = parsePgConnection(input);
	const config: ClientConfig = {
		host: connection.host,
		port: connection.port,
		database: connection.database,
		user: connection.user,
		password: connection.password,
		ssl: connection.ssl === false ? false : { rejectUnauthorized: connection.ssl === true },
		connectionTimeoutMillis: 15000,
		// A peer that vanishes without closing the socket (a cut network) is noticed by TCP keepalive.
		keepAlive: true,
		keepAliveInitialDelayMillis: 5000,
	};
	// pg is loaded on the first connection: a command or flow that reads no database never pays for it.
	const { Client } = await import('pg');
	const client = new Client(config);
	// A dropped connection emits 'error' on an idle client; unhandled, it would crash the host.
	client.on('error', () => undefined);
	// A cancel while connecting (authentication can take a while on a busy server) cuts the socket at once.
	const onAbort = (): void => cutSocket(client);
	signal?.addEventListener('abort', onAbort, { once: true });
	try {
		throwIfCancelled(signal, 'event load');
		await client.connect();
		throwIfCancelled(signal, 'event load');
	} catch (error) {
		await client.end().catch(() => undefined);
		if (signal?.aborted) throw new CancelledError('event load');
		// The driver words a missing password as a SASL protocol error; say what it means.
		if (connection.password === '' && /SASL|password/i.test(error instanceof Error ? error.message : String(error))) {
			throw new InputError(
				`Could not connect to PostgreSQL at ${describeConnection(connection)}: the password is empty, and the server asks for one. Give the password of user "${connection.user}" in the connection settings (the credential in n8n, the PostgreSQL config node in Node-RED).`,
				'postgres-connect',
			);
		}
		throw new InputError(
			`Could not connect to PostgreSQL at ${describeConnection(connection)}: ${redact(error, connection.password)}. Check the host, port, database, user and password.`,
			'postgres-connect',
		);
	} finally {
		signal?.removeEventListener('abort', onAbort);
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
		throw new InputError(
			`"${name}" is not an allowed SQL name: use letters, digits and underscores, starting with a letter or underscore.`,
			'bad-identifier',
		);
	}
	return `"${name}"`;
}

/** Seconds a goodbye to the server (closing a cursor, ending the session) may take before the socket is cut. */
export const goodbyeMs = 2000;

/**
 * Watches one client while work runs on it: `race` ends the work with a clear error as soon
 * as the connection is lost (the server stopped, the backend terminated) or `signal` fires,
 * rather than waiting for a reply a dead connection never sends. On cancel the socket is cut,
 * so a long query on the server does not hold the caller either.
 */
export function watchConnection(client: Client, connection: PgConnection, signal: AbortSignal | undefined, what: string) {
	let broken = false;
	let fail: (error: Error) => void = () => undefined;
	const lost = new Promise<never>((_resolve, reject) => (fail = reject));
	lost.catch(() => undefined);
	const onError = (error: Error): void => {
		broken = true;
		fail(
			new PropensityError(
				`The connection to PostgreSQL at ${describeConnection(connection)} was lost during the ${what}: ${redact(error, connection.password)}. Check that the server is running and reachable, then run again.`,
				'postgres-connection-lost',
			),
		);
	};
	const onEnd = (): void => onError(new Error('the server closed the connection'));
	const onAbort = (): void => {
		broken = true;
		cutSocket(client);
		fail(new CancelledError(what));
	};
	client.on('error', onError);
	client.on('end', onEnd);
	signal?.addEventListener('abort', onAbort, { once: true });
	if (signal?.aborted) onAbort();
	return {
		/** `work`, or the loss of the connection or a cancel, whichever comes first. */
		race<T>(work: Promise<T>): Promise<T> {
			return Promise.race([work, lost]);
		},
		get broken(): boolean {
			return broken;
		},
		/** Records that the session is gone (a FATAL reply), so no goodbye is waited for. */
		markBroken(): void {
			broken = true;
		},
		stop(): void {
			client.off('error', onError);
			client.off('end', onEnd);
			signal?.removeEventListener('abort', onAbort);
		},
	};
}

/**
 * True when `error` means the session is gone rather than that a statement failed: a FATAL
 * from the server (terminated backend, shutdown: SQLSTATE 57P01-57P03), a connection
 * exception (class 08), or the driver's own "Connection terminated".
 */
export function isConnectionFailure(error: unknown): boolean {
	const { severity, code, message } = (error ?? {}) as { severity?: unknown; code?: unknown; message?: unknown };
	if (severity === 'FATAL' || severity === 'PANIC') return true;
	if (typeof code === 'string' && (code.startsWith('08') || code.startsWith('57P'))) return true;
	return typeof message === 'string' && /Connection terminated|not queryable|ECONNRESET|EPIPE|ECONNREFUSED/i.test(message);
}

/** Closes the client: politely when the connection is sound, and never waiting more than goodbyeMs. */
export async function endClient(client: Client, broken = false): Promise<void> {
	if (broken) {
		cutSocket(client);
		return;
	}
	await withinGoodbye(
		client.end().catch(() => undefined),
		() => cutSocket(client),
	);
}

/** Waits for `work` at most goodbyeMs, then calls `giveUp`. */
export async function withinGoodbye(work: Promise<unknown>, giveUp: () => void): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), goodbyeMs)));
	const outcome = await Promise.race([
		work.then(
			() => 'done' as const,
			() => 'done' as const,
		),
		late,
	]);
	clearTimeout(timer);
	if (outcome === 'late') giveUp();
}

function cutSocket(client: Client): void {
	(client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}
