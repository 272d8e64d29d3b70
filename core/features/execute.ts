/**
 * The in-memory executor: feature declarations compiled to operations of the shared walk,
 * run for chosen (profile, cutoff) pairs in one pass over the sorted table, written into a
 * column-major Float32 matrix (NaN = missing). Each feature is one operation: its filter
 * is resolved against the table's fields and numbered in a FilterSet, its window becomes a
 * reach in milliseconds, its aggregate an opcode.
 */
import { type EventTable, attributeColumn } from '../events/table';
import { InputError } from '../errors';
import { type FieldKind, resolveCondition } from '../goal/conditions';
import type { Goal } from '../goal/schema';
import { didYouMean, listNames } from '../goal/suggest';
import type { FeatureDecl } from './declaration';
import { type FilterSet, everything } from './rows';
import { DAY_MS, type EventsView, Op, type OpCode, type OpSpec, type Program, accumulateProfile, finalValue, isDirect, slots, type WalkPlan } from './walk';

/** Compiles each declaration to one op (same order) and registers its filter; throws InputError naming a bad feature. */
export function compileFeatures(
	table: EventTable,
	goal: Goal,
	features: readonly FeatureDecl[],
	kinds: ReadonlyMap<string, FieldKind>,
	filters: FilterSet,
): { specs: OpSpec[]; filterOfOp: number[] } {
	const names = new Set<string>();
	const specs: OpSpec[] = [];
	const filterOfOp: number[] = [];
	for (const feature of features) {
		if (names.has(feature.name)) throw new InputError(`Two features are named "${feature.name}": feature names must be unique.`, 'bad-features');
		names.add(feature.name);
		const where = `Feature "${feature.name}" (${feature.label})`;
		let filter;
		try {
			filter = feature.filter ? resolveCondition(feature.filter, kinds) : everything;
		} catch (error) {
			throw new InputError(`${where}: ${(error as Error).message}`, 'bad-features');
		}
		filterOfOp.push(filters.add(filter));
		specs.push(featureOp(table, goal, feature, kinds, where));
	}
	return { specs, filterOfOp };
}

/** The walk operation of each aggregate (the SQL executor compiles the same operations). */
export const opOfAggregate: Record<FeatureDecl['aggregate'], OpCode> = {
	count: Op.count,
	sum: Op.sum,
	mean: Op.mean,
	max: Op.max,
	daysSinceLast: Op.daysSinceLast,
	daysSinceFirst: Op.daysSinceFirst,
	distinctDays: Op.distinctDays,
	trend: Op.trend,
	meanGapDays: Op.meanGapDays,
	latest: Op.latestNumber,
	repeatChance: Op.bgnbd,
	activeChance: Op.bgnbd,
};

function featureOp(table: EventTable, goal: Goal, feature: FeatureDecl, kinds: ReadonlyMap<string, FieldKind>, where: string): OpSpec {
	const window = feature.windowDays ?? goal.lookbackDays;
	const baseline = feature.aggregate === 'trend' ? feature.baselineDays : 0;
	if (feature.aggregate === 'trend' && !(baseline !== undefined && baseline > 0))
		throw new InputError(`${where}: a trend needs baselineDays (the earlier window it compares with).`, 'bad-features');
	const reachDays = window + (baseline ?? 0);
	if (!(window > 0) || reachDays > goal.lookbackDays) {
		throw new InputError(
			`${where} looks back ${reachDays} days, beyond the goal's lookback of ${goal.lookbackDays} days: features may only see the lookback. Raise lookbackDays or shorten the feature's window.`,
			'bad-features',
		);
	}
	const spec = { code: opOfAggregate[feature.aggregate], reachMs: reachDays * DAY_MS, recentMs: window * DAY_MS };
	if (feature.aggregate === 'repeatChance' || feature.aggregate === 'activeChance') return { ...spec, params: bgnbdParams(feature, where) };
	if (!['sum', 'mean', 'max', 'latest'].includes(feature.aggregate)) return spec;

	const field = feature.field ?? 'value';
	const kind = kinds.get(field);
	if (kind === undefined || kind === 'eventType') {
		throw new InputError(
			`${where} reads the field "${field}", which the events do not have${didYouMean(field, kinds.keys())}; the fields are ${listNames([...kinds.keys()])}.`,
			'bad-features',
		);
	}
	if (kind === 'value') return { ...spec, numbers: table.value };
	const column = attributeColumn(table, field);
	if (column?.kind === 'number') return { ...spec, numbers: column.values };
	if (column?.kind !== 'category' || feature.aggregate !== 'latest') {
		throw new InputError(`${where} takes the ${feature.aggregate} of "${field}", which holds text; only "latest" applies to text fields.`, 'bad-features');
	}
	if (!feature.categories) throw new InputError(`${where} reads the text field "${field}" but lists no categories to code it with.`, 'bad-features');
	const position = new Map(feature.categories.map((category, index) => [category, index]));
	const codeMap = Int32Array.from(column.dictionary, (text) => position.get(text) ?? -1);
	return { ...spec, code: Op.latestCategory, codes: column.codes, codeMap };
}

