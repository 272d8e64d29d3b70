/**
 * A segment rule as a form a marketer fills in (the n8n Build Segment rules list, a Node-RED
 * editor): a list of rows, each testing one thing (bucket, score, probability, percentile, top
 * N or P%, a factor, an attribute) with values typed as text. One function turns the form into
 * the rule JSON of rules.ts, which then validates it, so every editor builds rules alike.
 */
import { InputError } from '../errors';
import { parseSegmentRule, type AttributeTest, type Comparison, type SegmentRule } from './rules';

export const formRuleKinds = ['bucket', 'score', 'probability', 'percentile', 'top', 'factor', 'attribute'] as const;
export type FormRuleKind = (typeof formRuleKinds)[number];

/** Comparisons of a number: score, probability, percentile, or a numeric attribute. */
export const formNumberOperators = ['gte', 'gt', 'lte', 'lt', 'between'] as const;
/** Tests of an attribute: the number comparisons and these. */
export const formAttributeOperators = ['equals', 'notEquals', 'in', 'notIn', 'contains', 'exists', 'notExists', ...formNumberOperators] as const;

/** One row of the form; only the fields its kind uses are read. Values are as typed (text or numbers). */
export interface SegmentFormRow {
	readonly kind: string;
	/** bucket: the buckets, a list or comma-separated text. */
	readonly buckets?: string | readonly string[];
	/** score, probability, percentile, attribute: the operator. */
	readonly operator?: string;
	/** The value compared with; for "between" the lower end; for in / notIn a comma-separated list. */
	readonly value?: string | number | boolean | null;
	/** "between": the upper end. */
	readonly to?: string | number | null;
	/** top: "count" (the N highest scores) or "percent" (the P% highest). */
	readonly topBy?: string;
	/** top: N or P. */
	readonly size?: string | number | null;
	/** factor: a feature's machine name or its label in words. */
	readonly factor?: string;
	/** factor: whether `factor` is a machine name ("feature", the default) or words ("label"). */
	readonly factorBy?: string;
	/** factor: "raises", "lowers" or "either" (the default). */
	readonly direction?: string;
	/** factor: only among the profile's K most influential factors (0 or absent: any). */
	readonly withinTop?: string | number | null;
	/** attribute: its name, e.g. "country". */
	readonly attribute?: string;
	/** Turns the row's test around: profiles that do not pass it. */
	readonly negate?: boolean;
}

export interface SegmentForm {
	/** How the rows combine: every row must hold ("all", the default) or at least one ("any"). */
	readonly match?: string;
	readonly rows: readonly SegmentFormRow[];
}

/** The rule a filled-in form describes, validated; an InputError names the row and the fix. */
export function ruleFromForm(form: SegmentForm): SegmentRule {
	const rows = form?.rows ?? [];
	if (rows.length === 0) throw new InputError('The segment has no rule: add at least one, e.g. Bucket is high.', 'bad-segment-rule');
	if (form.match !== undefined && form.match !== 'all' && form.match !== 'any') {
		throw new InputError(`The rules combine with "all" or "any", not ${JSON.stringify(form.match)}.`, 'bad-segment-rule');
	}
	const rules = rows.map((row, i) => {
		const where = `rule ${i + 1}`;
		const rule = ruleOfRow(row, where);
		return parseSegmentRule(row.negate ? { not: rule } : rule, `the segment ${where}`);
	});
	if (rules.length === 1) return rules[0];
	return form.match === 'any' ? { any: rules } : { all: rules };
}

function ruleOfRow(row: SegmentFormRow, where: string): unknown {
	const kind = row?.kind as FormRuleKind;
	switch (kind) {
		case 'bucket':
			return { bucket: listOf(row.buckets).map((bucket) => bucket.toLowerCase()) };
		case 'score':
		case 'probability':
		case 'percentile':
			return { [kind]: comparisonOf(row, kind, where) };
		case 'top': {
			const by = row.topBy ?? 'count';
			if (by !== 'count' && by !== 'percent')
				throw new InputError(`The segment ${where} ranks by "count" or "percent", not ${JSON.stringify(by)}.`, 'bad-segment-rule');
			return { top: { [by]: numberOf(row.size, `the size of the top in ${where}`) } };
		}
		case 'factor':
			return { factor: factorOf(row, where) };
		case 'attribute':
			return attributeOf(row, where);
		default:
			throw new InputError(`The segment ${where} tests ${JSON.stringify(row?.kind)}; use one of ${formRuleKinds.join(', ')}.`, 'bad-segment-rule');
	}
}

