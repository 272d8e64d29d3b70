/**
 * The short rule syntax of the CLI and of one-line node parameters, turned into the rule
 * JSON of rules.ts. Clauses are joined by commas and must all hold:
 *
 *   bucket=high|medium            bucket is one of these
 *   score>=80  probability<0.2  percentile=90..100   (>, >=, <, <=, = a number or from..to)
 *   top=100  top=10%              the highest scores (all scored profiles ranked)
 *   factor=email_click_count_30d:raises[:3]   a factor by feature name, direction, within top K
 *   factor.label=emails clicked in the last 30 days:lowers
 *   attr.country=FR|DE  attr.country!=FR  attr.email~@example.com  attr.email?  attr.orders>=3
 *   !clause                       negates a clause
 *
 * Values may be written in double quotes to hold commas or pipes: attr.city="Paris, 75".
 */
import { InputError } from '../errors';
import { didYouMean } from '../goal/suggest';
import { type Comparison, parseSegmentRule, type SegmentRule } from './rules';

const syntaxHelp =
	'write bucket=high|medium, score>=80, probability<0.2, percentile=90..100, top=100 or top=10%, factor=FEATURE[:raises|:lowers][:K], factor.label=WORDS[:raises|:lowers][:K], attr.NAME=VALUE (also !=, ~ for contains, ? for present, >, >=, <, <=), and ! before a clause to negate it';

/** The rule that a comma-separated list of clauses describes, checked like rule JSON. */
export function parseRuleText(text: string): SegmentRule {
	const clauses = splitOutsideQuotes(text, ',').map((clause) => clause.trim());
	if (clauses.length === 0 || clauses.every((clause) => clause === ''))
		throw new InputError(`The rule ${JSON.stringify(text)} is empty: ${syntaxHelp}.`, 'bad-segment-rule');
	const rules = clauses.map((clause, index) => {
		if (clause === '')
			throw new InputError(`Clause ${index + 1} of the rule ${JSON.stringify(text)} is empty: remove the extra comma.`, 'bad-segment-rule');
		return parseSegmentRule(parseClause(clause), `the rule clause ${JSON.stringify(clause)}`);
	});
	return rules.length === 1 ? rules[0] : { all: rules };
}

/** The rules of several rule texts (e.g. repeated --rule options), all of which must hold. */
export function parseRuleTexts(texts: readonly string[]): SegmentRule {
	const rules = texts.map(parseRuleText).flatMap((rule) => ('all' in rule ? rule.all : [rule]));
	if (rules.length === 0) throw new InputError(`No rule was given: ${syntaxHelp}.`, 'bad-segment-rule');
	return rules.length === 1 ? rules[0] : { all: rules };
}

function parseClause(clause: string): unknown {
	if (clause.startsWith('!')) return { not: parseClause(clause.slice(1).trim()) };
	const fail = (problem: string): never => {
		throw new InputError(`The rule clause ${JSON.stringify(clause)} ${problem}: ${syntaxHelp}.`, 'bad-segment-rule');
	};
	const unquote = (raw: string) => unquoteValue(raw, fail);
	let match = /^bucket\s*=\s*(.+)$/i.exec(clause);
	if (match) return { bucket: splitOutsideQuotes(match[1], '|').map((value) => unquote(value).toLowerCase()) };
	match = /^(score|probability|percentile)\s*(>=|<=|>|<|=)\s*(.+)$/i.exec(clause);
	if (match) return { [match[1].toLowerCase()]: comparison(match[2], match[3], fail) };
	match = /^top\s*=\s*(.+?)\s*(%?)$/i.exec(clause);
	if (match) {
		const size = number(match[1], fail);
		return { top: match[2] === '%' ? { percent: size } : { count: size } };
	}
	match = /^factor(\.label)?\s*=\s*(.+)$/i.exec(clause);
	if (match) return { factor: factorTest(match[2], match[1] !== undefined, fail) };
	match = /^attr\.(.+?)\s*\?$/i.exec(clause);
	if (match) return { attribute: { name: unquote(match[1]), exists: true } };
	match = /^attr\.(.+?)\s*(!=|>=|<=|=|~|>|<)\s*(.*)$/i.exec(clause);
	if (match) {
		const name = unquote(match[1]);
		const [, , operator, raw] = match;
		if (operator === '~') return { attribute: { name, contains: unquote(raw) } };
		if (operator === '=' || operator === '!=') {
			const values = splitOutsideQuotes(raw, '|').map(unquote);
			const test = { attribute: values.length === 1 ? { name, equals: values[0] } : { name, in: values } };
			return operator === '=' ? test : { not: test };
		}
		return { attribute: { name, ...comparison(operator, raw, fail) } };
	}
	const field = /^!?\s*([A-Za-z_.]+)/.exec(clause)?.[1];
	return fail(field ? `starts with "${field}", which is not something a rule can test` : 'is not understood');
}

