/**
 * `propensity report`: writes the self-contained HTML insights report that a model kept from
 * its training.
 */
import { renderModelReport } from '../../core';
import { type CliIo, type Command, type OptionValues, requireOption, UsageError } from '../command';
import { modelSourceOptions, modelSourceUsage, readModelFrom, writeFileAtomic } from '../shared';

const usage = `Usage: propensity report (--model MODEL.json | --store DIR --name NAME [--version V]) --out REPORT.html

Writes the model's insights report: one HTML file with no outside references (charts are
inline SVG), to open in a browser, attach to an email or archive.

${modelSourceUsage}

Example:
  propensity report --model model.json --out report.html`;

export const reportCommand: Command = {
	name: 'report',
	summary: 'write the HTML insights report of a trained model',
	usage,
	options: { ...modelSourceOptions, out: { type: 'string' } },
	async run(options: OptionValues, positionals: string[], io: CliIo): Promise<void> {
		if (positionals.length > 0) throw new UsageError(`propensity report: unexpected argument "${positionals[0]}".`, reportCommand);
		const out = requireOption(options, 'out', reportCommand);
		const { model, version } = await readModelFrom(options, reportCommand);
		await writeFileAtomic(out, renderModelReport(model, version));
		io.stdout.write(`Report of "${model.name}" written to ${out}.\n`);
	},
};
