import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A PostgreSQL connection for Propensity: where Load Events reads events with a query, and
 * where the model store keeps models and segment memberships when several n8n workers share
 * them. Tested by connecting and running `select 1` (see nodes/n8n/shared/postgres.ts).
 */
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- every node lists it with testedBy (storeCredential in nodes/n8n/shared/store.ts), which the rule cannot follow into a helper
export class PropensityPostgresApi implements ICredentialType {
	name = 'propensityPostgresApi';

	displayName = 'Propensity PostgreSQL';

	icon = { light: 'file:propensityPostgres.svg', dark: 'file:propensityPostgres.dark.svg' } as const;

	documentationUrl = 'https://github.com/propensity-ai/n8n-nodes-propensity#postgresql-credential';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			required: true,
			placeholder: 'e.g. db.example.com',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
			required: true,
			typeOptions: { minValue: 1, maxValue: 65535 },
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'postgres',
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'postgres',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{
					name: 'Allow Self-Signed Certificate',
					value: 'allowSelfSigned',
					description: 'Encrypt the connection without checking the certificate (a server with its own certificate)',
				},
				{
					name: 'Disable',
					value: 'disable',
					description: 'Connect without TLS (a database on the same host or a private network)',
				},
				{
					name: 'Require',
					value: 'require',
					description: 'Encrypt the connection and check the server certificate',
				},
			],
			default: 'disable',
		},
	];
}
