import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { TrainModelV1 } from './v1/TrainModelV1.node';

/** Train Model: a calibrated propensity model for a goal, its metrics and an HTML report. */
export class TrainModel extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Train Model',
			name: 'trainModel',
			icon: { light: 'file:trainModel.svg', dark: 'file:trainModel.dark.svg' },
			group: ['transform'],
			description: 'Learn who will convert or churn from the loaded events, save the model by name and report on it',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new TrainModelV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
