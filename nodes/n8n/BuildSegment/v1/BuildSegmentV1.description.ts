import type { INodeProperties } from 'n8n-workflow';
import { storeProperties } from '../../shared/store';
import { scoresTableProperty } from '../../shared/warehouse';

const numberKinds = ['score', 'probability', 'percentile'];

/** One rule of the form: what it tests, then the fields that kind of test needs. */
const ruleFields: INodeProperties[] = [
	{
		displayName: 'Test',
		name: 'kind',
		type: 'options',
		options: [
			{ name: 'Attribute', value: 'attribute', description: 'A profile attribute, e.g. country is FR' },
			{ name: 'Bucket', value: 'bucket', description: 'Low, medium or high' },
			{ name: 'Factor', value: 'factor', description: 'A factor raises or lowers the chance (needs Explain Factors first)' },
			{ name: 'Percentile', value: 'percentile', description: 'Rank among the scored, 1 to 100' },
			{ name: 'Probability', value: 'probability', description: 'Calibrated probability, 0 to 1' },
			{ name: 'Score', value: 'score', description: 'Score, 0 to 100' },
			{ name: 'Top', value: 'top', description: 'The N or P% highest scores' },
		],
		default: 'bucket',
	},
	{
		displayName: 'Buckets',
		name: 'buckets',
		type: 'multiOptions',
		options: [
			{ name: 'High', value: 'high' },
			{ name: 'Low', value: 'low' },
			{ name: 'Medium', value: 'medium' },
		],
		default: ['high'],
		displayOptions: { show: { kind: ['bucket'] } },
	},
	{
		displayName: 'Attribute',
		name: 'attribute',
		type: 'string',
		default: '',
		placeholder: 'e.g. country',
		description: "The attribute's name, as loaded with the events",
		displayOptions: { show: { kind: ['attribute'] } },
	},
	{
		displayName: 'Operator',
		name: 'attributeOperator',
		type: 'options',
		options: [
			{ name: 'Contains', value: 'contains' },
			{ name: 'Does Not Exist', value: 'notExists' },
			{ name: 'Exists', value: 'exists' },
			{ name: 'Is at Least', value: 'gte' },
			{ name: 'Is at Most', value: 'lte' },
			{ name: 'Is Between', value: 'between' },
			{ name: 'Is Equal To', value: 'equals' },
			{ name: 'Is Greater Than', value: 'gt' },
			{ name: 'Is Less Than', value: 'lt' },
			{ name: 'Is Not Equal To', value: 'notEquals' },
			{ name: 'Is Not One Of', value: 'notIn' },
			{ name: 'Is One Of', value: 'in' },
		],
		default: 'equals',
		displayOptions: { show: { kind: ['attribute'] } },
	},
	{
		displayName: 'Operator',
		name: 'operator',
		type: 'options',
		options: [
			{ name: 'Is at Least', value: 'gte' },
			{ name: 'Is at Most', value: 'lte' },
			{ name: 'Is Between', value: 'between' },
			{ name: 'Is Greater Than', value: 'gt' },
			{ name: 'Is Less Than', value: 'lt' },
		],
		default: 'gte',
		displayOptions: { show: { kind: numberKinds } },
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		placeholder: 'e.g. 80',
		description: 'The number or text compared with; for "is one of", a comma-separated list; for "is between", the lower end',
		displayOptions: { show: { kind: [...numberKinds, 'attribute'] }, hide: { attributeOperator: ['exists', 'notExists'] } },
	},
	{
		displayName: 'To',
		name: 'to',
		type: 'string',
		default: '',
		placeholder: 'e.g. 100',
		description: 'The upper end of the range (included)',
		displayOptions: { show: { kind: numberKinds, operator: ['between'] } },
	},
	{
		displayName: 'To',
		name: 'attributeTo',
		type: 'string',
		default: '',
		placeholder: 'e.g. 100',
		description: 'The upper end of the range (included)',
		displayOptions: { show: { kind: ['attribute'], attributeOperator: ['between'] } },
	},
	{
		displayName: 'Top By',
		name: 'topBy',
		type: 'options',
		options: [
			{ name: 'Count', value: 'count', description: 'The N highest scores' },
			{ name: 'Percent', value: 'percent', description: 'The P% highest scores' },
		],
		default: 'count',
		displayOptions: { show: { kind: ['top'] } },
	},
	{
		displayName: 'Size',
		name: 'size',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 100,
		description: 'N profiles, or P percent of the scored profiles',
		displayOptions: { show: { kind: ['top'] } },
	},
	{
		displayName: 'Factor',
		name: 'factor',
		type: 'string',
		default: '',
		placeholder: 'e.g. email_click_count_30d',
		description: "The feature's machine name (as in factors[].feature) or its label in words (as in factors[].label)",
		displayOptions: { show: { kind: ['factor'] } },
	},
	{
		displayName: 'Factor Given As',
		name: 'factorBy',
		type: 'options',
		options: [
			{ name: 'Feature Name', value: 'feature' },
			{ name: 'Label in Words', value: 'label' },
		],
		default: 'feature',
		displayOptions: { show: { kind: ['factor'] } },
	},
	{
		displayName: 'Direction',
		name: 'direction',
		type: 'options',
		options: [
			{ name: 'Either', value: 'either' },
			{ name: 'Lowers the Chance', value: 'lowers' },
			{ name: 'Raises the Chance', value: 'raises' },
		],
		default: 'raises',
		displayOptions: { show: { kind: ['factor'] } },
	},
	{
		displayName: 'Within Top Factors',
		name: 'withinTop',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 0,
		description: "Only among the profile's K most influential factors (0: any of its factors)",
		displayOptions: { show: { kind: ['factor'] } },
	},
	{
		displayName: 'Negate',
		name: 'negate',
		type: 'boolean',
		default: false,
		description: 'Whether to keep the profiles that do not pass this test instead',
	},
];

