/**
 * Factor sentences a marketer can read, built from a feature declaration (aggregate, subject,
 * window, field) and the profile's value: "Bought 3 times in the last 30 days, which raises the
 * chance of converting." Every wording rule lives here: one rule per aggregate (`facts`), one
 * way of naming the events per kind of subject (`subjectOf`), and the effect clause.
 */
import type { FeatureAggregate, FeatureDecl } from '../features/declaration';
import { humanizeName, isPlural, singularPhrase } from '../goal/describe';
import type { PropensityType } from '../goal/schema';

/**
 * Verbs for the usual event subjects, keyed by the subject's singular form (lower case), so
 * "purchases" reads "Bought 3 times" rather than "3 purchases". `did` follows a count ("Bought
 * 3 times"), `done` follows "has not" / "has never", `last` follows "Last" / "First", and
 * `plural` / `singular` replace an awkward noun made from an event type name ("email openeds").
 */
const verbs: Readonly<Record<string, { did: string; done?: string; last?: string; plural?: string; singular?: string }>> = {
	purchase: { did: 'bought' },
	order: { did: 'ordered' },
	checkout: { did: 'checked out' },
	visit: { did: 'visited' },
	session: { did: 'visited' },
	'page view': { did: 'viewed a page' },
	'webpage view': { did: 'viewed a page' },
	'product view': { did: 'viewed a product' },
	'product list add': { did: 'added to the cart', plural: 'cart additions', singular: 'cart addition' },
	'cart add': { did: 'added to the cart', plural: 'cart additions', singular: 'cart addition' },
	'add to cart event': { did: 'added to the cart', plural: 'cart additions', singular: 'cart addition' },
	'product list removal': { did: 'removed from the cart', plural: 'cart removals', singular: 'cart removal' },
	'email open': { did: 'opened an email' },
	'email opened': { did: 'opened an email', plural: 'email opens', singular: 'email open' },
	'email click': { did: 'clicked an email' },
	'email clicked': { did: 'clicked an email', plural: 'email clicks', singular: 'email click' },
	'link click': { did: 'clicked a link' },
	login: { did: 'logged in' },
	'sign in': { did: 'signed in' },
	signup: { did: 'signed up' },
	'sign up': { did: 'signed up' },
	registration: { did: 'registered' },
	search: { did: 'searched' },
	'app launch': { did: 'opened the app' },
	'application launch': { did: 'opened the app' },
	launch: { did: 'opened the app' },
	event: { did: 'was active', done: 'been active', last: 'active' },
};

/** How a sentence names the matching events, whatever the aggregate. */
interface Subject {
	/** It happened n ≥ 1 times: "Bought 3 times", "3 page views", '"Viewed pricing" happened 3 times'. */
	times(n: number): string;
	/** It did not happen: "Has not bought", "No page views", '"Viewed pricing" did not happen'. */
	none(ever: boolean): string;
	/** The last / first one was … ago: "Last bought", "Last page view was", '"Viewed pricing" last happened'. */
	when(which: 'last' | 'first'): string;
	/** It happened on n days: "Bought on", "Page views on", '"Viewed pricing" happened on'. */
	onDays(): string;
	/** The events as a plural noun: "purchases", '"Viewed pricing" events'. */
	readonly plural: string;
	/** One event as a noun: "purchase", '"Viewed pricing" event'. */
	readonly singular: string;
}

