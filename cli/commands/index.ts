/** Every subcommand of `propensity`, in the order `propensity help` lists them. */
import type { Command } from '../command';
import { featuresCommand } from './features';
import { loadCommand } from './load';
import { scoreCommand } from './score';
import { segmentCommand } from './segment';
import { simulateCommand } from './simulate';
import { trainCommand } from './train';

export const commands: Command[] = [simulateCommand, loadCommand, featuresCommand, trainCommand, scoreCommand, segmentCommand];
