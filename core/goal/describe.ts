/**
 * Goals and conditions in words a marketer reads: "a purchase within 30 days", "no visit
 * within 60 days", "a purchase with value over 100 where channel is "email"". Event type
 * and field names become phrases (`email_open` → "email open", `commerce.purchases` →
 * "purchase", `marketing.campaignName` → "campaign name").
 */
import {
	type ConditionItem,
	type EligibilityGroup,
	type EligibilityItem,
	type EventCondition,
	type Goal,
	type Scalar,
	groupParts,
	isConditionGroup,
	valuesOf,
} from './schema';

/** How a condition is introduced: "a purchase", "purchases", "no purchase". */
export type Determiner = 'a' | 'plural' | 'no';

/** The words for events of one type, singular and plural. */
export interface TypeWords {
	readonly singular: string;
	readonly plural: string;
}

/** `email_open` → email open / email opens; `commerce.purchases` → purchase / purchases; `add_to_cart` → add to cart event(s). */
export function eventTypeWords(type: string): TypeWords {
	const phrase = humanizeName(type);
	const words = phrase.split(' ');
	const last = words[words.length - 1];
	if (isPlural(last)) return { singular: [...words.slice(0, -1), singularOf(last)].join(' '), plural: phrase };
	// Verb phrases ("add to cart", "email opened") read best with "events" after them.
	if (words.length >= 3 || (words.length > 1 && /[a-z]{2}ed$/.test(last))) return { singular: `${phrase} event`, plural: `${phrase} events` };
	return { singular: phrase, plural: [...words.slice(0, -1), pluralOf(last)].join(' ') };
}

/** Last path segments too generic to stand alone: `channel._type` reads "channel type". */
const genericSegments = new Set(['type', 'name', 'id', 'sku', 'code', 'value', 'key']);

/**
 * A field or type name as lower-case words: the last path segment (with its parent when the
 * segment alone is generic, like `_type` or `name`), camelCase and underscores split.
 */
export function humanizeName(name: string): string {
	const segments = name.split('.').filter((segment) => segment !== '');
	if (segments.length === 0) return name;
	const last = segments[segments.length - 1];
	const generic = genericSegments.has(last.replace(/^_+/, '').toLowerCase()) && segments.length > 1;
	const words = (generic ? segments.slice(-2) : [last])
		.join(' ')
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/[_\-\s]+/g, ' ')
		.trim()
		.toLowerCase();
	return words === '' ? name : words;
}

/** Whether a word already reads as an English plural (views, launches), not a singular ending in s (address, status). */
export function isPlural(word: string): boolean {
	return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') && !word.endsWith('us') && !word.endsWith('is');
}

/** A plain English plural: box → boxes, category → categories, view → views. */
export function pluralOf(word: string): string {
	if (/[^aeiou]y$/.test(word)) return `${word.slice(0, -1)}ies`;
	if (/(s|x|z|ch|sh)$/.test(word)) return `${word}es`;
	return `${word}s`;
}

/** The inverse of pluralOf for the usual cases: categories → category, launches → launch, views → view. */
export function singularOf(word: string): string {
	if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
	if (/(xes|zes|ches|shes|sses)$/.test(word)) return word.slice(0, -2);
	if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
	return word;
}

function article(phrase: string): string {
	return /^[aeiou]/i.test(phrase) ? `an ${phrase}` : `a ${phrase}`;
}

/** A phrase with its last word made singular when it reads as a plural: "high-value purchases" → "high-value purchase". */
export function singularPhrase(phrase: string): string {
	const words = phrase.split(' ');
	const last = words[words.length - 1];
	return isPlural(last) ? [...words.slice(0, -1), singularOf(last)].join(' ') : phrase;
}

