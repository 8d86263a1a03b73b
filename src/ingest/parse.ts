// Parse stage: one inbound message, streamed through mailparser's MailParser. Attachments (inline
// images too) go straight into the blob store as they stream, so a large message is never held in
// memory whole; a delivery status notification is read into a DeliveryReport instead.
import { Transform, type Readable } from 'node:stream';
import type { AttachmentStream, Headers, MailParserOptions, MessageText } from 'mailparser';
import { MailParser } from './mailparser.js';
import addressparser from 'nodemailer/lib/addressparser';
import type { BlobStore, WrittenBlob } from '../db/blobStore.js';
import { DSN_RETURNED_TYPES, DSN_STATUS_TYPES, readDeliveryStatus, readReturnedMessageId, type DeliveryReport } from './dsn.js';
import { htmlToText } from './htmlText.js';
import { firstAddress, firstHeader, isFieldName, messageIds, type RawHeaderLine } from './headerText.js';

export type { DeliveryReport } from './dsn.js';

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  sha256: string;
  /** Content-ID as in the header, angle brackets included, or null. */
  contentId: string | null;
  /** `Content-Disposition: inline`, or an image with a Content-ID inside multipart/related. */
  inline: boolean;
  /** The database blob store's local spool file (WrittenBlob.spool), copied in when the message is committed; else null. */
  spool: string | null;
}

export interface ParsedMessage {
  /** With angle brackets, as in the header. */
  messageId: string | null;
  /** Message ids with angle brackets. */
  inReplyTo: string[];
  references: string[];
  /** First address of the first From header. */
  from: { address: string; name: string } | null;
  /**
   * Why the message has not exactly one author (SPEC §4 *One author*): several From headers, several
   * mailboxes or a group in From; null for exactly one mailbox, and for no From header at all.
   */
  authorProblem: string | null;
  /** Decoded; '' if none. */
  subject: string;
  /** Full plain text; turned from the HTML when the mail has no text part. */
  text: string;
  /**
   * Every header by its lower-cased name: the first value, unfolded, decoded as text. Plain data (the
   * message may cross a worker-thread boundary): read one with `headerOf(msg, name)`.
   */
  headers: Readonly<Record<string, string>>;
  /** The raw header section, at most 64 KiB. */
  headerSection: string;
  attachments: ParsedAttachment[];
  /**
   * Set for a delivery report: `multipart/report` with `report-type=delivery-status` or none, or any
   * message with a message/delivery-status part (also inside multipart/mixed).
   */
  dsn: DeliveryReport | null;
  /** Bytes read from the source. */
  size: number;
}

import { headerOf } from './headerOf.js';

export { headerOf };

/** The first value of each header, by lower-cased name. */
function headerRecord(lines: readonly RawHeaderLine[]): Record<string, string> {
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const l of lines) {
    if (!Object.hasOwn(headers, l.key)) headers[l.key] = firstHeader([l], l.key) as string;
  }
  return headers;
}

export interface ParseOptions {
  /** Where attachment contents are written (`Db.blobs`). */
  store: Pick<BlobStore, 'write'>;
  /** Refuse a message larger than this many bytes (MessageTooLargeError); the source is still drained. */
  maxBytes?: number;
  /**
   * Gets every blob written for this message, also when parsing then fails, so that the caller
   * lets go of them (BlobStore.release) once the message is committed or refused.
   */
  written?: WrittenBlob[];
  /**
   * The whole message must be read within this many milliseconds; past it the source is destroyed
   * with a ReadTimeoutError (a fault of the source, not of the message: 451 / 75). None when absent.
   */
  readTimeoutMs?: number;
}

/** The source did not bring the whole message within ParseOptions.readTimeoutMs. */
export class ReadTimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(readonly ms: number) {
    super(`the message was not read within ${ms / 1000} s`);
    this.name = 'ReadTimeoutError';
  }
}

/** The input is not an email message. */
export class MalformedMessageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MalformedMessageError';
  }
}

