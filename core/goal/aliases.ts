/**
 * Source column names as aliases of the event's own fields. A CSV's type column is usually
 * `event_type`, and a marketer writes that in a goal; the event table calls it `eventType`.
 * A field written like a canonical one, ignoring case, spaces, underscores, hyphens and dots
 * (`event_type`, `Event Type`, `EVENTTYPE`), is read as it, and the goal in words says so.
 */

/** The fields every event has, by their canonical names. */
const canonicalFields = ['eventType', 'value'] as const;

export interface FieldAlias {
	/** The field as written in the goal. */
	readonly written: string;
	/** The canonical field it is read as. */
	readonly field: (typeof canonicalFields)[number];
}

const squash = (name: string) => name.toLowerCase().replace(/[\s_\-.]/g, '');
const bySquashed = new Map(canonicalFields.map((field) => [squash(field), field]));

/** The canonical field a written field name stands for, or undefined when it is not an alias. */
export function canonicalFieldOf(written: string): FieldAlias['field'] | undefined {
	const field = bySquashed.get(squash(written));
	return field !== undefined && field !== written ? field : undefined;
}

/**
 * The goal JSON with every condition's aliased field replaced by its canonical name (a copy;
 * the input is not changed), and the aliases that were read. Anything that is not a condition
 * (an object with `field` and `op`) is copied as it is.
 */
export function resolveFieldAliases(raw: unknown): { goal: unknown; aliases: FieldAlias[] } {
	const aliases = new Map<string, FieldAlias>();
	const visit = (value: unknown): unknown => {
		if (Array.isArray(value)) return Array.from(value, (item) => visit(item));
		if (value === null || typeof value !== 'object') return value;
		const entries = Object.entries(value as Record<string, unknown>).map(([key, child]) => [key, visit(child)] as const);
		const copy = Object.fromEntries(entries) as Record<string, unknown>;
		if (typeof copy.field === 'string' && 'op' in copy) {
			const field = canonicalFieldOf(copy.field.trim());
			if (field) {
				aliases.set(copy.field, { written: copy.field, field });
				copy.field = field;
			}
		}
		return copy;
	};
	return { goal: visit(raw), aliases: [...aliases.values()] };
}

/** The aliases in words, e.g. `The field "event_type" is read as the event type (eventType).`; '' without any. */
export function describeAliases(aliases: readonly FieldAlias[]): string {
	return aliases
		.map(({ written, field }) => `The field "${written}" is read as ${field === 'eventType' ? 'the event type' : "the event's value"} (${field}).`)
		.join(' ');
}
