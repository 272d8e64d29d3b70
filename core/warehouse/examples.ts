/**
 * The SQL executor: the same feature declarations, eligibility and labels as the in-memory
 * executor (examples.ts), compiled to one aggregation per cutoff that the warehouse runs.
 * On a ClickHouse Distributed table the GROUP BY runs on the shards and merges on the node
 * asked; only the eligible profiles' accumulators come back.
 *
 * Each declaration compiles to the accumulators of its walk operation (walk.ts: a, b, c),
 * each a conditional aggregate (count, sum, min, max, distinct, latest) over the events of
 * its filter and window. The final value is then computed by the walk's own `finalValue`
 * from those accumulators, so divisions and day arithmetic are the same code as in memory,
 * and the Float32 the learner sees is the same. A new declarative aggregate needs one entry
 * in `accumulatorsOf` here and its op in walk.ts.
 */
import { InputError } from '../errors';
import { type FieldKind, type ResolvedCondition, resolveCondition } from '../goal/conditions';
import type { EligibilityItem, Goal } from '../goal/schema';
import { groupParts } from '../goal/schema';
import { didYouMean, listNames } from '../goal/suggest';
import type { LabelledDataset } from '../learn/dataset';
import { ArrayCells, type RowCells } from './cells';
import { type EventColumns, fieldExpr, oncePerRow, warehouseFieldKinds } from './columns';
import { compileCondition, truth } from './conditions';
import { SqlValues } from './dialect';
import type { DataRange } from '../features/cutoffs';
import type { FeatureDecl } from '../features/declaration';
import { type CutoffCounts, checkCutoffs } from '../features/examples';
import { placesByCutoffThenRank, rankIds } from './order';
import { bgnbdParams, opOfAggregate } from '../features/execute';
import { type SamplePlan, hashRange } from '../features/sample';
import { sampleConditionSql, sampleHashSql } from './sample';
import { DAY_MS, Op, type OpSpec, compileProgram, finalValue, slots } from '../features/walk';

/** Runs one statement and returns its rows as plain objects (see core/warehouse/client.ts). */
export interface SqlRunner {
	rows(sql: string, params: readonly unknown[]): Promise<Record<string, unknown>[]>;
	/** Streams the rows one at a time, so a large answer is never held whole (rows() when absent). */
	each?(sql: string, params: readonly unknown[], onRow: (row: Record<string, unknown>) => void): Promise<void>;
	/**
	 * Streams the rows read by position (column i of the SELECT list), with no object per row
	 * (each() or rows() when absent); `where` says which answer it is in an error about a value.
	 */
	eachCells?(sql: string, params: readonly unknown[], where: string, onRow: (cells: RowCells) => void): Promise<void>;
}

async function eachCells(runner: SqlRunner, sql: string, params: readonly unknown[], where: string, onRow: (cells: RowCells) => void): Promise<void> {
	if (runner.eachCells) return runner.eachCells(sql, params, where, onRow);
	// An object row keeps its columns in SELECT order (the aliases are not array indices).
	let cells: ArrayCells | undefined;
	const take = (row: Record<string, unknown>) => {
		cells ??= new ArrayCells(Object.keys(row), where);
		cells.values = Object.values(row);
		cells.row++;
		onRow(cells);
	};
	if (runner.each) return runner.each(sql, params, take);
	for (const row of await runner.rows(sql, params)) take(row);
}

/** One accumulator: an aggregate's SQL and how its result is read (a number, or text for categories). */
interface Accumulator {
	readonly sql: string;
	readonly text?: boolean;
	/** Keeps a larger state than a number while the warehouse aggregates (the latest value and its sort keys). */
	readonly large?: boolean;
	/** The slot holds this aggregate less `minus` (two exact counts), so no aggregate of its own is computed. */
	readonly minus?: Accumulator;
}

/**
 * Distinct days as bit masks: one aggregate per word of `dayMaskBits` days, each OR-ing the bit
 * of an event's day counted back from the cutoff's day; the process counts the set bits. An OR
 * keeps no set per profile, as an exact distinct count does, and was the costliest aggregate.
 */
interface DayMasks {
	readonly words: readonly Accumulator[];
}

/** Days per mask word: 48 bits, so a word arrives as a number a double holds exactly. */
const dayMaskBits = 48;

/** A feature's accumulators in its op's slots, and the count that must be positive for slot a to mean anything. */
interface CompiledFeature {
	readonly spec: OpSpec;
	readonly slots: readonly (Accumulator | DayMasks | undefined)[];
	readonly guard?: Accumulator;
	readonly categories?: readonly string[];
}

/** Everything that is the same for every cutoff's query: resolved conditions and checked features. */
interface Plan {
	readonly columns: EventColumns;
	readonly goal: Goal;
	readonly features: readonly FeatureDecl[];
	readonly kinds: ReadonlyMap<string, FieldKind>;
	readonly resolvedFeatures: readonly (ResolvedCondition | null)[];
	readonly exclusions: readonly ResolvedCondition[];
	readonly outcome: ResolvedCondition;
	/** True when each profile's events are on one shard of a ClickHouse cluster (see shardLayout). */
	readonly shardLocal?: boolean;
	/** The shards of the ClickHouse cluster the table is spread over (1 for a plain table). */
	readonly shards?: number;
	/** ClickHouse: the most (profile, cutoff) groups one query may aggregate; more are split by a hash of the profile id (default: from the server's max_memory_usage). */
	readonly groupsPerQuery?: number;
	/** At most this many profiles are in reach (the columns are restricted to a list of ids): spares counting them. */
	readonly profilesAtMost?: number;
	/** The (profile, cutoff) groups of all the cutoffs, when readiness counted them (countWarehouseCutoffs): spares counting them again. */
	readonly groupsInReach?: number;
	/** How many of groupsInReach have a goal event in the window (countWarehouseCutoffs): sizes the parts under a sample. */
	readonly goalGroupsInReach?: number;
	/**
	 * Only the profiles with a goal event within the lookback before the cutoff (one cutoff): all
	 * the buy-till-you-die fit reads. ClickHouse only: PostgreSQL reads the events a second time
	 * for the subquery, through the per-row expressions, which cost more than the profiles left
	 * out spare (1,000,000 events: 5.5 s against 4.3 s, one run each on a loaded machine).
	 */
	readonly goalHistoriesOnly?: boolean;
}

function bad(message: string): InputError {
	return new InputError(message, 'bad-features');
}

/** Resolves the goal and the features against the warehouse's fields; throws InputError naming what is wrong. */
function makePlan(columns: EventColumns, goal: Goal, features: readonly FeatureDecl[]): Plan {
	const kinds = warehouseFieldKinds(columns);
	const names = new Set<string>();
	const resolvedFeatures = features.map((feature) => {
		if (names.has(feature.name)) throw bad(`Two features are named "${feature.name}": feature names must be unique.`);
		names.add(feature.name);
		const where = `Feature "${feature.name}" (${feature.label})`;
		checkFeature(feature, goal, kinds, where);
		try {
			return feature.filter ? resolveCondition(feature.filter, kinds) : null;
		} catch (error) {
			throw bad(`${where}: ${(error as Error).message}`);
		}
	});
	return {
		columns: oncePerRow(columns),
		goal,
		features,
		kinds,
		resolvedFeatures,
		exclusions: goal.exclusions.map((exclusion) => resolveCondition(exclusion, kinds)),
		outcome: resolveCondition(goal.outcome.when, kinds),
	};
}