/** The condition in words, introduced by a determiner: "a purchase", "purchases", "no purchase". */
export function describeCondition(group: ConditionItem, determiner: Determiner = 'a'): string {
	if (!isConditionGroup(group)) return describeCondition({ all: [group] }, determiner);
	const { mode, items } = groupParts<ConditionItem>(group);
	if (mode === 'any') {
		// "none of A, B" reads as "no A and no B".
		return items.map((item) => describeCondition(item, determiner)).join(determiner === 'no' ? ' and ' : ' or ');
	}
	const typeTests = items.filter((item): item is EventCondition => !isConditionGroup(item) && item.field === 'eventType');
	let rest = items.filter((item) => isConditionGroup(item) || item.field !== 'eventType');
	if (typeTests.length === 0) {
		// {"any": [type a, type b]} nested in an all group reads as "an a or a b …".
		const anyTypes = rest.find(
			(item) =>
				isConditionGroup(item) &&
				'any' in item &&
				item.any.every((child) => !isConditionGroup(child) && child.field === 'eventType' && child.op === 'equals'),
		);
		if (anyTypes && 'any' in anyTypes) {
			typeTests.push({ field: 'eventType', op: 'in', value: anyTypes.any.map((child) => (child as EventCondition).value as string) });
			rest = rest.filter((item) => item !== anyTypes);
		}
	}
	const noun = typeTests.length ? typeNoun(typeTests[0], determiner) : withDeterminer({ singular: 'event', plural: 'events' }, determiner);
	const qualifiers = [...typeTests.slice(1).map((test) => `whose type ${typeVerb(test)}`), ...rest.map(qualifier)];
	return qualifiers.length ? `${noun} ${qualifiers.join(' and ')}` : noun;
}

function withDeterminer(words: TypeWords, determiner: Determiner): string {
	return determiner === 'plural' ? words.plural : determiner === 'no' ? `no ${words.singular}` : article(words.singular);
}

function typeNoun(test: EventCondition, determiner: Determiner): string {
	const types = valuesOf(test).map(String);
	const event: TypeWords = { singular: 'event', plural: 'events' };
	switch (test.op) {
		case 'equals':
			return withDeterminer(eventTypeWords(types[0]), determiner);
		case 'in': {
			const words = types.map(eventTypeWords);
			if (determiner === 'plural') return orList(words.map((w) => w.plural));
			if (determiner === 'no') return `no ${orList(words.map((w) => w.singular))}`;
			return orList(words.map((w) => article(w.singular)));
		}
		case 'notEquals':
		case 'notIn': {
			const others = orList(types.map((type) => (determiner === 'plural' ? eventTypeWords(type).plural : article(eventTypeWords(type).singular))));
			return `${withDeterminer(event, determiner)} other than ${others}`;
		}
		case 'exists':
			return withDeterminer(event, determiner);
		default:
			return `${withDeterminer(event, determiner)} whose type ${typeVerb(test)}`;
	}
}

function typeVerb(test: EventCondition): string {
	const types = valuesOf(test).map((value) => `"${value}"`);
	switch (test.op) {
		case 'startsWith':
			return `starts with ${types[0]}`;
		case 'contains':
			return `contains ${types[0]}`;
		case 'notEquals':
		case 'notIn':
			return `is not ${orList(types)}`;
		case 'notExists':
			return 'is missing';
		case 'exists':
			return 'is known';
		default:
			return `is ${orList(types)}`;
	}
}

/** A qualifier after the noun: "with value over 100", "where channel is "email"". */
function qualifier(item: ConditionItem): string {
	if (isConditionGroup(item)) {
		const { mode, items } = groupParts<ConditionItem>(item);
		if (items.every((child) => !isConditionGroup(child) && child.field !== 'eventType')) {
			return `(${items.map(qualifier).join(mode === 'all' ? ' and ' : ' or ')})`;
		}
		return `(${describeCondition(item, 'a')})`;
	}
	if (item.field === 'value') return valueQualifier(item);
	if (item.field === 'eventType') return `whose type ${typeVerb(item)}`;
	return fieldPhrase(item, 'where');
}

function valueQualifier(test: EventCondition): string {
	const values = valuesOf(test).map(formatValue);
	switch (test.op) {
		case 'gt':
			return `with value over ${values[0]}`;
		case 'gte':
			return `with value of at least ${values[0]}`;
		case 'lt':
			return `with value under ${values[0]}`;
		case 'lte':
			return `with value of at most ${values[0]}`;
		case 'exists':
			return 'with a value';
		case 'notExists':
			return 'without a value';
		case 'notEquals':
		case 'notIn':
			return `with value other than ${orList(values)}`;
		default:
			return `with value ${orList(values)}`;
	}
}

