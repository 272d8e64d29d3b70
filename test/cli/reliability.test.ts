/**
 * The CLI under the reliability issue (#11): a trained model is always readable, a bad model name
 * costs no training, a failing store loses no file, and outputs can be links or devices.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writeSimulation } from '../../core/simulate';
import { runCli } from '../support/cli';

const dir = path.resolve('test-output/cli-reliability');
const file = (name: string) => path.join(dir, name);

// The reproduction: a visit within 60 days, on 1,500 simulated profiles with seed 12.
const visitGoal = {
	name: 'visit-in-60-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 60, when: { all: [{ field: 'eventType', op: 'equals', value: 'visit' }] } },
	eligibility: { all: [{ activeWithinDays: 90 }] },
	lookbackDays: 365,
};

describe('the CLI keeps what it makes readable and whole', function () {
	this.timeout(600_000);

	before(async () => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		await writeSimulation({ profiles: 1500, seed: 12, format: 'csv', out: file('events.csv') });
		fs.writeFileSync(file('goal.json'), JSON.stringify(visitGoal));
	});

	it('scores with the model it just trained and saved (it once saved a model no one could load)', async () => {
		const trained = await runCli(
			'train',
			'--events',
			file('events.csv'),
			'--goal',
			file('goal.json'),
			'--model',
			file('model.json'),
			'--store',
			file('store'),
		);
		assert.equal(trained.code, 0, trained.stderr);
		const scored = await runCli(
			'score',
			'--events',
			file('events.csv'),
			'--store',
			file('store'),
			'--name',
			'visit-in-60-days',
			'--out',
			file('scores.csv'),
		);
		assert.equal(scored.code, 0, scored.stderr);
		assert.match(scored.stdout, /Scored [\d,]+ of [\d,]+ profiles/);
	});

	it('refuses a goal name the store cannot hold before loading or training anything', async () => {
		fs.writeFileSync(file('spaced.json'), JSON.stringify({ ...visitGoal, name: 'visit within 60 days' }));
		const run = await runCli(
			'train',
			'--events',
			file('missing-events.csv'),
			'--goal',
			file('spaced.json'),
			'--model',
			file('spaced-model.json'),
			'--store',
			file('store'),
		);
		assert.notEqual(run.code, 0);
		assert.match(run.stderr, /name: "visit within 60 days" cannot name the model in the store: .*e\.g\. "visit-within-60-days"/);
		const named = await runCli(
			'train',
			'--events',
			file('missing-events.csv'),
			'--goal',
			file('goal.json'),
			'--name',
			'my model',
			'--model',
			file('spaced-model.json'),
		);
		assert.notEqual(named.code, 0);
		assert.match(named.stderr, /The model name "my model" is not allowed/);
		assert.equal(fs.existsSync(file('spaced-model.json')), false);
	});

	it('keeps the model file and the report when the store cannot be written, and says so', async () => {
		fs.writeFileSync(file('not-a-folder'), '');
		const run = await runCli(
			'train',
			'--events',
			file('events.csv'),
			'--goal',
			file('goal.json'),
			'--model',
			file('kept.json'),
			'--report',
			file('kept.html'),
			'--store',
			path.join(file('not-a-folder'), 'store'),
		);
		assert.notEqual(run.code, 0);
		assert.match(
			run.stderr,
			/Could not open the model store folder .*\nThe model was not saved in the store, but .*kept\.json and .*kept\.html were written and kept/,
		);
		assert.ok(fs.statSync(file('kept.json')).size > 1000);
		assert.match(fs.readFileSync(file('kept.html'), 'utf8'), /<html/);
	});

	it('writes score and segment CSV cells that spreadsheets cannot run as formulas when asked, and reads them back as they were', async () => {
		// Every country (a loaded attribute) turned into something a spreadsheet would run: =, +, - or @ at the start.
		const marks = ['=', '+', '-', '@'];
		const hostile = fs
			.readFileSync(file('events.csv'), 'utf8')
			.replace(/^(cust-(\d+),.*,)([A-Z]{2})$/gm, (_, head: string, id: string, country: string) => `${head}${marks[Number(id) % 4]}${country}`);
		fs.writeFileSync(file('hostile.csv'), hostile);
		const plain = await runCli('score', '--events', file('hostile.csv'), '--model', file('model.json'), '--out', file('plain.csv'));
		assert.equal(plain.code, 0, plain.stderr);
		const safe = await runCli('score', '--events', file('hostile.csv'), '--model', file('model.json'), '--spreadsheet-safe', '--out', file('safe.csv'));
		assert.equal(safe.code, 0, safe.stderr);
		const countriesOf = (csv: string) => {
			const [header, ...rows] = fs.readFileSync(csv, 'utf8').trim().split('\n');
			const column = header.split(',').indexOf('country');
			assert.ok(column > 0 && rows.length > 100, csv);
			return rows.map((row) => row.split(',')[column]);
		};
		assert.ok(
			countriesOf(file('plain.csv')).every((country) => /^[=+\-@][A-Z]{2}$/.test(country)),
			'without the option the cells are as loaded',
		);
		assert.ok(
			countriesOf(file('safe.csv')).every((country) => /^'[=+\-@][A-Z]{2}$/.test(country)),
			'with it each starts with an apostrophe',
		);
		assert.ok(
			fs
				.readFileSync(file('safe.csv'), 'utf8')
				.split('\n')
				.slice(1)
				.every((line) => !/(^|,)[=+@]/.test(line)),
			'no cell starts a formula',
		);

		const segment = await runCli(
			'segment',
			'--scores',
			file('safe.csv'),
			'--rule',
			'bucket=high',
			'--spreadsheet-safe',
			'--out',
			file('segment.csv'),
			'--non-members',
			file('rest.ndjson'),
		);
		assert.equal(segment.code, 0, segment.stderr);
		assert.ok(countriesOf(file('segment.csv')).every((country) => /^'[=+\-@][A-Z]{2}$/.test(country)));
		const rest = fs
			.readFileSync(file('rest.ndjson'), 'utf8')
			.trim()
			.split('\n')
			.map((line) => JSON.parse(line));
		assert.ok(
			rest.length > 100 && rest.every((row) => /^[=+\-@][A-Z]{2}$/.test(row.attributes.country)),
			'the reader gave back the countries without the apostrophe',
		);
	});

	it('writes the model through a symbolic link and the report into a FIFO, replacing neither', async () => {
		fs.mkdirSync(file('models'), { recursive: true });
		fs.symlinkSync(path.join('models', 'current.json'), file('linked.json'));
		execFileSync('mkfifo', [file('report.fifo')]);
		const chunks: Buffer[] = [];
		const reading = new Promise<void>((resolve, reject) => {
			fs.createReadStream(file('report.fifo'))
				.on('data', (chunk) => chunks.push(chunk as Buffer))
				.on('end', resolve)
				.on('error', reject);
		});
		const run = await runCli(
			'train',
			'--events',
			file('events.csv'),
			'--goal',
			file('goal.json'),
			'--model',
			file('linked.json'),
			'--report',
			file('report.fifo'),
		);
		assert.equal(run.code, 0, run.stderr);
		await reading;
		assert.ok(fs.lstatSync(file('linked.json')).isSymbolicLink());
		assert.match(fs.readFileSync(file('models/current.json'), 'utf8'), /"format": "propensity-model"/);
		assert.ok(fs.lstatSync(file('report.fifo')).isFIFO());
		assert.match(Buffer.concat(chunks).toString('utf8'), /<!DOCTYPE html>/);
	});
});