/** The stored BG/NBD parameters of a buy-till-you-die feature, packed for the walk (see Op.bgnbd). */
export function bgnbdParams(feature: FeatureDecl, where: string): Float64Array {
	const model = feature.bgnbd;
	const horizon = feature.aggregate === 'repeatChance' ? feature.horizonDays : 0;
	const values = model ? [model.r, model.alpha, model.a, model.b] : [];
	if (values.length !== 4 || !values.every((v) => Number.isFinite(v) && v > 0) || horizon === undefined || !(horizon >= 0)) {
		throw new InputError(
			`${where}: a buy-till-you-die feature needs its fitted parameters (bgnbd: r, alpha, a, b, all positive)${feature.aggregate === 'repeatChance' ? ' and horizonDays' : ''}.`,
			'bad-features',
		);
	}
	return Float64Array.from([...values, horizon, feature.aggregate === 'repeatChance' ? 1 : 0]);
}

/** Where one pass writes: rows are assigned per cutoff in profile order. */
export interface FeatureSink {
	readonly columns: readonly Float32Array[];
	/** Next row to write for each cutoff. Advanced as rows are written. */
	readonly nextRow: Uint32Array;
	readonly profile: Uint32Array;
	readonly cutoffIndex: Uint16Array;
	/** When present: state 2 writes label 1, state 1 writes label 0. */
	readonly label?: Uint8Array;
}

/**
 * Computes the features of profiles [from, to) of `events` at every cutoff where
 * `state[p * K + k]` is non-zero (eligible), writing each into the sink's next row for that
 * cutoff. Profile p is recorded as `profileOffset + p` (a worker sees a slice of the table).
 */
export function computeFeatureRows(
	events: EventsView,
	classOf: Uint32Array,
	plan: WalkPlan,
	cutoffs: Float64Array,
	state: Uint8Array,
	from: number,
	to: number,
	sink: FeatureSink,
	scratch: { acc: Float64Array; active: Int32Array },
	profileOffset = 0,
): void {
	const program: Program = plan.program;
	const K = cutoffs.length;
	const F = program.size;
	const stride = F * slots;
	const { acc, active } = scratch;
	const direct = Uint8Array.from(program.code, (code) => (isDirect(code) ? 1 : 0));
	const columns = sink.columns;
	for (let p = from; p < to; p++) {
		let activeCount = 0;
		for (let k = 0; k < K; k++) if (state[p * K + k] !== 0) active[activeCount++] = k;
		if (activeCount === 0) continue;
		for (let q = 0; q < activeCount; q++) acc.set(program.initial, q * stride);
		accumulateProfile(events, classOf, plan, p, cutoffs, active, activeCount, acc);
		for (let q = 0; q < activeCount; q++) {
			const k = active[q];
			const row = sink.nextRow[k]++;
			const base = q * stride;
			for (let o = 0; o < F; o++) {
				const x = base + o * slots;
				columns[o][row] = direct[o] ? acc[x] : finalValue(program, o, acc, x, cutoffs[k]);
			}
			sink.profile[row] = profileOffset + p;
			sink.cutoffIndex[row] = k;
			if (sink.label) sink.label[row] = state[p * K + k] === 2 ? 1 : 0;
		}
	}
}
