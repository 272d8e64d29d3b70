/**
 * A profile table as data teams have one: one row per customer, numeric features and a 0/1
 * label, for the table-mode tests of the CLI and both hosts.
 */
import { createRng } from '../../core/util/rng';

/** A customer table (CSV text) whose conversions follow recency, frequency and email opens. */
export function customerTable(rows: number, seed: number): string {
	const rng = createRng(seed);
	const lines = ['customer_id,recency_days,orders,email_opens,spend,converted'];
	for (let i = 0; i < rows; i++) {
		const recency = Math.round(-30 * Math.log(1 - rng.next()));
		const orders = rng.int(12);
		const opens = rng.int(8);
		const spend = rng.next() < 0.1 ? '' : (50 + 40 * rng.normal()).toFixed(2);
		const z = -1 - 0.04 * recency + 0.25 * orders + 0.2 * opens;
		lines.push(`c${i},${recency},${orders},${opens},${spend},${rng.next() < 1 / (1 + Math.exp(-z)) ? 1 : 0}`);
	}
	return `${lines.join('\n')}\n`;
}

/** The same table as rows of objects, as n8n items or a Node-RED array would hold it: numbers as numbers, an empty cell as null. */
export function customerRows(rows: number, seed: number): Record<string, string | number | null>[] {
	const [header, ...lines] = customerTable(rows, seed).trim().split('\n');
	const columns = header.split(',');
	return lines.map((line) =>
		Object.fromEntries(line.split(',').map((cell, c) => [columns[c], columns[c] === 'customer_id' ? cell : cell === '' ? null : Number(cell)])),
	);
}
