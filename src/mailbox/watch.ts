// Watching mailboxes (`serve`, `fetch`): one loop per mailbox. It connects, drains the mailbox,
// then waits in IMAP IDLE (NOOP polling where the server has no IDLE) until new mail arrives or the
// poll interval passes, and drains again. A mailbox that cannot be reached or read is tried again
// after the delays of CASEGATE_MAILBOX_RETRY_SCHEDULE, with a log line each time; the others go on.
// The set of mailboxes is read again at every poll interval, so `mailbox add|remove` takes effect
// without a restart. stop() lets the message in hand finish, then logs out.
import type { ImapFlow } from 'imapflow';
import { allMailboxes, recordMailboxPass, type MailboxRow } from '../db/mailboxes.js';
import { retryDelaySeconds } from '../domain/mailbox.js';
import type { IngestContext, Outcome } from '../ingest/pipeline.js';
import { addressOf, MailboxError, openMailbox } from './connect.js';
import { drainMailbox, movedAgainLine, type DrainResult } from './drain.js';

export interface WatchOptions {
  /** A log line (no message body, no secret). */
  log?: (line: string) => void;
  onOutcome?: (outcomes: Outcome[]) => void;
}

export interface MailboxWatchers {
  start(): void;
  /** Stops every loop; resolves once each has finished its message in hand and logged out. */
  stop(): Promise<void>;
  /** URLs watched now. */
  watching(): string[];
}

/** Watches every configured mailbox until stop(). */
export function createMailboxWatchers(ctx: IngestContext, opts: WatchOptions = {}): MailboxWatchers {
  const loops = new Map<number, { url: string; stop: () => Promise<void> }>();
  const log = opts.log ?? ((line: string) => process.stderr.write(`casegate: ${line}\n`));
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let syncing: Promise<void> = Promise.resolve();

  const sync = async (): Promise<void> => {
    let rows: MailboxRow[];
    try {
      rows = await ctx.db.transaction((tx) => allMailboxes(tx), 'read');
    } catch (err) {
      log(`mailboxes: cannot read the list of mailboxes (${(err as Error).message}); trying again in ${ctx.config.mailboxPollSeconds} s`);
      return;
    }
    if (stopped) return;
    const ids = new Set(rows.map((r) => r.id));
    for (const [id, loop] of loops) {
      if (!ids.has(id)) {
        loops.delete(id);
        await loop.stop();
        log(`mailbox ${loop.url}: removed, no longer watched`);
      }
    }
    for (const row of rows) if (!loops.has(row.id)) loops.set(row.id, { url: row.url, stop: watchMailbox(ctx, row, { ...opts, log }) });
  };

  return {
    start() {
      syncing = sync();
      timer = setInterval(() => {
        syncing = syncing.then(sync);
      }, ctx.config.mailboxPollSeconds * 1000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      await syncing;
      await Promise.all([...loops.values()].map((l) => l.stop()));
      loops.clear();
    },
    watching: () => [...loops.values()].map((l) => l.url),
  };
}

/** The loop of one mailbox; returns its stop(). */
function watchMailbox(ctx: IngestContext, row: MailboxRow, opts: WatchOptions & { log: (line: string) => void }): () => Promise<void> {
  const { config } = ctx;
  let stopping = false;
  let wake: (() => void) | null = null;
  // New mail that came while a pass ran: the next sleep ends at once.
  let pending = false;
  const poke = (): void => {
    pending = true;
    wake?.();
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (pending || stopping) {
        resolve();
        return;
      }
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const run = async (): Promise<void> => {
    let failures = 0;
    while (!stopping) {
      let client: ImapFlow | null = null;
      try {
        client = await openMailbox(row, config);
        const c = client;
        c.on('exists', (e: { count: number; prevCount: number }) => {
          if (e.count > e.prevCount) poke();
        });
        c.on('close', poke);
        while (!stopping) {
          pending = false;
          const result = await drainMailbox(c, row, addressOf(row), ctx, {
            stopping: () => stopping,
            onOutcome: opts.onOutcome,
            onKept: (uid, why) => opts.log(`mailbox ${row.url}: message UID ${uid} stays for the next pass: ${why}`),
            onMovedAgain: (uid, to) => opts.log(movedAgainLine(row.url, uid, to)),
          });
          await record(ctx, row, null, result);
          if (failures > 0) opts.log(`mailbox ${row.url}: reachable again`);
          failures = 0;
          if (result.done + result.refused > 0) opts.log(`mailbox ${row.url}: ${describe(result)}`);
          if (stopping || !c.usable) break;
          // IDLE until new mail (an EXISTS), the poll interval, or stop(); the next command ends IDLE.
          c.idle().catch(() => undefined);
          await sleep(config.mailboxPollSeconds * 1000);
          if (!c.usable && !stopping) throw new MailboxError('the server closed the connection');
        }
      } catch (err) {
        if (stopping) break;
        failures++;
        const delay = retryDelaySeconds(config.mailboxRetrySchedule, failures);
        const why = err instanceof Error ? err.message : String(err);
        const partial = (err as { partial?: DrainResult }).partial;
        await record(ctx, row, why, partial ?? null);
        opts.log(`mailbox ${row.url}: ${why}; trying again in ${delay} s (failure ${failures} in a row)`);
        await sleep(delay * 1000);
      } finally {
        await client?.logout().catch(() => client?.close());
      }
    }
  };
  const running = run();
  return async () => {
    stopping = true;
    wake?.();
    await running;
  };
}

export function describe(r: DrainResult): string {
  return `${r.done} taken into casegate/done, ${r.refused} refused into casegate/refused${r.kept > 0 ? `, ${r.kept} left for the next pass` : ''}`;
}

/** The end of a pass on the mailbox's row; a database that fails here only costs the record. */
async function record(ctx: IngestContext, row: MailboxRow, error: string | null, result: DrainResult | null): Promise<void> {
  const taken = result === null ? 0 : result.done + result.refused;
  await ctx.db.transaction((tx) => recordMailboxPass(tx, row.id, Date.now(), error, taken)).catch(() => undefined);
}