/** The checks the in-memory executor makes (execute.ts featureOp), with the same messages. */
function checkFeature(feature: FeatureDecl, goal: Goal, kinds: ReadonlyMap<string, FieldKind>, where: string): void {
	const window = feature.windowDays ?? goal.lookbackDays;
	const baseline = feature.aggregate === 'trend' ? feature.baselineDays : 0;
	if (feature.aggregate === 'trend' && !(baseline !== undefined && baseline > 0))
		throw bad(`${where}: a trend needs baselineDays (the earlier window it compares with).`);
	const reachDays = window + (baseline ?? 0);
	if (!(window > 0) || reachDays > goal.lookbackDays) {
		throw bad(
			`${where} looks back ${reachDays} days, beyond the goal's lookback of ${goal.lookbackDays} days: features may only see the lookback. Raise lookbackDays or shorten the feature's window.`,
		);
	}
	if (!['sum', 'mean', 'max', 'latest'].includes(feature.aggregate)) return;
	const field = feature.field ?? 'value';
	const kind = kinds.get(field);
	if (kind === undefined || kind === 'eventType') {
		throw bad(
			`${where} reads the field "${field}", which the events do not have${didYouMean(field, kinds.keys())}; the fields are ${listNames([...kinds.keys()])}.`,
		);
	}
	if (kind === 'category' && feature.aggregate !== 'latest')
		throw bad(`${where} takes the ${feature.aggregate} of "${field}", which holds text; only "latest" applies to text fields.`);
	if (kind === 'category' && !feature.categories) throw bad(`${where} reads the text field "${field}" but lists no categories to code it with.`);
}

/**
 * Builds the SQL of one query over one or several cutoffs; values go through one SqlValues.
 * Several cutoffs share one pass over the events: each event is joined to the cutoffs whose
 * reach it is in (ClickHouse's ARRAY JOIN, a VALUES list on PostgreSQL) and the aggregation
 * groups by profile and cutoff, so the warehouse reads the table once, not once per cutoff.
 */
class CutoffSql {
	readonly values: SqlValues;
	readonly t: string;
	readonly cutoff: string;
	/** The cutoff a row belongs to, in SQL (a literal for one cutoff). */
	readonly key: string;

	constructor(
		readonly plan: Plan,
		readonly cutoffs: readonly number[],
	) {
		this.values = new SqlValues(plan.columns.dialect);
		this.t = plan.columns.timeMs;
		this.key = cutoffs.length === 1 ? this.values.value(cutoffs[0]) : plan.columns.dialect.engine === 'postgres' ? 'cut.at' : cutoffColumn;
		this.cutoff = this.moment(0);
	}

	/** The cutoff shifted by `offsetMs`: a literal for one cutoff, an expression over the joined cutoff otherwise. */
	moment(offsetMs: number): string {
		if (this.cutoffs.length === 1) return this.values.value(this.cutoffs[0] + offsetMs);
		return offsetMs === 0 ? this.key : `(${this.key} + ${this.values.value(offsetMs)})`;
	}

	/**
	 * The events, joined to the cutoffs when there are several. `profiles` (a sample's, see
	 * keptGroups) lets an event on ClickHouse join no cutoff at all when its profile cannot be
	 * kept, before the join copies it: a WHERE condition is only tested on the joined rows.
	 */
	from(profiles?: string): string {
		const table = this.plan.columns.table;
		if (this.cutoffs.length === 1) return table;
		if (this.dialect.engine === 'postgres')
			return `${table} CROSS JOIN (VALUES ${this.cutoffs.map((at) => `(${this.values.value(at)})`).join(', ')}) AS cut(at)`;
		// Each event is joined only to the cutoffs it is read at, so rows no aggregate counts are never made.
		const inReach = `${reachColumn} -> ${this.readAt(reachColumn, reachColumn)}`;
		const every = `[${this.cutoffs.map((at) => `toInt64(${this.values.value(at)})`).join(', ')}]`;
		const cutoffs = profiles ? `if(${profiles}, ${every}, emptyArrayInt64())` : every;
		return `${table} ARRAY JOIN arrayFilter(${inReach}, ${cutoffs}) AS ${cutoffColumn}`;
	}

	/**
	 * Whether an event is read at the cutoff `at` (its SQL; `atPlus` is `at` plus a literal
	 * offset): within the lookback before it, or a goal event within the outcome window after it.
	 * Only the label looks after a cutoff, and it counts goal events only: the others there
	 * (about one joined row in seven in the bench) would make rows that no aggregate counts.
	 * ClickHouse 18.16 reads a column named only inside the lambda as unknown: the label
	 * names the same columns in the SELECT list, so every query using this has them read.
	 */
	readAt(at: string, atPlus: string): string {
		const { before, after } = this.reach();
		const plus = (offsetMs: number) => `${atPlus} + ${this.values.value(offsetMs)}`;
		return `${this.t} >= ${plus(-before)} AND (${this.t} <= ${at} OR (${this.t} <= ${plus(after)} AND ${this.condition(this.plan.outcome)}))`;
	}

	/** How far before a cutoff its features look, and after it its label: the events a cutoff reads. */
	reach(): { before: number; after: number } {
		const { goal } = this.plan;
		return { before: goal.lookbackDays * DAY_MS, after: goal.outcome.windowDays * DAY_MS };
	}

	/** GROUP BY: profile, and cutoff when there are several. */
	groupBy(): string {
		return this.cutoffs.length === 1 ? this.plan.columns.profile : `${this.plan.columns.profile}, ${this.key}`;
	}

	get dialect() {
		return this.values.dialect;
	}

	condition(resolved: ResolvedCondition | null): string {
		return resolved ? compileCondition(resolved, (name) => fieldExpr(this.plan.columns, name), this.values) : truth(this.values, true);
	}

	/** Events in [cutoff − reach, cutoff]: what a history operation sees. */
	history(reachMs: number): string {
		return `(${this.t} >= ${this.moment(-reachMs)} AND ${this.t} <= ${this.cutoff})`;
	}

	/** Events in (cutoff, cutoff + reach]: what a label sees. */
	future(reachMs: number): string {
		return `(${this.t} > ${this.cutoff} AND ${this.t} <= ${this.moment(reachMs)})`;
	}

	and(...parts: string[]): string {
		return `(${parts.join(' AND ')})`;
	}

	/** The latest non-missing value of `x` among events matching `where`, NULL when there is none. */
	latest(x: string, where: string): { value: Accumulator; guard: Accumulator } {
		const present = this.and(where, `${x} IS NOT NULL`);
		const columns = this.plan.columns;
		// The in-memory table orders ties in time by type, then value (missing first): the same keys here.
		const order = [this.t, this.dialect.bytewise(columns.eventType), this.dialect.nullLowest(columns.value)];
		return { value: { sql: this.dialect.latestIf(x, order, present), large: true }, guard: { sql: this.dialect.countIf(present) } };
	}

	/**
	 * The UTC days of the events matching `where`, which lie at most `reachMs` before the cutoff,
	 * as bit masks: bit i of word j is set when an event fell (48 j + i) days before the cutoff's
	 * day. Those offsets run from 0 to ceil(reach / day), whatever the cutoff's time of day.
	 */
	dayMasks(where: string, reachMs: number): DayMasks {
		const d = this.dialect;
		const day = String(DAY_MS);
		const cutoffDay = this.cutoffs.length === 1 ? this.values.value(Math.floor(this.cutoffs[0] / DAY_MS)) : d.intDiv(this.key, day);
		const offset = `(${cutoffDay} - ${d.intDiv(this.t, day)})`;
		const count = Math.floor(Math.ceil(reachMs / DAY_MS) / dayMaskBits) + 1;
		const words = Array.from({ length: count }, (_, j) => {
			if (count === 1) return { sql: d.bitsIf(offset, where) };
			const first = j * dayMaskBits;
			return { sql: d.bitsIf(`${offset} - ${first}`, this.and(where, `${offset} >= ${first}`, `${offset} < ${first + dayMaskBits}`)) };
		});
		return { words };
	}

