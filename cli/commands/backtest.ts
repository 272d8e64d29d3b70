/**
 * `propensity backtest`: how a model's remembered scoring runs came true (realised outcomes
 * after each run's window, against what was predicted and what training measured), how far the
 * data drifted from training, and a verdict: healthy, watch or retrain.
 */
import { type EventTable, InputError, monitorModel, monitorWarehouse, openStore, renderMonitorReport, withWarehouse } from '../../core';
import { type CliIo, type Command, type OptionValues, requireOption, stringOption, UsageError } from '../command';
import { terminalProgress } from '../progress';
import { eventFileOptions, eventFileUsage, loadEventsFile, writeFileAtomic } from '../shared';
import { warehouseOption, warehouseUsage } from '../warehouse';

const usage = `Usage:
  propensity backtest --events FILE|URL --store DIR --name NAME [--run DATE] [--thresholds JSON]
                      [--report REPORT.html] [--out RESULT.json]

For every scoring run remembered under NAME (runs are remembered when "propensity score" uses
--store) whose outcome window has closed by the end of the events: the realised outcome of each
scored profile, by the goal's own rules, then per bucket and per score decile the profiles, the
mean predicted probability and the realised rate, and AUC, log loss, lift and calibration,
against the validation figures at training. A run whose window is still open says when it
closes. Drift against the training data (PSI of the scores and of the top 10 features, the
eligible share, new event types) and a verdict (healthy, watch or retrain, with reasons) come
with it. Prints the verdict; the whole result is JSON (--out, or stdout without it).

With --events naming a warehouse table, the outcomes are judged there by SQL and nothing of
the events is loaded; a run scored into that warehouse (score --scores-table) is read back
from its scores table.

Options:
  --events FILE|URL   events reaching past the runs' outcome windows (a file, or a warehouse table)
  --store DIR         the model store folder the runs were remembered in
  --name NAME         the model's name in the store
  --run DATE          only the runs scored on this day (YYYY-MM-DD) or at this moment
  --thresholds JSON   verdict thresholds, e.g. '{"scorePsiRetrain":0.3}' (see docs/monitoring.md)
  --report FILE       write the monitoring report ("How the model did") as HTML
  --out FILE          write the result as JSON instead of printing it

${eventFileUsage}
${warehouseUsage}

Example:
  propensity backtest --events events.csv --store models --name purchase-in-30-days --report health.html`;

export const backtestCommand: Command = {
	name: 'backtest',
	usage,
	options: {
		...eventFileOptions,
		store: { type: 'string' },
		name: { type: 'string' },
		run: { type: 'string' },
		thresholds: { type: 'string' },
		report: { type: 'string' },
		out: { type: 'string' },
	},
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity backtest: unexpected argument "${positionals[0]}".`, backtestCommand);
		const storeDir = requireOption(options, 'store', backtestCommand);
		const name = requireOption(options, 'name', backtestCommand);
		const thresholds = parseJson(stringOption(options, 'thresholds'));
		const warehouse = warehouseOption(options);
		const loaded = warehouse ? undefined : await loadEventsFile(options, io, backtestCommand);
		const store = await openStore({ kind: 'folder', path: storeDir });
		const progress = terminalProgress(io);
		const settings = { run: stringOption(options, 'run'), thresholds };
		try {
			const result = warehouse
				? await withWarehouse(warehouse.source, warehouse.mapping, (client, columns) =>
						monitorWarehouse(store, name, client, columns, settings, progress),
					)
				: await monitorModel(store, name, (loaded as { table: EventTable }).table, settings, progress);
			progress.finish();
			const report = stringOption(options, 'report');
			if (report) await writeFileAtomic(report, renderMonitorReport(result));
			const out = stringOption(options, 'out');
			const json = `${JSON.stringify(result, null, 2)}\n`;
			if (out) await writeFileAtomic(out, json);
			const lines = [
				`Verdict for "${name}": ${result.verdict.status}.`,
				...result.verdict.reasons.map((reason) => `  ${reason}`),
				...result.runs.map((r) => `  ${r.backtest.message}`),
			];
			if (report) lines.push(`Report written to ${report}.`);
			if (out) lines.push(`Result written to ${out}.`);
			io.stdout.write(out ? `${lines.join('\n')}\n` : json);
			if (!out) io.stderr.write(`${lines.join('\n')}\n`);
		} finally {
			progress.finish();
			await store.close();
		}
	},
};

function parseJson(text: string | undefined): unknown {
	if (text === undefined) return undefined;
	try {
		return JSON.parse(text);
	} catch (error) {
		throw new InputError(`--thresholds is not JSON (${(error as Error).message}): give e.g. '{"scorePsiRetrain":0.3}'.`, 'bad-thresholds');
	}
}
