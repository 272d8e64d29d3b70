/**
 * Automatic features: declared from the data and the goal, then executed by any executor.
 *
 * - For the busiest event types (top N by volume, default 8), the goal's own outcome types
 *   and every custom event: counts in the last 7, 30 and 90 days and the lookback, days since
 *   the last and the first, days with the event, a trend (last 30 days against the 90 before),
 *   and for events that carry a value, its total and average.
 * - The goal's outcome itself when it is more than an event type ("purchases with value
 *   over 100"): counts, recency and the average gap between them.
 * - Overall: recency, frequency, tenure, active days, average gap between events, total
 *   value (monetary) when several event types carry values, and the overall trend.
 * - Attributes: number attributes as their average and latest value; text attributes as
 *   counts of events with each of their top categories (skipping id-like columns such as
 *   email); the goal's profile attributes as their latest value (text coded by categories).
 */
import { type CategoryColumn, type EventTable } from '../events/table';
import { conditionMask, fieldKinds, keptMask, resolveCondition } from '../goal/conditions';
import { describeCondition, eventTypeWords, humanizeName, singularPhrase } from '../goal/describe';
import { type ConditionGroup, type ConditionItem, type Goal, groupParts, isConditionGroup, valuesOf } from '../goal/schema';
import type { FeatureDecl } from './declaration';

export interface GenerateOptions {
	/** How many of the busiest event types get their own features (default 8). */
	topTypes?: number;
	/** How many categories of each text attribute get a count (default 5). */
	topCategories?: number;
	/** Choose types and categories from events at or before this moment only (UTC ms), as training does with an as-of date. */
	asOf?: number;
}

/** Text attributes with more distinct values than this are treated as identifiers, not categories. */
export const maxCategories = 1000;

/** Subject words for a group of events: plural for counts, singular for "the last …". */
interface Subject {
	readonly slug: string;
	readonly plural: string;
	readonly singular: string;
	readonly filter: ConditionGroup | null;
}

/** What feature generation needs to know of the data: from an in-memory table (below) or a warehouse (core/warehouse/stats.ts). */
export interface FeatureStats {
	/** Every event type, sorted by name, with its kept events and kept events carrying a value. */
	readonly types: readonly { readonly name: string; readonly events: number; readonly withValue: number }[];
	/** Per custom event of the goal, in order: whether its kept events carry a value. */
	readonly customValued: readonly boolean[];
	/** Whether the goal's kept outcome events carry a value. */
	readonly outcomeValued: boolean;
	/** Per attribute column, in the table's order. */
	readonly attributes: readonly AttributeStats[];
}

export type AttributeStats =
	| { readonly name: string; readonly kind: 'number'; readonly present: boolean }
	| {
			readonly name: string;
			readonly kind: 'category';
			/** Distinct values in the data (kept or not). */
			readonly distinct: number;
			/** The busiest shared categories (see topCategoriesOf). */
			readonly top: readonly string[];
			/** Every category with kept events, busiest first: for profile attributes only (empty otherwise). */
			readonly byVolume: readonly string[];
	  };

/** Declares the automatic features for this table and goal, in a stable order. */
export function generateFeatures(table: EventTable, goal: Goal, options: GenerateOptions = {}): FeatureDecl[] {
	return declareFeatures(tableFeatureStats(table, goal, options), goal, options);
}