	/** The accumulators of one feature, in the slots of its walk operation. */
	accumulatorsOf(feature: FeatureDecl, filter: ResolvedCondition | null): CompiledFeature {
		const d = this.dialect;
		const goal = this.plan.goal;
		const window = feature.windowDays ?? goal.lookbackDays;
		const reachMs = (window + (feature.aggregate === 'trend' ? (feature.baselineDays as number) : 0)) * DAY_MS;
		const spec: OpSpec = { code: opOfAggregate[feature.aggregate], reachMs, recentMs: window * DAY_MS };
		const matching = this.and(this.condition(filter), this.history(reachMs));
		const count = (where: string): Accumulator => ({ sql: d.countIf(where) });
		const field = () => fieldExpr(this.plan.columns, feature.field ?? 'value');
		const withField = () => this.and(matching, `${field()} IS NOT NULL`);
		switch (feature.aggregate) {
			case 'count':
				return { spec, slots: [count(matching)] };
			case 'sum':
				return { spec, slots: [{ sql: d.sumIf(field(), withField()) }] };
			case 'mean':
				return { spec, slots: [{ sql: d.sumIf(field(), withField()) }, count(withField())] };
			case 'max':
				return { spec, slots: [{ sql: d.maxIf(field(), withField()) }], guard: count(withField()) };
			case 'daysSinceLast':
				return { spec, slots: [{ sql: d.maxIf(this.t, matching) }], guard: count(matching) };
			case 'daysSinceFirst':
				return { spec, slots: [{ sql: d.minIf(this.t, matching) }], guard: count(matching) };
			case 'distinctDays':
				return { spec, slots: [this.dayMasks(matching, reachMs)] };
			case 'trend': {
				// The baseline [cutoff − reach, cutoff − window) is the reach less the recent window: the difference of
				// two exact counts, each the same SQL as a count feature over that window (usually asked already), so
				// the warehouse computes no aggregate of its own for the trend.
				const recent = count(this.and(this.condition(filter), this.history(window * DAY_MS)));
				return { spec, slots: [recent, { ...count(matching), minus: recent }] };
			}
			case 'meanGapDays':
				return { spec, slots: [{ sql: d.minIf(this.t, matching) }, { sql: d.maxIf(this.t, matching) }, count(matching)] };
			case 'repeatChance':
			case 'activeChance':
				// The walk's BG/NBD operation reads the first and last outcome time and their count, as meanGapDays does.
				return {
					spec: { ...spec, params: bgnbdParams(feature, `Feature "${feature.name}"`) },
					slots: [{ sql: d.minIf(this.t, matching) }, { sql: d.maxIf(this.t, matching) }, count(matching)],
				};
			case 'latest': {
				const { value, guard } = this.latest(field(), matching);
				const text = this.plan.kinds.get(feature.field ?? 'value') === 'category';
				return { spec: text ? { ...spec, code: Op.latestCategory } : spec, slots: [{ ...value, text }], guard, categories: feature.categories };
			}
		}
	}

	/** Eligibility at this cutoff as a HAVING condition over aggregates: activity in the lookback, then the goal's conditions. */
	eligibility(): string {
		const lookbackMs = this.plan.goal.lookbackDays * DAY_MS;
		// The same SQL text as a count feature of every event over the lookback, so the warehouse computes it once.
		const seen = `${this.dialect.countIf(this.and(this.condition(null), this.history(lookbackMs)))} > 0`;
		return this.and(seen, this.eligibilityItem(this.plan.goal.eligibility));
	}

	private eligibilityItem(item: EligibilityItem): string {
		const d = this.dialect;
		if ('all' in item || 'any' in item) {
			const { mode, items } = groupParts<EligibilityItem>(item);
			if (items.length === 0) return truth(this.values, mode === 'all');
			return `(${items.map((child) => this.eligibilityItem(child)).join(mode === 'all' ? ' AND ' : ' OR ')})`;
		}
		const kinds = this.plan.kinds;
		if ('activeWithinDays' in item) return `(${d.countIf(this.history(item.activeWithinDays * DAY_MS))} > 0)`;
		if ('did' in item || 'didNot' in item) {
			const group = 'did' in item ? item.did : item.didNot;
			const count = d.countIf(this.and(this.condition(resolveCondition(group, kinds)), this.history(item.withinDays * DAY_MS)));
			return 'did' in item ? `(${count} > 0)` : `(${count} = 0)`;
		}
		const test = resolveCondition(item.profile, kinds);
		const x = fieldExpr(this.plan.columns, item.profile.field);
		const { value, guard } = this.latest(x, this.history(this.plan.goal.lookbackDays * DAY_MS));
		const latest = `(CASE WHEN ${guard.sql} > 0 THEN ${value.sql} ELSE NULL END)`;
		return compileCondition(test, () => latest, this.values);
	}

	/** Goal events in the window after the cutoff. */
	label(): string {
		return this.dialect.countIf(this.and(this.condition(this.plan.outcome), this.future(this.plan.goal.outcome.windowDays * DAY_MS)));
	}

	/** The rows of the sample (every row when there is none), as more of the HAVING condition. */
	sampled(sample: SamplePlan | undefined): string {
		if (!sample) return '';
		const happened = `${this.label()} > 0`;
		const positive = this.plan.goal.outcome.occur === 'will_occur' ? happened : `NOT (${happened})`;
		return ` AND ${sampleConditionSql(this.dialect, sample, this.plan.columns.profile, positive)}`;
	}

	/**
	 * What a sample can keep, as conditions on the events (none when it can keep any row): on
	 * their profile (`profiles`) and on their (profile, cutoff) group (`groups`, for the WHERE).
	 * A profile is kept or dropped as a whole for each class: at a cutoff with no goal event in
	 * its window it is kept below the no-event class's threshold, else below the other's. Any
	 * other group has no row in the sample, so its events are never aggregated: with a tight
	 * sample that is most of the work. Decided before the aggregation from the profile's hash
	 * (once per profile) and the goal events alone, within `part`'s profiles; a superset of the
	 * sample (HAVING still decides each row), so the rows are the same.
	 */
	keptGroups(sample: SamplePlan | undefined, part: string): { profiles: string; groups: string } | undefined {
		if (!sample) return undefined;
		const { withEvent, without } = thresholdsByGoalEvent(sample, this.plan.goal);
		if (without >= hashRange) return undefined;
		const { profile, table, valid } = this.plan.columns;
		const hash = sampleHashSql(this.dialect, profile, sample.seed);
		const byHash = `SELECT ${profile} FROM ${table} WHERE ${this.span()}${part} GROUP BY ${profile} HAVING ${hash} < ${without}`;
		const below = withEvent >= hashRange ? '' : ` HAVING ${hash} < ${withEvent}`;
		const goal = this.condition(this.plan.outcome);
		const { after } = this.reach();
		if (this.cutoffs.length === 1) {
			const inWindow = `${this.t} > ${this.cutoff} AND ${this.t} <= ${this.moment(after)}`;
			const byEvent = `SELECT ${profile} FROM ${table} WHERE ${valid} AND ${goal} AND ${inWindow}${part} GROUP BY ${profile}${below}`;
			const profiles = this.eitherIn(profile, byHash, withEvent > without ? byEvent : undefined);
			return { profiles, groups: profiles };
		}
		const pairs = this.goalEventsByCutoff(after);
		const goalEvents = `FROM ${pairs.from} WHERE ${valid} AND ${goal} AND ${pairs.where}${part}`;
		const byEvent = withEvent > without ? `SELECT ${profile} ${goalEvents} GROUP BY ${profile}${below}` : undefined;
		const profiles = this.eitherIn(profile, byHash, byEvent);
		if (!byEvent) return { profiles, groups: profiles };
		const groupsByEvent = `SELECT ${profile}, ${pairs.key} ${goalEvents} GROUP BY ${profile}, ${pairs.key}${below}`;
		if (this.dialect.engine === 'clickhouse')
			return { profiles, groups: `(${this.eitherIn(profile, byHash)} OR ${this.eitherIn(`(${profile}, ${this.key})`, groupsByEvent)})` };
		// PostgreSQL: one IN (a semi-join, which hashes and spills as it must), the hash's profiles at every cutoff.
		const every = `(VALUES ${this.cutoffs.map((at) => `(${this.values.value(at)})`).join(', ')}) AS every_cut(at)`;
		return {
			profiles,
			groups: `(${profile}, ${this.key}) IN (SELECT kept.p, every_cut.at FROM (${byHash}) AS kept(p) CROSS JOIN ${every} UNION ALL ${groupsByEvent})`,
		};
	}

	/**
	 * `x` in the answer of `first` or of `second`. ClickHouse tests each set (on a cluster whose
	 * shards each hold whole profiles, each shard reads its own table: distributed_product_mode =
	 * 'local'; any other table sends the sets to the shards: GLOBAL IN). PostgreSQL gets one IN
	 * over both, a semi-join: an OR of two would be tested row by row once a set outgrows work_mem.
	 */
	private eitherIn(x: string, first: string, second?: string): string {
		if (this.dialect.engine === 'postgres') return `${x} IN (${second ? `${first} UNION ALL ${second}` : first})`;
		const within = this.plan.shardLocal ? 'IN' : 'GLOBAL IN';
		return second ? `(${x} ${within} (${first}) OR ${x} ${within} (${second}))` : `${x} ${within} (${first})`;
	}

