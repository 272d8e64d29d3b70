/**
 * A small stand-in for n8n's execution context, to run a node's execute() in-process on the
 * paths a real n8n run would take minutes to cover (every rule form, file output, binary model,
 * bucket summary…). Parameters resolve like n8n's: the value given, else the caller's fallback,
 * else the description's default. Binary data is kept in memory as n8n's default mode does.
 * The real thing is tested in workflows.test.ts; this is for breadth, not fidelity.
 */
import path from 'node:path';
import { Readable } from 'node:stream';
import type {
	IBinaryData,
	ICredentialDataDecryptedObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IVersionedNodeType,
	NodeExecutionHint,
} from 'n8n-workflow';

export interface FakeRun {
	readonly outputs: INodeExecutionData[][];
	readonly hints: NodeExecutionHint[];
	readonly logs: string[];
}

export interface FakeOptions {
	/** Parameter values by name; a function of the item index stands for an expression. */
	readonly parameters: Record<string, unknown>;
	readonly items?: INodeExecutionData[];
	readonly continueOnFail?: boolean;
	readonly credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** n8n's storage folder for nodes (the store's default folder goes below it). */
	readonly storagePath?: string;
	/** Paths n8n's file access policy blocks. */
	readonly blocked?: (file: string) => boolean;
	/** The execution is stopped before the node runs (its cancel signal has fired). */
	readonly cancelled?: boolean;
}

/** The node version n8n would run: the default version of a versioned node. */
export function currentVersion(node: INodeType | IVersionedNodeType): INodeType {
	if ('nodeVersions' in node) return node.nodeVersions[node.currentVersion];
	return node;
}

function defaultOf(properties: readonly INodeProperties[], name: string): unknown {
	return properties.find((property) => property.name === name)?.default;
}

function lookup(parameters: Record<string, unknown>, dotted: string): unknown {
	let value: unknown = parameters;
	for (const key of dotted.split('.')) {
		if (value === null || typeof value !== 'object') return undefined;
		value = (value as Record<string, unknown>)[key];
	}
	return value;
}

/** Binary data held in memory, as n8n's default binary mode keeps it (base64 in `data`). */
async function toBinary(data: Buffer | Readable, fileName?: string, mimeType?: string): Promise<IBinaryData> {
	let buffer: Buffer;
	if (Buffer.isBuffer(data)) buffer = data;
	else {
		const chunks: Buffer[] = [];
		for await (const chunk of data) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
		buffer = Buffer.concat(chunks);
	}
	return {
		data: buffer.toString('base64'),
		mimeType: mimeType ?? 'application/octet-stream',
		fileName,
		fileSize: `${buffer.length} B`,
		bytes: buffer.length,
	};
}

/** Runs the node's current version on the items with the parameters, as n8n would call execute(). */
export async function runNode(node: INodeType | IVersionedNodeType, options: FakeOptions): Promise<FakeRun> {
	const version = currentVersion(node);
	const description = version.description as INodeTypeDescription;
	const items: INodeExecutionData[] = options.items ?? [{ json: {} }];
	const hints: NodeExecutionHint[] = [];
	const logs: string[] = [];
	const abort = new AbortController();
	if (options.cancelled) abort.abort();
	const context = {
		getInputData: () => items,
		getNode: () => ({
			id: 'fake',
			name: description.defaults.name ?? description.displayName,
			type: `n8n-nodes-propensity.${description.name}`,
			typeVersion: 1,
			position: [0, 0],
			parameters: {},
		}),
		getNodeParameter(name: string, itemIndex: number, fallback?: unknown) {
			const given = lookup(options.parameters, name);
			// A function stands for an expression: its value may differ per item.
			const value = typeof given === 'function' ? (given as (itemIndex: number) => unknown)(itemIndex) : given;
			if (value !== undefined) return value;
			// n8n fills unset parameters with their defaults before the node runs, nested ones included.
			const [top, ...rest] = name.split('.');
			const topDefault = defaultOf(description.properties, top);
			const byDefault = rest.length === 0 ? topDefault : lookup({ value: topDefault }, ['value', ...rest].join('.'));
			if (byDefault !== undefined) return byDefault;
			if (arguments.length >= 3) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		continueOnFail: () => options.continueOnFail === true,
		getCredentials: async (type: string) => {
			const found = options.credentials?.[type];
			if (!found) throw new Error(`Node does not have any credentials set for "${type}"`);
			return found;
		},
		getExecutionCancelSignal: () => abort.signal,
		addExecutionHints: (...added: NodeExecutionHint[]) => void hints.push(...added),
		logger: {
			info: (message: string) => void logs.push(message),
			debug: () => undefined,
			warn: (message: string) => void logs.push(message),
			error: (message: string) => void logs.push(message),
		},
		helpers: {
			prepareBinaryData: toBinary,
			getBinaryDataBuffer: async (itemIndex: number, property: string) => {
				const binary = items[itemIndex].binary?.[property];
				if (!binary) throw new Error(`No binary data "${property}" on item ${itemIndex}`);
				return Buffer.from(binary.data, 'base64');
			},
			getStoragePath: () => path.join(options.storagePath ?? '/tmp/propensity-fake-n8n/storage', `n8n-nodes-propensity.${description.name}`),
			resolvePath: async (file: string) => path.resolve(file),
			isFilePathBlocked: (file: string) => options.blocked?.(file) ?? false,
		},
	} as unknown as IExecuteFunctions;
	const outputs = (await (version.execute as (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>).call(context)) ?? [];
	return { outputs, hints, logs };
}
