/**
 * The (field, operator, value) rows of Define Goal's form, shared by its outcome conditions,
 * custom events and exclusions. The operators are the goal schema's, in words.
 */
import type { INodePropertyOptions, INodeProperties } from 'n8n-workflow';

export const operatorOptions: INodePropertyOptions[] = [
	{ name: 'Contains', value: 'contains', description: 'The text contains the value' },
	{ name: 'Does Not Exist', value: 'notExists', description: 'The field has no value' },
	{ name: 'Exists', value: 'exists', description: 'The field has a value' },
	{ name: 'Is at Least', value: 'gte', description: 'A number at least the value' },
	{ name: 'Is at Most', value: 'lte', description: 'A number at most the value' },
	{ name: 'Is Equal To', value: 'equals' },
	{ name: 'Is Greater Than', value: 'gt', description: 'A number greater than the value' },
	{ name: 'Is Less Than', value: 'lt', description: 'A number less than the value' },
	{ name: 'Is Not Equal To', value: 'notEquals' },
	{ name: 'Is Not One Of', value: 'notIn', description: 'None of the comma-separated values' },
	{ name: 'Is One Of', value: 'in', description: 'One of the comma-separated values' },
	{ name: 'Starts With', value: 'startsWith', description: 'The text starts with the value' },
];

/** The field, operator and value of one condition row (plus any leading fields, e.g. a custom event's name). */
export function conditionRowFields(defaultField = 'eventType', defaultValue = ''): INodeProperties[] {
	return [
		{
			displayName: 'Field',
			name: 'field',
			type: 'string',
			default: defaultField,
			placeholder: 'e.g. eventType',
			description: 'The event field: eventType, value, or an attribute loaded with the events (channel, campaign…)',
		},
		{
			displayName: 'Operator',
			name: 'op',
			type: 'options',
			options: operatorOptions,
			default: 'equals',
		},
		{
			displayName: 'Value',
			name: 'value',
			type: 'string',
			default: defaultValue,
			placeholder: 'e.g. purchase',
			description: 'Compared with the field; for "is one of", a comma-separated list',
			displayOptions: { hide: { op: ['exists', 'notExists'] } },
		},
	];
}
