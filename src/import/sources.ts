// Historic mail for `casegate import`: an mbox file or a maildir folder read as a list of messages,
// each a byte range of a file, with its Date (to import oldest first) and envelope sender. The mbox
// is read as a stream once to index it (never the whole file in memory; a line longer than a chunk
// is only counted), and each message is then streamed from its range with mboxrd's `>From `
// quoting undone. Both LF and CRLF files. Linear in the size of the input.
import fs from 'node:fs';
import path from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';

export interface StoredMessage {
  /** Where it is, for messages in the summary: `FILE#N` or the maildir file. */
  readonly label: string;
  readonly file: string;
  /** Byte range of the message in `file` (`end` exclusive). */
  readonly start: number;
  readonly end: number;
  /** When it was sent (its Date, else the mbox From_ line's date), epoch ms; null when neither says. */
  readonly date: number | null;
  /** The envelope sender: the mbox From_ line's address, a maildir message's Return-Path; '' the null sender. */
  readonly mailFrom: string;
  /** The message is mboxrd-quoted (`>From ` lines to unquote). */
  readonly quoted: boolean;
}

/** Header bytes read to find Date, Return-Path and the thread's Message-IDs. */
export const HEAD_BYTES = 64 * 1024;

/** Indexes an mbox file: one entry per message, in file order. */
export async function indexMbox(file: string): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  let pos = 0; // absolute offset of the start of `carry`
  let carry: Buffer = Buffer.alloc(0); // the start of an unfinished line (at most a few bytes are kept of a long one)
  let carryLength = 0; // the unfinished line's whole length so far
  let current: { start: number; fromLine: string; head: string[]; inHead: boolean; dateLine: string | null } | null = null;
  let atFileStart = true;
  const finish = (end: number): void => {
    if (current === null) return;
    const sender = /^From\s+(\S+)/.exec(current.fromLine)?.[1] ?? '';
    const fromDate = Date.parse(current.fromLine.replace(/^From\s+\S+\s+/, '').trim());
    const headerDate = current.dateLine === null ? NaN : Date.parse(current.dateLine);
    const date = Number.isFinite(headerDate) ? headerDate : Number.isFinite(fromDate) ? fromDate : null;
    out.push({ label: `${path.basename(file)}#${out.length + 1}`, file, start: current.start, end, date, mailFrom: envelopeSender(sender), quoted: true });
  };
  const onLine = (lineStart: number, head: Buffer, length: number): void => {
    // `head`: the first bytes of the line (without its LF), `length` its whole length with the LF.
    const isFrom = head.length >= 5 && head[0] === 0x46 && head.subarray(0, 5).toString('latin1') === 'From ';
    if (isFrom && (atFileStart || current !== null)) {
      finish(lineStart);
      current = { start: lineStart + length, fromLine: head.toString('latin1').replace(/\r$/, ''), head: [], inHead: true, dateLine: null };
    } else if (current !== null && current.inHead) {
      const text = head.toString('latin1').replace(/\r$/, '');
      if (text === '') current.inHead = false;
      else if (current.dateLine === null && /^date:/i.test(text)) current.dateLine = text.slice(5).trim();
    }
    atFileStart = false;
  };
  const KEEP = 1024; // bytes kept of a line: enough for a From_ line or a Date header
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let from = 0;
    for (let nl = chunk.indexOf(10, from); nl !== -1; nl = chunk.indexOf(10, from)) {
      const piece = chunk.subarray(from, nl);
      const head = carryLength > 0 ? Buffer.concat([carry, piece.subarray(0, Math.max(0, KEEP - carry.length))]) : piece.subarray(0, KEEP);
      const length = carryLength + piece.length + 1;
      onLine(pos, head, length);
      pos += length;
      carry = Buffer.alloc(0);
      carryLength = 0;
      from = nl + 1;
    }
    const rest = chunk.subarray(from);
    if (rest.length > 0) {
      if (carry.length < KEEP) carry = Buffer.concat([carry, rest.subarray(0, KEEP - carry.length)]);
      carryLength += rest.length;
    }
  }
  if (carryLength > 0) {
    onLine(pos, carry, carryLength);
    pos += carryLength;
  }
  finish(pos);
  return out;
}

