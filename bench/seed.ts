// Seeding a benchmark database fast: the product's migrations (through openDb), then rows made
// by SQLite itself (INSERT … SELECT over a counter) in one transaction with journaling off, with the
// secondary indexes dropped during the load and built again afterwards from the product's own
// definitions. Every case has a contact; the "hot" cases that the load writes to have 20
// collaborators, the others 2. Each old comment comes with its inbound log row and one sent outbox
// row, so that the indexes the hot path searches grow with the database. A case with comments has
// the reply addresses its notifications issued: one for the contact and one for each collaborator
// (SPEC §4 *Sender trust*), as a case the load replies to would have in use.
import Database from 'better-sqlite3';
import { openDb } from '../src/db/client.js';
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
  rows: { cases: number; collaborators: number; comments: number; inbound: number; outbox: number; replyAddresses: number };
  ms: number;
}

const SUBJECT = 'Printer shows error 0x51 after firmware update';

/** 1..n as a recursive CTE named `n(i)`. */
const counter = (n: string) => `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})`;
/** A random token of lowercase hex, as long as the product's (24 characters). */
const token = 'lower(hex(randomblob(12)))';
const hash = 'lower(hex(randomblob(32)))';
const account = '(((n.i - 1) % :accounts) + 1)';

export async function seedDatabase(file: string, o: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  await (await openDb(file)).close();
  const db = new Database(file);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('cache_size = -500000');
  const old = Date.now() - 86_400_000;
  // BigInt binds as INTEGER (a JS number binds as REAL, and (i - 1) / 10.0 is no case id)
  const p = {
    cases: BigInt(o.cases),
    accounts: BigInt(Math.max(1, Math.ceil(o.cases / 100))),
    hot: BigInt(o.hotEvery),
    perCase: BigInt(o.commentsPerCase),
    hotCollaborators: BigInt(o.collaboratorsHot ?? 20),
    coldCollaborators: BigInt(o.collaboratorsCold ?? 2),
    old: BigInt(old),
    domain: BENCH_DOMAIN,
    subject: SUBJECT,
  };
  const indexes = db
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    .all() as { name: string; sql: string }[];
  const run = (sql: string) => db.prepare(sql).run(p);

  db.transaction(() => {
    for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
    run(`${counter(':accounts')} INSERT INTO accounts (id, name, created_at) SELECT i, 'Customer ' || i, :old FROM n`);
    run(`${counter(':cases')}
      INSERT INTO contacts (id, account_id, email, email_lower, first_name, last_name, help_admin, eligible, active, created_at)
      SELECT i, ${account}, 'contact' || i || '@customer' || ${account} || '.bench', 'contact' || i || '@customer' || ${account} || '.bench',
             'Customer', 'Number ' || i, 0, 1, 1, :old FROM n`);
    run(`${counter(':cases')}
      INSERT INTO cases (id, number, subject, description, status, priority, origin, contact_id, account_id,
        closed_when_created, address_token, thread_root, created_at, updated_at)
      SELECT i, printf('%08d', 1000 + i), :subject, 'Seeded by the benchmark.', 'Working', 'Medium', 'Email', i, ${account},
             0, ${token}, '<case.' || printf('%08d', 1000 + i) || '.seed@' || :domain || '>', :old, :old FROM n`);
    run(`${counter('max(:hotCollaborators, :coldCollaborators)')}, c(i) AS (SELECT id FROM cases)
      INSERT INTO collaborators (case_id, email, email_lower, added_by, created_at)
      SELECT c.i, 'colleague' || n.i || '.case' || c.i || '@partner.bench', 'colleague' || n.i || '.case' || c.i || '@partner.bench',
             'operator', :old
        FROM c JOIN n ON n.i <= CASE WHEN (c.i - 1) % :hot = 0 THEN :hotCollaborators ELSE :coldCollaborators END
       ORDER BY c.i, n.i`);
    if (o.commentsPerCase > 0) {
      // comment k belongs to case ((k - 1) / perCase) + 1; its inbound row and outbox row share its id
      run(`${counter(':cases * :perCase')}
        INSERT INTO comments (id, case_id, author_email, author_name, body, full_body, source, internal, inbound_id, created_at)
        SELECT i, (i - 1) / :perCase + 1, 'contact' || ((i - 1) / :perCase + 1) || '@customer.bench', 'Customer Contact',
               'Seeded comment ' || i || ': the printer in room ' || (i % 40) || ' shows error 0x51 again.',
               'Seeded comment ' || i || ': the printer in room ' || (i % 40) || ' shows error 0x51 again.', 'email', 0, i, :old
          FROM n`);
      run(`${counter(':cases * :perCase')}
        INSERT INTO inbound (id, message_id, mail_from, from_addr, rcpt, subject, decision, reason, smtp_code, case_id,
          comment_id, fingerprint, loop_key, size, created_at)
        SELECT i, '<seed.' || i || '@customer.bench>', 'contact@customer.bench', 'contact@customer.bench',
               'case+seed' || i || '@' || :domain, 'Re: ' || :subject, 'accepted', '250 2.6.0 added', 250,
               (i - 1) / :perCase + 1, i, ${hash}, ${hash}, 4096, :old
          FROM n`);
      run(`${counter(':cases * :perCase')}
        INSERT INTO outbox (id, case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status, attempts,
          next_attempt_at, response, sent_at, created_at)
        SELECT i, (i - 1) / :perCase + 1, i, 'comment', 'colleague1@partner.bench', 'colleague1@partner.bench', ${token},
               '<seed.' || i || '@' || :domain || '>', 'sent', 1, :old, '250 ok', :old, :old
          FROM n`);
      run(`INSERT INTO reply_addresses (token, case_id, kind, address_lower, created_at)
        SELECT ${token}, id, 'contact', (SELECT email_lower FROM contacts WHERE contacts.id = cases.contact_id), :old FROM cases
        UNION ALL
        SELECT ${token}, case_id, 'collaborator', email_lower, :old FROM collaborators`);
    }
    for (const index of indexes) db.exec(index.sql);
  })();

  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  const rows = {
    cases: count('cases'),
    collaborators: count('collaborators'),
    comments: count('comments'),
    inbound: count('inbound'),
    outbox: count('outbox'),
    replyAddresses: count('reply_addresses'),
  };
  const hot = (
    db
      .prepare(
        `SELECT c.address_token AS token, c.number, k.email FROM cases c JOIN contacts k ON k.id = c.contact_id
          WHERE (c.id - 1) % ? = 0 ORDER BY c.id`,
      )
      .all(BigInt(o.hotEvery)) as { token: string; number: string; email: string }[]
  ).map((r) => ({ address: `case+${r.token}@${BENCH_DOMAIN}`, number: r.number, subject: SUBJECT, contact: r.email }));
  db.pragma('journal_mode = WAL');
  db.close();
  return { hot, rows, ms: performance.now() - started };
}
