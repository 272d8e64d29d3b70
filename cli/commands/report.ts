/**
 * `propensity report`: writes the self-contained HTML insights report that a model kept from
 * its training, or with --scores the report of a scoring run (today's scores against
 * training's, bucket counts, and a segment's members, entrants and leavers).
 */
import { openStore, readScoresFile, renderModelReport, scoringReport, segmentRunOf, type Model, withThousands } from '../../core';
import { type CliIo, type Command, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { modelSourceOptions, modelSourceUsage, readModelFrom, writeFileAtomic } from '../shared';

const usage = `Usage: propensity report (--model MODEL.json | --store DIR --name NAME [--version V]) --out REPORT.html
       propensity report --scores SCORES.csv|.ndjson [--model MODEL.json | --store DIR [--name NAME]]
                         [--segment SEGMENT] --out RUN.html

Writes the model's insights report: one HTML file with no outside references (charts are
inline SVG), to open in a browser, attach to an email or archive.

With --scores, writes the report of a scoring run instead: how the scores in the file spread
against the scores the model gave its validation profiles at training (with the model from
--model or --store --name; without it, this run alone), how many profiles each bucket holds
then and now, and with --segment the segment's latest run kept in the --store folder: its
members, who entered and who left since the run before (the 50 highest scores of each listed,
with their strongest reason when the scores were explained).

${modelSourceUsage}

Options:
  --scores FILE    scores written by "propensity score" (CSV or NDJSON, gzipped or not)
  --segment NAME   with --scores and --store: the segment whose latest run to show
  --out FILE       where to write the report

Examples:
  propensity report --model model.json --out report.html
  propensity report --scores scores.csv --store models --name purchase-in-30-days --segment likely-buyers --out run.html`;

export const reportCommand: Command = {
	name: 'report',
	usage,
	options: { ...modelSourceOptions, out: { type: 'string' }, scores: { type: 'string' }, segment: { type: 'string' } },
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity report: unexpected argument "${positionals[0]}".`, reportCommand);
		const out = requireOption(options, 'out', reportCommand);
		const scores = stringOption(options, 'scores');
		if (scores) return scoringRunReport(options, scores, out, io);
		if (stringOption(options, 'segment'))
			throw new UsageError('propensity report: --segment goes with --scores (the report of a scoring run).', reportCommand);
		const { model, version } = await readModelFrom(options, reportCommand);
		await writeFileAtomic(out, renderModelReport(model, version));
		io.stdout.write(`Report of "${model.name}" written to ${out}.\n`);
	},
};

async function scoringRunReport(options: OptionValues, scoresFile: string, out: string, io: CliIo): Promise<void> {
	const storeDir = stringOption(options, 'store');
	const segmentName = stringOption(options, 'segment');
	if (segmentName && !storeDir) throw new UsageError('propensity report: --segment needs --store DIR, the store that remembers the segment.', reportCommand);
	const withModel = stringOption(options, 'model') !== undefined || stringOption(options, 'name') !== undefined;
	let model: Model | undefined;
	let version: number | null = null;
	if (withModel) ({ model, version } = await readModelFrom(options, reportCommand));
	const profiles = await readScoresFile(scoresFile);
	let segment;
	if (segmentName && storeDir) {
		const store = await openStore({ kind: 'folder', path: storeDir });
		try {
			segment = await segmentRunOf(store, segmentName);
		} finally {
			await store.close();
		}
	}
	await writeFileAtomic(out, scoringReport({ profiles, model, version, segment }));
	const compared = model ? ` against the training of "${model.name}"` : '';
	const members = segment
		? `; segment "${segmentName}": ${withThousands(segment.members.length)} members, ${withThousands(segment.entered.length)} entered, ${withThousands(segment.left.length)} left`
		: '';
	io.stdout.write(`Report of the scoring run in ${scoresFile} (${withThousands(profiles.length)} profiles${compared}${members}) written to ${out}.\n`);
}
