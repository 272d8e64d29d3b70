/**
 * Goal conditions compiled to SQL, with the semantics of in-memory evaluation
 * (core/goal/conditions.ts): an event without a value in the field passes only `notExists`,
 * `notEquals` and `notIn`. Every test is made NULL-free (orElse), so groups combine with
 * plain AND / OR / NOT and never meet SQL's three-valued logic.
 */
import type { ResolvedCondition } from '../goal/conditions';
import { missingPasses } from '../goal/conditions';
import type { SqlValues } from './dialect';

/** Compiles a resolved condition; `field` gives each field's SQL expression (NULL when missing). */
export function compileCondition(condition: ResolvedCondition, field: (name: string) => string, values: SqlValues): string {
	if (condition.kind !== 'test') {
		if (condition.items.length === 0) return condition.kind === 'all' ? truth(values, true) : truth(values, false);
		const parts = condition.items.map((item) => compileCondition(item, field, values));
		return `(${parts.join(condition.kind === 'all' ? ' AND ' : ' OR ')})`;
	}
	const x = field(condition.field);
	const dialect = values.dialect;
	const list = () => condition.values.map((value) => values.value(value)).join(', ');
	const first = () => values.value(condition.values[0]);
	let test: string;
	switch (condition.op) {
		case 'exists':
			return `(${x} IS NOT NULL)`;
		case 'notExists':
			return `(${x} IS NULL)`;
		case 'equals':
			test = `${x} = ${first()}`;
			break;
		case 'notEquals':
			test = `${x} <> ${first()}`;
			break;
		case 'in':
			test = `${x} IN (${list()})`;
			break;
		case 'notIn':
			test = `${x} NOT IN (${list()})`;
			break;
		case 'startsWith':
			test = dialect.startsWith(x, first());
			break;
		case 'contains':
			test = dialect.contains(x, first());
			break;
		case 'gt':
			test = `${x} > ${first()}`;
			break;
		case 'gte':
			test = `${x} >= ${first()}`;
			break;
		case 'lt':
			test = `${x} < ${first()}`;
			break;
		case 'lte':
			test = `${x} <= ${first()}`;
			break;
	}
	return `(${dialect.orElse(`(${test})`, missingPasses(condition.op))})`;
}

/** A constant condition. */
export function truth(values: SqlValues, value: boolean): string {
	return values.dialect.engine === 'postgres' ? (value ? 'true' : 'false') : value ? '1' : '0';
}
