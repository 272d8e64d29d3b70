/**
 * The goal: the public JSON format that says what to predict. Conditions are data, not
 * code, so they can be evaluated in memory, described in words and compiled to SQL alike.
 */
import { z } from 'zod';

export const conditionOperators = [
	'equals',
	'notEquals',
	'in',
	'notIn',
	'exists',
	'notExists',
	'startsWith',
	'contains',
	'gt',
	'gte',
	'lt',
	'lte',
] as const;
export type ConditionOperator = (typeof conditionOperators)[number];

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** One test on one event field: `eventType`, `value`, or a mapped attribute name. */
export const eventConditionSchema = z
	.object({
		field: z.string().min(1, 'a condition needs a field, e.g. "eventType"'),
		op: z.enum(conditionOperators, { message: `op must be one of ${conditionOperators.join(', ')}` }),
		value: z.union([scalar, z.array(scalar)]).optional(),
	})
	.strict();
export type EventCondition = z.infer<typeof eventConditionSchema>;

/** `all` (every item holds) or `any` (at least one holds); items nest. */
export type ConditionGroup = { all: ConditionItem[] } | { any: ConditionItem[] };
export type ConditionItem = EventCondition | ConditionGroup;

export const conditionGroupSchema: z.ZodType<ConditionGroup> = z.lazy(() =>
	z.union([
		z.object({ all: z.array(conditionItemSchema).min(1, 'an "all" group needs at least one condition') }).strict(),
		z.object({ any: z.array(conditionItemSchema).min(1, 'an "any" group needs at least one condition') }).strict(),
	]),
);
const conditionItemSchema: z.ZodType<ConditionItem> = z.lazy(() => z.union([eventConditionSchema, conditionGroupSchema]));

const days = (what: string) => z.number().int(`${what} must be a whole number of days`).positive(`${what} must be at least 1`).max(3650, `${what} must be at most 3650`);

/** Profile-level conditions judged at each cutoff: recent activity, did / did not do something. */
export type EligibilityCondition =
	| { activeWithinDays: number }
	| { did: ConditionGroup; withinDays: number }
	| { didNot: ConditionGroup; withinDays: number }
	| { profile: EventCondition };
export type EligibilityGroup = { all: EligibilityItem[] } | { any: EligibilityItem[] };
export type EligibilityItem = EligibilityCondition | EligibilityGroup;

const eligibilityConditionSchema = z.union([
	z.object({ activeWithinDays: days('activeWithinDays') }).strict(),
	z.object({ did: conditionGroupSchema, withinDays: days('withinDays') }).strict(),
	z.object({ didNot: conditionGroupSchema, withinDays: days('withinDays') }).strict(),
	z.object({ profile: eventConditionSchema }).strict(),
]);
export const eligibilityGroupSchema: z.ZodType<EligibilityGroup> = z.lazy(() =>
	z.union([
		z.object({ all: z.array(eligibilityItemSchema) }).strict(),
		z.object({ any: z.array(eligibilityItemSchema).min(1, 'an "any" group needs at least one condition') }).strict(),
	]),
);
const eligibilityItemSchema: z.ZodType<EligibilityItem> = z.lazy(() => z.union([eligibilityConditionSchema, eligibilityGroupSchema]));

export const goalSchemaVersion = 1;

export const goalSchema = z
	.object({
		schemaVersion: z.literal(goalSchemaVersion).default(goalSchemaVersion),
		name: z.string().trim().min(1, 'name the goal, e.g. "purchase-in-30-days"').max(200),
		description: z.string().max(2000).optional(),
		propensityType: z.enum(['conversion', 'churn'], { message: 'propensityType must be "conversion" or "churn"' }),
		outcome: z
			.object({
				occur: z.enum(['will_occur', 'will_not_occur'], { message: 'occur must be "will_occur" or "will_not_occur"' }),
				windowDays: days('outcome.windowDays').max(365, 'outcome.windowDays must be at most 365'),
				when: conditionGroupSchema,
			})
			.strict(),
		eligibility: eligibilityGroupSchema.default({ all: [] }),
		lookbackDays: days('lookbackDays').default(365),
		customEvents: z
			.array(z.object({ name: z.string().trim().min(1, 'a custom event needs a name'), when: conditionGroupSchema }).strict())
			.default([]),
		profileAttributes: z
			.array(
				z
					.object({
						field: z.string().min(1, 'a profile attribute needs a field'),
						label: z.string().optional(),
					})
					.strict(),
			)
			.default([]),
		exclusions: z.array(conditionGroupSchema).default([]),
		training: z
			.object({
				cutoffs: z.number().int().min(1).max(52).default(4),
				spacingDays: days('training.spacingDays').optional(),
			})
			.strict()
			.default({ cutoffs: 4 }),
	})
	.strict();

/** A goal as written by a user (defaults may be omitted). */
export type GoalInput = z.input<typeof goalSchema>;
/** A validated goal with every default filled in. */
export type Goal = z.output<typeof goalSchema>;
