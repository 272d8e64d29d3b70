/**
 * Identifiers and values carrying SQL metacharacters: names are refused unless they pass the
 * allow-list; values pass through the one escaper (ClickHouse) or are bound (PostgreSQL), and
 * come back from the real engines exactly as they went in, matching exactly the rows that hold them.
 */
import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { compileCondition } from '../../core/warehouse/conditions';
import { SqlValues, clickhouseDialect, clickhouseString, postgresDialect, quoteName } from '../../core/warehouse/dialect';
import { openEvents } from '../../core/warehouse/client';
import { fieldExpr } from '../../core/warehouse/columns';
import { engines, hostileValues, writeEvents } from './support';

describe('identifiers', () => {
	const good = ['events', 'customer_id', '_x', 'A1', 'a'.repeat(63)];
	const bad = ['', 'a"b', 'a`b', "a'b", 'x; DROP TABLE y', 'x y', '1abc', 'événement', 'a.b', 'a'.repeat(64), 'x\0', 'x--'];
	for (const dialect of [postgresDialect, clickhouseDialect]) {
		it(`are quoted by one function on ${dialect.engine}, which refuses anything off the allow-list`, () => {
			for (const name of good) assert.equal(quoteName(dialect, name), `${dialect.quoteChar}${name}${dialect.quoteChar}`);
			for (const name of bad)
				assert.throws(
					() => quoteName(dialect, name),
					(error: unknown) => error instanceof InputError && error.code === 'bad-identifier',
					JSON.stringify(name),
				);
		});
	}
});

describe('the ClickHouse escaper', () => {
	it('escapes quotes, backslashes and control characters, and refuses lone surrogates', () => {
		assert.equal(clickhouseString("it's"), "'it\\'s'");
		assert.equal(clickhouseString('a\\b'), "'a\\\\b'");
		assert.equal(clickhouseString('a\nb\0'), "'a\\x0ab\\x00'");
		assert.equal(clickhouseString('日本'), "'日本'");
		assert.throws(() => clickhouseString('\uD800x'), InputError);
		for (const value of hostileValues) {
			const literal = clickhouseString(value);
			// Inside the quotes, every quote is escaped: the literal cannot end early.
			assert.ok(!/(^|[^\\])(\\\\)*'/.test(literal.slice(1, -1)), JSON.stringify(value));
		}
	});

	it('refuses numbers that are not finite', () => {
		for (const dialect of [postgresDialect, clickhouseDialect]) {
			for (const x of [NaN, Infinity, -Infinity]) assert.throws(() => new SqlValues(dialect).value(x), InputError);
		}
	});

	it('PostgreSQL values are bound, never written into the SQL', () => {
		const values = new SqlValues(postgresDialect);
		assert.equal(values.value("'; DROP TABLE x; --"), '$1::text');
		assert.equal(values.value(5), '$2::bigint');
		assert.equal(values.value(5.5), '$3::float8');
		assert.equal(values.value("'; DROP TABLE x; --"), '$1::text', 'the same value is bound once');
		assert.deepEqual(values.params, ["'; DROP TABLE x; --", '5', '5.5']);
		assert.throws(() => values.value('nul\0'), InputError);
	});
});

for (const engine of engines) {
	describe(`hostile values on ${engine}`, () => {
		it('come back from the engine exactly as they went in', async () => {
			const corpus = engine === 'postgres' ? hostileValues : [...hostileValues, 'nul\0byte'];
			const source = await writeEvents(engine, 'hostile_echo', [{ profile: 'p', day: 1, type: 'visit' }]);
			const { client } = await openEvents(source);
			try {
				for (const value of corpus) {
					const values = new SqlValues(engine === 'postgres' ? postgresDialect : clickhouseDialect);
					const [row] = await client.rows(`SELECT ${values.value(value)} AS v`, values.params);
					assert.equal(row.v, value, JSON.stringify(value));
				}
			} finally {
				await client.close();
			}
		});

		it('in conditions match exactly the events that hold them', async () => {
			const events = hostileValues.flatMap((value, i) => [
				{ profile: `p${i}`, day: 1, type: 'visit', channel: value, campaign: `${value}x` },
				{ profile: `q${i}`, day: 2, type: value, channel: 'web' },
			]);
			const source = await writeEvents(engine, 'hostile_match', events);
			const { client, columns } = await openEvents(source);
			try {
				for (const value of hostileValues) {
					const values = new SqlValues(columns.dialect);
					const field = (name: string) => fieldExpr(columns, name);
					const equals = compileCondition({ kind: 'test', field: 'channel', source: 'category', op: 'equals', values: [value] }, field, values);
					const isType = compileCondition(
						{ kind: 'test', field: 'eventType', source: 'eventType', op: 'in', values: [value, 'none'] },
						field,
						values,
					);
					const prefix = compileCondition({ kind: 'test', field: 'campaign', source: 'category', op: 'startsWith', values: [value] }, field, values);
					const sql = `SELECT ${columns.dialect.countIf(equals)} AS a, ${columns.dialect.countIf(isType)} AS b, ${columns.dialect.countIf(prefix)} AS c FROM ${columns.table}`;
					const [row] = await client.rows(sql, values.params);
					const expected = (test: (event: (typeof events)[number]) => boolean) => events.filter(test).length;
					assert.equal(
						Number(row.a),
						expected((e) => e.channel === value),
						`equals ${JSON.stringify(value)}`,
					);
					assert.equal(
						Number(row.b),
						expected((e) => e.type === value),
						`in ${JSON.stringify(value)}`,
					);
					assert.equal(
						Number(row.c),
						expected((e) => e.campaign?.startsWith(value) === true),
						`startsWith ${JSON.stringify(value)}`,
					);
				}
				const [count] = await client.rows(`SELECT count(*) AS n FROM ${columns.table}`, []);
				assert.equal(Number(count.n), events.length, 'the table is intact');
			} finally {
				await client.close();
			}
		});
	});
}
