// `casegate import`: historic mail through the same pipeline as live mail, as if sent to one
// address, oldest first. Threads are kept: a message whose In-Reply-To/References names the first
// message of a case imported before (its thread root) goes to that case's address, so it becomes a
// comment of that case by the rules of any reply (only from a participant). Nothing is sent: no
// notification, no auto-response. A second run finds every message a duplicate.
import type { IngestContext, Outcome } from '../ingest/pipeline.js';
import { ingestMessage } from '../ingest/pipeline.js';
import { caseById, caseIdByThreadRoot } from '../db/cases.js';
import { caseAddress } from '../domain/mailNames.js';
import { formatAnswer, isTaken } from '../domain/answers.js';
import { openMessage, readHead, threadIds, type StoredMessage } from './sources.js';

export interface ImportSummary {
  messages: number;
  /** Opened a case or added a comment. */
  added: number;
  duplicates: number;
  /** Taken and dropped on purpose (automatic mail, bounces, nothing to do). */
  dropped: number;
  refused: number;
  /** Each refusal's answer and how many messages got it. */
  reasons: { answer: string; count: number; first: string }[];
}

export interface ImportProgress {
  (done: number, total: number): void;
}

/** Imports `messages` (already oldest first) as if sent to `to`. */
export async function importMessages(ctx: IngestContext, messages: readonly StoredMessage[], to: string, progress: ImportProgress = () => undefined): Promise<ImportSummary> {
  const summary: ImportSummary = { messages: messages.length, added: 0, duplicates: 0, dropped: 0, refused: 0, reasons: [] };
  const reasons = new Map<string, { count: number; first: string }>();
  let done = 0;
  for (const m of messages) {
    const rcpt = (await threadedTo(ctx, m)) ?? to;
    let outcome: Outcome | undefined;
    try {
      [outcome] = await ingestMessage(ctx, { mailFrom: m.mailFrom, rcpt: [rcpt], client: { ip: null, helo: null } }, openMessage(m), {
        quiet: true,
        ...(m.date === null ? {} : { at: m.date }),
      });
    } catch (err) {
      // Nothing of it was kept (a temporary failure): counted as refused with its reason; a second run takes it.
      const why = `451 temporary failure, nothing was kept (${(err as Error).message}); run the import again`;
      count(reasons, why, m.label);
      summary.refused++;
    }
    if (outcome !== undefined) {
      if (outcome.decision === 'accepted') summary.added++;
      else if (outcome.decision === 'duplicate') summary.duplicates++;
      else if (isTaken(outcome.answer)) summary.dropped++;
      else {
        summary.refused++;
        count(reasons, formatAnswer(outcome.answer), m.label);
      }
    }
    progress(++done, messages.length);
  }
  summary.reasons = [...reasons].map(([answer, r]) => ({ answer, ...r })).sort((a, b) => b.count - a.count);
  return summary;
}

function count(reasons: Map<string, { count: number; first: string }>, answer: string, label: string): void {
  const r = reasons.get(answer);
  if (r) r.count++;
  else reasons.set(answer, { count: 1, first: label });
}

/** The address of the case whose first message this one answers, when one was imported (or received) before. */
async function threadedTo(ctx: IngestContext, m: StoredMessage): Promise<string | null> {
  const ids = threadIds(readHead(m.file, m.start, m.end));
  if (ids.length === 0) return null;
  return ctx.db.transaction(async (tx) => {
    for (const id of ids) {
      const caseId = await caseIdByThreadRoot(tx, id);
      const row = caseId === undefined ? undefined : await caseById(tx, caseId);
      if (row !== undefined) return caseAddress(row.addressToken, ctx.config.domain);
    }
    return null;
  }, 'read');
}
