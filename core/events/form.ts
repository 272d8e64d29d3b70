/**
 * The event mapping as a node dialog holds it (the n8n Load Events fields, the Node-RED load
 * events dialog): text fields, blank meaning "the preset's choice", and a list of attribute
 * rows. One function turns it into load options, so both editors map events the same way; the
 * options still go through the loader's validation.
 */
import { InputError } from '../errors';
import type { LoadOptions } from './load';
import type { AttributeKind } from './table';

/** One attribute row: the name goals and segments use, the field path (blank: the name), the kind. */
export interface FormAttribute {
	readonly name?: string;
	readonly path?: string;
	readonly kind?: string;
}

export interface LoadForm {
	/** flat, xdm, or blank / auto to detect. */
	readonly preset?: string;
	readonly id?: string;
	readonly time?: string;
	readonly type?: string;
	/** The value field; null when the events have no value. */
	readonly value?: string | null;
	readonly attributes?: readonly FormAttribute[];
	readonly namespace?: string;
	readonly timeZone?: string;
	readonly timeUnit?: string;
	readonly badRows?: string;
	readonly dropDuplicates?: boolean;
	readonly maxExamples?: number;
	/** The text encoding of a file: blank or utf-8, latin1, windows-1252, utf-16le, utf-16be. */
	readonly encoding?: string;
}

/** Load options from a filled-in form. Throws InputError for an attribute row without a name or a name given twice. */
export function loadOptionsFromForm(form: LoadForm): LoadOptions {
	const preset = blankToUndefined(form.preset);
	const options = {
		preset: preset === 'auto' ? undefined : preset,
		id: blankToUndefined(form.id),
		time: blankToUndefined(form.time),
		type: blankToUndefined(form.type),
		value: form.value === null ? null : blankToUndefined(form.value),
		attributes: form.attributes?.length ? attributesOf(form.attributes) : undefined,
		namespace: blankToUndefined(form.namespace),
		timeZone: blankToUndefined(form.timeZone),
		timeUnit: blankToUndefined(form.timeUnit),
		badRows: blankToUndefined(form.badRows),
		dropDuplicates: form.dropDuplicates,
		maxExamples: form.maxExamples,
		encoding: blankToUndefined(form.encoding),
	};
	// The loader's options are strict: an unset field is left out, not sent as undefined.
	return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as LoadOptions;
}

function attributesOf(rows: readonly FormAttribute[]): NonNullable<LoadOptions['attributes']> {
	const attributes: NonNullable<LoadOptions['attributes']> = {};
	rows.forEach((row, i) => {
		const name = blankToUndefined(row.name);
		if (!name) throw new InputError(`Attribute ${i + 1} has no name: give the name goals and segments will use, e.g. "channel".`, 'bad-mapping');
		if (name in attributes)
			throw new InputError(`The attribute "${name}" is declared twice (attribute ${i + 1}): give each attribute once.`, 'bad-mapping');
		attributes[name] = { path: blankToUndefined(row.path) ?? name, kind: (blankToUndefined(row.kind) ?? 'category') as AttributeKind };
	});
	return attributes;
}

function blankToUndefined(text: string | undefined): string | undefined {
	return text === undefined || text.trim() === '' ? undefined : text.trim();
}