	/**
	 * The profiles with a goal event within the lookback before the cutoff (one cutoff), as a
	 * condition on the events: the others' events are never aggregated.
	 */
	withGoalHistory(): string {
		const { profile, table, valid } = this.plan.columns;
		const within = this.dialect.engine === 'clickhouse' && !this.plan.shardLocal ? 'GLOBAL IN' : 'IN';
		const goal = this.condition(this.plan.outcome);
		return `${profile} ${within} (SELECT ${profile} FROM ${table} WHERE ${valid} AND ${goal} AND ${this.history(this.plan.goal.lookbackDays * DAY_MS)} GROUP BY ${profile})`;
	}

	/** The goal events joined to each cutoff whose outcome window, `afterMs` long, they fall in (several cutoffs). */
	private goalEventsByCutoff(afterMs: number): { from: string; key: string; where: string } {
		const table = this.plan.columns.table;
		const window = this.values.value(afterMs);
		if (this.dialect.engine === 'postgres') {
			const cutoffs = this.cutoffs.map((at) => `(${this.values.value(at)})`).join(', ');
			return {
				from: `${table} CROSS JOIN (VALUES ${cutoffs}) AS goal_cut(at)`,
				key: 'goal_cut.at',
				where: `${this.t} > goal_cut.at AND ${this.t} <= goal_cut.at + ${window}`,
			};
		}
		const cutoffs = `[${this.cutoffs.map((at) => `toInt64(${this.values.value(at)})`).join(', ')}]`;
		// The time is named outside the lambda too (in the span), as ClickHouse 18.16 needs (see readAt).
		const inWindow = `${reachColumn} -> ${this.t} > ${reachColumn} AND ${this.t} <= ${reachColumn} + ${window}`;
		return {
			from: `${table} ARRAY JOIN arrayFilter(${inWindow}, ${cutoffs}) AS ${goalCutoffColumn}`,
			key: goalCutoffColumn,
			where: `${this.span()}`,
		};
	}

	/** Valid events within reach of the first or the last cutoff. */
	span(): string {
		const { goal, columns } = this.plan;
		const first = this.cutoffs[0];
		const last = this.cutoffs[this.cutoffs.length - 1];
		return `${columns.valid} AND ${this.t} >= ${this.values.value(first - goal.lookbackDays * DAY_MS)} AND ${this.t} <= ${this.values.value(last + goal.outcome.windowDays * DAY_MS)}`;
	}

	/** Events every query reads: valid, not excluded, and read at the cutoff (see readAt; within reach of the first or last cutoff, then of each). */
	where(): string {
		const parts = [this.span()];
		if (this.cutoffs.length === 1) parts.push(`(${this.t} <= ${this.cutoff} OR ${this.condition(this.plan.outcome)})`);
		else parts.push(`(${this.readAt(this.key, `(${this.key})`)})`);
		for (const exclusion of this.plan.exclusions) parts.push(`NOT ${this.condition(exclusion)}`);
		return parts.join(' AND ');
	}
}

/** The joined cutoff's name on ClickHouse (PostgreSQL qualifies it as cut.at). */
const cutoffColumn = 'propensity_cutoff';

/**
 * A sample's hash thresholds by whether a (profile, cutoff) group has a goal event in its
 * window: with one it is positive when the goal is that the event will occur, negative otherwise.
 */
function thresholdsByGoalEvent(sample: SamplePlan, goal: Goal): { withEvent: number; without: number } {
	const willOccur = goal.outcome.occur === 'will_occur';
	return {
		withEvent: willOccur ? sample.positiveThreshold : sample.negativeThreshold,
		without: willOccur ? sample.negativeThreshold : sample.positiveThreshold,
	};
}

/** The cutoff a goal event is joined to when choosing the groups a sample keeps (ClickHouse; see keptGroups). */
const goalCutoffColumn = 'propensity_goal_cutoff';

/** The lambda parameter choosing the cutoffs an event is within reach of (ClickHouse). */
const reachColumn = 'propensity_at';

/** Distinct aggregates of one query, named a0, a1 …; the same SQL is computed once. */
class SelectList {
	readonly items: string[] = [];
	/** How many of the items keep a large state (see Accumulator.large). */
	large = 0;
	private readonly names = new Map<string, string>();

	alias(accumulator: Accumulator): string {
		let name = this.names.get(accumulator.sql);
		if (name === undefined) {
			name = `${aggregatePrefix}${this.items.length}`;
			this.items.push(`${accumulator.sql} AS ${name}`);
			if (accumulator.large) this.large++;
			this.names.set(accumulator.sql, name);
		}
		return name;
	}

	/** An alias's place among the items (the first is 0). */
	indexOf(name: string): number {
		return Number(name.slice(aggregatePrefix.length));
	}
}

/**
 * The names the aggregations give their answers carry this prefix: on ClickHouse an alias
 * stands for its expression everywhere in the query, so an answer named like a column of the
 * events (an attribute called p, say) would be read in its place.
 */
const ownName = 'propensity_';

/** The aggregates' names: propensity_a0, propensity_a1 … */
const aggregatePrefix = `${ownName}a`;

/** A row's number in a column: SQL integers may arrive as text (bigint, Int64); NULL is NaN. */
export function numberOf(row: Record<string, unknown>, name: string, where: string): number {
	const raw = row[name];
	if (raw === null || raw === undefined) return NaN;
	const x = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : NaN;
	if (typeof raw !== 'number' && !(typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(x))) {
		throw new InputError(`The warehouse returned ${JSON.stringify(raw)} for ${name} ${where}, where a number was expected.`, 'warehouse-result');
	}
	return x;
}

/** Row `row`'s profile id (column p), refused when missing. */
function profileOf(raw: unknown, row: number, where: string): string {
	if (typeof raw !== 'string' || raw === '')
		throw new InputError(`The warehouse returned a row without a profile id (row ${row}) ${where}.`, 'warehouse-result');
	return raw;
}

export interface WarehouseExamples {
	readonly data: LabelledDataset;
	/** Per row: the index of its profile in `profileIds`. */
	readonly profile: Uint32Array;
	/** Profile ids of the rows, ascending (code-unit order, as in an in-memory table). */
	readonly profileIds: readonly string[];
	readonly cutoffIndex: Uint16Array;
	readonly cutoffs: number[];
	readonly perCutoff: CutoffCounts[];
}

/**
 * One eligible profile's row at one cutoff (the cutoff's index in the list asked for). `values` is
 * one buffer reused for every row (millions of small typed arrays cost seconds): copy what you keep.
 */
type CutoffRow = (k: number, id: string, label: number, values: Float32Array) => void;

