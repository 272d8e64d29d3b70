import assert from 'node:assert/strict';
import { matchRule, parseSegmentRule } from '../../core/segment';
import { factor, profile, shop } from './fixtures';
import type { ScoredProfile } from '../../core/score/types';

/** The ids a rule (JSON) admits among the profiles, in their order. */
function pick(rule: unknown, profiles: ScoredProfile[] = shop()): string[] {
	const { mask } = matchRule(profiles, parseSegmentRule(rule));
	return profiles.filter((_, i) => mask[i] === 1).map((p) => p.profileId);
}

describe('segment rules over scored profiles', () => {
	it('picks the profiles in the buckets listed', () => {
		assert.deepEqual(pick({ bucket: ['high'] }), ['ann', 'bob']);
		assert.deepEqual(pick({ bucket: ['low', 'high'] }), ['ann', 'bob', 'fay', 'gus', 'hal']);
		assert.deepEqual(pick({ bucket: 'medium' }), ['cid', 'dee', 'eve']);
	});

	it('compares the score with gt, gte, lt, lte and between, both ends of between included', () => {
		assert.deepEqual(pick({ score: { gt: 80 } }), ['ann']);
		assert.deepEqual(pick({ score: { gte: 80 } }), ['ann', 'bob']);
		assert.deepEqual(pick({ score: { lt: 10 } }), ['hal']);
		assert.deepEqual(pick({ score: { lte: 10 } }), ['gus', 'hal']);
		assert.deepEqual(pick({ score: { between: [24, 45] } }), ['dee', 'eve', 'fay']);
		assert.deepEqual(pick({ score: { gte: 20, lt: 62 } }), ['dee', 'eve', 'fay']);
	});

	it('compares the probability and the percentile the same way', () => {
		assert.deepEqual(pick({ probability: { gte: 0.8 } }), ['ann', 'bob']);
		assert.deepEqual(pick({ probability: { between: [0.1, 0.3] } }), ['eve', 'fay', 'gus']);
		assert.deepEqual(pick({ percentile: { gt: 60 } }), ['ann', 'bob', 'cid']);
		assert.deepEqual(pick({ percentile: { lte: 3 } }), ['hal']);
	});

	it('takes the top N by score, and all of them when N is more than there are', () => {
		assert.deepEqual(pick({ top: { count: 3 } }), ['ann', 'bob', 'cid']);
		assert.deepEqual(
			pick({ top: { count: 100 } }),
			shop().map((p) => p.profileId),
		);
	});

	it('takes the top P% rounded up, so 10% of 8 profiles is one and 25% is two', () => {
		assert.deepEqual(pick({ top: { percent: 10 } }), ['ann']);
		assert.deepEqual(pick({ top: { percent: 25 } }), ['ann', 'bob']);
		assert.deepEqual(pick({ top: { percent: 100 } }).length, 8);
		const thousand = Array.from({ length: 1000 }, (_, i) => profile(`p${String(i).padStart(4, '0')}`, i % 101));
		assert.equal(pick({ top: { percent: 10 } }, thousand).length, 100);
		assert.equal(pick({ top: { percent: 0.1 } }, thousand).length, 1);
	});

	it('breaks ties at the cut by probability, then by the smaller profile id, whatever the input order', () => {
		const tied = [profile('z', 50), profile('b', 50), profile('m', 50, { probability: 0.504 }), profile('a', 50), profile('top', 90)];
		assert.deepEqual(pick({ top: { count: 3 } }, tied), ['m', 'a', 'top']);
		assert.deepEqual(pick({ top: { count: 3 } }, [...tied].reverse()), ['top', 'a', 'm']);
		assert.deepEqual(pick({ top: { count: 4 } }, tied).sort(), ['a', 'b', 'm', 'top']);
	});

	it('ranks only among the profiles of "among" when it is given', () => {
		assert.deepEqual(pick({ top: { count: 2, among: { attribute: { name: 'country', equals: 'FR' } } } }), ['ann', 'cid']);
		// Without "among", top ranks everyone and the other rule then filters: only ann is both.
		assert.deepEqual(pick({ all: [{ top: { count: 2 } }, { attribute: { name: 'country', equals: 'FR' } }] }), ['ann']);
	});

	it('finds a factor by feature name or label, with the direction asked for', () => {
		assert.deepEqual(pick({ factor: { feature: 'email_click_count_30d' } }), ['ann', 'bob', 'dee', 'fay']);
		assert.deepEqual(pick({ factor: { feature: 'email_click_count_30d', direction: 'raises' } }), ['ann', 'bob', 'fay']);
		assert.deepEqual(pick({ factor: { feature: 'email_click_count_30d', direction: 'lowers' } }), ['dee']);
		assert.deepEqual(pick({ factor: { label: 'days since last purchase', direction: 'lowers' } }), ['ann', 'bob', 'gus']);
	});

	it('looks only at the K most influential factors when withinTop is given', () => {
		// bob's email factor (0.3) comes after days_since_last_purchase (-0.8); ann's (0.9) is first.
		assert.deepEqual(pick({ factor: { feature: 'email_click_count_30d', direction: 'raises', withinTop: 1 } }), ['ann', 'fay']);
		assert.deepEqual(pick({ factor: { feature: 'email_click_count_30d', direction: 'raises', withinTop: 2 } }), ['ann', 'bob', 'fay']);
		// The factors are ranked by absolute impact, not by the order they arrive in.
		const unordered = [profile('x', 50, { factors: [factor('small', 0.1), factor('big', -2)] })];
		assert.deepEqual(pick({ factor: { feature: 'big', withinTop: 1 } }, unordered), ['x']);
		assert.deepEqual(pick({ factor: { feature: 'small', withinTop: 1 } }, unordered), []);
	});

	it('refuses a factor rule over scores that carry no factors, saying how to get them', () => {
		const plain = [profile('a', 50), profile('b', 60)];
		assert.throws(() => pick({ factor: { feature: 'x' } }, plain), /factor rule on "x" needs each profile's factors.*--explain/);
	});

	it('refuses a factor on a feature no profile has, as a misspelling would, suggesting the closest', () => {
		assert.throws(
			() => matchRule(shop(), parseSegmentRule({ factor: { feature: 'email_click_count_30' } })),
			(error: Error & { code?: string }) =>
				error.code === 'unknown-factor' &&
				/The factor rule names the feature "email_click_count_30", which no scored profile has \(did you mean "email_click_count_30d"\?\)\. The features in the scores' factors are .*"email_click_count_30d"/.test(
					error.message,
				),
		);
		assert.throws(
			() => matchRule(shop(), parseSegmentRule({ factor: { label: 'email clicks' } })),
			/names the label "email clicks", which no scored profile has/,
		);
	});

	it("knows a feature from the profiles' feature values even when it is in no one's top factors", () => {
		const withValues = shop().map((p) => ({ ...p, features: { email_click_count_30d: 1, visits_90d: 3 } }));
		assert.deepEqual(
			matchRule(withValues, parseSegmentRule({ factor: { feature: 'visits_90d' } })).mask.every((bit) => bit === 0),
			true,
		);
	});

	it('tests attributes with equals, in and contains', () => {
		assert.deepEqual(pick({ attribute: { name: 'country', equals: 'FR' } }), ['ann', 'cid', 'eve', 'gus']);
		assert.deepEqual(pick({ attribute: { name: 'country', in: ['DE', 'IT'] } }), ['bob', 'fay', 'hal']);
		assert.deepEqual(pick({ attribute: { name: 'email', contains: '@example.com' } }), ['ann', 'dee', 'eve', 'hal']);
	});

	it('counts an attribute as present when it has a value, and missing when it is absent, null or empty', () => {
		assert.deepEqual(pick({ attribute: { name: 'email', exists: true } }), ['ann', 'bob', 'dee', 'eve', 'hal']);
		assert.deepEqual(pick({ attribute: { name: 'email', exists: false } }), ['cid', 'fay', 'gus']);
	});

	it('compares attributes as numbers, reading numeric text and skipping what is not a number', () => {
		assert.deepEqual(pick({ attribute: { name: 'orders', gte: 3 } }), ['ann', 'bob', 'hal']);
		assert.deepEqual(pick({ attribute: { name: 'orders', between: [0, 2] } }), ['cid', 'eve', 'fay']);
		assert.deepEqual(pick({ attribute: { name: 'orders', equals: 3 } }), ['bob']);
		assert.deepEqual(pick({ attribute: { name: 'orders', equals: '7' } }), ['ann']);
	});

	it('refuses an attribute no profile has, listing the ones that were loaded', () => {
		assert.throws(
			() => pick({ attribute: { name: 'contry', equals: 'FR' } }),
			/No scored profile has the attribute "contry"\. The attributes loaded are: email, country, orders/,
		);
	});

	it('combines rules with all and any, nested, and negates with not', () => {
		assert.deepEqual(pick({ all: [{ bucket: ['medium'] }, { attribute: { name: 'country', equals: 'FR' } }] }), ['cid', 'eve']);
		assert.deepEqual(pick({ any: [{ bucket: ['high'] }, { attribute: { name: 'country', equals: 'IT' } }] }), ['ann', 'bob', 'hal']);
		assert.deepEqual(
			pick({
				any: [
					{ all: [{ score: { gte: 60 } }, { factor: { feature: 'email_click_count_30d', direction: 'raises' } }] },
					{ all: [{ bucket: ['low'] }, { not: { attribute: { name: 'email', exists: true } } }] },
				],
			}),
			['ann', 'bob', 'fay', 'gus'],
		);
		assert.deepEqual(pick({ not: { bucket: ['low', 'medium'] } }), ['ann', 'bob']);
	});

	it('gives the same members whatever the order of the clauses', () => {
		const a = pick({ all: [{ top: { count: 4 } }, { attribute: { name: 'country', in: ['FR', 'DE'] } }, { not: { score: { lt: 70 } } }] });
		const b = pick({ all: [{ not: { score: { lt: 70 } } }, { attribute: { name: 'country', in: ['FR', 'DE'] } }, { top: { count: 4 } }] });
		assert.deepEqual(a, b);
		assert.deepEqual(a, ['ann', 'bob']);
	});

	it('admits no one from an empty population without complaint', () => {
		assert.deepEqual(pick({ all: [{ attribute: { name: 'x', equals: 1 } }, { factor: { feature: 'y' } }, { top: { percent: 10 } }] }, []), []);
	});
});
