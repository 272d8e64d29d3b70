/**
 * Whole numbers written for people, thousands separated by commas ("80,000"), as
 * `toLocaleString('en-US')` writes them but without it: the first call of `toLocaleString` in a
 * process sets up the ICU number formatter, 30–50 ms of CPU, which a short command such as
 * `propensity train --table` would otherwise spend to print a few counts.
 */

/** `value.toLocaleString('en-US')`, by hand for whole numbers (anything else goes to the built-in). */
export function withThousands(value: number): string {
	if (!Number.isSafeInteger(value)) return value.toLocaleString('en-US');
	const digits = String(Math.abs(value));
	let out = digits.slice(0, ((digits.length - 1) % 3) + 1);
	for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
	return value < 0 || Object.is(value, -0) ? `-${out}` : out;
}
