/**
 * Loads one events file in a fresh process and prints its memory figures as JSON, so the
 * memory test measures the load alone (not what earlier tests left on the heap).
 * Run: node --expose-gc dist/test/events/memoryProbe.js FILE
 */
import fs from 'node:fs';
import { loadEvents } from '../../core/events/load';
import { tableBytes } from '../../core/events/table';

/**
 * This process's peak RSS in bytes: VmHWM counts from this program's own start, whereas
 * getrusage's maxRSS starts from the RSS of the parent that spawned it (mocha's, hundreds of
 * MiB late in a full run), which would be counted as the load's.
 */
function peakRssBytes(): number {
	const line = /^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
	return line ? Number(line[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
}

async function main(): Promise<void> {
	const file = process.argv[2];
	const gc = (globalThis as { gc?: () => void }).gc;
	if (!gc) throw new Error('run with --expose-gc');
	// Warm up: load a tiny file so module code and compiled functions are not counted.
	const tiny = `${file}.tiny.csv`;
	fs.writeFileSync(tiny, 'customer_id,timestamp,event_type\nc,2024-01-01,x\n');
	await loadEvents({ kind: 'file', path: tiny });
	fs.rmSync(tiny);
	const collect = async (): Promise<void> => {
		// Twice, with a turn of the event loop between, so buffers released by streams are freed too.
		gc();
		await new Promise((resolve) => setImmediate(resolve));
		gc();
	};
	await collect();
	const before = process.memoryUsage();
	let peakHeap = before.heapUsed + before.arrayBuffers;
	const sample = (): void => {
		const now = process.memoryUsage();
		peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers);
	};
	const started = process.hrtime.bigint();
	const { table, summary } = await loadEvents({ kind: 'file', path: file }, {}, { onProgress: sample });
	const seconds = Number(process.hrtime.bigint() - started) / 1e9;
	sample();
	const peakRss = peakRssBytes();
	await collect();
	const after = process.memoryUsage();
	const core = table.time.byteLength + table.type.byteLength + table.value.byteLength + table.profileStart.byteLength;
	const result = {
		file: fs.statSync(file).size,
		events: table.length,
		profiles: summary.profiles,
		seconds,
		peakRssDelta: peakRss - before.rss,
		peakHeapDelta: peakHeap - before.heapUsed - before.arrayBuffers,
		retainedDelta: after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers,
		tableBytes: tableBytes(table),
		coreBytesPerEvent: core / table.length,
		bytesPerEvent: tableBytes(table) / table.length,
		attributes: table.attributes.length,
	};
	process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`${String(error)}\n`);
	process.exitCode = 1;
});