function comparison(operator: string, raw: string, fail: (problem: string) => never): Comparison {
	const range = /^(.+?)\s*\.\.\s*(.+)$/.exec(raw.trim());
	if (range) {
		if (operator !== '=') fail('uses a range "from..to" with a comparison other than "="');
		return { between: [number(range[1], fail), number(range[2], fail)] };
	}
	const value = number(raw, fail);
	switch (operator) {
		case '>':
			return { gt: value };
		case '>=':
			return { gte: value };
		case '<':
			return { lt: value };
		case '<=':
			return { lte: value };
		default:
			return { between: [value, value] };
	}
}

function number(raw: string, fail: (problem: string) => never): number {
	const text = raw.trim();
	const value = Number(text);
	if (text === '' || !Number.isFinite(value)) fail(`has "${text}" where a number belongs`);
	return value;
}

const directions = ['raises', 'lowers'];

/**
 * `name[:raises|:lowers][:K]`, reading the options from the right so a label may hold colons
 * (followed by a space, as in "purchase: thank you", or in double quotes). A last part that is
 * one word or number but not an option is a typo, not part of the name: "F:lower" would
 * otherwise test a feature named "F:lower" that no profile has.
 */
function factorTest(raw: string, byLabel: boolean, fail: (problem: string) => never): Record<string, unknown> {
	const parts = splitOutsideQuotes(raw, ':');
	const test: Record<string, unknown> = {};
	while (parts.length > 1) {
		const last = parts[parts.length - 1].trim();
		if (!/^[^\s"]+$/.test(last)) break;
		if (/^(raises|lowers)$/i.test(last)) {
			if (test.direction !== undefined) fail(`gives the direction twice (${last} and ${test.direction})`);
			test.direction = last.toLowerCase();
		} else if (/^\d+$/.test(last)) {
			if (test.withinTop !== undefined) fail(`gives the number of top factors twice (${last} and ${test.withinTop})`);
			if (Number(last) < 1) fail(`has "${last}" where the number of top factors belongs: use a whole number from 1, e.g. :3`);
			test.withinTop = Number(last);
		} else if (/^[-+]?\d/.test(last)) {
			fail(`has "${last}" where the number of top factors belongs: use a whole number from 1, e.g. :3`);
		} else {
			fail(
				`has ":${last}", which is not a factor option${didYouMean(last, directions)}: after the ${byLabel ? 'label' : 'feature'} come :raises or :lowers and a number of top factors, e.g. factor=email_click_count_30d:raises:3 (put a name holding colons in double quotes)`,
			);
		}
		parts.pop();
	}
	test[byLabel ? 'label' : 'feature'] = unquoteValue(parts.join(':'), fail);
	return test;
}

/** The text split at each separator that is not inside double quotes. */
function splitOutsideQuotes(text: string, separator: string): string[] {
	const parts: string[] = [];
	let quoted = false;
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const char = text[i];
		if (char === '"') quoted = !quoted;
		else if (char === separator && !quoted) {
			parts.push(text.slice(start, i));
			start = i + 1;
		}
	}
	parts.push(text.slice(start));
	return parts;
}

/**
 * The value without surrounding double quotes (a doubled quote inside stands for one), trimmed
 * otherwise. Text after the closing quote (`"Paris, 75"top=5`, a comma forgotten) or a lone quote
 * inside an unquoted value is refused: either would silently become part of the value.
 */
function unquoteValue(raw: string, fail: (problem: string) => never): string {
	const text = raw.trim();
	if (!text.startsWith('"')) {
		if (text.includes('"')) fail(`has a double quote inside the value ${text}: put the whole value in double quotes, with each quote inside doubled`);
		return text;
	}
	let close = 1;
	while (close < text.length && !(text[close] === '"' && text[close + 1] !== '"')) close += text[close] === '"' ? 2 : 1;
	if (close >= text.length) fail(`opens a double quote in ${text} that is never closed`);
	if (close !== text.length - 1) fail(`has ${text.slice(close + 1)} after the closing quote of ${text.slice(0, close + 1)}: separate clauses with a comma`);
	return text.slice(1, -1).replace(/""/g, '"');
}
