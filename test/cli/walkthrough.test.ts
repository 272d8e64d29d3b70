/**
 * "I have a CSV of orders": the five commands of docs/cli.md, read from the page and run as
 * written on a file of orders (made from the simulated shop's purchases), end to end: a goal,
 * a model, scores with reasons and a segment.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readScoresFile } from '../../core/segment/files';
import { writeSimulation } from '../../core/simulate';
import { runCli } from '../support/cli';

const repoRoot = path.resolve(__dirname, '../../..');
const dir = path.resolve('test-output/cli-walkthrough');

/** The walkthrough's shell block: its variable assignments and its commands, as a shell reads them. */
function walkthrough(): { commands: string[][]; orderLines: string[] } {
	const page = fs.readFileSync(path.join(repoRoot, 'docs/cli.md'), 'utf8');
	const section = page.slice(page.indexOf('## Your own data: a CSV of orders in five commands'));
	const [, sample] = /```\n(order_id[\s\S]*?)```/.exec(section) ?? [];
	const [, shell] = /```sh\n([\s\S]*?)```/.exec(section) ?? [];
	assert.ok(sample && shell, 'the section shows a sample of the file and the commands');
	const variables = new Map<string, string>();
	const commands: string[][] = [];
	for (const line of shell.split('\n').filter((text) => text.trim() !== '')) {
		const assignment = /^(\w+)=(\S+)$/.exec(line);
		if (assignment) {
			variables.set(assignment[1], assignment[2]);
			continue;
		}
		const words = [...line.matchAll(/"([^"]*)"|(\S+)/g)].map(
			(match) => match[1] ?? match[2].replace(/\$(\w+)/g, (_, name: string) => variables.get(name) ?? ''),
		);
		assert.equal(words[0], 'propensity', `"${line}" runs propensity`);
		commands.push(words.slice(1));
	}
	return { commands, orderLines: sample.trim().split('\n') };
}

describe('your own data: a CSV of orders in five commands (docs/cli.md)', function () {
	this.timeout(600_000);

	it('runs as written: load, goal, train, score and segment give a goal, a model, scores with reasons and a segment', async () => {
		fs.rmSync(dir, { recursive: true, force: true });
		fs.mkdirSync(dir, { recursive: true });
		const { commands, orderLines } = walkthrough();
		assert.deepEqual(
			commands.map((command) => command[0]),
			['load', 'goal', 'train', 'score', 'segment'],
		);

		// The shop's purchases as an orders export, in the header the page shows.
		await writeSimulation({ profiles: 8000, seed: 12, format: 'csv', out: path.join(dir, 'events.csv') });
		const [head, ...rows] = fs.readFileSync(path.join(dir, 'events.csv'), 'utf8').trimEnd().split('\n');
		const column = (name: string) => head.split(',').indexOf(name);
		const [type, email, time, value] = ['event_type', 'email', 'timestamp', 'value'].map(column);
		const orders = rows.map((row) => row.split(',')).filter((cells) => cells[type] === 'purchase');
		fs.writeFileSync(
			path.join(dir, 'orders.csv'),
			[orderLines[0], ...orders.map((cells, i) => `o${i + 1},${cells[email]},${cells[time]},${cells[value]}`)].join('\n') + '\n',
		);

		// File names in the commands are in the folder the user works in.
		const inDir = (word: string) => (/^[\w-]+\.(csv|json|html)$/.test(word) ? path.join(dir, word) : word);
		const outputs: string[] = [];
		for (const command of commands) {
			const run = await runCli(...command.map(inDir));
			assert.equal(run.code, 0, `propensity ${command.join(' ')}\n${run.stderr}`);
			outputs.push(run.stdout);
		}
		const [load, goal, train, score, segment] = outputs;
		const summary = JSON.parse(load).summary;
		assert.equal(summary.events, orders.length);
		assert.deepEqual(Object.keys(summary.eventsPerType), ['order']);
		assert.match(
			goal,
			/^Goal "order-in-30-days": An order within 30 days \(conversion\), for profiles active within the last 90 days\. Learns from the last 180 days of events\./,
		);
		assert.match(goal, /^Ready: "propensity train --goal .*goal\.json" can train it\.$/m);
		assert.equal(JSON.parse(fs.readFileSync(path.join(dir, 'goal.json'), 'utf8')).outcome.when.all[0].value, 'order');
		assert.match(train, /^As of .*Z \(the latest event/m);
		assert.match(train, /AUC 0\.\d+/);
		assert.ok(fs.statSync(path.join(dir, 'report.html')).size > 10_000);
		assert.match(score, /^Scored [\d,]+ of [\d,]+ profiles/);
		const scores = await readScoresFile(path.join(dir, 'scores.csv'));
		assert.ok(scores.length > 100, `${scores.length} scored`);
		assert.ok(
			scores.every((profile) => (profile.factors?.length ?? profile.factorSentences?.length ?? 0) > 0),
			'every score has its reasons',
		);
		assert.match(segment, /Segment \(in the top 10% by score\): [\d,]+ of [\d,]+ scored profiles are members\./);
		const members = fs.readFileSync(path.join(dir, 'segment.csv'), 'utf8').trim().split('\n').length - 1;
		assert.equal(members, Math.ceil(scores.length / 10));
	});

	it('refuses, with what to change, a goal the orders cannot train yet (and still writes it)', async () => {
		const run = await runCli(
			'goal',
			'--events',
			path.join(dir, 'orders.csv'),
			'--map',
			'id=customer_email,time=ordered_at,type==order,value=total',
			'--outcome',
			'order',
			'--window',
			'7',
			'--min-positives',
			'100000',
			'--out',
			path.join(dir, 'hard.json'),
		);
		assert.equal(run.code, 1);
		assert.match(run.stdout, /^Not ready yet:$/m);
		assert.match(run.stderr, /Found [\d,]+ positive examples \(profiles with an order within 7 days\).*training needs at least 100000\. To get more:/);
		assert.ok(fs.existsSync(path.join(dir, 'hard.json')));
	});
});
