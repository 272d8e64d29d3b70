/**
 * Which filters each event matches, computed once per table. Rather than one mask per
 * filter, every event gets a small "row class": the set of filters it matches, numbered.
 * Events of the same type with the same attribute values share a class, so the executor
 * looks up one integer per event and walks a short precomputed list of what to update.
 *
 * Filters on the event type alone are resolved per type code (a few hundred lookups);
 * the rest are evaluated once as masks over the table and folded into the classes.
 */
import { type CategoryColumn, type EventTable, attributeColumn } from '../events/table';
import { type ResolvedCondition, columnTruth, conditionMask, typeTruth } from '../goal/conditions';

export interface RowClasses {
	/** Per event: its class; class 0 is "ignored" (excluded by the goal), and matches nothing. */
	readonly classOf: Uint32Array;
	/** Per class: the indexes of the filters its events match, ascending. */
	readonly filtersOf: readonly (readonly number[])[];
}

/** Every event that is not excluded matches `everything`: the filter of overall features. */
export const everything: ResolvedCondition = { kind: 'all', items: [] };

/** Assigns each kept event the class of the filters it matches; excluded events get class 0. */
export function classifyRows(table: EventTable, kept: Uint8Array, filters: readonly ResolvedCondition[]): RowClasses {
	const registry = new ClassRegistry();
	const general: number[] = [];
	const byColumn = new Map<string, { filter: number; truth: Uint8Array }[]>();
	const typeMatches: number[][] = table.types.map(() => []);
	filters.forEach((filter, f) => {
		const truth = typeTruth(filter, table.types);
		if (truth) {
			for (let t = 0; t < truth.length; t++) if (truth[t]) typeMatches[t].push(f);
			return;
		}
		const single = columnTruth(filter, table);
		if (!single) return general.push(f);
		const list = byColumn.get(single.column) ?? [];
		list.push({ filter: f, truth: single.truth });
		byColumn.set(single.column, list);
	});
	const typeClass = Uint32Array.from(typeMatches, (list) => registry.idOf(list));

	const n = table.length;
	const classOf = new Uint32Array(n);
	const type = table.type;
	for (let i = 0; i < n; i++) classOf[i] = kept[i] ? typeClass[type[i]] : 0;

	for (const [name, tests] of byColumn) {
		const column = attributeColumn(table, name) as CategoryColumn;
		addColumnFilters(registry, classOf, column, tests);
	}
	for (const f of general) {
		const mask = conditionMask(filters[f], table);
		// Old class → class with f added, filled in as classes are met (-1: not yet).
		const next = new Int32Array(registry.size).fill(-1);
		for (let i = 0; i < n; i++) {
			if (!mask[i]) continue;
			const from = classOf[i];
			if (from === 0) continue;
			let to = next[from];
			if (to < 0) {
				to = registry.idOf([...registry.filtersOf[from], f]);
				next[from] = to;
			}
			classOf[i] = to;
		}
	}
	return { classOf, filtersOf: registry.filtersOf };
}

/**
 * Folds every filter on one text column into the classes in a single pass: each dictionary
 * code (and "no value") maps to the set of those filters it passes, and (class, set) pairs
 * map to new classes through a small table filled as pairs are met.
 */
function addColumnFilters(registry: ClassRegistry, classOf: Uint32Array, column: CategoryColumn, tests: { filter: number; truth: Uint8Array }[]): void {
	const size = column.dictionary.length;
	const setIds = new Map<string, number>();
	const setFilters: number[][] = [];
	const setOf = new Int32Array(size + 1);
	for (let code = 0; code <= size; code++) {
		const passed = tests.filter((test) => test.truth[code]).map((test) => test.filter);
		const key = passed.join(',');
		let id = setIds.get(key);
		if (id === undefined) {
			id = setFilters.length;
			setIds.set(key, id);
			setFilters.push(passed);
		}
		setOf[code] = id;
	}
	const sets = setFilters.length;
	const next = new Int32Array(registry.size * sets).fill(-1);
	const codes = column.codes;
	for (let i = 0; i < classOf.length; i++) {
		const from = classOf[i];
		if (from === 0) continue;
		const code = codes[i];
		const set = setOf[code < 0 ? size : code];
		if (setFilters[set].length === 0) continue;
		const key = from * sets + set;
		let to = next[key];
		if (to < 0) {
			to = registry.idOf([...registry.filtersOf[from], ...setFilters[set]]);
			next[key] = to;
		}
		classOf[i] = to;
	}
}

/** Numbers the distinct filter sets; id 0 is reserved for excluded events. */
class ClassRegistry {
	readonly filtersOf: number[][] = [[]];
	private readonly ids = new Map<string, number>();

	get size(): number {
		return this.filtersOf.length;
	}

	idOf(filters: number[]): number {
		const sorted = [...filters].sort((a, b) => a - b);
		const key = sorted.join(',');
		let id = this.ids.get(key);
		if (id === undefined) {
			id = this.filtersOf.length;
			this.filtersOf.push(sorted);
			this.ids.set(key, id);
		}
		return id;
	}
}

/**
 * For one program, the operations each class updates, flattened: the ops of class c are
 * `ops[start[c]] … ops[start[c + 1] - 1]`.
 */
export interface ClassOps {
	readonly start: Uint32Array;
	readonly ops: Uint32Array;
}

/**
 * Flattens, per class, the ops whose filter the class matches (`filterOfOp[o]` = the op's
 * filter), ordered by `order` (ops of one kind together keep the executor's branches predictable).
 */
export function opsByClass(
	classes: RowClasses,
	filterOfOp: ArrayLike<number>,
	include: (op: number) => boolean = () => true,
	order: (a: number, b: number) => number = (a, b) => a - b,
): ClassOps {
	const opsOfFilter = new Map<number, number[]>();
	for (let o = 0; o < filterOfOp.length; o++) {
		if (!include(o)) continue;
		const list = opsOfFilter.get(filterOfOp[o]) ?? [];
		list.push(o);
		opsOfFilter.set(filterOfOp[o], list);
	}
	const start = new Uint32Array(classes.filtersOf.length + 1);
	const flat: number[] = [];
	classes.filtersOf.forEach((filters, c) => {
		start[c] = flat.length;
		if (c === 0) return;
		const ops = filters.flatMap((f) => opsOfFilter.get(f) ?? []);
		flat.push(...ops.sort(order));
	});
	start[classes.filtersOf.length] = flat.length;
	return { start, ops: Uint32Array.from(flat) };
}

/** The distinct filters used by one computation, numbered in the order they were added. */
export class FilterSet {
	readonly filters: ResolvedCondition[] = [];
	private readonly index = new Map<string, number>();

	/** The number of `filter`, adding it when it is new. */
	add(filter: ResolvedCondition): number {
		const key = JSON.stringify(filter);
		let f = this.index.get(key);
		if (f === undefined) {
			f = this.filters.length;
			this.filters.push(filter);
			this.index.set(key, f);
		}
		return f;
	}
}
