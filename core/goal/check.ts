/**
 * Checking a goal against the loaded events before anything is computed: every field it
 * names must exist and suit its operators, and every event type it names must occur.
 */
import type { EventTable } from '../events/table';
import { InputError } from '../errors';
import { conditionProblem, fieldKinds } from './conditions';
import { type EventCondition, type Goal, valuesOf } from './schema';
import { didYouMean, listNames } from './suggest';
import { listProblems } from '../util/limits';
import { goalConditions } from './walk';

export interface DataProblem {
	/** Where in the goal, e.g. `outcome.when.all[0]`. */
	readonly path: string;
	readonly message: string;
	/** The field or event type that the data lacks, when that is the problem. */
	readonly missingField?: string;
	readonly missingType?: string;
}

/** Every mismatch between the goal and the table's fields and event types (empty when they fit). */
export function goalDataProblems(goal: Goal, table: EventTable): DataProblem[] {
	const kinds = fieldKinds(table);
	const problems: DataProblem[] = [];
	for (const { path, condition } of goalConditions(goal)) {
		const problem = conditionProblem(condition, kinds);
		if (problem) {
			problems.push({ path, message: problem, missingField: kinds.has(condition.field) ? undefined : condition.field });
		} else if (condition.field === 'eventType') {
			// A loop, not push(...spread): a long list overflows the stack as spread arguments.
			for (const typeProblem of typeProblems(condition, path, table.types)) problems.push(typeProblem);
		}
	}
	goal.profileAttributes.forEach((attribute, i) => {
		if (!kinds.has(attribute.field) || attribute.field === 'eventType') {
			const message = `names the field "${attribute.field}", which the events do not have${didYouMean(attribute.field, kinds.keys())}; the fields are ${listNames([...kinds.keys()])}`;
			problems.push({ path: `profileAttributes[${i}].field`, message, missingField: attribute.field });
		}
	});
	return problems;
}

/** Event types named by an eventType test that match no type in the data. */
function typeProblems(condition: EventCondition, path: string, types: readonly string[]): DataProblem[] {
	const values = valuesOf(condition);
	const problems: DataProblem[] = [];
	const present = new Set(types);
	const hint = `the event types in the data are ${listNames(types)}`;
	if (condition.op === 'startsWith' || condition.op === 'contains') {
		const text = String(values[0]);
		const matches = condition.op === 'startsWith' ? types.some((t) => t.startsWith(text)) : types.some((t) => t.includes(text));
		if (!matches)
			problems.push({
				path,
				message: `matches no event type (no type ${condition.op === 'startsWith' ? 'starts with' : 'contains'} "${text}"); ${hint}`,
			});
		return problems;
	}
	for (const value of values) {
		const type = String(value);
		if (!present.has(type)) {
			problems.push({
				path,
				message: `names the event type "${type}", which the events do not have${didYouMean(type, types)}; ${hint}`,
				missingType: type,
			});
		}
	}
	return problems;
}

/**
 * Refuses a goal that names a field or event type the table lacks, or uses an operator on
 * a field of the wrong kind, with one InputError that lists every problem and what the data has.
 */
export function checkGoalAgainstData(goal: Goal, table: EventTable): void {
	if (table.types.length === 0) {
		// Otherwise every type the goal names is "missing" from a list of none. (Types, not rows:
		// a warehouse's shape of the table lists its types and holds no rows.)
		throw new InputError(
			`The goal "${goal.name}" cannot be checked against the events: no events were loaded (the source holds no rows, or every row was rejected). Load a source with events first.`,
			'no-events',
		);
	}
	const problems = goalDataProblems(goal, table);
	if (problems.length === 0) return;
	const lines = listProblems(problems.map((problem) => `- ${problem.path}: ${problem.message}`));
	const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
	throw new InputError(
		`The goal "${goal.name}" does not fit the loaded events (${count}):\n${lines.join('\n')}\nChange the goal, or map the missing field when loading the events.`,
		'goal-data-mismatch',
		{ problems },
	);
}
