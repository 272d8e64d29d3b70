import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { perItem } from '../../shared/errors';
import { postgresTestName, propensityPostgresConnectionTest } from '../../shared/postgres';
import { storeCredential } from '../../shared/store';
import { monitorModelProperties } from './MonitorModelV1.description';
import { monitorForItem } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle: '={{ ($parameter["modelName"] || "model") + ($parameter["run"] ? " (run of " + $parameter["run"] + ")" : "") }}',
	defaults: { name: 'Monitor Model' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [storeCredential()],
	properties: monitorModelProperties,
};

export class MonitorModelV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await perItem(this, (item, itemIndex) => monitorForItem(this, item, itemIndex))];
	}
}