/**
 * The message goes past a limit of the MIME parser (a header section over MAX_HEAD_SIZE, more than
 * MAX_PARTS parts): it can never be taken, like a message over the size limit.
 */
export class ParserLimitError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ParserLimitError';
  }
}

/** The message is larger than `ParseOptions.maxBytes`. */
export class MessageTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`message is larger than the limit of ${maxBytes} bytes`);
    this.name = 'MessageTooLargeError';
  }
}

export const HEADER_SECTION_MAX = 64 * 1024;
/** Largest header section of one MIME part (mailsplit's maxHeadSize): past it, ParserLimitError. */
export const MAX_HEAD_SIZE = 1024 * 1024;
/** Most MIME parts in one message (mailsplit's maxChildNodes): past it, ParserLimitError. */
export const MAX_PARTS = 1000;
/** Largest part of a delivery report that is read; the rest is skipped. */
export const DSN_PART_MAX = 64 * 1024;
/**
 * Most characters of text kept of a message (its full body); past it the text is cut with
 * TEXT_CUT_MARK. A person writes far less; a 30 MB text part would otherwise be copied by the reply
 * extraction, the hashes and SQLite several times over (bench/fuzzRss.ts).
 */
export const TEXT_MAX_CHARS = 1024 * 1024;
/** Most characters of HTML turned into text, for a message without a text part; the rest is not read. */
export const HTML_MAX_CHARS = 2 * 1024 * 1024;
export const TEXT_CUT_MARK = '\n[casegate: the rest of this text was not kept; it is longer than 1,048,576 characters]';

/**
 * Longest From header read, in characters. One mailbox with its name takes a few hundred; past this
 * the header is not read as addresses (nodemailer's address parser, linear but up to 0.6 µs a
 * character, would read it twice) but refused as not one author.
 */
export const FROM_MAX_CHARS = 16 * 1024;

/** Names for attachments that have none, by content type. */
export const DEFAULT_EXTENSIONS: Readonly<Record<string, string>> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'text/plain': '.txt',
  'text/html': '.html',
  'text/calendar': '.ics',
  'message/rfc822': '.eml',
};

// message/rfc822 parts stay whole (stored as attachments, or read for a DSN) instead of being
// flattened into the text; delivery-status parts come as attachment streams so the DSN can be read.
const PARSER_OPTIONS = {
  keepDeliveryStatus: true,
  ignoreEmbedded: true,
  skipTextToHtml: true,
  skipHtmlToText: true,
  skipTextLinks: true,
  skipImageLinks: true,
  maxHeadSize: MAX_HEAD_SIZE,
  maxChildNodes: MAX_PARTS,
} as MailParserOptions;

/** mailsplit's code for a limit of the parser (header size, number of parts). */
const PARSER_LIMIT = 'EMAXLEN';

/**
 * Whether an error (or one it was caused by) comes from the system rather than from the bytes of
 * the message: an errno code of a system call (ENOSPC, EIO, ECONNRESET, ETIMEDOUT…), a database
 * error (SQLITE_FULL, SQLITE_BUSY…), or an abort that such an error caused. Such a message may be
 * taken later: never a reason for a permanent refusal.
 */
export function isSystemFault(err: unknown): boolean {
  for (let e = err as (Error & { code?: unknown; syscall?: unknown }) | undefined, depth = 0; e != null && depth < 8; e = e.cause as typeof e, depth += 1) {
    if (typeof e !== 'object') return false;
    if (typeof e.syscall === 'string') return true;
    if (typeof e.code === 'string' && e.code !== PARSER_LIMIT && /^(E[A-Z]+|SQLITE_[A-Z_]+|ABORT_ERR|ERR_STREAM_PREMATURE_CLOSE)$/.test(e.code)) return true;
    if (e.name === 'AbortError' || e.name === 'SqliteError') return true;
  }
  return false;
}

