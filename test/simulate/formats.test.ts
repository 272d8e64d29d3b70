import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { CancelledError, InputError } from '../../core/errors';
import { flatColumns, type SimulatedEvent, simulatedEventTypes, simulateShop, writeSimulation, xdmChannelTypes, xdmEventTypes } from '../../core/simulate';
import { outputPath } from './support';

const options = { profiles: 150, seed: 11 };

/** The fields every format carries, as one comparable line per event. */
function key(event: {
	id: string;
	time: number;
	type: string;
	value?: number;
	channel?: string;
	campaign?: string;
	category?: string;
	device?: string;
	email?: string;
	country?: string;
}): string {
	return [
		event.id,
		event.time,
		event.type,
		event.value ?? '',
		event.channel ?? '',
		event.campaign ?? '',
		event.category ?? '',
		event.device ?? '',
		event.email ?? '',
		event.country ?? '',
	].join('|');
}

function simulatedKeys(): string[] {
	return [...simulateShop(options)].map((event) =>
		key({
			id: event.profileId,
			time: event.time,
			type: event.type,
			value: event.value,
			channel: event.channel,
			campaign: event.campaign,
			category: event.productCategory,
			device: event.device,
			email: event.email,
			country: event.country,
		}),
	);
}

const typeOfXdm = new Map(Object.entries(xdmEventTypes).map(([flat, xdm]) => [xdm, flat]));
const channelOfXdm = new Map(Object.entries(xdmChannelTypes).map(([flat, xdm]) => [xdm, flat]));