function comparisonOf(row: SegmentFormRow, field: string, where: string): Comparison {
	const operator = row.operator ?? 'gte';
	if (!(formNumberOperators as readonly string[]).includes(operator)) {
		throw new InputError(`The segment ${where} compares ${field} with "${operator}"; use one of ${formNumberOperators.join(', ')}.`, 'bad-segment-rule');
	}
	const value = numberOf(row.value, `the ${field} in ${where}`);
	if (operator === 'between') return { between: [value, numberOf(row.to, `the upper end of the ${field} range in ${where}`)] };
	return { [operator]: value };
}

function factorOf(row: SegmentFormRow, where: string): Record<string, unknown> {
	const name = (row.factor ?? '').trim();
	if (name === '')
		throw new InputError(`The segment ${where} tests a factor but names none: give a feature name, e.g. "email_click_count_30d".`, 'bad-segment-rule');
	const by = row.factorBy ?? 'feature';
	if (by !== 'feature' && by !== 'label')
		throw new InputError(`The segment ${where} names its factor by "feature" or "label", not ${JSON.stringify(by)}.`, 'bad-segment-rule');
	const direction = row.direction ?? 'either';
	if (direction !== 'either' && direction !== 'raises' && direction !== 'lowers') {
		throw new InputError(`The segment ${where} asks the factor to "raises", "lowers" or "either", not ${JSON.stringify(direction)}.`, 'bad-segment-rule');
	}
	const withinTop = isBlank(row.withinTop) || Number(row.withinTop) === 0 ? undefined : numberOf(row.withinTop, `"within top" in ${where}`);
	return { [by]: name, ...(direction === 'either' ? {} : { direction }), ...(withinTop === undefined ? {} : { withinTop }) };
}

function attributeOf(row: SegmentFormRow, where: string): SegmentRule | Record<string, unknown> {
	const name = (row.attribute ?? '').trim();
	if (name === '') throw new InputError(`The segment ${where} tests an attribute but names none: give its name, e.g. "country".`, 'bad-segment-rule');
	const operator = row.operator ?? 'equals';
	const test = (fields: Omit<AttributeTest, 'name'>) => ({ attribute: { name, ...fields } });
	switch (operator) {
		case 'equals':
			return test({ equals: textOf(row.value, name, where) });
		case 'notEquals':
			return { not: test({ equals: textOf(row.value, name, where) }) };
		case 'in':
			return test({ in: listOf(textOf(row.value, name, where)) });
		case 'notIn':
			return { not: test({ in: listOf(textOf(row.value, name, where)) }) };
		case 'contains':
			return test({ contains: textOf(row.value, name, where) });
		case 'exists':
			return test({ exists: true });
		case 'notExists':
			return test({ exists: false });
		default:
			if ((formNumberOperators as readonly string[]).includes(operator)) return test(comparisonOf(row, name, where));
			throw new InputError(
				`The segment ${where} tests the attribute ${name} with "${operator}"; use one of ${formAttributeOperators.join(', ')}.`,
				'bad-segment-rule',
			);
	}
}

function isBlank(value: unknown): boolean {
	return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function numberOf(value: unknown, what: string): number {
	const number = typeof value === 'number' ? value : isBlank(value) ? NaN : Number(String(value).trim());
	if (!Number.isFinite(number))
		throw new InputError(
			`${what.charAt(0).toUpperCase()}${what.slice(1)} must be a number, not ${isBlank(value) ? 'empty' : JSON.stringify(value)}.`,
			'bad-segment-rule',
		);
	return number;
}

function textOf(value: unknown, name: string, where: string): string {
	if (isBlank(value)) throw new InputError(`The segment ${where} tests the attribute ${name} but gives no value to compare with.`, 'bad-segment-rule');
	return String(value).trim();
}

/** A list from a list or from comma-separated text, blanks left out. */
function listOf(value: string | readonly string[] | undefined): string[] {
	const items = typeof value === 'string' ? value.split(',') : (value ?? []);
	return items.map((item) => String(item).trim()).filter((item) => item !== '');
}
