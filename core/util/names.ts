/**
 * Names of models and segments in the store. They become folder and file names, so they are
 * held to a short allow-list: nothing that could climb out of its folder, hide, or clash with
 * a device name on Windows.
 */
import { z } from 'zod';
import { InputError } from '../errors';

export const storeNameRule = 'use 1 to 100 letters, digits, dashes, underscores and dots, not starting with a dot (e.g. "churn-30d" or "buyers.v2")';

// Windows refuses these as file names whatever the extension; refusing them everywhere keeps a store portable.
const windowsDeviceNames = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

export const storeNameSchema = z
	.string({ message: `a name must be text: ${storeNameRule}` })
	.min(1, `the name is empty: ${storeNameRule}`)
	.max(100, `the name is longer than 100 characters: ${storeNameRule}`)
	.regex(/^[A-Za-z0-9_-][A-Za-z0-9._-]*$/, storeNameRule)
	.refine((name) => !windowsDeviceNames.test(name), `the name is reserved for a device on Windows: ${storeNameRule}`);

/** The name, unchanged, when it is allowed; else an InputError that says what names are allowed. */
export function checkStoreName(name: unknown, what: 'model' | 'segment'): string {
	const parsed = storeNameSchema.safeParse(name);
	if (parsed.success) return parsed.data;
	const shown = typeof name === 'string' ? JSON.stringify(name.length > 120 ? `${name.slice(0, 120)}…` : name) : String(name);
	throw new InputError(`The ${what} name ${shown} is not allowed: ${parsed.error.issues[0].message}.`, 'bad-store-name');
}
