/**
 * A CLI subcommand: its name, help text, options (node:util parseArgs) and what it runs.
 * Commands are thin: parse options, call the core, print or write the result.
 */
import type { ParseArgsConfig } from 'node:util';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface CliIo {
	stdout: NodeJS.WritableStream;
	stderr: NodeJS.WriteStream | NodeJS.WritableStream;
	/** True when stderr is an interactive terminal: only then is progress drawn. */
	interactive: boolean;
}

export interface Command {
	readonly name: string;
	/** Usage and option help, shown by `propensity help <name>` and on bad options. */
	readonly usage: string;
	readonly options: OptionsConfig;
	run(options: OptionValues, positionals: string[], io: CliIo): Promise<void>;
}

/** A required string option, or a clear usage error. */
export function requireOption(options: OptionValues, name: string, command: Command): string {
	const value = options[name];
	if (typeof value !== 'string' || value === '') {
		throw new UsageError(`propensity ${command.name}: --${name} is required.`, command);
	}
	return value;
}

/** An optional string option. */
export function stringOption(options: OptionValues, name: string): string | undefined {
	const value = options[name];
	return typeof value === 'string' && value !== '' ? value : undefined;
}

/** An optional integer option within bounds, or a clear usage error. */
export function integerOption(options: OptionValues, name: string, command: Command, bounds: { min: number; max: number }): number | undefined {
	const raw = stringOption(options, name);
	if (raw === undefined) return undefined;
	const value = Number(raw);
	if (!Number.isInteger(value) || value < bounds.min || value > bounds.max) {
		throw new UsageError(`propensity ${command.name}: --${name} must be a whole number from ${bounds.min} to ${bounds.max}, not "${raw}".`, command);
	}
	return value;
}

export class UsageError extends Error {
	constructor(
		message: string,
		readonly command?: Command,
	) {
		super(message);
		this.name = 'UsageError';
	}
}
