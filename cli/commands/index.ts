/**
 * Every subcommand of `propensity`, in the order `propensity help` lists them. Each command's
 * module is loaded only when it runs or its help is shown: a command loads the part of the
 * core it uses, and `propensity help` loads none of it.
 */
import type { Command } from '../command';

export interface CommandEntry {
	readonly name: string;
	/** One line for the command list. */
	readonly summary: string;
	/** The command itself: its usage, options and what it runs. */
	load(): Promise<Command>;
}

export const commands: readonly CommandEntry[] = [
	{ name: 'demo', summary: 'run simulate → train → score → explain → segment → report on demo data', load: async () => (await import('./demo')).demoCommand },
	{
		name: 'simulate',
		summary: "write demo data: a simulated online shop's experience events (CSV, NDJSON or XDM JSON)",
		load: async () => (await import('./simulate')).simulateCommand,
	},
	{
		name: 'load',
		summary: 'load an events file (CSV, NDJSON, JSON, gzip) and print its summary and report as JSON',
		load: async () => (await import('./load')).loadCommand,
	},
	{
		name: 'goal',
		summary: 'write a goal from flags and check readiness against events, without training',
		load: async () => (await import('./goal')).goalCommand,
	},
	{
		name: 'features',
		summary: 'write the automatic features (and labels) of every eligible profile as of a date to CSV',
		load: async () => (await import('./features')).featuresCommand,
	},
	{
		name: 'train',
		summary: 'train a propensity model on events and a goal (or on a profile table) and write the model JSON',
		load: async () => (await import('./train')).trainCommand,
	},
	{
		name: 'score',
		summary: 'score profiles from events (or a profile table) with a saved model, with factors on request',
		load: async () => (await import('./score')).scoreCommand,
	},
	{
		name: 'explain',
		summary: 'print the top factors behind given profiles\u2019 scores, with sentences',
		load: async () => (await import('./explain')).explainCommand,
	},
	{
		name: 'segment',
		summary: 'pick the scored profiles a rule admits (all, newly entered, or left since the last run)',
		load: async () => (await import('./segment')).segmentCommand,
	},
	{
		name: 'report',
		summary: 'write the HTML insights report of a trained model, or the report of a scoring run',
		load: async () => (await import('./report')).reportCommand,
	},
	{
		name: 'backtest',
		summary: 'check how remembered scoring runs came true, the drift since training, and a verdict',
		load: async () => (await import('./backtest')).backtestCommand,
	},
];
