/**
 * Segment rules: the public JSON format that says who is in a segment. A rule is an object
 * with exactly one key saying its kind; groups (`all`, `any`, `not`) nest other rules.
 *
 *   { "bucket": ["high", "medium"] }
 *   { "score": { "gte": 80 } }            also probability (0–1) and percentile (1–100);
 *                                         gt, gte, lt, lte, between: [from, to] (inclusive)
 *   { "top": { "count": 100 } }           the 100 highest scores; or { "percent": 10 };
 *                                         optional "among": a rule saying whom to rank
 *   { "factor": { "feature": "email_click_count_30d", "direction": "raises", "withinTop": 3 } }
 *                                         or "label": "emails clicked in the last 30 days"
 *   { "attribute": { "name": "country", "equals": "FR" } }
 *                                         in: [..], contains: "..", exists: true|false,
 *                                         gt, gte, lt, lte, between (numbers)
 *   { "all": [rule, …] }  { "any": [rule, …] }  { "not": rule }
 */
import { z } from 'zod';
import { InputError } from '../errors';
import type { Bucket } from '../score/types';

export interface Comparison {
	readonly gt?: number;
	readonly gte?: number;
	readonly lt?: number;
	readonly lte?: number;
	/** Both ends included. */
	readonly between?: readonly [number, number];
}

export type AttributeValue = string | number | boolean;

export interface AttributeTest extends Comparison {
	readonly name: string;
	readonly equals?: AttributeValue;
	readonly in?: readonly AttributeValue[];
	readonly contains?: string;
	/** true: present and not empty; false: missing, null or empty. */
	readonly exists?: boolean;
}

export type Direction = 'raises' | 'lowers';

export interface FactorTest {
	/** The feature's machine name; give this or `label`. */
	readonly feature?: string;
	/** The feature's human label; give this or `feature`. */
	readonly label?: string;
	/** Whether the factor must raise or lower the chance; either when left out. */
	readonly direction?: Direction;
	/** Only among the profile's K most influential factors (largest impact first). */
	readonly withinTop?: number;
}

export interface TopTest {
	readonly count?: number;
	readonly percent?: number;
	/** Rank only the profiles this rule admits (all scored profiles when left out). */
	readonly among?: SegmentRule;
}

export type SegmentRule =
	| { readonly all: readonly SegmentRule[] }
	| { readonly any: readonly SegmentRule[] }
	| { readonly not: SegmentRule }
	| { readonly bucket: readonly Bucket[] }
	| { readonly score: Comparison }
	| { readonly probability: Comparison }
	| { readonly percentile: Comparison }
	| { readonly top: TopTest }
	| { readonly factor: FactorTest }
	| { readonly attribute: AttributeTest };

export const ruleKinds = ['all', 'any', 'not', 'bucket', 'score', 'probability', 'percentile', 'top', 'factor', 'attribute'] as const;
export type RuleKind = (typeof ruleKinds)[number];

const maxDepth = 32;
const finite = z.number({ message: 'must be a number' });

function comparisonShape(bounds?: { min: number; max: number; hint: string }) {
	const inRange = bounds ? finite.min(bounds.min, bounds.hint).max(bounds.max, bounds.hint) : finite;
	return {
		gt: inRange.optional(),
		gte: inRange.optional(),
		lt: inRange.optional(),
		lte: inRange.optional(),
		between: z
			.tuple([inRange, inRange], { message: 'between takes two numbers, [from, to]' })
			.refine(([from, to]) => from <= to, 'between takes [from, to] with from ≤ to')
			.optional(),
	};
}

const comparisonKeys = ['gt', 'gte', 'lt', 'lte', 'between'] as const;
const hasComparison = (value: Record<string, unknown>) => comparisonKeys.some((key) => value[key] !== undefined);

function comparisonSchema(bounds: { min: number; max: number; hint: string }) {
	return z
		.object(comparisonShape(bounds), { message: 'must be an object such as { "gte": 80 }' })
		.strict()
		.refine(hasComparison, 'give at least one of gt, gte, lt, lte, between');
}

const bucketSchema = z.preprocess(
	(value) => (typeof value === 'string' ? [value] : value),
	z
		.array(z.enum(['low', 'medium', 'high'], { message: 'a bucket is "low", "medium" or "high"' }), { message: 'must list buckets, e.g. ["high"]' })
		.min(1, 'list at least one bucket'),
);

const attributeValue = z.union([z.string(), z.number(), z.boolean()], { message: 'must be text, a number or true/false' });

const attributeSchema = z
	.object(
		{
			name: z.string({ message: 'name the attribute, e.g. "country"' }).min(1, 'name the attribute, e.g. "country"'),
			equals: attributeValue.optional(),
			in: z.array(attributeValue, { message: 'must list values, e.g. ["FR", "DE"]' }).min(1, 'list at least one value').optional(),
			contains: z.string({ message: 'must be text' }).min(1, 'give the text to look for').optional(),
			exists: z.boolean({ message: 'must be true or false' }).optional(),
			...comparisonShape(),
		},
		{ message: 'must be an object such as { "name": "country", "equals": "FR" }' },
	)
	.strict()
	.refine(
		(test) => test.equals !== undefined || test.in !== undefined || test.contains !== undefined || test.exists !== undefined || hasComparison(test),
		'give a test: equals, in, contains, exists, gt, gte, lt, lte or between',
	);

