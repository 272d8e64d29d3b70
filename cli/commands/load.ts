/**
 * `propensity load`: loads an events file through the same loader the nodes use and prints
 * the load summary and report as JSON on stdout; progress goes to a terminal only.
 */
import { type EventFormat, loadEvents, type LoadOptions, parseFieldMap, type PresetName, summarizeWarehouse, textEncodings, withWarehouse } from '../../core';
import { type CliIo, type Command, integerOption, type OptionsConfig, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { warehouseOption, warehouseUsage } from '../warehouse';

const usage = `Usage: propensity load --events FILE [--format auto|csv|ndjson|json] [--preset flat|xdm]
                       [--map id=PATH,time=PATH,type=PATH,value=PATH,attr.NAME=PATH]
                       [--namespace NS] [--time-zone ZONE] [--time-unit auto|seconds|milliseconds]
                       [--bad-rows fail|skip] [--drop-duplicates] [--max-examples N]
                       [--encoding utf-8|latin1|windows-1252|utf-16le|utf-16be]

A warehouse table is summarised by SQL where it is (nothing is loaded): {"summary": …}.

Loads experience events and prints {"summary": …, "report": …} as JSON: profiles, events,
first and last event, events per type, attributes, rejected rows by reason with examples
(row, line, field, value) and duplicates dropped.

Options:
  --events FILE        CSV, NDJSON or a JSON array; gzip-compressed or not (detected from the bytes)
${warehouseUsage}
  --format FORMAT      auto (default: by extension, then by the first character), csv, ndjson or json
  --preset PRESET      flat: customer_id, timestamp, event_type, value, other columns as attributes
                       xdm: XDM ExperienceEvent (identityMap or endUserIDs, timestamp, eventType,
                       orders from commerce.order.purchaseID, value from commerce.order.priceTotal)
                       default: xdm when the first record has identityMap or endUserIDs, else flat
  --map FIELDS         override single fields of the preset, comma-separated:
                         id=PATH  time=PATH  type=PATH  value=PATH (value= for none)
                         type==NAME gives every row the event type NAME (a file of orders)
                         attr.NAME=PATH  attr.NAME:number=PATH  namespace=NS
                       PATH is a column name or a dot path into nested JSON
                       (commerce.order.priceTotal, productListItems.0.SKU); declaring any attr.
                       replaces the preset's attributes
  --namespace NS       XDM identity namespace of the profile id (ECID, CRMID, Email, aaid…)
  --time-zone ZONE     zone of timestamps written without one: UTC (default), an IANA name
                       (Europe/Paris) or an offset (+02:00)
  --time-unit UNIT     numeric timestamps: auto (default; under 1e11 is seconds), seconds, milliseconds
  --bad-rows POLICY    fail (default): stop at the first bad row, naming it; skip: leave bad
                       rows out and report them
  --drop-duplicates    drop events repeating another's profile, time, type and value (counted)
  --max-examples N     examples kept per bad-row reason (default 5)
  --encoding ENC       the file's text encoding: utf-8 (default), latin1 (read as windows-1252),
                       windows-1252, utf-16le, utf-16be; a byte-order mark, and UTF-16 without
                       one, are detected; rows with bytes invalid in it are bad rows (bad-encoding)

Examples:
  propensity load --events events.csv
  propensity load --events export.json.gz --preset xdm --namespace CRMID --bad-rows skip
  propensity load --events orders.csv --map id=user,time=ts,type=kind,value=amount,attr.channel=source`;

const formats: EventFormat[] = ['auto', 'csv', 'ndjson', 'json'];
const presets: PresetName[] = ['flat', 'xdm'];

function choice<T extends string>(options: OptionValues, name: string, allowed: readonly T[]): T | undefined {
	const value = stringOption(options, name);
	if (value === undefined) return undefined;
	if (!(allowed as readonly string[]).includes(value)) {
		throw new UsageError(`propensity load: --${name} must be one of ${allowed.join(', ')}, not "${value}".`, loadCommand);
	}
	return value as T;
}

/** The load options the command line asks for. */
export function loadOptionsFrom(options: OptionValues): LoadOptions {
	const map = stringOption(options, 'map');
	const settings: LoadOptions = { ...(map ? parseFieldMap(map) : {}) };
	const preset = choice(options, 'preset', presets);
	if (preset) settings.preset = preset;
	const namespace = stringOption(options, 'namespace');
	if (namespace) settings.namespace = namespace;
	const timeZone = stringOption(options, 'time-zone');
	if (timeZone) settings.timeZone = timeZone;
	const timeUnit = choice(options, 'time-unit', ['auto', 'seconds', 'milliseconds'] as const);
	if (timeUnit) settings.timeUnit = timeUnit;
	settings.badRows = choice(options, 'bad-rows', ['fail', 'skip'] as const) ?? 'fail';
	if (options['drop-duplicates'] === true) settings.dropDuplicates = true;
	const maxExamples = integerOption(options, 'max-examples', loadCommand, { min: 0, max: 1000 });
	if (maxExamples !== undefined) settings.maxExamples = maxExamples;
	const encoding = choice(options, 'encoding', textEncodings);
	if (encoding) settings.encoding = encoding;
	return settings;
}

/** The options of every command that reads an events file: those of `propensity load`. */
export const eventFileOptions: OptionsConfig = {
	events: { type: 'string' },
	format: { type: 'string' },
	preset: { type: 'string' },
	map: { type: 'string' },
	namespace: { type: 'string' },
	'time-zone': { type: 'string' },
	'time-unit': { type: 'string' },
	'bad-rows': { type: 'string' },
	'drop-duplicates': { type: 'boolean' },
	'max-examples': { type: 'string' },
	encoding: { type: 'string' },
};

export const loadCommand: Command = {
	name: 'load',
	usage,
	options: eventFileOptions,
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity load: unexpected argument "${positionals[0]}".`, loadCommand);
		const file = requireOption(options, 'events', loadCommand);
		const warehouse = warehouseOption(options);
		if (warehouse) {
			const summary = await withWarehouse(warehouse.source, warehouse.mapping, (client, columns) =>
				summarizeWarehouse(client, warehouse.source, columns),
			);
			io.stdout.write(`${JSON.stringify({ summary }, null, 2)}\n`);
			return;
		}
		const format = choice(options, 'format', formats);
		const settings = loadOptionsFrom(options);
		const progress = terminalProgress(io);
		try {
			const { summary, report } = await loadEvents({ kind: 'file', path: file, format }, settings, progress);
			io.stdout.write(`${JSON.stringify({ summary, report }, null, 2)}\n`);
		} finally {
			progress.finish();
		}
	},
};
