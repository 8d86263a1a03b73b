// A real casegate inbound server on 127.0.0.1 port 0 over a temp SQLite file, seeded with an
// account, a contact, a collaborator, a case and a routing address, plus ways to send it mail.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import nodemailer, { type TransportOptions } from 'nodemailer';
import { loadConfig, type Config } from '../../src/config.js';
import { openDb, type Db } from '../../src/db/client.js';
import { createAccount } from '../../src/admin/accounts.js';
import { createContact } from '../../src/admin/contacts.js';
import { addRoutingAddress } from '../../src/admin/routing.js';
import { createGateway } from '../../src/app.js';
import { addCollaborator, createCase } from './seed.js';

export const ANN = 'ann@acme.example';
export const BOB = 'bob@acme.example';
export const EVE = 'eve@evil.example';
export const SUPPORT = 'support@acme-support.example';

export interface Gateway {
  dir: string;
  db: Db;
  config: Config;
  port: number;
  /** The seeded case: contact Ann, collaborator Bob. */
  caseNumber: string;
  caseAddress: string;
  send(raw: string | Buffer, envelope: { from: string; to: string[] }, opts?: { lmtp?: boolean }): Promise<SendResult>;
  close(): Promise<void>;
}

export interface SendResult {
  code: number;
  response: string;
  /** Per-recipient errors (LMTP, or recipients refused at RCPT). */
  rejected: Array<{ recipient: string; code: number; response: string }>;
}

export async function startGateway(env: Record<string, string> = {}, opts: { lmtp?: boolean; createContacts?: boolean } = {}): Promise<Gateway> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casegate-e2e-'));
  const config = loadConfig({ db: path.join(dir, 'casegate.db'), host: '127.0.0.1', port: 0 }, { CASEGATE_OUTBOX_DIR: path.join(dir, 'outbox'), ...env });
  const db = openDb(config.db);
  const acme = createAccount(db, 'Acme');
  for (const [email, firstName, lastName] of [
    [ANN, 'Ann', 'Archer'],
    [BOB, 'Bob', 'Baker'],
  ] as const) {
    createContact(db, { account: acme.id, email, firstName, lastName });
  }
  addRoutingAddress(db, config, { address: SUPPORT, createContacts: opts.createContacts === true });
  const c = createCase(db, config, { subject: 'Printer on floor 3 is jammed', contact: ANN });
  addCollaborator(db, config, c.number, BOB);
  const gateway = createGateway(config, { db, lmtp: opts.lmtp, dispatch: false });
  const { port } = (await gateway.start()) ?? { port: 0 };
  return {
    dir,
    db,
    config,
    port,
    caseNumber: c.number,
    caseAddress: c.address,
    send: (raw, envelope) => sendRaw(port, raw, envelope, opts.lmtp === true),
    async close() {
      await gateway.stop();
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function sendRaw(port: number, raw: string | Buffer, envelope: { from: string; to: string[] }, lmtp = false): Promise<SendResult> {
  const transport = nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    lmtp,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5000,
    socketTimeout: 10000,
  } as TransportOptions);
  try {
    const info = await transport.sendMail({ envelope, raw });
    const rejected = ((info as { rejectedErrors?: Array<{ recipient: string; responseCode: number; response: string }> }).rejectedErrors ?? []).map((e) => ({
      recipient: e.recipient,
      code: e.responseCode,
      response: e.response,
    }));
    return { code: Number(String(info.response).slice(0, 3)), response: String(info.response), rejected };
  } catch (err) {
    const e = err as { responseCode?: number; response?: string; message: string; rejectedErrors?: Array<{ recipient: string; responseCode: number; response: string }> };
    const rejected = (e.rejectedErrors ?? []).map((r) => ({ recipient: r.recipient, code: r.responseCode, response: r.response }));
    return { code: e.responseCode ?? rejected[0]?.code ?? 0, response: e.response ?? rejected[0]?.response ?? e.message, rejected };
  } finally {
    transport.close();
  }
}

let counter = 0;

/** A plain text message as an email client would send it. */
export function mail(m: {
  from: string;
  to?: string;
  subject?: string;
  body?: string;
  messageId?: string;
  headers?: Record<string, string>;
  attachment?: { filename: string; contentType: string; content: Buffer };
}): string {
  const id = m.messageId ?? `<test.${Date.now()}.${++counter}@mail.acme.example>`;
  const head = [
    `From: ${m.from}`,
    `To: ${m.to ?? SUPPORT}`,
    `Subject: ${m.subject ?? 'Re: [Case 00001001] Printer on floor 3 is jammed'}`,
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: ${id}`,
    'MIME-Version: 1.0',
    ...Object.entries(m.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
  ];
  const body = m.body ?? 'It is still jammed after the restart.';
  if (!m.attachment) {
    return [...head, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body, ''].join('\r\n');
  }
  const b = `----=_Part_${counter}`;
  const data = m.attachment.content.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    ...head,
    `Content-Type: multipart/mixed; boundary="${b}"`,
    '',
    `--${b}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    `--${b}`,
    `Content-Type: ${m.attachment.contentType}; name="${m.attachment.filename}"`,
    `Content-Disposition: attachment; filename="${m.attachment.filename}"`,
    'Content-Transfer-Encoding: base64',
    '',
    data,
    `--${b}--`,
    '',
  ].join('\r\n');
}

export function countRows(db: Db, table: string, where = '1 = 1', ...params: unknown[]): number {
  return (db.sqlite.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get(...params) as { n: number }).n;
}
