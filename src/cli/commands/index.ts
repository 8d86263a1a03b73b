// Every sub-command of `casegate`, in the order `--help` lists them.
import type { Command } from 'commander';
import { initCommand } from './init.js';
import { demoCommand } from './demo.js';
import { serveCommand } from './serve.js';
import { ingestCommand } from './ingest.js';
import { dispatchCommand } from './dispatch.js';
import { outboxCommand } from './outbox.js';
import { inboundCommand } from './inbound.js';
import { accountCommand } from './account.js';
import { contactCommand } from './contact.js';
import { userCommand } from './user.js';
import { productCommand } from './product.js';
import { assetCommand } from './asset.js';
import { recordTypeCommand } from './recordtype.js';
import { routingCommand } from './routing.js';
import { ruleCommand } from './rule.js';
import { caseCommand } from './case.js';
import { collaboratorCommand } from './collaborator.js';
import { commentCommand } from './comment.js';
import { gcCommand } from './gc.js';
import { apikeyCommand } from './apikey.js';
import { dkimCommand } from './dkim.js';
import { doctorCommand } from './doctor.js';
import { mailboxCommand } from './mailbox.js';
import { fetchCommand } from './fetch.js';
import { backupCommand } from './backup.js';
import { importCommand } from './import.js';
import { configCommand } from './config.js';
import { pruneCommand } from './prune.js';

export const commands: Array<() => Command> = [
  initCommand,
  serveCommand,
  ingestCommand,
  dispatchCommand,
  fetchCommand,
  demoCommand,
  accountCommand,
  contactCommand,
  userCommand,
  productCommand,
  assetCommand,
  caseCommand,
  collaboratorCommand,
  commentCommand,
  routingCommand,
  mailboxCommand,
  recordTypeCommand,
  apikeyCommand,
  ruleCommand,
  outboxCommand,
  inboundCommand,
  gcCommand,
  pruneCommand,
  dkimCommand,
  doctorCommand,
  configCommand,
  backupCommand,
  importCommand,
];
