/**
 * The goal as a form a marketer fills in (the n8n Define Goal form, the Node-RED goal
 * builder): flat fields and lists of (field, operator, value) rows with text values. One
 * function turns it into the goal JSON, so both editors build goals the same way; the result
 * still goes through parseGoal for validation.
 */
import { InputError } from '../errors';
import {
	conditionOperators,
	type ConditionOperator,
	type EventCondition,
	goalDefaults,
	type GoalInput,
	operatorsTakingList,
	operatorsTakingNoValue,
	operatorsTakingNumber,
} from './schema';

/** One row of a condition list; `value` is text as typed (lists comma-separated). */
export interface FormCondition {
	readonly field: string;
	readonly op: string;
	readonly value?: string | number | boolean | null;
}

export interface FormCustomEvent extends FormCondition {
	readonly name: string;
}

export interface GoalForm {
	/** Blank: a name from the outcome (goalNameFromForm), so a form needs no name to be valid. */
	readonly name: string;
	readonly propensityType: 'conversion' | 'churn';
	readonly occur: 'will_occur' | 'will_not_occur';
	/** Default 30 (goalDefaults). */
	readonly windowDays?: number;
	/** How the outcome conditions combine. */
	readonly match?: 'all' | 'any';
	readonly conditions: readonly FormCondition[];
	/** Eligible: active within this many days before the cutoff (0 or absent: no activity rule). */
	readonly activeWithinDays?: number;
	readonly lookbackDays?: number;
	readonly customEvents?: readonly FormCustomEvent[];
	/** Attribute fields used as per-profile features, comma-separated text or a list. */
	readonly profileAttributes?: string | readonly string[];
	/** Events matching any of these rows are ignored. */
	readonly exclusions?: readonly FormCondition[];
}

const listOperators = new Set(operatorsTakingList);
const numberOperators = new Set(operatorsTakingNumber);
const valuelessOperators = new Set(operatorsTakingNoValue);

/** The goal JSON for a filled-in form (not yet validated: pass it to parseGoal). */
export function goalFromForm(form: GoalForm): GoalInput {
	if (form.conditions.length === 0) {
		throw new InputError('The goal needs at least one outcome condition, e.g. field "eventType", operator "equals", value "purchase".', 'bad-goal');
	}
	const outcome = form.conditions.map((condition, i) => conditionFromRow(condition, `outcome condition ${i + 1}`));
	const attributes = typeof form.profileAttributes === 'string' ? form.profileAttributes.split(',') : (form.profileAttributes ?? []);
	return {
		name: form.name.trim() || goalNameFromForm(form),
		propensityType: form.propensityType,
		outcome: {
			occur: form.occur,
			windowDays: form.windowDays ?? goalDefaults.windowDays,
			when: form.match === 'any' ? { any: outcome } : { all: outcome },
		},
		eligibility: { all: form.activeWithinDays ? [{ activeWithinDays: form.activeWithinDays }] : [] },
		...(form.lookbackDays ? { lookbackDays: form.lookbackDays } : {}),
		customEvents: (form.customEvents ?? []).map((row, i) => ({ name: row.name, when: { all: [conditionFromRow(row, `custom event ${i + 1}`)] } })),
		profileAttributes: attributes
			.map((field) => field.trim())
			.filter((field) => field !== '')
			.map((field) => ({ field })),
		exclusions: (form.exclusions ?? []).map((row, i) => ({ all: [conditionFromRow(row, `exclusion ${i + 1}`)] })),
	};
}

/**
 * A goal name from the outcome, for a form left without one: `purchase-in-30-days`, or
 * `no-visit-in-60-days` when the outcome will not happen. The first condition's value names it
 * (its field when it has none).
 */
export function goalNameFromForm(form: Pick<GoalForm, 'occur' | 'windowDays' | 'conditions'>): string {
	const first = form.conditions[0];
	const value = first?.value === undefined || first.value === null ? '' : String(first.value).split(',')[0];
	const what = slug(value) || slug(first?.field ?? '') || 'outcome';
	return `${form.occur === 'will_not_occur' ? 'no-' : ''}${what}-in-${form.windowDays}-days`;
}

/** Lower-case letters, digits and single hyphens: a name that is safe as a store key. */
function slug(text: string): string {
	return text
		.replace(/([a-z0-9])([A-Z])/g, '$1-$2')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '')
		.slice(0, 80);
}

/** A form row as a condition: list operators split on commas, comparisons take numbers. */
export function conditionFromRow(row: FormCondition, where: string): EventCondition {
	const op = row.op as ConditionOperator;
	if (!conditionOperators.includes(op)) {
		throw new InputError(`The ${where} has the operator "${row.op}"; use one of ${conditionOperators.join(', ')}.`, 'bad-goal');
	}
	const field = (row.field ?? '').trim();
	if (field === '') throw new InputError(`The ${where} has no field: name one, e.g. "eventType".`, 'bad-goal');
	if (valuelessOperators.has(op)) return { field, op };
	const text = row.value === undefined || row.value === null ? '' : String(row.value).trim();
	if (text === '') throw new InputError(`The ${where} (${field} ${op}) needs a value.`, 'bad-goal');
	if (listOperators.has(op)) return { field, op, value: text.split(',').map((item) => item.trim()) };
	if (numberOperators.has(op)) {
		const number = Number(text);
		if (!Number.isFinite(number)) throw new InputError(`The ${where} compares ${field} with "${text}", which is not a number.`, 'bad-goal');
		return { field, op, value: number };
	}
	// Text compares as text on category fields and as a number on numeric ones (value, number attributes).
	return { field, op, value: text };
}
