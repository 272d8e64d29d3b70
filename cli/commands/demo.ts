/**
 * `propensity demo`: the whole pipeline on simulated shop data in one go — simulate, load,
 * define a goal, train, score with factors, build a segment of likely buyers, and write the
 * report — so a fresh clone shows what the product does in about a minute.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
	buildSegment,
	defineGoal,
	loadEvents,
	openStore,
	parseRuleText,
	saveModel,
	scoreProfiles,
	trainModel,
	writeScoresFile,
	describeSegmentChange,
	writeSegmentFile,
	writeSimulation,
	withThousands,
	bucketCountsInWords,
} from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { writeFileAtomic } from '../shared';

/** The demo's goal: who will buy in the next 30 days, among customers seen in the last 45. */
export const demoGoal = {
	name: 'purchase-in-30-days',
	propensityType: 'conversion',
	outcome: { occur: 'will_occur', windowDays: 30, when: { all: [{ field: 'eventType', op: 'equals', value: 'purchase' }] } },
	eligibility: { all: [{ activeWithinDays: 45 }] },
	lookbackDays: 180,
} as const;

/** The demo's segment: the top 10% by score, announced once per person. */
const demoRule = 'top=10%';

const usage = `Usage: propensity demo --out DIR [--profiles N] [--seed S]

Runs the whole pipeline on a simulated online shop and writes into DIR:
  events.csv     the simulated experience events (about 39 per customer)
  goal.json      the goal: a purchase within 30 days, for customers active in the last 45
  model.json     the trained model (also saved in DIR/store as "purchase-in-30-days")
  report.html    the insights report (open it in a browser)
  scores.csv     every eligible customer's probability, score, bucket and top 3 factors
  segment.csv    the segment "likely-buyers" (top 10% by score): every member of this run
  entered.csv    the members who entered it since the last run (everyone on the first run;
                 nobody on a rerun with the same data: DIR/store remembers the members)

Options:
  --out DIR        where to write (created if needed)
  --profiles N     simulated customers (default 20000; 1000–1000000)
  --seed S         seeds the simulation and training (default 42)`;

export const demoCommand: Command = {
	name: 'demo',
	usage,
	options: { out: { type: 'string' }, profiles: { type: 'string' }, seed: { type: 'string' } },
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity demo: unexpected argument "${positionals[0]}".`, demoCommand);
		const dir = path.resolve(requireOption(options, 'out', demoCommand));
		const profiles = integerOption(options, 'profiles', demoCommand, { min: 1000, max: 1_000_000 }) ?? 20_000;
		const seed = integerOption(options, 'seed', demoCommand, { min: 0, max: 0xffffffff }) ?? 42;
		await fs.promises.mkdir(dir, { recursive: true });
		const file = (name: string) => path.join(dir, name);
		const say = (line: string) => io.stdout.write(`${line}\n`);
		const progress = terminalProgress(io);
		try {
			const simulated = await writeSimulation({ profiles, seed, format: 'csv', out: file('events.csv') }, progress);
			progress.finish();
			say(`Simulated ${withThousands(simulated.events)} events of ${withThousands(simulated.profiles)} customers → events.csv`);

			const loaded = await loadEvents({ kind: 'file', path: file('events.csv') }, { preset: 'flat' }, progress);
			progress.finish();
			const { goal, inWords, readiness } = defineGoal(demoGoal, loaded.table);
			await writeFileAtomic(file('goal.json'), `${JSON.stringify(demoGoal, null, 2)}\n`);
			say(
				`Goal: ${inWords} → goal.json (${withThousands(readiness?.totals.positives ?? 0)} positive examples over ${withThousands(readiness?.cutoffs.length ?? 0)} cutoffs)`,
			);

			const trained = await trainModel(loaded.table, goal, { seed, load: loaded }, progress);
			progress.finish();
			const store = await openStore({ kind: 'folder', path: file('store') });
			try {
				const saved = await saveModel(store, trained.model, trained.modelText);
				await writeFileAtomic(file('model.json'), trained.modelText);
				await writeFileAtomic(file('report.html'), trained.reportHtml);
				const s = trained.summary;
				say(
					`Trained ${s.learner} as of ${trained.model.dataRange.lastEvent}: validation AUC ${s.auc?.toFixed(3) ?? 'n/a'} (${s.grade}), base rate ${((s.baseRate ?? 0) * 100).toFixed(1)}% → model.json (store version ${saved.version}), report.html`,
				);

				const run = await scoreProfiles(loaded.table, trained.model, { explain: 3, modelVersion: saved.version }, progress);
				const scored = await run.all(progress);
				progress.finish();
				await writeScoresFile(file('scores.csv'), [scored], { factors: 3, attributes: run.summary.attributes });
				say(
					`Scored ${withThousands(run.summary.scored)} customers as of ${run.summary.scoreDate}: ${bucketCountsInWords(run.summary.buckets)} → scores.csv`,
				);

				const segment = await buildSegment(scored, parseRuleText(demoRule), {
					name: 'likely-buyers',
					mode: 'entered',
					store,
					runAt: run.summary.scoreDate,
				});
				// Every member in one file, the newcomers in another: a rerun's empty entered.csv is then plainly the change, not the segment.
				await writeSegmentFile(file('segment.csv'), segment.members);
				await writeSegmentFile(file('entered.csv'), segment.entered);
				say(
					`Segment "likely-buyers" (${segment.summary.rule}): ${withThousands(segment.members.length)} members → segment.csv; ${withThousands(segment.entered.length)} entered since the last run → entered.csv`,
				);
				if (segment.summary.previousRunAt !== null) say(describeSegmentChange(segment.summary));
				const top = segment.entered[0] ?? segment.members[0];
				if (top) say(`For example ${top.profileId} (${top.attributes.email ?? 'no email'}), score ${top.score}: ${top.factors[0] ?? ''}`);
			} finally {
				await store.close();
			}
		} finally {
			progress.finish();
		}
		say(`Done. Open ${file('report.html')} in a browser.`);
	},
};
