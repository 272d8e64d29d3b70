import assert from 'node:assert/strict';
import { describeRule, parseRuleText, parseRuleTexts, parseSegmentRule } from '../../core/segment';

describe('the segment rule JSON', () => {
	it('accepts every rule kind and keeps it as written', () => {
		const rule = {
			all: [
				{ bucket: ['high', 'medium'] },
				{ score: { gte: 80 } },
				{ probability: { between: [0.2, 0.5] } },
				{ percentile: { gt: 90 } },
				{ top: { percent: 10, among: { attribute: { name: 'country', equals: 'FR' } } } },
				{ factor: { feature: 'email_click_count_30d', direction: 'raises', withinTop: 3 } },
				{ any: [{ attribute: { name: 'email', exists: true } }, { not: { attribute: { name: 'vip', in: [true, 'yes', 1] } } }] },
			],
		};
		assert.deepEqual(parseSegmentRule(rule), rule);
	});

	it('reads a single bucket name as a list of one', () => {
		assert.deepEqual(parseSegmentRule({ bucket: 'high' }), { bucket: ['high'] });
	});

	it('says where a rule is wrong and what is allowed', () => {
		const cases: [unknown, RegExp][] = [
			[{ scor: { gte: 80 } }, /at the top: "scor" is not a rule kind\. A rule has exactly one of all, any, not, bucket, score/],
			[{ bucket: ['high'], score: { gte: 1 } }, /it has 2 kinds \(bucket, score\); wrap them in \{ "all": \[\.\.\.\] \}/],
			[{ all: [{ bucket: ['hot'] }] }, /at all\[0\]\.bucket\[0\]: a bucket is "low", "medium" or "high"/],
			[{ any: [] }, /at any: "any" takes a non-empty list of rules/],
			[{ probability: { gte: 80 } }, /at probability\.gte: a probability is from 0 to 1 \(for 0–100 use "score"\)/],
			[{ score: {} }, /at score: give at least one of gt, gte, lt, lte, between/],
			[{ score: { above: 3 } }, /at score: "above" is not known here/],
			[{ score: { between: [50, 20] } }, /at score\.between: between takes \[from, to\] with from ≤ to/],
			[{ top: { count: 10, percent: 5 } }, /at top: give either "count" or "percent", not both/],
			[{ top: { count: 2.5 } }, /at top\.count: count must be a whole number/],
			[{ top: { percent: 0 } }, /percent must be more than 0/],
			[{ top: { count: 3, among: { bucket: 'warm' } } }, /at top\.among\.bucket\[0\]: a bucket is/],
			[{ factor: { feature: 'a', label: 'b' } }, /at factor: give either "feature" \(the machine name\) or "label"/],
			[{ factor: { feature: 'a', direction: 'up' } }, /at factor\.direction: direction is "raises" or "lowers"/],
			[{ attribute: { name: 'country' } }, /at attribute: give a test: equals, in, contains, exists/],
			[{ attribute: { equals: 'FR' } }, /at attribute\.name: name the attribute/],
			[{ not: 'high' }, /at not: expected a rule object such as \{ "bucket": \["high"\] \}, got the text "high"/],
			[[], /at the top: expected a rule object .* got a list/],
		];
		for (const [rule, message] of cases) assert.throws(() => parseSegmentRule(rule), message, JSON.stringify(rule));
	});

	it('refuses rules nested deeper than 32 levels', () => {
		let rule: unknown = { bucket: ['high'] };
		for (let i = 0; i < 40; i++) rule = { not: rule };
		assert.throws(() => parseSegmentRule(rule), /rules nest more than 32 deep/);
	});

	it('describes a rule in words', () => {
		assert.equal(
			describeRule(
				parseSegmentRule({
					all: [
						{ bucket: ['high'] },
						{ any: [{ score: { gte: 80 } }, { attribute: { name: 'country', in: ['FR', 'DE'] } }] },
						{ factor: { feature: 'clicks', direction: 'raises', withinTop: 3 } },
					],
				}),
			),
			'bucket is high and (score ≥ 80 or country is one of "FR", "DE") and "clicks" raises the chance (within the top 3 factors)',
		);
		assert.equal(
			describeRule({ top: { percent: 10, among: { not: { bucket: ['low'] } } } }),
			'in the top 10% by score among those where not bucket is low',
		);
		assert.equal(describeRule({ attribute: { name: 'email', exists: true } }), 'email is present');
	});
});

