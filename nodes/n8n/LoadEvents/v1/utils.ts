/**
 * Load Events plumbing: the item's parameters as the core's events source and load options,
 * and the one output item (summary and report as JSON, the event table as binary data).
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, IPairedItemData } from 'n8n-workflow';
import {
	type BadRowReason,
	badRowReasons,
	type EventSource,
	InputError,
	loadEvents,
	type LoadOptions,
	loadOptionsFromForm,
	type LoadResult,
	type MappingOptions,
	describeWarehouseTable,
	warehouseTableSource,
	withThousands,
} from '../../../../core';
import { binaryBytes, eventsBinary } from '../../shared/binary';
import { allowedPath } from '../../shared/files';
import { workHooksOf } from '../../shared/hooks';
import { postgresConnectionOf } from '../../shared/postgres';
import { warehouseConnectionOf, type WarehouseEngine } from '../../shared/warehouse';

interface LoadParameters {
	fieldPaths: { profileId?: string; time?: string; type?: string; value?: string; noValue?: boolean; namespace?: string };
	attributes: { name?: string; path?: string; kind?: 'category' | 'number' }[];
	options: {
		badRows?: 'fail' | 'skip';
		dropDuplicates?: boolean;
		maxExamples?: number;
		encoding?: string;
		timeZone?: string;
		timeUnit?: 'auto' | 'seconds' | 'milliseconds';
		batchSize?: number;
		queryParameters?: string | unknown[];
		outputBinaryPropertyName?: string;
	};
}

/** The events source an item's parameters describe (file, binary property or query). */
export async function sourceOf(ctx: IExecuteFunctions, item: INodeExecutionData, itemIndex: number): Promise<EventSource> {
	const source = ctx.getNodeParameter('source', itemIndex) as string;
	if (source === 'file') {
		const given = String(ctx.getNodeParameter('filePath', itemIndex, '') ?? '').trim();
		if (given === '')
			throw new InputError('The file path is empty: give the path of an events file on the n8n server, e.g. /data/events.csv.', 'file-not-found');
		return { kind: 'file', path: await allowedPath(ctx, given, 'the events file'), format: formatOf(ctx, itemIndex) };
	}
	if (source === 'binary') {
		const property = (ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data') as string).trim();
		const data = await binaryBytes(ctx, item, itemIndex, property, 'the events file', 'Read Files From Disk (or HTTP Request)');
		return { kind: 'buffer', data, fileName: item.binary?.[property]?.fileName, format: formatOf(ctx, itemIndex) };
	}
	if (source === 'postgres') {
		const query = String(ctx.getNodeParameter('query', itemIndex, '') ?? '').trim();
		if (query === '') throw new InputError('The query is empty: write a SELECT that returns one row per event.', 'bad-source');
		const options = ctx.getNodeParameter('options', itemIndex, {}) as LoadParameters['options'];
		return {
			kind: 'postgres',
			connection: await postgresConnectionOf(ctx, itemIndex),
			query,
			params: queryParametersOf(options.queryParameters),
			...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
		};
	}
	throw new InputError(`"${source}" is not an events source: choose Binary File, File Path, Incoming Items or PostgreSQL Query.`, 'bad-source');
}

function formatOf(ctx: IExecuteFunctions, itemIndex: number): 'auto' | 'csv' | 'ndjson' | 'json' {
	return ctx.getNodeParameter('format', itemIndex, 'auto') as 'auto' | 'csv' | 'ndjson' | 'json';
}

/** Query parameters given as a list (an expression) or as comma-separated text. */
function queryParametersOf(value: string | unknown[] | undefined): unknown[] | undefined {
	if (Array.isArray(value)) return value;
	if (value === undefined || String(value).trim() === '') return undefined;
	return String(value)
		.split(',')
		.map((part) => part.trim());
}

/** The core's load options from the item's mapping parameters; blanks leave the preset's choice. */
function loadOptionsOf(ctx: IExecuteFunctions, itemIndex: number): LoadOptions {
	const fields = ctx.getNodeParameter('fieldPaths', itemIndex, {}) as LoadParameters['fieldPaths'];
	const options = ctx.getNodeParameter('options', itemIndex, {}) as LoadParameters['options'];
	return loadOptionsFromForm({
		preset: ctx.getNodeParameter('preset', itemIndex, 'auto') as string,
		id: fields.profileId,
		time: fields.time,
		type: fields.type,
		value: fields.noValue ? null : fields.value,
		attributes: ctx.getNodeParameter('attributes.attribute', itemIndex, []) as LoadParameters['attributes'],
		namespace: fields.namespace,
		timeZone: options.timeZone,
		timeUnit: options.timeUnit,
		badRows: options.badRows,
		dropDuplicates: options.dropDuplicates,
		maxExamples: options.maxExamples,
		encoding: options.encoding,
	});
}

/** Loads one source and shapes the single output item: the summary and report as JSON, the table as binary. */
export async function loadOne(
	ctx: IExecuteFunctions,
	itemIndex: number,
	source: EventSource,
	pairedItem: IPairedItemData | IPairedItemData[],
): Promise<INodeExecutionData> {
	const hooks = workHooksOf(ctx);
	const result: LoadResult = await loadEvents(source, loadOptionsOf(ctx, itemIndex), hooks);
	const options = ctx.getNodeParameter('options', itemIndex, {}) as LoadParameters['options'];
	const property = options.outputBinaryPropertyName?.trim() || 'events';
	ctx.logger.info(
		`${ctx.getNode().name}: loaded ${withThousands(result.summary.events)} events of ${withThousands(result.summary.profiles)} profiles from ${result.report.source}`,
	);
	addLoadHints(ctx, result);
	return {
		json: { summary: result.summary, report: result.report } as unknown as IDataObject,
		binary: { [property]: await eventsBinary(ctx, result.table) },
		pairedItem,
	};
}

/** Hints in the output pane when the load looks wrong: nothing loaded, or rows left out. */
function addLoadHints(ctx: IExecuteFunctions, result: LoadResult): void {
	if (result.summary.events === 0) {
		ctx.addExecutionHints({
			message: `No events were loaded from ${result.report.source} (${withThousands(result.report.rowsRead)} rows read). Check the source and the field paths.`,
			location: 'outputPane',
		});
	}
	const rejected = result.report.rejected;
	if (rejected.total > 0) {
		const reasons = (Object.entries(rejected.byReason) as [BadRowReason, number][])
			.map(([reason, count]) => `${withThousands(count)} because ${badRowReasons[reason]}`)
			.join('; ');
		const first = rejected.examples[0];
		ctx.addExecutionHints({
			message: `${withThousands(rejected.total)} of ${withThousands(result.report.rowsRead)} rows could not be read and were left out (${reasons}).${first ? ` First: row ${first.row}: ${first.message}` : ''} See report.rejected.`,
			location: 'outputPane',
		});
	}
}

/** The table's columns as mapped in the node: blanks keep the flat names (customer_id, timestamp, event_type, value). */
function tableMappingOf(ctx: IExecuteFunctions, itemIndex: number): MappingOptions {
	const fields = ctx.getNodeParameter('fieldPaths', itemIndex, {}) as LoadParameters['fieldPaths'];
	const rows = ctx.getNodeParameter('attributes.attribute', itemIndex, []) as LoadParameters['attributes'];
	const given = (text: string | undefined) => (text && text.trim() !== '' ? text.trim() : undefined);
	const attributes = Object.fromEntries(
		rows.map((row, i) => {
			const name = given(row.name);
			const path = given(row.path);
			if (!name || !path) throw new InputError(`Attribute ${i + 1} needs both a name and a column.`, 'bad-mapping');
			return [name, { path, kind: row.kind ?? 'category' }];
		}),
	);
	return {
		...(given(fields.profileId) ? { id: given(fields.profileId) } : {}),
		...(given(fields.time) ? { time: given(fields.time) } : {}),
		...(given(fields.type) ? { type: given(fields.type) } : {}),
		...(fields.noValue ? { value: null } : given(fields.value) ? { value: given(fields.value) } : {}),
		...(rows.length > 0 ? { attributes } : {}),
	};
}

/**
 * A table worked on in place: nothing is loaded. The item carries the reference (engine,
 * database, table, mapping and the credential's name; never the password) and a summary the
 * warehouse counted.
 */
export async function describeTableInPlace(ctx: IExecuteFunctions, itemIndex: number, engine: WarehouseEngine): Promise<INodeExecutionData> {
	const table = String(ctx.getNodeParameter('table', itemIndex, '') ?? '');
	const source = warehouseTableSource(engine, await warehouseConnectionOf(ctx, engine, itemIndex), table);
	const credential = ctx.getNode().credentials?.[engine === 'postgres' ? 'propensityPostgresApi' : 'propensityClickHouseApi']?.name ?? undefined;
	const { reference, summary } = await describeWarehouseTable(source, tableMappingOf(ctx, itemIndex), credential ?? undefined);
	ctx.logger.info(
		`${ctx.getNode().name}: ${withThousands(summary.events)} events of ${withThousands(summary.profiles)} profiles counted in ${summary.source}; nothing loaded`,
	);
	if (summary.events === 0)
		ctx.addExecutionHints({ message: `The table ${summary.source} holds no events with a profile, a time and an event type.`, location: 'outputPane' });
	return { json: { warehouse: reference, summary, workRanIn: summary.source } as unknown as IDataObject, pairedItem: { item: itemIndex } };
}