const factorSchema = z
	.object(
		{
			feature: z.string().min(1).optional(),
			label: z.string().min(1).optional(),
			direction: z.enum(['raises', 'lowers'], { message: 'direction is "raises" or "lowers"' }).optional(),
			withinTop: z.number().int('withinTop must be a whole number').min(1, 'withinTop must be at least 1').optional(),
		},
		{ message: 'must be an object such as { "feature": "email_click_count_30d", "direction": "raises" }' },
	)
	.strict()
	.refine((test) => (test.feature === undefined) !== (test.label === undefined), 'give either "feature" (the machine name) or "label" (the words), not both');

const topSchema = z
	.object(
		{
			count: z.number().int('count must be a whole number').min(1, 'count must be at least 1').optional(),
			percent: finite.gt(0, 'percent must be more than 0').max(100, 'percent must be at most 100').optional(),
			among: z.unknown().optional(),
		},
		{ message: 'must be an object such as { "count": 100 } or { "percent": 10 }' },
	)
	.strict()
	.refine((test) => (test.count === undefined) !== (test.percent === undefined), 'give either "count" or "percent", not both');

const leafSchemas = {
	bucket: bucketSchema,
	score: comparisonSchema({ min: 0, max: 100, hint: 'a score is from 0 to 100' }),
	probability: comparisonSchema({ min: 0, max: 1, hint: 'a probability is from 0 to 1 (for 0–100 use "score")' }),
	percentile: comparisonSchema({ min: 0, max: 100, hint: 'a percentile is from 1 to 100' }),
	factor: factorSchema,
	attribute: attributeSchema,
} as const;

/** The rule, checked and normalised, or an InputError that names the place in the rule and the fix. */
export function parseSegmentRule(input: unknown, source = 'the segment rule'): SegmentRule {
	return parseAt(input, [], source, 0);
}

function parseAt(input: unknown, path: (string | number)[], source: string, depth: number): SegmentRule {
	const fail = (problem: string): never => {
		throw new InputError(`${capitalise(source)} is not valid at ${where(path)}: ${problem}.`, 'bad-segment-rule', { path });
	};
	if (depth > maxDepth) fail(`rules nest more than ${maxDepth} deep`);
	if (typeof input !== 'object' || input === null || Array.isArray(input))
		fail(`expected a rule object such as { "bucket": ["high"] }, got ${describeValue(input)}`);
	const keys = Object.keys(input as object);
	if (keys.length !== 1 || !(ruleKinds as readonly string[]).includes(keys[0])) {
		const unknown = keys.filter((key) => !(ruleKinds as readonly string[]).includes(key));
		const said =
			keys.length === 0
				? 'it is empty'
				: unknown.length > 0
					? `"${unknown[0]}" is not a rule kind`
					: `it has ${keys.length} kinds (${keys.join(', ')}); wrap them in { "all": [...] } or { "any": [...] }`;
		fail(`${said}. A rule has exactly one of ${ruleKinds.join(', ')}`);
	}
	const kind = keys[0] as RuleKind;
	const value = (input as Record<string, unknown>)[kind];
	const here = [...path, kind];
	switch (kind) {
		case 'all':
		case 'any': {
			if (!Array.isArray(value) || value.length === 0) {
				throw new InputError(`${capitalise(source)} is not valid at ${where(here)}: "${kind}" takes a non-empty list of rules.`, 'bad-segment-rule', {
					path: here,
				});
			}
			const items = (value as unknown[]).map((item, index) => parseAt(item, [...here, index], source, depth + 1));
			return kind === 'all' ? { all: items } : { any: items };
		}
		case 'not':
			return { not: parseAt(value, here, source, depth + 1) };
		case 'top': {
			const top = checkLeaf(topSchema, value, here, source);
			const among = top.among === undefined ? undefined : parseAt(top.among, [...here, 'among'], source, depth + 1);
			return { top: { ...(top.count !== undefined ? { count: top.count } : { percent: top.percent }), ...(among ? { among } : {}) } };
		}
		default: {
			const leaf = checkLeaf(leafSchemas[kind] as z.ZodType, value, here, source);
			const range = kind === 'attribute' ? { min: -Infinity, max: Infinity, what: '' } : valueRanges[kind as keyof typeof valueRanges];
			if (range && !canMatch(leaf as Comparison, range)) {
				fail(
					`${describeComparison(kind === 'attribute' ? (leaf as AttributeTest).name : kind, leaf as Comparison)} never holds (${Number.isFinite(range.min) ? `${range.what} is from ${range.min} to ${range.max}` : 'no value passes every bound'}), so the rule would admit no one: check the number and the comparison`,
				);
			}
			return { [kind]: leaf } as SegmentRule;
		}
	}
}

/** The values each scored field can take: a comparison outside them admits no one, which is a mistake, not a segment. */
const valueRanges = {
	score: { min: 0, max: 100, what: 'a score' },
	probability: { min: 0, max: 1, what: 'a probability' },
	percentile: { min: 1, max: 100, what: 'a percentile' },
} as const;