/** The naming style for a declaration's subject: a known verb, a plural noun, or a quoted event name. */
function subjectOf(decl: FeatureDecl): Subject {
	const plural = decl.subject.trim() || 'events';
	const singular = singularPhrase(plural);
	const verb = verbs[singular.toLowerCase()];
	const words = plural.split(/\s+/);
	const reads = (n: number): string => (n === 1 ? 'once' : `${count(n)} times`);
	if (verb) {
		const done = verb.done ?? verb.did;
		const last = verb.last ?? verb.did;
		return {
			times: (n) => `${verb.did} ${reads(n)}`,
			none: (ever) => `has ${ever ? 'never' : 'not'} ${done}`,
			when: (which) => `${which} ${last}`,
			onDays: () => `${verb.did} on`,
			plural: verb.plural ?? plural,
			singular: verb.singular ?? singular,
		};
	}
	if (isPlural(words[0]) || isPlural(words[words.length - 1])) {
		return {
			times: (n) => `${count(n)} ${n === 1 ? singular : plural}`,
			none: (ever) => `no ${plural}${ever ? ' so far' : ''}`,
			when: (which) => `${which} ${singular} was`,
			onDays: () => plural,
			plural,
			singular,
		};
	}
	// A custom event's display name ("Viewed pricing") is not a noun: quote it and say "happened".
	const name = `"${plural}"`;
	return {
		times: (n) => `${name} happened ${reads(n)}`,
		none: (ever) => `${name} ${ever ? 'never happened' : 'did not happen'}`,
		when: (which) => `${name} ${which} happened`,
		onDays: () => `${name} happened on`,
		plural: `${name} events`,
		singular: `${name} event`,
	};
}

/** What a rule may read besides the value: the subject's words, the window and the declaration. */
interface Context {
	readonly subject: Subject;
	/** " in the last 30 days", or "" for the whole history. */
	readonly window: string;
	/** " in the last 30 days", or " so far" for the whole history (after counts). */
	readonly windowOrSoFar: string;
	/** True when the window is the whole history (so "none" means never). */
	readonly ever: boolean;
	readonly decl: FeatureDecl;
	/** The field's words: "value" → money, else e.g. "session duration". */
	readonly money: boolean;
	readonly fieldWords: string;
}

/**
 * One rule per aggregate: the fact about the profile, given its value (null = missing).
 * A missing value is worded as what it means for that aggregate (no such events, nothing to compare).
 */
const facts: Readonly<Record<FeatureAggregate, (value: number | null, c: Context) => string>> = {
	count: (n, c) => (!n ? `${c.subject.none(c.ever)}${c.window}` : `${c.subject.times(n)}${c.windowOrSoFar}`),
	distinctDays: (n, c) =>
		!n ? `${c.subject.none(c.ever)}${c.window}` : `${c.subject.onDays()} ${n === 1 ? '1 day' : `${count(n)} different days`}${c.windowOrSoFar}`,
	daysSinceLast: (days, c) => (days === null ? `${c.subject.none(c.ever)}${c.window}` : `${c.subject.when('last')} ${daysAgo(days)}`),
	daysSinceFirst: (days, c) => (days === null ? `${c.subject.none(c.ever)}${c.window}` : `${c.subject.when('first')} ${daysAgo(days)}`),
	sum: (total, c) => {
		if (c.money) {
			const on = c.subject.plural === 'events' ? '' : ` on ${c.subject.plural}`;
			return total ? `spent ${money(total)}${on}${c.windowOrSoFar}` : `spent nothing${on}${c.windowOrSoFar}`;
		}
		return `total ${c.fieldWords} of ${c.subject.plural} was ${number(total ?? 0)}${c.windowOrSoFar}`;
	},
	mean: (average, c) => {
		if (average === null) return c.money ? `no ${c.subject.plural} with a value${c.windowOrSoFar}` : `no ${c.fieldWords} recorded${c.windowOrSoFar}`;
		if (c.money) return `spent ${money(average)} per ${c.subject.singular} on average${c.windowOrSoFar}`;
		return `average ${c.fieldWords} was ${number(average)}${c.windowOrSoFar}`;
	},
	max: (largest, c) => {
		if (largest === null) return c.money ? `no ${c.subject.plural} with a value${c.windowOrSoFar}` : `no ${c.fieldWords} recorded${c.windowOrSoFar}`;
		if (c.money) return `largest ${c.subject.singular} was ${money(largest)}${c.windowOrSoFar}`;
		return `highest ${c.fieldWords} was ${number(largest)}${c.windowOrSoFar}`;
	},
	trend: (ratio, c) => {
		const recent = c.decl.windowDays ?? 30;
		const before = `the previous ${count(c.decl.baselineDays ?? recent)} days`;
		if (ratio === null) return `no ${c.subject.plural} in ${before} to compare with`;
		if (ratio === 0) return `${c.subject.plural} have stopped: none in the last ${count(recent)} days after some in ${before}`;
		if (ratio === Infinity) return `${c.subject.plural} have started: some in the last ${count(recent)} days after none in ${before}`;
		const change = Math.round(Math.abs(ratio - 1) * 100);
		// Within ±10% a change in rate is within ordinary month-to-month noise: call it steady.
		if (change < 10) return `${c.subject.plural} are steady in the last ${count(recent)} days compared with ${before}`;
		const direction = ratio > 1 ? 'rising' : 'falling';
		return `${c.subject.plural} are ${direction}: ${ratio > 1 ? 'up' : 'down'} ${count(change)}% in the last ${count(recent)} days compared with ${before}`;
	},
	meanGapDays: (gap, c) =>
		gap === null ? `fewer than two ${c.subject.plural}${c.windowOrSoFar}` : `on average ${gapLength(gap)} between ${c.subject.plural}${c.windowOrSoFar}`,
	repeatChance: (chance, c) =>
		chance === null
			? `no ${c.subject.plural} yet to judge a buying rhythm from`
			: `by the rhythm of ${c.subject.plural} so far, a ${percent(chance)} chance of another within ${count(c.decl.horizonDays ?? 0)} days`,
	activeChance: (chance, c) =>
		chance === null
			? `no ${c.subject.plural} yet to judge a buying rhythm from`
			: `by the rhythm of ${c.subject.plural} so far, a ${percent(chance)} chance of still being an active customer`,
	latest: (value, c) => {
		const label = c.decl.label;
		if (value === null) return `${label} is not known`;
		const categories = c.decl.categories;
		if (categories) return `${label} is ${Number.isInteger(value) && value >= 0 && value < categories.length ? categories[value] : number(value)}`;
		return `${label} is ${c.money ? money(value) : number(value)}`;
	},
};

