/**
 * The CLI scoring into the warehouse and segmenting its scores table: `score --events URL
 * --scores-table NAME` appends one row per eligible profile there, `segment --scores URL`
 * runs the rule there and hands on the entrants, and neither prints the password.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { openStore, parseModel, saveModel, trainWarehouse } from '../../core/pipeline';
import { withWarehouse } from '../../core/warehouse/data';
import { connectWarehouse } from '../../core/warehouse/client';
import type { WarehouseSource } from '../../core/warehouse/source';
import { runCli } from '../support/cli';
import { engines, shopColumns, shopRows, writeRows } from './support';

const dir = path.join('test-output', 'warehouse-cli-score');

function urlOf(source: WarehouseSource, table = source.table): string {
	const qualified = source.schema ? `${source.schema}.${table}` : table;
	return `${source.engine}://${source.user}:${encodeURIComponent(source.password)}@${source.host}:${source.port}/${source.database}?table=${qualified}`;
}

const columns = shopColumns();

const goal = {
	name: 'buy-soon',
	propensityType: 'conversion',
	lookbackDays: 90,
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	training: { cutoffs: 3 },
};

function csvRows(file: string): string[] {
	return fs.readFileSync(file, 'utf8').trim().split('\n').slice(1).filter(Boolean);
}

for (const engine of engines) {
	describe(`the CLI scoring into ${engine}`, function () {
		this.timeout(600_000);
		let source: WarehouseSource;
		let lastEvent: number;
		const goalFile = path.join(dir, `${engine}-goal.json`);
		const modelFile = path.join(dir, `${engine}-model.json`);

		before(async () => {
			fs.mkdirSync(dir, { recursive: true });
			fs.writeFileSync(goalFile, JSON.stringify(goal));
			const rows = shopRows({ profiles: 600, seed: 4, historyDays: 200 });
			lastEvent = Math.max(...rows.map((row) => row.timestamp as number));
			source = await writeRows(engine, 'cli_score_events', columns, rows);
			const client = await connectWarehouse(source);
			try {
				await client.command('DROP TABLE IF EXISTS cli_scores', []);
			} finally {
				await client.close();
			}
			// Trained in the warehouse with lower readiness minimums than the CLI's, to keep the test small.
			const trained = await withWarehouse(source, {}, (events, mapped) =>
				trainWarehouse(events, mapped, goal, { learner: 'logistic', minPositives: 20, minNegatives: 20 }),
			);
			fs.writeFileSync(modelFile, trained.modelText);
		});

		it('score --scores-table appends the run in the warehouse; segment --scores hands on the entrants once', async () => {
			const scored = await runCli('score', '--events', urlOf(source), '--model', modelFile, '--scores-table', 'cli_scores');
			assert.equal(scored.code, 0, scored.stderr);
			const match = /Scored ([\d,]+) profiles .* in the warehouse/.exec(scored.stdout);
			assert.ok(match, scored.stdout);
			const count = Number(match[1].replace(/,/g, ''));
			assert.ok(count > 50, scored.stdout);
			assert.match(scored.stdout, new RegExp(`${count.toLocaleString('en-US')} rows appended to ${engine}://`));
			assert.ok(!scored.stdout.includes(source.password || 'no password') || source.password === '');

			const store = path.join(dir, `${engine}-store`);
			fs.rmSync(store, { recursive: true, force: true });
			const out = path.join(dir, `${engine}-entered.csv`);
			const segment = () =>
				runCli(
					'segment',
					'--scores',
					urlOf(source, 'cli_scores'),
					'--rule',
					'top=10%',
					'--name',
					'top-tenth',
					'--store',
					store,
					'--mode',
					'entered',
					'--out',
					out,
				);
			const first = await segment();
			assert.equal(first.code, 0, first.stderr);
			assert.equal(csvRows(out).length, Math.ceil(count / 10 - 1e-9));
			assert.match(first.stdout, new RegExp(`${Math.ceil(count / 10 - 1e-9)} of ${count.toLocaleString('en-US')} scored profiles are members`));
			const second = await segment();
			assert.equal(second.code, 0, second.stderr);
			assert.equal(csvRows(out).length, 0);
		});

		it('segment --scores --events --explain K hands on each member with its K reasons, and judges a factor rule', async () => {
			const store = path.join(dir, `${engine}-explain-store`);
			fs.rmSync(store, { recursive: true, force: true });
			const out = path.join(dir, `${engine}-explained.ndjson`);
			const explained = await runCli(
				'segment',
				'--scores',
				urlOf(source, 'cli_scores'),
				'--events',
				urlOf(source),
				'--model',
				modelFile,
				'--explain',
				'2',
				'--rule',
				'top=10%',
				'--out',
				out,
			);
			assert.equal(explained.code, 0, explained.stderr);
			const members = fs
				.readFileSync(out, 'utf8')
				.trim()
				.split('\n')
				.map((line) => JSON.parse(line) as { profileId: string; factors: string[] });
			assert.ok(members.length > 5);
			for (const member of members) {
				assert.equal(member.factors.length, 2, JSON.stringify(member));
				for (const sentence of member.factors) assert.match(sentence, /\w+.*(raises|lowers|chance)/i);
			}
			const feature = (JSON.parse(fs.readFileSync(modelFile, 'utf8')) as { features: { declarations: { name: string }[] } }).features.declarations[0]
				.name;
			const judged = await runCli(
				'segment',
				'--scores',
				urlOf(source, 'cli_scores'),
				'--events',
				urlOf(source),
				'--model',
				modelFile,
				'--explain',
				'2',
				'--rule',
				`top=10%,!factor=${feature}:1`,
				'--out',
				out,
			);
			assert.equal(judged.code, 0, judged.stderr);
			assert.match(judged.stdout, new RegExp(`not "${feature}" is a factor|"${feature}"`));
			const noModel = await runCli(
				'segment',
				'--scores',
				urlOf(source, 'cli_scores'),
				'--events',
				urlOf(source),
				'--explain',
				'2',
				'--rule',
				'top=10%',
				'--out',
				out,
			);
			assert.equal(noModel.code, 2);
			assert.match(noModel.stderr, /--events needs the model that scored the run/);
		});

		it('score --scores-table --store remembers the run without its rows; backtest --events URL judges it in the warehouse', async () => {
			const store = path.join(dir, `${engine}-runs`);
			fs.rmSync(store, { recursive: true, force: true });
			const opened = await openStore({ kind: 'folder', path: store });
			try {
				const text = fs.readFileSync(modelFile, 'utf8');
				await saveModel(opened, parseModel(text), text);
			} finally {
				await opened.close();
			}
			// Forty days before the last event: the 30-day outcome window has closed by the end of the events.
			const asOf = new Date(lastEvent - 40 * 86_400_000).toISOString();
			const scored = await runCli(
				'score',
				'--events',
				urlOf(source),
				'--store',
				store,
				'--name',
				goal.name,
				'--as-of',
				asOf,
				'--scores-table',
				'cli_runs',
			);
			assert.equal(scored.code, 0, scored.stderr);
			assert.match(scored.stdout, /The run is remembered in .* for "propensity backtest"/);
			const out = path.join(dir, `${engine}-backtest.json`);
			const backtest = await runCli('backtest', '--events', urlOf(source), '--store', store, '--name', goal.name, '--out', out);
			assert.equal(backtest.code, 0, backtest.stderr);
			const result = JSON.parse(fs.readFileSync(out, 'utf8')) as {
				runs: { backtest: { status: string; profiles: { scored: number; withOutcome: number } } }[];
			};
			assert.equal(result.runs.length, 1);
			assert.equal(result.runs[0].backtest.status, 'done');
			assert.ok(result.runs[0].backtest.profiles.withOutcome > 0);
			assert.equal(result.runs[0].backtest.profiles.withOutcome, result.runs[0].backtest.profiles.scored);
			assert.ok(!backtest.stdout.includes(source.password) || source.password === '');
		});

		it('asks for --scores-table when --events is a warehouse table, and refuses a factor rule over a scores table', async () => {
			const run = await runCli('score', '--events', urlOf(source), '--model', modelFile, '--out', path.join(dir, 'x.csv'));
			assert.equal(run.code, 2);
			assert.match(run.stderr, /--scores-table NAME/);
			const factor = await runCli('segment', '--scores', urlOf(source, 'cli_scores'), '--rule', 'factor=x', '--out', path.join(dir, 'y.csv'));
			assert.equal(factor.code, 1);
			assert.match(factor.stderr, /factor rule cannot run over a scores table in the warehouse/);
		});
	});
}