/** Whether some value within [min, max] passes every bound of the comparison. */
function canMatch(test: Comparison, range: { min: number; max: number }): boolean {
	let low = range.min;
	let lowOpen = false;
	let high = range.max;
	let highOpen = false;
	const raise = (bound: number, open: boolean) => {
		if (bound > low || (bound === low && open)) [low, lowOpen] = [bound, open];
	};
	const lower = (bound: number, open: boolean) => {
		if (bound < high || (bound === high && open)) [high, highOpen] = [bound, open];
	};
	if (test.gt !== undefined) raise(test.gt, true);
	if (test.gte !== undefined) raise(test.gte, false);
	if (test.between !== undefined) {
		raise(test.between[0], false);
		lower(test.between[1], false);
	}
	if (test.lt !== undefined) lower(test.lt, true);
	if (test.lte !== undefined) lower(test.lte, false);
	return low < high || (low === high && !lowOpen && !highOpen);
}

function checkLeaf<T>(schema: z.ZodType<T>, value: unknown, path: (string | number)[], source: string): T {
	const parsed = schema.safeParse(value);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	const full = [...path, ...(issue.path as (string | number)[])];
	const message = issue.code === 'unrecognized_keys' ? `"${issue.keys[0]}" is not known here` : issue.message;
	throw new InputError(`${capitalise(source)} is not valid at ${where(full)}: ${message}.`, 'bad-segment-rule', { path: full });
}

/** `all[1].score.gte`, or `the top` for the root. */
function where(path: readonly (string | number)[]): string {
	if (path.length === 0) return 'the top';
	return path.map((part, index) => (typeof part === 'number' ? `[${part}]` : index === 0 ? part : `.${part}`)).join('');
}

function describeValue(value: unknown): string {
	if (Array.isArray(value)) return 'a list';
	if (value === null) return 'null';
	return typeof value === 'string' ? `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}` : `${typeof value} ${String(value)}`;
}

function capitalise(text: string): string {
	return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The rule in words, e.g. `bucket is high and score ≥ 80`. */
export function describeRule(rule: SegmentRule): string {
	return describe(rule, false);
}

function describe(rule: SegmentRule, nested: boolean): string {
	const group = (items: readonly SegmentRule[], joiner: string) => {
		const text = items.map((item) => describe(item, true)).join(joiner);
		return nested && items.length > 1 ? `(${text})` : text;
	};
	if ('all' in rule) return group(rule.all, ' and ');
	if ('any' in rule) return group(rule.any, ' or ');
	if ('not' in rule) return `not ${describe(rule.not, true)}`;
	if ('bucket' in rule) return `bucket is ${rule.bucket.join(' or ')}`;
	if ('score' in rule) return describeComparison('score', rule.score);
	if ('probability' in rule) return describeComparison('probability', rule.probability);
	if ('percentile' in rule) return describeComparison('percentile', rule.percentile);
	if ('top' in rule) {
		const size = rule.top.count !== undefined ? `${rule.top.count}` : `${rule.top.percent}%`;
		return `in the top ${size} by score${rule.top.among ? ` among those where ${describe(rule.top.among, true)}` : ''}`;
	}
	if ('factor' in rule) {
		const { feature, label, direction, withinTop } = rule.factor;
		const name = feature !== undefined ? `"${feature}"` : `"${label}"`;
		const effect = direction === 'raises' ? ' raises the chance' : direction === 'lowers' ? ' lowers the chance' : ' is a factor';
		return `${name}${effect}${withinTop !== undefined ? ` (within the top ${withinTop} factors)` : ''}`;
	}
	return describeAttribute(rule.attribute);
}

function describeComparison(field: string, comparison: Comparison): string {
	const parts: string[] = [];
	if (comparison.gt !== undefined) parts.push(`${field} > ${comparison.gt}`);
	if (comparison.gte !== undefined) parts.push(`${field} ≥ ${comparison.gte}`);
	if (comparison.lt !== undefined) parts.push(`${field} < ${comparison.lt}`);
	if (comparison.lte !== undefined) parts.push(`${field} ≤ ${comparison.lte}`);
	if (comparison.between !== undefined) parts.push(`${field} from ${comparison.between[0]} to ${comparison.between[1]}`);
	return parts.join(' and ');
}

function describeAttribute(test: AttributeTest): string {
	const parts: string[] = [];
	const show = (value: AttributeValue) => (typeof value === 'string' ? JSON.stringify(value) : String(value));
	if (test.exists === true) parts.push(`${test.name} is present`);
	if (test.exists === false) parts.push(`${test.name} is missing`);
	if (test.equals !== undefined) parts.push(`${test.name} is ${show(test.equals)}`);
	if (test.in !== undefined) parts.push(`${test.name} is one of ${test.in.map(show).join(', ')}`);
	if (test.contains !== undefined) parts.push(`${test.name} contains ${show(test.contains)}`);
	if (hasComparison(test as unknown as Record<string, unknown>)) parts.push(describeComparison(test.name, test));
	return parts.join(' and ');
}
