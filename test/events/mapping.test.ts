import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { compileMapping, parseFieldMap, parseMappingOptions, pathGetter } from '../../core/events/mapping';

const objects = (...sample: unknown[]) => ({ kind: 'objects' as const, sample });

describe('the event mapping', () => {
	describe('field paths', () => {
		it('reads dot paths into nested JSON, array elements by index, and a name across every element of an array', () => {
			const record = {
				commerce: { order: { priceTotal: 9.5 } },
				productListItems: [{ SKU: 'a', priceTotal: 2 }, { SKU: 'b' }, { SKU: 'a', priceTotal: 3 }],
			};
			assert.equal(pathGetter('commerce.order.priceTotal')(record), 9.5);
			assert.equal(pathGetter('productListItems.1.SKU')(record), 'b');
			assert.deepEqual(pathGetter('productListItems.SKU')(record), ['a', 'b', 'a']);
			assert.deepEqual(pathGetter('productListItems.priceTotal')(record), [2, 3]);
			assert.equal(pathGetter('commerce.missing.deep')(record), undefined);
			assert.equal(pathGetter('productListItems.7.SKU')(record), undefined);
		});

		it('tries a column whose name contains dots literally before walking into objects', () => {
			const record = { 'web.webPageDetails.name': 'flat one', web: { webPageDetails: { name: 'nested one' } } };
			assert.equal(pathGetter('web.webPageDetails.name')(record), 'flat one');
			assert.equal(pathGetter('web.webPageDetails.name')({ web: { webPageDetails: { name: 'nested one' } } }), 'nested one');
		});
	});

	describe('the --map syntax', () => {
		it('reads id, time, type, value, namespace and attributes of both kinds', () => {
			assert.deepEqual(parseFieldMap('id=user.id, time=ts,type=kind,value=amount,attr.channel=source,attr.items:number=basket.count,namespace=CRMID'), {
				id: 'user.id',
				time: 'ts',
				type: 'kind',
				value: 'amount',
				namespace: 'CRMID',
				attributes: { channel: { path: 'source', kind: 'category' }, items: { path: 'basket.count', kind: 'number' } },
			});
			assert.deepEqual(parseFieldMap('value='), { value: null });
		});

		it('refuses an entry without =, an unknown key, an empty path or an unknown attribute kind, showing the syntax', () => {
			for (const text of ['id', 'who=x', 'time=', 'attr.x:date=y', 'attr.=y']) {
				assert.throws(
					() => parseFieldMap(text),
					(error: unknown) => error instanceof InputError && error.message.includes('id=PATH,time=PATH,type=PATH,value=PATH,attr.NAME=PATH'),
					text,
				);
			}
		});

		it('refuses mapping options with an unknown or misspelled field', () => {
			assert.throws(
				() => parseMappingOptions({ timezone: 'UTC' }),
				(error: unknown) => error instanceof InputError && /timezone/.test(error.message),
			);
			assert.throws(() => parseMappingOptions({ preset: 'adobe' }), InputError);
		});
	});

	describe('the flat preset', () => {
		it('reads customer_id, timestamp, event_type and value, and makes the other CSV columns category attributes', () => {
			const mapper = compileMapping({}, { kind: 'columns', header: ['customer_id', 'timestamp', 'event_type', 'value', 'channel', 'campaign'] });
			assert.equal(mapper.resolved.preset, 'flat');
			const row = ['c1', '2024-01-01T00:00:00Z', 'purchase', '12.5', 'web', 'spring'];
			assert.deepEqual([mapper.id(row), mapper.time(row), mapper.type(row), mapper.value?.(row)], ['c1', '2024-01-01T00:00:00Z', 'purchase', '12.5']);
			assert.deepEqual(
				mapper.attributes.map((attribute) => [attribute.name, attribute.kind, attribute.get(row)]),
				[
					['channel', 'category', 'web'],
					['campaign', 'category', 'spring'],
				],
			);
		});

		it('infers attributes from the scalar fields of the first records, in order of appearance, leaving nested ones out', () => {
			const mapper = compileMapping(
				{},
				objects(
					{ customer_id: 'a', timestamp: 1, event_type: 'x', channel: 'web', context: { geo: 'FR' } },
					{ customer_id: 'b', timestamp: 2, event_type: 'y', device: 'mobile', tags: ['a'] },
				),
			);
			assert.deepEqual(
				mapper.attributes.map((attribute) => attribute.name),
				['channel', 'device'],
			);
		});

		it('takes declared attributes instead of the inferred ones, and leaves mapped columns out of the inferred ones', () => {
			const header = ['user', 'ts', 'kind', 'amount', 'channel', 'country'];
			const declared = compileMapping(
				{ id: 'user', time: 'ts', type: 'kind', value: 'amount', attributes: { country: 'country', spend: { path: 'amount', kind: 'number' } } },
				{ kind: 'columns', header },
			);
			assert.deepEqual(
				declared.attributes.map((attribute) => [attribute.name, attribute.kind]),
				[
					['country', 'category'],
					['spend', 'number'],
				],
			);
			const inferred = compileMapping({ id: 'user', time: 'ts', type: 'kind', value: 'amount' }, { kind: 'columns', header });
			assert.deepEqual(
				inferred.attributes.map((attribute) => attribute.name),
				['channel', 'country'],
			);
		});

		it('names the missing column, the columns there are and the --map fix when a CSV lacks a mapped column', () => {
			assert.throws(
				() => compileMapping({}, { kind: 'columns', header: ['user', 'timestamp', 'event_type'] }),
				(error: unknown) =>
					error instanceof InputError &&
					/no column "customer_id" for the profile id/.test(error.message) &&
					/user, timestamp, event_type/.test(error.message) &&
					/--map id=COLUMN/.test(error.message),
			);
			assert.throws(
				() => compileMapping({ attributes: { ch: 'chanel' } }, { kind: 'columns', header: ['customer_id', 'timestamp', 'event_type'] }),
				(error: unknown) => error instanceof InputError && /--map attr\.ch=COLUMN/.test(error.message),
			);
		});

		it('reads no value when the file has no value column and none was asked for', () => {
			const mapper = compileMapping({}, { kind: 'columns', header: ['customer_id', 'timestamp', 'event_type'] });
			assert.equal(mapper.value, undefined);
			assert.equal(mapper.resolved.value, null);
		});
	});

	describe('the XDM preset', () => {
		const event = {
			timestamp: '2024-01-01T00:00:00Z',
			eventType: 'web.webpagedetails.pageViews',
			identityMap: { Email: [{ id: 'a@example.com' }], CRMID: [{ id: 'crm-1' }], ECID: [{ id: 'ecid-2' }, { id: 'ecid-1', primary: true }] },
			endUserIDs: { _experience: { aaid: { id: 'aaid-1' } } },
			channel: { _type: 'https://ns.adobe.com/xdm/channel-types/web' },
			productListItems: [
				{ SKU: 'p1', priceTotal: 5 },
				{ SKU: 'p2', priceTotal: 7 },
			],
		};

		it('is chosen when the first record has identityMap or endUserIDs', () => {
			assert.equal(compileMapping({}, objects(event)).resolved.preset, 'xdm');
			assert.equal(compileMapping({}, objects({ endUserIDs: {} })).resolved.preset, 'xdm');
			assert.equal(compileMapping({}, { kind: 'columns', header: ['identityMap.ECID.0.id', 'timestamp'] }).resolved.preset, 'xdm');
		});

		it('takes the profile id from ECID (its primary entry) before CRMID and Email, or from the declared namespace', () => {
			assert.equal(compileMapping({}, objects(event)).id(event), 'ecid-1');
			assert.equal(compileMapping({ namespace: 'crmid' }, objects(event)).id(event), 'crm-1');
			assert.equal(compileMapping({ namespace: 'aaid' }, objects(event)).id(event), 'aaid-1');
			assert.equal(compileMapping({ namespace: 'Phone' }, objects(event)).id(event), undefined);
			const onlyAaid = { endUserIDs: { _experience: { aaid: { id: 'x', namespace: { code: 'aaid' } } } } };
			assert.equal(compileMapping({}, objects(onlyAaid)).id(onlyAaid), 'x');
			// In endUserIDs the ECID is called mcid: it still comes before any other namespace.
			const analytics = { endUserIDs: { _experience: { aaid: { id: 'a' }, mcid: { id: 'm' } } } };
			assert.equal(compileMapping({}, objects(analytics)).id(analytics), 'm');
			assert.equal(compileMapping({ namespace: 'ECID' }, objects(analytics)).id(analytics), 'm');
		});

		it('types an event with commerce.order.purchaseID as commerce.purchases even when eventType says page view, valued at its order total', () => {
			const order = { ...event, commerce: { order: { purchaseID: 'o-1', priceTotal: 12 } } };
			const mapper = compileMapping({}, objects(order));
			assert.equal(mapper.type(order), 'commerce.purchases');
			assert.equal(mapper.value?.(order), 12);
			assert.equal(mapper.type(event), 'web.webpagedetails.pageViews');
			assert.equal(mapper.value?.(event), undefined);
			const withoutTotal = { ...event, commerce: { order: { purchaseID: 'o-2' } } };
			assert.deepEqual(mapper.value?.(withoutTotal), [5, 7]);
		});

		it('names an event without eventType by its XDM measure', () => {
			const mapper = compileMapping({}, objects(event));
			assert.equal(mapper.type({ commerce: { productListAdds: { value: 1 } } }), 'commerce.productListAdds');
			assert.equal(mapper.type({ web: { webPageDetails: { pageViews: { value: 1 } } } }), 'web.webpagedetails.pageViews');
			assert.equal(mapper.type({}), undefined);
		});

		it('offers the XDM attributes by path, plus email from identityMap.Email', () => {
			const mapper = compileMapping({}, objects(event));
			const get = (name: string) => mapper.attributes.find((attribute) => attribute.name === name)?.get(event);
			assert.equal(get('channel._type'), 'https://ns.adobe.com/xdm/channel-types/web');
			assert.deepEqual(get('productListItems.SKU'), ['p1', 'p2']);
			assert.equal(get('email'), 'a@example.com');
			assert.ok(mapper.attributes.some((attribute) => attribute.name === 'marketing.campaignName'));
		});

		it('lets single fields be overridden on top of the preset', () => {
			const mapper = compileMapping({ id: 'identityMap.CRMID.0.id', value: 'productListItems.0.priceTotal' }, objects(event));
			assert.equal(mapper.resolved.preset, 'xdm');
			assert.equal(mapper.id(event), 'crm-1');
			assert.equal(mapper.value?.(event), 5);
			assert.equal(mapper.type(event), 'web.webpagedetails.pageViews');
		});
	});
});
