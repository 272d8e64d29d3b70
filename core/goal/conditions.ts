/**
 * Condition evaluation, kept apart from the goal's schema. A condition group is first
 * resolved against the data's fields (which field is text, which is a number) into a
 * portable form that names fields and values only, never dictionary codes, so a SQL
 * executor can compile the same thing. The in-memory evaluator then turns it into per-row
 * 0/1 masks: a test on the event type becomes a lookup by type code, a test on a text
 * attribute a lookup by dictionary code, a test on a number a comparison on its column.
 *
 * An event without a value in the field (no channel, no revenue) passes only `notExists`,
 * `notEquals` and `notIn`: it is not "email", so it is "not email".
 */
import { type AttributeColumn, type EventTable, attributeColumn } from '../events/table';
import { InputError } from '../errors';
import {
	type ConditionGroup,
	type ConditionItem,
	type ConditionOperator,
	type EventCondition,
	valuesOf,
	groupParts,
	isConditionGroup,
	operatorsTakingNumber,
	operatorsTakingText,
} from './schema';
import { didYouMean, listNames } from './suggest';

/** How a field is stored: the event type, the numeric value, or a text or number attribute. */
export type FieldKind = 'eventType' | 'value' | 'category' | 'number';

/** A condition with its fields resolved: plain data (JSON), the input of every executor. */
export type ResolvedCondition =
	| {
			readonly kind: 'test';
			readonly field: string;
			readonly source: FieldKind;
			readonly op: ConditionOperator;
			/** Text for eventType and category fields, numbers for value and number fields; empty for exists / notExists. */
			readonly values: readonly (string | number)[];
	  }
	| { readonly kind: 'all' | 'any'; readonly items: readonly ResolvedCondition[] };

/** The fields of a table and how each is stored. `eventType` and `value` always exist. */
export function fieldKinds(table: EventTable): Map<string, FieldKind> {
	const kinds = new Map<string, FieldKind>([
		['eventType', 'eventType'],
		['value', 'value'],
	]);
	for (const column of table.attributes) if (!kinds.has(column.name)) kinds.set(column.name, column.kind);
	return kinds;
}

/** What is wrong with using `condition` on fields of these kinds, or undefined when it is usable. */
export function conditionProblem(condition: EventCondition, kinds: ReadonlyMap<string, FieldKind>): string | undefined {
	const kind = kinds.get(condition.field);
	if (kind === undefined) {
		return `names the field "${condition.field}", which the events do not have${didYouMean(condition.field, kinds.keys())}; the fields are ${listNames([...kinds.keys()])}`;
	}
	const text = kind === 'eventType' || kind === 'category';
	if (text && operatorsTakingNumber.includes(condition.op)) {
		return `uses "${condition.op}" on "${condition.field}", which holds text; "${condition.op}" compares numbers (use equals, in, startsWith or contains)`;
	}
	if (!text && operatorsTakingText.includes(condition.op)) {
		return `uses "${condition.op}" on "${condition.field}", which holds numbers; "${condition.op}" works on text (use equals, gt, gte, lt or lte)`;
	}
	if (!text) {
		const bad = valuesOf(condition).find((value) => typeof value === 'boolean' || (typeof value === 'string' && !isNumeric(value)));
		if (bad !== undefined) return `compares "${condition.field}", which holds numbers, with ${JSON.stringify(bad)}, which is not a number`;
	}
	return undefined;
}

/** Resolves a group against field kinds; throws InputError when a field is missing or misused. */
export function resolveCondition(group: ConditionItem, kinds: ReadonlyMap<string, FieldKind>): ResolvedCondition {
	if (isConditionGroup(group)) {
		const { mode, items } = groupParts<ConditionItem>(group);
		return { kind: mode, items: items.map((item) => resolveCondition(item, kinds)) };
	}
	const problem = conditionProblem(group, kinds);
	if (problem) throw new InputError(`The condition ${JSON.stringify(group)} ${problem}.`, 'bad-goal');
	const source = kinds.get(group.field) as FieldKind;
	const text = source === 'eventType' || source === 'category';
	const values = valuesOf(group).map((value) => (text ? String(value) : Number(value)));
	return { kind: 'test', field: group.field, source, op: group.op, values };
}

