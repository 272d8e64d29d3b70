/**
 * A throwaway SMTP server for tests: listens on a free loopback port, accepts any sender,
 * recipient and login (no TLS), and records every message it receives, parsed (subject,
 * text, HTML, attachments) as well as raw. Flows under test point their email step at it
 * (host 127.0.0.1, the port below, SSL/TLS off) and the test asserts on what arrived.
 */
import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedAttachment {
	readonly filename: string | undefined;
	readonly contentType: string;
	readonly content: Buffer;
}

export interface ReceivedEmail {
	/** The envelope's sender (MAIL FROM). */
	readonly from: string;
	/** The envelope's recipients (RCPT TO), as given. */
	readonly to: readonly string[];
	readonly subject: string;
	readonly text: string;
	/** The HTML body, or '' when the message had none. */
	readonly html: string;
	readonly attachments: readonly ReceivedAttachment[];
	/** The login the client used, when it authenticated. */
	readonly user: string | undefined;
	/** The message as it came over the wire. */
	readonly raw: Buffer;
}

export interface TestSmtp {
	readonly host: string;
	readonly port: number;
	/** Every message received so far, in order of arrival. */
	readonly received: ReceivedEmail[];
	/** Forgets the messages received so far. */
	clear(): void;
	/** Resolves when at least `count` messages have arrived, or rejects after `timeoutMs`. */
	waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
	stop(): Promise<void>;
}

/** Starts an SMTP server on a free port of 127.0.0.1 that records what it receives. */
export async function startSmtpServer(): Promise<TestSmtp> {
	const received: ReceivedEmail[] = [];
	const waiters = new Set<() => void>();
	const server = new SMTPServer({
		secure: false,
		disabledCommands: ['STARTTLS'],
		authOptional: true,
		allowInsecureAuth: true,
		logger: false,
		onAuth(auth, _session, callback) {
			callback(null, { user: auth.username ?? 'anonymous' });
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (chunk: Buffer) => chunks.push(chunk));
			stream.on('error', (error) => callback(error));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks);
				simpleParser(raw)
					.then((mail) => {
						received.push({
							from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
							to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
							subject: mail.subject ?? '',
							text: mail.text ?? '',
							html: typeof mail.html === 'string' ? mail.html : '',
							attachments: mail.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: a.content })),
							user: typeof session.user === 'string' ? session.user : undefined,
							raw,
						});
						for (const wake of waiters) wake();
						callback();
					})
					.catch((error: Error) => callback(error));
			});
		},
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	// A client that drops the connection must not crash the test run.
	server.on('error', () => undefined);
	const { port } = server.server.address() as AddressInfo;
	return {
		host: '127.0.0.1',
		port,
		received,
		clear: () => void received.splice(0, received.length),
		waitFor: (count, timeoutMs = 10000) =>
			waitUntil(
				() => received.length >= count,
				waiters,
				timeoutMs,
				() => `${count} emails (got ${received.length})`,
			).then(() => received),
		stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

/** Resolves once `done()` holds, re-checking whenever a waiter is woken; rejects after the timeout. */
export function waitUntil(done: () => boolean, waiters: Set<() => void>, timeoutMs: number, what: () => string): Promise<void> {
	if (done()) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const check = (): void => {
			if (!done()) return;
			clearTimeout(timer);
			waiters.delete(check);
			resolve();
		};
		const timer = setTimeout(() => {
			waiters.delete(check);
			reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what()}.`));
		}, timeoutMs);
		waiters.add(check);
	});
}
