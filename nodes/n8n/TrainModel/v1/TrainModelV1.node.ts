import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { clickHouseTestName, propensityClickHouseConnectionTest } from '../../shared/clickhouse';
import { allItems, perItem } from '../../shared/errors';
import { postgresTestName, propensityPostgresConnectionTest } from '../../shared/postgres';
import { storeCredential } from '../../shared/store';
import { clickHouseCredential, withEventsIn } from '../../shared/warehouse';
import { trainModelProperties } from './TrainModelV1.description';
import { readsTableFromItems } from '../../shared/table';
import { trainForItem, trainOnItems } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle: '={{ ($parameter["modelName"] || "model named after the goal") + ($parameter["saveToStore"] ? "" : " (not saved)") }}',
	defaults: { name: 'Train Model' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	// A PostgreSQL table in place is read with the store's credential: n8n shows one entry per credential type.
	credentials: [storeCredential({ saveToStore: [true] }), clickHouseCredential({ eventsIn: ['clickhouse'] })],
	hints: [
		{
			message: 'The model is not saved: Score Profiles in another workflow cannot find it by name. Turn on "Save to Store", or pass the model binary on.',
			type: 'info',
			location: 'outputPane',
			whenToDisplay: 'beforeExecution',
			displayCondition: '={{ $parameter["saveToStore"] === false }}',
		},
	],
	properties: withEventsIn(trainModelProperties, 'trainOn', { trainOn: ['events'] }),
};

export class TrainModelV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (readsTableFromItems(this, 'trainOn')) return [await allItems(this, (items) => trainOnItems(this, items))];
		return [await perItem(this, (item, itemIndex) => trainForItem(this, item, itemIndex))];
	}
}
