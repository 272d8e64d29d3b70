/**
 * The goal: the public JSON format that says what to predict. Conditions are data, not
 * code, so they can be evaluated in memory, described in words and compiled to SQL alike.
 * This file holds the shape only; evaluation lives in conditions.ts, words in describe.ts.
 *
 * Condition items are told apart by their keys (`field` for a test, `all` / `any` for a
 * group, `activeWithinDays` / `did` / `didNot` / `profile` in eligibility) before they are
 * validated, so an error names the exact key that is wrong rather than "invalid input".
 */
import { z } from 'zod';
import { didYouMean } from './suggest';
import { withThousands } from '../util/counts';

export const conditionOperators = ['equals', 'notEquals', 'in', 'notIn', 'exists', 'notExists', 'startsWith', 'contains', 'gt', 'gte', 'lt', 'lte'] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

/** Operators by the value they take. */
export const operatorsTakingNoValue: readonly ConditionOperator[] = ['exists', 'notExists'];
export const operatorsTakingList: readonly ConditionOperator[] = ['in', 'notIn'];
export const operatorsTakingText: readonly ConditionOperator[] = ['startsWith', 'contains'];
export const operatorsTakingNumber: readonly ConditionOperator[] = ['gt', 'gte', 'lt', 'lte'];

export type Scalar = string | number | boolean;

/** One test on one event field: `eventType`, `value`, or a mapped attribute name. */
export interface EventCondition {
	readonly field: string;
	readonly op: ConditionOperator;
	readonly value?: Scalar | Scalar[];
}

/** A condition's values as a list: none for exists / notExists, one for a single value. */
export function valuesOf(condition: EventCondition): Scalar[] {
	if (condition.value === undefined) return [];
	return Array.isArray(condition.value) ? condition.value : [condition.value];
}

/** `all` (every item holds) or `any` (at least one holds); items nest. */
export type ConditionGroup = { readonly all: ConditionItem[] } | { readonly any: ConditionItem[] };
export type ConditionItem = EventCondition | ConditionGroup;

/** Profile-level conditions judged at each cutoff: recent activity, did / did not do something. */
export type EligibilityCondition =
	| { readonly activeWithinDays: number }
	| { readonly did: ConditionGroup; readonly withinDays: number }
	| { readonly didNot: ConditionGroup; readonly withinDays: number }
	| { readonly profile: EventCondition };
export type EligibilityGroup = { readonly all: EligibilityItem[] } | { readonly any: EligibilityItem[] };
export type EligibilityItem = EligibilityCondition | EligibilityGroup;

export function isConditionGroup(item: ConditionItem): item is ConditionGroup {
	return 'all' in item || 'any' in item;
}

/** The items of a group and whether all or any of them must hold. */
export function groupParts<T>(group: { all: T[] } | { any: T[] }): { mode: 'all' | 'any'; items: T[] } {
	return 'all' in group ? { mode: 'all', items: group.all } : { mode: 'any', items: group.any };
}

const scalar = z.union([z.string(), z.number(), z.boolean()], { error: 'must be text, a number or true/false' });

/**
 * A schema that picks the schema to apply from the keys of an object, so errors are
 * reported against the shape the user meant. `pick` returns a schema or a message.
 */
function byShape<T>(what: string, pick: (keys: Set<string>) => z.ZodType<T> | string): z.ZodType<T, T> {
	const schema = z.unknown().transform((input, ctx): T => {
		if (typeof input !== 'object' || input === null || Array.isArray(input)) {
			ctx.issues.push({ code: 'custom', message: `must be ${what}`, input });
			return z.NEVER;
		}
		const choice = pick(new Set(Object.keys(input)));
		if (typeof choice === 'string') {
			ctx.issues.push({ code: 'custom', message: choice, input });
			return z.NEVER;
		}
		const result = choice.safeParse(input, { error: goalErrorMap, reportInput: true });
		if (!result.success) {
			for (const issue of result.error.issues) ctx.issues.push({ ...issue, input: issue.input } as (typeof ctx.issues)[number]);
			return z.NEVER;
		}
		return result.data;
	});
	return schema as unknown as z.ZodType<T, T>;
}

const conditionExample = '{"field": "eventType", "op": "equals", "value": "purchase"}';

