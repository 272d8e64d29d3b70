import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { parseModel } from '../../core/model/io';
import { runCli } from '../support/cli';
import { customerTable } from '../support/profileTable';

const dir = path.resolve('test-output/cli-table');

const run = runCli;

function write(name: string, text: string): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, text);
	return file;
}

const customers = customerTable;

describe('propensity train and score with a table', function () {
	this.timeout(300_000);
	before(() => fs.mkdirSync(dir, { recursive: true }));

	it('trains a model on a profile table, scores the table, and writes a scores CSV', async () => {
		const table = write('customers.csv', customers(1200, 1));
		const model = path.join(dir, 'model.json');
		const trained = await run('train', '--table', table, '--label', 'converted', '--id', 'customer_id', '--model', model);
		assert.equal(trained.code, 0, trained.stderr);
		assert.match(trained.stdout, /Read 1,200 rows × 4 features/);
		assert.match(trained.stdout, /seeded random 20% of the rows \(240\).*A table has no time order/);
		assert.match(trained.stdout, /chosen by auto for the highest validation AUC/);
		assert.match(trained.stdout, /Validation \(240 rows.*AUC 0\.\d{3}/);
		assert.match(trained.stdout, /Quality: /);
		const saved = parseModel(fs.readFileSync(model, 'utf8'));
		assert.deepEqual(saved.features, {
			mode: 'table',
			columns: ['recency_days', 'orders', 'email_opens', 'spend'],
			idColumn: 'customer_id',
			labelColumn: 'converted',
		});

		const out = path.join(dir, 'scores.csv');
		const scored = await run('score', '--table', table, '--model', model, '--out', out);
		assert.equal(scored.code, 0, scored.stderr);
		assert.match(scored.stdout, /Scored 1,200 rows/);
		assert.match(scored.stdout, /: [\d,]+ high, [\d,]+ medium, [\d,]+ low\.\n/);
		const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
		assert.equal(lines[0], 'customer_id,probability,score,percentile,bucket');
		assert.equal(lines.length, 1201);
		const rows = lines.slice(1).map((line) => line.split(','));
		assert.equal(rows[0][0], 'c0');
		for (const [, probability, score, percentile, bucket] of rows) {
			const p = Number(probability);
			assert.ok(p >= 0 && p <= 1);
			assert.equal(Number(score), Math.round(p * 100));
			assert.ok(Number(percentile) >= 1 && Number(percentile) <= 100);
			assert.equal(bucket, Number(score) >= 75 ? 'high' : Number(score) >= 25 ? 'medium' : 'low');
		}
		assert.ok(rows.some((r) => r[3] === '100'));
	});

	it('writes identical model bytes for the same table and seed, whichever learner', async () => {
		const table = write('small.csv', customers(400, 2));
		for (const learner of ['gbdt', 'logistic', 'rf', 'nb']) {
			const a = path.join(dir, `a-${learner}.json`);
			const b = path.join(dir, `b-${learner}.json`);
			assert.equal(
				(await run('train', '--table', table, '--label', 'converted', '--ignore', 'customer_id', '--learner', learner, '--seed', '7', '--model', a))
					.code,
				0,
			);
			assert.equal(
				(await run('train', '--table', table, '--label', 'converted', '--ignore', 'customer_id', '--learner', learner, '--seed', '7', '--model', b))
					.code,
				0,
			);
			assert.equal(fs.readFileSync(a, 'utf8'), fs.readFileSync(b, 'utf8'), learner);
		}
	});

	it('numbers the rows when the table has no id column', async () => {
		const table = write('noid.csv', customers(300, 3).replace(/^customer_id,/, 'ref,'));
		const model = path.join(dir, 'noid.json');
		assert.equal((await run('train', '--table', table, '--label', 'converted', '--ignore', 'ref', '--learner', 'logistic', '--model', model)).code, 0);
		const out = path.join(dir, 'noid-scores.csv');
		const scored = await run('score', '--table', table, '--model', model, '--out', out);
		assert.match(scored.stdout, /rows numbered from 1/);
		const lines = fs.readFileSync(out, 'utf8').split('\n');
		assert.match(lines[0], /^row,probability/);
		assert.match(lines[1], /^1,/);
	});

	it('names a missing label column', async () => {
		const table = write('nolabel.csv', 'id,a\n1,2\n');
		const result = await run('train', '--table', table, '--label', 'converted', '--model', path.join(dir, 'x.json'));
		assert.equal(result.code, 1);
		assert.match(result.stderr, /no label column "converted" \(its columns are "id", "a"\)/);
	});

	it('names the row and column of a non-numeric cell', async () => {
		const table = write('text.csv', 'a,b,y\n1,2,0\n3,four,1\n');
		const result = await run('train', '--table', table, '--label', 'y', '--model', path.join(dir, 'x.json'));
		assert.equal(result.code, 1);
		assert.match(result.stderr, /Row 2 \(line 3\) of .*text\.csv, column "b": "four" is not a number/);
	});

	it('refuses a table whose label holds one class only', async () => {
		const table = write('one.csv', 'a,y\n1,1\n2,1\n3,1\n');
		const result = await run('train', '--table', table, '--label', 'y', '--model', path.join(dir, 'x.json'));
		assert.equal(result.code, 1);
		assert.match(result.stderr, /holds only 1s \(3 rows\): a model needs rows where the outcome happened \(1\) and rows where it did not \(0\)/);
	});

	it('refuses label values other than 0 and 1', async () => {
		const table = write('yes.csv', 'a,y\n1,yes\n2,no\n');
		const result = await run('train', '--table', table, '--label', 'y', '--model', path.join(dir, 'x.json'));
		assert.match(result.stderr, /label "y" is "yes"; labels must be 1/);
	});

	it('explains its options when one is missing or wrong', async () => {
		const noTable = await run('train', '--label', 'y', '--model', 'x.json');
		assert.equal(noTable.code, 2);
		assert.match(noTable.stderr, /--table FILE\.csv/);
		const badLearner = await run('train', '--table', 't.csv', '--label', 'y', '--learner', 'svm', '--model', 'x.json');
		assert.equal(badLearner.code, 2);
		assert.match(badLearner.stderr, /Unknown learner "svm"/);
	});

	it('refuses to score a table that lacks a model column, naming it', async () => {
		const table = write('train2.csv', customers(300, 4));
		const model = path.join(dir, 'm2.json');
		assert.equal((await run('train', '--table', table, '--label', 'converted', '--id', 'customer_id', '--learner', 'nb', '--model', model)).code, 0);
		const partial = write('partial.csv', 'customer_id,orders,spend\nc1,2,30\n');
		const result = await run('score', '--table', partial, '--model', model, '--out', path.join(dir, 's.csv'));
		assert.equal(result.code, 1);
		assert.match(result.stderr, /lacks 2 feature columns the model needs: "recency_days", "email_opens"/);
	});

	it('refuses a file that is not a model', async () => {
		const notModel = write('goal.json', '{"name": "buy"}');
		const result = await run('score', '--table', notModel, '--model', notModel, '--out', path.join(dir, 's.csv'));
		assert.match(result.stderr, /not a Propensity model/);
	});
});
