/**
 * Node "propensity-load-events": events from a file, from the message, or from PostgreSQL,
 * into the event table on msg.events, with a summary of what was read (msg.loadSummary,
 * also msg.payload) and of what could not be (msg.loadReport). Or a table in place
 * (PostgreSQL or ClickHouse): nothing is loaded; msg.warehouse refers to the table and the
 * summary is counted by SQL.
 */
import {
	describeWarehouseTable,
	type EventSource,
	InputError,
	loadEvents,
	type LoadOptions,
	loadOptionsFromForm,
	type MappingOptions,
	warehouseTableSource,
} from '../../core';
import { postgresNode, warehouseNode } from './config';
import { rememberLoad } from './goal-choices';
import type { NodeAPI, NodeDef, NodeMessage } from './red';
import { count, handleMessages, registerNode } from './run';
import { asText, describe, fromMessage, overridable, resolvePath } from './settings';

interface AttributeRow {
	readonly name?: unknown;
	readonly path?: unknown;
	readonly kind?: unknown;
}

export = function register(RED: NodeAPI): void {
	registerNode(RED, 'propensity-load-events', (node, config) => {
		handleMessages(node, async (msg, send, { hooks }) => {
			if (config.source === 'warehouse') {
				const engine = config.warehouseType === 'clickhouse' ? 'clickhouse' : 'postgres';
				const connection = warehouseNode(RED, engine === 'clickhouse' ? config.clickhouse : config.postgres, 'Load Events');
				const table = asText(fromMessage(msg, 'table') ?? config.table, 'table') ?? '';
				const source = warehouseTableSource(engine, connection.warehouseConnection(), table);
				const { reference, summary } = await describeWarehouseTable(source, tableMapping(config), connection.id);
				msg.warehouse = reference;
				delete msg.events;
				msg.loadSummary = summary;
				msg.loadReport = undefined;
				msg.workRanIn = summary.source;
				msg.payload = summary;
				send(msg);
				return { fill: 'green', shape: 'ring', text: `${count(summary.profiles)} profiles, ${count(summary.events)} events in ${engine} (in place)` };
			}
			const loaded = await loadEvents(await sourceOf(msg), loadOptions(config), hooks);
			msg.events = loaded.table;
			msg.loadSummary = loaded.summary;
			msg.loadReport = loaded.report;
			msg.payload = loaded.summary;
			// The Define Goal dialog offers this flow's fields and event types as choices.
			rememberLoad(node.z, loaded.summary, loaded.report);
			send(msg);
			const { profiles, events, rejectedRows } = loaded.summary;
			const skipped = rejectedRows > 0 ? ` · ${count(rejectedRows)} rows skipped` : '';
			return { fill: rejectedRows > 0 ? 'yellow' : 'green', shape: 'dot', text: `${count(profiles)} profiles, ${count(events)} events${skipped}` };
		});

		/** Where this message's events come from. */
		async function sourceOf(msg: NodeMessage): Promise<EventSource> {
			const format = (config.format || 'auto') as 'auto' | 'csv' | 'ndjson' | 'json';
			if (config.source === 'payload') return payloadSource(msg, format);
			if (config.source === 'postgres') {
				const query = asText(fromMessage(msg, 'query') ?? config.query, 'events query');
				if (!query) throw new InputError('Load Events has no query: write a SELECT returning one row per event (or set msg.query).', 'bad-query');
				const params = fromMessage(msg, 'params');
				if (params !== undefined && !Array.isArray(params))
					throw new InputError(`msg.params must be a list of query parameters ($1, $2…), not ${describe(params)}.`, 'bad-query');
				return {
					kind: 'postgres',
					connection: postgresNode(RED, config.postgres, 'Load Events').connection(),
					query,
					params: params as unknown[] | undefined,
				};
			}
			const file = asText(await overridable(RED, node, msg, 'filename', { value: config.path, type: config.pathType }, 'events file'), 'events file');
			if (!file) throw new InputError('Load Events has no file to read: set its File property or msg.filename.', 'no-file');
			return { kind: 'file', path: resolvePath(RED, file), format };
		}
	});
};

/** Events carried by the message: a list of event objects, or a file's contents (Buffer or text). */
function payloadSource(msg: NodeMessage, format: 'auto' | 'csv' | 'ndjson' | 'json'): EventSource {
	const payload = msg.payload;
	const fileName = typeof msg.filename === 'string' ? msg.filename : undefined;
	if (Array.isArray(payload)) return { kind: 'rows', rows: payload };
	if (Buffer.isBuffer(payload)) return { kind: 'buffer', data: payload, fileName, format };
	if (typeof payload === 'string') return { kind: 'buffer', data: Buffer.from(payload, 'utf8'), fileName, format };
	throw new InputError(
		`msg.payload must be a list of event objects, or the contents of an events file (a Buffer or text), not ${describe(payload)}. Use a File In node before Load Events to read a file, or set the source to "file".`,
		'bad-payload',
	);
}

/** The mapping and bad-row policy from the dialog; blank fields leave the preset's choice. */
function loadOptions(config: NodeDef): LoadOptions {
	const field = (value: unknown, what: string) => asText(value, what);
	const rows = (Array.isArray(config.attributes) ? config.attributes : []) as AttributeRow[];
	return loadOptionsFromForm({
		preset: field(config.preset, 'preset'),
		id: field(config.idField, 'profile id field'),
		time: field(config.timeField, 'time field'),
		type: field(config.typeField, 'event type field'),
		value: field(config.valueField, 'value field'),
		attributes: rows.map((row, i) => ({
			name: field(row.name, `name of attribute ${i + 1}`),
			path: field(row.path, `path of attribute ${i + 1}`),
			kind: field(row.kind, `kind of attribute ${i + 1}`),
		})),
		namespace: field(config.namespace, 'identity namespace'),
		timeZone: field(config.timeZone, 'time zone'),
		timeUnit: field(config.timeUnit, 'time unit'),
		badRows: field(config.badRows, 'bad-row policy'),
		dropDuplicates: config.dropDuplicates === true,
		encoding: field(config.encoding, 'encoding'),
	});
}

/** The table's columns from the dialog's fields: blanks keep customer_id, timestamp, event_type, value. */
function tableMapping(config: NodeDef): MappingOptions {
	const field = (value: unknown, what: string) => asText(value, what) || undefined;
	const rows = (Array.isArray(config.attributes) ? config.attributes : []) as AttributeRow[];
	const attributes = Object.fromEntries(
		rows.map((row, i) => {
			const name = field(row.name, `name of attribute ${i + 1}`);
			if (!name) throw new InputError(`Attribute ${i + 1} has no name.`, 'bad-mapping');
			return [name, { path: field(row.path, `column of attribute ${i + 1}`) ?? name, kind: row.kind === 'number' ? 'number' : 'category' } as const];
		}),
	);
	const id = field(config.idField, 'profile id column');
	const time = field(config.timeField, 'time column');
	const type = field(config.typeField, 'event type column');
	const value = field(config.valueField, 'value column');
	return {
		...(id ? { id } : {}),
		...(time ? { time } : {}),
		...(type ? { type } : {}),
		...(value ? { value } : {}),
		...(rows.length > 0 ? { attributes } : {}),
	};
}
