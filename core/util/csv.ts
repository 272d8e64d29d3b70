/**
 * A CSV cell as RFC 4180 writes it: quoted (with quotes doubled) when it holds a comma, a quote
 * or a line break, or starts or ends with white space that a reader might trim; empty for no value.
 */
export function csvCell(value: string | number | null | undefined): string {
	if (value === null || value === undefined) return '';
	const text = String(value);
	return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * Spreadsheet safety (the usual rule against formula injection): a text cell starting with
 * = + - @, a tab or a carriage return would run as a formula in Excel, LibreOffice or Google
 * Sheets, so it is written with a leading apostrophe, which spreadsheets show as text and hide.
 * Text that already starts with apostrophes before such a character gets one more, so
 * `fromSpreadsheetSafe` gives back exactly what was written. Numbers are left alone: -0.5 is a
 * number, not a formula.
 */
export function spreadsheetSafe(text: string): string {
	return /^'*[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** Undoes `spreadsheetSafe`: drops one leading apostrophe before = + - @, a tab or a carriage return. */
export function fromSpreadsheetSafe(text: string): string {
	return /^'+[=+\-@\t\r]/.test(text) ? text.slice(1) : text;
}

/** A CSV cell as `csvCell` writes it, with text made safe for spreadsheets first. */
export function safeCsvCell(value: string | number | null | undefined): string {
	return csvCell(typeof value === 'string' ? spreadsheetSafe(value) : value);
}

/** The cell writer for a file: spreadsheet-safe or plain. */
export function csvCellWriter(spreadsheetSafeCells: boolean | undefined): (value: string | number | null | undefined) => string {
	return spreadsheetSafeCells ? safeCsvCell : csvCell;
}
