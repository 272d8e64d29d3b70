import {
	NodeConnectionTypes,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeBaseDescription,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { perItem } from '../../shared/errors';
import { defineGoalProperties } from './DefineGoalV1.description';
import { checkGoal } from './utils';

const versionDescription: Omit<INodeTypeDescription, keyof INodeTypeBaseDescription> & Partial<INodeTypeDescription> = {
	version: 1,
	subtitle: '={{ $parameter["mode"] === "json" ? "goal from JSON" : ($parameter["goalName"] || "goal") + " (" + $parameter["propensityType"] + ")" }}',
	defaults: { name: 'Define Goal' },
	inputs: [NodeConnectionTypes.Main],
	outputs: [NodeConnectionTypes.Main],
	hints: [
		{
			message: 'A churn goal usually watches for an outcome that will not happen (e.g. no purchase within the window). Check "The Outcome".',
			type: 'warning',
			location: 'ndv',
			whenToDisplay: 'always',
			displayCondition: '={{ $parameter["mode"] === "form" && $parameter["propensityType"] === "churn" && $parameter["occur"] === "will_occur" }}',
		},
	],
	properties: defineGoalProperties,
};

export class DefineGoalV1 implements INodeType {
	description: INodeTypeDescription;

	constructor(baseDescription: INodeTypeBaseDescription) {
		this.description = { ...baseDescription, ...versionDescription } as INodeTypeDescription;
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await perItem(this, (item, itemIndex) => checkGoal(this, item, itemIndex))];
	}
}