describe('the short rule syntax of the CLI', () => {
	it('reads each clause kind into the rule JSON', () => {
		const cases: [string, unknown][] = [
			['bucket=high', { bucket: ['high'] }],
			['bucket = High|medium', { bucket: ['high', 'medium'] }],
			['score>=80', { score: { gte: 80 } }],
			['score>80', { score: { gt: 80 } }],
			['probability<0.2', { probability: { lt: 0.2 } }],
			['percentile<=10', { percentile: { lte: 10 } }],
			['percentile=90..100', { percentile: { between: [90, 100] } }],
			['score=50', { score: { between: [50, 50] } }],
			['top=100', { top: { count: 100 } }],
			['top=10%', { top: { percent: 10 } }],
			['factor=email_click_count_30d:raises', { factor: { feature: 'email_click_count_30d', direction: 'raises' } }],
			['factor=email_click_count_30d:lowers:3', { factor: { feature: 'email_click_count_30d', direction: 'lowers', withinTop: 3 } }],
			['factor=email_click_count_30d', { factor: { feature: 'email_click_count_30d' } }],
			['factor.label=emails clicked in the last 30 days:raises', { factor: { label: 'emails clicked in the last 30 days', direction: 'raises' } }],
			['attr.country=FR', { attribute: { name: 'country', equals: 'FR' } }],
			['attr.country=FR|DE', { attribute: { name: 'country', in: ['FR', 'DE'] } }],
			['attr.country!=FR', { not: { attribute: { name: 'country', equals: 'FR' } } }],
			['attr.email~@example.com', { attribute: { name: 'email', contains: '@example.com' } }],
			['attr.email?', { attribute: { name: 'email', exists: true } }],
			['!attr.email?', { not: { attribute: { name: 'email', exists: true } } }],
			['attr.orders>=3', { attribute: { name: 'orders', gte: 3 } }],
			['attr.city="Paris, 75"', { attribute: { name: 'city', equals: 'Paris, 75' } }],
			['attr.note="say ""hi"""', { attribute: { name: 'note', equals: 'say "hi"' } }],
			['factor.label=purchase: thank you:raises:2', { factor: { label: 'purchase: thank you', direction: 'raises', withinTop: 2 } }],
			['factor.label="a:b":lowers', { factor: { label: 'a:b', direction: 'lowers' } }],
			['factor=x:3:raises', { factor: { feature: 'x', direction: 'raises', withinTop: 3 } }],
		];
		for (const [text, rule] of cases) assert.deepEqual(parseRuleText(text), rule, text);
	});

	it('joins clauses with commas into "all", and repeated rules too', () => {
		assert.deepEqual(parseRuleText('bucket=high, score>=80,attr.city="Lyon, 69"'), {
			all: [{ bucket: ['high'] }, { score: { gte: 80 } }, { attribute: { name: 'city', equals: 'Lyon, 69' } }],
		});
		assert.deepEqual(parseRuleTexts(['bucket=high,top=10%', 'attr.email?']), {
			all: [{ bucket: ['high'] }, { top: { percent: 10 } }, { attribute: { name: 'email', exists: true } }],
		});
	});

	it('says which clause is wrong and shows the syntax', () => {
		assert.throws(
			() => parseRuleText('scor>=80'),
			/The rule clause "scor>=80" starts with "scor", which is not something a rule can test: write bucket=high\|medium, score>=80/,
		);
		assert.throws(() => parseRuleText('score>=eighty'), /"score>=eighty" has "eighty" where a number belongs/);
		assert.throws(() => parseRuleText('probability>=80'), /rule clause "probability>=80" is not valid at probability\.gte: a probability is from 0 to 1/);
		assert.throws(() => parseRuleText('bucket=high,,score>1'), /Clause 2 of the rule .* is empty: remove the extra comma/);
		assert.throws(() => parseRuleText('score>=1..5'), /range "from\.\.to" with a comparison other than "="/);
		assert.throws(() => parseRuleText(''), /is empty/);
	});

	it('refuses a typo in a factor clause rather than reading it as part of the feature name', () => {
		const refused = (text: string, pattern: RegExp) =>
			assert.throws(
				() => parseRuleText(text),
				(error: Error & { code?: string }) => error.code === 'bad-segment-rule' && pattern.test(error.message),
				text,
			);
		refused(
			'factor=F:lower',
			/The rule clause "factor=F:lower" has ":lower", which is not a factor option \(did you mean "lowers"\?\): after the feature come :raises or :lowers/,
		);
		refused('factor=F:raises:-1', /has "-1" where the number of top factors belongs: use a whole number from 1/);
		refused('factor=F:raises:3x', /has ":3x", which is not a factor option|"3x" where the number of top factors belongs/);
		refused('factor=F:raises:0', /has "0" where the number of top factors belongs/);
		refused('factor=F:raises:lowers', /gives the direction twice/);
		refused('factor.label=emails clicked:rasies', /":rasies", which is not a factor option \(did you mean "raises"\?\)/);
	});

	it('refuses text after a closing quote and lone quotes, which would become part of the value', () => {
		assert.throws(
			() => parseRuleText('attr.city="Paris, 75"top=5'),
			/The rule clause "attr\.city=\\"Paris, 75\\"top=5" has top=5 after the closing quote of "Paris, 75": separate clauses with a comma/,
		);
		assert.throws(() => parseRuleText('attr.city="Paris'), /opens a double quote in "Paris that is never closed/);
		assert.throws(() => parseRuleText('attr.city=Pa"ris'), /has a double quote inside the value Pa"ris: put the whole value in double quotes/);
	});

	it('refuses a comparison that no score, probability or percentile can pass, as it would admit no one', () => {
		assert.throws(() => parseRuleText('percentile<=0'), /percentile ≤ 0 never holds \(a percentile is from 1 to 100\), so the rule would admit no one/);
		assert.throws(() => parseRuleText('score>100'), /score > 100 never holds \(a score is from 0 to 100\)/);
		assert.throws(() => parseRuleText('probability<0'), /probability < 0 never holds/);
		assert.throws(() => parseSegmentRule({ score: { gt: 80, lt: 20 } }), /score > 80 and score < 20 never holds/);
		assert.throws(
			() => parseSegmentRule({ attribute: { name: 'orders', gte: 5, lt: 3 } }),
			/orders ≥ 5 and orders < 3 never holds \(no value passes every bound\)/,
		);
		assert.deepEqual(parseRuleText('percentile<=1'), { percentile: { lte: 1 } });
		assert.deepEqual(parseRuleText('score>=100'), { score: { gte: 100 } });
		assert.deepEqual(parseRuleText('probability=0..0'), { probability: { between: [0, 0] } });
	});
});
