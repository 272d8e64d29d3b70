/** Every subcommand of `propensity`, in the order `propensity help` lists them. */
import type { Command } from '../command';
import { backtestCommand } from './backtest';
import { demoCommand } from './demo';
import { explainCommand } from './explain';
import { featuresCommand } from './features';
import { goalCommand } from './goal';
import { reportCommand } from './report';
import { loadCommand } from './load';
import { scoreCommand } from './score';
import { segmentCommand } from './segment';
import { simulateCommand } from './simulate';
import { trainCommand } from './train';

export const commands: Command[] = [
	demoCommand,
	simulateCommand,
	loadCommand,
	goalCommand,
	featuresCommand,
	trainCommand,
	scoreCommand,
	explainCommand,
	segmentCommand,
	reportCommand,
	backtestCommand,
];
