/**
 * Reading a node's settings for one message: a message property when the message sets it,
 * else the node's typed input (a fixed value, msg, flow, global or env), checked and turned
 * into the type the core expects. Errors name the setting and where its value came from.
 */
import path from 'node:path';
import { defaultScoresTable, type EventTable, InputError, type Model, parseModel, type TableSource } from '../../core';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red';

/** A typed input as saved by the editor: the value and where it comes from (str, msg, flow, global, env, num, json). */
export interface TypedSetting {
	readonly value: unknown;
	readonly type: unknown;
}

/** The value of a typed input for this message; undefined when it is empty. */
export function typedValue(RED: NodeAPI, node: Node, msg: NodeMessage, setting: TypedSetting, what: string): Promise<unknown> {
	const type = typeof setting.type === 'string' && setting.type !== '' ? setting.type : 'str';
	const value = setting.value ?? '';
	if (value === '' && type !== 'date') return Promise.resolve(undefined);
	return new Promise((resolve, reject) => {
		RED.util.evaluateNodeProperty(value, type, node, msg, (error, result) => {
			if (error) return reject(new InputError(`The ${what} could not be read from ${type} "${String(value)}": ${error.message}.`, 'bad-setting'));
			if (type === 'env' && (result === '' || result === undefined)) {
				return reject(
					new InputError(
						`The ${what} comes from the environment variable ${String(value)}, which is not set. Set it where Node-RED starts (or in the flow's environment variables).`,
						'env-not-set',
					),
				);
			}
			resolve(result === '' || result === null ? undefined : result);
		});
	});
}

/** msg[property] when the message sets it (anything but undefined, null or empty text). */
export function fromMessage(msg: NodeMessage, property: string): unknown {
	const value = msg[property];
	return value === undefined || value === null || value === '' ? undefined : value;
}

/** A setting that msg[property] overrides: the message's value, else the typed input's. */
export async function overridable(RED: NodeAPI, node: Node, msg: NodeMessage, property: string, setting: TypedSetting, what: string): Promise<unknown> {
	return fromMessage(msg, property) ?? (await typedValue(RED, node, msg, setting, what));
}

/** Text, or an InputError naming the setting; numbers are written out. */
export function asText(value: unknown, what: string): string | undefined {
	if (value === undefined) return undefined;
	if (typeof value === 'string') {
		// Node-RED leaves ${NAME} in place when the environment variable is not set.
		const unset = /^\$\{(\S+)\}$/.exec(value.trim());
		if (unset)
			throw new InputError(
				`The ${what} is "${value}", but the environment variable ${unset[1]} is not set. Set it where Node-RED starts.`,
				'env-not-set',
			);
		return value.trim() === '' ? undefined : value.trim();
	}
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	throw new InputError(`The ${what} must be text, not ${describe(value)}.`, 'bad-setting');
}

/** The scores table of Score Profiles, Build Segment and Explain Factors: msg.scoresTable, else the node's setting, else the default. */
export function scoresTableOf(msg: NodeMessage, config: NodeDef): string {
	return asText(fromMessage(msg, 'scoresTable') ?? config.scoresTable, 'scores table') ?? defaultScoresTable;
}

/** A whole number from the node's dialog (saved as text) or a message; undefined when empty. */
export function asWholeNumber(value: unknown, what: string, least = 0): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
	if (!Number.isInteger(number) || number < least)
		throw new InputError(`The ${what} must be a whole number of at least ${least}, not ${describe(value)}.`, 'bad-setting');
	return number;
}

/** The readiness minimums set in the dialog (blank: the core's defaults). */
export function minimums(config: NodeDef): { minPositives?: number; minNegatives?: number } {
	const minPositives = asWholeNumber(config.minPositives, 'minimum positives', 1);
	const minNegatives = asWholeNumber(config.minNegatives, 'minimum negatives', 1);
	return { ...(minPositives ? { minPositives } : {}), ...(minNegatives ? { minNegatives } : {}) };
}