/** Runs the aggregation of the cutoffs in one query and hands over each eligible profile's label and final feature values as it arrives. */
async function streamCutoffs(runner: SqlRunner, plan: Plan, cutoffs: readonly number[], sample: SamplePlan | undefined, onRow: CutoffRow): Promise<void> {
	const q = new CutoffSql(plan, cutoffs);
	const select = new SelectList();
	const compiled = plan.features.map((feature, f) => q.accumulatorsOf(feature, plan.resolvedFeatures[f]));
	const slotNames = compiled.map((feature) => ({
		slots: feature.slots.map((slot) => slot && ('words' in slot ? slot.words.map((word) => select.alias(word)) : select.alias(slot))),
		minus: feature.slots.map((slot) => (slot && 'sql' in slot && slot.minus ? select.alias(slot.minus) : undefined)),
		guard: feature.guard && select.alias(feature.guard),
	}));
	const label = select.alias({ sql: q.label() });
	const columns = plan.columns;
	const items = [`${columns.profile} AS ${ownName}p`, `${q.key} AS ${ownName}k`, ...select.items].join(', ');
	if (plan.goalHistoriesOnly && cutoffs.length !== 1) throw new Error('goal histories are read at one cutoff');
	const goalHistoriesOnly = plan.goalHistoriesOnly === true && plan.columns.dialect.engine === 'clickhouse';
	const settings = aggregationSettings(plan, sample !== undefined || goalHistoriesOnly);
	const parts = await profileRanges(runner, plan, q, select, sample);
	const reads = `${q.where()}${goalHistoriesOnly ? ` AND ${q.withGoalHistory()}` : ''}`;
	const having = `${q.eligibility()}${q.sampled(sample)}`;
	const statements = parts.map((part) => {
		const kept = q.keptGroups(sample, part);
		return `SELECT ${items} FROM ${q.from(kept?.profiles)} WHERE ${reads}${part}${kept ? ` AND ${kept.groups}` : ''} GROUP BY ${q.groupBy()} HAVING ${having}${settings}`;
	});
	const dates = cutoffs.map((at) => new Date(at).toISOString()).join(', ');
	const where = `at the cutoff${cutoffs.length > 1 ? 's' : ''} ${dates}`;
	const program = compileProgram(compiled.map((feature) => feature.spec));
	const positions = compiled.map((feature) => (feature.categories ? new Map(feature.categories.map((category, index) => [category, index])) : undefined));
	// Each accumulator's column in the answer: the profile and the cutoff come first, then the aggregates.
	const column = (name: string) => 2 + select.indexOf(name);
	const read = readingPlan(compiled, slotNames, column);
	const labelColumn = column(label);
	const acc = new Float64Array(compiled.length * slots);
	const willOccur = plan.goal.outcome.occur === 'will_occur';
	const indexOf = new Map(cutoffs.map((at, k) => [at, k]));
	// Each row becomes its final Float32 values as it arrives, read by position: the answer is never held as objects.
	const values = new Float32Array(compiled.length);
	const take = (cells: RowCells) => {
		const k = indexOf.get(cells.number(1));
		if (k === undefined)
			throw new InputError(
				`The warehouse returned a row for the cutoff ${JSON.stringify(cells.text(1))}, which was not asked for, ${where}.`,
				'warehouse-result',
			);
		const at = cutoffs[k];
		for (let f = 0; f < compiled.length; f++) {
			const x = f * slots;
			for (let j = read.first[f]; j < read.first[f + 1]; j++) {
				const c = read.column[j];
				let value = 0;
				if (read.kind[j] === Read.number) value = read.minus[j] < 0 ? cells.number(c) : cells.number(c) - cells.number(read.minus[j]);
				else if (read.kind[j] === Read.text) value = categoryCode(cells.text(c), positions[f]);
				else for (let w = c; w < c + read.words[j]; w++) value += setBits(cells.number(read.maskColumns[w]));
				acc[x + read.slot[j]] = value;
			}
			const guard = read.guard[f];
			if (guard >= 0 && !(cells.number(guard) > 0)) acc[x] = NaN;
			values[f] = finalValue(program, f, acc, x, at);
		}
		onRow(k, profileOf(cells.text(0), cells.row, where), cells.number(labelColumn) > 0 === willOccur ? 1 : 0, values);
	};
	await overlapping(parts.length, (i, arrived) =>
		eachCells(runner, statements[i], q.values.params, where, (cells) => {
			arrived();
			take(cells);
		}),
	);
}

/**
 * The SETTINGS of an aggregation by profile: on a cluster whose shards hold whole profiles, each
 * shard finishes its groups, HAVING included, and the node asked only concatenates; the
 * subqueries choosing profiles (keptGroups, withGoalHistory) are then read by each shard from
 * its own table.
 */
function aggregationSettings(plan: Plan, subqueries: boolean): string {
	if (!plan.shardLocal) return '';
	return ` SETTINGS distributed_group_by_no_merge = 1${subqueries ? `, distributed_product_mode = 'local'` : ''}`;
}

/**
 * The (profile, cutoff) groups the examples' aggregation holds under a sample (see
 * CutoffSql.keptGroups), eligible or not: what the sample spares the warehouse, as it computes it.
 */
export async function warehouseSampledGroups(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	cutoffs: readonly number[],
	sample: SamplePlan,
): Promise<{ id: string; cutoff: number }[]> {
	checkCutoffs(cutoffs);
	const plan = { ...makePlan(columns, goal, []), ...(await shardLayout(runner, columns)) };
	const q = new CutoffSql(plan, cutoffs);
	const kept = q.keptGroups(sample, '');
	const rows = await runner.rows(
		`SELECT ${plan.columns.profile} AS ${ownName}p, ${q.key} AS ${ownName}k FROM ${q.from(kept?.profiles)} WHERE ${q.where()}${kept ? ` AND ${kept.groups}` : ''} GROUP BY ${q.groupBy()}${aggregationSettings(plan, true)}`,
		q.values.params,
	);
	const where = 'when reading the groups a sample keeps';
	return rows.map((row, r) => ({ id: profileOf(row[`${ownName}p`], r + 1, where), cutoff: numberOf(row, `${ownName}k`, where) }));
}

/**
 * Parts of one aggregation in flight at once at most (see overlapping): the servers aggregate
 * the next part while this process reads the rows of the one before it.
 */
const partsInFlight = 2;

/**
 * Runs `count` parts (`run` calls `arrived` at each row), each starting once the one before it starts answering (its servers have
 * aggregated it, its rows are on their way) and the one before that has finished: at most two
 * in flight, so the servers aggregate part k + 1 while this process reads part k's rows, where
 * one after another they would sit idle. Rows of two parts then arrive interleaved: a part's
 * rows are whole rows, and the callers order them (buildWarehouseExamples sorts them) or keep
 * them by id. When a part fails, the one still in flight is stopped at its next row and
 * waited for, and the first error is thrown.
 */
export async function overlapping(count: number, run: (part: number, arrived: () => void) => Promise<void>): Promise<void> {
	const finished: Promise<void>[] = [];
	let failed = false;
	// The first part to fail says why; the part it stops then fails with a stop, not the cause.
	let cause: { error: unknown } | undefined;
	try {
		for (let i = 0; i < count && !failed; i++) {
			let answering = () => {};
			const answered = new Promise<void>((resolve) => (answering = resolve));
			// Called at each row of the part: the first says it is answering; any row after another part failed stops it.
			const part = run(i, () => {
				if (failed) throw new Error('another part of the aggregation failed');
				answering();
			});
			finished.push(part);
			part.catch((error: unknown) => {
				failed = true;
				cause ??= { error };
			});
			await Promise.race([answered, part]);
			if (i > 0) await finished[i - 1];
		}
		await Promise.all(finished);
	} catch (error) {
		failed = true;
		await Promise.allSettled(finished);
		throw cause ? cause.error : error;
	}
}

/** How an accumulator slot is read from its columns. */
const enum Read {
	number = 0,
	/** A category, coded by its index in the feature's list. */
	text = 1,
	/** Day mask words, their set bits summed. */
	dayMasks = 2,
}

/**
 * Where each feature's accumulators are in a row, flat in typed arrays so that reading a row is
 * a loop over numbers: feature f's reads are first[f] … first[f + 1] − 1, each filling one slot
 * from one column (or, for day masks, from `words` columns listed in maskColumns from `column`).
 */
interface ReadingPlan {
	readonly first: Int32Array;
	readonly slot: Uint8Array;
	readonly kind: Uint8Array;
	readonly column: Int32Array;
	readonly words: Int32Array;
	readonly maskColumns: Int32Array;
	/** A number read less this column's (see Accumulator.minus), or -1. */
	readonly minus: Int32Array;
	/** The column of the count that must be positive for slot a to mean anything, or -1. */
	readonly guard: Int32Array;
}

function readingPlan(
	compiled: readonly CompiledFeature[],
	names: readonly { slots: readonly (string | string[] | undefined)[]; minus: readonly (string | undefined)[]; guard?: string }[],
	column: (name: string) => number,
): ReadingPlan {
	const first = [0];
	const slot: number[] = [];
	const kind: number[] = [];
	const columns: number[] = [];
	const words: number[] = [];
	const maskColumns: number[] = [];
	const minus: number[] = [];
	compiled.forEach((feature, f) => {
		names[f].slots.forEach((name, s) => {
			if (name === undefined) return;
			slot.push(s);
			const less = names[f].minus[s];
			minus.push(less === undefined ? -1 : column(less));
			if (typeof name === 'string') {
				kind.push((feature.slots[s] as Accumulator).text ? Read.text : Read.number);
				columns.push(column(name));
				words.push(0);
			} else {
				kind.push(Read.dayMasks);
				columns.push(maskColumns.length);
				words.push(name.length);
				maskColumns.push(...name.map(column));
			}
		});
		first.push(slot.length);
	});
	return {
		first: Int32Array.from(first),
		slot: Uint8Array.from(slot),
		kind: Uint8Array.from(kind),
		column: Int32Array.from(columns),
		words: Int32Array.from(words),
		maskColumns: Int32Array.from(maskColumns),
		minus: Int32Array.from(minus),
		guard: Int32Array.from(names, ({ guard }) => (guard === undefined ? -1 : column(guard))),
	};
}

