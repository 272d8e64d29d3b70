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
import { clickHouseCredential, scoresTableProperty, withEventsIn } from '../../shared/warehouse';
import { scoreProfilesProperties } from './ScoreProfilesV1.description';
import { readsTableFromItems } from '../../shared/table';
import { ModelCache, scoreForItem, scoreItems } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle:
		'={{ $parameter["modelSource"] === "binary" ? "model from the item" : ($parameter["modelName"] || "model") + " (" + ($parameter["modelVersion"] || "latest") + ")" }}',
	defaults: { name: 'Score Profiles' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [storeCredential({ modelSource: ['store'] }), clickHouseCredential({ eventsIn: ['clickhouse'] })],
	hints: [
		{
			message: 'Without feature values, Explain Factors cannot explain these scores. Turn "Include Feature Values" back on if Explain Factors follows.',
			type: 'info',
			location: 'outputPane',
			whenToDisplay: 'beforeExecution',
			displayCondition: '={{ $parameter["options"]["includeFeatures"] === false }}',
		},
	],
	properties: withEventsIn(
		scoreProfilesProperties,
		'scoreFrom',
		{ scoreFrom: ['events'] },
		scoresTableProperty(
			'The table in the same warehouse that receives one row per scored profile (created when missing; each run appended whole). Only the run summary comes back.',
			{ scoreFrom: ['events'], eventsIn: ['postgres', 'clickhouse'] },
		),
	),
};

export class ScoreProfilesV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const models = new ModelCache();
		if (readsTableFromItems(this, 'scoreFrom')) return [await allItems(this, (items) => scoreItems(this, items, models))];
		return [await perItem(this, (item, itemIndex) => scoreForItem(this, item, itemIndex, models))];
	}
}
