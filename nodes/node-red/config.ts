/**
 * The two config nodes' runtime side, shared by the nodes that use them: a PostgreSQL
 * connection (user and password in Node-RED's credential store) and a model store (a folder
 * or PostgreSQL). Nodes open the store for one message and close it after.
 */
import {
	InputError,
	isWarehouseReference,
	loadModel,
	type MappingOptions,
	type Model,
	openStore,
	parseWarehouseReference,
	type PgConnectionInput,
	sourceOfReference,
	type Store,
	type StoreConfig,
	type WarehouseConnection,
	type WarehouseSource,
} from '../../core';
import type { Node, NodeAPI, NodeDef, NodeMessage } from './red';
import { asText, asWholeNumber, fromMessage, modelOf, overridable } from './settings';

export interface PostgresConfigNode extends Node {
	/** The connection settings with the credentials filled in. */
	connection(): PgConnectionInput;
}

/** A config node a table in place is read through: PostgreSQL or ClickHouse. */
export interface WarehouseConfigNode extends Node {
	readonly warehouseEngine: 'postgres' | 'clickhouse';
	/** Server, database, user and password (from the credential store). */
	warehouseConnection(): WarehouseConnection;
}

export interface StoreConfigNode extends Node {
	/** Where the store is, as openStore takes it. */
	storeConfig(): StoreConfig;
}

/** The PostgreSQL config node with this id, or an InputError saying what to pick. */
export function postgresNode(RED: NodeAPI, id: unknown, user: string): PostgresConfigNode {
	const node = typeof id === 'string' && id !== '' ? RED.nodes.getNode(id) : null;
	if (!node || typeof (node as PostgresConfigNode).connection !== 'function') {
		throw new InputError(`${user} has no PostgreSQL connection: pick or add one in its PostgreSQL setting.`, 'no-connection');
	}
	return node as PostgresConfigNode;
}

/** The model store config node with this id, or an InputError saying what to pick. */
export function storeNode(RED: NodeAPI, id: unknown, user: string): StoreConfigNode {
	const node = typeof id === 'string' && id !== '' ? RED.nodes.getNode(id) : null;
	if (!node || typeof (node as StoreConfigNode).storeConfig !== 'function') {
		throw new InputError(`${user} has no model store: pick or add one in its Store setting.`, 'no-store');
	}
	return node as StoreConfigNode;
}

/** Opens the store, runs `use` with it and closes it, whatever happens. */
export async function withStore<T>(node: StoreConfigNode, use: (store: Store) => Promise<T>): Promise<T> {
	const store = await openStore(node.storeConfig());
	try {
		return await use(store);
	} finally {
		await store.close().catch(() => undefined);
	}
}

/** The model a Score Profiles or Explain Factors node uses for a message: msg.model, or the one saved under a name in the store. */
export async function chosenModel(
	RED: NodeAPI,
	node: Node,
	msg: NodeMessage,
	config: NodeDef,
	user: string,
): Promise<{ model: Model; version: number | null }> {
	if (config.modelFrom !== 'store') {
		const model = modelOf(msg);
		if (!model) throw new InputError(`The message has no msg.model: put Train Model before ${user}, or set its Model to "from the store".`, 'no-model');
		return { model, version: null };
	}
	const { name, version } = await storeModelChoice(RED, node, msg, config);
	if (!name) throw new InputError(`${user} has no model name: set its Model name (or msg.modelName) to the name the model was saved under.`, 'no-model-name');
	const loaded = await withStore(storeNode(RED, config.store, user), (store) => loadModel(store, name, version));
	return { model: loaded.model, version: loaded.info.version };
}

/** The model name (undefined when blank) and version a message asks the store for: msg.modelName and msg.modelVersion, else the node's. */
export async function storeModelChoice(
	RED: NodeAPI,
	node: Node,
	msg: NodeMessage,
	config: NodeDef,
): Promise<{ name: string | undefined; version: number | 'latest' }> {
	const name = asText(await overridable(RED, node, msg, 'modelName', { value: config.modelName, type: config.modelNameType }, 'model name'), 'model name');
	const given = fromMessage(msg, 'modelVersion') ?? (config.modelVersion || 'latest');
	return { name, version: given === 'latest' ? 'latest' : (asWholeNumber(given, 'model version', 1) ?? 'latest') };
}

/** The PostgreSQL or ClickHouse config node with this id, or an InputError saying what to pick. */
export function warehouseNode(RED: NodeAPI, id: unknown, user: string): WarehouseConfigNode {
	const node = typeof id === 'string' && id !== '' ? RED.nodes.getNode(id) : null;
	if (!node || typeof (node as WarehouseConfigNode).warehouseConnection !== 'function') {
		throw new InputError(
			`${user} has no warehouse connection: pick or add a PostgreSQL or ClickHouse connection in its Connection setting.`,
			'no-connection',
		);
	}
	return node as WarehouseConfigNode;
}

/**
 * The table msg.warehouse refers to (Load Events with the source "table in place"), joined with
 * the config node named in the reference; undefined when the message carries no reference.
 */
export function warehouseOfMessage(
	RED: NodeAPI,
	msg: NodeMessage,
	user: string,
): { source: WarehouseSource; mapping: MappingOptions; where: string } | undefined {
	if (msg.warehouse === undefined || msg.warehouse === null) return undefined;
	if (!isWarehouseReference(msg.warehouse))
		throw new InputError(
			'msg.warehouse is not a table reference as Load Events makes it: wire Load Events (source "table in place") to this node.',
			'bad-warehouse-reference',
		);
	const reference = parseWarehouseReference(msg.warehouse, 'msg.warehouse');
	const node = warehouseNode(RED, reference.connection, `${user} (for the table ${reference.source})`);
	if (node.warehouseEngine !== reference.engine)
		throw new InputError(
			`msg.warehouse names a ${reference.engine} table but its connection is ${node.warehouseEngine}: wire Load Events to this node directly.`,
			'warehouse-engine-mismatch',
		);
	return { source: sourceOfReference(reference, node.warehouseConnection()), mapping: reference.mapping, where: reference.source };
}
