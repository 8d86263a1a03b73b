// `casegate demo`: the whole loop on a throwaway database, printed step by step: a case with a
// contact and two collaborators, a reply over SMTP with an attachment, and the notifications the
// dispatcher writes as .eml files (or sends to CASEGATE_SMTP_URL when one is configured).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer from 'nodemailer';
import { withSettings, type Config } from './config.js';
import { createGateway } from './app.js';
import { createLog } from './log.js';
import { createAccount } from './admin/accounts.js';
import { createContact } from './admin/contacts.js';
import { createUser } from './admin/users.js';
import { openCaseRequest } from './cases/request.js';
import { actorFor, addCollaborator } from './cases/collaborators.js';
import { requireCase } from './cases/find.js';
import { caseDetail } from './views/case.js';
import { outboxList } from './views/outbox.js';
import type { Dispatcher, PassResult } from './outbound/dispatcher.js';

export interface DemoResult {
  dir: string;
  caseNumber: string;
  caseAddress: string;
  smtpAnswer: string;
  notifications: Array<{ recipient: string; kind: string; status: string }>;
  emlFiles: string[];
}

export async function runDemo(base: Config, say: (line: string) => void, keep = false): Promise<DemoResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-demo-'));
  // Every setting of the base but where the data goes; the server listens on a free loopback port.
  // Sender authentication off: the demo's people write from example domains over loopback, and the
  // demo must run on a machine without DNS.
  const config = withSettings(base, { db: path.join(dir, 'demo.db'), outboxDir: path.join(dir, 'outbox'), host: '127.0.0.1', port: 0, senderAuth: 'off' });
  // The demo's numbered lines are its output; the gateway's own log would only interleave with them.
  const problems = createLog(config.logFormat);
  // A throwaway database: no hand-off socket for `casegate ingest` (it would go beside ./data).
  const gateway = await createGateway(config, { log: { info: () => undefined, warn: problems.warn, error: problems.error }, ingestSocket: false });
  const { db } = gateway;
  say(`1. throwaway database ${db.location}`);
  const { account, ann } = await db.transaction(async (tx) => {
    const made = await createAccount(tx, 'Acme Corp');
    const contact = (await createContact(tx, { email: 'ann@acme.example', firstName: 'Ann', lastName: 'Archer', account: made.id, helpAdmin: true })).contact;
    await createContact(tx, { email: 'bob@acme.example', firstName: 'Bob', lastName: 'Baker', account: made.id });
    await createUser(tx, { email: 'agent@support.example', name: 'Sam Agent' });
    return { account: made, ann: contact };
  });
  say(`2. account "${account.name}" (id ${account.id}), contacts ${ann.email} (help admin) and bob@acme.example, agent agent@support.example`);
  const c = await db.transaction(async (tx) =>
    caseDetail(
      tx,
      await openCaseRequest(tx, config, { subject: 'Printer on floor 3 is jammed', description: 'Paper jam error E42.', contact: ann.email, owner: 'agent@support.example' }),
      config.domain,
    ),
  );
  say(`3. case ${c.number} "${c.subject}" owned by ${c.owner}; its case address is ${c.address}`);
  for (const email of ['bob@acme.example', 'carol@partner.example']) {
    const { added, active } = await db.transaction(async (tx) => {
      const row = await requireCase(tx, c.number);
      const made = await addCollaborator(tx, config, row, email, await actorFor(tx, row, ann.email), Date.now());
      return { added: made, active: (await caseDetail(tx, row, config.domain)).collaborators.find((x) => x.email === made.email)?.activeContact };
    });
    say(`4. ${ann.email} added collaborator ${added.email}${active ? ' (active contact)' : ' (not a contact of the account)'}`);
  }

  const { port } = (await gateway.start()) ?? { port: config.port };
  say(`5. inbound SMTP server listening on 127.0.0.1:${port}`);
  const client = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const info = await client.sendMail({
    envelope: { from: ann.email, to: [c.address] },
    from: 'Ann Archer <ann@acme.example>',
    to: c.address,
    subject: `Re: [Case ${c.number}] ${c.subject}`,
    text: `Here is what the display shows.\n\nOn ${new Date().toDateString()}, Support <${config.from}> wrote:\n> Could you send a photo of the display?\n`,
    attachments: [{ filename: 'display.txt', content: 'E42 PAPER JAM TRAY 2\n' }],
  });
  client.close();
  say(`6. ${ann.email} replied over SMTP with an attachment; the server answered: ${info.response}`);

  const stored = (await db.transaction(async (tx) => caseDetail(tx, await requireCase(tx, c.number), config.domain), 'read')).comments.at(-1);
  if (stored) {
    say(`7. stored comment by ${stored.author} (${stored.source}): ${JSON.stringify(stored.body)}`);
    for (const a of stored.attachments) say(`   attachment ${a.filename}, ${a.contentType}, ${a.size} bytes, sha256 ${a.sha256.slice(0, 16)}…`);
  }
  const pass = gateway.dispatcher ? await sendAllDue(gateway.dispatcher) : { sent: 0, retried: 0, failed: 0, held: 0 };
  const rows = await db.transaction((tx) => outboxList(tx, config.domain), 'read');
  say(`8. dispatcher: ${pass.sent} sent, ${pass.retried} to retry, ${pass.failed} failed, ${pass.held} held`);
  for (const r of rows) say(`   ${r.kind.padEnd(12)} → ${r.recipient.padEnd(24)} ${r.status}`);
  const emlFiles = fs.existsSync(config.outboxDir) ? fs.readdirSync(config.outboxDir).filter((f) => f.endsWith('.eml')) : [];
  if (config.smtpUrl === null) {
    say(`9. ${emlFiles.length} .eml files in ${config.outboxDir}${keep ? '' : ' (removed with the throwaway folder; --keep keeps them)'}`);
  }
  await gateway.stop();
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  return {
    dir,
    caseNumber: c.number,
    caseAddress: c.address,
    smtpAnswer: String(info.response),
    notifications: rows.map((r) => ({ recipient: r.recipient, kind: r.kind, status: r.status })),
    emlFiles,
  };
}

/**
 * Runs passes until one finds nothing to send: the running dispatcher may have begun its pass
 * before the reply's notifications were committed. The counts of every pass, held as of the last.
 */
async function sendAllDue(dispatcher: Dispatcher): Promise<PassResult> {
  for (;;) {
    const pass = await dispatcher.runOnce();
    if (pass.sent + pass.retried + pass.failed === 0) return { ...dispatcher.totals(), held: pass.held };
  }
}
