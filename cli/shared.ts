/**
 * Options several commands share: reading an events file (the same options as `propensity
 * load`) and naming a model (a JSON file, or a name in a store folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import {
	type EventFormat,
	type Goal,
	InputError,
	isWarehouseUrl,
	loadEvents,
	loadModel,
	type LoadResult,
	type Model,
	openStore,
	parseGoal,
	parseModel,
	writeFileAtomically,
} from '../core';
import { type CliIo, type Command, integerOption, type OptionsConfig, type OptionValues, stringOption, UsageError } from './command';
import { eventFileOptions, loadOptionsFrom } from './commands/load';

export { eventFileOptions };
import { terminalProgress } from './progress';

export const eventFileUsage = `Events options (as for "propensity load"):
  --events FILE        CSV, NDJSON or a JSON array, gzip-compressed or not
  --format, --preset, --map, --namespace, --time-zone, --time-unit, --bad-rows,
  --drop-duplicates, --max-examples, --encoding    see "propensity help load"`;

/** Loads the --events file with the load options given, showing progress on a terminal. */
export async function loadEventsFile(options: OptionValues, io: CliIo, command: Command): Promise<LoadResult> {
	const file = stringOption(options, 'events');
	if (!file) throw new UsageError(`propensity ${command.name}: give the events with --events FILE.`, command);
	if (isWarehouseUrl(file)) {
		throw new UsageError(
			`propensity ${command.name}: --events names a warehouse table, which load, features and train read where it is; ${command.name} reads events from a file for now (export the table, e.g. as CSV).`,
			command,
		);
	}
	const format = stringOption(options, 'format') as EventFormat | undefined;
	if (format && !['auto', 'csv', 'ndjson', 'json'].includes(format)) {
		throw new UsageError(`propensity ${command.name}: --format must be auto, csv, ndjson or json, not "${format}".`, command);
	}
	const progress = terminalProgress(io);
	try {
		return await loadEvents({ kind: 'file', path: file, format }, loadOptionsFrom(options), progress);
	} finally {
		progress.finish();
	}
}

/**
 * The line saying which moment a command used as "now": every command prints it, so a date
 * without a time (the end of that day) is never a surprise.
 */
export function asOfLine(options: OptionValues, moment: string | null): string {
	const given = stringOption(options, 'as-of');
	if (moment === null) return 'As of: no events, so no moment.';
	if (!given) return `As of ${moment} (the latest event; --as-of sets another moment).`;
	const zone = stringOption(options, 'time-zone') ?? 'UTC';
	const how = /^\d{4}-\d{2}-\d{2}$/.test(given.trim()) ? `the end of ${given.trim()} in ${zone}` : `--as-of ${given.trim()}`;
	return `As of ${moment} (${how}); later events are ignored.`;
}

/** How the cutoffs were chosen and why, as `train` and `goal --events` print it. */
export function cutoffPlanLine(plan: { readonly chosenBy: 'goal' | 'automatic'; readonly reason: string }): string {
	return `Cutoffs (${plan.chosenBy === 'automatic' ? 'planned automatically' : 'from the goal'}): ${plan.reason}.`;
}

/** A file's text, or InputError saying it cannot be read. */
export async function readTextFile(file: string, what: string): Promise<string> {
	try {
		return await fs.promises.readFile(file, 'utf8');
	} catch {
		throw new InputError(`The ${what} "${file}" cannot be read: check the path.`, 'file-not-found');
	}
}

/** The goal in a goal file's text, with the file named in any error. */
export function parseGoalFile(file: string, text: string): Goal {
	try {
		return parseGoal(text);
	} catch (error) {
		if (error instanceof InputError) throw new InputError(`${file}: ${error.message}`, error.code, error.details);
		throw error;
	}
}

export const modelSourceOptions: OptionsConfig = {
	model: { type: 'string' },
	store: { type: 'string' },
	name: { type: 'string' },
	version: { type: 'string' },
};

export const modelSourceUsage = `Model options (one of):
  --model FILE         a model JSON file written by "propensity train"
  --store DIR --name NAME [--version V]
                       a model saved in a store folder (latest version unless --version)`;

/** A model JSON file written by "propensity train", read and validated. */
export async function readModelFile(file: string): Promise<Model> {
	let text: string;
	try {
		text = await fs.promises.readFile(file, 'utf8');
	} catch {
		throw new InputError(`The model file "${file}" cannot be read: check the path (it is what "propensity train --model" wrote).`, 'file-not-found');
	}
	return parseModel(text);
}

/** The model the options name, read and validated, with its store version (null for a file). */
export async function readModelFrom(options: OptionValues, command: Command): Promise<{ model: Model; version: number | null }> {
	const file = stringOption(options, 'model');
	const storeDir = stringOption(options, 'store');
	if (file && storeDir) throw new UsageError(`propensity ${command.name}: give either --model FILE or --store DIR --name NAME, not both.`, command);
	if (file) return { model: await readModelFile(file), version: null };
	if (!storeDir) throw new UsageError(`propensity ${command.name}: name the model with --model FILE or --store DIR --name NAME.`, command);
	const name = stringOption(options, 'name');
	if (!name) throw new UsageError(`propensity ${command.name}: --store needs --name NAME (the model's name in the store).`, command);
	const version = integerOption(options, 'version', command, { min: 1, max: 1e9 }) ?? 'latest';
	const store = await openStore({ kind: 'folder', path: storeDir });
	try {
		const { model, info } = await loadModel(store, name, version);
		return { model, version: info.version };
	} finally {
		await store.close();
	}
}

/** Writes text to a file through a temporary file and a rename, creating the folder. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
	await fs.promises.mkdir(path.dirname(path.resolve(file)), { recursive: true });
	await writeFileAtomically(file, text);
}
