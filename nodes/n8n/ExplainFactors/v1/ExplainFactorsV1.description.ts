import type { INodeProperties } from 'n8n-workflow';
import { maxExplainedProfiles, withThousands } from '../../../../core';
import { modelSourceProperties } from '../../shared/model';
import { scoresTableProperty } from '../../shared/warehouse';

/** The parameters of Explain Factors, version 1. */
export const explainFactorsProperties: INodeProperties[] = [
	{
		displayName: 'Features From',
		name: 'featuresFrom',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Profile Items',
				value: 'items',
				description: 'The feature values each profile carries (Score Profiles with "Include Feature Values")',
			},
			{
				name: 'PostgreSQL Table (In Place)',
				value: 'postgres',
				description:
					"The events table the item's warehouse field refers to: the profiles' features are computed there by SQL, as of their scoring run, and explained here",
			},
			{
				name: 'ClickHouse Table (In Place)',
				value: 'clickhouse',
				description:
					"The events table the item's warehouse field refers to: the profiles' features are computed there by SQL, as of their scoring run, and explained here",
			},
		],
		default: 'items',
		description: "Where each profile's feature values come from",
	},
	scoresTableProperty(
		`The scores table Score Profiles wrote beside the events: the items' profiles (by profileId) are explained as of its latest run, with that run's scores. At most ${withThousands(maxExplainedProfiles)} profiles at once.`,
		{ featuresFrom: ['postgres', 'clickhouse'] },
	),
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
				description:
					'Use this model for every profile instead of the one each names (e.g. profiles read from a file). On a table in place: the model whose latest run is explained (empty: the latest run in the scores table, whatever its model).',
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
