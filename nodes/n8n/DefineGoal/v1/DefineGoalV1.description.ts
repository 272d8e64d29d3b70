import type { INodeProperties } from 'n8n-workflow';
import { conditionRowFields } from '../../shared/conditions';

const exampleGoal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 365,
};

const form = { show: { mode: ['form'] } };

/** The parameters of Define Goal, version 1. */
export const defineGoalProperties: INodeProperties[] = [
	{
		displayName: 'Define With',
		name: 'mode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Form', value: 'form', description: 'Fill in what to predict, field by field' },
			{ name: 'JSON', value: 'json', description: 'Paste or build the goal JSON (for goals the form cannot express, e.g. nested conditions)' },
		],
		default: 'form',
	},
	{
		displayName: 'Goal Name',
		name: 'goalName',
		type: 'string',
		default: '',
		placeholder: 'e.g. purchase-in-30-days',
		description:
			'A short name; models trained for this goal are saved under it unless Train Model names them otherwise. Empty: named from the outcome, e.g. purchase-in-30-days.',
		displayOptions: form,
	},
	{
		displayName: 'Propensity Type',
		name: 'propensityType',
		type: 'options',
		options: [
			{ name: 'Churn', value: 'churn', description: 'Who is likely to stop: a score of how likely the outcome does not happen' },
			{ name: 'Conversion', value: 'conversion', description: 'Who is likely to do something: buy, sign up, click' },
		],
		default: 'conversion',
		displayOptions: form,
	},
	{
		displayName: 'The Outcome',
		name: 'occur',
		type: 'options',
		options: [
			{ name: 'Will Happen', value: 'will_occur', description: 'A profile is positive when a matching event happens within the window' },
			{ name: 'Will Not Happen', value: 'will_not_occur', description: 'A profile is positive when no matching event happens within the window (churn)' },
		],
		default: 'will_occur',
		displayOptions: form,
	},
	{
		displayName: 'Outcome Events',
		name: 'conditions',
		type: 'fixedCollection',
		placeholder: 'Add Condition',
		typeOptions: { multipleValues: true },
		default: { condition: [{ field: 'eventType', op: 'equals', value: 'purchase' }] },
		description: 'Which events count as the outcome, e.g. eventType is equal to purchase',
		displayOptions: form,
		options: [{ displayName: 'Condition', name: 'condition', values: conditionRowFields('eventType', 'purchase') }],
	},
	{
		displayName: 'Match',
		name: 'match',
		type: 'options',
		options: [
			{ name: 'All Conditions', value: 'all', description: 'An outcome event meets every condition' },
			{ name: 'Any Condition', value: 'any', description: 'An outcome event meets at least one condition' },
		],
		default: 'all',
		displayOptions: form,
	},
	{
		displayName: 'Outcome Window (Days)',
		name: 'windowDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 365 },
		default: 30,
		description: 'How many days after the scoring date the outcome is watched for',
		displayOptions: form,
	},
	{
		displayName: 'Eligible If Active Within (Days)',
		name: 'activeWithinDays',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 45,
		description: 'Only profiles with an event in this many days before the scoring date are trained on and scored. 0: every profile.',
		displayOptions: form,
	},
	{
		displayName: 'Lookback (Days)',
		name: 'lookbackDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 3650 },
		default: 365,
		description: 'How far back features look from each scoring date',
		displayOptions: form,
	},
	{
		displayName: 'Custom Events',
		name: 'customEvents',
		type: 'fixedCollection',
		placeholder: 'Add Custom Event',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Extra events to learn from, e.g. "spring campaign clicks": campaign is equal to spring-sale',
		displayOptions: form,
		options: [
			{
				displayName: 'Custom Event',
				name: 'event',
				values: [
					{
						displayName: 'Name',
						name: 'name',
						type: 'string',
						default: '',
						placeholder: 'e.g. spring campaign clicks',
						description: 'How the reasons behind scores call these events',
					},
					...conditionRowFields('campaign', ''),
				],
			},
		],
	},
	{
		displayName: 'Profile Attributes',
		name: 'profileAttributes',
		type: 'string',
		default: '',
		placeholder: 'e.g. country, loyalty_tier',
		description: 'Comma-separated attributes with one value per profile to learn from',
		displayOptions: form,
	},
	{
		displayName: 'Exclusions',
		name: 'exclusions',
		type: 'fixedCollection',
		placeholder: 'Add Exclusion',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Events to ignore altogether, e.g. eventType is equal to test_event',
		displayOptions: form,
		options: [{ displayName: 'Exclusion', name: 'exclusion', values: conditionRowFields('eventType', '') }],
	},
	{
		displayName: 'Goal (JSON)',
		name: 'goalJson',
		type: 'json',
		default: JSON.stringify(exampleGoal, null, 2),
		description:
			'The goal as JSON: name, propensityType, outcome { occur, windowDays, when }, eligibility, lookbackDays, customEvents, profileAttributes, exclusions',
		displayOptions: { show: { mode: ['json'] } },
	},
	{
		displayName: 'Options',
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
					'Judge readiness as of this date (ISO 8601); later events are ignored. A date alone (2026-06-30) means the end of that day, UTC. Empty: the latest event.',
			},
			{
				displayName: 'Events Binary Field',
				name: 'eventsBinaryPropertyName',
				type: 'string',
				default: 'events',
				description: 'The input binary field holding the events from Load Events. Without it the goal is checked on its own, not against data.',
			},
			{
				displayName: 'Minimum Negatives',
				name: 'minNegatives',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description: 'Negative examples (the outcome did not happen) needed over all training dates',
			},
			{
				displayName: 'Minimum Positives',
				name: 'minPositives',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 500,
				description: 'Positive examples (the outcome happened) needed over all training dates',
			},
		],
	},
];
