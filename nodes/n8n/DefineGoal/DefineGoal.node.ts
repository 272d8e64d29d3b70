import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { DefineGoalV1 } from './v1/DefineGoalV1.node';

/** Define Goal: what to predict, filled in as a form (or JSON), checked against the loaded events. */
export class DefineGoal extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Define Goal',
			name: 'defineGoal',
			icon: { light: 'file:defineGoal.svg', dark: 'file:defineGoal.dark.svg' },
			group: ['transform'],
			description: 'Say what to predict (a conversion or churn goal) and check the events can teach it',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new DefineGoalV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
