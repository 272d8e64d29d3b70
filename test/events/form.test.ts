import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { loadOptionsFromForm } from '../../core/events/form';

describe('the event mapping as the node dialogs fill it in', () => {
	it('leaves blank fields to the preset, trims the rest, and keeps "no value"', () => {
		assert.deepEqual(loadOptionsFromForm({ preset: 'auto', id: ' customer ', time: '', type: '  ', value: null, badRows: 'skip', timeUnit: '' }), {
			id: 'customer',
			value: null,
			badRows: 'skip',
		});
		assert.deepEqual(loadOptionsFromForm({ preset: 'xdm', namespace: 'CRMID' }), { preset: 'xdm', namespace: 'CRMID' });
	});

	it('maps attribute rows, the path defaulting to the name and the kind to category', () => {
		const options = loadOptionsFromForm({ attributes: [{ name: 'channel' }, { name: 'spend', path: 'order.total', kind: 'number' }] });
		assert.deepEqual(options.attributes, { channel: { path: 'channel', kind: 'category' }, spend: { path: 'order.total', kind: 'number' } });
	});

	it('refuses an attribute row without a name, or a name given twice, naming the row', () => {
		assert.throws(
			() => loadOptionsFromForm({ attributes: [{ name: 'channel' }, { path: 'device.type' }] }),
			(error: unknown) => {
				assert.ok(error instanceof InputError);
				assert.equal(error.code, 'bad-mapping');
				assert.match(error.message, /Attribute 2 has no name/);
				return true;
			},
		);
		assert.throws(
			() => loadOptionsFromForm({ attributes: [{ name: 'channel' }, { name: 'channel', path: 'utm.source' }] }),
			/"channel" is declared twice \(attribute 2\)/,
		);
	});
});
