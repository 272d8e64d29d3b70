/**
 * What travels between Propensity nodes as n8n binary data: the event table (encoded by the
 * core, `events.petb`), the model JSON (`model.json`), the HTML report and score files. Large
 * things go as binary data so a flow never holds one item per event.
 */
import type { IBinaryData, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { decodeEventTable, encodeEventTable, type EventTable, InputError, type Model, parseModel } from '../../../core';

export const eventsMimeType = 'application/vnd.propensity.events';
export const eventsFileName = 'events.petb';

/** The binary data of an event table, ready to put on an item. */
export async function eventsBinary(ctx: IExecuteFunctions, table: EventTable): Promise<IBinaryData> {
	const bytes = encodeEventTable(table);
	return ctx.helpers.prepareBinaryData(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), eventsFileName, eventsMimeType);
}

/** The bytes of an item's binary property, or an InputError naming the property and the node to connect. */
export async function binaryBytes(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
	property: string,
	what: string,
	from: string,
): Promise<Buffer> {
	const name = property.trim();
	if (!item.binary?.[name]) {
		const present = Object.keys(item.binary ?? {});
		const has = present.length ? `it has ${present.map((key) => `"${key}"`).join(', ')}` : 'it has no binary data';
		throw new InputError(
			`Item ${itemIndex + 1} has no binary field "${name}" holding ${what} (${has}). Connect ${from} before this node, or set the binary field's name.`,
			'missing-binary',
		);
	}
	return ctx.helpers.getBinaryDataBuffer(itemIndex, name);
}

/** The event table in an item's binary property (written by Load Events). */
export async function eventsOfItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, property: string): Promise<EventTable> {
	const bytes = await binaryBytes(ctx, item, itemIndex, property, 'the events', 'Load Events');
	return decodeEventTable(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
}

/** The model JSON in an item's binary property (written by Train Model), validated. */
export async function modelOfItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number, property: string): Promise<Model> {
	const bytes = await binaryBytes(ctx, item, itemIndex, property, 'a model', 'Train Model (or Read Files From Disk with a model.json)');
	return parseModel(bytes.toString('utf8'));
}

/** Binary data of text (the model JSON, the HTML report, a score file). */
export async function textBinary(ctx: IExecuteFunctions, text: string | Buffer, fileName: string, mimeType: string): Promise<IBinaryData> {
	return ctx.helpers.prepareBinaryData(typeof text === 'string' ? Buffer.from(text, 'utf8') : text, fileName, mimeType);
}

export const runReportFileName = 'scoring-run.html';

/**
 * Puts the HTML report of a scoring run (core's `scoringReport`) into a binary field of the first
 * item: the items stay one per profile, and the report travels beside them, e.g. to an email.
 */
export async function attachRunReport(ctx: IExecuteFunctions, items: INodeExecutionData[], property: string, html: string): Promise<void> {
	const first = items[0];
	if (!first) return;
	const binary = await ctx.helpers.prepareBinaryData(Buffer.from(html, 'utf8'), runReportFileName, 'text/html');
	first.binary = { ...(first.binary ?? {}), [property]: binary };
}
