/**
 * The Propensity PostgreSQL credential, mapped once onto the core's connection settings, and
 * the credential test n8n runs from the credential dialog: connect and `select 1`. A failure
 * names host, port, database and user (the core's connectPostgres does), never the password.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { connectPostgres, type PgConnectionInput, redact } from '../../../core';

export const postgresCredentialName = 'propensityPostgresApi';

/** The name of the credential test method every node that uses the credential offers. */
export const postgresTestName = 'propensityPostgresConnectionTest';

const sslModes: Record<string, PgConnectionInput['ssl']> = {
	disable: false,
	require: true,
	allowSelfSigned: 'allow-self-signed',
};

/** The core's connection settings for the credential's fields (SSL: disable / require / allow self-signed). */
export function pgConnectionOf(data: ICredentialDataDecryptedObject): PgConnectionInput {
	const ssl = sslModes[String(data.ssl ?? 'disable')];
	return {
		host: String(data.host ?? '').trim(),
		port: typeof data.port === 'number' ? data.port : Number(data.port ?? 5432),
		database: String(data.database ?? '').trim(),
		user: String(data.user ?? '').trim(),
		password: String(data.password ?? ''),
		ssl: ssl ?? false,
	};
}

/** The connection of the node's Propensity PostgreSQL credential. */
export async function postgresConnectionOf(ctx: IExecuteFunctions, itemIndex: number): Promise<PgConnectionInput> {
	return pgConnectionOf(await ctx.getCredentials(postgresCredentialName, itemIndex));
}

/** Connects with the credential and runs `select 1`; says where it failed, never the password. */
export async function propensityPostgresConnectionTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
	const connection = pgConnectionOf(credential.data ?? {});
	try {
		const client = await connectPostgres(connection);
		try {
			await client.query('select 1');
		} finally {
			await client.end().catch(() => undefined);
		}
	} catch (error) {
		return { status: 'Error', message: redact(error, connection.password ?? '') };
	}
	return { status: 'OK', message: `Connected to ${connection.user}@${connection.host}:${connection.port}/${connection.database}.` };
}
