import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { ruleFromForm } from '../../core/segment';

describe('segment rules from a filled-in form', () => {
	it('a single bucket row is the bucket rule, values lower-cased', () => {
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'bucket', buckets: ['High', 'medium'] }] }), { bucket: ['high', 'medium'] });
	});

	it('buckets typed as comma-separated text are read as a list', () => {
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'bucket', buckets: 'high, medium' }] }), { bucket: ['high', 'medium'] });
	});

	it('several rows must all hold unless the form says any', () => {
		const rows = [
			{ kind: 'score', operator: 'gte', value: '80' },
			{ kind: 'top', topBy: 'percent', size: 10 },
		];
		assert.deepEqual(ruleFromForm({ rows }), { all: [{ score: { gte: 80 } }, { top: { percent: 10 } }] });
		assert.deepEqual(ruleFromForm({ match: 'any', rows }), { any: [{ score: { gte: 80 } }, { top: { percent: 10 } }] });
	});

	it('"between" takes the value as the lower end and "to" as the upper end', () => {
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'percentile', operator: 'between', value: '90', to: '100' }] }), { percentile: { between: [90, 100] } });
	});

	it('a factor row names the feature or the label, with a direction and "within top" only when given', () => {
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'factor', factor: 'email_click_count_30d', direction: 'raises', withinTop: 3 }] }), {
			factor: { feature: 'email_click_count_30d', direction: 'raises', withinTop: 3 },
		});
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'factor', factorBy: 'label', factor: 'emails clicked', direction: 'either', withinTop: 0 }] }), {
			factor: { label: 'emails clicked' },
		});
	});

	it('attribute rows cover equality, lists, negation, presence and numbers', () => {
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'attribute', attribute: 'country', operator: 'in', value: 'FR, DE' }] }), {
			attribute: { name: 'country', in: ['FR', 'DE'] },
		});
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'attribute', attribute: 'country', operator: 'notEquals', value: 'FR' }] }), {
			not: { attribute: { name: 'country', equals: 'FR' } },
		});
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'attribute', attribute: 'email', operator: 'exists' }] }), {
			attribute: { name: 'email', exists: true },
		});
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'attribute', attribute: 'orders', operator: 'gte', value: '3' }] }), {
			attribute: { name: 'orders', gte: 3 },
		});
	});

	it('"negate" turns a row around', () => {
		assert.deepEqual(ruleFromForm({ rows: [{ kind: 'bucket', buckets: ['low'], negate: true }] }), { not: { bucket: ['low'] } });
	});

	it('a score that is not a number is refused naming the rule and the value', () => {
		assert.throws(
			() =>
				ruleFromForm({
					rows: [
						{ kind: 'bucket', buckets: ['high'] },
						{ kind: 'score', operator: 'gte', value: 'eighty' },
					],
				}),
			(error: Error) => {
				assert.ok(error instanceof InputError);
				assert.match(error.message, /score in rule 2 must be a number, not "eighty"/);
				return true;
			},
		);
	});

	it('a score outside 0 to 100 is refused by the rule checks, naming the rule', () => {
		assert.throws(
			() => ruleFromForm({ rows: [{ kind: 'score', operator: 'gte', value: '180' }] }),
			/segment rule 1 is not valid at score\.gte: a score is from 0 to 100/,
		);
	});

	it('an empty form, an unknown test or a nameless attribute is refused with the fix', () => {
		assert.throws(() => ruleFromForm({ rows: [] }), /has no rule: add at least one/);
		assert.throws(() => ruleFromForm({ rows: [{ kind: 'mood' }] }), /tests "mood"; use one of bucket, score/);
		assert.throws(() => ruleFromForm({ rows: [{ kind: 'attribute', operator: 'equals', value: 'FR' }] }), /names none: give its name/);
		assert.throws(() => ruleFromForm({ rows: [{ kind: 'attribute', attribute: 'country', operator: 'equals' }] }), /gives no value to compare with/);
	});
});