/** The statistics of an in-memory table that feature generation reads. */
export function tableFeatureStats(table: EventTable, goal: Goal, options: GenerateOptions = {}): FeatureStats {
	const topCategories = options.topCategories ?? 5;
	const kept = keptMask(table, goal.exclusions);
	if (options.asOf !== undefined) for (let i = 0; i < table.length; i++) if (table.time[i] > options.asOf) kept[i] = 0;
	const stats = typeStats(table, kept);
	const profileFields = new Set(goal.profileAttributes.map((attribute) => attribute.field));
	return {
		types: table.types.map((name, t) => ({ name, events: stats.events[t], withValue: stats.withValue[t] })),
		customValued: goal.customEvents.map((custom) => anyValue(table, kept, custom.when)),
		outcomeValued: isTypeOnly(goal.outcome.when) ? false : anyValue(table, kept, goal.outcome.when),
		attributes: table.attributes.map((column): AttributeStats => {
			if (column.kind === 'number') return { name: column.name, kind: 'number', present: hasNumbers(column.values, kept) };
			const byVolume = profileFields.has(column.name) && column.dictionary.length <= maxCategories ? categoriesByVolume(column, kept) : [];
			return {
				name: column.name,
				kind: 'category',
				distinct: column.dictionary.length,
				top: topCategoriesOf(table, column, kept, topCategories),
				byVolume,
			};
		}),
	};
}

/** Declares the automatic features from the data's statistics and the goal, in a stable order. */
export function declareFeatures(data: FeatureStats, goal: Goal, options: GenerateOptions = {}): FeatureDecl[] {
	const topTypes = options.topTypes ?? 8;
	const out = new Declarations(goal.lookbackDays);

	for (const type of chosenTypes(data, goal, topTypes)) {
		const words = eventTypeWords(type.name);
		const subject: Subject = { slug: slug(type.name), ...words, filter: { all: [{ field: 'eventType', op: 'equals', value: type.name }] } };
		out.eventGroup(subject, type.withValue > 0);
	}
	goal.customEvents.forEach((custom, c) => {
		out.eventGroup({ slug: slug(custom.name), plural: custom.name, singular: singularPhrase(custom.name), filter: custom.when }, data.customValued[c]);
	});
	if (!isTypeOnly(goal.outcome.when)) {
		const when = goal.outcome.when;
		out.outcomeGroup(
			{ slug: 'goal_event', plural: describeCondition(when, 'plural'), singular: describeCondition(when, 'a').replace(/^an? /, ''), filter: when },
			data.outcomeValued,
		);
	}
	out.overall(data.types.filter((type) => type.withValue > 0).length > 1);
	for (const column of data.attributes) {
		if (goal.profileAttributes.some((attribute) => attribute.field === column.name)) continue;
		if (column.kind === 'number') out.numberAttribute(column.name, column.present);
		else out.categoryCounts(column.name, column.top);
	}
	for (const attribute of goal.profileAttributes) {
		const column = data.attributes.find((candidate) => candidate.name === attribute.field);
		const label = attribute.label ?? humanizeName(attribute.field);
		if (attribute.field === 'value' || column?.kind === 'number') out.profileNumber(attribute.field, label);
		else if (column?.kind === 'category' && column.distinct <= maxCategories) out.profileCategory(attribute.field, label, column.byVolume);
	}
	return out.list;
}

interface TypeStats {
	/** Kept events per type code. */
	readonly events: Float64Array;
	/** Kept events with a value, per type code. */
	readonly withValue: Float64Array;
}

function typeStats(table: EventTable, kept: Uint8Array): TypeStats {
	const events = new Float64Array(table.types.length);
	const withValue = new Float64Array(table.types.length);
	for (let i = 0; i < table.length; i++) {
		if (!kept[i]) continue;
		events[table.type[i]]++;
		if (table.value[i] === table.value[i]) withValue[table.type[i]]++;
	}
	return { events, withValue };
}

/** The top types by kept volume, plus every type the outcome names; busiest first, ties by name. */
function chosenTypes(data: FeatureStats, goal: Goal, top: number): FeatureStats['types'][number][] {
	const byVolume = data.types.map((_, t) => t).filter((t) => data.types[t].events > 0);
	byVolume.sort((a, b) => data.types[b].events - data.types[a].events || a - b);
	const chosen = new Set(byVolume.slice(0, top));
	for (const name of outcomeTypes(goal.outcome.when)) {
		const t = data.types.findIndex((type) => type.name === name);
		if (t >= 0 && data.types[t].events > 0) chosen.add(t);
	}
	return byVolume.filter((t) => chosen.has(t)).map((t) => data.types[t]);
}

