import assert from 'node:assert/strict';
import { InputError } from '../../core/errors';
import { readJsonArray, readNdjson } from '../../core/events/json';
import { createRng } from '../../core/util/rng';

interface Read {
	records: { value: object; line: number }[];
	bad: { line: number; why: string }[];
}

async function* chunked(text: string, cuts: number[]): AsyncGenerator<string> {
	let from = 0;
	for (const cut of [...cuts, text.length]) {
		if (cut > from) yield text.slice(from, cut);
		from = Math.max(from, cut);
	}
}

async function read(kind: 'array' | 'ndjson', text: string, cuts: number[] = []): Promise<Read> {
	const result: Read = { records: [], bad: [] };
	const handlers = {
		record: (value: object, line: number) => result.records.push({ value, line }),
		bad: (line: number, _raw: string, why: string) => result.bad.push({ line, why }),
		chunkDone: () => undefined,
	};
	if (kind === 'array') await readJsonArray(chunked(text, cuts), handlers, 'test.json');
	else await readNdjson(chunked(text, cuts), handlers, 'test.ndjson');
	return result;
}

const awkward = [
	{ a: 'comma, inside', b: ['x', 'y'], c: { d: '}]' } },
	{ a: 'quote " and backslash \\', b: [], c: { d: '\\' } },
	{ a: 'line\nbreak', e: null, f: 1.5e3, g: true },
	{ nested: [{ deep: [[1, 2], { x: '[{' }] }] },
	{ unicode: 'é 日本 \u2028 😀' },
];

describe('the JSON readers', () => {
	it('splits a JSON array into its elements wherever the chunks are cut, strings with brackets and escapes included', async () => {
		const text = `[\n${awkward.map((element) => JSON.stringify(element)).join(',\n')}\n]\n`;
		const rng = createRng(5);
		const cutsList = [
			[],
			...Array.from({ length: text.length - 1 }, (_, i) => [i + 1]),
			...Array.from({ length: 30 }, () => [rng.int(text.length), rng.int(text.length), rng.int(text.length)].sort((a, b) => a - b)),
		];
		for (const cuts of cutsList) {
			const result = await read('array', text, cuts);
			assert.deepEqual(
				result.records.map((record) => record.value),
				awkward,
				`cut at ${cuts.join(',')}`,
			);
			assert.deepEqual(
				result.records.map((record) => record.line),
				[2, 3, 4, 5, 6],
			);
		}
	});

	it('reads pretty-printed arrays and the empty array', async () => {
		const pretty = JSON.stringify(awkward, null, 2);
		assert.deepEqual(
			(await read('array', pretty, [17, 90])).records.map((record) => record.value),
			awkward,
		);
		assert.deepEqual((await read('array', ' [ ] ')).records, []);
		assert.deepEqual((await read('array', '[]')).records, []);
	});

	it('reports an element that is not an object or not valid JSON as a bad row and reads the rest', async () => {
		const result = await read('array', '[{"a":1}, 42, {"b":tru}, "text", null, {"c":3},]');
		assert.deepEqual(
			result.records.map((record) => record.value),
			[{ a: 1 }, { c: 3 }],
		);
		assert.equal(result.bad.length, 5);
		assert.match(result.bad[0].why, /JSON number, not an object/);
		assert.match(result.bad[1].why, /not valid JSON/);
		assert.match(result.bad[4].why, /not valid JSON/);
	});

	it('stops with a clear error when the array is not closed, does not start with [ or has text after it', async () => {
		await assert.rejects(read('array', '[{"a":1}, {"b":2}'), (error: unknown) => error instanceof InputError && /never closed/.test(error.message));
		await assert.rejects(read('array', '[{"a":{"b":1}, {"c":2}]'), (error: unknown) => error instanceof InputError && /never closed/.test(error.message));
		await assert.rejects(read('array', '{"a":1}'), (error: unknown) => error instanceof InputError && /does not start with "\["/.test(error.message));
		await assert.rejects(read('array', '[{"a":1}] junk'), (error: unknown) => error instanceof InputError && /more text after/.test(error.message));
		await assert.rejects(read('array', '   '), (error: unknown) => error instanceof InputError && /empty/.test(error.message));
	});

	it('reads NDJSON line by line, skipping blank lines and counting lines for bad rows', async () => {
		const text = `${JSON.stringify(awkward[0])}\r\n\n  \n${JSON.stringify(awkward[1])}\n{"broken": \n[1,2]\n${JSON.stringify(awkward[2])}`;
		for (const cuts of [[], [5], [40, 41, 42], Array.from({ length: text.length }, (_, i) => i)]) {
			const result = await read('ndjson', text, cuts);
			assert.deepEqual(
				result.records.map((record) => [record.value, record.line]),
				[
					[awkward[0], 1],
					[awkward[1], 4],
					[awkward[2], 7],
				],
			);
			assert.deepEqual(
				result.bad.map((bad) => bad.line),
				[5, 6],
			);
			assert.match(result.bad[1].why, /JSON array, not an object/);
		}
	});
});
