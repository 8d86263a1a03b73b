// Reading header values as text: unfolding, raw 8-bit bytes, RFC 2047 encoded-words, message ids and
// the first address of an address list. Used by the parse stage on mailparser's raw header lines.
import addressparser from 'nodemailer/lib/addressparser';

/** A raw header line as mailparser gives it: lower-case key, and the line as a binary string. */
export interface RawHeaderLine {
  readonly key: string;
  readonly line: string;
}

/** A field name as RFC 5322 allows it: printable ASCII except the colon. */
const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

export function isFieldName(key: string): boolean {
  return FIELD_NAME.test(key);
}

/**
 * The value of a raw header line as text: the name cut off, folding removed, 8-bit bytes read as
 * UTF-8 (or Latin-1 when they are not UTF-8), encoded-words decoded, outer whitespace trimmed.
 */
export function headerLineValue(line: string): string {
  const colon = line.indexOf(':');
  const raw = (colon < 0 ? '' : line.slice(colon + 1)).replace(/\r?\n(?=[ \t])/g, '');
  return decodeWords(binaryToText(raw)).trim();
}

/** The first value of a header, case-insensitive, as text; undefined when the header is absent. */
export function firstHeader(lines: readonly RawHeaderLine[], name: string): string | undefined {
  const key = name.trim().toLowerCase();
  const found = lines.find((l) => l.key === key);
  return found ? headerLineValue(found.line) : undefined;
}

/** mailparser keeps header lines as binary strings (one char per byte): read them as UTF-8 if they are. */
function binaryToText(raw: string): string {
  if (!/[\x80-\xff]/.test(raw)) return raw;
  const bytes = Buffer.from(raw, 'latin1');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return raw;
  }
}

const WORD = /=\?([^?\s]+)\?([bBqQ])\?([^?\s]*)\?=/g;
/** Whitespace between two encoded-words is not part of the text (RFC 2047 §6.2). */
const BETWEEN_WORDS = /(=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)[ \t\r\n]+(?==\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=)/g;

/**
 * Decodes RFC 2047 encoded-words. Adjacent words of one charset are joined before decoding, so a
 * character split across two words comes out whole. A word in an unknown charset is left as is.
 */
export function decodeWords(text: string): string {
  if (!text.includes('=?')) return text;
  const joined = text.replace(BETWEEN_WORDS, '$1');
  const parts: Array<string | { charset: string; bytes: Buffer[]; raw: string }> = [];
  let last = 0;
  for (const m of joined.matchAll(WORD)) {
    const index = m.index ?? 0;
    if (index > last) parts.push(joined.slice(last, index));
    const charset = (m[1] ?? '').split('*')[0]?.toLowerCase() ?? '';
    const bytes = wordBytes(m[2] ?? 'Q', m[3] ?? '');
    const prev = parts[parts.length - 1];
    if (prev !== undefined && typeof prev !== 'string' && prev.charset === charset) {
      prev.bytes.push(bytes);
      prev.raw += m[0];
    } else {
      parts.push({ charset, bytes: [bytes], raw: m[0] });
    }
    last = index + m[0].length;
  }
  parts.push(joined.slice(last));
  return parts
    .map((p) => (typeof p === 'string' ? p : (decodeBytes(p.charset, Buffer.concat(p.bytes)) ?? p.raw)))
    .join('');
}

function wordBytes(encoding: string, data: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(data, 'base64');
  const qp = data.replace(/_/g, ' ');
  const bytes: number[] = [];
  for (let i = 0; i < qp.length; i++) {
    const hex = qp.slice(i + 1, i + 3);
    if (qp[i] === '=' && /^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(qp.charCodeAt(i) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

function decodeBytes(charset: string, bytes: Buffer): string | null {
  try {
    return new TextDecoder(charset === 'us-ascii' ? 'utf-8' : charset).decode(bytes);
  } catch {
    return null;
  }
}

/** Message ids of a Message-ID, In-Reply-To or References value, with angle brackets. */
export function messageIds(value: string | undefined): string[] {
  if (value === undefined) return [];
  const ids = value.match(/<[^<>\s]+>/g);
  if (ids) return ids;
  // A bare id without brackets, as some broken senders write it: no space or bracket, and an `@`
  // with something on both sides. (Tested without a pattern: `^[^<>\s]+@[^<>\s]+$` tried every `@`
  // of a long value with the rest of it, quadratic.)
  const bare = value.trim();
  return !/[<>\s]/.test(bare) && bare.slice(1, -1).includes('@') ? [`<${bare}>`] : [];
}

/** The first address of an address header (groups flattened), with its decoded display name. */
export function firstAddress(rawLine: string | undefined): { address: string; name: string } | null {
  if (rawLine === undefined) return null;
  const colon = rawLine.indexOf(':');
  const raw = binaryToText(rawLine.slice(colon + 1).replace(/\r?\n(?=[ \t])/g, ''));
  // Addresses are parsed before decoding, so an encoded-word can never make up an address.
  const first = addressparser(raw, { flatten: true }).find((a) => a.address.includes('@'));
  if (!first) return null;
  return { address: first.address, name: decodeWords(first.name).trim() };
}