/** A moment for the core (ISO text, epoch milliseconds or a Date), or an InputError. */
export function asMoment(value: unknown, what: string): string | number | Date | undefined {
	if (value === undefined || typeof value === 'number' || value instanceof Date) return value as number | Date | undefined;
	if (typeof value === 'string') return asText(value, what);
	throw new InputError(`The ${what} must be a date (ISO 8601 text such as "2026-05-01", or epoch milliseconds), not ${describe(value)}.`, 'bad-date');
}

/** A file path, resolved like Node-RED's own file nodes: against fileWorkingDirectory when set, else the working directory. */
export function resolvePath(RED: NodeAPI, file: string): string {
	return path.resolve(RED.settings.fileWorkingDirectory || process.cwd(), file);
}

/**
 * The profile table on the message (table mode): msg.payload as the CSV's bytes or text (what a
 * File In node sends), named by msg.filename, or as an array of objects, one per profile (what a
 * CSV node or a database node sends); without a payload, the file msg.filename names.
 */
export function tableOf(RED: NodeAPI, msg: NodeMessage): TableSource {
	const payload = msg.payload;
	const filename = typeof msg.filename === 'string' && msg.filename.trim() !== '' ? msg.filename.trim() : undefined;
	if (Array.isArray(payload)) return { rows: payload, name: 'msg.payload' };
	if (payload instanceof Uint8Array) return { data: payload, name: filename ?? 'table.csv' };
	if (typeof payload === 'string' && payload !== '') return { data: Buffer.from(payload, 'utf8'), name: filename ?? 'table.csv' };
	if (filename !== undefined && (payload === undefined || payload === null || payload === '')) return { path: resolvePath(RED, filename) };
	throw new InputError(
		`The message has no profile table: msg.payload is ${payload === undefined ? 'missing' : describe(payload)}. Send the CSV as msg.payload (a File In node reading it as a single buffer or string does), the rows as an array of objects in msg.payload (a CSV node does), or its path as msg.filename with no payload.`,
		'no-table',
	);
}

/** A comma-separated list setting as names. */
export function columnList(value: unknown): string[] {
	return String(value ?? '')
		.split(',')
		.map((name) => name.trim())
		.filter((name) => name !== '');
}

/** The event table Load Events put on msg.events, or an InputError saying how to get one there. */
export function eventsOf(msg: NodeMessage): EventTable {
	const events = msg.events as Partial<EventTable> | undefined;
	if (events === undefined || events === null) {
		throw new InputError(
			'The message has no msg.events: put a Load Events node before this one (it sets msg.events), and keep msg.events when other nodes change the message.',
			'no-events',
		);
	}
	if (!Array.isArray(events.profileIds) || !(events.time instanceof Float64Array) || !(events.profileStart instanceof Uint32Array)) {
		throw new InputError(
			'msg.events is not an event table as Load Events makes it (it may have been turned into JSON on the way): wire the Load Events node to this one directly, or through nodes that keep msg.events as it is.',
			'bad-events',
		);
	}
	return events as EventTable;
}

/** Text parsed as JSON, or an InputError naming what it was. */
export function parseJsonText(text: string, what: string): unknown {
	if (text.trim() === '') throw new InputError(`The ${what} is empty: write it as JSON.`, 'bad-json');
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new InputError(`The ${what} is not valid JSON: ${(error as Error).message}.`, 'bad-json');
	}
}

/** The goal on msg.goal (an object, or goal JSON text); undefined when there is none. */
export function goalOnMessage(msg: NodeMessage): unknown {
	const given = fromMessage(msg, 'goal');
	return typeof given === 'string' ? parseJsonText(given, 'goal on msg.goal') : given;
}

/** The model on msg.model (an object, or the model's JSON text), checked; undefined when there is none. */
export function modelOf(msg: NodeMessage): Model | undefined {
	const model = msg.model;
	if (model === undefined || model === null) return undefined;
	if (typeof model !== 'string' && typeof model !== 'object')
		throw new InputError(`msg.model must be a model (from Train Model) or its JSON text, not ${describe(model)}.`, 'bad-model');
	return parseModel(model as string | object);
}

export function describe(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
	if (typeof value === 'object') return 'an object';
	return `${typeof value} ${String(value)}`;
}
