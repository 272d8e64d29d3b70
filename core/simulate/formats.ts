/**
 * How simulated events are written: flat CSV, flat NDJSON with the same fields, and XDM
 * ExperienceEvent JSON (one array). Each format is a header, a line per event and a footer,
 * so a writer can stream any of them.
 */
import type { SimulatedEvent } from './customer';
import { isoTime } from './time';
import { toXdm, type XdmCounters } from './xdm';
import { csvCell } from '../util/csv';

export const simulationFormats = ['csv', 'ndjson', 'xdm'] as const;
export type SimulationFormat = (typeof simulationFormats)[number];

/** The flat columns, in CSV order. */
export const flatColumns = [
	'customer_id',
	'timestamp',
	'event_type',
	'value',
	'channel',
	'campaign',
	'product_category',
	'device',
	'email',
	'country',
] as const;

export interface EventFormatter {
	readonly header: string;
	/** The text of one event, line break included. */
	line(event: SimulatedEvent): string;
	readonly footer: string;
}

/** A fresh formatter (XDM numbers events per profile, so it keeps a little state). */
export function formatterFor(format: SimulationFormat): EventFormatter {
	if (format === 'csv') return { header: `${flatColumns.join(',')}\n`, line: csvLine, footer: '' };
	if (format === 'ndjson') return { header: '', line: (event) => `${JSON.stringify(flatRecord(event))}\n`, footer: '' };
	const counters: XdmCounters = { profileId: '', events: 0, orders: 0 };
	let first = true;
	return {
		header: '[\n',
		line: (event) => {
			const text = `${first ? '' : ',\n'}${JSON.stringify(toXdm(event, counters))}`;
			first = false;
			return text;
		},
		// An empty array is `[\n]\n`; otherwise the last event's line is closed here.
		get footer() {
			return first ? ']\n' : '\n]\n';
		},
	};
}

/** The flat record of an event: the CSV's columns, absent values left out. */
export function flatRecord(event: SimulatedEvent): Record<string, string | number> {
	const record: Record<string, string | number> = { customer_id: event.profileId, timestamp: isoTime(event.time), event_type: event.type };
	if (event.value !== undefined) record.value = event.value;
	if (event.channel !== undefined) record.channel = event.channel;
	if (event.campaign !== undefined) record.campaign = event.campaign;
	if (event.productCategory !== undefined) record.product_category = event.productCategory;
	if (event.device !== undefined) record.device = event.device;
	record.email = event.email;
	record.country = event.country;
	return record;
}

function csvLine(event: SimulatedEvent): string {
	return `${csvCell(event.profileId)},${isoTime(event.time)},${event.type},${event.value ?? ''},${csvCell(event.channel)},${csvCell(event.campaign)},${csvCell(event.productCategory)},${csvCell(event.device)},${csvCell(event.email)},${csvCell(event.country)}\n`;
}
