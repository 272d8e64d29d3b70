/**
 * Size limits shared by the parts that read untrusted input, so a hostile or broken input
 * gets a short, clear error instead of a stack overflow or a message of many megabytes.
 */
import { withThousands } from './counts';

/** Problems one error message lists; the rest are counted. */
export const maxListedProblems = 20;

/** The first `max` lines, then one line that counts the others. */
export function listProblems(lines: readonly string[], max = maxListedProblems): string[] {
	if (lines.length <= max) return [...lines];
	return [...lines.slice(0, max), `- … and ${withThousands(lines.length - max)} more problems of the same kind`];
}

/** JSON levels a goal may nest (objects and lists each count): a dozen all/any groups, far more than any real goal. */
export const maxGoalDepth = 64;

/** Values one `in` / `notIn` list may hold; a longer list belongs in the data (an attribute), not in the goal. */
export const maxListValues = 10000;

export interface ShapeProblem {
	/** Where, e.g. `outcome.when.all[0].value`. */
	readonly path: string;
	readonly kind: 'depth' | 'list';
	/** The list's length, for `list`. */
	readonly length?: number;
}

/**
 * The first place where `value` nests deeper than `maxDepth` or holds a list longer than
 * `maxList`, found without recursion (a hostile input must not overflow the stack here either).
 */
export function shapeProblem(value: unknown, maxDepth: number, maxList: number): ShapeProblem | undefined {
	const stack: { value: unknown; depth: number; path: string }[] = [{ value, depth: 0, path: '' }];
	while (stack.length > 0) {
		const item = stack.pop() as (typeof stack)[number];
		if (typeof item.value !== 'object' || item.value === null) continue;
		if (item.depth >= maxDepth) return { path: item.path, kind: 'depth' };
		if (Array.isArray(item.value)) {
			if (item.value.length > maxList) return { path: item.path, kind: 'list', length: item.value.length };
			for (let i = item.value.length - 1; i >= 0; i--) stack.push({ value: item.value[i], depth: item.depth + 1, path: `${item.path}[${i}]` });
		} else {
			const entries = Object.entries(item.value);
			for (let i = entries.length - 1; i >= 0; i--) {
				stack.push({ value: entries[i][1], depth: item.depth + 1, path: item.path === '' ? entries[i][0] : `${item.path}.${entries[i][0]}` });
			}
		}
	}
	return undefined;
}

/** A long path cut in the middle, for messages. */
export function shortPath(path: string, max = 120): string {
	return path.length <= max ? path : `${path.slice(0, max / 2)}…${path.slice(-max / 2)}`;
}