describe('simulate: file formats', () => {
	let expected: string[];
	before(() => {
		expected = simulatedKeys();
	});

	it('CSV parses with csv-parse, has the documented header and carries every simulated event', async () => {
		const out = outputPath('formats.csv');
		const summary = await writeSimulation({ ...options, format: 'csv', out });
		const text = readFileSync(out, 'utf8');
		assert.equal(text.split('\n')[0], flatColumns.join(','));
		const rows: Record<string, string>[] = parse(text, { columns: true });
		assert.equal(rows.length, summary.events);
		const keys = rows.map((row) =>
			key({
				id: row.customer_id,
				time: Date.parse(row.timestamp),
				type: row.event_type,
				value: row.value === '' ? undefined : Number(row.value),
				channel: row.channel || undefined,
				campaign: row.campaign || undefined,
				category: row.product_category || undefined,
				device: row.device || undefined,
				email: row.email,
				country: row.country,
			}),
		);
		assert.deepEqual(keys, expected);
		assert.match(rows[0].timestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
		const visit = rows.find((row) => row.event_type === 'visit' && row.campaign === '');
		assert.ok(visit, 'some visits carry no campaign: an empty cell');
		assert.equal(visit.value, '');
	});

	it("NDJSON has one JSON object a line with the CSV's field names and the same events", async () => {
		const out = outputPath('formats.ndjson');
		const summary = await writeSimulation({ ...options, format: 'ndjson', out });
		const lines = readFileSync(out, 'utf8').split('\n');
		assert.equal(lines.pop(), '', 'the file ends with a line break');
		assert.equal(lines.length, summary.events);
		const records = lines.map((line) => JSON.parse(line) as Record<string, string | number>);
		for (const record of records)
			for (const field of Object.keys(record)) assert.ok((flatColumns as readonly string[]).includes(field), `unexpected field ${field}`);
		const keys = records.map((record) =>
			key({
				id: String(record.customer_id),
				time: Date.parse(String(record.timestamp)),
				type: String(record.event_type),
				value: record.value as number | undefined,
				channel: record.channel as string | undefined,
				campaign: record.campaign as string | undefined,
				category: record.product_category as string | undefined,
				device: record.device as string | undefined,
				email: record.email as string,
				country: record.country as string,
			}),
		);
		assert.deepEqual(keys, expected);
	});

	it('XDM JSON is one array of ExperienceEvents carrying the same events, with identities, orders and products', async () => {
		const out = outputPath('formats.xdm.json');
		const summary = await writeSimulation({ ...options, format: 'xdm', out });
		const events = JSON.parse(readFileSync(out, 'utf8')) as XdmEvent[];
		assert.equal(events.length, summary.events);
		assert.equal(new Set(events.map((event) => event._id)).size, events.length, 'event ids are unique');
		const keys = events.map((event) =>
			key({
				id: event.identityMap.ECID[0].id,
				time: Date.parse(event.timestamp),
				type: typeOfXdm.get(event.eventType) ?? `unknown ${event.eventType}`,
				value: event.commerce?.order?.priceTotal,
				channel: event.channel ? channelOfXdm.get(event.channel._type) : undefined,
				campaign: event.marketing?.campaignName,
				category: event.productListItems?.[0].productCategories[0].categoryID,
				device: event.device?.type,
				email: event.identityMap.Email[0].id,
				country: event.placeContext.geo.countryCode,
			}),
		);
		assert.deepEqual(keys, expected);
		const purchases = events.filter((event) => event.eventType === 'commerce.purchases');
		assert.ok(purchases.length > 0);
		for (const purchase of purchases) {
			assert.match(purchase.commerce?.order?.purchaseID ?? '', /^cust-\d{7}-order-\d+$/);
			assert.equal(purchase.productListItems?.[0].priceTotal, purchase.commerce?.order?.priceTotal);
			assert.match(purchase.productListItems?.[0].SKU ?? '', /^[A-Z]{2}-\d{3}$/);
		}
		assert.equal(new Set(purchases.map((purchase) => purchase.commerce?.order?.purchaseID)).size, purchases.length, 'order ids are unique');
		const pageView = events.find((event) => event.eventType === 'web.webpagedetails.pageViews');
		assert.equal(pageView?.web?.webPageDetails?.pageViews?.value, 1);
		assert.equal(events[0].identityMap.ECID[0].primary, true);
	});

	it('gzip output unzips to exactly the uncompressed file', async () => {
		for (const format of ['csv', 'xdm'] as const) {
			const plain = outputPath(`zip.${format}`);
			const zipped = outputPath(`zip.${format}.gz`);
			await writeSimulation({ ...options, format, out: plain });
			const summary = await writeSimulation({ ...options, format, out: zipped, gzip: true });
			const compressed = readFileSync(zipped);
			assert.equal(summary.bytes, compressed.length);
			assert.ok(compressed.length < readFileSync(plain).length / 4, 'gzip shrinks the file');
			assert.deepEqual(gunzipSync(compressed), readFileSync(plain));
		}
	});

	it('every flat event type has a distinct XDM eventType', () => {
		assert.deepEqual(Object.keys(xdmEventTypes).sort(), [...simulatedEventTypes].sort());
		assert.equal(new Set(Object.values(xdmEventTypes)).size, simulatedEventTypes.length);
		assert.equal(xdmEventTypes.purchase, 'commerce.purchases');
		assert.equal(xdmEventTypes.page_view, 'web.webpagedetails.pageViews');
	});

	it('files are ordered by customer, then time, all within the history', () => {
		const end = Date.parse('2026-06-30T00:00:00Z');
		const start = end - 365 * 86_400_000;
		let previous: SimulatedEvent | undefined;
		const seen = new Set<string>();
		for (const event of simulateShop(options)) {
			assert.ok(event.time >= start && event.time < end, `event at ${new Date(event.time).toISOString()} is outside the history`);
			if (previous && previous.profileId === event.profileId) {
				assert.ok(previous.time <= event.time, `${event.profileId}: events out of time order`);
			} else {
				assert.ok(!seen.has(event.profileId), `${event.profileId} appears in two places`);
				assert.ok(!previous || previous.profileId < event.profileId, 'customers come in id order');
				seen.add(event.profileId);
			}
			previous = event;
		}
	});

	it('bad options are refused with the option named and nothing written', async () => {
		const out = outputPath('refused.csv');
		rmSync(out, { force: true });
		const cases: [Record<string, unknown>, RegExp][] = [
			[{ profiles: 0, seed: 1, format: 'csv' }, /profiles must be at least 1 \(got 0\)/],
			[{ profiles: 1.5, seed: 1, format: 'csv' }, /profiles must be a whole number/],
			[{ profiles: 10, seed: -1, format: 'csv' }, /seed must be 0 or more/],
			[{ profiles: 10, seed: 1, format: 'csv', historyDays: 0 }, /historyDays must be at least 1/],
			[{ profiles: 10, seed: 1, format: 'csv', end: '2026-06-30T00:00:00' }, /end must be an ISO date .* with a zone/],
			[{ profiles: 10, seed: 1, format: 'csv', end: '2026-02-30' }, /end is not a real date/],
			[{ profiles: 10, seed: 1, format: 'xml' }, /format must be one of csv, ndjson, xdm/],
		];
		for (const [bad, message] of cases) {
			await assert.rejects(writeSimulation({ out, ...bad } as never), (error: unknown) => error instanceof InputError && message.test(error.message));
			assert.equal(existsSync(out), false);
		}
	});

	it('a cancelled run stops with CancelledError and leaves no partial file', async () => {
		const out = outputPath('cancelled.csv');
		const controller = new AbortController();
		let reports = 0;
		const run = writeSimulation(
			{ profiles: 20_000, seed: 1, format: 'csv', out },
			{
				signal: controller.signal,
				onProgress: () => {
					reports++;
					controller.abort();
				},
			},
		);
		await assert.rejects(run, CancelledError);
		assert.equal(reports, 1, 'the run stopped at the first check after the abort');
		assert.equal(existsSync(out), false);
	});
});

interface XdmEvent {
	_id: string;
	timestamp: string;
	eventType: string;
	identityMap: { ECID: { id: string; primary: boolean }[]; Email: { id: string }[] };
	channel?: { _type: string };
	marketing?: { campaignName: string };
	commerce?: { order?: { purchaseID: string; priceTotal: number } };
	productListItems?: { SKU: string; priceTotal?: number; productCategories: { categoryID: string }[] }[];
	web?: { webPageDetails?: { pageViews?: { value: number } } };
	device?: { type: string };
	placeContext: { geo: { countryCode: string } };
}