/** Checks that the value suits the operator and the field (text for eventType, numbers for value). */
function checkOperatorValue(condition: EventCondition, ctx: z.RefinementCtx): void {
	const { field, op, value } = condition;
	const problem = (message: string, path: (string | number)[] = ['value']) => ctx.addIssue({ code: 'custom', message, path, input: value });
	if (operatorsTakingNoValue.includes(op)) {
		if (value !== undefined) problem(`"${op}" takes no value: remove "value"`);
		return;
	}
	if (value === undefined) {
		const example = operatorsTakingList.includes(op) ? '["email", "sms"]' : operatorsTakingNumber.includes(op) ? '100' : '"purchase"';
		problem(`"${op}" needs a value, e.g. "value": ${example}`);
		return;
	}
	if (operatorsTakingList.includes(op)) {
		if (!Array.isArray(value))
			problem(`"${op}" needs a list, e.g. [${JSON.stringify(value)}]; for a single value use "${op === 'in' ? 'equals' : 'notEquals'}"`);
		else if (value.length === 0) problem(`"${op}" needs at least one value in its list`);
	} else if (Array.isArray(value)) {
		problem(`"${op}" compares with one value, not a list; for a list use "${op === 'notEquals' ? 'notIn' : 'in'}"`);
		return;
	}
	const values = Array.isArray(value) ? value : [value];
	if (operatorsTakingText.includes(op) && typeof value !== 'string') problem(`"${op}" needs text, e.g. "spring"`);
	if (operatorsTakingNumber.includes(op) && typeof value !== 'number') {
		const hint = typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? ` (write ${Number(value)} without quotes)` : '';
		problem(`"${op}" compares numbers, so its value must be a number${hint}`);
	}
	if (field === 'eventType') {
		if (operatorsTakingNumber.includes(op)) problem(`eventType is text: "${op}" compares numbers; use equals, in, startsWith or contains`, ['op']);
		else if (values.some((item) => typeof item !== 'string')) problem('event types are text: write them in quotes, e.g. "purchase"');
	}
	if (field === 'value') {
		if (operatorsTakingText.includes(op)) problem(`value is a number: "${op}" works on text; use gt, gte, lt or lte`, ['op']);
		else if (!operatorsTakingNumber.includes(op) && values.some((item) => typeof item !== 'number')) {
			problem('value is a number: write numbers without quotes, e.g. 100');
		}
	}
}

const eventConditionObject = z
	.strictObject({
		field: z
			.string({ error: 'must be the name of a field, e.g. "eventType", "value" or "channel"' })
			.min(1, 'must not be empty: name a field, e.g. "eventType"'),
		op: z.enum(conditionOperators),
		value: z.union([scalar, z.array(scalar)], { error: 'must be text, a number, true/false, or a list of those' }).optional(),
	})
	.superRefine(checkOperatorValue);

/** One test on one event field, e.g. {"field": "eventType", "op": "equals", "value": "purchase"}. */
export const eventConditionSchema: z.ZodType<EventCondition, EventCondition> = byShape(`a condition like ${conditionExample}`, () => eventConditionObject);

function groupObject<T>(item: z.ZodType<T, T>, key: 'all' | 'any', allowEmpty: boolean) {
	const list = z.array(item, { error: `must be a list of conditions, e.g. [${conditionExample}]` });
	return z.strictObject({ [key]: allowEmpty ? list : list.min(1, `an "${key}" group needs at least one condition`) } as Record<typeof key, typeof list>);
}

/** Chooses a group's schema by its key, refusing objects that have both or neither. */
function pickGroup<G>(keys: Set<string>, all: z.ZodType<G>, any: z.ZodType<G>): z.ZodType<G> | string | undefined {
	if (keys.has('all') && keys.has('any')) return 'has both "all" and "any": a group is one or the other; nest one inside the other';
	if (keys.has('all')) return all;
	if (keys.has('any')) return any;
	return undefined;
}

const groupExample = `{"all": [${conditionExample}]}`;