/**
 * Bytes one (profile, cutoff) group holds on a ClickHouse 18.16 server until the aggregation
 * has read the last event, per aggregate and beyond them. With the bench's 95 aggregates a
 * shard's peak (system.query_log) was 2,007 bytes a group at 124,000 groups, but one query of
 * 1.24 million groups a shard went past 3.7 GB (over 3,000 bytes a group): the peak grows
 * faster than the groups, so 40 bytes an aggregate are counted, within half the limit. A
 * latest value (argMax over a tuple of sort keys) keeps a few values and its keys: counted as
 * eight aggregates (not measured).
 */
const groupBytes = { perAggregate: 40, perLarge: 320, base: 64 };

/** The share of a server's max_memory_usage one query's groups may fill; the rest is for what the estimate misses. */
const memoryShare = 0.5;

/** The profiles of each query as extra WHERE conditions: one query (no condition) unless the groups would not fit in memory. */
async function profileRanges(runner: SqlRunner, plan: Plan, q: CutoffSql, select: SelectList, sample: SamplePlan | undefined): Promise<string[]> {
	if (plan.columns.dialect.engine !== 'clickhouse') return [''];
	const inReach = plan.profilesAtMost !== undefined ? plan.profilesAtMost * q.cutoffs.length : (plan.groupsInReach ?? (await groupsInReach(runner, plan, q)));
	const groups = sample && plan.goalGroupsInReach !== undefined ? groupsUnderSample(inReach, plan.goalGroupsInReach, sample, plan.goal) : inReach;
	const parts = await queryParts(runner, plan, groups, select);
	if (parts === 1) return [''];
	const bounds = await profileBoundaries(runner, plan, q, parts, groups / q.cutoffs.length);
	const profile = plan.columns.profile;
	return [undefined, ...bounds].map((low, i) => {
		const high = bounds[i];
		const above = low === undefined ? [] : [`${profile} >= ${q.values.value(low)}`];
		const below = high === undefined ? [] : [`${profile} < ${q.values.value(high)}`];
		return ` AND ${[...above, ...below].join(' AND ')}`;
	});
}

/**
 * The groups an aggregation holds under a sample (see keptGroups), of `groups` in reach of
 * which `goalGroups` have a goal event in the window: each is kept when its profile's hash is
 * below its class's threshold (or the no-event class's), so as many as the thresholds' shares,
 * and a tenth more for chance (the hash spreads the profiles evenly, not exactly).
 */
function groupsUnderSample(groups: number, goalGroups: number, sample: SamplePlan, goal: Goal): number {
	const thresholds = thresholdsByGoalEvent(sample, goal);
	const share = (threshold: number) => Math.min(1, threshold / hashRange);
	const without = share(thresholds.without);
	const withEvent = Math.max(without, share(thresholds.withEvent));
	return Math.min(groups, Math.ceil(1.1 * ((groups - goalGroups) * without + goalGroups * withEvent)));
}

/**
 * How many queries the aggregation is split into on ClickHouse so each server's groups fit in
 * its share of max_memory_usage: a server holds every group's states until it has read the
 * last event. When the shards finish the aggregation each holds only its own profiles' groups;
 * otherwise the node asked merges them all. Once split, two parts run at once (overlapping), so
 * each part gets half the share: the servers hold no more than one query's share in all.
 * PostgreSQL sorts and spills on its own: one query.
 */
async function queryParts(runner: SqlRunner, plan: Plan, groups: number, select: SelectList): Promise<number> {
	let limit = plan.groupsPerQuery;
	if (limit === undefined) {
		const bytes = await remembered(runner, 'max_memory_usage', async () => {
			const [setting] = await runner.rows(`SELECT value FROM system.settings WHERE name = 'max_memory_usage'`, []);
			return Number(setting?.value) > 0 ? Number(setting.value) : 10e9;
		});
		const small = select.items.length - select.large;
		limit = Math.floor((bytes * memoryShare) / (groupBytes.perAggregate * small + groupBytes.perLarge * select.large + groupBytes.base));
		// Split, the parts overlap (see overlapping): two parts' groups must fit at once.
		if (serverGroups(plan, groups) > limit) limit = Math.floor(limit / partsInFlight);
	}
	return Math.max(1, Math.ceil(serverGroups(plan, groups) / Math.max(1, limit)));
}

/** The groups one server holds: its own profiles' when the shards finish the aggregation, else all of them (the node asked merges). */
function serverGroups(plan: Plan, groups: number): number {
	return plan.shardLocal ? groups / Math.max(1, plan.shards ?? 1) : groups;
}

/** Profiles sampled per part to place the boundaries: enough for parts of about equal size. */
const sampledPerPart = 200;

/**
 * Profile ids cutting the profiles in reach into `parts` ranges of about equal size: every
 * n-th profile by a hash of its id (so the same table gives the same boundaries), sorted by
 * the warehouse. Each part then reads only its range: a table sorted by the profile id (the
 * usual MergeTree key) skips the other parts' rows by its primary index, where a hash
 * condition would make every part read every row.
 */
async function profileBoundaries(runner: SqlRunner, plan: Plan, q: CutoffSql, parts: number, profiles: number): Promise<string[]> {
	const { profile, table } = plan.columns;
	const every = Math.max(1, Math.floor(profiles / (parts * sampledPerPart)));
	const rows = await runner.rows(
		`SELECT ${ownName}p FROM (SELECT ${profile} AS ${ownName}p FROM ${table} WHERE ${q.span()} AND modulo(cityHash64(${profile}), ${every}) = 0 GROUP BY ${ownName}p) ORDER BY ${ownName}p`,
		q.values.params,
	);
	const ids = rows.map((row, r) => profileOf(row[`${ownName}p`], r + 1, 'when sampling profile ids to split the aggregation'));
	const bounds: string[] = [];
	for (let i = 1; i < parts; i++) {
		const id = ids[Math.floor((i * ids.length) / parts)];
		if (id !== undefined && id !== bounds[bounds.length - 1]) bounds.push(id);
	}
	return bounds;
}

/** The (profile, cutoff) groups the aggregation will hold: at each cutoff, the profiles with an event within its reach (counted approximately, by uniq). */
async function groupsInReach(runner: SqlRunner, plan: Plan, q: CutoffSql): Promise<number> {
	const { before, after } = q.reach();
	const t = plan.columns.timeMs;
	const counts = q.cutoffs.map(
		(at, k) => `uniqIf(${plan.columns.profile}, ${t} >= ${q.values.value(at - before)} AND ${t} <= ${q.values.value(at + after)}) AS g${k}`,
	);
	const [row] = await runner.rows(`SELECT ${counts.join(', ')} FROM ${plan.columns.table} WHERE ${q.span()}`, q.values.params);
	return q.cutoffs.reduce((total, _, k) => total + numberOf(row, `g${k}`, 'when counting the profiles within reach of the cutoffs'), 0);
}

/** Functions a sharding key may apply to the profile id and still send each profile to one shard: deterministic ones of that id alone. */
const profileKeyFunctions = new Set(
	'cityHash64 sipHash64 halfMD5 farmHash64 metroHash64 intHash32 intHash64 murmurHash2_32 murmurHash2_64 murmurHash3_32 murmurHash3_64 xxHash32 xxHash64 javaHash hiveHash toString toUInt32 toUInt64 toInt32 toInt64'.split(
		' ',
	),
);

/** How a table's events are spread: whether each profile's events are on one shard, and over how many shards. */
interface ShardLayout {
	readonly shardLocal: boolean;
	readonly shards: number;
}