/** `where channel is "email"` / `whose country is "US"`; exists and notExists read "with a channel". */
function fieldPhrase(test: EventCondition, lead: 'where' | 'whose'): string {
	const name = humanizeName(test.field);
	const values = valuesOf(test).map((value) => (typeof value === 'string' ? `"${value}"` : formatValue(value)));
	const subject = `${lead} ${name}`;
	switch (test.op) {
		case 'equals':
		case 'in':
			return `${subject} is ${orList(values)}`;
		case 'notEquals':
			return `${subject} is not ${values[0]}`;
		case 'notIn':
			return values.length === 2 ? `${subject} is neither ${values[0]} nor ${values[1]}` : `${subject} is not ${orList(values)}`;
		case 'startsWith':
			return `${subject} starts with ${values[0]}`;
		case 'contains':
			return `${subject} contains ${values[0]}`;
		case 'gt':
			return `${subject} is over ${values[0]}`;
		case 'gte':
			return `${subject} is at least ${values[0]}`;
		case 'lt':
			return `${subject} is under ${values[0]}`;
		case 'lte':
			return `${subject} is at most ${values[0]}`;
		case 'exists':
			return `with ${lead === 'whose' ? 'a known' : 'a'} ${name}`;
		case 'notExists':
			return `without ${lead === 'whose' ? 'a known' : 'a'} ${name}`;
	}
}

function formatValue(value: Scalar): string {
	return String(value);
}

/** "a", "a or b", "a, b or c". */
function orList(items: readonly string[]): string {
	if (items.length <= 1) return items[0] ?? '';
	return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function days(n: number): string {
	return n === 1 ? '1 day' : `${n} days`;
}

/** The outcome in words: "a purchase within 30 days", or for churn "no visit within 60 days". */
export function describeOutcome(goal: Goal): string {
	const determiner = goal.outcome.occur === 'will_occur' ? 'a' : 'no';
	return `${describeCondition(goal.outcome.when, determiner)} within ${days(goal.outcome.windowDays)}`;
}

/** Who is scored, in words: "active within the last 45 days and with no purchase in the last 30 days". */
export function describeEligibility(group: EligibilityGroup, lookbackDays: number): string {
	const { items } = groupParts<EligibilityItem>(group);
	if (items.length === 0) return `active within the last ${days(lookbackDays)}`;
	return eligibilityPhrase(group);
}

function eligibilityPhrase(item: EligibilityItem): string {
	if ('all' in item || 'any' in item) {
		const { mode, items } = groupParts<EligibilityItem>(item);
		const parts = items.map((child) => ('all' in child || 'any' in child ? `(${eligibilityPhrase(child)})` : eligibilityPhrase(child)));
		return parts.join(mode === 'all' ? ' and ' : ' or ');
	}
	if ('activeWithinDays' in item) return `active within the last ${days(item.activeWithinDays)}`;
	if ('did' in item) return `with ${describeCondition(item.did, 'a')} in the last ${days(item.withinDays)}`;
	if ('didNot' in item) return `with ${describeCondition(item.didNot, 'no')} in the last ${days(item.withinDays)}`;
	return fieldPhrase(item.profile, 'whose');
}

/**
 * The whole goal in one or two sentences: what is predicted, for whom, from how much
 * history, and which events are ignored.
 */
export function describeGoal(goal: Goal): string {
	const outcome = describeOutcome(goal);
	const kind = goal.propensityType === 'churn' ? 'churn' : 'conversion';
	const who = describeEligibility(goal.eligibility, goal.lookbackDays);
	const ignoring = goal.exclusions.length ? `, ignoring ${orList(goal.exclusions.map((group) => describeCondition(group, 'plural')))}` : '';
	return `${outcome[0].toUpperCase()}${outcome.slice(1)} (${kind}), for profiles ${who}. Learns from the last ${days(goal.lookbackDays)} of events${ignoring}.`;
}
