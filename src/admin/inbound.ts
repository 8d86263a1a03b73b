// `inbound list/show`: the inbound log, one row per message and recipient that reached DATA.
import { desc, eq } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { cases, inbound } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';

const DECISIONS = ['accepted', 'refused', 'ignored', 'duplicate'];

function view(row: typeof inbound.$inferSelect, caseNumber: string | null) {
  return {
    id: row.id,
    messageId: row.messageId,
    from: row.fromAddr,
    mailFrom: row.mailFrom,
    rcpt: row.rcpt,
    subject: row.subject,
    decision: row.decision,
    reason: row.reason,
    case: caseNumber,
    comment: row.commentId,
    size: row.size,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export function listInbound(db: Db, filter: { status?: string; limit?: string }) {
  const status = filter.status?.toLowerCase();
  if (status !== undefined && !DECISIONS.includes(status)) {
    throw invalid(`--status "${filter.status}" is not one of ${DECISIONS.join(', ')}; give one of them, or leave it out`);
  }
  const limit = filter.limit === undefined ? 100 : /^\d+$/.test(filter.limit) && Number(filter.limit) > 0 ? Number(filter.limit) : NaN;
  if (Number.isNaN(limit)) throw invalid(`--limit "${filter.limit}" is not a number of rows; give a whole number, at least 1`);
  const q = db.orm
    .select({ row: inbound, number: cases.number })
    .from(inbound)
    .leftJoin(cases, eq(cases.id, inbound.caseId))
    .orderBy(desc(inbound.id))
    .limit(limit);
  const rows = status ? q.where(eq(inbound.decision, status)).all() : q.all();
  return rows.map((r) => view(r.row, r.number));
}

export function showInbound(db: Db, id: string) {
  if (!/^\d+$/.test(id)) throw invalid(`"${id}" is not an inbound log id; see "casegate inbound list"`);
  const r = db.orm
    .select({ row: inbound, number: cases.number })
    .from(inbound)
    .leftJoin(cases, eq(cases.id, inbound.caseId))
    .where(eq(inbound.id, Number(id)))
    .get();
  if (!r) throw notFound(`no inbound log entry ${id}; see "casegate inbound list"`);
  return { ...view(r.row, r.number), smtpCode: r.row.smtpCode, fingerprint: r.row.fingerprint, headers: r.row.headers };
}
