/**
 * `propensity segment`: picks the scored profiles a rule admits, compares them with the
 * segment's last run (when a store and name are given), and writes the members, the new
 * entrants or the leavers to a file.
 */
import fs from 'node:fs';
import { buildSegment, describeSegmentChange, InputError, openStore, parseRuleTexts, parseSegmentRule, readScoresFile, type SegmentMode, segmentModes, type SegmentRule, writeSegmentFile } from '../../core';
import { type CliIo, type Command, type OptionValues, requireOption, stringOption, UsageError } from '../command';

const usage = `Usage: propensity segment --scores SCORES.csv|.ndjson --rule RULE [--rule RULE …] [--rules-json FILE]
                          --out MEMBERS.csv|.ndjson [--name NAME --store DIR] [--mode all|entered|left]
                          [--non-members FILE] [--run-at ISO]

Picks the scored profiles a rule admits and writes them, with score, bucket, the top factors'
sentences and the loaded attributes (e.g. email), for a CRM or email step.

Options:
  --scores FILE       scores written by "propensity score" (CSV or NDJSON, gzipped or not)
  --rule RULE         clauses joined by commas, all of which must hold; repeat for more:
                        bucket=high|medium         score>=80   probability<0.2   percentile=90..100
                        top=100   top=10%          (highest scores; ties by probability, then profile id)
                        factor=FEATURE[:raises|:lowers][:K]      factor.label=WORDS[:raises|:lowers][:K]
                        attr.NAME=VALUE[|VALUE]   attr.NAME!=VALUE   attr.NAME~TEXT   attr.NAME?   attr.NAME>=3
                        !CLAUSE negates a clause; double quotes keep commas in a value: attr.city="Paris, 75"
  --rules-json FILE   the rule as JSON (all, any, not, bucket, score, probability, percentile, top,
                      factor, attribute); combined with --rule clauses, all must hold
  --out FILE          where to write the rows the mode asks for (.csv, .ndjson or .jsonl)
  --name NAME         the segment's name; with --store its membership is remembered under it
  --store DIR         the model store folder that remembers memberships between runs
  --mode MODE         all: every member (default); entered: only those new since the last run
                      (everyone on the first run); left: only those gone since the last run
  --non-members FILE  also write the scored profiles outside the segment
  --run-at ISO        this run's time, saved with the membership (default: now)

Examples:
  propensity segment --scores scores.csv --rule "bucket=high,attr.email?" --out high.csv
  propensity segment --scores scores.ndjson --rule "top=10%" --rule "factor=email_click_count_30d:raises:3" \\
    --name email-fans --store ./store --mode entered --out new-email-fans.csv`;

export const segmentCommand: Command = {
	name: 'segment',
	summary: 'pick the scored profiles a rule admits (all, newly entered, or left since the last run)',
	usage,
	options: {
		scores: { type: 'string' },
		rule: { type: 'string', multiple: true },
		'rules-json': { type: 'string' },
		out: { type: 'string' },
		name: { type: 'string' },
		store: { type: 'string' },
		mode: { type: 'string' },
		'non-members': { type: 'string' },
		'run-at': { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity segment: unexpected argument "${positionals[0]}".`, segmentCommand);
		const scoresFile = requireOption(options, 'scores', segmentCommand);
		const out = requireOption(options, 'out', segmentCommand);
		const rule = await rulesFrom(options);
		const mode = modeFrom(options);
		const name = stringOption(options, 'name');
		const storeDir = stringOption(options, 'store');
		if (storeDir && !name) throw new UsageError('propensity segment: --store needs --name, the segment whose membership it remembers.', segmentCommand);
		if (mode !== 'all' && !storeDir) throw new UsageError(`propensity segment: --mode ${mode} compares with the last run, so it needs --store DIR and --name NAME.`, segmentCommand);

		const scored = await readScoresFile(scoresFile);
		const store = storeDir ? await openStore({ kind: 'folder', path: storeDir }) : undefined;
		try {
			const result = await buildSegment(scored, rule, { name, mode, store, runAt: stringOption(options, 'run-at') ?? new Date().toISOString() });
			await writeSegmentFile(out, result.output);
			const nonMembersFile = stringOption(options, 'non-members');
			if (nonMembersFile) await writeSegmentFile(nonMembersFile, result.nonMembers);

			const { summary } = result;
			const count = (n: number) => n.toLocaleString('en-US');
			const lines = [`Segment${summary.name ? ` "${summary.name}"` : ''} (${summary.rule}): ${count(summary.members)} of ${count(summary.scored)} scored profiles are members.`];
			const change = describeSegmentChange(summary);
			if (change) lines.push(change);
			const what = mode === 'all' ? 'members' : mode === 'entered' ? 'entered profiles' : 'profiles that left';
			lines.push(`Wrote ${count(summary.output)} ${what} to ${out}${nonMembersFile ? `, and ${count(summary.nonMembers)} non-members to ${nonMembersFile}` : ''}.`);
			for (const warning of summary.warnings) lines.push(`Warning: ${warning}`);
			io.stdout.write(`${lines.join('\n')}\n`);
		} finally {
			await store?.close();
		}
	},
};

async function rulesFrom(options: OptionValues): Promise<SegmentRule> {
	const texts = (options.rule as string[] | undefined) ?? [];
	const jsonFile = stringOption(options, 'rules-json');
	if (texts.length === 0 && !jsonFile) throw new UsageError('propensity segment: give the rule with --rule or --rules-json.', segmentCommand);
	const rules: SegmentRule[] = [];
	if (texts.length > 0) rules.push(parseRuleTexts(texts));
	if (jsonFile) {
		let value: unknown;
		try {
			value = JSON.parse(await fs.promises.readFile(jsonFile, 'utf8'));
		} catch (error) {
			throw new InputError(`The rules file "${jsonFile}" could not be read as JSON: ${(error as Error).message}. Check the path and the JSON.`, 'bad-segment-rule');
		}
		rules.push(parseSegmentRule(value, `the rule in ${jsonFile}`));
	}
	return rules.length === 1 ? rules[0] : { all: rules };
}

function modeFrom(options: OptionValues): SegmentMode {
	const mode = stringOption(options, 'mode') ?? 'all';
	if (!(segmentModes as readonly string[]).includes(mode)) throw new UsageError(`propensity segment: --mode must be all, entered or left, not "${mode}".`, segmentCommand);
	return mode as SegmentMode;
}
