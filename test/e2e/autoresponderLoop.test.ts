// Two autoresponders that send no auto headers and quote the notification they answer, answering
// each other through casegate (issue 9): their bodies differ every time, but their new text does
// not, so the loop rule (counted on the new text, SPEC §4) stops them. Real gateway, real socket,
// real SQLite file; each autoresponder answers every notification that is written to it.
import { afterEach, describe, expect, it } from 'vitest';
import { LOOP_LIMIT } from '../../src/domain/loop.js';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, BOB, countRows } from '../helpers/seed.js';
import { query } from '../helpers/testDb.js';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

interface Notification {
  id: number;
  recipient: string;
  messageId: string;
  body: string | null;
}

/** Notifications written to Ann or Bob that their autoresponder has not answered yet. */
async function unanswered(g: Gateway, answered: Set<number>): Promise<Notification[]> {
  const rows = await query<Notification>(
    g.db,
    `SELECT o.id, o.recipient, o.message_id AS "messageId", c.body FROM outbox o LEFT JOIN comments c ON c.id = o.comment_id
      WHERE o.recipient IN (?, ?) ORDER BY o.id`,
    [ANN, BOB],
  );
  return rows.filter((r) => !answered.has(r.id));
}

/** What a plain autoresponder sends: its fixed text, then the notification quoted, no auto headers. */
function autoReply(from: string, n: Notification, caseNumber: string, seq: number): string {
  const quoted = [`Message ${n.messageId}`, ...(n.body ?? 'Your case was opened.').split('\n')].map((l) => `> ${l}`);
  return [
    `From: ${from === ANN ? 'Ann Archer' : 'Bob Baker'} <${from}>`,
    'To: Acme Support <support@acme-support.example>',
    `Subject: Re: [Case ${caseNumber}] Printer on floor 3 is jammed`,
    `Message-ID: <away-${seq}@mail.acme.example>`,
    `In-Reply-To: ${n.messageId}`,
    `References: ${n.messageId}`,
    'Date: Mon, 23 Nov 2026 10:14:38 +0000',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Thank you for your message. I am away until 30 November and will read it when I am back.',
    '',
    `On Mon, 23 Nov 2026 at 10:02, Acme Support <support@acme-support.example> wrote:`,
    ...quoted,
    '',
  ].join('\r\n');
}

describe('two hiding autoresponders answering each other through casegate', () => {
  it('stop: each sends at most LOOP_LIMIT + 1 (16, within 20) messages, the last one refused as a loop', { timeout: 60_000 }, async () => {
    gw = await startGateway();
    const answered = new Set<number>();
    const sent = new Map<string, number>([
      [ANN, 0],
      [BOB, 0],
    ]);
    const codes: number[] = [];
    const CAP = 80; // well past where the exchange must stop; without the rule it never does
    let seq = 0;
    for (;;) {
      const next = (await unanswered(gw, answered))[0];
      if (next === undefined || seq >= CAP) break;
      answered.add(next.id);
      seq++;
      sent.set(next.recipient, (sent.get(next.recipient) ?? 0) + 1);
      const r = await gw.send(autoReply(next.recipient, next, gw.caseNumber, seq), { from: next.recipient, to: [gw.caseAddress] });
      codes.push(r.code);
    }
    expect(seq).toBeLessThan(CAP);
    expect(sent.get(ANN)).toBeLessThanOrEqual(LOOP_LIMIT + 1);
    expect(sent.get(BOB)).toBeLessThanOrEqual(LOOP_LIMIT + 1);
    expect(Math.max(...sent.values())).toBeLessThanOrEqual(20);
    // The last answer of each is the loop refusal; nothing after it.
    expect(codes.filter((c) => c === 550)).toHaveLength(2);
    expect(await countRows(gw.db, 'inbound', "decision = 'refused' AND reason LIKE '%mail loop%'")).toBe(2);
    expect(await countRows(gw.db, 'comments', "source = 'email'")).toBe(seq - 2);
  });

  it('a person who writes the same short answer twice is not a loop', async () => {
    gw = await startGateway();
    const n = (await unanswered(gw, new Set())).find((r) => r.recipient === ANN) as Notification;
    for (const seq of [1, 2]) {
      const r = await gw.send(autoReply(ANN, n, gw.caseNumber, seq), { from: ANN, to: [gw.caseAddress] });
      expect(r.code).toBe(250);
    }
    expect(await countRows(gw.db, 'comments', "source = 'email'")).toBe(2);
  });
});
