// Every sub-command of `casegate`, in the order `--help` lists them. Each is loaded only when it runs
// (or when the help lists them all): a process that runs `case list` never loads the modules of
// `serve`, and a pipe delivery (`ingest`) starts without the admin commands.
import type { Command } from 'commander';

type Loader = () => Promise<() => Command>;

export const commands: ReadonlyArray<readonly [name: string, load: Loader]> = [
  ['init', async () => (await import('./init.js')).initCommand],
  ['serve', async () => (await import('./serve.js')).serveCommand],
  ['ingest', async () => (await import('./ingest.js')).ingestCommand],
  ['dispatch', async () => (await import('./dispatch.js')).dispatchCommand],
  ['fetch', async () => (await import('./fetch.js')).fetchCommand],
  ['demo', async () => (await import('./demo.js')).demoCommand],
  ['account', async () => (await import('./account.js')).accountCommand],
  ['contact', async () => (await import('./contact.js')).contactCommand],
  ['user', async () => (await import('./user.js')).userCommand],
  ['product', async () => (await import('./product.js')).productCommand],
  ['asset', async () => (await import('./asset.js')).assetCommand],
  ['case', async () => (await import('./case.js')).caseCommand],
  ['collaborator', async () => (await import('./collaborator.js')).collaboratorCommand],
  ['comment', async () => (await import('./comment.js')).commentCommand],
  ['routing', async () => (await import('./routing.js')).routingCommand],
  ['mailbox', async () => (await import('./mailbox.js')).mailboxCommand],
  ['recordtype', async () => (await import('./recordtype.js')).recordTypeCommand],
  ['apikey', async () => (await import('./apikey.js')).apikeyCommand],
  ['rule', async () => (await import('./rule.js')).ruleCommand],
  ['outbox', async () => (await import('./outbox.js')).outboxCommand],
  ['inbound', async () => (await import('./inbound.js')).inboundCommand],
  ['trace', async () => (await import('./trace.js')).traceCommand],
  ['gc', async () => (await import('./gc.js')).gcCommand],
  ['prune', async () => (await import('./prune.js')).pruneCommand],
  ['dkim', async () => (await import('./dkim.js')).dkimCommand],
  ['doctor', async () => (await import('./doctor.js')).doctorCommand],
  ['config', async () => (await import('./config.js')).configCommand],
  ['backup', async () => (await import('./backup.js')).backupCommand],
  ['import', async () => (await import('./import.js')).importCommand],
];
