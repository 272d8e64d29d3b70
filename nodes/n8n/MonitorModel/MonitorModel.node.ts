import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { MonitorModelV1 } from './v1/MonitorModelV1.node';

/** Monitor Model: how a model's remembered scoring runs came true, the drift since training, and a verdict. */
export class MonitorModel extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Monitor Model',
			name: 'monitorModel',
			icon: { light: 'file:monitorModel.svg', dark: 'file:monitorModel.dark.svg' },
			group: ['transform'],
			description: 'Check a saved model: did its scores come true, has the data drifted, and is it healthy, to watch or to retrain',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new MonitorModelV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