/** The profile's fact for one feature, without the effect: "bought 3 times in the last 30 days". */
export function factPhrase(decl: FeatureDecl, value: number | null): string {
	const missing = value === null || Number.isNaN(value);
	const window = decl.windowDays === null ? '' : ` in the last ${decl.windowDays === 1 ? 'day' : `${count(decl.windowDays)} days`}`;
	const context: Context = {
		subject: subjectOf(decl),
		window,
		windowOrSoFar: window || ' so far',
		ever: decl.windowDays === null,
		decl,
		money: decl.field === 'value',
		fieldWords: decl.field ? humanizeName(decl.field) : 'value',
	};
	return facts[decl.aggregate](missing ? null : value, context);
}

/** What a factor moves: "the chance of converting" (or of `outcome`) for conversion, "the risk of leaving" for churn. */
function targetOf(propensityType: PropensityType, outcome?: string): string {
	return propensityType === 'churn' ? 'the risk of leaving' : `the chance of ${outcome?.trim() || 'converting'}`;
}

/**
 * What the factor does to the score, for the goal's propensity type: "which raises the chance
 * of converting" (conversion; `outcome` replaces "converting", e.g. "a purchase within 30 days"),
 * "which lowers the risk of leaving" (churn).
 */
export function effectPhrase(impact: number, propensityType: PropensityType, outcome?: string): string {
	const what = targetOf(propensityType, outcome);
	if (impact > 0) return `which raises ${what}`;
	if (impact < 0) return `which lowers ${what}`;
	return `which does not change ${what}`;
}

/**
 * A sentence a marketer can read about one factor of one profile: the fact (from the feature's
 * declaration and the profile's value, null when missing) and its effect on the score.
 */
export function factorSentence(decl: FeatureDecl, value: number | null, impact: number, propensityType: PropensityType, outcome?: string): string {
	const fact = factPhrase(decl, value);
	return `${fact.charAt(0).toUpperCase()}${fact.slice(1)}, ${effectPhrase(impact, propensityType, outcome)}.`;
}