/** Counts the bytes that pass and keeps the header section (up to the first empty line, capped). */
class SourceMeter extends Transform {
  size = 0;
  private head: Buffer = Buffer.alloc(0);
  private headDone = false;

  constructor(private readonly maxBytes: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null, data?: Buffer) => void): void {
    this.size += chunk.length;
    if (this.maxBytes !== undefined && this.size > this.maxBytes) return done(new MessageTooLargeError(this.maxBytes));
    if (!this.headDone) this.keepHead(chunk);
    done(null, chunk);
  }

  private keepHead(chunk: Buffer): void {
    const from = Math.max(0, this.head.length - 3);
    this.head = Buffer.concat([this.head, chunk.subarray(0, HEADER_SECTION_MAX + 4 - this.head.length)]);
    const end = endOfHeaders(this.head, from);
    if (end >= 0) this.head = this.head.subarray(0, end);
    if (end >= 0 || this.head.length >= HEADER_SECTION_MAX) this.headDone = true;
  }

  get headerSection(): string {
    return this.head.subarray(0, HEADER_SECTION_MAX).toString('utf8');
  }
}

/** Offset just past the last header line (before the empty line), or -1 when not seen yet. */
function endOfHeaders(buf: Buffer, from: number): number {
  if (buf[0] === 0x0a || (buf[0] === 0x0d && buf[1] === 0x0a)) return 0;
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (buf[i + 1] === 0x0a) return i + 1;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 1;
  }
  return -1;
}

/** Reads a stream to its end, keeping at most `max` bytes. */
async function readCapped(stream: Readable, max: number): Promise<string> {
  const kept: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (length < max) {
      const part = chunk.subarray(0, max - length);
      kept.push(part);
      length += part.length;
    }
  }
  return Buffer.concat(kept).toString('utf8');
}

/** The content type of the message (lower-cased) and its parameters. */
function contentTypeOf(headers: Headers): { type: string; params: Record<string, string> } {
  const ct = headers.get('content-type');
  if (typeof ct !== 'object' || ct === null || !('value' in ct) || typeof ct.value !== 'string') {
    return { type: 'text/plain', params: {} };
  }
  return { type: ct.value.toLowerCase(), params: 'params' in ct ? (ct.params as Record<string, string>) : {} };
}

/** multipart/report that is not another kind of report (read receipts, abuse feedback): report-type delivery-status, or none. */
function isDeliveryReport(ct: { type: string; params: Record<string, string> }): boolean {
  const reportType = (ct.params['report-type'] ?? '').toLowerCase();
  return ct.type === 'multipart/report' && (reportType === 'delivery-status' || reportType === '');
}

/**
 * Parses one message from `source`, writing its attachments to `opts.store`. The source is always
 * read to its end. Throws MalformedMessageError when the input is not a message.
 */
