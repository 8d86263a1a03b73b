// `casegate mailbox add URL --to ADDRESS (--password-file F | --token-command CMD) | list | remove URL|ID | test URL|ID`
import { Command } from 'commander';
import { addMailbox, listMailboxes, mailboxRecord, removeMailbox, requireMailbox, type MailboxRecord } from '../../admin/mailboxes.js';
import { unavailable } from '../../errors.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface AddOptions {
  to: string;
  passwordFile?: string;
  tokenCommand?: string;
  insecure?: boolean;
}

export function mailboxCommand(): Command {
  const mailbox = new Command('mailbox')
    .description('manage IMAP mailboxes that casegate fetches mail from (for a support address hosted elsewhere)')
    .addHelpText(
      'after',
      `
"casegate serve" watches every mailbox (IMAP IDLE, polling where the server has none) and
"casegate fetch --once" drains them. Each message goes through the same rules as mail received
over SMTP, as if sent to the mailbox's --to address, then moves to the folder casegate/done or
casegate/refused (created when missing); nothing is ever sent back to a refused sender.

Examples:
  casegate mailbox add imaps://support@example.com@imap.example.com/INBOX --to support@example.com \\
      --password-file /etc/casegate/imap-password
  casegate mailbox add imaps://support@example.com@outlook.office365.com/INBOX --to support@example.com \\
      --token-command "/usr/local/bin/m365-token support@example.com"
  casegate mailbox test imaps://support@example.com@imap.example.com:993/INBOX
  casegate mailbox list
  casegate mailbox remove 1`,
    );

  mailbox
    .command('add')
    .description('add a mailbox to fetch from')
    .argument('<url>', 'imaps://USER@HOST[:PORT]/FOLDER (imap://… for STARTTLS, required); no password in it')
    .requiredOption('--to <address>', 'the routing address (or case address) its mail counts as sent to')
    .option('--password-file <file>', 'file holding the password (its first line), read at every connection')
    .option('--token-command <cmd>', 'command (run with sh -c) that prints an XOAUTH2 access token, for Microsoft 365 and Gmail')
    .option('--insecure', 'do not check the TLS certificate (only for a loopback host, e.g. tests)')
    .action(
      action(
        (ctx, o: AddOptions, [url]) =>
          ctx.write((tx) => addMailbox(tx, ctx.config, { url: url ?? '', to: o.to, passwordFile: o.passwordFile, tokenCommand: o.tokenCommand, insecure: o.insecure })),
        (r: MailboxRecord) => console.log(`mailbox ${r.id} added: ${r.url} → ${r.to} (${r.auth}); "casegate mailbox test ${r.id}" checks that it can be read`),
      ),
    );

  mailbox
    .command('list')
    .description('list mailboxes: URL, address, how they log in, and how the last look went (never a password)')
    .action(
      action(
        (ctx) => ctx.read(listMailboxes),
        (rows: MailboxRecord[]) => printTable(rows, ['id', 'url', 'to', 'auth', 'lastCheckedAt', 'fetched', 'lastError']),
      ),
    );

  mailbox
    .command('remove')
    .description('stop fetching from a mailbox (its mail stays where it is)')
    .argument('<mailbox>', 'the URL or id (see "casegate mailbox list")')
    .action(
      action(
        (ctx, _o, [ref]) => ctx.write((tx) => removeMailbox(tx, ref ?? '')),
        (r: MailboxRecord) => console.log(`mailbox ${r.id} removed: ${r.url}`),
      ),
    );

  mailbox
    .command('test')
    .description('connect, log in and open the folder; print how many messages wait (moves nothing)')
    .argument('<mailbox>', 'the URL or id (see "casegate mailbox list")')
    .action(
      action(
        async (ctx, _o, [ref]) => {
          const row = await ctx.read((tx) => requireMailbox(tx, ref ?? ''));
          const { testMailbox } = await import('../../mailbox/once.js');
          try {
            return { ...(await testMailbox(row, ctx.config)), mailbox: mailboxRecord(row).id };
          } catch (err) {
            throw unavailable(`mailbox ${row.url}: ${(err as Error).message}`);
          }
        },
        (r) => printRecord({ url: r.url, ok: 'logged in, folder opened', waiting: r.waiting, idle: r.idle ? 'yes (new mail is seen at once)' : 'no (polled)' }),
      ),
    );
  return mailbox;
}
