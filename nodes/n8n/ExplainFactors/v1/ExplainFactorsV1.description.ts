import type { INodeProperties } from 'n8n-workflow';
import { modelSourceProperties } from '../../shared/model';

/** The parameters of Explain Factors, version 1. */
export const explainFactorsProperties: INodeProperties[] = [
	...modelSourceProperties('The model each profile names (model.name and model.version, as Score Profiles sets them)'),
	{
		displayName: 'Top Factors',
		name: 'topK',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 20 },
		default: 3,
		description: 'How many of the most influential factors to give each profile',
	},
	{
		displayName: 'Bucket Summary',
		name: 'bucketSummary',
		type: 'boolean',
		default: false,
		description:
			'Whether to add to each profile the top factors of its whole bucket (low, medium, high) as bucketFactors, measured over the incoming profiles',
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Model Name',
				name: 'modelName',
				type: 'string',
				default: '',
				placeholder: 'e.g. purchase-in-30-days',
				description: 'Use this model for every profile instead of the one each names (e.g. profiles read from a file)',
				displayOptions: { show: { '/modelSource': ['store'] } },
			},
			{
				displayName: 'Model Version',
				name: 'modelVersion',
				type: 'string',
				default: 'latest',
				description: 'With Model Name: "latest" or a version number',
				displayOptions: { show: { '/modelSource': ['store'] } },
			},
		],
	},
];
