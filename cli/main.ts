#!/usr/bin/env node
/**
 * `propensity`: the engine from a terminal (demo, cron jobs, benchmarks).
 * Usage: propensity <command> [options]; `propensity help [command]` explains each.
 * Only the command that runs is loaded (cli/commands/index.ts), and the core with it.
 */
import { parseArgs } from 'node:util';
import { type CliIo, type Command, UsageError } from './command';
import { commands } from './commands';

function overview(): string {
	const width = Math.max(...commands.map((command) => command.name.length));
	const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
	return ['Usage: propensity <command> [options]', '', 'Commands:', ...lines, '', 'Run "propensity help <command>" for its options.'].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
	const [name, ...rest] = argv;
	if (!name || name === 'help' || name === '--help' || name === '-h') {
		const topic = commands.find((command) => command.name === rest[0]);
		io.stdout.write(`${topic ? (await topic.load()).usage : overview()}\n`);
		return 0;
	}
	try {
		const entry = commands.find((candidate) => candidate.name === name);
		if (!entry) throw new UsageError(`Unknown command "${name}".`);
		const command: Command = await entry.load();
		const { values, positionals } = parseOptions(command, rest);
		if (values.help) {
			io.stdout.write(`${command.usage}\n`);
			return 0;
		}
		await command.run(values, positionals, io);
		return 0;
	} catch (error) {
		return report(error, io);
	}
}

function parseOptions(command: Command, args: string[]) {
	try {
		return parseArgs({ args, options: { ...command.options, help: { type: 'boolean' } }, allowPositionals: true, strict: true });
	} catch (error) {
		throw new UsageError(`propensity ${command.name}: ${(error as Error).message}`, command);
	}
}

async function report(error: unknown, io: CliIo): Promise<number> {
	if (error instanceof UsageError) {
		io.stderr.write(`${error.message}\n\n${error.command ? error.command.usage : overview()}\n`);
		return 2;
	}
	// The core is loaded by then when the error came from it; a usage error never needs it.
	const { PropensityError } = await import('../core');
	if (error instanceof PropensityError) {
		io.stderr.write(`Error: ${error.message}\n`);
		return 1;
	}
	io.stderr.write(`Unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
	return 1;
}

if (require.main === module) {
	const io: CliIo = { stdout: process.stdout, stderr: process.stderr, interactive: Boolean(process.stderr.isTTY) && !process.env.CI };
	main(process.argv.slice(2), io).then(
		(code) => (process.exitCode = code),
		(error: unknown) => {
			process.stderr.write(`${String(error)}\n`);
			process.exitCode = 1;
		},
	);
}
