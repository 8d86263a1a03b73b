// `casegate import`: the real binary brings an mbox and a maildir in through the same stages as
// live mail, oldest first, threads kept, nothing queued to send; a second run adds nothing.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { newTestDb, type TestDb } from '../helpers/cli.js';
import { openTestDb, queryAt } from '../helpers/testDb.js';

const SUPPORT = 'support@acme-support.example';
const FIXTURES = path.resolve('fixtures/import');

async function withRouting(t: TestDb): Promise<void> {
  const db = await openTestDb(t.db, t.dir);
  try {
    await db.transaction((tx) => addRoutingAddress(tx, loadConfig({ db: t.db }, {}), { address: SUPPORT, createContacts: true }));
  } finally {
    await db.close();
  }
}

describe('casegate import mbox', () => {
  it('opens cases and threads replies, oldest first, sends nothing, and adds nothing the second time', async () => {
    const t = await newTestDb();
    try {
      await withRouting(t);
      const first = await t.run('import', 'mbox', path.join(FIXTURES, 'support.mbox'), '--to', SUPPORT, '--json');
      expect(first.code, first.stderr).toBe(0);
      // The bounce from MAILER-DAEMON is automatic mail: taken and dropped.
      expect(first.json()).toEqual({ messages: 5, added: 4, duplicates: 0, dropped: 1, refused: 0, reasons: [] });
      // Not a terminal: plain progress lines on stderr, the last one at the end.
      expect(first.stderr).toMatch(/^casegate: import: 5\/5 messages, [\d.]+ msg\/s, ETA 0m00s$/m);

      const cases = await queryAt<{ subject: string; comments: number; created: number }>(
        t.db,
        'SELECT c.subject, (SELECT COUNT(*) FROM comments m WHERE m.case_id = c.id) AS comments, c.created_at AS created FROM cases c ORDER BY c.id',
      );
      expect(cases.map((c) => [c.subject, Number(c.comments)])).toEqual([
        ['Invoice 1042 shows the wrong VAT rate', 2],
        ['Scanned delivery note attached', 1],
        ['Login fails after the update', 1],
      ]);
      // Dated as the mail was: the case opened when its first message was sent.
      expect(Number(cases[0]?.created)).toBe(Date.parse('2026-03-02T09:00:00Z'));
      const shown = (await t.run('case', 'show', '00001001', '--json')).json();
      expect(shown.description).toContain('\nFrom now on, please send invoices');
      expect(shown.comments[1].body).toMatch(/^Any news on this\? Our accountant is waiting\./);
      const attached = (await t.run('case', 'show', '00001002', '--json')).json();
      expect(attached.comments[0].attachments).toEqual([expect.objectContaining({ filename: 'delivery-note.pdf', contentType: 'application/pdf' })]);
      const legacy = (await t.run('case', 'show', '00001003', '--json')).json();
      expect(legacy.description).toContain('session expired');
      // No notification, no auto-response.
      expect(Number((await queryAt<{ n: number }>(t.db, 'SELECT COUNT(*) AS n FROM outbox'))[0]?.n)).toBe(0);

      const again = await t.run('import', 'mbox', path.join(FIXTURES, 'support.mbox'), '--to', SUPPORT);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toBe('5 messages: 0 added, 4 duplicates, 1 dropped (automatic mail, bounces), 0 refused\n');
      expect(Number((await queryAt<{ n: number }>(t.db, 'SELECT COUNT(*) AS n FROM comments'))[0]?.n)).toBe(4);
    } finally {
      t.cleanup();
    }
  });

  it('refuses an address that is neither a routing nor a case address, and a missing file', async () => {
    const t = await newTestDb();
    try {
      const r = await t.run('import', 'mbox', path.join(FIXTURES, 'support.mbox'), '--to', 'nobody@elsewhere.example');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^casegate: --to nobody@elsewhere\.example is not a routing address or a case address here; add it with "casegate routing add/);
      const missing = await t.run('import', 'mbox', path.join(FIXTURES, 'nope.mbox'), '--to', SUPPORT);
      expect(missing.stderr).toMatch(/^casegate: cannot read mbox .*nope\.mbox \(ENOENT\); give an mbox file\n$/);
    } finally {
      t.cleanup();
    }
  });
});

describe('casegate import maildir', () => {
  it('imports cur/ and new/ oldest first with the thread kept', async () => {
    const t = await newTestDb();
    try {
      await withRouting(t);
      const r = await t.run('import', 'maildir', path.join(FIXTURES, 'maildir'), '--to', SUPPORT, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.json()).toEqual({ messages: 3, added: 3, duplicates: 0, dropped: 0, refused: 0, reasons: [] });
      const cases = await queryAt<{ subject: string }>(t.db, 'SELECT subject FROM cases ORDER BY id');
      expect(cases.map((c) => c.subject)).toEqual(['Invoice 1042 shows the wrong VAT rate', 'Login fails after the update']);
    } finally {
      t.cleanup();
    }
  });
});
