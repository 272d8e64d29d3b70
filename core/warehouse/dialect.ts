/**
 * SQL dialects: the small table of differences between PostgreSQL and ClickHouse that the
 * one compiler (core/warehouse/examples.ts) reads. Everything else — which aggregates a feature
 * needs, which events a condition matches — is written once.
 *
 * Two functions let outside text into SQL, and nothing else does:
 * - `quoteName` for identifiers (tables, columns): checked against an allow-list, then quoted;
 * - `SqlValues.value` for values: bound as a parameter where the server can bind
 *   (PostgreSQL), written as an escaped literal where it cannot (ClickHouse 18.16 has no
 *   query parameters).
 */
import { InputError } from '../errors';

export type Engine = 'postgres' | 'clickhouse';

export interface Dialect {
	readonly engine: Engine;
	/** The count of rows where `condition` holds. */
	countIf(condition: string): string;
	/** The sum of `x` where `condition` holds; 0 when none. */
	sumIf(x: string, condition: string): string;
	/** min / max of `x` where `condition` holds; the caller guards the "none" case with a count. */
	minIf(x: string, condition: string): string;
	maxIf(x: string, condition: string): string;
	/** Distinct non-NULL values of `x`; 0 when there are none. */
	countDistinct(x: string): string;
	/** Distinct non-NULL values of `x` among the rows where `condition` holds; 0 when there are none. */
	countDistinctIf(x: string, condition: string): string;
	/** Text (NULL kept) of one type on every branch of a UNION ALL, whatever the column's own text type. */
	asText(expr: string): string;
	/** The bitwise OR of 2^`bit` (a whole number below 63) over the rows where `condition` holds; 0 when none. */
	bitsIf(bit: string, condition: string): string;
	/** The value of `x` in the row with the largest `order` (a list of keys, most significant first) where `condition` holds. */
	latestIf(x: string, order: readonly string[], condition: string): string;
	/** `expr` with NULL replaced by false (`orElse` false) or true. */
	orElse(expr: string, fallback: boolean): string;
	startsWith(text: string, prefix: string): string;
	contains(text: string, part: string): string;
	/** NULL for an empty text, so "no value" reads the same whether stored as NULL or ''. */
	emptyAsNull(text: string): string;
	/** A condition as a 0/1 integer, for sums of conditions. */
	asInteger(condition: string): string;
	/** Integer division rounding down (times are ≥ 0: after 1970). */
	intDiv(x: string, y: string): string;
	/** Text compared byte by byte (code point order), whatever the column's collation. */
	bytewise(text: string): string;
	/** A sort key with NULL below every number (in-memory tables sort a missing value first). */
	nullLowest(x: string): string;
	/** The character that quotes identifiers. */
	readonly quoteChar: string;
}

/** Names the compiler accepts: letters, digits and underscores, starting with a letter or underscore. */
const allowedName = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Quotes an identifier that passes the allow-list; anything else is refused, never escaped. */
export function quoteName(dialect: Dialect, name: string): string {
	if (!allowedName.test(name)) {
		throw new InputError(
			`${JSON.stringify(name)} is not an allowed table or column name: use letters, digits and underscores (at most 63), starting with a letter or underscore, or rename the column in a view.`,
			'bad-identifier',
		);
	}
	return `${dialect.quoteChar}${name}${dialect.quoteChar}`;
}

export const postgresDialect: Dialect = {
	engine: 'postgres',
	countIf: (condition) => `count(*) FILTER (WHERE ${condition})`,
	sumIf: (x, condition) => `coalesce(sum(${x}) FILTER (WHERE ${condition}), 0)`,
	minIf: (x, condition) => `min(${x}) FILTER (WHERE ${condition})`,
	maxIf: (x, condition) => `max(${x}) FILTER (WHERE ${condition})`,
	countDistinct: (x) => `count(DISTINCT ${x})`,
	countDistinctIf: (x, condition) => `count(DISTINCT ${x}) FILTER (WHERE ${condition})`,
	asText: (expr) => `(${expr})::text`,
	bitsIf: (bit, condition) => `coalesce(bit_or(1::bigint << (${bit})::int) FILTER (WHERE ${condition}), 0)`,
	latestIf: (x, order, condition) => `(array_agg(${x} ORDER BY ${order.map((key) => `${key} DESC NULLS LAST`).join(', ')}) FILTER (WHERE ${condition}))[1]`,
	orElse: (expr, fallback) => `coalesce(${expr}, ${fallback ? 'true' : 'false'})`,
	startsWith: (text, prefix) => `starts_with(${text}, ${prefix})`,
	contains: (text, part) => `(strpos(${text}, ${part}) > 0)`,
	emptyAsNull: (text) => `nullif(${text}, '')`,
	asInteger: (condition) => `(${condition})::int`,
	intDiv: (x, y) => `div(${x}, ${y})`,
	bytewise: (text) => `(${text}) COLLATE "C"`,
	// latestIf sorts DESC NULLS LAST: NULL is already the lowest.
	nullLowest: (x) => x,
	quoteChar: '"',
};

