/** Every subcommand of `propensity`, in the order `propensity help` lists them. */
import type { Command } from '../command';

export const commands: Command[] = [];
