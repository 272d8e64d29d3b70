/**
 * The Propensity ClickHouse credential, mapped once onto the core's warehouse connection, and
 * the credential test n8n runs from the credential dialog: connect over HTTP and `SELECT 1`.
 * A failure names host, port, database and user, never the password.
 */
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IExecuteFunctions,
	INodeCredentialTestResult,
} from 'n8n-workflow';
import { checkWarehouseConnection, redact, type WarehouseConnection } from '../../../core';

export const clickHouseCredentialName = 'propensityClickHouseApi';

/** The name of the credential test method every node that uses the credential offers. */
export const clickHouseTestName = 'propensityClickHouseConnectionTest';

/** The core's warehouse connection for the credential's fields. */
export function clickHouseConnectionOf(data: ICredentialDataDecryptedObject): WarehouseConnection {
	return {
		host: String(data.host ?? '').trim(),
		port: typeof data.port === 'number' ? data.port : Number(data.port ?? 8123),
		database: String(data.database ?? '').trim() || 'default',
		user: String(data.user ?? '').trim() || 'default',
		password: String(data.password ?? ''),
	};
}

/** The connection of the node's Propensity ClickHouse credential. */
export async function clickHouseCredentialOf(ctx: IExecuteFunctions, itemIndex: number): Promise<WarehouseConnection> {
	return clickHouseConnectionOf(await ctx.getCredentials(clickHouseCredentialName, itemIndex));
}

/** Connects with the credential and runs `SELECT 1`; says where it failed, never the password. */
export async function propensityClickHouseConnectionTest(
	this: ICredentialTestFunctions,
	credential: ICredentialsDecrypted,
): Promise<INodeCredentialTestResult> {
	const connection = clickHouseConnectionOf(credential.data ?? {});
	try {
		return { status: 'OK', message: await checkWarehouseConnection('clickhouse', connection) };
	} catch (error) {
		return { status: 'Error', message: redact(error, connection.password ?? '') };
	}
}