function isNumeric(text: string): boolean {
	return text.trim() !== '' && Number.isFinite(Number(text));
}

/** A test on one text value (an event type or a category), for building lookup tables. */
function textTest(op: ConditionOperator, values: readonly (string | number)[]): (text: string) => boolean {
	const first = String(values[0]);
	const set = new Set(values.map(String));
	switch (op) {
		case 'equals':
			return (text) => text === first;
		case 'notEquals':
			return (text) => text !== first;
		case 'in':
			return (text) => set.has(text);
		case 'notIn':
			return (text) => !set.has(text);
		case 'startsWith':
			return (text) => text.startsWith(first);
		case 'contains':
			return (text) => text.includes(first);
		case 'exists':
			return () => true;
		case 'notExists':
			return () => false;
		default:
			throw new Error(`"${op}" does not apply to text`);
	}
}

/** Whether a missing value passes the operator: only the negative ones do. */
export function missingPasses(op: ConditionOperator): boolean {
	return op === 'notExists' || op === 'notEquals' || op === 'notIn';
}

/** A test on one number; NaN is a missing value. */
export function numberTest(op: ConditionOperator, values: readonly (string | number)[]): (x: number) => boolean {
	const numbers = values.map(Number);
	const v = numbers[0];
	switch (op) {
		case 'equals':
			return (x) => x === v;
		case 'notEquals':
			return (x) => !(x === v);
		case 'in':
			return (x) => numbers.includes(x);
		case 'notIn':
			return (x) => !numbers.includes(x);
		case 'gt':
			return (x) => x > v;
		case 'gte':
			return (x) => x >= v;
		case 'lt':
			return (x) => x < v;
		case 'lte':
			return (x) => x <= v;
		case 'exists':
			return (x) => !Number.isNaN(x);
		case 'notExists':
			return (x) => Number.isNaN(x);
		default:
			throw new Error(`"${op}" does not apply to numbers`);
	}
}

/** Per type code, whether an event of that type passes; null when the condition reads more than the type. */
export function typeTruth(condition: ResolvedCondition, types: readonly string[]): Uint8Array | null {
	if (condition.kind === 'test') {
		if (condition.source !== 'eventType') return null;
		const test = textTest(condition.op, condition.values);
		return Uint8Array.from(types, (type) => (test(type) ? 1 : 0));
	}
	const parts = condition.items.map((item) => typeTruth(item, types));
	if (parts.some((part) => part === null)) return null;
	const out = new Uint8Array(types.length).fill(condition.kind === 'all' ? 1 : 0);
	for (const part of parts as Uint8Array[]) {
		for (let t = 0; t < out.length; t++) out[t] = condition.kind === 'all' ? out[t] & part[t] : out[t] | part[t];
	}
	return out;
}

/** Per category code, whether an event with that value passes (index = dictionary code). */
export function categoryTruth(op: ConditionOperator, values: readonly (string | number)[], dictionary: readonly string[]): Uint8Array {
	const test = textTest(op, values);
	return Uint8Array.from(dictionary, (text) => (test(text) ? 1 : 0));
}

/**
 * When the condition reads one text attribute only: that column, and per dictionary code
 * whether an event with it passes, with one more entry at the end for events without a value.
 */
