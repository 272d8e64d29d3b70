/**
 * A table of events worked on in place (PostgreSQL or ClickHouse): the connection from the
 * node's own credential, joined with the reference Load Events put on the item (engine,
 * database, table, mapping; never a password). Shared by Load Events, Define Goal and Train Model.
 */
import type { IExecuteFunctions, INodeCredentialDescription, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import {
	defaultScoresTable,
	InputError,
	isWarehouseReference,
	parseWarehouseReference,
	sourceOfReference,
	type MappingOptions,
	type WarehouseConnection,
	type WarehouseReference,
	type WarehouseSource,
} from '../../../core';
import { clickHouseCredentialName, clickHouseCredentialOf, clickHouseTestName } from './clickhouse';
import { postgresConnectionOf, postgresCredentialName, postgresTestName } from './postgres';

export type WarehouseEngine = 'postgres' | 'clickhouse';

/** The connection of the node's credential for the engine (PostgreSQL or ClickHouse). */
export async function warehouseConnectionOf(ctx: IExecuteFunctions, engine: WarehouseEngine, itemIndex: number): Promise<WarehouseConnection> {
	if (engine === 'clickhouse') return clickHouseCredentialOf(ctx, itemIndex);
	// Outside a catch block: the n8n lint wants node errors there, and this is the user's input.
	const pg = await postgresConnectionOf(ctx, itemIndex).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
	if (pg instanceof Error)
		throw new InputError(
			`The PostgreSQL table is read with the node's Propensity PostgreSQL credential, which is not set (${pg.message}). Pick one; in Train Model it is the store's credential: turn on Save to Store and set Store to PostgreSQL.`,
			'no-connection',
		);
	return {
		host: String(pg.host ?? ''),
		port: Number(pg.port ?? 5432),
		user: String(pg.user ?? ''),
		password: String(pg.password ?? ''),
		database: String(pg.database ?? ''),
	};
}

/** The "Events In" choice of Define Goal and Train Model: an event table, or a table in place. */
export const eventsInProperty: INodeProperties = {
	displayName: 'Events In',
	name: 'eventsIn',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Event Table (Binary Field)', value: 'table', description: 'The events Load Events loaded into a binary field' },
		{
			name: 'PostgreSQL Table (In Place)',
			value: 'postgres',
			description: 'The table Load Events refers to (source "PostgreSQL Table (In Place)"): the work runs in PostgreSQL',
		},
		{
			name: 'ClickHouse Table (In Place)',
			value: 'clickhouse',
			description: 'The table Load Events refers to (source "ClickHouse Table (In Place)"): the work runs in ClickHouse',
		},
	],
	default: 'table',
	description: "Where the item's events are",
};

/**
 * The node's properties with Events In (shown when `show` holds) and any further warehouse
 * fields right after the property named `after`: where the events are is the first thing a
 * user chooses, so it sits at the top of the panel, not below Options.
 */
export function withEventsIn(
	properties: readonly INodeProperties[],
	after: string | undefined,
	show: Record<string, string[]>,
	...more: INodeProperties[]
): INodeProperties[] {
	const at = after === undefined ? 0 : properties.findIndex((property) => property.name === after) + 1;
	if (after !== undefined && at === 0) throw new Error(`No property "${after}" to put Events In after`);
	const eventsIn: INodeProperties = Object.keys(show).length > 0 ? { ...eventsInProperty, displayOptions: { show } } : eventsInProperty;
	return [...properties.slice(0, at), eventsIn, ...more, ...properties.slice(at)];
}

/**
 * The "Scores Table" setting of Score Profiles, Build Segment and Explain Factors: the same
 * name, default and placeholder on each, so a workflow names the table once the same way;
 * `description` says what the table is to the node, `show` when the setting shows.
 */
export function scoresTableProperty(description: string, show: Record<string, string[]>): INodeProperties {
	return {
		displayName: 'Scores Table',
		name: 'scoresTable',
		type: 'string',
		default: defaultScoresTable,
		required: true,
		placeholder: 'e.g. analytics.propensity_scores',
		description,
		displayOptions: { show },
	};
}

