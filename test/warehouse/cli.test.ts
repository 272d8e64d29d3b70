/**
 * The CLI with --events naming a warehouse table: load summarises by SQL, features and train
 * run in the warehouse, and bad input (a missing table or column, a wrong column type, a lost
 * connection, an unknown event type) ends in a clear error within seconds, never showing the password.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { describeSource } from '../../core/warehouse/source';
import type { WarehouseSource } from '../../core/warehouse/source';
import { runCli } from '../support/cli';
import { type TestEvent, at } from '../features/support';
import { type EngineName, engines, writeEvents, writeRows } from './support';

const dir = path.join('test-output', 'warehouse-cli');

/** The source as a URL with its password in it. */
function urlOf(source: WarehouseSource): string {
	const table = source.schema ? `${source.schema}.${source.table}` : source.table;
	return `${source.engine}://${source.user}:${encodeURIComponent(source.password)}@${source.host}:${source.port}/${source.database}?table=${table}`;
}

/** Two profiles a day for 200 days: visits, purchases every few days for some. */
function events(): TestEvent[] {
	const out: TestEvent[] = [];
	for (let p = 0; p < 60; p++) {
		for (let day = p % 7; day < 200; day += 3 + (p % 5)) {
			out.push({ profile: `c${p}`, day: day + 0.25, type: 'visit', channel: p % 2 ? 'web' : 'email', country: p % 3 ? 'DE' : 'US' });
			if ((day + p) % 4 === 0) out.push({ profile: `c${p}`, day: day + 0.5, type: 'purchase', value: 10 + (p % 9), channel: 'web' });
		}
	}
	return out;
}

