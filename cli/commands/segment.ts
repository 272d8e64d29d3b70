/**
 * `propensity segment`: picks the scored profiles a rule admits, compares them with the
 * segment's last run (when a store and name are given), and writes the members, the new
 * entrants or the leavers to a file.
 */
import fs from 'node:fs';
import {
	buildSegment,
	describeSegmentChange,
	InputError,
	isWarehouseUrl,
	parseWarehouseUrl,
	segmentInWarehouse,
	modelOfRun,
	type MappingOptions,
	type Model,
	parseFieldMap,
	type WarehouseSource,
	openStore,
	parseRuleTexts,
	parseSegmentRule,
	readScoresFile,
	resendSegmentRun,
	type SegmentMode,
	segmentModes,
	type SegmentResult,
	type SegmentRule,
	writeSegmentFile,
	withThousands,
} from '../../core';
import { type CliIo, type Command, integerOption, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { readModelFile } from '../shared';

const usage = `Usage: propensity segment --scores SCORES.csv|.ndjson --rule RULE [--rule RULE …] [--rules-json FILE]
                          --out MEMBERS.csv|.ndjson [--name NAME --store DIR] [--mode all|entered|left]
                          [--non-members FILE] [--run-at ISO] [--spreadsheet-safe]
       propensity segment --scores URL --rule RULE … --out FILE [--name NAME --store DIR] [--mode …]
                          [--events URL [--map MAP] [--model MODEL.json] [--explain K]]
       propensity segment --resend RUN --name NAME --store DIR [--mode entered|left] --out FILE
       propensity segment --runs --name NAME --store DIR

Picks the scored profiles a rule admits and writes them, with score, bucket, the top factors'
sentences and the loaded attributes (e.g. email), for a CRM or email step.

With --store, the new membership is committed only after every file was written: when a run
fails (a full disk, say), the next run finds the same entrants again, so each entrant is
delivered at least once. Each run is numbered and its entrants and leavers are kept in the
store (the last 30 runs): --resend RUN writes a past run's entrants (or, with --mode left, its
leavers) again, e.g. when the step after this one failed; --runs lists the kept runs.

With --scores naming a warehouse scores table (written by "propensity score --scores-table"),
the rule runs as SQL over the table's latest run and only the members come back. Leavers are
written with their profile id only. With --events naming the events table the run was scored
from (in the same database), the rows written carry the profile attributes as of the score
date and, with --explain K, each profile's top K factors: their features are computed by the
warehouse for those profiles only and explained here, as "propensity score --explain K" does.
The model is the run's, from --store (its name and version), or --model FILE. Factor and
attribute rules then apply too: the rest of the rule cuts the scored profiles down in SQL, and
the factor and attribute tests are judged here on what is left (at most 100,000 profiles).

Options:
  --scores FILE       scores written by "propensity score" (CSV or NDJSON, gzipped or not), or a
                      warehouse scores table, as for --events:
                        postgres://USER@HOST:PORT/DATABASE?table=SCHEMA.TABLE
                        clickhouse://USER@HOST:PORT/DATABASE?table=TABLE (HTTP port)
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
  --events URL        with a warehouse --scores: the events table the run was scored from, for
                      attributes, factors and the rules on them (same URL form, same database)
  --map MAP           the events table's columns, as for "propensity score"
  --model FILE        the model that scored the run (default: the run's model in --store)
  --explain K         with --events: add each profile's top K factors (0–20; factor rules need K ≥ 1)
  --run-at ISO        this run's time, saved with the membership (default: now)
  --spreadsheet-safe  CSV: write text cells starting with = + - @, a tab or a carriage return with
                      a leading apostrophe, so spreadsheets never run them as formulas (read back
                      without it by --scores)
  --resend RUN        write the entrants of kept run RUN (a number, or latest) again; changes nothing
  --runs              list the kept runs of the segment (number, time, entered, left)

Examples:
  propensity segment --scores scores.csv --rule "bucket=high,attr.email?" --out high.csv
  propensity segment --scores 'clickhouse://default@ch1.internal:8123/shop?table=scores' --rule "top=10%" \\
    --name top-decile --store ./store --mode entered --out new-top-decile.csv
  propensity segment --scores 'postgres://app@db.internal:5432/shop?table=public.scores' \\
    --events 'postgres://app@db.internal:5432/shop?table=public.events' --explain 3 \\
    --rule "top=5%,factor=email_click_count_30d:raises:3" --name email-fans --store ./store --mode entered --out fans.csv
  propensity segment --scores scores.ndjson --rule "top=10%" --rule "factor=email_click_count_30d:raises:3" \\
    --name email-fans --store ./store --mode entered --out new-email-fans.csv`;

export const segmentCommand: Command = {
	name: 'segment',
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
		events: { type: 'string' },
		map: { type: 'string' },
		model: { type: 'string' },
		explain: { type: 'string' },
		'run-at': { type: 'string' },
		resend: { type: 'string' },
		runs: { type: 'boolean' },
		'spreadsheet-safe': { type: 'boolean' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity segment: unexpected argument "${positionals[0]}".`, segmentCommand);
		if (options.runs === true || stringOption(options, 'resend') !== undefined) return pastRuns(options, io);
		const scoresFile = requireOption(options, 'scores', segmentCommand);
		const out = requireOption(options, 'out', segmentCommand);
		const rule = await rulesFrom(options);
		const mode = modeFrom(options);
		const name = stringOption(options, 'name');
		const storeDir = stringOption(options, 'store');
		if (storeDir && !name) throw new UsageError('propensity segment: --store needs --name, the segment whose membership it remembers.', segmentCommand);
		if (mode !== 'all' && !storeDir)
			throw new UsageError(`propensity segment: --mode ${mode} compares with the last run, so it needs --store DIR and --name NAME.`, segmentCommand);

		const warehouse = isWarehouseUrl(scoresFile) ? parseWarehouseUrl(scoresFile) : undefined;
		if (warehouse && stringOption(options, 'non-members'))
			throw new UsageError(
				'propensity segment: --non-members needs a scores file; from a warehouse scores table only the members come back.',
				segmentCommand,
			);
		const details = warehouse ? await detailsFrom(options, warehouse) : undefined;
		if (!warehouse) {
			const only = ['events', 'map', 'model', 'explain'].find((option) => options[option] !== undefined);
			if (only)
				throw new UsageError(
					`propensity segment: --${only} applies to a warehouse scores table (--scores URL); a scores file carries its factors and attributes already (score with --explain K).`,
					segmentCommand,
				);
		}
		const scored = warehouse ? [] : await readScoresFile(scoresFile);
		const store = storeDir ? await openStore({ kind: 'folder', path: storeDir }) : undefined;
		try {
			const nonMembersFile = stringOption(options, 'non-members');
			// Every file is written before the membership is committed, so a failed write loses no entrant.
			const fileOptions = { spreadsheetSafe: options['spreadsheet-safe'] === true };
			const deliver = async (built: SegmentResult) => {
				await writeSegmentFile(out, built.output, fileOptions);
				if (nonMembersFile) await writeSegmentFile(nonMembersFile, built.nonMembers, fileOptions);
			};
			const settings = { name, mode, store, runAt: stringOption(options, 'run-at') ?? new Date().toISOString(), deliver };
			const scoresTable = warehouse ? (warehouse.schema ? `${warehouse.schema}.${warehouse.table}` : warehouse.table) : '';
			const model = details?.file ?? (store ? modelOfRun(store) : undefined);
			if (details && !model)
				throw new UsageError(
					'propensity segment: --events needs the model that scored the run: --store DIR (the run names it) or --model FILE.',
					segmentCommand,
				);
			const result = warehouse
				? await segmentInWarehouse(details?.source ?? warehouse, rule, {
						...settings,
						scoresTable,
						...(details && model ? { details: { model, explain: details.explain, mapping: details.mapping } } : {}),
					})
				: await buildSegment(scored, rule, settings);

			const { summary } = result;
			const count = (n: number) => withThousands(n);
			const lines = [
				`Segment${summary.name ? ` "${summary.name}"` : ''} (${summary.rule}): ${count(summary.members)} of ${count(summary.scored)} scored profiles are members.`,
			];
			const change = describeSegmentChange(summary);
			if (change) lines.push(change);
			const what = mode === 'all' ? 'members' : mode === 'entered' ? 'entered profiles' : 'profiles that left';
			lines.push(
				`Wrote ${count(summary.output)} ${what} to ${out}${nonMembersFile ? `, and ${count(summary.nonMembers)} non-members to ${nonMembersFile}` : ''}.`,
			);
			if (summary.run !== null) lines.push(`Kept as run ${summary.run} of "${summary.name}": resend its entrants with --resend ${summary.run}.`);
			for (const warning of summary.warnings) lines.push(`Warning: ${warning}`);
			io.stdout.write(`${lines.join('\n')}\n`);
		} finally {
			await store?.close();
		}
	},
};

/** --events, --map, --model and --explain for a warehouse scores table; undefined without --events. */
async function detailsFrom(
	options: OptionValues,
	scores: WarehouseSource,
): Promise<{ source: WarehouseSource; mapping: MappingOptions; file?: Model; explain: number } | undefined> {
	const events = stringOption(options, 'events');
	const explain = integerOption(options, 'explain', segmentCommand, { min: 0, max: 20 }) ?? 0;
	if (!events) {
		const only = ['map', 'model', 'explain'].find((option) => options[option] !== undefined);
		if (only)
			throw new UsageError(
				`propensity segment: --${only} needs --events URL, the events table the run was scored from (the factors and attributes are read there).`,
				segmentCommand,
			);
		return undefined;
	}
	if (!isWarehouseUrl(events))
		throw new UsageError(
			'propensity segment: --events must name the warehouse events table (postgres://… or clickhouse://…) the scores were computed from.',
			segmentCommand,
		);
	const source = parseWarehouseUrl(events);
	if (source.engine !== scores.engine || source.host !== scores.host || source.port !== scores.port || source.database !== scores.database)
		throw new UsageError(
			'propensity segment: --events and --scores must name tables in the same warehouse database (same engine, host, port and database).',
			segmentCommand,
		);
	const map = stringOption(options, 'map');
	const file = stringOption(options, 'model');
	const model = file ? await readModelFile(file) : undefined;
	return { source, mapping: map ? parseFieldMap(map) : {}, explain, ...(model ? { file: model } : {}) };
}

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
			throw new InputError(
				`The rules file "${jsonFile}" could not be read as JSON: ${(error as Error).message}. Check the path and the JSON.`,
				'bad-segment-rule',
			);
		}
		rules.push(parseSegmentRule(value, `the rule in ${jsonFile}`));
	}
	return rules.length === 1 ? rules[0] : { all: rules };
}

function modeFrom(options: OptionValues): SegmentMode {
	const mode = stringOption(options, 'mode') ?? 'all';
	if (!(segmentModes as readonly string[]).includes(mode))
		throw new UsageError(`propensity segment: --mode must be all, entered or left, not "${mode}".`, segmentCommand);
	return mode as SegmentMode;
}

/** --runs (list the kept runs) and --resend RUN (write a kept run's entrants or leavers again). */
async function pastRuns(options: OptionValues, io: CliIo): Promise<void> {
	const name = stringOption(options, 'name');
	const storeDir = stringOption(options, 'store');
	const what = options.runs === true ? '--runs' : '--resend';
	if (!name || !storeDir)
		throw new UsageError(`propensity segment: ${what} needs --name NAME and --store DIR, the segment whose runs the store keeps.`, segmentCommand);
	if (options.runs === true && stringOption(options, 'resend') !== undefined)
		throw new UsageError('propensity segment: give either --runs or --resend RUN, not both.', segmentCommand);
	for (const other of ['scores', 'rule', 'rules-json', 'non-members', 'run-at', 'events', 'map', 'model', 'explain']) {
		if (options[other] !== undefined)
			throw new UsageError(`propensity segment: ${what} reads the runs kept in the store, so --${other} does not apply.`, segmentCommand);
	}
	const store = await openStore({ kind: 'folder', path: storeDir });
	try {
		if (options.runs === true) {
			const runs = await store.listSegmentRuns(name);
			const lines =
				runs.length === 0
					? [`Segment "${name}" has no kept runs in ${storeDir}.`]
					: runs.map(
							(run) => `run ${run.run}  ${run.runAt}  mode ${run.mode}: ${withThousands(run.entered)} entered, ${withThousands(run.left)} left`,
						);
			io.stdout.write(`${lines.join('\n')}\n`);
			return;
		}
		const out = requireOption(options, 'out', segmentCommand);
		const mode = stringOption(options, 'mode') ?? 'entered';
		if (mode !== 'entered' && mode !== 'left')
			throw new UsageError(
				`propensity segment: --resend writes a past run's entrants (--mode entered, the default) or leavers (--mode left), not "${mode}".`,
				segmentCommand,
			);
		const resend = stringOption(options, 'resend') as string;
		const run = resend === 'latest' ? 'latest' : /^\d+$/.test(resend) ? Number(resend) : NaN;
		if (Number.isNaN(run))
			throw new UsageError(
				`propensity segment: --resend takes a run number (as a run reports it, or as --runs lists) or "latest", not "${resend}".`,
				segmentCommand,
			);
		const past = await resendSegmentRun(store, name, run, mode);
		await writeSegmentFile(out, past.rows, { spreadsheetSafe: options['spreadsheet-safe'] === true });
		const what = mode === 'entered' ? 'entered profiles' : 'profiles that left';
		io.stdout.write(
			`Wrote the ${withThousands(past.rows.length)} ${what} of run ${past.run.run} of "${name}" (${past.run.runAt}) to ${out} again. The segment's membership is unchanged.\n`,
		);
	} finally {
		await store.close();
	}
}