/**
 * A ClickHouse Distributed table whose sharding key is a deterministic function of the profile
 * id alone (e.g. cityHash64(customer_id)) is shard-local: every event of a profile was written
 * to one shard, so the shards can finish the aggregation themselves. Any other table, or a
 * server that will not say, keeps the merge on the node asked (always right). The shards are
 * counted from system.clusters (1 when it will not say), so the memory estimate can share
 * the groups among them.
 */
function shardLayout(runner: SqlRunner, columns: EventColumns): Promise<ShardLayout> {
	return remembered(runner, `layout of ${columns.table}`, () => readShardLayout(runner, columns));
}

/** What a connection has read of the server's settings and tables, by what it is: asked once however many aggregations it runs. */
const rememberedByRunner = new WeakMap<SqlRunner, Map<string, Promise<unknown>>>();

function remembered<T>(runner: SqlRunner, key: string, read: () => Promise<T>): Promise<T> {
	let known = rememberedByRunner.get(runner);
	if (!known) rememberedByRunner.set(runner, (known = new Map()));
	let answer = known.get(key) as Promise<T> | undefined;
	if (!answer) {
		known.set(key, (answer = read()));
		// A failed read is not remembered: the next aggregation asks again.
		answer.catch(() => known.delete(key));
	}
	return answer;
}

async function readShardLayout(runner: SqlRunner, columns: EventColumns): Promise<ShardLayout> {
	const alone = { shardLocal: false, shards: 1 };
	if (columns.dialect.engine !== 'clickhouse') return alone;
	const table = /^`([A-Za-z0-9_]+)`(?:\.`([A-Za-z0-9_]+)`)?$/.exec(columns.table);
	const profile = /`([A-Za-z0-9_]+)`/.exec(columns.profile);
	if (!table || !profile) return alone;
	const values = new SqlValues(columns.dialect);
	const [database, name] = table[2] === undefined ? ['currentDatabase()', values.value(table[1])] : [values.value(table[1]), values.value(table[2])];
	try {
		const [row] = await runner.rows(`SELECT engine_full AS engine FROM system.tables WHERE database = ${database} AND name = ${name}`, []);
		const engine = row?.engine;
		if (typeof engine !== 'string' || !shardingKeyIsProfile(engine, profile[1])) return alone;
		const cluster = clusterOf(engine);
		if (cluster === undefined) return { shardLocal: true, shards: 1 };
		const [counted] = await runner.rows(`SELECT uniqExact(shard_num) AS n FROM system.clusters WHERE cluster = ${values.value(cluster)}`, []);
		const shards = Number(counted?.n);
		return { shardLocal: true, shards: Number.isInteger(shards) && shards >= 1 ? shards : 1 };
	} catch {
		return alone;
	}
}

