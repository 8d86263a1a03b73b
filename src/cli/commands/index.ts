// Every sub-command of `casegate`, in the order `--help` lists them.
import type { Command } from 'commander';
import { initCommand } from './init.js';
import { caseCommand } from './case.js';
import { collaboratorCommand } from './collaborator.js';
import { commentCommand } from './comment.js';

export const commands: Array<() => Command> = [initCommand, caseCommand, collaboratorCommand, commentCommand];
