// Seeding a PostgreSQL benchmark database, the same rows as bench/seed.ts makes in SQLite: the
// product's migrations (openDb), then rows made by PostgreSQL itself (INSERT … SELECT over
// generate_series) in one transaction of the product's engine, the identity sequences moved past
// the ids written. Every case has a contact; the hot cases have 20 collaborators, the others 2; each
// old comment comes with its inbound log row and a sent outbox row, and a case with comments with
// the reply addresses of its contact and collaborators.
import { openDb } from '../src/db/client.js';
import { BENCH_DOMAIN, type ReplyTarget } from './mail.js';
import type { SeedOptions, Seeded } from './seed.js';

const SUBJECT = 'Printer shows error 0x51 after firmware update';
/** A random token of lowercase hex, as long as the product's (24 characters); a hash (64). */
const token = "left(replace(gen_random_uuid()::text, '-', ''), 24)";
const hash = "replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '')";
const TABLES = ['accounts', 'contacts', 'cases', 'collaborators', 'comments', 'inbound', 'outbox'] as const;

function whole(name: string, n: number): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number, not ${n}`);
  return n;
}

export async function seedPostgres(url: string, o: SeedOptions): Promise<Seeded> {
  const started = performance.now();
  const cases = whole('cases', o.cases);
  const accounts = Math.max(1, Math.ceil(cases / 100));
  const hot = whole('hotEvery', o.hotEvery) || 1;
  const perCase = whole('commentsPerCase', o.commentsPerCase);
  const hotCollaborators = whole('collaboratorsHot', o.collaboratorsHot ?? 20);
  const coldCollaborators = whole('collaboratorsCold', o.collaboratorsCold ?? 2);
  const old = Date.now() - 86_400_000;
  const account = `(((i - 1) % ${accounts}) + 1)`;
  const db = await openDb(url, { onError: () => undefined });
  try {
    const { rows, targets } = await db.transaction(async (tx) => {
      await tx.run(`INSERT INTO accounts (id, name, created_at) SELECT i, 'Customer ' || i, ${old} FROM generate_series(1, ${accounts}) i`);
      await tx.run(`INSERT INTO contacts (id, account_id, email, email_lower, first_name, last_name, help_admin, eligible, active, created_at)
        SELECT i, ${account}, 'contact' || i || '@customer' || ${account} || '.bench', 'contact' || i || '@customer' || ${account} || '.bench',
               'Customer', 'Number ' || i, false, true, true, ${old} FROM generate_series(1, ${cases}) i`);
      await tx.run(
        `INSERT INTO cases (id, number, subject, description, status, priority, origin, contact_id, account_id,
           closed_when_created, address_token, thread_root, created_at, updated_at)
         SELECT i, lpad((1000 + i)::text, 8, '0'), ?::text, 'Seeded by the benchmark.', 'Working', 'Medium', 'Email', i, ${account},
                false, ${token}, '<case.' || lpad((1000 + i)::text, 8, '0') || '.seed@' || ?::text || '>', ${old}, ${old}
           FROM generate_series(1, ${cases}) i`,
        [SUBJECT, BENCH_DOMAIN],
      );
      await tx.run(`INSERT INTO collaborators (case_id, email, email_lower, added_by, created_at)
        SELECT c.i, 'colleague' || n.i || '.case' || c.i || '@partner.bench', 'colleague' || n.i || '.case' || c.i || '@partner.bench',
               'operator', ${old}
          FROM generate_series(1, ${cases}) c(i)
          JOIN generate_series(1, ${Math.max(hotCollaborators, coldCollaborators)}) n(i)
            ON n.i <= CASE WHEN (c.i - 1) % ${hot} = 0 THEN ${hotCollaborators} ELSE ${coldCollaborators} END
         ORDER BY c.i, n.i`);
      if (perCase > 0) {
        // comment k belongs to case ((k - 1) / perCase) + 1; its inbound row and outbox row share its id
        const k = `generate_series(1, ${cases * perCase}) i`;
        const caseOf = `((i - 1) / ${perCase} + 1)`;
        await tx.run(`INSERT INTO comments (id, case_id, author_email, author_name, body, full_body, source, internal, inbound_id, created_at)
          SELECT i, ${caseOf}, 'contact' || ${caseOf} || '@customer.bench', 'Customer Contact',
                 'Seeded comment ' || i || ': the printer in room ' || (i % 40) || ' shows error 0x51 again.',
                 'Seeded comment ' || i || ': the printer in room ' || (i % 40) || ' shows error 0x51 again.', 'email', false, i, ${old}
            FROM ${k}`);
        await tx.run(
          `INSERT INTO inbound (id, message_id, mail_from, from_addr, rcpt, subject, decision, reason, smtp_code, case_id,
             comment_id, fingerprint, loop_key, size, created_at)
           SELECT i, '<seed.' || i || '@customer.bench>', 'contact@customer.bench', 'contact@customer.bench',
                  'case+seed' || i || '@' || ?::text, 'Re: ' || ?::text, 'accepted', '250 2.6.0 added', 250,
                  ${caseOf}, i, ${hash}, ${hash}, 4096, ${old}
             FROM ${k}`,
          [BENCH_DOMAIN, SUBJECT],
        );
        await tx.run(
          `INSERT INTO outbox (id, case_id, comment_id, kind, recipient, recipient_lower, token, message_id, status, attempts,
             next_attempt_at, response, sent_at, created_at)
           SELECT i, ${caseOf}, i, 'comment', 'colleague1@partner.bench', 'colleague1@partner.bench', ${token},
                  '<seed.' || i || '@' || ?::text || '>', 'sent', 1, ${old}, '250 ok', ${old}, ${old}
             FROM ${k}`,
          [BENCH_DOMAIN],
        );
        // The reply addresses the seeded comments' notifications issued (as bench/seed.ts).
        await tx.run(`INSERT INTO reply_addresses (token, case_id, kind, address_lower, created_at)
          SELECT ${token}, id, 'contact', (SELECT email_lower FROM contacts WHERE contacts.id = cases.contact_id), ${old} FROM cases
          UNION ALL
          SELECT ${token}, case_id, 'collaborator', email_lower, ${old} FROM collaborators`);
      }
      const rows = {} as Seeded['rows'];
      rows.replyAddresses = (await tx.get<{ n: number }>('SELECT count(*) AS n FROM reply_addresses'))?.n ?? 0;
      for (const table of TABLES) {
        // Ids were written explicitly: the identity sequence goes on after the largest.
        await tx.get(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), greatest(1, (SELECT max(id) FROM ${table})))`);
        if (table !== 'accounts' && table !== 'contacts') {
          rows[table] = (await tx.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))?.n ?? 0;
        }
      }
      const targets = await tx.all<{ token: string; number: string; email: string }>(
        `SELECT c.address_token AS token, c.number, k.email FROM cases c JOIN contacts k ON k.id = c.contact_id
          WHERE (c.id - 1) % ${hot} = 0 ORDER BY c.id`,
      );
      return { rows, targets };
    });
    await db.transaction((tx) => tx.run('ANALYZE'));
    const hotTargets: ReplyTarget[] = targets.map((r) => ({ address: `case+${r.token}@${BENCH_DOMAIN}`, number: r.number, subject: SUBJECT, contact: r.email }));
    return { hot: hotTargets, rows, ms: performance.now() - started };
  } finally {
    await db.close();
  }
}