/** The parameters of Build Segment, version 1. */
export const buildSegmentProperties: INodeProperties[] = [
	{
		displayName: 'Scores In',
		name: 'scoresIn',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Items', value: 'items', description: 'One item per scored profile, from Score Profiles or Explain Factors' },
			{
				name: 'PostgreSQL Scores Table',
				value: 'postgres',
				description:
					'The scores table Score Profiles wrote beside a PostgreSQL table in place: the segment is chosen there, only its members come back',
			},
			{
				name: 'ClickHouse Scores Table',
				value: 'clickhouse',
				description:
					'The scores table Score Profiles wrote beside a ClickHouse table in place: the segment is chosen there, only its members come back',
			},
		],
		default: 'items',
		description: 'Where the scores are',
	},
	scoresTableProperty(
		"The scores table in the warehouse of the input item's table in place (its warehouse field). The rule runs over its latest run there; only the members come back.",
		{ scoresIn: ['postgres', 'clickhouse'] },
	),
	{
		displayName: 'Factors per Profile',
		name: 'factorsPerProfile',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 20 },
		default: 0,
		description:
			"The reasons handed on with each member: its K most influential factors as sentences, and its attributes (e.g. email) as of the score date, read from the input item's table in place for those members only and explained with the model that scored the run (from the store). 0: attributes and factors only when a rule tests them; factor rules need at least 1.",
		displayOptions: { show: { scoresIn: ['postgres', 'clickhouse'] } },
	},
	{
		displayName: 'Rules From',
		name: 'ruleMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Form', value: 'form', description: 'Add tests one by one' },
			{ name: 'JSON', value: 'json', description: 'Rule JSON, with nested all / any / not groups' },
			{ name: 'Short Syntax', value: 'text', description: 'One line such as bucket=high, top=10%' },
		],
		default: 'form',
	},
	{
		displayName: 'Rules',
		name: 'rules',
		type: 'fixedCollection',
		placeholder: 'Add Rule',
		typeOptions: { multipleValues: true },
		default: { rule: [{ kind: 'bucket', buckets: ['high'] }] },
		displayOptions: { show: { ruleMode: ['form'] } },
		options: [{ displayName: 'Rule', name: 'rule', values: ruleFields }],
	},
	{
		displayName: 'Match',
		name: 'match',
		type: 'options',
		options: [
			{ name: 'All Rules', value: 'all', description: 'A member passes every rule' },
			{ name: 'Any Rule', value: 'any', description: 'A member passes at least one rule' },
		],
		default: 'all',
		displayOptions: { show: { ruleMode: ['form'] } },
	},
	{
		displayName: 'Rule',
		name: 'ruleText',
		type: 'string',
		default: 'bucket=high',
		placeholder: 'e.g. bucket=high, percentile>=90, attr.country=FR|DE',
		description:
			'Comma-separated clauses that must all hold: bucket=high|medium, score>=80, probability&lt;0.2, percentile=90..100, top=100, top=10%, factor=FEATURE:raises:3, attr.NAME=VALUE (also !=, ~, ?, &gt;, &lt;); ! negates a clause. Several lines must all hold.',
		typeOptions: { rows: 2 },
		displayOptions: { show: { ruleMode: ['text'] } },
	},
	{
		displayName: 'Rule (JSON)',
		name: 'ruleJson',
		type: 'json',
		default: '{\n  "all": [\n    { "bucket": ["high"] },\n    { "attribute": { "name": "country", "in": ["FR", "DE"] } }\n  ]\n}',
		description:
			'Kinds: bucket, score, probability, percentile (gt, gte, lt, lte, between), top (count or percent), factor, attribute; groups: all, any, not',
		displayOptions: { show: { ruleMode: ['json'] } },
	},
	{
		displayName: 'Pass On',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'All Members', value: 'all', description: 'Everyone in the segment now' },
			{ name: 'Entered Since Last Run', value: 'entered', description: 'Only members who were not members at the last run (everyone on the first run)' },
			{ name: 'Left Since Last Run', value: 'left', description: "Only last run's members who are not members now" },
		],
		default: 'all',
		description: 'What the In Segment output carries. Entered and Left compare with the membership remembered in the store under the segment name.',
	},
	{
		displayName: 'Segment Name',
		name: 'segmentName',
		type: 'string',
		default: '',
		placeholder: 'e.g. likely-buyers',
		description:
			'The membership is remembered in the store under this name for the next run. Needed to pass on who entered or left; optional for All Members.',
	},
	...storeProperties(),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Run Report Binary Field',
				name: 'reportBinaryPropertyName',
				type: 'string',
				default: '',
				placeholder: 'e.g. report',
				description:
					'Put the HTML report of the run (score distribution, bucket counts, members, who entered and who left) in this binary field of the first In Segment item (or of the first Not In Segment item when nobody is in it). Empty: no report.',
				// Over a scores table only the members come back: there is no score distribution to report on.
				displayOptions: { show: { '/scoresIn': ['items'] } },
			},
			{
				displayName: 'Run Time',
				name: 'runAt',
				type: 'string',
				default: '',
				placeholder: 'e.g. 2026-06-30T06:00:00Z',
				description: 'The time saved with the membership (ISO 8601). Empty: now.',
			},
			{
				displayName: 'Resend Run',
				name: 'resendRun',
				type: 'string',
				default: '',
				placeholder: 'e.g. 12 or latest',
				description:
					'Instead of building the segment, send again the entrants (or, with Pass On set to Left Since Last Run, the leavers) of a past run kept in the store under the segment name, e.g. after a step downstream failed. Each run reports its number as segment.run; the store keeps the last 30 runs. The membership is not changed.',
			},
		],
	},
];
