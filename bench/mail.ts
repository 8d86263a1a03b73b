// The messages the benchmarks send: 4 KiB replies from a participant to a case address, and one
// large message with a 22 MiB attachment. Built once, as wire data (CRLF, dot-stuffed).
import { randomBytes } from 'node:crypto';
import { wireData } from './smtpClient.js';

export const BENCH_DOMAIN = 'cases.bench';
export const KIB = 1024;
export const MIB = 1024 * 1024;

export interface ReplyTarget {
  /** The case address (envelope RCPT). */
  address: string;
  number: string;
  subject: string;
  /** The case contact: envelope sender and From. */
  contact: string;
}

function headers(t: ReplyTarget, id: string, contentType: string): string {
  return [
    `From: Customer Contact <${t.contact}>`,
    `To: <${t.address}>`,
    `Subject: Re: [Case ${t.number}] ${t.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${id}@customer.bench>`,
    'MIME-Version: 1.0',
    contentType,
  ].join('\r\n');
}

const QUOTE_LINE = '> The printer in room 4 still shows error 0x51 after the firmware update and the reboot.';

/**
 * A reply of `size` bytes on the wire: a few lines of new text naming `seq` (so that no two replies
 * are duplicates or look like a loop), then quoted history, as a mail client writes it.
 */
export function replyData(t: ReplyTarget, seq: number, size = 4 * KIB): Buffer {
  const id = `bench.${seq}.${randomBytes(6).toString('hex')}`;
  const head = headers(t, id, 'Content-Type: text/plain; charset=utf-8');
  const fresh = [
    'Hello,',
    '',
    `Update ${seq}: we tried the steps from your last message on machine ${seq % 97}.`,
    `The error is still there; log excerpt ${randomBytes(8).toString('hex')} attached below.`,
    '',
    'Thanks,',
    'Customer Contact',
    '',
    `On ${new Date(Date.UTC(2025, 2, 4, 9, 5)).toUTCString()}, Support <support@${BENCH_DOMAIN}> wrote:`,
  ].join('\r\n');
  let text = `${head}\r\n\r\n${fresh}\r\n`;
  while (text.length + QUOTE_LINE.length + 2 < size) text += `${QUOTE_LINE}\r\n`;
  text += '>'.padEnd(size - text.length - 2, '>') + '\r\n';
  return wireData(text);
}

/** A message of about 30 MiB: a short reply and one 22 MiB attachment (base64, 76-character lines). */
export function largeData(t: ReplyTarget, attachmentBytes = 22 * MIB): Buffer {
  const boundary = `bench-${randomBytes(8).toString('hex')}`;
  const head = headers(t, `bench.large.${randomBytes(6).toString('hex')}`, `Content-Type: multipart/mixed; boundary="${boundary}"`);
  const b64 = randomBytes(attachmentBytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  const text = [
    head,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'Here is the full crash dump you asked for.',
    '',
    `--${boundary}`,
    'Content-Type: application/octet-stream; name="crash.dump"',
    'Content-Disposition: attachment; filename="crash.dump"',
    'Content-Transfer-Encoding: base64',
    '',
    lines.join('\r\n'),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return wireData(text);
}
