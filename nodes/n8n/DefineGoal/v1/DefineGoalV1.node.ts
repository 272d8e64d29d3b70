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
import { clickHouseCredential, postgresTableCredential, withEventsIn } from '../../shared/warehouse';
import { defineGoalProperties } from './DefineGoalV1.description';
import { checkGoal } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle: '={{ $parameter["mode"] === "json" ? "goal from JSON" : ($parameter["goalName"] || "goal") + " (" + $parameter["propensityType"] + ")" }}',
	defaults: { name: 'Define Goal' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	credentials: [postgresTableCredential({ eventsIn: ['postgres'] }), clickHouseCredential({ eventsIn: ['clickhouse'] })],
	hints: [
		{
			message: 'A churn goal usually watches for an outcome that will not happen (e.g. no purchase within the window). Check "The Outcome".',
			type: 'warning',
			location: 'ndv',
			whenToDisplay: 'always',
			displayCondition: '={{ $parameter["mode"] === "form" && $parameter["propensityType"] === "churn" && $parameter["occur"] === "will_occur" }}',
		},
	],
	properties: withEventsIn(defineGoalProperties, undefined, {}),
};

export class DefineGoalV1 implements INodeType {
	description: INodeTypeDescription;

	methods = { credentialTest: { [postgresTestName]: propensityPostgresConnectionTest, [clickHouseTestName]: propensityClickHouseConnectionTest } };

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await perItem(this, (item, itemIndex) => checkGoal(this, item, itemIndex))];
	}
}
