// Seeding a benchmark database fast: the product's migrations (through openStore), then raw SQL in
// one transaction with journaling off. Every case has a contact; the "hot" cases that the load
// writes to have 20 collaborators, the others 2. Each old comment comes with its inbound log row
// and one sent outbox row, so that the indexes the hot path searches grow with the database.
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { openStore } from '../src/db/client.js';
import { caseNumberOf, newToken } from '../src/domain/mailNames.js';
import { BENCH_DOMAIN, type ReplyTarget } from './mail.js';

export interface SeedOptions {
  cases: number;
  /** Every `hotEvery`-th case is hot (20 collaborators, receives the load). */
  hotEvery: number;
  commentsPerCase: number;
  collaboratorsHot?: number;
  collaboratorsCold?: number;
}

export interface Seeded {
  hot: ReplyTarget[];
  rows: { cases: number; collaborators: number; comments: number; inbound: number; outbox: number };
  ms: number;
}

const SUBJECT = 'Printer shows error 0x51 after firmware update';

export function seedDatabase(file: string, o: SeedOptions): Seeded {
  const started = performance.now();
  openStore(file).close();
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -1000000');
  const old = Date.now() - 86_400_000;
  const hotCollaborators = o.collaboratorsHot ?? 20;
  const coldCollaborators = o.collaboratorsCold ?? 2;
  const rows = { cases: 0, collaborators: 0, comments: 0, inbound: 0, outbox: 0 };
  const hot: ReplyTarget[] = [];

  const account = db.prepare('INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)');
  const contact = db.prepare(
    `INSERT INTO contacts (id, account_id, email, email_lower, first_name, last_name, help_admin, eligible, active, created_at)
     VALUES (?, ?, ?, ?, 'Customer', ?, 0, 1, 1, ?)`,
  );
  const kase = db.prepare(
    `INSERT INTO cases (id, number, subject, description, status, priority, origin, contact_id, account_id,
       closed_when_created, address_token, thread_root, created_at, updated_at)
     VALUES (?, ?, ?, 'Seeded by the benchmark.', 'Working', 'Medium', 'Email', ?, ?, 0, ?, ?, ?, ?)`,
  );
  const collaborator = db.prepare(
    'INSERT INTO collaborators (case_id, email, email_lower, added_by, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const comment = db.prepare(
    `INSERT INTO comments (id, case_id, author_email, author_name, body, full_body, source, internal, inbound_id, created_at)
     VALUES (?, ?, ?, 'Customer Contact', ?, ?, 'email', 0, ?, ?)`,
  );
  const inbound = db.prepare(
    `INSERT INTO inbound (id, message_id, mail_from, from_addr, rcpt, subject, decision, reason, smtp_code, case_id,
       comment_id, fingerprint, loop_key, size, created_at)
     VALUES (?, ?, ?, ?, ?, ?, 'accepted', '250 2.6.0 added', 250, ?, ?, ?, ?, 4096, ?)`,
  );
  const outbox = db.prepare(
    `INSERT INTO outbox (case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status, attempts,
       next_attempt_at, response, sent_at, created_at)
     VALUES (?, ?, 'comment', ?, ?, ?, ?, 'sent', 1, ?, '250 ok', ?, ?)`,
  );

  const accounts = Math.max(1, Math.ceil(o.cases / 100));
  let commentId = 0;
  db.transaction(() => {
    for (let a = 1; a <= accounts; a++) account.run(a, `Customer ${a}`, old);
    for (let id = 1; id <= o.cases; id++) {
      const accountId = ((id - 1) % accounts) + 1;
      const email = `contact${id}@customer${accountId}.bench`;
      contact.run(id, accountId, email, email, `Number ${id}`, old);
      const token = newToken();
      const number = caseNumberOf(id);
      kase.run(id, number, SUBJECT, id, accountId, token, `<case.${number}.seed@${BENCH_DOMAIN}>`, old, old);
      rows.cases++;
      const isHot = (id - 1) % o.hotEvery === 0;
      const collaborators = isHot ? hotCollaborators : coldCollaborators;
      for (let c = 1; c <= collaborators; c++) {
        const address = `colleague${c}.case${id}@customer${accountId}.bench`;
        collaborator.run(id, address, address, email, old);
        rows.collaborators++;
      }
      if (isHot) hot.push({ address: `case+${token}@${BENCH_DOMAIN}`, number, subject: SUBJECT, contact: email });
      for (let n = 0; n < o.commentsPerCase; n++) {
        commentId++;
        const body = `Seeded comment ${n} on case ${number}: the printer in room ${n % 40} shows error 0x51 again.`;
        const hashes = randomBytes(64).toString('hex');
        comment.run(commentId, id, email, body, body, commentId, old);
        inbound.run(
          commentId,
          `<seed.${commentId}@customer.bench>`,
          email,
          email,
          `case+${token}@${BENCH_DOMAIN}`,
          `Re: [Case ${number}] ${SUBJECT}`,
          id,
          commentId,
          hashes.slice(0, 64),
          hashes.slice(64),
          old,
        );
        const outToken = newToken();
        const recipient = `colleague1.case${id}@customer${accountId}.bench`;
        outbox.run(id, commentId, recipient, recipient, outToken, `<${outToken}@${BENCH_DOMAIN}>`, old, old, old);
        rows.comments++;
        rows.inbound++;
        rows.outbox++;
      }
    }
  })();
  db.pragma('journal_mode = WAL');
  db.close();
  return { hot, rows, ms: performance.now() - started };
}
