import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { BuildSegmentV1 } from './v1/BuildSegmentV1.node';

/** Build Segment: split scored profiles by a rule, remembering who entered and left since the last run. */
export class BuildSegment extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Build Segment',
			name: 'buildSegment',
			icon: { light: 'file:buildSegment.svg', dark: 'file:buildSegment.dark.svg' },
			group: ['transform'],
			description:
				'Split scored profiles into a segment by bucket, score, top N, factor or attribute; pass on everyone, or only who entered or left since the last run',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new BuildSegmentV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