export async function parseMessage(source: Readable, opts: ParseOptions): Promise<ParsedMessage> {
  const meter = new SourceMeter(opts.maxBytes);
  const parser = new MailParser(PARSER_OPTIONS);
  let lines: RawHeaderLine[] = [];
  let dsnMode = false;
  let rootType = 'text/plain';
  let current: Readable | null = null;
  const attachments: ParsedAttachment[] = [];
  const statusTexts: string[] = [];
  let returnedText: string | null = null;
  let body: MessageText | null = null;

  parser.on('headerLines', (l: readonly RawHeaderLine[]) => (lines = [...l]));
  parser.on('headers', (h: Headers) => {
    const ct = contentTypeOf(h);
    rootType = ct.type;
    dsnMode = isDeliveryReport(ct);
  });
  // A parser that stops (error, destroy) ends the attachment being stored, so no await hangs.
  parser.once('close', () => current?.destroy(new Error('the message ended in the middle of an attachment')));
  // Errors of the source or the size limit are passed on to the parser too; only its own mean "malformed".
  let upstreamError: Error | null = null;
  let parserError: Error | null = null;
  // A failure to store an attachment (disk full, no permission) is ours, not the message's: never "malformed".
  let storeError: Error | null = null;
  // The blob being written: when the parse fails, its outcome is awaited before deciding the cause.
  let storing: Promise<unknown> | null = null;
  parser.on('error', (err) => (parserError ??= err));
  // An error of the source itself (the connection dropped, a timeout): never the message's fault.
  let sourceError: Error | null = null;
  source.on('error', (err) => {
    sourceError ??= err;
    meter.destroy(err);
  });
  source.pipe(meter);
  const deadline =
    opts.readTimeoutMs === undefined ? null : setTimeout(() => source.destroy(new ReadTimeoutError(opts.readTimeoutMs as number)), opts.readTimeoutMs);

  // meter -> parser, read here. Not stream.pipeline: it makes an AbortController per call and aborts
  // it when done, an AbortError with its stack for every message (1.2 % of serve's main thread).
  // What it did is done here: an error of the meter (the size limit, the source) ends the parser with
  // it; the parser's ends the loop; leaving the loop early ends the parser (the iterator's return),
  // and the catch below the meter.
  meter.on('error', (err) => {
    upstreamError ??= err;
    parser.destroy(err);
  });
  meter.pipe(parser);
  try {
    for await (const data of parser as AsyncIterable<AttachmentStream | MessageText>) {
      checkHeaderSection(meter.size, lines);
      if (data.type === 'text') {
        body = data;
        continue;
      }
      current = data.content as Readable;
      try {
        const type = data.contentType.toLowerCase();
        if (DSN_STATUS_TYPES.includes(type)) {
          // A delivery-status part makes the message a report wherever it sits (MTAs that wrap it in multipart/mixed).
          dsnMode = true;
          statusTexts.push(await readCapped(current, DSN_PART_MAX));
        } else if (dsnMode && DSN_RETURNED_TYPES.includes(type) && returnedText === null) {
          returnedText = await readCapped(current, DSN_PART_MAX);
        } else {
          const store = opts.store.write(current).catch((err: unknown) => {
            // The store's own failure (disk full); not the attachment stream ending with the parser.
            if (isSystemFault(err)) storeError ??= err as Error;
            throw err;
          });
          storing = store;
          const blob = await store;
          opts.written?.push(blob);
          attachments.push(describe(data, blob, attachments.length + 1));
        }
      } finally {
        current = null;
        data.release();
      }
    }
  } catch (err) {
    meter.unpipe(parser);
    meter.destroy();
    parser.destroy();
    source.unpipe(meter);
    source.resume();
    // A failed store may reach the loop only as the end of the parser it caused: wait for the
    // store itself.
    await (storing as Promise<unknown> | null)?.catch(() => undefined);
    throw failureOf(err as Error, storeError, upstreamError, sourceError, parserError);
  } finally {
    if (deadline !== null) clearTimeout(deadline);
  }
  checkHeaderSection(meter.size, lines);

  const headers = headerRecord(lines);
  const header = (name: string): string | undefined => headerOf({ headers }, name);
  const found = body as MessageText | null;
  const html = typeof found?.html === 'string' ? found.html : '';
  const htmlOnly = html !== '' && (rootType === 'text/html' || found?.text === undefined);
  // Reading the HTML stops once its text is past the limit that capText cuts at.
  const text = capText(htmlOnly ? htmlToText(html.slice(0, HTML_MAX_CHARS), TEXT_MAX_CHARS + 1) : (found?.text ?? ''));
  return {
    messageId: messageIds(header('message-id'))[0] ?? null,
    inReplyTo: messageIds(header('in-reply-to')),
    references: messageIds(header('references')),
    from: firstAddress(fromLineOf(lines)),
    authorProblem: authorProblemOf(lines),
    subject: header('subject') ?? '',
    text,
    headers,
    headerSection: meter.headerSection,
    attachments,
    dsn: dsnMode
      ? {
          originalMessageId: returnedText === null ? null : readReturnedMessageId(returnedText),
          recipients: statusTexts.flatMap(readDeliveryStatus),
        }
      : null,
    size: meter.size,
  };
}

