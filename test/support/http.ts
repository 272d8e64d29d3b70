/**
 * A throwaway HTTP server for tests, standing in for a CRM or any webhook a flow calls:
 * listens on a free loopback port, records every request (method, path, headers, body; JSON
 * bodies parsed) and answers with a fixed status and JSON body (200 {"ok": true} unless told).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './smtp';

export interface ReceivedRequest {
	readonly method: string;
	/** The path with its query string, e.g. `/crm/contacts?source=n8n`. */
	readonly url: string;
	readonly headers: http.IncomingHttpHeaders;
	readonly body: string;
	/** The body parsed as JSON when it is JSON, else undefined. */
	readonly json: unknown;
}

export interface TestHttpOptions {
	/** The status of every answer (default 200). */
	readonly status?: number;
	/** The JSON body of every answer (default {"ok": true}). */
	readonly reply?: unknown;
}

export interface TestHttp {
	/** The server's base URL, e.g. `http://127.0.0.1:40123`. */
	readonly url: string;
	readonly port: number;
	/** Every request received so far, in order of arrival. */
	readonly received: ReceivedRequest[];
	clear(): void;
	/** Resolves when at least `count` requests have arrived, or rejects after `timeoutMs`. */
	waitFor(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
	stop(): Promise<void>;
}

/** Starts an HTTP server on a free port of 127.0.0.1 that records every request. */
export async function startHttpServer(options: TestHttpOptions = {}): Promise<TestHttp> {
	const received: ReceivedRequest[] = [];
	const waiters = new Set<() => void>();
	const status = options.status ?? 200;
	const reply = JSON.stringify(options.reply ?? { ok: true });
	const server = http.createServer((request, response) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => {
			const body = Buffer.concat(chunks).toString('utf8');
			let json: unknown;
			try {
				json = body === '' ? undefined : JSON.parse(body);
			} catch {
				json = undefined;
			}
			received.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body, json });
			response.writeHead(status, { 'content-type': 'application/json' });
			response.end(reply);
			for (const wake of waiters) wake();
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		port,
		received,
		clear: () => void received.splice(0, received.length),
		waitFor: (count, timeoutMs = 10000) =>
			waitUntil(
				() => received.length >= count,
				waiters,
				timeoutMs,
				() => `${count} HTTP requests (got ${received.length})`,
			).then(() => received),
		stop: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
