/**
 * The standing robustness suite: seeded random mutations of the documentation's goals and of
 * a trained model file, random bad rows in every loader format, and a PostgreSQL connection
 * lost mid-load. Its invariants: no stack trace reaches the user (every failure is a
 * PropensityError with a stable code and a short message), accepted + rejected + duplicates
 * = rows read, and no model that was saved fails to load. Same seed, same cases; under two minutes.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Client } from 'pg';
import { PropensityError } from '../../core/errors';
import { loadEvents, type EventFormat } from '../../core/events/load';
import type { EventTable } from '../../core/events/table';
import { defineGoal, openStore, parseModel, saveModel, loadModel, scoreProfiles, serializeModel, trainModel } from '../../core/pipeline';
import { createRng, type Rng } from '../../core/util/rng';
import { ownPostgres } from '../support/postgres';

const seed = Number(process.env.PROPENSITY_ROBUSTNESS_SEED ?? 20261206);
const root = path.resolve(__dirname, '../../..');

/** Checks the invariant on a failure: a PropensityError with a code, a short message and no stack trace in it. */
function assertClean(error: unknown, what: string): void {
	if (!(error instanceof PropensityError))
		assert.fail(
			`${what}: a ${(error as Error)?.constructor?.name ?? typeof error} reached the user: ${String((error as Error)?.stack ?? error).slice(0, 800)}`,
		);
	assert.match(error.code, /^[a-z0-9-]+$/, `${what}: code "${error.code}"`);
	assert.ok(error.message.length > 20 && error.message.length < 20000, `${what}: a message of ${error.message.length} characters`);
	assert.doesNotMatch(error.message, /\n\s+at [^\n]+:\d+:\d+/, `${what}: a stack trace in the message`);
}

async function outcome<T>(work: () => T | Promise<T>, what: string): Promise<T | undefined> {
	try {
		return await work();
	} catch (error) {
		assertClean(error, what);
		return undefined;
	}
}

function pick<T>(rng: Rng, items: readonly T[]): T {
	return items[rng.int(items.length)];
}

/** Text of every ```json block in the documentation that holds a goal. */
function documentedGoals(): string[] {
	const files = [
		path.join(root, 'README.md'),
		...(fs.existsSync(path.join(root, 'docs'))
			? fs
					.readdirSync(path.join(root, 'docs'))
					.filter((f) => f.endsWith('.md'))
					.map((f) => path.join(root, 'docs', f))
			: []),
	];
	const goals: string[] = [];
	for (const file of files) {
		for (const match of fs.readFileSync(file, 'utf8').matchAll(/```json\n([\s\S]*?)```/g)) if (match[1].includes('"propensityType"')) goals.push(match[1]);
	}
	return goals;
}

const hostileValues: unknown[] = [
	null,
	true,
	-1,
	0,
	1.7e308,
	'x',
	'',
	'\u0000',
	'<script>alert(1)</script>',
	[],
	{},
	[[[]]],
	{ all: [] },
	{ any: [{}] },
	'9'.repeat(400),
	Array.from({ length: 20000 }, (_v, i) => i),
	-0,
	2 ** 53 + 1,
];

/** One random change to a JSON value: drop, replace, retype, nest or lengthen something in it. */
function mutateJson(rng: Rng, value: unknown, depth = 0): unknown {
	if (typeof value !== 'object' || value === null || depth > 12 || rng.next() < 0.15) {
		const choice = rng.int(4);
		if (choice === 0) return pick(rng, hostileValues);
		if (choice === 1) {
			let nested: unknown = value;
			for (let i = 0, n = pick(rng, [2, 50, 700, 5000]); i < n; i++) nested = { all: [nested] };
			return nested;
		}
		if (choice === 2) return typeof value === 'number' ? -value * 1e300 : typeof value === 'string' ? value.split('').reverse().join('') : String(value);
		return undefined;
	}
	const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
	const keys = Object.keys(copy);
	if (keys.length === 0 || rng.next() < 0.1) {
		(copy as Record<string, unknown>)[pick(rng, ['extra', 'all', 'any', 'field', '__proto__', 'constructor'])] = pick(rng, hostileValues);
		return copy;
	}
	const key = pick(rng, keys);
	(copy as Record<string, unknown>)[key] = mutateJson(rng, (copy as Record<string, unknown>)[key], depth + 1);
	return copy;
}

/** One random change to text: cut it, flip bytes, add a BOM or junk. */
function mutateText(rng: Rng, text: string): string {
	const at = rng.int(text.length + 1);
	switch (rng.int(5)) {
		case 0:
			return text.slice(0, at);
		case 1:
			return text.slice(0, at) + String.fromCharCode(rng.int(0x3000)) + text.slice(at + 1);
		case 2:
			return `\uFEFF${text}`;
		case 3:
			return text.slice(0, at) + pick(rng, ['"', ',', '}', ']', '{', '[', '\\', 'NaN', 'Infinity', '1e999']) + text.slice(at);
		default:
			return text.replace(/\d/, pick(rng, ['-', '99999999999999999999', '.', 'e']));
	}
}

