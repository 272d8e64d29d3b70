import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A ClickHouse server for Propensity, reached on its HTTP interface: where Load Events finds a
 * table of events to work on in place (nothing is loaded; Define Goal and Train Model run their
 * work there). Tested by connecting and running `SELECT 1` (see nodes/n8n/shared/clickhouse.ts).
 */
// eslint-disable-next-line @n8n/community-nodes/credential-test-required -- every node lists it with testedBy (clickHouseTestName in nodes/n8n/shared/clickhouse.ts), which the rule cannot follow into a helper
export class PropensityClickHouseApi implements ICredentialType {
	name = 'propensityClickHouseApi';

	displayName = 'Propensity ClickHouse';

	icon = { light: 'file:propensityClickHouse.svg', dark: 'file:propensityClickHouse.dark.svg' } as const;

	documentationUrl = 'https://github.com/propensity-ai/n8n-nodes-propensity/blob/main/docs/warehouse.md#in-the-flows';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			required: true,
			placeholder: 'e.g. ch1.example.com',
			description: 'On a cluster, any node: name the Distributed table in Load Events',
		},
		{
			displayName: 'HTTP Port',
			name: 'port',
			type: 'number',
			default: 8123,
			required: true,
			typeOptions: { minValue: 1, maxValue: 65535 },
			description: "ClickHouse's HTTP interface (8123 by default), not the native port 9000",
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'default',
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'default',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
	];
}
