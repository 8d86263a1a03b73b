// Reading the Web-to-Case form (multipart/form-data): fields into strings, each file part
// streamed into the blob store as it arrives, counted against one budget for the whole form
// (CASEGATE_MAX_MESSAGE_BYTES). Past the budget reading stops at once, what the form had written
// is let go, and the caller answers 413: no upload is ever held in memory whole. A form past one
// of the multipart parser's counts (files, fields, parts) gets a refusal that says which.
import { Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import type { Db } from '../db/client.js';
import type { NewAttachment } from '../db/attachments.js';
import { attachmentName, attachmentType } from '../domain/attachmentType.js';
import { HONEYPOT, type FormValues } from './pages.js';

/**
 * What the parser takes of one form; more is refused, saying which. fieldSize: 128 KiB holds the
 * longest description (32,000 characters) even at 4 bytes each, so a value the parser cuts is
 * always over its field's limit and refused as such, never kept cut.
 */
export const FORM_LIMITS = Object.freeze({ files: 20, fields: 20, parts: 40, fieldSize: 128 * 1024 });

/** The most header bytes the parser takes per part (busboy's limit). */
const PART_HEADER_BYTES = 81_920;

export type FormRefusal = 'too-large' | 'too-many-files' | 'too-many-fields' | 'too-many-parts' | 'not-this-form';

export interface ReadForm {
  values: FormValues;
  /** The honeypot's value. */
  trap: string;
  /** Attachments whose bytes are in the blob store, held until `releaseUploads`. */
  attachments: NewAttachment[];
}

/** The multipart parser's refusals, by their codes, and ours. */
const REFUSAL_OF_CODE: Readonly<Record<string, FormRefusal>> = Object.freeze({
  FST_REQ_FILE_TOO_LARGE: 'too-large',
  FST_FILES_LIMIT: 'too-many-files',
  FST_FIELDS_LIMIT: 'too-many-fields',
  FST_PARTS_LIMIT: 'too-many-parts',
  FST_PROTO_VIOLATION: 'not-this-form',
  FST_INVALID_JSON_FIELD_ERROR: 'not-this-form',
});

class OverBudget extends Error {
  readonly code = 'CASEGATE_UPLOAD_OVER_BUDGET';
}
const refusalOf = (err: unknown): FormRefusal | null => {
  if (err instanceof OverBudget) return 'too-large';
  return REFUSAL_OF_CODE[(err as { code?: string })?.code ?? ''] ?? null;
};

const FIELDS = new Set(['name', 'email', 'subject', 'description']);

/** Reads the whole form; a refusal leaves nothing of it in the blob store. */
export async function readForm(req: FastifyRequest, db: Db, maxBytes: number): Promise<ReadForm | { refused: FormRefusal }> {
  const values: Record<string, string> = {};
  const attachments: NewAttachment[] = [];
  const budget = { used: 0, max: maxBytes };
  let trap = '';
  try {
    for await (const part of req.parts()) {
      if (part.type === 'file') {
        const stored = await storeUpload(db, part, budget);
        if (stored !== null) attachments.push(stored);
      } else if (part.fieldname === HONEYPOT) {
        trap = String(part.value ?? '');
      } else if (FIELDS.has(part.fieldname)) {
        values[part.fieldname] = String(part.value ?? '');
      }
    }
    return { values, trap, attachments };
  } catch (err) {
    await releaseUploads(db, attachments);
    const refused = refusalOf(err);
    if (refused === null) throw err;
    return { refused };
  }
}

/** Streams one file part into the blob store; null for a file input left empty (no name, no bytes). */
async function storeUpload(db: Db, part: MultipartFile, budget: { used: number; max: number }): Promise<NewAttachment | null> {
  const blob = await db.blobs.write(Readable.from(counted(part.file, budget)));
  const attachment: NewAttachment = {
    filename: attachmentName(part.filename),
    contentType: attachmentType(part.mimetype),
    size: blob.size,
    sha256: blob.sha256,
    contentId: null,
    inline: false,
    spool: blob.spool,
  };
  if (part.filename === '' && blob.size === 0) {
    await releaseUploads(db, [attachment]);
    return null;
  }
  return attachment;
}

/** The bytes of `file`, failing as soon as the form's running total passes the budget. */
async function* counted(file: Readable, budget: { used: number; max: number }): AsyncGenerator<Buffer> {
  for await (const chunk of file as AsyncIterable<Buffer>) {
    budget.used += chunk.length;
    if (budget.used > budget.max) throw new OverBudget(`the attachments are larger than ${budget.max} bytes in all`);
    yield chunk;
  }
  // The parser cut the file at its own per-file limit: over the budget too.
  if ((file as Readable & { truncated?: boolean }).truncated === true) throw new OverBudget(`an attachment is larger than ${budget.max} bytes`);
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
export const DISCARD_MS = 30_000;

/**
 * After a refusal: the rest of the body is read and dropped (not parsed, not stored, not held),
 * so that a client still sending gets the answer instead of a broken connection; a client still
 * sending after DISCARD_MS has its connection cut.
 */
export function discardRest(req: FastifyRequest): void {
  const raw = req.raw;
  if (raw.readableEnded) return;
  raw.unpipe();
  const cut = setTimeout(() => raw.socket.destroy(), DISCARD_MS);
  cut.unref();
  raw.on('data', () => undefined);
  raw.once('end', () => clearTimeout(cut));
  raw.once('close', () => clearTimeout(cut));
  raw.resume();
}

/**
 * Whether a declared Content-Length is past what any form within the limits can be: the
 * attachments' budget, every field at its largest and every part's headers. Such a body is refused
 * before any of it is stored.
 */
export function surelyTooLarge(contentLength: string | undefined, maxBytes: number): boolean {
  const declared = Number(contentLength);
  const overhead = FORM_LIMITS.fields * FORM_LIMITS.fieldSize + FORM_LIMITS.parts * PART_HEADER_BYTES;
  return Number.isSafeInteger(declared) && declared > maxBytes + overhead;
}

/** Lets go of the blobs a form wrote; those no committed row names are removed. */
export async function releaseUploads(db: Db, attachments: readonly NewAttachment[]): Promise<void> {
  await db.blobs.release(attachments);
}
