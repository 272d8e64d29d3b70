/**
 * A CSV cell as RFC 4180 writes it: quoted (with quotes doubled) when it holds a comma, a quote
 * or a line break, or starts or ends with white space that a reader might trim; empty for no value.
 */
export function csvCell(value: string | number | null | undefined): string {
	if (value === null || value === undefined) return '';
	const text = String(value);
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
