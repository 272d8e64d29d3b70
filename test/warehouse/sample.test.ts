/**
 * Sampling above the cap: the hash that chooses the sample is the same number in this
 * process, in PostgreSQL and in the ClickHouse cluster; a model trained from a warehouse on a
 * sample is byte for byte the model trained in memory on the same sample, and it records how
 * it was sampled.
 */
import assert from 'node:assert/strict';
import { EventTableBuilder } from '../../core/events/table';
import { parseGoal } from '../../core/goal';
import { type SamplePlan, hashRange, sampleHash } from '../../core/features/sample';
import { writeSimulation } from '../../core/simulate';
import { trainModel, trainWarehouse } from '../../core/pipeline';
import { openEvents } from '../../core/warehouse/client';
import { warehouseSampledGroups } from '../../core/warehouse/examples';
import { sampleHashSql } from '../../core/warehouse/sample';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../support/cli';
import { type ShopAttribute, engines, purchaseGoal, shopColumns, shopRows, writeRows } from './support';

const ids = ['c1', 'customer-000042', '', "o'brien", 'back\\slash', 'tab\there', 'Zoë', '東京', '🙂 smile', 'a'.repeat(300), '0', '-1'];

const attributes: ShopAttribute[] = ['country'];
const columns = shopColumns(attributes);

const goal = purchaseGoal;
/** The same goal turned around: no purchase in the window (positives are the profiles without one). */
const churnGoal = { ...purchaseGoal, name: 'no-purchase-soon', propensityType: 'churn', outcome: { ...purchaseGoal.outcome, occur: 'will_not_occur' } };

const DAY = 86_400_000;

/**
 * The (profile, cutoff) groups an aggregation must hold for a sample, worked out here: those
 * with an event read at the cutoff (within the lookback, or a goal event within the window
 * after it), whose profile's hash is below the threshold of its class at that cutoff, or below
 * the no-goal-event class's (a profile may be of either class at another cutoff).
 */
function groupsTheSampleCanKeep(rows: readonly Record<string, unknown>[], cutoffs: readonly number[], plan: SamplePlan, willOccur: boolean): Set<string> {
	const lookback = purchaseGoal.lookbackDays * DAY;
	const window = purchaseGoal.outcome.windowDays * DAY;
	const withEvent = willOccur ? plan.positiveThreshold : plan.negativeThreshold;
	const without = willOccur ? plan.negativeThreshold : plan.positiveThreshold;
	const read = new Set<string>();
	const goalAfter = new Set<string>();
	for (const row of rows) {
		const id = row.customer_id as string;
		const t = row.timestamp as number;
		const purchase = row.event_type === 'purchase';
		for (const at of cutoffs) {
			if (t >= at - lookback && (t <= at || (purchase && t <= at + window))) read.add(`${id} ${at}`);
			if (purchase && t > at && t <= at + window) goalAfter.add(`${id} ${at}`);
		}
	}
	return new Set(
		[...read].filter((group) => {
			const hash = sampleHash(group.slice(0, group.lastIndexOf(' ')), plan.seed);
			return hash < without || (goalAfter.has(group) && hash < withEvent);
		}),
	);
}