describe('robustness (seeded)', function () {
	this.timeout(120000);
	let table: EventTable;
	let modelText: string;

	before(async () => {
		const rows: object[] = [];
		const rng = createRng(seed);
		const start = Date.UTC(2025, 0, 1);
		for (let p = 0; p < 400; p++) {
			const buyer = rng.next() < 0.4;
			for (let e = 0; e < 12; e++) {
				const time = start + rng.int(300) * 86_400_000;
				const type = buyer && rng.next() < 0.3 ? 'purchase' : pick(rng, ['visit', 'visit', 'email_click', 'app_launch']);
				rows.push({
					customer_id: `c${p}`,
					timestamp: new Date(time).toISOString(),
					event_type: type,
					value: type === 'purchase' ? 10 + rng.int(200) : '',
					country: pick(rng, ['US', 'CA', 'GB', 'FR']),
					email: `c${p}@example.org`,
					campaign: pick(rng, ['sale', 'spring sale', 'news']),
				});
			}
		}
		table = (await loadEvents({ kind: 'rows', rows })).table;
		const goal = {
			name: 'robust',
			propensityType: 'conversion',
			outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
			lookbackDays: 90,
			training: { cutoffs: 3 },
		};
		modelText = (await trainModel(table, goal, { learner: 'logistic', seed: 1, minPositives: 5, minNegatives: 5 })).modelText;
	});

	it('reads or refuses cleanly 600 random mutations of the documented goals, checked against events too', async () => {
		const goals = documentedGoals();
		assert.ok(goals.length >= 3, `found ${goals.length} documented goals`);
		const rng = createRng(seed + 1);
		for (let i = 0; i < 600; i++) {
			const text = pick(rng, goals);
			// Objects go in as they are (a node hands the goal over that way); text covers the files.
			const mutated = rng.next() < 0.3 ? mutateText(rng, text) : mutateJson(rng, JSON.parse(text));
			await outcome(() => defineGoal(mutated, table, { now: Date.UTC(2026, 0, 1), minPositives: 5, minNegatives: 5 }), `goal mutation ${i}`);
		}
	});

	it('reads or refuses cleanly 300 random mutations of a model file, and any model read back scores or refuses cleanly', async () => {
		const rng = createRng(seed + 2);
		const original = JSON.parse(modelText) as object;
		let scored = 0;
		for (let i = 0; i < 300; i++) {
			const mutated = rng.next() < 0.4 ? mutateText(rng, modelText) : mutateJson(rng, original);
			const model = await outcome(() => parseModel(mutated as string | object), `model mutation ${i}`);
			if (!model) continue;
			// What was read must write and read back: a saved model never fails to load.
			parseModel(serializeModel(model));
			if (scored++ < 20)
				await outcome(async () => (await scoreProfiles(table, model, { now: Date.UTC(2026, 0, 1) })).all(), `scoring with model mutation ${i}`);
		}
	});

	it('loads the model it saves in a store, by name', async () => {
		const dir = path.resolve(root, 'test-output/robustness/store');
		fs.rmSync(dir, { recursive: true, force: true });
		const store = await openStore({ kind: 'folder', path: dir });
		try {
			const model = parseModel(modelText);
			await saveModel(store, model, modelText);
			assert.equal(serializeModel((await loadModel(store, model.name)).model), modelText);
		} finally {
			await store.close();
		}
	});

	const formats: { name: string; format: EventFormat | 'rows'; gzip?: boolean }[] = [
		{ name: 'CSV', format: 'csv' },
		{ name: 'gzipped CSV', format: 'csv', gzip: true },
		{ name: 'NDJSON', format: 'ndjson' },
		{ name: 'a JSON array', format: 'json' },
		{ name: 'flow items', format: 'rows' },
	];
	const goodRow = (rng: Rng, i: number) => ({
		customer_id: `c${rng.int(50)}`,
		timestamp: new Date(Date.UTC(2025, 0, 1) + i * 60000).toISOString(),
		event_type: pick(rng, ['visit', 'purchase']),
		value: rng.int(100),
		channel: pick(rng, ['web', 'app']),
	});
	const badValues: unknown[] = [
		'',
		null,
		'not a time',
		'2024-02-30',
		'1e309',
		'9'.repeat(400),
		'Infinity',
		'NaN',
		'\uFFFD',
		'"',
		'"unclosed',
		'\r',
		'\n',
		',',
		'1,5',
		[1, [2]],
		{ deep: 1 },
		true,
		-1,
		1e21,
		'2024-13-45T99:99:99Z',
		'\u0000',
	];
	for (const { name, format, gzip } of formats) {
		it(`counts every row of ${name} with random bad rows: accepted + rejected + duplicates = rows read, under skip and fail`, async () => {
			const rng = createRng(seed + name.length * 7919);
			for (let round = 0; round < 8; round++) {
				const rows: Record<string, unknown>[] = [];
				for (let i = 0; i < 200; i++) {
					const row: Record<string, unknown> = goodRow(rng, i);
					if (rng.next() < 0.3) row[pick(rng, Object.keys(row))] = pick(rng, badValues);
					if (rng.next() < 0.02) row[pick(rng, ['customer_id', 'channel', 'value'])] = format === 'rows' ? deepArray() : deepMarker;
					rows.push(row);
				}
				const source =
					format === 'rows'
						? ({ kind: 'rows', rows } as const)
						: ({ kind: 'buffer', data: encode(rng, rows, format, gzip), fileName: `events.${format}${gzip ? '.gz' : ''}`, format } as const);
				for (const badRows of ['skip', 'fail'] as const) {
					const loaded = await outcome(
						() => loadEvents(source, { badRows, dropDuplicates: rng.next() < 0.5, attributes: { channel: 'channel' } }),
						`${name} round ${round} (${badRows})`,
					);
					if (!loaded) continue;
					const { report } = loaded;
					assert.equal(
						report.eventsLoaded + report.rejected.total + report.duplicatesDropped,
						report.rowsRead,
						`${name} round ${round}: ${JSON.stringify(report.rejected.byReason)}`,
					);
					assert.equal(loaded.table.length, report.eventsLoaded);
					for (const example of report.rejected.examples) assert.ok(example.message.length < 2000 && /Fix:|: /.test(example.message));
				}
			}
		});
	}

	it('ends a PostgreSQL load with a clean error within 5 seconds when its backend is terminated mid-load', async () => {
		const server = await ownPostgres();
		try {
			const connection = { host: server.host, port: server.port, user: server.user, password: server.password, database: server.database };
			const query =
				"select 'c' || (g % 100) as customer_id, timestamp '2024-01-01' + g * interval '1 second' as timestamp, 'visit' as event_type from (select generate_series(1, 50000000) as g) as series";
			let struck: number | undefined;
			const admin = new Client(connection);
			await admin.connect();
			let error: unknown;
			try {
				await loadEvents(
					{ kind: 'postgres', connection, query, batchSize: 1000 },
					{},
					{
						onProgress: (progress) => {
							if (struck === undefined && progress.done >= 5000) {
								struck = Date.now();
								void admin
									.query(
										"select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid() and backend_type = 'client backend'",
									)
									.catch(() => undefined);
							}
						},
					},
				);
			} catch (caught) {
				error = caught;
			} finally {
				await admin.end().catch(() => undefined);
			}
			assertClean(error, 'the PostgreSQL load');
			assert.equal((error as PropensityError).code, 'postgres-connection-lost');
			assert.ok(struck !== undefined && Date.now() - struck < 5000);
		} finally {
			server.stop();
		}
	});
});