/** Every message file of a maildir (`cur/` and `new/`), with its Date and Return-Path read from its header. */
export function indexMaildir(dir: string): StoredMessage[] {
  const out: StoredMessage[] = [];
  for (const sub of ['cur', 'new']) {
    const folder = path.join(dir, sub);
    if (!fs.existsSync(folder)) continue;
    for (const name of fs.readdirSync(folder).sort()) {
      if (name.startsWith('.')) continue;
      const file = path.join(folder, name);
      const stat = fs.statSync(file);
      if (!stat.isFile()) continue;
      const head = readHead(file, 0, stat.size);
      const date = Date.parse(headerValue(head, 'date') ?? '');
      const returnPath = headerValue(head, 'return-path');
      const mailFrom = returnPath === null ? (/<([^<>\s]*)>/.exec(headerValue(head, 'from') ?? '')?.[1] ?? '') : (/<([^<>\s]*)>/.exec(returnPath)?.[1] ?? returnPath.trim());
      out.push({ label: path.join(sub, name), file, start: 0, end: stat.size, date: Number.isFinite(date) ? date : null, mailFrom: envelopeSender(mailFrom), quoted: false });
    }
  }
  return out;
}

/** Oldest first; a message without a date keeps its place after the one before it (file order otherwise). */
export function oldestFirst(messages: readonly StoredMessage[]): StoredMessage[] {
  let last = -Infinity;
  const keyed = messages.map((m, i) => {
    if (m.date !== null) last = m.date;
    return { m, key: m.date ?? last, i };
  });
  keyed.sort((a, b) => a.key - b.key || a.i - b.i);
  return keyed.map((k) => k.m);
}

/** The first HEAD_BYTES of a message's header section, as latin1 text (header names are ASCII). */
export function readHead(file: string, start: number, end: number): string {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(HEAD_BYTES, end - start));
    const n = fs.readSync(fd, buf, 0, buf.length, start);
    const text = buf.subarray(0, n).toString('latin1');
    const blank = /\r?\n\r?\n/.exec(text);
    return blank === null ? text : text.slice(0, blank.index);
  } finally {
    fs.closeSync(fd);
  }
}

/** The unfolded value of the first header `name` (lowercase) in a header section; null when absent. */
export function headerValue(head: string, name: string): string | null {
  const lines = head.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    if (colon <= 0 || line.slice(0, colon).trim().toLowerCase() !== name) continue;
    let value = line.slice(colon + 1);
    while (i + 1 < lines.length && /^[ \t]/.test(lines[i + 1] as string)) value += ` ${(lines[++i] as string).trim()}`;
    return value.trim();
  }
  return null;
}

/** The Message-IDs a reply names, nearest first: In-Reply-To, then References from the end. */
export function threadIds(head: string): string[] {
  const ids = (v: string | null): string[] => (v === null ? [] : (v.match(/<[^<>\s]{1,250}>/g) ?? []));
  return [...ids(headerValue(head, 'in-reply-to')), ...ids(headerValue(head, 'references')).reverse()];
}

/** The message's bytes as a stream; an mbox message with its `>From ` quoting undone (mboxrd). */
export function openMessage(m: StoredMessage): Readable {
  const raw = m.end > m.start ? fs.createReadStream(m.file, { start: m.start, end: m.end - 1 }) : Readable.from([]);
  return m.quoted ? raw.pipe(unquoteFrom()) : raw;
}

/** mboxrd: a line `>From `, `>>From `, … loses one `>`. Lines are split across chunks with care. */
export function unquoteFrom(): Transform {
  let atLineStart = true;
  let pending: Buffer = Buffer.alloc(0); // the start of a line that may still turn out quoted: only `>`s so far, or a prefix of `>From `
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      const input = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      pending = Buffer.alloc(0);
      const parts: Buffer[] = [];
      let i = 0;
      let copyFrom = 0;
      while (i < input.length) {
        if (atLineStart && input[i] === 0x3e) {
          // Count the `>`s, then look for `From `.
          let j = i;
          while (j < input.length && input[j] === 0x3e) j++;
          const need = j + 5;
          if (need > input.length && input.length - i < 64 * 1024) {
            // Undecided at the end of the chunk: keep it for the next one.
            parts.push(input.subarray(copyFrom, i));
            pending = Buffer.from(input.subarray(i));
            copyFrom = input.length;
            i = input.length;
            break;
          }
          if (need <= input.length && input.subarray(j, j + 5).toString('latin1') === 'From ') {
            parts.push(input.subarray(copyFrom, i));
            copyFrom = i + 1; // drop one '>'
          }
          atLineStart = false;
          i = j;
          continue;
        }
        const nl = input.indexOf(10, i);
        if (nl === -1) {
          atLineStart = false;
          i = input.length;
        } else {
          atLineStart = true;
          i = nl + 1;
        }
      }
      if (copyFrom < input.length) parts.push(input.subarray(copyFrom));
      done(null, Buffer.concat(parts));
    },
    flush(done: TransformCallback) {
      done(null, pending);
    },
  });
}

/** MAILER-DAEMON and `<>` are the null sender of bounces. */
function envelopeSender(text: string): string {
  const s = text.trim().replace(/^<(.*)>$/, '$1');
  return s === '' || s.toUpperCase() === 'MAILER-DAEMON' ? '' : s;
}
