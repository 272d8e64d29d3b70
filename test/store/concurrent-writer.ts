/**
 * A child process for the concurrency tests: opens the store described on the command line,
 * says "ready", waits for "go" on stdin, then saves `count` versions of one model name and a
 * segment membership after each, and prints the versions it was given as JSON.
 */
import { openStore, type StoreConfig } from '../../core/store';

interface WriterTask {
	config: StoreConfig;
	name: string;
	segment: string;
	writer: string;
	count: number;
}

/** A model text big enough that writes take a moment, tagged with who wrote it. */
export function writerModelText(writer: string, index: number): string {
	return JSON.stringify({ writer, index, padding: `${writer}:${index}:`.repeat(4000) });
}

/** The membership a writer saves after its index-th model: ids tagged with writer and index. */
export function writerMembers(writer: string, index: number): string[] {
	return Array.from({ length: 2000 + index }, (_, i) => `${writer}-${index}-${i}`);
}

async function main(): Promise<void> {
	const task = JSON.parse(process.argv[2]) as WriterTask;
	const store = await openStore(task.config);
	process.stdout.write('ready\n');
	await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
	const versions: number[] = [];
	for (let index = 0; index < task.count; index++) {
		const info = await store.saveModel(task.name, writerModelText(task.writer, index), { writer: task.writer, index });
		versions.push(info.version);
		await store.saveMembership(task.segment, writerMembers(task.writer, index), new Date(Date.UTC(2024, 0, 1, 0, 0, index)).toISOString());
	}
	await store.close();
	process.stdout.write(`${JSON.stringify({ versions })}\n`);
}

if (require.main === module) {
	main().catch((error: unknown) => {
		process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		process.exit(1);
	});
}
