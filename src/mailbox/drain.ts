// One pass over a mailbox: every message in it, oldest first, goes through the ingest pipeline as
// if it had been sent to the mailbox's address, then moves to casegate/done (taken) or
// casegate/refused (refused for good; nothing is sent back). A temporary failure leaves the message
// where it is for the next pass. One message is in memory at a time (streamed in chunks), and the
// UIDs are read in batches, so a mailbox of any size drains in bounded memory. The message's UID
// (with the folder's UIDVALIDITY) is recorded in the transaction that stores it: after a crash
// between the commit and the move, the message is found again and only moved, never taken twice.
import type { ImapFlow } from 'imapflow';
import type { MailboxRow } from '../db/mailboxes.js';
import { ingestMessage, type IngestContext, type Outcome } from '../ingest/pipeline.js';
import { dispositionOf, MAILBOX_FOLDERS, type MailboxAddress } from '../domain/mailbox.js';
import { formatAnswer } from '../domain/answers.js';
import type { Tx } from '../db/engine.js';
import { recordTaken, takenBefore, type TakenDisposition } from '../db/mailboxMessages.js';
import { asMailboxError, MailboxError } from './connect.js';

/** UIDs whose size and Return-Path are read in one FETCH. */
const BATCH = 200;
/** Bytes asked per FETCH of a message's content. */
const CHUNK_BYTES = 1024 * 1024;

export interface DrainResult {
  /** Moved to casegate/done: stored, a duplicate, or dropped on purpose (automatic mail). */
  done: number;
  /** Moved to casegate/refused. */
  refused: number;
  /** Left in place after a temporary failure; tried again at the next pass. */
  kept: number;
}

export interface DrainOptions {
  /** Asked between two messages: true ends the pass early (what was taken is moved). */
  stopping?: () => boolean;
  /** Every outcome, once committed (e.g. to wake the dispatcher). */
  onOutcome?: (outcomes: Outcome[]) => void;
  /** The reason for each message that stays (a temporary failure). */
  onKept?: (uid: number, why: string) => void;
  /** A message taken by an earlier pass that ended before moving it: now only moved. */
  onMovedAgain?: (uid: number, to: TakenDisposition) => void;
}

export async function drainMailbox(client: ImapFlow, row: MailboxRow, address: MailboxAddress, ctx: IngestContext, opts: DrainOptions = {}): Promise<DrainResult> {
  const result: DrainResult = { done: 0, refused: 0, kept: 0 };
  try {
    await ensureFolders(client);
    const lock = await client.getMailboxLock(address.folder);
    try {
      const uidValidity = client.mailbox === false ? 0 : Number(client.mailbox.uidValidity);
      const found = await client.search({ deleted: false }, { uid: true });
      const uids = (Array.isArray(found) ? found : []).sort((a, b) => a - b);
      for (let i = 0; i < uids.length && opts.stopping?.() !== true; i += BATCH) {
        const batch = uids.slice(i, i + BATCH);
        const taken = await ctx.db.transaction((tx) => takenBefore(tx, row.id, uidValidity, batch), 'read');
        const returnPaths = await readReturnPaths(client, batch.filter((uid) => !taken.has(uid)));
        for (const uid of batch) {
          if (opts.stopping?.() === true) break;
          const before = taken.get(uid);
          if (before !== undefined) {
            await move(client, uid, before.disposition);
            result[before.disposition]++;
            opts.onMovedAgain?.(uid, before.disposition);
            continue;
          }
          if (!returnPaths.has(uid)) continue; // gone since the search (another node took it)
          const outcome = await takeOne(client, uid, returnPaths.get(uid) ?? null, row, uidValidity, ctx);
          if (outcome === null) continue;
          opts.onOutcome?.([outcome]);
          const where = dispositionOf(outcome.answer);
          if (where === 'keep') {
            result.kept++;
            opts.onKept?.(uid, formatAnswer(outcome.answer));
            continue;
          }
          await move(client, uid, where);
          result[where]++;
        }
      }
    } finally {
      lock.release();
    }
  } catch (err) {
    throw Object.assign(asMailboxError(err, address), { partial: result });
  }
  return result;
}

/** The log line of a message taken by an earlier pass that ended before moving it. */
export function movedAgainLine(url: string, uid: number, to: TakenDisposition): string {
  return `mailbox ${url}: message UID ${uid} was taken by an earlier pass that ended before moving it; moved to casegate/${to} now, not taken again`;
}

/** Moves a taken message to its folder; a refused move ends the pass (the message is moved at the next one). */
async function move(client: ImapFlow, uid: number, where: TakenDisposition): Promise<void> {
  // A message already gone (another node moved it) is no failure: the server answers OK, moving nothing.
  if ((await client.messageMove(String(uid), [...MAILBOX_FOLDERS[where]], { uid: true })) === false) {
    throw new MailboxError(`message UID ${uid} is taken but could not be moved to casegate/${where}; it is moved at the next pass, not taken again`);
  }
}

/** casegate/done and casegate/refused, created when missing (the server's separator joins the parts). */
async function ensureFolders(client: ImapFlow): Promise<void> {
  const delimiter = client.namespace?.delimiter || '/';
  const existing = new Set((await client.list()).map((m) => m.path));
  for (const parts of [MAILBOX_FOLDERS.done, MAILBOX_FOLDERS.refused]) {
    const prefix = client.namespace?.prefix ?? '';
    if (!existing.has(`${prefix}${parts.join(delimiter)}`)) await client.mailboxCreate([...parts]);
  }
}

/** Return-Path of each message of the batch ('' for `<>`, null when it has none): the envelope sender the final server recorded. */
async function readReturnPaths(client: ImapFlow, uids: readonly number[]): Promise<Map<number, string | null>> {
  const out = new Map<number, string | null>();
  if (uids.length === 0) return out;
  for await (const m of client.fetch(uids.join(','), { uid: true, headers: ['return-path'] }, { uid: true })) {
    out.set(m.uid, returnPathOf(m.headers));
  }
  return out;
}

/** `Return-Path: <a@b>` of a header block (bounded, one linear pattern). */
export function returnPathOf(headers: Buffer | undefined): string | null {
  if (headers === undefined) return null;
  const m = /^return-path:[ \t]*<([^<>\r\n]{0,998})>/im.exec(headers.subarray(0, 4096).toString('latin1'));
  return m ? (m[1] as string).trim() : null;
}

/** One message through the pipeline; null when it vanished before it could be read. */
async function takeOne(client: ImapFlow, uid: number, mailFrom: string | null, row: MailboxRow, uidValidity: number, ctx: IngestContext): Promise<Outcome | null> {
  // One byte over the limit is enough for the pipeline to refuse it as too large.
  const download = await client.download(String(uid), undefined, { uid: true, maxBytes: ctx.config.maxMessageBytes + 1, chunkSize: CHUNK_BYTES });
  if (download.content === undefined) return null;
  try {
    // The UID is recorded with the message, in its transaction: taken once, whatever happens next.
    const alsoInCommit = async (tx: Tx, outcomes: readonly Outcome[]): Promise<void> => {
      const o = outcomes[0];
      const disposition = o === undefined ? 'keep' : dispositionOf(o.answer);
      if (o !== undefined && disposition !== 'keep') await recordTaken(tx, { mailboxId: row.id, uidValidity, uid, inboundId: o.inboundId, disposition });
    };
    const [outcome] = await ingestMessage(ctx, { mailFrom, rcpt: [row.toAddress], client: { ip: null, helo: null } }, download.content, { alsoInCommit });
    return outcome ?? null;
  } finally {
    download.content.destroy();
  }
}