export function columnTruth(condition: ResolvedCondition, table: EventTable): { column: string; truth: Uint8Array } | null {
	const fields = new Set<string>();
	const collect = (item: ResolvedCondition): boolean => {
		if (item.kind !== 'test') return item.items.every(collect);
		fields.add(item.field);
		return item.source === 'category';
	};
	if (!collect(condition) || fields.size !== 1) return null;
	const column = attributeColumn(table, [...fields][0]);
	if (column?.kind !== 'category') return null;
	const size = column.dictionary.length;
	const evaluate = (item: ResolvedCondition): Uint8Array => {
		if (item.kind === 'test') {
			const truth = new Uint8Array(size + 1);
			truth.set(categoryTruth(item.op, item.values, column.dictionary));
			truth[size] = missingPasses(item.op) ? 1 : 0;
			return truth;
		}
		const out = new Uint8Array(size + 1).fill(item.kind === 'all' ? 1 : 0);
		for (const part of item.items.map(evaluate)) {
			for (let c = 0; c <= size; c++) out[c] = item.kind === 'all' ? out[c] & part[c] : out[c] | part[c];
		}
		return out;
	};
	return { column: column.name, truth: evaluate(condition) };
}

/** A 0/1 mask with one byte per event: 1 where the event passes the condition. */
export function conditionMask(condition: ResolvedCondition, table: EventTable): Uint8Array {
	const n = table.length;
	const byType = typeTruth(condition, table.types);
	if (byType) {
		const out = new Uint8Array(n);
		const type = table.type;
		for (let i = 0; i < n; i++) out[i] = byType[type[i]];
		return out;
	}
	if (condition.kind === 'test') return testMask(condition, table);
	const out = conditionMask(condition.items[0], table);
	for (let k = 1; k < condition.items.length; k++) {
		const part = conditionMask(condition.items[k], table);
		if (condition.kind === 'all') for (let i = 0; i < n; i++) out[i] &= part[i];
		else for (let i = 0; i < n; i++) out[i] |= part[i];
	}
	return out;
}

function testMask(condition: Extract<ResolvedCondition, { kind: 'test' }>, table: EventTable): Uint8Array {
	const n = table.length;
	const out = new Uint8Array(n);
	const numbers = condition.source === 'value' ? table.value : numberColumnOf(table, condition.field);
	if (numbers) {
		const test = numberTest(condition.op, condition.values);
		for (let i = 0; i < n; i++) out[i] = test(numbers[i]) ? 1 : 0;
		return out;
	}
	const column = requireColumn(table, condition.field);
	if (column.kind !== 'category') throw new Error(`"${condition.field}" is not a text column`);
	const truth = categoryTruth(condition.op, condition.values, column.dictionary);
	const missing = missingPasses(condition.op) ? 1 : 0;
	const codes = column.codes;
	for (let i = 0; i < n; i++) {
		const code = codes[i];
		out[i] = code < 0 ? missing : truth[code];
	}
	return out;
}

function numberColumnOf(table: EventTable, name: string): Float64Array | undefined {
	const column = attributeColumn(table, name);
	return column?.kind === 'number' ? column.values : undefined;
}

function requireColumn(table: EventTable, name: string): AttributeColumn {
	const column = attributeColumn(table, name);
	if (!column)
		throw new InputError(
			`The events have no field "${name}"${didYouMean(
				name,
				table.attributes.map((c) => c.name),
			)}.`,
			'bad-goal',
		);
	return column;
}

/** Every event that matches none of the exclusions: 1 = used, 0 = ignored everywhere. */
export function keptMask(table: EventTable, exclusions: readonly ConditionGroup[]): Uint8Array {
	const kept = new Uint8Array(table.length).fill(1);
	if (exclusions.length === 0) return kept;
	const kinds = fieldKinds(table);
	for (const exclusion of exclusions) {
		const excluded = conditionMask(resolveCondition(exclusion, kinds), table);
		for (let i = 0; i < kept.length; i++) kept[i] &= 1 - excluded[i];
	}
	return kept;
}

/** Whether a single value (the latest of a profile attribute) passes a test; for eligibility. */
export function valueTest(condition: Extract<ResolvedCondition, { kind: 'test' }>): (value: string | number | null) => boolean {
	const missing = missingPasses(condition.op);
	if (condition.source === 'value' || condition.source === 'number') {
		const test = numberTest(condition.op, condition.values);
		return (value) => (value === null ? missing : test(Number(value)));
	}
	const test = textTest(condition.op, condition.values);
	return (value) => (value === null ? missing : test(String(value)));
}