/** The cluster named in `Distributed(cluster, …)`, unquoted. */
function clusterOf(engine: string): string | undefined {
	const first = /^Distributed\(\s*([^,]+?)\s*,/.exec(engine.trim())?.[1];
	return first?.replace(/^'(.*)'$/, '$1');
}

/** Whether `Distributed(cluster, database, table, key[, policy])` has a key of the profile column through profileKeyFunctions only. */
export function shardingKeyIsProfile(engine: string, profileColumn: string): boolean {
	const args = /^Distributed\((.*)\)$/s.exec(engine.trim())?.[1].split(',');
	const key = args?.[3]?.replace(/\s+/g, '');
	if (key === undefined) return false;
	let rest = key;
	for (;;) {
		const call = /^([A-Za-z0-9_]+)\((.*)\)$/.exec(rest);
		if (!call) break;
		if (!profileKeyFunctions.has(call[1])) return false;
		rest = call[2];
	}
	return rest === profileColumn || rest === `\`${profileColumn}\``;
}

/** Rows per block of the rows' bookkeeping (profile, cutoff, label), and the values' least room: 2^blockShift. */
const blockShift = 16;
const blockRows = 1 << blockShift;
const blockMask = blockRows - 1;

/**
 * The rows as they arrive, in the warehouse's order: one buffer of values per feature, so the
 * sorted columns can be built one feature at a time, each written into the buffer the
 * previous feature's values arrived in (fresh pages from the system cost more than the moves
 * themselves). The answer is held once, as Float32, never as one object per row; a row's
 * bookkeeping is its profile's number (each id is kept once, however many cutoffs it is
 * eligible at), its cutoff and its label, in typed blocks: about 7 bytes a row.
 */
export class ArrivedRows {
	rows = 0;
	/** Profile ids in order of first arrival; a row holds its profile's number here. */
	readonly ids: string[] = [];
	private readonly numberOf = new Map<string, number>();
	private readonly profiles: Uint32Array[] = [];
	private readonly cutoffs: Uint16Array[] = [];
	private readonly labels: Uint8Array[] = [];
	/** Each feature's values by arrival, room for `capacity` rows (empty once its column is made). */
	private readonly buffers: Float32Array[];
	private capacity: number;
	/** A buffer whose values are all in their column already: the next column is written into it. */
	private spare: Float32Array | undefined;

	/**
	 * `expectedRows`: at most this many rows are expected (e.g. readiness's count of eligible
	 * rows), so the buffers are made that size once; more rows grow them. Pages never written
	 * are never taken from the system, so a generous count costs address space only.
	 */
	constructor(
		readonly features: number,
		expectedRows = 0,
	) {
		this.capacity = Math.max(blockRows, expectedRows);
		this.buffers = Array.from({ length: features }, () => new Float32Array(this.capacity));
	}

	add(k: number, id: string, label: number, values: Float32Array): void {
		const row = this.rows++;
		const offset = row & blockMask;
		if (row === this.capacity) this.grow();
		if (offset === 0) {
			this.profiles.push(new Uint32Array(blockRows));
			this.cutoffs.push(new Uint16Array(blockRows));
			this.labels.push(new Uint8Array(blockRows));
		}
		const block = row >>> blockShift;
		for (let f = 0; f < this.features; f++) this.buffers[f][row] = values[f];
		let profile = this.numberOf.get(id);
		if (profile === undefined) {
			profile = this.ids.length;
			this.ids.push(id);
			this.numberOf.set(id, profile);
		}
		this.profiles[block][offset] = profile;
		this.cutoffs[block][offset] = k;
		this.labels[block][offset] = label;
	}

	/**
	 * Once every row has arrived: the profile ids ascending (code-unit order), and each row's
	 * profile rank among them and its cutoff, in arrival order. Lets go of the id lookup.
	 */
	ranked(): { profileIds: string[]; rank: Uint32Array; cutoff: Uint16Array } {
		const { sorted, rank: rankOf } = rankIds(this.ids, this.numberOf);
		this.numberOf.clear();
		const rank = new Uint32Array(this.rows);
		this.profiles.forEach((block, b) => {
			const first = b << blockShift;
			const end = Math.min(blockRows, this.rows - first);
			for (let i = 0; i < end; i++) rank[first + i] = rankOf[block[i]];
		});
		return { profileIds: sorted, rank, cutoff: flatten(this.cutoffs, new Uint16Array(this.rows)) };
	}

	/** The labels, each at its row's place. */
	labelsAt(place: Uint32Array): Uint8Array {
		return scatter(this.labels, place, new Uint8Array(place.length));
	}

	/**
	 * Feature f's values, each at its row's place: read in arrival order, so only the writes
	 * scatter (at 2,000,000 rows that took half the time of reading from the places). Written
	 * into the spare buffer, and feature f's buffer becomes the spare.
	 */
	column(f: number, place: Uint32Array): Float32Array {
		const from = this.buffers[f];
		const out = this.spare ?? new Float32Array(this.capacity);
		for (let r = 0; r < place.length; r++) out[place[r]] = from[r];
		this.buffers[f] = new Float32Array(0);
		this.spare = from;
		return out.subarray(0, place.length);
	}

	/** Twice the room for every feature's values. */
	private grow(): void {
		this.capacity *= 2;
		this.buffers.forEach((buffer, f) => {
			const bigger = new Float32Array(this.capacity);
			bigger.set(buffer);
			this.buffers[f] = bigger;
		});
		this.spare = undefined;
	}
}

/** The first out.length values of a column held in blocks, in one array. */
function flatten<T extends Uint16Array>(blocks: readonly T[], out: T): T {
	blocks.forEach((block, b) => {
		const first = b << blockShift;
		out.set(block.subarray(0, Math.min(blockRows, out.length - first)), first);
	});
	return out;
}

/** A column held in blocks, each row's value written at its place in `out`. */
function scatter<T extends Uint8Array>(blocks: readonly T[], place: Uint32Array, out: T): T {
	blocks.forEach((block, b) => {
		const first = b << blockShift;
		const end = Math.min(blockRows, place.length - first);
		for (let i = 0; i < end; i++) out[place[first + i]] = block[i];
	});
	return out;
}

/** The set bits of a whole number below 2^48 (a day mask word). */
function setBits(word: number): number {
	const high = Math.floor(word / 2 ** 24);
	return bitsOf32(high) + bitsOf32(word - high * 2 ** 24);
}

function bitsOf32(x: number): number {
	let n = x - ((x >>> 1) & 0x55555555);
	n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
	return Math.imul((n + (n >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** A category's index in the feature's list; NaN when it is missing or not listed (as in memory). */
function categoryCode(raw: unknown, positions: ReadonlyMap<string, number> | undefined): number {
	if (typeof raw !== 'string' || positions === undefined) return NaN;
	return positions.get(raw) ?? NaN;
}

/**
 * Training examples computed in the warehouse: the same rows, labels and Float32 feature
 * values as buildExamples on the same events, grouped by cutoff, profiles ascending. With a
 * sample plan, only the sample's rows come back (the rows sampleExamples keeps in memory).
 */
export async function buildWarehouseExamples(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	features: readonly FeatureDecl[],
	cutoffs: readonly number[],
	sample?: SamplePlan,
	options: { groupsPerQuery?: number; groupsInReach?: number; goalGroupsInReach?: number; expectedRows?: number; goalHistoriesOnly?: boolean } = {},
): Promise<WarehouseExamples> {
	checkCutoffs(cutoffs);
	const plan = { ...makePlan(columns, goal, features), ...(await shardLayout(runner, columns)), ...options };
	const arrived = new ArrivedRows(features.length, options.expectedRows);
	await streamCutoffs(runner, plan, cutoffs, sample, (k, id, label, values) => arrived.add(k, id, label, values));
	// Grouped by cutoff, profiles ascending within each (code-unit order, as in an in-memory table), as buildExamples lays them out.
	const { profileIds, rank, cutoff: cutoffOf } = arrived.ranked();
	const place = placesByCutoffThenRank(rank, profileIds.length, cutoffOf, cutoffs.length);
	const rows = place.length;
	const data: LabelledDataset = {
		rows,
		featureNames: features.map((feature) => feature.name),
		columns: features.map((_, f) => arrived.column(f, place)),
		label: arrived.labelsAt(place),
	};
	const profile = new Uint32Array(rows);
	const cutoffIndex = new Uint16Array(rows);
	for (let r = 0; r < rows; r++) {
		profile[place[r]] = rank[r];
		cutoffIndex[place[r]] = cutoffOf[r];
	}
	const perCutoff = cutoffs.map((cutoff) => ({ cutoff, eligible: 0, positives: 0, negatives: 0 }));
	for (let r = 0; r < rows; r++) {
		const counts = perCutoff[cutoffIndex[r]];
		counts.eligible++;
		if (data.label[r] === 1) counts.positives++;
		else counts.negatives++;
	}
	return { data, profile, profileIds, cutoffIndex, cutoffs: [...cutoffs], perCutoff };
}

/**
 * The features of every profile eligible at one moment, computed in the warehouse and handed
 * over row by row as they stream in (in the warehouse's order), so the caller holds only what
 * it keeps: the same Float32 values as buildWarehouseExamples, in one buffer reused for every
 * row (copy what you keep).
 */
export async function streamWarehouseFeatures(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	features: readonly FeatureDecl[],
	at: number,
	onRow: (id: string, values: Float32Array) => void,
	options: { profilesAtMost?: number } = {},
): Promise<void> {
	checkCutoffs([at]);
	const plan = { ...makePlan(columns, goal, features), ...(await shardLayout(runner, columns)), ...options };
	await streamCutoffs(runner, plan, [at], undefined, (_k, id, _label, values) => onRow(id, values));
}

/** Eligible profiles, positives and negatives at each cutoff, counted in the warehouse (for readiness). */
export async function judgeWarehouseCutoffs(runner: SqlRunner, columns: EventColumns, goal: Goal, cutoffs: readonly number[]): Promise<CutoffCounts[]> {
	return (await countWarehouseCutoffs(runner, columns, goal, cutoffs)).counts;
}

/**
 * judgeWarehouseCutoffs, and at each cutoff the (profile, cutoff) groups the examples'
 * aggregation will hold (profiles with an event it reads, eligible or not: see readAt), which
 * buildWarehouseExamples then need not count again, and how many of them have a goal event in
 * the window (what a sample keeps of them depends on it: see keptGroups).
 */
export async function countWarehouseCutoffs(
	runner: SqlRunner,
	columns: EventColumns,
	goal: Goal,
	cutoffs: readonly number[],
): Promise<{ counts: CutoffCounts[]; groups: number[]; goalGroups: number[] }> {
	checkCutoffs(cutoffs);
	const plan = makePlan(columns, goal, []);
	const { shardLocal } = await shardLayout(runner, columns);
	const q = new CutoffSql(plan, cutoffs);
	const happened = `${q.label()} > 0`;
	const positive = goal.outcome.occur === 'will_occur' ? happened : `NOT (${happened})`;
	const read = plan.columns;
	const d = q.dialect;
	// Eligibility as a column rather than a HAVING condition: the groups it leaves out are counted too.
	const [p, k, e, y] = ['p', 'k', 'e', 'y'].map((name) => `${ownName}${name}`);
	const inner = `SELECT ${read.profile} AS ${p}, ${q.key} AS ${k}, ${d.asInteger(d.orElse(q.eligibility(), false))} AS ${e}, ${d.asInteger(positive)} AS ${y} FROM ${q.from()} WHERE ${q.where()} GROUP BY ${q.groupBy()}`;
	// As for the examples: the shards finish each profile's groups, the node asked only counts them.
	const settings = shardLocal ? ' SETTINGS distributed_group_by_no_merge = 1' : '';
	const rows = await runner.rows(
		// Other names outside than inside: ClickHouse's aliases are the query's, so sum(e) AS e would read itself.
		`SELECT ${k} AS k, count(*) AS groups, sum(${y}) AS ys, sum(${e}) AS eligible, sum(${e} * ${y}) AS positives FROM (${inner}) AS judged GROUP BY ${k}${settings}`,
		q.values.params,
	);
	const where = 'when counting eligible profiles at the cutoffs';
	const counted = new Map(rows.map((row) => [numberOf(row, 'k', where), row]));
	const counts = cutoffs.map((at) => {
		const row = counted.get(at);
		const eligible = row ? numberOf(row, 'eligible', where) : 0;
		const positives = eligible === 0 ? 0 : numberOf(row as Record<string, unknown>, 'positives', where);
		return { cutoff: at, eligible, positives, negatives: eligible - positives };
	});
	const groups = cutoffs.map((at) => {
		const row = counted.get(at);
		return row ? numberOf(row, 'groups', where) : 0;
	});
	const goalGroups = cutoffs.map((at, k) => {
		const row = counted.get(at);
		const ys = row ? numberOf(row, 'ys', where) : 0;
		return goal.outcome.occur === 'will_occur' ? ys : groups[k] - ys;
	});
	return { counts, groups, goalGroups };
}

/** The span of the warehouse's events (see dataRange): the earliest event, and the latest or the as-of date. */
export async function warehouseDataRange(runner: SqlRunner, columns: EventColumns, asOf?: number): Promise<DataRange | undefined> {
	const [row] = await runner.rows(
		`SELECT count(*) AS n, min(${columns.timeMs}) AS start, max(${columns.timeMs}) AS finish FROM ${columns.table} WHERE ${columns.valid}`,
		[],
	);
	const where = 'when reading the span of the events';
	if (!(numberOf(row, 'n', where) > 0)) return undefined;
	const start = numberOf(row, 'start', where);
	if (asOf !== undefined && start > asOf) return undefined;
	return { start, end: asOf ?? numberOf(row, 'finish', where) };
}
