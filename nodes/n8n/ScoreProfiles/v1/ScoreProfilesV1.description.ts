import type { INodeProperties } from 'n8n-workflow';
import { bucketOptions } from '../../shared/buckets';
import { modelSourceProperties } from '../../shared/model';
import { tableBinaryProperty, tableIdProperty, tableModeProperty } from '../../shared/table';

const inTableMode = { scoreFrom: ['table', 'items'] };
const inFileTableMode = { scoreFrom: ['table'] };
// Scored into a warehouse scores table, only the run summary comes back: no items, files, report, attributes or factors to shape.
const inPlaceHides = { hide: { '/eventsIn': ['postgres', 'clickhouse'] } };

/** The parameters of Score Profiles, version 1. */
export const scoreProfilesProperties: INodeProperties[] = [
	tableModeProperty('scoreFrom', 'Score', 'Score the profiles in'),
	tableBinaryProperty(inFileTableMode),
	tableIdProperty(inTableMode, "The profile id column. Empty: the training table's id column when this table has it, else the rows are numbered."),
	...modelSourceProperties('A model saved by Train Model, found by its name'),
	{
		displayName: 'Model Name',
		name: 'modelName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. purchase-in-30-days',
		description: 'The name Train Model saved the model under',
		displayOptions: { show: { modelSource: ['store'] } },
	},
	{
		displayName: 'Model Version',
		name: 'modelVersion',
		type: 'string',
		default: 'latest',
		placeholder: 'e.g. latest or 3',
		description: '"latest" or a version number',
		displayOptions: { show: { modelSource: ['store'] } },
	},
	{
		displayName: 'As-Of Date',
		name: 'asOf',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $today.toISODate() }}',
		description:
			'Score profiles as they were on this date (ISO 8601); later events are ignored. A date alone (2026-06-30) means the end of that day, UTC. Empty: the latest event.',
		displayOptions: { show: { scoreFrom: ['events'] } },
	},
	{
		displayName: 'Item Limit',
		name: 'itemLimit',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 10000,
		description:
			'Up to this many scored profiles, output one item each; above it, one summary item with every score in a binary file instead. 0: always the file.',
		// Scored into a warehouse table, the node outputs one summary item whatever the count.
		displayOptions: { hide: { eventsIn: ['postgres', 'clickhouse'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Attributes to Include',
				name: 'attributes',
				type: 'string',
				default: '',
				placeholder: 'e.g. email, country',
				description: 'Comma-separated profile attributes to carry on each profile. Empty: every attribute with one value per profile (e.g. email).',
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'Events Binary Field',
				name: 'eventsBinaryPropertyName',
				type: 'string',
				default: 'events',
				description: 'The input binary field holding the events from Load Events',
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'File Format',
				name: 'fileFormat',
				type: 'options',
				options: [
					{ name: 'CSV', value: 'csv' },
					{ name: 'NDJSON', value: 'ndjson', description: 'One JSON profile per line, with every field' },
				],
				default: 'csv',
				description: 'Format of the scores file written above the item limit',
				displayOptions: inPlaceHides,
			},
			...bucketOptions,
			{
				displayName: 'Include Attributes',
				name: 'includeAttributes',
				type: 'boolean',
				default: true,
				description: 'Whether to carry profile attributes (email, country…) on each profile, for emails and CRM updates',
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'Include Feature Values',
				name: 'includeFeatures',
				type: 'boolean',
				default: true,
				description: "Whether to carry each profile's feature values, which Explain Factors needs to explain the score",
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'Output Binary Field',
				name: 'outputBinaryPropertyName',
				type: 'string',
				default: 'scores',
				description: 'The output binary field for the scores file above the item limit',
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'Run Report Binary Field',
				name: 'reportBinaryPropertyName',
				type: 'string',
				default: '',
				placeholder: 'e.g. report',
				description:
					"Put the HTML report of the run (scores against training's, bucket counts) in this binary field of the first profile item, e.g. to attach to an email. Empty: no report. Not written above the item limit.",
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'Runs to Keep',
				name: 'keepRuns',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 10000 },
				default: 60,
				description: 'With the model from the store, each run is remembered there for Monitor Model; this many of the latest are kept',
			},
			{
				displayName: 'Spreadsheet-Safe CSV',
				name: 'spreadsheetSafe',
				type: 'boolean',
				default: false,
				description:
					"Whether the CSV scores file writes text cells starting with = + - @, a tab or a carriage return with a leading apostrophe, so Excel, LibreOffice or Google Sheets never run them as formulas. Propensity's own readers remove the apostrophe again.",
				displayOptions: inPlaceHides,
			},
			{
				displayName: 'Top Factors',
				name: 'topFactors',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 20 },
				default: 0,
				description: 'Explain each score right away with this many factors (0: leave it to Explain Factors)',
				displayOptions: inPlaceHides,
			},
		],
	},
];
