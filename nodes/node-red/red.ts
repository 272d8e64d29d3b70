/**
 * The slice of Node-RED's runtime API the Propensity nodes use, typed here so the nodes
 * compile without a dependency on Node-RED's own (untyped) packages. Node-RED 4 and 5 both
 * provide it unchanged.
 */

/** A message: any properties, plus the id Node-RED gives it. */
export interface NodeMessage {
	_msgid?: string;
	payload?: unknown;
	topic?: string;
	[property: string]: unknown;
}

export interface NodeStatus {
	fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
	shape?: 'ring' | 'dot';
	text?: string;
}

/** What `send` accepts: one message per output (null for none), or a list of messages for an output. */
export type NodeOutput = NodeMessage | null | (NodeMessage | null | (NodeMessage | null)[])[];

export type SendFunction = (output: NodeOutput) => void;
export type DoneFunction = (error?: Error | string) => void;

/** The config of a node as saved in the flow: its `defaults`, plus id, type and name. */
export interface NodeDef {
	id: string;
	type: string;
	name?: string;
	[property: string]: unknown;
}

export interface Node {
	readonly id: string;
	readonly type: string;
	/** The flow (tab) the node is on. */
	readonly z?: string;
	name?: string;
	credentials?: Record<string, string | undefined>;
	on(event: 'input', listener: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
	on(event: 'close', listener: (removed: boolean, done: () => void) => void): void;
	send(output: NodeOutput): void;
	status(status: NodeStatus | Record<string, never>): void;
	log(message: unknown): void;
	warn(message: unknown): void;
	error(message: unknown, msg?: NodeMessage): void;
}

export interface NodeAPI {
	nodes: {
		createNode(node: object, config: NodeDef): void;
		registerType(
			type: string,
			constructor: (this: Node, config: NodeDef) => void,
			options?: { credentials?: Record<string, { type: 'text' | 'password' }> },
		): void;
		getNode(id: string): Node | null;
	};
	util: {
		evaluateNodeProperty(value: unknown, type: string, node: Node, msg: NodeMessage, callback: (error: Error | null, result: unknown) => void): void;
		generateId(): string;
	};
	httpAdmin: {
		get(path: string, ...handlers: ((req: AdminRequest, res: AdminResponse, next?: () => void) => void)[]): void;
		post(path: string, ...handlers: ((req: AdminRequest, res: AdminResponse, next?: () => void) => void)[]): void;
	};
	auth: {
		needsPermission(permission: string): (req: AdminRequest, res: AdminResponse, next?: () => void) => void;
	};
	settings: { readonly fileWorkingDirectory?: string };
}

export interface AdminRequest {
	body: unknown;
	/** Route parameters, e.g. `:flow`. */
	params?: Record<string, string>;
}

export interface AdminResponse {
	json(body: unknown): void;
	status(code: number): AdminResponse;
}
