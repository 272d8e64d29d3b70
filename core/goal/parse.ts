/**
 * Reading a goal: JSON text or an object in, a validated Goal out, or one InputError that
 * lists every problem with its JSON path and the fix.
 */
import { InputError } from '../errors';
import { storeNameRule, storeNameSchema } from '../util/names';
import { listProblems, maxGoalDepth, maxListValues, shapeProblem, shortPath } from '../util/limits';
import { type FieldAlias, resolveFieldAliases } from './aliases';
import { type Goal, goalErrorMap, goalSchema } from './schema';
import { withThousands } from '../util/counts';

export interface GoalProblem {
	/** Where in the goal, e.g. `outcome.when.all[0].op`; empty for the goal itself. */
	readonly path: string;
	readonly message: string;
}

/** Validates a goal (an object, or JSON text) and fills in the defaults; throws InputError naming each problem. */
export function parseGoal(input: unknown): Goal {
	return parseGoalReadingAliases(input).goal;
}

/**
 * parseGoal, also saying which fields were written by a source column's name (`event_type`)
 * and read as the canonical field (`eventType`), so the goal in words can say so.
 */
export function parseGoalReadingAliases(input: unknown): { goal: Goal; aliases: FieldAlias[] } {
	let raw = input;
	if (typeof input === 'string') {
		try {
			// Windows editors save UTF-8 with a byte-order mark, which JSON.parse refuses.
			raw = JSON.parse(input.replace(/^\uFEFF/, ''));
		} catch (error) {
			throw new InputError(`The goal is not valid JSON (${(error as Error).message}). Check the quotes, commas and brackets.`, 'bad-goal');
		}
	}
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
		throw new InputError(
			'The goal must be a JSON object like {"name": "purchase-in-30-days", "propensityType": "conversion", "outcome": {...}}.',
			'bad-goal',
		);
	}
	checkGoalShape(raw);
	const { goal, aliases } = resolveFieldAliases(raw);
	const result = goalSchema.safeParse(goal, { error: goalErrorMap, reportInput: true });
	const problems: GoalProblem[] = result.success ? [] : result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
	const nameProblem = checkGoalName((raw as { name?: unknown }).name);
	if (nameProblem && !problems.some((problem) => problem.path === 'name')) problems.unshift({ path: 'name', message: nameProblem });
	if (result.success && problems.length === 0) return { goal: result.data, aliases };
	throw new InputError(describeProblems(problems), 'bad-goal', { problems });
}

/**
 * A goal's name is its model's name in the store, so it follows the store's name rule, checked
 * here before any work rather than when a trained model is saved. (Models already trained with
 * other names are still read.)
 */
function checkGoalName(name: unknown): string | undefined {
	if (typeof name !== 'string' || name.trim() === '') return undefined; // the schema says what is wrong
	const parsed = storeNameSchema.safeParse(name.trim());
	if (parsed.success) return undefined;
	const suggestion = name
		.trim()
		.toLowerCase()
		.replace(/[^a-z0-9._-]+/g, '-')
		.replace(/^[-.]+|-+$/g, '')
		.slice(0, 100);
	const instead = suggestion !== '' && storeNameSchema.safeParse(suggestion).success ? `, e.g. "${suggestion}"` : '';
	return `${JSON.stringify(name)} cannot name the model in the store: ${parsed.error.issues[0].message === storeNameRule ? storeNameRule : parsed.error.issues[0].message}${instead} (the goal's name is its model's name; describe it in words in "description")`;
}

/**
 * Refuses a goal nested too deep or with too long a list before the schema reads it: the
 * schema recurses once per level (700 levels overflowed the stack), and a list of 100,000
 * values made every later step, and its messages, slow and huge.
 */
export function checkGoalShape(raw: object): void {
	const problem = shapeProblem(raw, maxGoalDepth, maxListValues);
	if (!problem) return;
	const where = shortPath(problem.path) || 'the goal';
	if (problem.kind === 'depth') {
		throw new InputError(
			`The goal nests more than ${maxGoalDepth} levels deep (at ${where}). A goal needs only a few levels of "all" / "any" groups: flatten the nested groups.`,
			'goal-too-deep',
		);
	}
	throw new InputError(
		`The list at ${where} holds ${withThousands(problem.length ?? 0)} values; a goal's lists hold at most ${withThousands(maxListValues)}. Test a shorter list, or a field that groups the values (map it when loading the events).`,
		'goal-too-large',
	);
}

function describeProblems(problems: readonly GoalProblem[]): string {
	const lines = listProblems(problems.map((problem) => `- ${problem.path || 'the goal'}: ${problem.message}`));
	const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
	return `The goal has ${count}:\n${lines.join('\n')}`;
}

/** `["outcome", "when", "all", 0, "op"]` → `outcome.when.all[0].op`. */
export function formatPath(path: readonly PropertyKey[]): string {
	let text = '';
	for (const key of path) {
		if (typeof key === 'number') text += `[${key}]`;
		else text += text === '' ? String(key) : `.${String(key)}`;
	}
	return text;
}