/** The Scores Table setting (scoresTableProperty) for an item, the default when left empty. */
export function scoresTableOf(ctx: IExecuteFunctions, itemIndex: number): string {
	return String(ctx.getNodeParameter('scoresTable', itemIndex, defaultScoresTable) ?? '').trim() || defaultScoresTable;
}

/** The ClickHouse credential entry, shown when `show` holds. */
export function clickHouseCredential(show: Record<string, string[]>): INodeCredentialDescription {
	return { name: clickHouseCredentialName, required: true, testedBy: clickHouseTestName, displayOptions: { show } };
}

/** The PostgreSQL credential entry for reading a table in place, shown when `show` holds. */
export function postgresTableCredential(show: Record<string, string[]>): INodeCredentialDescription {
	return { name: postgresCredentialName, required: true, testedBy: postgresTestName, displayOptions: { show } };
}

/** The table the item refers to, joined with the node's credential; undefined when the events are a binary table. */
export async function warehouseOfItem(
	ctx: IExecuteFunctions,
	item: INodeExecutionData,
	itemIndex: number,
): Promise<{ source: WarehouseSource; mapping: MappingOptions; where: string } | undefined> {
	const eventsIn = ctx.getNodeParameter('eventsIn', itemIndex, 'table') as 'table' | WarehouseEngine;
	const given = item.json.warehouse;
	if (eventsIn === 'table') {
		if (isWarehouseReference(given))
			throw new InputError(
				`Item ${itemIndex + 1} refers to a warehouse table (${String((given as { source?: unknown }).source ?? '')}), not to loaded events: set Events In to the table's engine and pick its credential.`,
				'warehouse-events-in',
			);
		return undefined;
	}
	if (given === undefined)
		throw new InputError(
			`Item ${itemIndex + 1} has no warehouse field: put Load Events with the source "${eventsIn === 'postgres' ? 'PostgreSQL' : 'ClickHouse'} Table (In Place)" before this node, or set Events In to Event Table.`,
			'no-warehouse-reference',
		);
	const reference = parseWarehouseReference(given, `The warehouse field of item ${itemIndex + 1}`);
	if (reference.engine !== eventsIn)
		throw new InputError(
			`Item ${itemIndex + 1} refers to a ${reference.engine} table (${reference.source}), but Events In is ${eventsIn}: choose the same engine.`,
			'warehouse-engine-mismatch',
		);
	const connection = await warehouseConnectionOf(ctx, reference.engine, itemIndex);
	return { source: sourceOfReference(reference, connection), mapping: reference.mapping, where: reference.source };
}

/**
 * The table in place the first input item with a warehouse field refers to (Score Profiles'
 * summary and Build Segment's members keep it), with the node's credential for `engine`.
 * `chosenBy` names the node's setting that picked the engine, for the messages.
 */
export async function warehouseOfItems(
	ctx: IExecuteFunctions,
	items: readonly INodeExecutionData[],
	engine: WarehouseEngine,
	chosenBy: { setting: string; before: string; instead: string },
): Promise<{ source: WarehouseSource; reference: WarehouseReference; itemIndex: number }> {
	const label = engine === 'postgres' ? 'PostgreSQL' : 'ClickHouse';
	const index = items.findIndex((item) => item.json.warehouse !== undefined && item.json.warehouse !== null);
	if (index < 0)
		throw new InputError(
			`No input item has a warehouse field: put Load Events (source "${label} Table (In Place)") and ${chosenBy.before} before this node, or set ${chosenBy.setting} to ${chosenBy.instead}.`,
			'no-warehouse-reference',
		);
	const reference = parseWarehouseReference(items[index].json.warehouse, `The warehouse field of item ${index + 1}`);
	if (reference.engine !== engine)
		throw new InputError(
			`Item ${index + 1} refers to a ${reference.engine} table (${reference.source}), but ${chosenBy.setting} is ${label}: choose the same engine.`,
			'warehouse-engine-mismatch',
		);
	return { source: sourceOfReference(reference, await warehouseConnectionOf(ctx, engine, index)), reference, itemIndex: index };
}