/** Stands for an array nested 10,000 levels in rows written as text (JSON.stringify cannot write one). */
const deepMarker = '__deep__';
const deepText = `${'['.repeat(10000)}1${']'.repeat(10000)}`;

function deepArray(): unknown {
	let deep: unknown = 1;
	for (let d = 0; d < 10000; d++) deep = [deep];
	return deep;
}

/** Rows as a file in `format`, with a few random raw lines added for the text formats. */
function encode(rng: Rng, rows: Record<string, unknown>[], format: EventFormat, gzip = false): Buffer {
	let text: string;
	const columns = ['customer_id', 'timestamp', 'event_type', 'value', 'channel'];
	const cell = (value: unknown) => {
		const s = typeof value === 'object' && value !== null ? JSON.stringify(value) : value === null || value === undefined ? '' : String(value);
		return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
	};
	const junk = () => pick(rng, ['', '"', 'a,b', ',,,,,,,,', '{', '[1,2]', 'null', '\u0000\u0001', '\uFFFD\uFFFD', '"a""b",c']);
	if (format === 'csv') {
		const lines = rows.map((row) => columns.map((column) => cell(row[column])).join(','));
		if (rng.next() < 0.5) lines.splice(rng.int(lines.length), 0, junk());
		text = `${columns.join(',')}\n${lines.join('\n')}\n`;
	} else if (format === 'ndjson') {
		const lines = rows.map((row) => JSON.stringify(row));
		if (rng.next() < 0.5) lines.splice(rng.int(lines.length), 0, junk());
		text = `${lines.join('\n')}\n`;
	} else {
		text = JSON.stringify(rows);
	}
	const bytes = Buffer.from(text.split(JSON.stringify(deepMarker)).join(deepText).split(deepMarker).join(deepText));
	if (rng.next() < 0.2) bytes[rng.int(bytes.length)] = 0xff;
	return gzip ? zlib.gzipSync(bytes) : bytes;
}
