import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { CancelledError, InputError } from '../../core/errors';
import { loadEvents, type LoadOptions, type LoadResult } from '../../core/events/load';
import { writeSimulation, xdmEventTypes } from '../../core/simulate';
import { attributeValues, coreEventsOf, eventsOf, outputDir, sameTable } from './support';

/** Flat events with awkward content: commas and quotes, missing values, ties in time, zones. */
const fixture = [
	{ customer_id: 'c2', timestamp: '2024-03-02T09:00:00Z', event_type: 'visit', channel: 'email', campaign: 'spring, "big" sale' },
	{ customer_id: 'c1', timestamp: '2024-03-01T10:00:00.250Z', event_type: 'product_view', channel: 'web', campaign: '' },
	{ customer_id: 'c1', timestamp: '2024-03-01T10:05:00+01:00', event_type: 'purchase', value: 19.99, channel: 'web', campaign: 'spring, "big" sale' },
	{ customer_id: 'c3', timestamp: '2024-02-29T23:59:59Z', event_type: 'visit', channel: 'app', campaign: 'é ü 日本' },
	{ customer_id: 'c1', timestamp: '2024-03-01T10:00:00.250Z', event_type: 'add_to_cart', channel: 'web', campaign: '' },
	{ customer_id: 'c2', timestamp: '2024-03-05T12:00:00Z', event_type: 'purchase', value: 5, channel: 'email', campaign: 'line\nbreak' },
	{ customer_id: 'c3', timestamp: '2024-03-01T00:00:00Z', event_type: 'purchase', value: 0, channel: 'app', campaign: '' },
];

const columns = ['customer_id', 'timestamp', 'event_type', 'value', 'channel', 'campaign'] as const;

function cell(value: unknown): string {
	const text = value === undefined || value === null ? '' : String(value);
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(rows: Record<string, unknown>[], header: readonly string[] = columns): string {
	return `${header.join(',')}\n${rows.map((row) => header.map((column) => cell(row[column])).join(',')).join('\n')}\n`;
}

function flatRows(): Record<string, unknown>[] {
	return fixture.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== '')));
}

/** The fixture as XDM ExperienceEvents; purchases keep eventType "web.webpagedetails.pageViews", as real exports do. */
function toXdm(row: (typeof fixture)[number], index: number): Record<string, unknown> {
	const purchase = row.event_type === 'purchase';
	return {
		_id: String(index),
		timestamp: row.timestamp,
		eventType: purchase ? 'web.webpagedetails.pageViews' : `flat.${row.event_type}`,
		identityMap: { ECID: [{ id: row.customer_id, primary: true }] },
		channel: { _type: row.channel },
		...(row.campaign ? { marketing: { campaignName: row.campaign } } : {}),
		commerce: purchase ? { order: { purchaseID: `o-${index}`, priceTotal: row.value } } : {},
	};
}

const expectedFlat = [
	['c1', '2024-03-01T09:05:00.000Z', 'purchase', 19.99],
	['c1', '2024-03-01T10:00:00.250Z', 'add_to_cart', null],
	['c1', '2024-03-01T10:00:00.250Z', 'product_view', null],
	['c2', '2024-03-02T09:00:00.000Z', 'visit', null],
	['c2', '2024-03-05T12:00:00.000Z', 'purchase', 5],
	['c3', '2024-02-29T23:59:59.000Z', 'visit', null],
	['c3', '2024-03-01T00:00:00.000Z', 'purchase', 0],
].map(([id, time, type, value]) => ({ id, time, type, value }));

async function loadText(dir: string, name: string, text: string | Buffer, options: LoadOptions = {}): Promise<LoadResult> {
	const file = path.join(dir, name);
	fs.writeFileSync(file, text);
	return loadEvents({ kind: 'file', path: file }, options);
}

