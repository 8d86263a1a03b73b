// The one ingest pipeline shared by SMTP, LMTP, IMAP and pipe mode: parse and sender authentication,
// then the message's store job (storeJob.ts: facts → per recipient, in one transaction, RCPT check,
// stages → decision → apply), committed here or on serve's store thread. Answers come back only
// after the commit.
import type { Readable } from 'node:stream';
import type { Config } from '../config.js';
import { freeBytes } from '../db/blobs.js';
import type { WrittenBlob } from '../db/blobStore.js';
import { isLockTimeout, type Committer, type Db, type Tx } from '../db/client.js';
import { answers, type Answer } from '../domain/answers.js';
import type { Outcome } from './apply.js';
import type { Envelope } from './envelope.js';
import { MalformedMessageError, MessageTooLargeError, ParserLimitError, parseMessage, type ParsedMessage } from './parse.js';
import { runStoreJob, type JobCommitter, type StoreJob } from './storeJob.js';
import { startSenderAuth } from './auth.js';
import type { AuthThread } from './authThread.js';
import type { SenderAuth } from '../domain/senderAuth.js';
import type { Metrics } from '../metrics.js';

export type { Outcome } from './apply.js';
export type { JobCommitter, StoreJob } from './storeJob.js';

/** What ingesting needs: the database, the settings and the group commit. */
export interface IngestContext {
  readonly db: Db;
  readonly config: Config;
  readonly committer: Committer;
  /** Counts each committed outcome by the stage that decided it (serve); absent: nothing counted. */
  readonly metrics?: Metrics;
  /** serve: sender authentication on a thread of its own (authThread.ts); absent: in this thread. */
  readonly authThread?: AuthThread | null;
}

export interface IngestOptions {
  /**
   * LMTP: each recipient has its own answer. Otherwise (SMTP, pipe mode) the transaction is the
   * unit of work: when some recipients would take the message and others refuse it, nothing is
   * stored and the refusal is the answer for all, so that no sender is told 250 for a copy we refused.
   */
  perRecipient?: boolean;
  /** Pipe mode: the whole message must be read within this many milliseconds (ParseOptions.readTimeoutMs). */
  readTimeoutMs?: number;
  /** Historic mail (casegate import): no notification and no auto-response is queued. */
  quiet?: boolean;
  /** The time the message counts as received (historic mail: its Date); now by default. */
  at?: number;
  /**
   * More work in the transaction that commits the outcomes, when the message was read (stored or
   * refused by its content); not called when nothing of it was read or kept (low disk, 451).
   * IMAP fetch records the message's UID here, so that the record and the message commit together.
   */
  alsoInCommit?: (tx: Tx, outcomes: readonly Outcome[]) => Promise<void>;
}

/**
 * Takes one message for every recipient of the envelope and returns one outcome per recipient,
 * in envelope order. Throws only when nothing could be kept (the caller answers 451 / exits 75);
 * the inbound log then gets a row per recipient if the database still takes one.
 */
export async function ingestMessage(ctx: IngestContext, envelope: Envelope, source: Readable, opts: IngestOptions = {}): Promise<Outcome[]> {
  const lowDisk = checkFreeSpace(ctx);
  if (lowDisk !== null) {
    source.resume();
    // The envelope is logged (a row of the inbound log is small); when even that fails, the answer stands.
    const outcomes = await commitJob(ctx, { kind: 'refuse', envelope, answer: lowDisk, stage: 'disk' }, {})
      .catch(() => envelope.rcpt.map((rcpt): Outcome => ({ rcpt, answer: lowDisk, decision: 'refused', inboundId: 0, caseNumber: null, stage: 'disk' })));
    ctx.metrics?.ingested(outcomes, null);
    return outcomes;
  }
  const written: WrittenBlob[] = [];
  try {
    const { outcomes, auth } = await ingest(ctx, envelope, source, opts, written);
    ctx.metrics?.ingested(outcomes, auth);
    return outcomes;
  } catch (err) {
    const a = answers.notStored((err as Error)?.message ?? String(err));
    // The refusal goes to the inbound log, unless the write lock is what ran out: that write would
    // only wait as long again (a pipe delivery took twice busy_timeout to tempfail).
    if (!isLockTimeout(err)) await commitJob(ctx, { kind: 'refuse', envelope, answer: a, stage: 'store' }, {}).catch(() => undefined);
    ctx.metrics?.ingested(envelope.rcpt.map(() => ({ answer: a, stage: 'store' })), null);
    throw err;
  } finally {
    // Whatever the outcome: the blobs of this message that no committed row names go.
    await forget(ctx.db, written);
  }
}

