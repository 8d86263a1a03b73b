// `casegate fetch --once`: every mailbox drained once, one after the other; a mailbox that cannot
// be reached is reported and the others go on (the next run tries it again).
import { allMailboxes, recordMailboxPass, type MailboxRow } from '../db/mailboxes.js';
import type { IngestContext, Outcome } from '../ingest/pipeline.js';
import { addressOf, MailboxError, openMailbox } from './connect.js';
import { drainMailbox, movedAgainLine, type DrainResult } from './drain.js';

export interface MailboxPass extends DrainResult {
  url: string;
  /** Why the mailbox could not be reached or read; null when it was drained. */
  error: string | null;
}

export interface FetchOnceOptions {
  /** Only this mailbox (as `requireMailbox` found it). */
  only?: MailboxRow;
  onOutcome?: (outcomes: Outcome[]) => void;
  stopping?: () => boolean;
  /** A log line (no message body, no secret): a message moved that an earlier pass had taken. */
  log?: (line: string) => void;
}

export async function fetchOnce(ctx: IngestContext, opts: FetchOnceOptions = {}): Promise<MailboxPass[]> {
  const rows = opts.only !== undefined ? [opts.only] : await ctx.db.transaction((tx) => allMailboxes(tx), 'read');
  const passes: MailboxPass[] = [];
  for (const row of rows) {
    if (opts.stopping?.() === true) break;
    passes.push(await passOver(ctx, row, opts));
  }
  return passes;
}

async function passOver(ctx: IngestContext, row: MailboxRow, opts: FetchOnceOptions): Promise<MailboxPass> {
  let result: DrainResult = { done: 0, refused: 0, kept: 0 };
  let error: string | null = null;
  try {
    const client = await openMailbox(row, ctx.config);
    try {
      result = await drainMailbox(client, row, addressOf(row), ctx, {
        onOutcome: opts.onOutcome,
        stopping: opts.stopping,
        onMovedAgain: (uid, to) => opts.log?.(movedAgainLine(row.url, uid, to)),
      });
    } finally {
      await client.logout().catch(() => client.close());
    }
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    result = (err as { partial?: DrainResult }).partial ?? result;
  }
  await ctx.db.transaction((tx) => recordMailboxPass(tx, row.id, Date.now(), error, result.done + result.refused)).catch(() => undefined);
  return { url: row.url, ...result, error };
}

/** `mailbox test`: connects, logs in, opens the folder, counts what is waiting; moves nothing. */
export async function testMailbox(row: MailboxRow, config: IngestContext['config']): Promise<{ url: string; waiting: number; idle: boolean }> {
  const address = addressOf(row);
  const client = await openMailbox(row, config);
  try {
    const status = await client.status(address.folder, { messages: true }).catch(() => false as const);
    if (status === false) throw new MailboxError(`the folder ${address.folder} cannot be opened; check the folder in the URL (see the folders with any mail client)`);
    return { url: row.url, waiting: status.messages ?? 0, idle: client.capabilities.has('IDLE') };
  } finally {
    await client.logout().catch(() => client.close());
  }
}