export const conditionGroupSchema: z.ZodType<ConditionGroup, ConditionGroup> = z.lazy(() =>
	byShape<ConditionGroup>(`a condition group like ${groupExample}`, (keys) => {
		const chosen = pickGroup(keys, allGroup, anyGroup);
		if (chosen !== undefined) return chosen as z.ZodType<ConditionGroup>;
		if (keys.has('field') || keys.has('op')) return `must be a group: wrap the condition as {"all": [ ... ]}`;
		return `must be a group like ${groupExample}${didYouMean([...keys][0] ?? '', ['all', 'any'])}`;
	}),
);

const conditionItemSchema: z.ZodType<ConditionItem, ConditionItem> = z.lazy(() =>
	byShape<ConditionItem>(`a condition like ${conditionExample} or a group like ${groupExample}`, (keys) => {
		const group = pickGroup(keys, allGroup, anyGroup);
		if (group !== undefined) return group as z.ZodType<ConditionItem>;
		if (keys.has('field') || keys.has('op') || keys.has('value')) return eventConditionObject as z.ZodType<ConditionItem>;
		const named = [...keys].map((key) => `"${key}"${didYouMean(key, ['field', 'op', 'value', 'all', 'any'])}`);
		const keysText =
			named.length === 0 ? 'no keys, which makes' : named.length === 1 ? `the key ${named[0]}, which makes` : `the keys ${named.join(', ')}, which make`;
		return `has ${keysText} neither a condition like ${conditionExample} nor a group like {"all": [...]} / {"any": [...]}`;
	}),
);
const allGroup = z.lazy(() => groupObject(conditionItemSchema, 'all', false));
const anyGroup = z.lazy(() => groupObject(conditionItemSchema, 'any', false));

const days = (most = 3650) =>
	z
		.number({
			error: (issue) =>
				issue.input === undefined ? 'is required (a number of days, e.g. 30)' : `must be a number of days, e.g. 30, not ${JSON.stringify(issue.input)}`,
		})
		.int({ error: (issue) => `must be a whole number of days, not ${String(issue.input)}` })
		.min(1, { error: (issue) => `must be at least 1 day, not ${String(issue.input)}` })
		.max(most, { error: (issue) => `must be at most ${most} days, not ${String(issue.input)}` });

const eligibilityExamples =
	'{"activeWithinDays": 45}, {"did": {"all": [...]}, "withinDays": 30}, {"didNot": {"all": [...]}, "withinDays": 30}, {"profile": {"field": "country", "op": "equals", "value": "US"}}, or a group {"all": [...]} / {"any": [...]}';

const eligibilityShapes = {
	activeWithinDays: z.strictObject({ activeWithinDays: days() }),
	did: z.strictObject({ did: conditionGroupSchema, withinDays: days() }),
	didNot: z.strictObject({ didNot: conditionGroupSchema, withinDays: days() }),
	profile: z.strictObject({ profile: eventConditionSchema }).superRefine((item, ctx) => {
		if (item.profile.field === 'eventType') {
			ctx.addIssue({
				code: 'custom',
				path: ['profile', 'field'],
				input: 'eventType',
				message: 'a profile attribute cannot be eventType; test events with {"did": ...} or {"didNot": ...}',
			});
		}
	}),
};

const eligibilityItemSchema: z.ZodType<EligibilityItem, EligibilityItem> = z.lazy(() =>
	byShape<EligibilityItem>(`an eligibility condition: ${eligibilityExamples}`, (keys) => {
		const group = pickGroup(keys, eligibilityAll, eligibilityAny);
		if (group !== undefined) return group as z.ZodType<EligibilityItem>;
		for (const key of ['activeWithinDays', 'didNot', 'did', 'profile'] as const) {
			if (keys.has(key)) return eligibilityShapes[key] as z.ZodType<EligibilityItem>;
		}
		if (keys.has('field') || keys.has('op')) {
			return 'is an event condition, which eligibility cannot use on its own: wrap it as {"did": {"all": [ ... ]}, "withinDays": 30}, or as {"profile": { ... }} for a profile attribute';
		}
		const first = [...keys][0] ?? '';
		return `is not an eligibility condition; use ${eligibilityExamples}${didYouMean(first, ['activeWithinDays', 'did', 'didNot', 'withinDays', 'profile', 'all', 'any'])}`;
	}),
);
const eligibilityAll = z.lazy(() => groupObject(eligibilityItemSchema, 'all', true));
const eligibilityAny = z.lazy(() => groupObject(eligibilityItemSchema, 'any', false));