const goal = {
	name: 'buy-again',
	propensityType: 'conversion',
	lookbackDays: 60,
	outcome: { occur: 'will_occur', windowDays: 14, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	training: { cutoffs: 4, spacingDays: 14 },
};

for (const engine of engines) {
	describe(`the CLI on a ${engine} table`, () => {
		let source: WarehouseSource;
		const goalFile = path.join(dir, `${engine}-goal.json`);

		before(async () => {
			fs.mkdirSync(dir, { recursive: true });
			fs.writeFileSync(goalFile, JSON.stringify(goal));
			source = await writeEvents(engine, 'cli_events', events());
		});

		it('load prints the summary computed by SQL, without the password', async () => {
			const run = await runCli('load', '--events', urlOf(source));
			assert.equal(run.code, 0, run.stderr);
			const { summary } = JSON.parse(run.stdout);
			const all = events();
			assert.equal(summary.events, all.length);
			assert.equal(summary.profiles, 60);
			assert.deepEqual(summary.eventTypes.map((entry: { type: string }) => entry.type).sort(), ['purchase', 'visit']);
			assert.equal(summary.firstEvent, new Date(Math.min(...all.map((e) => at(e.day as number)))).toISOString());
			assert.equal(summary.source, describeSource(source));
			assert.ok(!run.stdout.includes(source.password) && !run.stderr.includes(source.password));
		});

		it('features writes the eligible profiles computed in the warehouse', async () => {
			const out = path.join(dir, `${engine}-features.csv`);
			const run = await runCli('features', '--events', urlOf(source), '--goal', goalFile, '--out', out, '--as-of', new Date(at(150)).toISOString());
			assert.equal(run.code, 0, run.stderr);
			const summary = JSON.parse(run.stdout);
			const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
			assert.equal(lines.length - 1, summary.profiles);
			assert.ok(summary.profiles > 30);
			assert.match(lines[0], /^profile_id,.*,label$/);
		});

		it('train judges readiness in the warehouse (the password read from the environment) and refuses too few examples with the counts', async () => {
			const out = path.join(dir, `${engine}-model.json`);
			const withoutPassword = urlOf({ ...source, password: '' }).replace(':@', '@');
			process.env.PROPENSITY_WAREHOUSE_PASSWORD = source.password;
			try {
				const run = await runCli('train', '--events', withoutPassword, '--goal', goalFile, '--model', out, '--learner', 'logistic');
				assert.equal(run.code, 1, 'too few examples for the default minimums');
				assert.match(run.stderr, /positive examples/);
			} finally {
				delete process.env.PROPENSITY_WAREHOUSE_PASSWORD;
			}
		});

		it('a goal naming an unknown event type gets a "did you mean" from the warehouse', async () => {
			const bad = path.join(dir, `${engine}-typo.json`);
			fs.writeFileSync(
				bad,
				JSON.stringify({ ...goal, outcome: { ...goal.outcome, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchse' }] } } }),
			);
			const run = await runCli('features', '--events', urlOf(source), '--goal', bad, '--out', path.join(dir, 'never.csv'));
			assert.equal(run.code, 1);
			assert.match(run.stderr, /"purchse".*did you mean "purchase"/s);
		});

		it('a missing table, a missing column and a column of the wrong type are named, with the fix', async () => {
			const missingTable = await runCli('load', '--events', urlOf({ ...source, table: 'no_such_table' }));
			assert.equal(missingTable.code, 1);
			assert.match(missingTable.stderr, /does not exist/);
			const missingColumn = await runCli('load', '--events', urlOf(source), '--map', 'id=client');
			assert.equal(missingColumn.code, 1);
			assert.match(missingColumn.stderr, /no column "client" for the profile id.*--map id=COLUMN/s);
			const wrongType = await runCli('load', '--events', urlOf(source), '--map', 'value=channel');
			assert.equal(wrongType.code, 1);
			assert.match(wrongType.stderr, /"channel".*cannot be the value: it needs numbers/s);
			const hostileName = await runCli('load', '--events', urlOf(source), '--map', 'type=x"; DROP TABLE cli_events; --');
			assert.equal(hostileName.code, 1);
			for (const run of [missingTable, missingColumn, wrongType, hostileName]) assert.ok(!run.stderr.includes(source.password));
			const after = await runCli('load', '--events', urlOf(source));
			assert.equal(JSON.parse(after.stdout).summary.events, events().length, 'the table is intact');
		});

		it('a server that is not there is a clear error within seconds', async () => {
			const started = Date.now();
			const run = await runCli('load', '--events', urlOf({ ...source, port: 1 }));
			assert.equal(run.code, 1);
			assert.match(run.stderr, /Could not connect/);
			assert.ok(!run.stderr.includes(source.password));
			assert.ok(Date.now() - started < 15_000, `${Date.now() - started} ms`);
		});
	});
}

describe('a text timestamp column', () => {
	for (const engine of engines) {
		it(`is read as ISO 8601 (${engine})`, async () => {
			const source = await writeRows(
				engine,
				'text_times',
				[
					{ name: 'customer_id', kind: 'text' },
					{ name: 'timestamp', kind: 'time' },
					{ name: 'event_type', kind: 'text' },
				],
				[
					{ customer_id: 'a', timestamp: at(1), event_type: 'visit' },
					{ customer_id: 'b', timestamp: at(3.5), event_type: 'visit' },
				],
				{ textTime: true },
			);
			const run = await runCli('load', '--events', urlOf(source));
			assert.equal(run.code, 0, run.stderr);
			const { summary } = JSON.parse(run.stdout);
			assert.equal(summary.firstEvent, new Date(at(1)).toISOString());
			assert.equal(summary.lastEvent, new Date(at(3.5)).toISOString());
		});
	}
});

describe('a lost connection', () => {
	/** A TCP server that accepts and then resets every connection, or never answers. */
	async function fakeServer(behaviour: 'reset' | 'hang'): Promise<{ port: number; close(): void }> {
		const sockets = new Set<net.Socket>();
		const server = net.createServer((socket) => {
			sockets.add(socket);
			socket.on('error', () => undefined);
			if (behaviour === 'reset') socket.once('data', () => socket.resetAndDestroy());
		});
		await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
		return {
			port: (server.address() as net.AddressInfo).port,
			close() {
				for (const socket of sockets) socket.destroy();
				server.close();
			},
		};
	}

	const cases: [EngineName, 'reset' | 'hang', number][] = [
		['postgres', 'reset', 5_000],
		['clickhouse', 'reset', 5_000],
		['clickhouse', 'hang', 15_000],
	];
	for (const [engine, behaviour, limit] of cases) {
		it(`is a clear error within seconds (${engine}, a server that ${behaviour === 'reset' ? 'drops the connection' : 'never answers'})`, async () => {
			const fake = await fakeServer(behaviour);
			try {
				const started = Date.now();
				const source: WarehouseSource = {
					engine,
					host: '127.0.0.1',
					port: fake.port,
					user: 'u',
					password: 'secret-password',
					database: 'd',
					schema: engine === 'postgres' ? 'public' : undefined,
					table: 't',
				};
				const run = await runCli('load', '--events', urlOf(source));
				assert.equal(run.code, 1);
				assert.match(run.stderr, /Could not connect/);
				assert.ok(!run.stderr.includes('secret-password'));
				assert.ok(Date.now() - started < limit, `${Date.now() - started} ms`);
			} finally {
				fake.close();
			}
		});
	}
});