describe('sampling the examples above a cap', () => {
	for (const engine of engines) {
		it(`computes the same 32-bit hash of (seed, profile id) as this process (${engine})`, async () => {
			const rows = ids.map((id, i) => ({ customer_id: id, timestamp: Date.UTC(2024, 0, 1 + i), event_type: 'visit', value: null, country: null }));
			const source = await writeRows(engine, 'sample_hash', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				for (const seed of [0, 1, 4294967295]) {
					const answer = await client.rows(
						`SELECT customer_id AS id, ${sampleHashSql(mapped.dialect, 'customer_id', seed)} AS h FROM ${mapped.table}`,
						[],
					);
					assert.equal(answer.length, ids.length);
					for (const row of answer) {
						const id = String(row.id ?? '');
						assert.equal(Number(row.h), sampleHash(id, seed), `hash of ${JSON.stringify(id)} with seed ${seed}`);
					}
				}
			} finally {
				await client.close();
			}
		});
	}

	const rows = shopRows({ profiles: 1500, seed: 5, historyDays: 240 }, attributes);
	const builder = new EventTableBuilder([{ name: 'country', kind: 'category' as const }]);
	for (const row of rows)
		builder.add(row.customer_id as string, row.timestamp as number, row.event_type as string, (row.value as number | undefined) ?? NaN, [
			(row.country as string | undefined) ?? undefined,
		]);
	const table = builder.build().table;
	const settings = { learner: 'gbdt', minPositives: 30, minNegatives: 30, seed: 7 };
	let full: Promise<string> | undefined;
	let sampled: Promise<string> | undefined;

	it('in memory: keeps every positive, samples negatives to the cap, records it and corrects the probabilities', async () => {
		full ??= trainModel(table, goal, settings).then((outcome) => outcome.modelText);
		const whole = JSON.parse(await full);
		const eligible = whole.metrics.training.rows + whole.metrics.validation.rows;
		const cap = Math.floor(eligible / 3);
		sampled ??= trainModel(table, goal, { ...settings, maxExamples: cap }).then((outcome) => outcome.modelText);
		const model = JSON.parse(await sampled);
		assert.equal(whole.sample, undefined);
		const { positives, negatives } = model.sample;
		assert.equal(positives.eligible + negatives.eligible, eligible);
		assert.equal(positives.kept, positives.eligible, 'every positive is kept');
		assert.ok(negatives.kept < negatives.eligible);
		const kept = model.metrics.training.rows + model.metrics.validation.rows;
		assert.equal(kept, positives.kept + negatives.kept);
		assert.ok(Math.abs(kept - cap) < 0.15 * cap, `${kept} rows kept for a cap of ${cap}`);
		// The base rate is the population's, not the sample's (which is higher: negatives were dropped).
		const sampleRate = model.metrics.validation.positives / model.metrics.validation.rows;
		assert.ok(model.metrics.validation.baseRate < sampleRate * 0.8, `${model.metrics.validation.baseRate} vs ${sampleRate} in the sample`);
		assert.ok(Math.abs(model.metrics.validation.baseRate - whole.metrics.validation.baseRate) < 0.5 * whole.metrics.validation.baseRate);
		assert.match(model.notes.join(' '), /sampled above/);
	});

	for (const engine of engines) {
		it(`from the warehouse, on the same sample: the same model bytes as in memory (${engine})`, async () => {
			full ??= trainModel(table, goal, settings).then((outcome) => outcome.modelText);
			const whole = JSON.parse(await full);
			const cap = Math.floor((whole.metrics.training.rows + whole.metrics.validation.rows) / 3);
			sampled ??= trainModel(table, goal, { ...settings, maxExamples: cap }).then((outcome) => outcome.modelText);
			const source = await writeRows(engine, 'sample_events', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				const outcome = await trainWarehouse(client, mapped, goal, { ...settings, maxExamples: cap });
				assert.ok(outcome.model.sample && outcome.model.sample.negatives.kept < outcome.model.sample.negatives.eligible);
				assert.equal(outcome.modelText, await sampled);
			} finally {
				await client.close();
			}
		});
	}

	for (const engine of engines) {
		it(`a memory budget lowers the cap the same way in memory and in the warehouse, and the model says so (${engine})`, async () => {
			// 1 MB holds about 1,400 rows of these features, fewer than are eligible.
			const budgeted = { ...settings, memoryBudgetMb: 1 };
			const inMemory = await trainModel(table, goal, budgeted);
			const sample = inMemory.model.sample;
			assert.ok(sample && sample.memoryBudgetMb === 1 && sample.negatives.kept < sample.negatives.eligible, JSON.stringify(sample));
			const features = inMemory.summary.features;
			assert.equal(sample.maxExamples, Math.floor(2 ** 20 / (features * 12 + 128)));
			assert.match(inMemory.model.notes.join(' '), /the most that a memory budget of 1 MB holds/);
			const source = await writeRows(engine, 'sample_budget', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				const outcome = await trainWarehouse(client, mapped, goal, budgeted);
				assert.equal(outcome.modelText, inMemory.modelText);
			} finally {
				await client.close();
			}
		});
	}

	for (const engine of engines) {
		for (const [goalName, aimed, willOccur] of [
			['a purchase', goal, true],
			['no purchase', churnGoal, false],
		] as const) {
			it(`the warehouse aggregates exactly the groups the sample can keep, a fraction of all (${goalName}, ${engine})`, async () => {
				const source = await writeRows(engine, 'sample_groups', columns, rows);
				const { client, columns: mapped } = await openEvents(source);
				try {
					const last = Math.max(...rows.map((row) => row.timestamp as number));
					const three = [last - 100 * DAY, last - 70 * DAY, last - 40 * DAY].map((at) => Math.floor(at / DAY) * DAY);
					// Willing to keep a tenth of the no-goal-event class, half of the other: the two ways in are both taken.
					const tenth = Math.floor(hashRange / 10);
					const half = hashRange / 2;
					const plan: SamplePlan = {
						maxExamples: 1000,
						seed: 7,
						positiveThreshold: willOccur ? half : tenth,
						negativeThreshold: willOccur ? tenth : half,
					};
					for (const cutoffs of [three, three.slice(1, 2)]) {
						const groups = await warehouseSampledGroups(client, mapped, parseGoal(aimed), cutoffs, plan);
						const got = new Set(groups.map((group) => `${group.id} ${group.cutoff}`));
						assert.equal(got.size, groups.length, 'each group once');
						const expected = groupsTheSampleCanKeep(rows, cutoffs, plan, willOccur);
						const all = groupsTheSampleCanKeep(rows, cutoffs, { ...plan, positiveThreshold: hashRange, negativeThreshold: hashRange }, willOccur);
						assert.deepEqual([...got].sort(), [...expected].sort(), `${cutoffs.length} cutoffs`);
						assert.ok(expected.size < 0.4 * all.size, `${expected.size} of ${all.size} groups at ${cutoffs.length} cutoffs`);
						assert.ok(expected.size > 0.1 * all.size, `${expected.size} of ${all.size} groups at ${cutoffs.length} cutoffs`);
					}
				} finally {
					await client.close();
				}
			});
		}

		it(`from the warehouse, a churn goal's sample: the same model bytes as in memory (${engine})`, async () => {
			const whole = await trainModel(table, churnGoal, settings);
			const cap = Math.floor((whole.model.metrics.training.rows + whole.model.metrics.validation.rows) / 3);
			const inMemory = await trainModel(table, churnGoal, { ...settings, maxExamples: cap });
			assert.ok(
				inMemory.model.sample && inMemory.model.sample.positives.kept < inMemory.model.sample.positives.eligible,
				JSON.stringify(inMemory.model.sample),
			);
			const source = await writeRows(engine, 'sample_churn', columns, rows);
			const { client, columns: mapped } = await openEvents(source);
			try {
				const outcome = await trainWarehouse(client, mapped, churnGoal, { ...settings, maxExamples: cap });
				assert.equal(outcome.modelText, inMemory.modelText);
			} finally {
				await client.close();
			}
		});
	}

	it('the command line takes the cap as --max-examples and refuses one under 2 rows, before reading any event', async () => {
		const dir = path.join('test-output', 'warehouse-sample');
		fs.mkdirSync(dir, { recursive: true });
		const goalFile = path.join(dir, 'goal.json');
		fs.writeFileSync(goalFile, JSON.stringify(goal));
		const trainWith = (option: string, value: string) =>
			runCli('train', '--events', path.join(dir, 'no-such-events.csv'), '--goal', goalFile, '--model', path.join(dir, 'm.json'), option, value);
		const run = await trainWith('--max-examples', '1');
		assert.equal(run.code, 2, run.stderr);
		assert.match(run.stderr, /--max-examples must be a whole number from 2/);
		const budget = await trainWith('--memory-budget', 'lots');
		assert.equal(budget.code, 2, budget.stderr);
		assert.match(budget.stderr, /--memory-budget is "lots"; give whole megabytes from 1 to 1000000 \(e\.g\. 256\), none to lift the budget/);
	});

	it('the command line lifts the memory budget with --memory-budget none: every example row, as with a cap above them', async () => {
		const dir = path.join('test-output', 'warehouse-sample-none');
		fs.mkdirSync(dir, { recursive: true });
		const goalFile = path.join(dir, 'goal.json');
		fs.writeFileSync(goalFile, JSON.stringify(goal));
		const eventsFile = path.join(dir, 'events.csv');
		await writeSimulation({ profiles: 5000, seed: 7, historyDays: 240, format: 'csv', out: eventsFile });
		const train = (budget: string, out: string) =>
			runCli(
				'train',
				'--events',
				eventsFile,
				'--goal',
				goalFile,
				'--learner',
				'gbdt',
				'--seed',
				'7',
				'--model',
				path.join(dir, out),
				'--memory-budget',
				budget,
			);
		const budgeted = await train('1', 'budgeted.json');
		assert.equal(budgeted.code, 0, budgeted.stderr);
		assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'budgeted.json'), 'utf8')).sample.memoryBudgetMb, 1);
		const lifted = await train('none', 'lifted.json');
		assert.equal(lifted.code, 0, lifted.stderr);
		assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'lifted.json'), 'utf8')).sample, undefined);
	});
});