export const eligibilityGroupSchema: z.ZodType<EligibilityGroup, EligibilityGroup> = z.lazy(() =>
	byShape<EligibilityGroup>('an eligibility group like {"all": [{"activeWithinDays": 45}]}', (keys) => {
		const chosen = pickGroup(keys, eligibilityAll, eligibilityAny);
		if (chosen !== undefined) return chosen as z.ZodType<EligibilityGroup>;
		return `must be a group: wrap the condition as {"all": [ ... ]}`;
	}),
);

export const goalSchemaVersion = 1;

/** What a goal (or the goal form of either host) gets when it does not say: a 30-day outcome window, a year of history. */
export const goalDefaults = Object.freeze({ windowDays: 30, lookbackDays: 365 });

const customEventSchema = z.strictObject({
	name: z
		.string({ error: 'must be a display name, e.g. "newsletter signups"' })
		.trim()
		.min(1, 'a custom event needs a name, e.g. "newsletter signups"')
		.max(100, 'must be at most 100 characters'),
	when: conditionGroupSchema,
});

const profileAttributeSchema = z.strictObject({
	field: z.string({ error: 'must name an attribute, e.g. "country"' }).min(1, 'a profile attribute needs a field, e.g. "country"'),
	label: z.string().trim().min(1).max(100).optional(),
});

export const goalSchema = z
	.strictObject({
		schemaVersion: z
			.literal(goalSchemaVersion, {
				error: `this version of Propensity reads goals with schemaVersion ${goalSchemaVersion}; remove the key or set it to ${goalSchemaVersion}`,
			})
			.default(goalSchemaVersion),
		name: z
			.string({ error: 'must be text, e.g. "purchase-in-30-days"' })
			.trim()
			.min(1, 'name the goal, e.g. "purchase-in-30-days"')
			.max(200, 'must be at most 200 characters'),
		description: z.string().max(2000, 'must be at most 2000 characters').optional(),
		propensityType: z.enum(['conversion', 'churn']),
		outcome: z.strictObject({
			occur: z.enum(['will_occur', 'will_not_occur']),
			windowDays: days(365),
			when: conditionGroupSchema,
		}),
		eligibility: eligibilityGroupSchema.default({ all: [] }),
		lookbackDays: days().default(goalDefaults.lookbackDays),
		customEvents: z.array(customEventSchema).default([]),
		profileAttributes: z.array(profileAttributeSchema).default([]),
		exclusions: z.array(conditionGroupSchema).default([]),
		training: z
			.strictObject({
				cutoffs: z
					.number({ error: 'must be a number of cutoffs, e.g. 4' })
					.int('must be a whole number')
					.min(1, 'must be at least 1')
					.max(52, 'must be at most 52')
					.default(4),
				spacingDays: days().optional(),
			})
			// Absent: the cutoffs are planned to fit the history (features/cutoffs.ts).
			.optional(),
	})
	.superRefine(checkGoalConsistency);

/** Checks between fields: eligibility windows fit in the lookback; names are unique. */
function checkGoalConsistency(
	goal: { lookbackDays: number; eligibility: EligibilityGroup; customEvents: { name: string }[]; profileAttributes: { field: string }[] },
	ctx: z.RefinementCtx,
): void {
	const visit = (item: EligibilityItem, path: (string | number)[]): void => {
		if ('all' in item || 'any' in item) {
			const { mode, items } = groupParts(item);
			items.forEach((child, i) => visit(child, [...path, mode, i]));
			return;
		}
		const within = 'activeWithinDays' in item ? item.activeWithinDays : 'withinDays' in item ? item.withinDays : undefined;
		if (within !== undefined && within > goal.lookbackDays) {
			const key = 'activeWithinDays' in item ? 'activeWithinDays' : 'withinDays';
			ctx.addIssue({
				code: 'custom',
				path: [...path, key],
				input: within,
				message: `looks back ${within} days, further than lookbackDays (${goal.lookbackDays}): raise lookbackDays to at least ${within} or shorten this window`,
			});
		}
	};
	visit(goal.eligibility, ['eligibility']);
	const seen = new Map<string, number>();
	goal.customEvents.forEach((event, i) => {
		const key = event.name.toLowerCase();
		if (seen.has(key))
			ctx.addIssue({
				code: 'custom',
				path: ['customEvents', i, 'name'],
				input: event.name,
				message: `repeats the name of customEvents[${seen.get(key)}]: give each custom event its own name`,
			});
		else seen.set(key, i);
	});
	const fields = new Map<string, number>();
	goal.profileAttributes.forEach((attribute, i) => {
		if (fields.has(attribute.field))
			ctx.addIssue({
				code: 'custom',
				path: ['profileAttributes', i, 'field'],
				input: attribute.field,
				message: `repeats profileAttributes[${fields.get(attribute.field)}]: list each attribute once`,
			});
		else fields.set(attribute.field, i);
	});
}

