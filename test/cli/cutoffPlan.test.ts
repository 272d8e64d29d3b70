/**
 * Nobody chooses the cutoffs: `propensity goal --events` (readiness) and `propensity train` say
 * which were planned and why, in the same words, and the model keeps them.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseModel } from '../../core/model/io';
import { writeSimulation } from '../../core/simulate';
import { runCli } from '../support/cli';

const dir = path.resolve('test-output/cli-cutoff-plan');
const file = (name: string) => path.join(dir, name);

/** The "Cutoffs (…): …" line a command printed. */
function planLine(stdout: string): string {
	const line = stdout.split('\n').find((text) => text.startsWith('Cutoffs ('));
	assert.ok(line, `a cutoff plan line was printed:\n${stdout}`);
	return line;
}

describe('propensity goal and train print the cutoff plan in words', function () {
	this.timeout(600_000);

	before(async () => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		// 80 days of a shop: too short for training cutoffs a whole 30-day window before the validation cutoff.
		await writeSimulation({ profiles: 4000, seed: 3, historyDays: 80, format: 'csv', out: file('short.csv') });
	});

	it('on a short history, readiness and training both say how many cutoffs, how far apart, and that the history is why', async () => {
		const goal = await runCli(
			'goal',
			'--outcome',
			'purchase',
			'--window',
			'30',
			'--lookback',
			'60',
			'--name',
			'buy-soon',
			'--events',
			file('short.csv'),
			'--out',
			file('goal.json'),
		);
		assert.equal(goal.code, 0, goal.stderr + goal.stdout);
		const planned = planLine(goal.stdout);
		assert.match(
			planned,
			/^Cutoffs \(planned automatically\): \d+ training cutoffs \d+ days apart up to the validation cutoff, because only \d+ days of history leave no room for them a whole 30-day window before it; a seeded 30% of the customers are kept out of training to check the model on/,
		);
		// The readiness lines that follow name each cutoff and its role.
		assert.match(goal.stdout, /\d{4}-\d\d-\d\d \(validation\): [\d,]+ eligible/);

		const train = await runCli('train', '--events', file('short.csv'), '--goal', file('goal.json'), '--learner', 'logistic', '--model', file('model.json'));
		assert.equal(train.code, 0, train.stderr + train.stdout);
		assert.equal(planLine(train.stdout), planned, 'training prints the plan readiness announced');
		const model = parseModel(fs.readFileSync(file('model.json'), 'utf8'));
		assert.equal(model.dataRange.plan?.chosenBy, 'automatic');
		assert.equal(model.dataRange.plan?.holdOutProfiles, true);
		assert.equal(`Cutoffs (planned automatically): ${model.dataRange.plan?.reason}.`, planned, 'the model records the same plan');
		const [, count, spacing] = /^Cutoffs \(planned automatically\): (\d+) training cutoffs (\d+) days apart/.exec(planned) ?? [];
		assert.equal(model.dataRange.cutoffs.length, Number(count) + 1, 'the training cutoffs and the validation one');
		const days = model.dataRange.cutoffs.map((cutoff) => Date.parse(cutoff) / 86_400_000);
		assert.ok(
			days.slice(1).every((day, k) => Math.abs(day - days[k] - Number(spacing)) < 1e-9),
			`cutoffs ${spacing} days apart: ${model.dataRange.cutoffs.join(', ')}`,
		);
	});

	it('says when a goal\u2019s own training block chose the cutoffs', async () => {
		const goal = JSON.parse(fs.readFileSync(file('goal.json'), 'utf8')) as Record<string, unknown>;
		fs.writeFileSync(file('own.json'), JSON.stringify({ ...goal, training: { cutoffs: 3, spacingDays: 7 } }));
		const train = await runCli(
			'train',
			'--events',
			file('short.csv'),
			'--goal',
			file('own.json'),
			'--learner',
			'logistic',
			'--model',
			file('own-model.json'),
		);
		assert.equal(train.code, 0, train.stderr + train.stdout);
		assert.equal(planLine(train.stdout), "Cutoffs (from the goal): 3 cutoffs 7 days apart, as the goal's training block sets.");
	});
});
