/**
 * Table mode of Train Model and Score Profiles: a profile table (one row per profile, numeric
 * feature columns, a 0/1 label to train on) as a CSV file in the item's binary data, e.g. from
 * Read Files From Disk or an HTTP Request, or as the input items themselves (each item's JSON a
 * row, e.g. from a database node). The core reads, splits, trains and scores it, as
 * `propensity train --table` / `score --table` do.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { TableSource } from '../../../core';
import { binaryBytes } from './binary';

/** The parameter that switches a node between events and a profile table. */
export function tableModeProperty(name: string, displayName: string, verb: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		options: [
			{ name: 'Events', value: 'events', description: `${verb} the events from Load Events` },
			{
				name: 'Profile Table',
				value: 'table',
				description: `${verb} a CSV file in the item's binary data: one row per profile, numeric feature columns`,
			},
			{
				name: 'Profile Table From Items',
				value: 'items',
				description: `${verb} the input items as one table: each item's JSON is a profile's row, numeric feature fields`,
			},
		],
		default: 'events',
	};
}

/** The binary field holding the table, shown in table mode. */
export function tableBinaryProperty(show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Table Binary Field',
		name: 'tableBinaryPropertyName',
		type: 'string',
		default: 'data',
		description: 'The input binary field holding the CSV profile table (comma, semicolon, tab or pipe; gzip detected); empty, NA or null = missing',
		displayOptions: { show },
	};
}

/** The id column parameter, shown in table mode. */
export function tableIdProperty(show: Record<string, string[]>, description: string): INodeProperties {
	return { displayName: 'ID Column', name: 'idColumn', type: 'string', default: '', placeholder: 'e.g. customer_id', description, displayOptions: { show } };
}

/** The item's table as the core reads it: the bytes, named by the file name n8n keeps for them. */
export async function tableOfItem(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<TableSource & { readonly name: string }> {
	const property = (ctx.getNodeParameter('tableBinaryPropertyName', itemIndex, 'data') as string).trim() || 'data';
	const bytes = await binaryBytes(ctx, item, itemIndex, property, 'a profile table (CSV)', 'Read Files From Disk (or an HTTP Request) with the CSV file');
	const name = item.binary?.[property]?.fileName || `${property}.csv`;
	return { data: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), name };
}

/** The input items as one profile table: each item's JSON is a row. */
export function tableOfItems(items: readonly INodeExecutionData[]): TableSource & { readonly name: string } {
	return { rows: items.map((item) => item.json), name: 'the input items' };
}

/** Whether the node reads its table from the input items (one run for all of them, not one per item). */
export function readsTableFromItems(ctx: IExecuteFunctions, parameter: 'trainOn' | 'scoreFrom'): boolean {
	return ctx.getInputData().length > 0 && ctx.getNodeParameter(parameter, 0, 'events') === 'items';
}

/** A comma-separated list parameter as names. */
export function columnList(text: unknown): string[] {
	return String(text ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
}