/** Event types named by eventType equals / in tests anywhere in the condition. */
function outcomeTypes(item: ConditionItem): string[] {
	if (isConditionGroup(item)) return groupParts<ConditionItem>(item).items.flatMap(outcomeTypes);
	if (item.field !== 'eventType' || (item.op !== 'equals' && item.op !== 'in')) return [];
	return valuesOf(item).map(String);
}

/** True when the condition reads only event types by equals / in: its type features already cover it. */
function isTypeOnly(item: ConditionItem): boolean {
	if (isConditionGroup(item)) return groupParts<ConditionItem>(item).items.every(isTypeOnly);
	return item.field === 'eventType' && (item.op === 'equals' || item.op === 'in');
}

function anyValue(table: EventTable, kept: Uint8Array, when: ConditionGroup): boolean {
	const mask = conditionMask(resolveCondition(when, fieldKinds(table)), table);
	for (let i = 0; i < table.length; i++) if (mask[i] && kept[i] && table.value[i] === table.value[i]) return true;
	return false;
}

function hasNumbers(values: Float64Array, kept: Uint8Array): boolean {
	for (let i = 0; i < values.length; i++) if (kept[i] && values[i] === values[i]) return true;
	return false;
}

/** Kept events per category code. */
function categoryVolumes(column: CategoryColumn, kept: Uint8Array): Float64Array {
	const volume = new Float64Array(column.dictionary.length);
	for (let i = 0; i < column.codes.length; i++) if (kept[i] && column.codes[i] >= 0) volume[column.codes[i]]++;
	return volume;
}

/** Every category with kept events, busiest first (ties by value), for coding a profile attribute. */
function categoriesByVolume(column: CategoryColumn, kept: Uint8Array): string[] {
	const volume = categoryVolumes(column, kept);
	const codes = column.dictionary.map((_, code) => code).filter((code) => volume[code] > 0);
	codes.sort((a, b) => volume[b] - volume[a] || a - b);
	return codes.map((code) => column.dictionary[code]);
}

/**
 * The busiest categories of a text attribute that several profiles share. Columns with more
 * than maxCategories values, and values seen for fewer than max(2, 0.5% of profiles)
 * profiles, are identifiers (emails, order ids) rather than categories, and give nothing.
 */
function topCategoriesOf(table: EventTable, column: CategoryColumn, kept: Uint8Array, top: number): string[] {
	if (column.dictionary.length > maxCategories || top <= 0) return [];
	const volume = categoryVolumes(column, kept);
	const profiles = new Float64Array(column.dictionary.length);
	const lastProfile = new Int32Array(column.dictionary.length).fill(-1);
	for (let p = 0; p < table.profileIds.length; p++) {
		for (let i = table.profileStart[p]; i < table.profileStart[p + 1]; i++) {
			const code = column.codes[i];
			if (code < 0 || !kept[i] || lastProfile[code] === p) continue;
			lastProfile[code] = p;
			profiles[code]++;
		}
	}
	const shared = Math.max(2, Math.ceil(0.005 * table.profileIds.length));
	const codes = column.dictionary.map((_, code) => code).filter((code) => profiles[code] >= shared);
	codes.sort((a, b) => volume[b] - volume[a] || a - b);
	return codes.slice(0, top).map((code) => column.dictionary[code]);
}

/** A machine name part: lower case, letters, digits and single underscores. */
export function slug(text: string): string {
	const cleaned = text
		.replace(/([a-z0-9])([A-Z])/g, '$1_$2')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '_')
		.replace(/^_+|_+$/g, '');
	return cleaned === '' ? 'x' : cleaned;
}

/** A category value in a machine name: the last part of a path or URL, at most 40 characters. */
function valueSlug(value: string): string {
	const last = value.replace(/\/+$/, '').split('/').pop() ?? value;
	return slug(last).slice(0, 40).replace(/_+$/, '') || 'x';
}