describe('loading events', function () {
	this.timeout(120000);
	let dir: string;
	before(() => (dir = outputDir('load')));

	describe('every format and preset gives the same events', () => {
		it('loads the same events, attributes included, from CSV, NDJSON, a JSON array, flow items and a buffer', async () => {
			const loads = [
				await loadText(dir, 'fixture.csv', toCsv(fixture)),
				await loadText(
					dir,
					'fixture.ndjson',
					flatRows()
						.map((row) => JSON.stringify(row))
						.join('\n'),
				),
				await loadText(dir, 'fixture.json', JSON.stringify(flatRows(), null, 2)),
				await loadEvents({ kind: 'rows', rows: flatRows() }),
				await loadEvents({
					kind: 'rows',
					rows: (async function* () {
						yield* flatRows();
					})(),
				}),
				await loadEvents({ kind: 'buffer', data: Buffer.from(toCsv(fixture)) }),
			];
			const reference = eventsOf(loads[0].table);
			assert.deepEqual(
				reference.map(({ id, time, type, value }) => ({ id, time, type, value })),
				expectedFlat,
			);
			assert.deepEqual(attributeValues(loads[0].table, 'campaign'), [
				'spring, "big" sale',
				null,
				null,
				'spring, "big" sale',
				'line\nbreak',
				'é ü 日本',
				null,
			]);
			for (const load of loads.slice(1)) assert.deepEqual(eventsOf(load.table), reference, load.report.format);
			assert.deepEqual(
				loads.map((load) => load.report.format),
				['csv', 'ndjson', 'json', 'rows', 'rows', 'csv'],
			);
		});

		it('loads the same events from XDM ExperienceEvents, as a JSON array, as NDJSON and as flow items', async () => {
			const xdm = fixture.map(toXdm);
			const rename = (type: string) => (type === 'commerce.purchases' ? 'purchase' : type.replace(/^flat\./, ''));
			for (const load of [
				await loadText(dir, 'xdm.json', JSON.stringify(xdm)),
				await loadText(dir, 'xdm.ndjson', xdm.map((event) => JSON.stringify(event)).join('\n')),
				await loadEvents({ kind: 'rows', rows: xdm }),
			]) {
				assert.equal(load.report.mapping?.preset, 'xdm');
				assert.deepEqual(coreEventsOf(load.table, rename), expectedFlat);
				assert.deepEqual(attributeValues(load.table, 'marketing.campaignName'), [
					'spring, "big" sale',
					null,
					null,
					'spring, "big" sale',
					'line\nbreak',
					'é ü 日本',
					null,
				]);
				assert.deepEqual(
					load.table.attributes.map((column) => column.name),
					['marketing.campaignName', 'channel._type'],
				);
				assert.deepEqual(load.report.emptyAttributesDropped, [
					'marketing.campaignGroup',
					'marketing.trackingCode',
					'channel.mediaType',
					'channel.mediaAction',
					'web.webPageDetails.name',
					'productListItems.SKU',
					'productListItems.productCategories.categoryID',
					'application.name',
					'search.keywords',
					'device.type',
					'environment.type',
					'placeContext.geo.countryCode',
					'email',
				]);
			}
		});

		it('loads the same events from the simulated shop written as CSV, NDJSON and XDM, gzipped or not', async () => {
			const files: Record<string, string> = {};
			for (const format of ['csv', 'ndjson', 'xdm'] as const) {
				for (const gzip of [false, true]) {
					const file = path.join(dir, `shop-${format}${gzip ? '-gz' : ''}.${format === 'xdm' ? 'json' : format}`);
					await writeSimulation({ profiles: 150, seed: 4, format, out: file, gzip });
					files[`${format}${gzip ? '.gz' : ''}`] = file;
				}
			}
			const load = async (key: string) => loadEvents({ kind: 'file', path: files[key] });
			const csv = await load('csv');
			assert.ok(csv.table.length > 2000, `${csv.table.length} events`);
			assert.deepEqual(
				csv.table.attributes.map((column) => column.name),
				['channel', 'campaign', 'product_category', 'device', 'email', 'country'],
			);
			const reference = eventsOf(csv.table);
			for (const key of ['csv.gz', 'ndjson', 'ndjson.gz']) {
				const other = await load(key);
				assert.deepEqual(eventsOf(other.table), reference, key);
				assert.equal(other.report.compressed, key.endsWith('.gz'));
			}
			const toXdmType = (type: string) => xdmEventTypes[type] ?? type;
			const flatCore = coreEventsOf(csv.table, toXdmType);
			for (const key of ['xdm', 'xdm.gz']) {
				const xdm = await load(key);
				assert.equal(xdm.report.mapping?.preset, 'xdm');
				assert.deepEqual(coreEventsOf(xdm.table), flatCore, key);
				assert.deepEqual(attributeValues(xdm.table, 'email'), attributeValues(csv.table, 'email'));
				assert.deepEqual(attributeValues(xdm.table, 'marketing.campaignName'), attributeValues(csv.table, 'campaign'));
			}
		});
	});

	describe('compressed input', () => {
		it('recognises gzip by its first bytes whatever the file is called, from a file and from a buffer', async () => {
			const packed = zlib.gzipSync(toCsv(fixture));
			const plain = await loadText(dir, 'plain.csv', toCsv(fixture));
			for (const load of [
				await loadText(dir, 'packed-without-gz-extension.csv', packed),
				await loadText(dir, 'packed.csv.gz', packed),
				await loadEvents({ kind: 'buffer', data: packed }),
			]) {
				assert.equal(load.report.compressed, true);
				assert.ok(sameTable(load.table, plain.table));
			}
			assert.equal(plain.report.compressed, false);
		});

		it('says a damaged gzip file cannot be decompressed', async () => {
			const packed = zlib.gzipSync(toCsv(fixture));
			await assert.rejects(
				loadText(dir, 'damaged.csv.gz', packed.subarray(0, packed.length - 20)),
				(error: unknown) => error instanceof InputError && /cannot be decompressed/.test(error.message),
			);
		});
	});

	describe('the Adobe XDM sample', () => {
		it('gives 6 profiles, 10 events and 5 orders typed commerce.purchases, with their totals', async () => {
			const { table, summary, report } = await loadEvents(
				{ kind: 'file', path: path.resolve(__dirname, '../../../test/fixtures/adobe-cee-sample-rows.json') },
				{ preset: 'xdm' },
			);
			assert.equal(summary.profiles, 6);
			assert.equal(summary.events, 10);
			assert.equal(summary.eventsPerType['commerce.purchases'], 5);
			assert.deepEqual(summary.eventsPerType, { 'commerce.purchases': 5, 'web - pageview': 5 });
			assert.equal(report.rejected.total, 0);
			const orders = eventsOf(table).filter((event) => event.type === 'commerce.purchases');
			assert.deepEqual(
				orders.map((order) => order.value),
				[8.99, 99.59, 108.99, 92, 420.99],
			);
			assert.deepEqual(table.profileIds, ['11ea-8e40', '11ea-8e41', '11ea-8e42', '11ea-8e43', '11ea-8e44', '11ea-8e45']);
			assert.equal(eventsOf(table).find((event) => event.value === 420.99)?.attributes['productListItems.SKU'], 'pd350|pd110');
			assert.equal(summary.firstEvent, '2020-03-11T07:27:32.000Z');
			assert.equal(summary.lastEvent, '2020-03-23T02:20:12.000Z');
		});

		it('gives the same events when the preset is left to be detected', async () => {
			const file = path.resolve(__dirname, '../../../test/fixtures/adobe-cee-sample-rows.json');
			const declared = await loadEvents({ kind: 'file', path: file }, { preset: 'xdm' });
			const detected = await loadEvents({ kind: 'file', path: file });
			assert.ok(sameTable(declared.table, detected.table));
		});
	});

	describe('bad rows', () => {
		const messy = [
			'customer_id,timestamp,event_type,value,channel',
			'c1,2024-03-01T10:00:00Z,visit,,web',
			',2024-03-01T10:00:00Z,visit,,web',
			'c1,,visit,,web',
			'c1,2023-02-30T10:00:00Z,visit,,web',
			'c1,03/01/2024,visit,,web',
			'c1,2024-03-01T11:00:00Z,,,web',
			'c1,2024-03-01T12:00:00Z,purchase,"12,50",web',
			'c1,2024-03-01T12:00:00Z,only four fields,1',
			'c2,2024-03-02T10:00:00Z,purchase,12.50,app',
		].join('\n');

		it('skips and reports each bad row with its row, line, field, value and reason, and loses nothing without counting it', async () => {
			const { report, summary } = await loadText(dir, 'messy.csv', messy, { badRows: 'skip' });
			assert.equal(summary.events, 2);
			assert.equal(report.rowsRead, 9);
			assert.equal(report.rowsRead, report.eventsLoaded + report.rejected.total + report.duplicatesDropped);
			assert.deepEqual(report.rejected.byReason, {
				unparsable: 1,
				'missing-id': 1,
				'missing-time': 1,
				'bad-time': 1,
				'impossible-date': 1,
				'missing-type': 1,
				'bad-value': 1,
			});
			assert.deepEqual(summary.rejectedByReason, report.rejected.byReason);
			assert.deepEqual(
				report.rejected.examples.map(({ row, line, field, value, reason }) => ({ row, line, field, value, reason })),
				[
					{ row: 2, line: 3, field: 'profile id', value: '', reason: 'missing-id' },
					{ row: 3, line: 4, field: 'timestamp', value: '', reason: 'missing-time' },
					{ row: 4, line: 5, field: 'timestamp', value: '2023-02-30T10:00:00Z', reason: 'impossible-date' },
					{ row: 5, line: 6, field: 'timestamp', value: '03/01/2024', reason: 'bad-time' },
					{ row: 6, line: 7, field: 'event type', value: '', reason: 'missing-type' },
					{ row: 7, line: 8, field: 'value', value: '12,50', reason: 'bad-value' },
					{ row: 8, line: 9, field: null, value: 'c1,2024-03-01T12:00:00Z,only four fields,1', reason: 'unparsable' },
				],
			);
			assert.match(report.rejected.examples[6].message, /4 fields, the header has 5/);
			assert.match(report.rejected.examples[5].message, /dot as decimal separator/);
		});

		it('stops at the first bad row under the fail policy, naming the row, line, field, value and fix', async () => {
			await assert.rejects(loadText(dir, 'messy-fail.csv', messy), (error: unknown) => {
				assert.ok(error instanceof InputError);
				assert.match(error.message, /^Row 2 \(line 3\) of messy-fail\.csv: the profile id is missing \(field profile id at "customer_id", value ""\)/);
				assert.match(error.message, /--map id=PATH/);
				assert.match(error.message, /--bad-rows skip/);
				assert.deepEqual((error.details as { row: number }).row, 2);
				return true;
			});
			const impossible = ['customer_id,timestamp,event_type', 'c1,2024-01-01,visit', 'c1,2023-02-30,visit'].join('\n');
			await assert.rejects(
				loadText(dir, 'impossible.csv', impossible),
				/Row 2 \(line 3\) of impossible\.csv: the timestamp is not a real date or time \(field timestamp at "timestamp", value "2023-02-30"\)/,
			);
		});

		it('reports unreadable NDJSON lines and array elements that are not objects with their line numbers', async () => {
			const ndjson = [
				'{"customer_id":"a","timestamp":1700000000,"event_type":"x"}',
				'{"customer_id":"a",',
				'',
				'[1]',
				'{"customer_id":"b","timestamp":"2024-01-01","event_type":"y","value":"n/a"}',
			].join('\n');
			const { report } = await loadText(dir, 'messy.ndjson', ndjson, { badRows: 'skip' });
			assert.deepEqual(
				report.rejected.examples.map(({ row, line, reason }) => [row, line, reason]),
				[
					[2, 2, 'unparsable'],
					[3, 4, 'unparsable'],
					[4, 5, 'bad-value'],
				],
			);
			await assert.rejects(
				loadText(dir, 'messy-fail.ndjson', ndjson),
				/Row 2 \(line 2\) of messy-fail\.ndjson: the record could not be read: it is not valid JSON/,
			);
		});

		it('keeps only the first examples of each reason but counts every bad row', async () => {
			const rows = Array.from({ length: 50 }, (_, i) => ({ customer_id: i % 2 ? '' : 'c', timestamp: '2024-01-01', event_type: 'x' }));
			const { report } = await loadEvents({ kind: 'rows', rows }, { badRows: 'skip', maxExamples: 3 });
			assert.equal(report.rejected.byReason['missing-id'], 25);
			assert.deepEqual(
				report.rejected.examples.map((example) => example.row),
				[2, 4, 6],
			);
		});

		it('rejects an id or attribute that is an object rather than a value, and a flow item that is not an object', async () => {
			const rows = [
				{ customer_id: { nested: 1 }, timestamp: '2024-01-01', event_type: 'x' },
				'text',
				{ customer_id: 'a', timestamp: '2024-01-01', event_type: 'x', channel: 'web' },
				{ customer_id: 'b', timestamp: '2024-01-01', event_type: 'x', channel: { name: 'web' } },
			];
			const { report, summary } = await loadEvents({ kind: 'rows', rows }, { badRows: 'skip', attributes: { channel: 'channel' } });
			assert.equal(summary.events, 1);
			assert.deepEqual(report.rejected.byReason, { unparsable: 1, 'bad-id': 1, 'bad-attribute': 1 });
		});
	});

	describe('event types', () => {
		it('stops with a clear error past 65,535 distinct event types, pointing at the type field', async () => {
			const rows = Array.from({ length: 65536 }, (_, i) => ({ customer_id: 'c', timestamp: 1700000000 + i, event_type: `type-${i}` }));
			await assert.rejects(
				loadEvents({ kind: 'rows', rows }),
				(error: unknown) =>
					error instanceof InputError &&
					error.code === 'too-many-event-types' &&
					/Row 65536 of the rows/.test(error.message) &&
					/--map type=PATH/.test(error.message),
			);
		});
	});

	describe('duplicates', () => {
		it('keeps repeated events unless asked to drop them, and counts the ones it drops', async () => {
			const csv = toCsv([...fixture, fixture[2], fixture[2], { ...fixture[2], value: 20 }, fixture[0]]);
			const kept = await loadText(dir, 'dupes.csv', csv);
			assert.equal(kept.summary.events, fixture.length + 4);
			assert.equal(kept.summary.duplicatesDropped, 0);
			const dropped = await loadText(dir, 'dupes.csv', csv, { dropDuplicates: true });
			assert.equal(dropped.summary.events, fixture.length + 1);
			assert.equal(dropped.summary.duplicatesDropped, 3);
			assert.equal(dropped.report.rowsRead, dropped.report.eventsLoaded + dropped.report.rejected.total + dropped.report.duplicatesDropped);
		});
	});

	describe('timestamps and zones', () => {
		it('reads ISO with and without zones, epoch seconds and milliseconds, in the declared default zone', async () => {
			const rows = [
				{ customer_id: 'a', timestamp: '2024-07-01T12:00:00', event_type: 'local' },
				{ customer_id: 'a', timestamp: '2024-07-01T12:00:00Z', event_type: 'utc' },
				{ customer_id: 'a', timestamp: 1719835200, event_type: 'seconds' },
				{ customer_id: 'a', timestamp: '1719835200000', event_type: 'milliseconds' },
				{ customer_id: 'a', timestamp: '2024-07-01 14:00', event_type: 'space' },
			];
			const { table } = await loadEvents({ kind: 'rows', rows }, { timeZone: 'Europe/Paris' });
			const times = Object.fromEntries(eventsOf(table).map((event) => [event.type, event.time]));
			assert.deepEqual(times, {
				local: '2024-07-01T10:00:00.000Z',
				utc: '2024-07-01T12:00:00.000Z',
				seconds: '2024-07-01T12:00:00.000Z',
				milliseconds: '2024-07-01T12:00:00.000Z',
				space: '2024-07-01T12:00:00.000Z',
			});
		});

		it('refuses an unknown time zone before reading', async () => {
			await assert.rejects(loadEvents({ kind: 'rows', rows: [] }, { timeZone: 'Europe/Atlantis' }), /time zone "Europe\/Atlantis" is not known/);
		});
	});

	describe('the summary', () => {
		it('gives profiles, events, first and last event, events per type, attributes with distinct values, rejects and duplicates', async () => {
			const { summary } = await loadText(dir, 'summary.csv', toCsv(fixture));
			assert.deepEqual(summary, {
				profiles: 3,
				events: 7,
				firstEvent: '2024-02-29T23:59:59.000Z',
				lastEvent: '2024-03-05T12:00:00.000Z',
				eventsPerType: { add_to_cart: 1, product_view: 1, purchase: 3, visit: 2 },
				eventsWithValue: 3,
				attributes: [
					{ name: 'channel', kind: 'category', distinctValues: 3, eventsWithValue: 7 },
					{ name: 'campaign', kind: 'category', distinctValues: 3, eventsWithValue: 4 },
				],
				rejectedRows: 0,
				rejectedByReason: {},
				duplicatesDropped: 0,
				bytesPerEvent: summary.bytesPerEvent,
			});
			// time 8 + type 2 + value 8 + two attribute codes 4 + 4, plus profile offsets (4 × 4 bytes over 7 events).
			assert.equal(summary.bytesPerEvent, Math.round(((7 * 26 + 16) / 7) * 100) / 100);
		});

		it('is the same, byte for byte, whatever order the rows come in', async () => {
			const forward = await loadEvents({ kind: 'rows', rows: flatRows() });
			const backward = await loadEvents({ kind: 'rows', rows: flatRows().reverse() });
			assert.ok(sameTable(forward.table, backward.table));
			assert.equal(JSON.stringify(forward.summary), JSON.stringify(backward.summary));
		});

		it('counts number attributes by their distinct values', async () => {
			const rows = flatRows().map((row, i) => ({ ...row, quantity: i % 3 }));
			const { summary } = await loadEvents({ kind: 'rows', rows }, { attributes: { quantity: { path: 'quantity', kind: 'number' } } });
			assert.deepEqual(summary.attributes, [{ name: 'quantity', kind: 'number', distinctValues: 3, eventsWithValue: 7 }]);
		});
	});

	describe('formats and sources', () => {
		it('detects the format from the extension first and the content second', async () => {
			const ndjson = flatRows()
				.map((row) => JSON.stringify(row))
				.join('\n');
			assert.equal((await loadText(dir, 'lines.json', ndjson)).report.format, 'ndjson');
			assert.equal((await loadText(dir, 'array.txt', JSON.stringify(flatRows()))).report.format, 'json');
			assert.equal((await loadText(dir, 'noext', JSON.stringify(flatRows()))).report.format, 'json');
			assert.equal((await loadText(dir, 'noext2', toCsv(fixture))).report.format, 'csv');
			assert.equal((await loadEvents({ kind: 'buffer', data: Buffer.from(ndjson) })).report.format, 'ndjson');
			assert.equal((await loadEvents({ kind: 'buffer', data: Buffer.from(ndjson), format: 'ndjson' })).summary.events, 7);
		});

		it('explains that one pretty-printed JSON object is neither an array nor NDJSON', async () => {
			await assert.rejects(loadText(dir, 'object.json', JSON.stringify({ events: flatRows() }, null, 2)), /one pretty-printed JSON object/);
		});

		it('reads a tab-separated file and a semicolon-separated one', async () => {
			const tsv = toCsv(fixture.filter((row) => !/[\n"]/.test(row.campaign))).replace(/,/g, '\t');
			const semicolons = toCsv(fixture.filter((row) => !/[\n",]/.test(row.campaign))).replace(/,/g, ';');
			assert.equal((await loadText(dir, 'events.tsv', tsv)).summary.events, 4);
			assert.equal((await loadText(dir, 'events-semicolons.csv', semicolons)).summary.events, 4);
		});

		it('reads XDM exported as CSV with dotted column names', async () => {
			const csv = [
				'identityMap.ECID.0.id,timestamp,eventType,commerce.order.purchaseID,commerce.order.priceTotal,marketing.campaignName',
				'e1,2024-01-01T00:00:00Z,web.webpagedetails.pageViews,,,spring',
				'e1,2024-01-02T00:00:00Z,web.webpagedetails.pageViews,o-1,10.5,',
			].join('\n');
			const { table, report } = await loadText(dir, 'xdm-flat.csv', csv);
			assert.equal(report.mapping?.preset, 'xdm');
			assert.deepEqual(coreEventsOf(table), [
				{ id: 'e1', time: '2024-01-01T00:00:00.000Z', type: 'web.webpagedetails.pageViews', value: null },
				{ id: 'e1', time: '2024-01-02T00:00:00.000Z', type: 'commerce.purchases', value: 10.5 },
			]);
		});

		it('says when the file does not exist, and refuses unknown options and sources', async () => {
			await assert.rejects(
				loadEvents({ kind: 'file', path: path.join(dir, 'nope.csv') }),
				(error: unknown) => error instanceof InputError && /does not exist/.test(error.message),
			);
			await assert.rejects(
				loadEvents({ kind: 'rows', rows: [] }, { badrows: 'skip' } as LoadOptions),
				(error: unknown) => error instanceof InputError && /badrows/.test(error.message),
			);
			await assert.rejects(loadEvents({ kind: 'rows', rows: 5 as unknown as unknown[] }), /must be a list/);
			await assert.rejects(loadEvents({ kind: 'ftp' } as never), /not an events source/);
		});

		it('loads an empty CSV (header only) and no rows as an empty table', async () => {
			for (const load of [await loadText(dir, 'empty.csv', 'customer_id,timestamp,event_type\n'), await loadEvents({ kind: 'rows', rows: [] })]) {
				assert.equal(load.table.length, 0);
				assert.equal(load.summary.firstEvent, null);
				assert.equal(load.summary.bytesPerEvent, 0);
			}
		});
	});

	describe('long loads', () => {
		it('reports progress in events and stops when cancelled', async () => {
			const rows = Array.from({ length: 50000 }, (_, i) => ({ customer_id: `c${i % 100}`, timestamp: 1700000000 + i, event_type: 'x' }));
			const seen: number[] = [];
			await loadEvents({ kind: 'rows', rows }, {}, { onProgress: (progress) => seen.push(progress.done) });
			assert.equal(seen[seen.length - 1], 50000);
			const controller = new AbortController();
			const load = loadEvents({ kind: 'rows', rows }, {}, { signal: controller.signal, onProgress: () => controller.abort() });
			await assert.rejects(load, CancelledError);
		});
	});
});