/**
 * 452 4.3.1 when the data folder has less than CASEGATE_MIN_FREE_BYTES free, else null; the message
 * is not read. The SMTP server asks at MAIL FROM too.
 */
export function checkFreeSpace(ctx: Pick<IngestContext, 'db' | 'config'>): Answer | null {
  if (ctx.config.minFreeBytes === 0) return null;
  return freeBytesNow(ctx.db.blobs.localDir) < ctx.config.minFreeBytes ? answers.lowDisk() : null;
}

/** How old a free-space reading may be: at ~700 messages a second, two statfs calls each were 3 % of the thread. */
const FREE_SPACE_MAX_AGE_MS = 50;
const lastFree = new Map<string, { at: number; bytes: number }>();

/** freeBytes of `dir`, read again when the last reading is older than FREE_SPACE_MAX_AGE_MS. */
function freeBytesNow(dir: string): number {
  const now = performance.now();
  const last = lastFree.get(dir);
  if (last !== undefined && now - last.at < FREE_SPACE_MAX_AGE_MS) return last.bytes;
  const bytes = freeBytes(dir);
  lastFree.set(dir, { at: now, bytes });
  return bytes;
}

async function forget(db: Db, written: readonly WrittenBlob[]): Promise<void> {
  if (written.length === 0) return;
  try {
    await db.blobs.release(written);
  } catch (err) {
    // The database or the disk failed again: what stays is removed by the next gc.
    console.error(`casegate: could not remove the attachments of a message that was not kept: ${(err as Error).message}`);
  }
}

type Ingested = { outcomes: Outcome[]; auth: SenderAuth | null };

async function ingest(ctx: IngestContext, envelope: Envelope, source: Readable, opts: IngestOptions, written: WrittenBlob[]): Promise<Ingested> {
  const { db, config } = ctx;
  let msg: ParsedMessage;
  let authResult: SenderAuth | null;
  // Sender authentication reads the same stream as the parser (a second pipe, set up in the same
  // turn, here or to serve's auth thread) and ends before the write transaction below: no write lock
  // is held across DNS.
  const auth = ctx.authThread ? ctx.authThread.start(envelope, source) : startSenderAuth(config, envelope, source);
  try {
    msg = await parseMessage(source, { store: db.blobs, maxBytes: config.maxMessageBytes, written, readTimeoutMs: opts.readTimeoutMs });
    authResult = auth === null ? null : await auth.result();
  } catch (err) {
    auth?.abort();
    const a = permanentAnswerOf(err, config);
    if (a === null) throw err;
    source.resume();
    const refused = await commitJob(ctx, { kind: 'refuse', envelope, answer: a, stage: 'parse' }, opts);
    return { outcomes: refused, auth: null };
  }

  const job: StoreJob = { kind: 'deliver', msg, envelope, auth: authResult, perRecipient: opts.perRecipient === true, quiet: opts.quiet === true, at: opts.at ?? null };
  const outcomes = await commitJob(ctx, job, opts);
  return { outcomes, auth: authResult };
}

const hasJobs = (c: Committer): c is Committer & JobCommitter => typeof (c as Partial<JobCommitter>).runJob === 'function';

/** Commits the job: on the store thread when there is one and nothing else must join the transaction. */
function commitJob(ctx: IngestContext, job: StoreJob, opts: IngestOptions): Promise<Outcome[]> {
  const { committer, config } = ctx;
  const also = opts.alsoInCommit;
  if (also === undefined && hasJobs(committer)) return committer.runJob(job);
  return committer.run(async (tx) => {
    const outcomes = await runStoreJob(tx, config, job);
    await also?.(tx, outcomes);
    return outcomes;
  });
}

/** The answer to a message that can never be taken, by the class of the error; null for any other failure (451 / 75). */
function permanentAnswerOf(err: unknown, config: Config): Answer | null {
  if (err instanceof MessageTooLargeError) return answers.tooLarge(config.maxMessageBytes);
  if (err instanceof ParserLimitError) return answers.parserLimit(err.message);
  if (err instanceof MalformedMessageError) return answers.malformed(err.message);
  return null;
}

