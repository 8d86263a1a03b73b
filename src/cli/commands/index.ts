// Every sub-command of `casegate`, in the order `--help` lists them.
import type { Command } from 'commander';
import { initCommand } from './init.js';

export const commands: Array<() => Command> = [initCommand];
