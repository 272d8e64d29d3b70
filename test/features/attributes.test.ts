import assert from 'node:assert/strict';
import { latestAttributeValues } from '../../core/features';
import { at, profileIndex, tableOf } from './support';

describe('latest attribute values', () => {
	const table = tableOf([
		{ profile: 'a', day: 1, type: 'visit', email: 'old@example.com', qty: 1 },
		{ profile: 'a', day: 5, type: 'purchase', value: 30, email: 'new@example.com' },
		{ profile: 'a', day: 9, type: 'visit', qty: 4 },
		{ profile: 'b', day: 3, type: 'visit' },
	]);
	const a = profileIndex(table, 'a');
	const b = profileIndex(table, 'b');

	it('gives each profile the latest value of each field at or before the moment', () => {
		assert.deepEqual(latestAttributeValues(table, [a, b], at(6), ['email', 'qty', 'value', 'eventType']), {
			email: ['new@example.com', null],
			qty: [1, null],
			value: [30, null],
			eventType: ['purchase', 'visit'],
		});
	});

	it('reads the whole history without a moment, and nothing before the first event', () => {
		assert.deepEqual(latestAttributeValues(table, [a], undefined, ['qty']).qty, [4]);
		assert.deepEqual(latestAttributeValues(table, [a], at(0), ['email']).email, [null]);
	});

	it('refuses a field the events do not have, suggesting a close one', () => {
		assert.throws(() => latestAttributeValues(table, [a], undefined, ['emial']), /no field "emial" \(did you mean "email"\?\)/);
	});
});
