import { InputError } from '../../../core';

/** A JSON parameter's value: objects as they are, text parsed; an InputError when it is not JSON. */
export function jsonParameter(value: unknown, what: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') throw new InputError(`${what} is empty: give it as JSON.`, 'bad-json');
	try {
		return JSON.parse(value);
	} catch (error) {
		// eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- a core error with its code; perItem turns it into the node's NodeOperationError
		throw new InputError(`${what} is not valid JSON: ${(error as Error).message}.`, 'bad-json');
	}
}