/** A goal as written by a user (defaults may be omitted). */
export type GoalInput = z.input<typeof goalSchema>;
/** A validated goal with every default filled in. */
export type Goal = z.output<typeof goalSchema>;
/** Whether the goal's outcome is wanted (conversion) or feared (churn): scores, models and sentences say which. */
export type PropensityType = Goal['propensityType'];

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

/**
 * Messages for zod's generic issues, worded for someone editing goal JSON: what is wrong,
 * what was given, and a "did you mean" when a key or option looks like a typo.
 */
export function goalErrorMap(issue: RawIssue): string | undefined {
	switch (issue.code) {
		case 'invalid_type':
			if (issue.input === undefined) return `is required${requiredHint(issue.expected)}`;
			return `must be ${expectedWords(issue.expected)}, not ${inputWords(issue.input)}`;
		case 'unrecognized_keys': {
			const known = objectKeys(issue.inst);
			// A few keys are named; an object with thousands of unknown keys must not make a message of megabytes.
			const named = issue.keys
				.slice(0, 5)
				.map((key) => `"${key.length > 60 ? `${key.slice(0, 60)}…` : key}" is not a key here${didYouMean(key, known)}`)
				.join('; ');
			const more = issue.keys.length > 5 ? `; and ${withThousands(issue.keys.length - 5)} more unknown keys` : '';
			return `${named}${more}${known.length ? `; the keys are ${known.map((k) => `"${k}"`).join(', ')}` : ''}`;
		}
		case 'invalid_value': {
			const options = issue.values.map((value) => JSON.stringify(value));
			const given = issue.input === undefined ? '' : `, not ${JSON.stringify(issue.input)}`;
			const guess = typeof issue.input === 'string' ? didYouMean(issue.input, issue.values.map(String)) : '';
			return `must be ${options.length === 1 ? options[0] : `one of ${options.join(', ')}`}${given}${guess}`;
		}
		case 'too_small':
			if (issue.origin === 'array') return `needs at least ${issue.minimum} item${issue.minimum === 1 ? '' : 's'}`;
			if (issue.origin === 'string') return 'must not be empty';
			return `must be at least ${issue.minimum}${givenSuffix(issue.input)}`;
		case 'too_big':
			if (issue.origin === 'array') return `may hold at most ${issue.maximum} items`;
			if (issue.origin === 'string') return `must be at most ${issue.maximum} characters`;
			return `must be at most ${issue.maximum}${givenSuffix(issue.input)}`;
		default:
			return undefined;
	}
}

function requiredHint(expected: string): string {
	return expected === 'object' ? ' (an object)' : expected === 'array' ? ' (a list)' : expected === 'number' ? ' (a number)' : '';
}

function expectedWords(expected: string): string {
	const words: Record<string, string> = {
		string: 'text',
		number: 'a number',
		int: 'a whole number',
		boolean: 'true or false',
		array: 'a list',
		object: 'an object',
	};
	return words[expected] ?? expected;
}

function inputWords(input: unknown): string {
	if (input === null) return 'null';
	if (Array.isArray(input)) return 'a list';
	if (typeof input === 'string') return `text (${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)})`;
	if (typeof input === 'number') return `a number (${input})`;
	if (typeof input === 'boolean') return `${input}`;
	return `${typeof input === 'object' ? 'an object' : typeof input}`;
}

function givenSuffix(input: unknown): string {
	return typeof input === 'number' ? ` (it is ${input})` : '';
}

function objectKeys(schema: unknown): string[] {
	const shape = (schema as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined)?._zod?.def?.shape;
	return shape ? Object.keys(shape) : [];
}
