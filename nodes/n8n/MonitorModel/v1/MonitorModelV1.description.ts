import type { INodeProperties } from 'n8n-workflow';
import { storeProperties } from '../../shared/store';

/** The parameters of Monitor Model, version 1. */
export const monitorModelProperties: INodeProperties[] = [
	...storeProperties(),
	{
		displayName: 'Model Name',
		name: 'modelName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. purchase-in-30-days',
		description: 'The name Train Model saved the model under; Score Profiles remembers each run under it',
	},
	{
		displayName: 'Run Date',
		name: 'run',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2026-05-01',
		description: 'Only the runs scored on this day (or at this moment). Leave empty for every remembered run.',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Events Binary Field',
				name: 'eventsBinaryPropertyName',
				type: 'string',
				default: 'events',
				description: "The input binary field holding the events from Load Events; they must reach past the runs' outcome windows",
			},
			{
				displayName: 'Report Binary Field',
				name: 'reportBinaryPropertyName',
				type: 'string',
				default: 'report',
				description: 'The output binary field for the HTML report "How the model did"',
			},
			{
				displayName: 'Thresholds (JSON)',
				name: 'thresholds',
				type: 'json',
				default: '{}',
				description:
					'Verdict thresholds by name, e.g. { "scorePsiRetrain": 0.3, "aucDropWatch": 0.03 }; see docs/monitoring.md for every one and its default',
			},
		],
	},
];
