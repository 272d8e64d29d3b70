import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { ScoreProfilesV1 } from './v1/ScoreProfilesV1.node';

/** Score Profiles: each eligible profile's probability, score, percentile and bucket from a model. */
export class ScoreProfiles extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Score Profiles',
			name: 'scoreProfiles',
			icon: { light: 'file:scoreProfiles.svg', dark: 'file:scoreProfiles.dark.svg' },
			group: ['transform'],
			description: 'Score every eligible profile with a trained model: probability, 0–100 score, percentile and bucket',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new ScoreProfilesV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
