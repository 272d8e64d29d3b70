import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { ExplainFactorsV1 } from './v1/ExplainFactorsV1.node';

/** Explain Factors: the reasons behind each score, in sentences a marketer reads. */
export class ExplainFactors extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Explain Factors',
			name: 'explainFactors',
			icon: { light: 'file:explainFactors.svg', dark: 'file:explainFactors.dark.svg' },
			group: ['transform'],
			description: "Add the top factors behind each profile's score, with a sentence for each, and optionally per bucket",
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new ExplainFactorsV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
