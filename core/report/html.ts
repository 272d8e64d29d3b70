/**
 * Building HTML and SVG safely: every value interpolated through the `html` tag is escaped
 * by `escapeHtml`, the one escape function of the report, unless it is already `SafeHtml`
 * (markup the report built itself). A user string can therefore never become markup.
 */

/** Markup the report built itself; the only thing `html` inserts without escaping. */
export class SafeHtml {
	constructor(readonly value: string) {}
	toString(): string {
		return this.value;
	}
}

const entities: Readonly<Record<string, string>> = {
	'&': '&amp;',
	'<': '&lt;',
	'>': '&gt;',
	'"': '&quot;',
	"'": '&#39;',
};

/** Escapes text for HTML and SVG, in element content and in quoted attributes alike. */
export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (char) => entities[char]);
}

export type HtmlValue = SafeHtml | string | number | null | undefined | false | readonly HtmlValue[];

/** A template tag that escapes every interpolated value except `SafeHtml`; arrays are joined. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
	let out = strings[0];
	for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
	return new SafeHtml(out);
}

/** Joins fragments into one, escaping any plain strings among them. */
export function join(parts: readonly HtmlValue[], separator = ''): SafeHtml {
	return new SafeHtml(parts.map(piece).join(separator));
}

function piece(value: HtmlValue): string {
	if (value instanceof SafeHtml) return value.value;
	if (Array.isArray(value)) return value.map(piece).join('');
	if (value === null || value === undefined || value === false) return '';
	return escapeHtml(String(value));
}
