import { VersionedNodeType, type INodeTypeBaseDescription, type IVersionedNodeType } from 'n8n-workflow';
import { LoadEventsV1 } from './v1/LoadEventsV1.node';

/** Load Events: experience events from a file, items or PostgreSQL into one compact event table. */
export class LoadEvents extends VersionedNodeType {
	constructor() {
		const baseDescription: INodeTypeBaseDescription = {
			displayName: 'Propensity: Load Events',
			name: 'loadEvents',
			icon: { light: 'file:loadEvents.svg', dark: 'file:loadEvents.dark.svg' },
			group: ['input'],
			description: 'Read customer experience events (CSV, NDJSON, JSON, XDM, items or PostgreSQL) into an event table',
			defaultVersion: 1,
		};
		const nodeVersions: IVersionedNodeType['nodeVersions'] = {
			1: new LoadEventsV1(baseDescription),
		};
		super(nodeVersions, baseDescription);
	}
}