function days(n: number): string {
	return n === 1 ? 'day' : `${n} days`;
}

/** Collects declarations with unique names and labels worded from their subject. */
class Declarations {
	readonly list: FeatureDecl[] = [];
	private readonly names = new Set<string>();
	private readonly lookback: number;
	/** Windows for counts: 7, 30 and 90 days when shorter than the lookback, then the lookback. */
	private readonly countWindows: number[];
	private readonly trend?: { recent: number; baseline: number };

	constructor(lookbackDays: number) {
		this.lookback = lookbackDays;
		this.countWindows = [...[7, 30, 90].filter((w) => w < lookbackDays), lookbackDays];
		if (lookbackDays >= 60) this.trend = { recent: 30, baseline: Math.min(90, lookbackDays - 30) };
	}

	add(decl: Omit<FeatureDecl, 'name'> & { name: string }): void {
		let name = decl.name;
		for (let n = 2; this.names.has(name); n++) name = `${decl.name}_${n}`;
		this.names.add(name);
		this.list.push({ ...decl, name });
	}

	private inLast(window: number): string {
		return `in the last ${days(window)}`;
	}

	/** Counts, recency, tenure, active days, trend and (when values exist) value total and average. */
	eventGroup(s: Subject, hasValue: boolean): void {
		const { slug: base, plural, singular, filter } = s;
		const subject = plural;
		for (const w of this.countWindows) {
			this.add({
				name: `${base}_count_${w}d`,
				label: `${plural} ${this.inLast(w)}`,
				subject,
				filter,
				windowDays: w === this.lookback ? null : w,
				aggregate: 'count',
			});
		}
		this.add({ name: `${base}_days_since_last`, label: `days since the last ${singular}`, subject, filter, windowDays: null, aggregate: 'daysSinceLast' });
		this.add({
			name: `${base}_days_since_first`,
			label: `days since the first ${singular} ${this.inLast(this.lookback)}`,
			subject,
			filter,
			windowDays: null,
			aggregate: 'daysSinceFirst',
		});
		this.add({
			name: `${base}_active_days_${this.lookback}d`,
			label: `days with ${articled(singular)} ${this.inLast(this.lookback)}`,
			subject,
			filter,
			windowDays: null,
			aggregate: 'distinctDays',
		});
		this.trendOf(base, plural, filter);
		if (hasValue) this.values(base, plural, filter);
	}

	/** The outcome when it is more than an event type: counts, recency and the gap between outcomes. */
	outcomeGroup(s: Subject, hasValue: boolean): void {
		const { slug: base, plural, singular, filter } = s;
		for (const w of [30, this.lookback].filter((w, i, all) => w <= this.lookback && all.indexOf(w) === i)) {
			this.add({
				name: `${base}_count_${w}d`,
				label: `${plural} ${this.inLast(w)}`,
				subject: plural,
				filter,
				windowDays: w === this.lookback ? null : w,
				aggregate: 'count',
			});
		}
		this.add({
			name: `${base}_days_since_last`,
			label: `days since the last ${singular}`,
			subject: plural,
			filter,
			windowDays: null,
			aggregate: 'daysSinceLast',
		});
		this.add({
			name: `${base}_mean_gap_days`,
			label: `average days between ${plural} ${this.inLast(this.lookback)}`,
			subject: plural,
			filter,
			windowDays: null,
			aggregate: 'meanGapDays',
		});
		if (hasValue) this.values(base, plural, filter);
	}

