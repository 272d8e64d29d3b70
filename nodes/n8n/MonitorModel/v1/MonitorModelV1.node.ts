import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { clickHouseTestName, propensityClickHouseConnectionTest } from '../../shared/clickhouse';
import { perItem } from '../../shared/errors';
import { postgresTestName, propensityPostgresConnectionTest } from '../../shared/postgres';
import { storeCredential } from '../../shared/store';
import { clickHouseCredential, eventsInProperty } from '../../shared/warehouse';
import { monitorModelProperties } from './MonitorModelV1.description';
import { monitorForItem } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle: '={{ ($parameter["modelName"] || "model") + ($parameter["run"] ? " (run of " + $parameter["run"] + ")" : "") }}',
	defaults: { name: 'Monitor Model' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	// A PostgreSQL table in place is read with the store's credential: n8n shows one entry per credential type.
	credentials: [storeCredential(), clickHouseCredential({ eventsIn: ['clickhouse'] })],
	properties: [...monitorModelProperties, eventsInProperty],
};

export class MonitorModelV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await perItem(this, (item, itemIndex) => monitorForItem(this, item, itemIndex))];
	}
}