export const clickhouseDialect: Dialect = {
	engine: 'clickhouse',
	countIf: (condition) => `countIf(${condition})`,
	sumIf: (x, condition) => `ifNull(sumIf(${x}, ${condition}), 0)`,
	minIf: (x, condition) => `minIf(${x}, ${condition})`,
	maxIf: (x, condition) => `maxIf(${x}, ${condition})`,
	// Over a Nullable column with only NULLs, ClickHouse's aggregates answer NULL: 0 here.
	countDistinct: (x) => `ifNull(uniqExact(${x}), 0)`,
	countDistinctIf: (x, condition) => `ifNull(uniqExactIf(${x}, ${condition}), 0)`,
	// UNION ALL on 18.16 wants the same type on every branch.
	asText: (expr) => `CAST(${expr} AS Nullable(String))`,
	bitsIf: (bit, condition) => `groupBitOrIf(toUInt64(bitShiftLeft(toUInt64(1), ${bit})), ${condition})`,
	// NULL keys would compare unpredictably inside a tuple: the caller passes keys without NULLs.
	latestIf: (x, order, condition) => `argMaxIf(${x}, tuple(${order.join(', ')}), ${condition})`,
	orElse: (expr, fallback) => `ifNull(${expr}, ${fallback ? 1 : 0})`,
	startsWith: (text, prefix) => `startsWith(${text}, ${prefix})`,
	contains: (text, part) => `(position(${text}, ${part}) > 0)`,
	emptyAsNull: (text) => `nullIf(${text}, '')`,
	asInteger: (condition) => `toInt64(${condition})`,
	intDiv: (x, y) => `intDiv(${x}, ${y})`,
	bytewise: (text) => text,
	nullLowest: (x) => `ifNull(${x}, -inf)`,
	quoteChar: '`',
};

export function dialectOf(engine: Engine): Dialect {
	return engine === 'postgres' ? postgresDialect : clickhouseDialect;
}

/**
 * Escapes text as a ClickHouse string literal: backslash and quote are backslash-escaped,
 * control characters written as \xHH, everything else passed through as UTF-8. Text that is
 * not valid Unicode (a lone surrogate) is refused: the server would see a replacement
 * character and match something else.
 */
export function clickhouseString(text: string): string {
	if (!wellFormed(text))
		throw new InputError(`The value ${JSON.stringify(text)} is not valid Unicode text (it holds a lone surrogate); fix the value.`, 'bad-value');
	let out = "'";
	for (const char of text) {
		const code = char.codePointAt(0) as number;
		if (char === '\\' || char === "'") out += `\\${char}`;
		else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
		else out += char;
	}
	return `${out}'`;
}

/** False for text holding a lone surrogate (half of a UTF-16 pair). */
function wellFormed(text: string): boolean {
	return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

/** PostgreSQL text holds neither NUL nor lone surrogates: refused here with the fix, not by the server mid-query. */
function checkPostgresText(text: string): void {
	if (!wellFormed(text))
		throw new InputError(`The value ${JSON.stringify(text)} is not valid Unicode text (it holds a lone surrogate); fix the value.`, 'bad-value');
	if (text.includes('\0'))
		throw new InputError(`The value ${JSON.stringify(text)} holds a NUL character, which PostgreSQL text cannot store; remove it.`, 'bad-value');
}

/** A finite number as a literal both engines parse back to the same double. */
function numberLiteral(x: number): string {
	if (!Number.isFinite(x)) throw new InputError(`The value ${String(x)} is not a finite number; SQL conditions compare finite numbers only.`, 'bad-value');
	if (Object.is(x, -0)) return '0';
	return String(x);
}

/**
 * The values of one statement: bound as $1, $2 … on PostgreSQL, escaped literals on
 * ClickHouse. The only way a value enters SQL.
 */
export class SqlValues {
	readonly params: unknown[] = [];
	private readonly bound = new Map<string, string>();

	constructor(readonly dialect: Dialect) {}

	/** A text or number value in SQL. Integers that fit a double exactly are written as integers. */
	value(x: string | number): string {
		if (this.dialect.engine === 'clickhouse') return typeof x === 'number' ? numberLiteral(x) : clickhouseString(x);
		if (typeof x === 'string') checkPostgresText(x);
		const cast = typeof x === 'string' ? 'text' : Number.isSafeInteger(x) ? 'bigint' : 'float8';
		const key = `${cast}:${typeof x === 'number' ? numberLiteral(x) : x}`;
		let placeholder = this.bound.get(key);
		if (placeholder === undefined) {
			this.params.push(typeof x === 'number' ? numberLiteral(x) : x);
			placeholder = `$${this.params.length}::${cast}`;
			this.bound.set(key, placeholder);
		}
		return placeholder;
	}
}