	private values(base: string, plural: string, filter: ConditionGroup | null): void {
		const recent = this.countWindows.includes(30) && this.lookback !== 30 ? [30] : [];
		for (const w of [...recent, this.lookback]) {
			this.add({
				name: `${base}_value_sum_${w}d`,
				label: `total value of ${plural} ${this.inLast(w)}`,
				subject: plural,
				filter,
				windowDays: w === this.lookback ? null : w,
				aggregate: 'sum',
				field: 'value',
			});
		}
		this.add({
			name: `${base}_value_mean_${this.lookback}d`,
			label: `average value of ${plural} ${this.inLast(this.lookback)}`,
			subject: plural,
			filter,
			windowDays: null,
			aggregate: 'mean',
			field: 'value',
		});
	}

	private trendOf(base: string, plural: string, filter: ConditionGroup | null): void {
		if (!this.trend) return;
		const { recent, baseline } = this.trend;
		this.add({
			name: `${base}_trend_${recent}d`,
			label: `trend of ${plural}: the last ${days(recent)} against the ${days(baseline)} before`,
			subject: plural,
			filter,
			windowDays: recent,
			baselineDays: baseline,
			aggregate: 'trend',
		});
	}

	/** Recency, frequency, tenure, active days, gaps, monetary value and trend over all events. */
	overall(monetary: boolean): void {
		const subject = 'events';
		const L = this.lookback;
		const filter = null;
		this.add({ name: 'days_since_last_event', label: 'days since the last event', subject, filter, windowDays: null, aggregate: 'daysSinceLast' });
		this.add({
			name: 'days_since_first_event',
			label: `days since the first event ${this.inLast(L)}`,
			subject,
			filter,
			windowDays: null,
			aggregate: 'daysSinceFirst',
		});
		for (const w of [30, L].filter((w, i, all) => w <= L && all.indexOf(w) === i)) {
			const windowDays = w === L ? null : w;
			this.add({ name: `event_count_${w}d`, label: `events ${this.inLast(w)}`, subject, filter, windowDays, aggregate: 'count' });
			this.add({ name: `active_days_${w}d`, label: `days with any event ${this.inLast(w)}`, subject, filter, windowDays, aggregate: 'distinctDays' });
		}
		this.add({
			name: `mean_gap_days_${L}d`,
			label: `average days between events ${this.inLast(L)}`,
			subject,
			filter,
			windowDays: null,
			aggregate: 'meanGapDays',
		});
		if (monetary)
			this.add({
				name: `value_sum_${L}d`,
				label: `total value of all events ${this.inLast(L)}`,
				subject,
				filter,
				windowDays: null,
				aggregate: 'sum',
				field: 'value',
			});
		this.trendOf('event', 'events', filter);
	}

	numberAttribute(field: string, present: boolean): void {
		if (!present) return;
		const words = humanizeName(field);
		const base = slug(field);
		this.add({
			name: `${base}_mean_${this.lookback}d`,
			label: `average ${words} of events ${this.inLast(this.lookback)}`,
			subject: 'events',
			filter: null,
			windowDays: null,
			aggregate: 'mean',
			field,
		});
		this.add({ name: `${base}_latest`, label: `latest ${words}`, subject: 'events', filter: null, windowDays: null, aggregate: 'latest', field });
	}

	categoryCounts(field: string, categories: readonly string[]): void {
		const words = humanizeName(field);
		for (const category of categories) {
			const filter: ConditionGroup = { all: [{ field, op: 'equals', value: category }] };
			const subject = `events where ${words} is "${category}"`;
			this.add({
				name: `${slug(field)}_${valueSlug(category)}_count_${this.lookback}d`,
				label: `${subject} ${this.inLast(this.lookback)}`,
				subject,
				filter,
				windowDays: null,
				aggregate: 'count',
			});
		}
	}

	profileNumber(field: string, label: string): void {
		this.add({ name: `profile_${slug(field)}`, label, subject: label, filter: null, windowDays: null, aggregate: 'latest', field });
	}

	profileCategory(field: string, label: string, categories: readonly string[]): void {
		this.add({ name: `profile_${slug(field)}`, label, subject: label, filter: null, windowDays: null, aggregate: 'latest', field, categories });
	}
}

function articled(phrase: string): string {
	return /^[aeiou]/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}
