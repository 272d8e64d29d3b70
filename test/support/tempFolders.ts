/**
 * Folders a suite writes under the system's temporary folder, removed after the suite (passed or
 * failed), so that a test run leaves nothing behind in /tmp. The harnesses that own a server's
 * folder (postgres.ts, clickhouse.ts, n8n.ts) remove theirs when they stop.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Call in a `describe` body: each call of the function it returns makes a fresh folder named `<prefix>XXXXXX`, removed after that describe block. */
export function suiteTempFolders(prefix: string): () => string {
	const made: string[] = [];
	after(() => {
		for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
	});
	return () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
		made.push(dir);
		return dir;
	};
}
