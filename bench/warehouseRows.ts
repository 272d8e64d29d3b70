/**
 * Reading the feature query's answer in process: rows read by position from TabSeparated bytes
 * (core/warehouse/cells.ts) against the JSONEachRow rows they replaced (the client's split into
 * lines, JSON.parse of each into an object, then each column looked up by name and read by
 * numberOf, 64-bit integers arriving quoted as ClickHouse writes them), in one command, on the
 * same synthetic answer shaped like the scoring query's: a profile id, the cutoff, then
 * `--columns` aggregates (counts, times in ms, day mask words, sums with fractions, a few NULL).
 *
 *   node dist/bench/warehouseRows.js [--rows 100000] [--columns 200] [--repeat 3]
 *
 * The two sides alternate; each side's fastest run counts. Prints µs a row and the ratio.
 */
import { parseArgs } from 'node:util';
import { TsvRowDecoder } from '../core/warehouse/cells';
import { numberOf } from '../core/warehouse/examples';
import { createRng } from '../core/util/rng';

/** One answer in both forms, and the kind of each aggregate column (quoted 64-bit integer or not). */
function answer(rows: number, columns: number): { tsv: Buffer; json: Buffer } {
	const rng = createRng(3);
	const names = ['p', 'k', ...Array.from({ length: columns }, (_, i) => `a${i}`)];
	const tsv: string[] = [names.join('\t')];
	const json: string[] = [];
	for (let r = 0; r < rows; r++) {
		const cells: string[] = [`customer-${r}~${r % 20}`, '1764547200000'];
		const fields: string[] = [`"p":"customer-${r}~${r % 20}"`, `"k":"1764547200000"`];
		for (let c = 0; c < columns; c++) {
			const kind = c % 10;
			let text: string;
			let quoted = true;
			if (kind < 6) text = String(rng.next() < 0.6 ? 0 : rng.int(40));
			else if (kind === 6) text = String(1764547200000 - rng.int(90 * 86_400_000));
			else if (kind === 7) text = String(rng.int(2 ** 30) * 2 ** 18 + rng.int(2 ** 18));
			else if (kind === 8) {
				text = (rng.next() * 500).toFixed(2);
				quoted = false;
			} else {
				text = rng.next() < 0.3 ? '\\N' : String(rng.int(1000) / 8);
				quoted = false;
			}
			cells.push(text);
			fields.push(`"a${c}":${text === '\\N' ? 'null' : quoted ? `"${text}"` : text}`);
		}
		tsv.push(cells.join('\t'));
		json.push(`{${fields.join(',')}}`);
	}
	return { tsv: Buffer.from(`${tsv.join('\n')}\n`), json: Buffer.from(`${json.join('\n')}\n`) };
}

/** The answer in chunks of 64 kB, as a socket hands it over. */
function chunksOf(bytes: Buffer): Buffer[] {
	const chunks: Buffer[] = [];
	for (let at = 0; at < bytes.length; at += 65_536) chunks.push(bytes.subarray(at, at + 65_536));
	return chunks;
}

function byPosition(chunks: readonly Buffer[], columns: number): number {
	let sum = 0;
	const decoder = new TsvRowDecoder((cells) => {
		sum += cells.number(1);
		for (let c = 0; c < columns; c++) {
			const x = cells.number(2 + c);
			if (x === x) sum += x;
		}
		sum += (cells.text(0) as string).length;
	}, 'in the bench');
	for (const chunk of chunks) decoder.push(chunk);
	decoder.end();
	return sum;
}

function byName(chunks: readonly Buffer[], columns: number): number {
	let sum = 0;
	const names = Array.from({ length: columns }, (_, c) => `a${c}`);
	let rest: Buffer | undefined;
	for (const chunk of chunks) {
		const bytes = rest ? Buffer.concat([rest, chunk]) : chunk;
		let from = 0;
		for (let newline = bytes.indexOf(10, from); newline >= 0; newline = bytes.indexOf(10, from)) {
			const row = JSON.parse(bytes.toString('utf8', from, newline)) as Record<string, unknown>;
			sum += numberOf(row, 'k', 'in the bench');
			for (const name of names) {
				const x = numberOf(row, name, 'in the bench');
				if (x === x) sum += x;
			}
			sum += (row.p as string).length;
			from = newline + 1;
		}
		rest = from < bytes.length ? Buffer.from(bytes.subarray(from)) : undefined;
	}
	return sum;
}

function main(): void {
	const { values } = parseArgs({ options: { rows: { type: 'string' }, columns: { type: 'string' }, repeat: { type: 'string' } } });
	const rows = Number(values.rows ?? 100_000);
	const columns = Number(values.columns ?? 200);
	const repeat = Math.max(1, Number(values.repeat ?? 3));
	const { tsv, json } = answer(rows, columns);
	const tsvChunks = chunksOf(tsv);
	const jsonChunks = chunksOf(json);
	const best = { position: Infinity, name: Infinity };
	let sums: [number, number] = [0, 0];
	for (let round = 0; round < repeat; round++) {
		let started = performance.now();
		sums = [byName(jsonChunks, columns), sums[1]];
		best.name = Math.min(best.name, performance.now() - started);
		started = performance.now();
		sums = [sums[0], byPosition(tsvChunks, columns)];
		best.position = Math.min(best.position, performance.now() - started);
	}
	if (sums[0] !== sums[1]) throw new Error(`the two readings differ: ${sums[0]} against ${sums[1]}`);
	const perRow = (ms: number) => `${((ms * 1000) / rows).toFixed(2)} µs a row`;
	console.log(
		`${rows.toLocaleString('en-US')} rows of ${columns} aggregates: TabSeparated ${(tsv.length / 2 ** 20).toFixed(0)} MiB, JSONEachRow ${(json.length / 2 ** 20).toFixed(0)} MiB`,
	);
	console.log(`by position (TabSeparated): ${best.position.toFixed(0)} ms, ${perRow(best.position)}`);
	console.log(`by name (JSONEachRow objects, numberOf): ${best.name.toFixed(0)} ms, ${perRow(best.name)}`);
	console.log(`ratio ${(best.position / best.name).toFixed(2)}x (fastest of ${repeat} each)`);
}

main();
