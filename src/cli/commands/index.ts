// Every sub-command of `casegate`, in the order `--help` lists them.
import type { Command } from 'commander';
import { initCommand } from './init.js';
import { accountCommand } from './account.js';
import { contactCommand } from './contact.js';
import { userCommand } from './user.js';
import { routingCommand } from './routing.js';
import { ruleCommand } from './rule.js';
import { caseCommand } from './case.js';
import { collaboratorCommand } from './collaborator.js';
import { commentCommand } from './comment.js';

export const commands: Array<() => Command> = [
  initCommand,
  accountCommand,
  contactCommand,
  userCommand,
  caseCommand,
  collaboratorCommand,
  commentCommand,
  routingCommand,
  ruleCommand,
];