/**
 * What a failed parse means, decided by the cause and never by the text: the size limit and the
 * parser's limits are permanent (MessageTooLargeError, ParserLimitError); a failure of the store,
 * of the source (the connection, a timeout) or of the system is returned as it is (the caller
 * answers 451 / exits 75); only the parser's own complaint about the bytes is MalformedMessageError.
 */
function failureOf(err: Error, storeError: Error | null, upstreamError: Error | null, sourceError: Error | null, parserError: Error | null): Error {
  // Over the size limit: that is the answer, whatever the parser or the store made of the cut-off message.
  if (upstreamError instanceof MessageTooLargeError) return upstreamError;
  if (storeError !== null) return storeError;
  if (sourceError !== null) return sourceError;
  if (err instanceof MalformedMessageError || err instanceof ParserLimitError) return err;
  const cause = parserError ?? err;
  if (isSystemFault(cause) || isSystemFault(err)) return err;
  if ((cause as { code?: unknown }).code === PARSER_LIMIT) {
    return new ParserLimitError(`message goes past a limit of the parser: ${cause.message}`, { cause });
  }
  if (parserError !== null) return new MalformedMessageError(`message cannot be parsed: ${parserError.message}`, { cause: parserError });
  return err;
}

/** The text cut at TEXT_MAX_CHARS, with a mark that says so. */
function capText(text: string): string {
  return text.length <= TEXT_MAX_CHARS ? text : text.slice(0, TEXT_MAX_CHARS) + TEXT_CUT_MARK;
}

/**
 * Counted on the raw header lines, since mailparser merges repeated headers: one From header with one
 * mailbox is one author; anything else is a reason. A From without any address is left to the
 * stages that answer a message without a sender.
 */
export function authorProblemOf(lines: readonly RawHeaderLine[]): string | null {
  const froms = lines.filter((l) => l.key === 'from');
  if (froms.length > 1) return `the message has ${froms.length} From headers`;
  const line = froms[0]?.line;
  if (line === undefined) return null;
  if (line.length > FROM_MAX_CHARS) return `the From header is longer than ${FROM_MAX_CHARS} characters`;
  const value = line.slice(line.indexOf(':') + 1).replace(/\r?\n(?=[ \t])/g, '');
  const entries = addressparser(value);
  if (entries.some((e) => 'group' in e)) return 'the From header holds a group';
  const mailboxes = entries.filter((e) => e.address !== '').length;
  return mailboxes > 1 ? `the From header holds ${mailboxes} mailboxes` : null;
}

/** The first From header line, unless it is longer than FROM_MAX_CHARS (then authorProblemOf says so). */
function fromLineOf(lines: readonly RawHeaderLine[]): string | undefined {
  const line = lines.find((l) => l.key === 'from')?.line;
  return line !== undefined && line.length <= FROM_MAX_CHARS ? line : undefined;
}

function checkHeaderSection(size: number, lines: readonly RawHeaderLine[]): void {
  if (size === 0) throw new MalformedMessageError('message is empty (0 bytes)');
  if (!lines.some((l) => isFieldName(l.key))) {
    throw new MalformedMessageError('message has no header section: it does not start with "Name: value" header lines');
  }
}

function describe(data: AttachmentStream, blob: WrittenBlob, n: number): ParsedAttachment {
  const contentType = data.contentType.toLowerCase();
  const contentId = data.contentId?.trim() || null;
  const filename = data.filename?.trim() || `attachment-${n}${DEFAULT_EXTENSIONS[contentType] ?? ''}`;
  const embedded = data.related === true && contentId !== null && contentType.startsWith('image/');
  return {
    filename,
    contentType,
    size: blob.size,
    sha256: blob.sha256,
    contentId,
    inline: data.contentDisposition?.toLowerCase() === 'inline' || embedded,
    spool: blob.spool,
  };
}
