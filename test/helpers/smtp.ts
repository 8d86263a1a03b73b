// Sending mail to a server under test the way a mail client or relay would: sendRaw hands raw
// bytes to 127.0.0.1:PORT over SMTP (or LMTP) with nodemailer; mail() writes a plain message.
import nodemailer, { type TransportOptions } from 'nodemailer';
import { SUPPORT } from './seed.js';

export interface SendResult {
  code: number;
  response: string;
  /** Per-recipient errors (LMTP, or recipients refused at RCPT). */
  rejected: Array<{ recipient: string; code: number; response: string }>;
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
