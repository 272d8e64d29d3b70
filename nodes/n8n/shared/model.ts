/**
 * Where a node finds its model: in the store by name (latest or a version), or in a binary
 * property of the item (model.json from Train Model or a file). Shared by Score Profiles and
 * Explain Factors.
 */
import type { INodeProperties } from 'n8n-workflow';
import { InputError } from '../../../core';
import { storeProperties } from './store';

/** `latest`, or a version number written as text or a number. */
export function modelVersionOf(value: unknown, name: string): number | 'latest' {
	const text = String(value ?? '')
		.trim()
		.toLowerCase();
	if (text === '' || text === 'latest') return 'latest';
	const version = Number(text);
	if (Number.isInteger(version) && version >= 1) return version;
	throw new InputError(`The version of model "${name}" is "${String(value)}": use "latest" or a whole number from 1.`, 'bad-model-version');
}

/** The model source parameters: Model From, the name and version in the store, or the binary field. */
export function modelSourceProperties(storeDescription: string): INodeProperties[] {
	return [
		{
			displayName: 'Model From',
			name: 'modelSource',
			type: 'options',
			options: [
				{
					name: 'Binary Field',
					value: 'binary',
					description: 'A model JSON file in a binary field of the item (from Train Model in the same workflow, or a file)',
				},
				{ name: 'Store', value: 'store', description: storeDescription },
			],
			default: 'store',
		},
		{
			displayName: 'Model Binary Field',
			name: 'modelBinaryPropertyName',
			type: 'string',
			default: 'model',
			description: 'The input binary field holding the model JSON',
			displayOptions: { show: { modelSource: ['binary'] } },
		},
		...storeProperties({ modelSource: ['store'] }),
	];
}
