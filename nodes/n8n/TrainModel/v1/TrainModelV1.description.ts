import type { INodeProperties } from 'n8n-workflow';
import { bucketOptions } from '../../shared/buckets';
import { storeProperties } from '../../shared/store';
import { tableBinaryProperty, tableIdProperty, tableModeProperty } from '../../shared/table';

const inTableMode = { trainOn: ['table', 'items'] };
const inFileTableMode = { trainOn: ['table'] };

/** Table mode: the CSV, its label column, and the columns that are not features. */
const tableTrainingProperties: INodeProperties[] = [
	tableBinaryProperty(inFileTableMode),
	{
		displayName: 'Label Column',
		name: 'labelColumn',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. converted',
		description: 'The 0/1 outcome column (1 = the outcome happened). Validation uses a seeded 20% of the rows, drawn at random within each label.',
		displayOptions: { show: inTableMode },
	},
	tableIdProperty(inTableMode, 'The profile id column, not a feature. Empty: the rows are numbered.'),
	{
		displayName: 'Ignore Columns',
		name: 'ignoreColumns',
		type: 'string',
		default: '',
		placeholder: 'e.g. email, name',
		description: 'Comma-separated columns that are neither features, id nor label',
		displayOptions: { show: inTableMode },
	},
];

/** The parameters of Train Model, version 1. */
export const trainModelProperties: INodeProperties[] = [
	tableModeProperty('trainOn', 'Train On', 'Learn a goal from'),
	{
		displayName: 'Goal',
		name: 'goalSource',
		type: 'options',
		options: [
			{ name: 'From Define Goal', value: 'input', description: 'The goal field of the incoming item, as Define Goal adds it' },
			{ name: 'JSON', value: 'json', description: 'Goal JSON given here' },
		],
		default: 'input',
		displayOptions: { show: { trainOn: ['events'] } },
	},
	{
		displayName: 'Goal (JSON)',
		name: 'goalJson',
		type: 'json',
		default: '',
		required: true,
		description: 'The goal as JSON (the format Define Goal outputs)',
		displayOptions: { show: { goalSource: ['json'], trainOn: ['events'] } },
	},
	...tableTrainingProperties,
	{
		displayName: 'Model Name',
		name: 'modelName',
		type: 'string',
		default: '',
		placeholder: 'e.g. purchase-in-30-days',
		description:
			"The name the model is saved and scored under. Empty: the goal's name (in table mode, the file's name). Letters, digits, dot, dash and underscore.",
	},
	{
		displayName: 'Learner',
		name: 'learner',
		type: 'options',
		options: [
			{
				name: 'Auto (Best by Validation AUC)',
				value: 'auto',
				description: 'Tries the learners that suit the data and keeps the best on the latest period',
			},
			{ name: 'Gradient-Boosted Trees', value: 'gbdt', description: 'Histogram-based boosting, like LightGBM and XGBoost' },
			{ name: 'Logistic Regression', value: 'logistic' },
			{ name: 'Naive Bayes', value: 'naiveBayes' },
			{ name: 'Random Forest', value: 'forest', description: 'Fitted on a subsample when the data is large' },
		],
		default: 'auto',
	},
	{
		displayName: 'Save to Store',
		name: 'saveToStore',
		type: 'boolean',
		default: true,
		description: 'Whether to save the model as a new version of its name, so Score Profiles can find it by name in another workflow',
	},
	...storeProperties({ saveToStore: [true] }),
	{
		displayName: 'Advanced Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'As-Of Date',
				name: 'asOf',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2026-06-30',
				description:
					'Train as if it were this date (ISO 8601): later events are ignored. A date alone (2026-06-30) means the end of that day, UTC. Empty: the latest event.',
			},
			{
				displayName: 'Events Binary Field',
				name: 'eventsBinaryPropertyName',
				type: 'string',
				default: 'events',
				description: 'The input binary field holding the events from Load Events',
			},
			{
				displayName: 'Example Cap',
				name: 'maxExamples',
				type: 'number',
				typeOptions: { minValue: 2 },
				default: 2000000,
				description:
					'Above this many example rows (profile × training date), keep every positive and a seeded sample of negatives, with probabilities and metrics corrected for it (events only)',
			},
			...bucketOptions,
			{
				displayName: 'Memory Budget (MB)',
				name: 'memoryBudgetMb',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 320,
				description:
					'Megabytes the training examples may take: the example cap is lowered to the rows that fit (320 keeps training within 500 MB at 20 million events, at a small cost in accuracy). 0 or not set: no budget (events only).',
			},
			{
				displayName: 'Minimum Negatives',
				name: 'minNegatives',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description: 'Negative examples needed over all training dates. Default: what Define Goal used, else 500.',
			},
			{
				displayName: 'Minimum Positives',
				name: 'minPositives',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description: 'Positive examples needed over all training dates. Default: what Define Goal used, else 500.',
			},
			{
				displayName: 'Model Binary Field',
				name: 'modelBinaryPropertyName',
				type: 'string',
				default: 'model',
				description: 'The output binary field for the model JSON file',
			},
			{
				displayName: 'Report Binary Field',
				name: 'reportBinaryPropertyName',
				type: 'string',
				default: 'report',
				description: 'The output binary field for the HTML report (report.html), e.g. to attach with Send Email',
			},
			{
				displayName: 'Seed',
				name: 'seed',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 1,
				description: 'Seeds every random choice: the same events, goal and seed give the same model, byte for byte',
			},
		],
	},
];