/** What a bucket factor's sentence reads from it. */
export interface BucketFactorFacts {
	readonly meanValue: number | null;
	readonly meanValueElsewhere: number | null;
	readonly shareInBucket: number;
	readonly shareElsewhere: number | null;
	readonly direction: 'raises' | 'lowers' | 'mixed';
}

/**
 * A bucket factor in words: "Purchases in the last 30 days: 2.4 on average here against 0.3 in
 * the other buckets; among the top 5 factors for 62% of profiles here (8% in the other buckets);
 * mostly raises the chance of converting."
 */
export function bucketFactorSentence(decl: FeatureDecl, facts: BucketFactorFacts, k: number, propensityType: PropensityType, outcome?: string): string {
	const parts: string[] = [];
	if (facts.meanValue !== null) {
		const elsewhere = facts.meanValueElsewhere === null ? '' : ` against ${averageOf(decl, facts.meanValueElsewhere)} in the other buckets`;
		parts.push(`${averageOf(decl, facts.meanValue)} on average here${elsewhere}`);
	}
	const shareElsewhere = facts.shareElsewhere === null ? '' : ` (${percent(facts.shareElsewhere)} in the other buckets)`;
	parts.push(`among the top ${count(k)} factors for ${percent(facts.shareInBucket)} of profiles here${shareElsewhere}`);
	const what = targetOf(propensityType, outcome);
	parts.push(facts.direction === 'mixed' ? `raises ${what} for some profiles and lowers it for others` : `mostly ${facts.direction} ${what}`);
	return `${decl.label.charAt(0).toUpperCase()}${decl.label.slice(1)}: ${parts.join('; ')}.`;
}

/** A mean value with its unit where the aggregate has one: "240.50" (money), "12.5 days", "2.4". */
function averageOf(decl: FeatureDecl, value: number): string {
	if (decl.field === 'value' && (decl.aggregate === 'sum' || decl.aggregate === 'mean' || decl.aggregate === 'max' || decl.aggregate === 'latest'))
		return money(value);
	if (decl.aggregate === 'daysSinceLast' || decl.aggregate === 'daysSinceFirst' || decl.aggregate === 'meanGapDays') return dayCount(value);
	return number(value);
}

/** A share as a whole percentage: 0.623 → "62%". */
function percent(share: number): string {
	return `${Math.round(share * 100)}%`;
}

/** A whole number with thousands separators: 1,234. */
function count(n: number): string {
	return groupThousands(String(Math.round(Math.abs(n))), n < 0);
}

/** An amount of money with two decimals and separators: 1,240.50 (no currency: the data does not say which). */
function money(n: number): string {
	const [whole, cents] = Math.abs(n).toFixed(2).split('.');
	return `${groupThousands(whole, n < 0)}.${cents}`;
}

/** A plain number: whole numbers as they are, others to at most two decimals: 3, 35.25, 0.5. */
function number(n: number): string {
	if (Number.isInteger(n)) return count(n);
	const [whole, decimals] = Math.abs(n)
		.toFixed(2)
		.replace(/\.?0+$/, '')
		.split('.');
	return decimals ? `${groupThousands(whole, n < 0)}.${decimals}` : groupThousands(whole, n < 0);
}

function groupThousands(digits: string, negative: boolean): string {
	return `${negative ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}`;
}

/** Days before the score date, in whole days: "today" (under a day), "yesterday", "45 days ago". */
function daysAgo(days: number): string {
	const whole = Math.floor(Math.max(0, days));
	if (whole === 0) return 'today';
	if (whole === 1) return 'yesterday';
	return `${count(whole)} days ago`;
}

/** A span of days: "1 day", "2.5 days" (one decimal under ten days), "12 days". */
/** A gap between events: days, or hours under a day (never "0 days" for events a few hours apart). */
function gapLength(days: number): string {
	if (days >= 0.95) return dayCount(days);
	const hours = Math.round(days * 24);
	return hours < 1 ? 'less than an hour' : hours === 1 ? '1 hour' : `${hours} hours`;
}

function dayCount(days: number): string {
	const rounded = days < 10 ? Math.round(days * 10) / 10 : Math.round(days);
	return rounded === 1 ? '1 day' : `${number(rounded)} days`;
}
