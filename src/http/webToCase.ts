// Web-to-Case (SPEC §8): GET shows the form; POST checks the per-IP and daily limits, reads the
// multipart body (attachments bounded by the mail size limit), drops honeypot submissions
// quietly, answers bad input with the form and a message by field, and otherwise opens the case
// as mail would and names its number.
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import { releaseBlobs, writeBlob } from '../db/blobs.js';
import { isBlobStored, type NewAttachment } from '../db/attachments.js';
import { countCasesSince } from '../db/cases.js';
import { isEmailAddress } from '../domain/address.js';
import { openWebCase } from '../cases/web.js';
import { answerPage, formPage, HONEYPOT, limitPage, receivedPage, type FieldErrors, type FormValues } from './pages.js';
import { createRateLimiter } from './rateLimit.js';

export interface WebDeps {
  db: Db;
  config: Config;
  now: () => number;
  onQueued: () => void;
}

interface Upload {
  filename: string;
  contentType: string;
  data: Buffer;
}

const DAY_MS = 86_400_000;
const LIMITS = { name: 200, subject: 255, description: 32_000 } as const;

/** Messages by field for what was typed; empty when the submission can open a case. */
export function checkSubmission(v: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  const name = v.name?.trim() ?? '';
  const email = v.email?.trim() ?? '';
  const subject = v.subject?.trim() ?? '';
  if (name === '') errors.name = 'Enter your name.';
  else if (name.length > LIMITS.name) errors.name = `Your name can be at most ${LIMITS.name} characters.`;
  if (email === '') errors.email = 'Enter your email address, so that we can answer you.';
  else if (!isEmailAddress(email) || /[\s<>]/.test(email)) errors.email = 'Enter an email address like name@example.com.';
  if (subject === '') errors.subject = 'Enter a subject: a few words about the problem.';
  else if (subject.length > LIMITS.subject) errors.subject = `The subject can be at most ${LIMITS.subject} characters.`;
  if ((v.description ?? '').length > LIMITS.description) errors.description = `The description can be at most ${LIMITS.description} characters.`;
  return errors;
}

const html = (reply: FastifyReply, status: number, body: string): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body);

export async function registerWebToCase(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { config, db } = deps;
  const perIp = createRateLimiter(config.webRateLimit, 3600_000, deps.now);
  const tooLarge = `The attachments are larger than ${config.maxMessageBytes} bytes in all; send smaller files, or fewer.`;

  await app.register(async (web) => {
    await web.register(multipart, { limits: { fileSize: config.maxMessageBytes, files: 20, fields: 20, fieldSize: 64 * 1024, parts: 40 } });
    web.setErrorHandler((err, req, reply) => {
      const e = err as { statusCode?: number; code?: string };
      if (e.statusCode === 413) return html(reply, 413, formPage({}, { attachments: tooLarge }, config.maxMessageBytes));
      if (e.statusCode === 415 || e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
        return html(reply, 415, formPage({}, { name: 'The form was not sent as multipart/form-data; send it from this page.' }, config.maxMessageBytes));
      }
      console.error(`casegate: http ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      return html(reply, 500, formPage({}, { description: 'Something went wrong on our side and nothing was saved; please try again.' }, config.maxMessageBytes));
    });

    web.get('/web-to-case', async (_req, reply) => html(reply, 200, formPage({}, {}, config.maxMessageBytes)));

    web.post('/web-to-case', async (req, reply) => {
      const slot = perIp.take(req.ip);
      if (!slot.ok) return html(reply.header('retry-after', String(slot.retryAfterSeconds)), 429, limitPage('ip', slot.retryAfterSeconds));
      const now = deps.now();
      const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
      if (countCasesSince(db, 'Web', dayStart) >= config.webDailyLimit) {
        const wait = Math.ceil((dayStart + DAY_MS - now) / 1000);
        return html(reply.header('retry-after', String(wait)), 429, limitPage('daily', wait));
      }
      const read = await readForm(req, config.maxMessageBytes);
      if (read === 'too-large') return html(reply, 413, formPage({}, { attachments: tooLarge }, config.maxMessageBytes));
      const { values, trap, uploads } = read;
      if (trap.trim() !== '') return html(reply, 200, receivedPage());
      const errors = checkSubmission(values);
      if (Object.keys(errors).length > 0) {
        if (uploads.length > 0) errors.attachments = 'Please choose the files again: they are not kept when the form has errors.';
        return html(reply, 400, formPage(values, errors, config.maxMessageBytes));
      }
      const row = await openWithAttachments(deps, values, uploads, now);
      deps.onQueued();
      return html(reply, 200, answerPage(row.number, (values.email ?? '').trim()));
    });
  });
}

async function readForm(req: FastifyRequest, maxBytes: number): Promise<{ values: FormValues; trap: string; uploads: Upload[] } | 'too-large'> {
  const values: Record<string, string> = {};
  const uploads: Upload[] = [];
  let trap = '';
  let total = 0;
  for await (const part of req.parts()) {
    if (part.type === 'file') {
      const data = await part.toBuffer();
      // A file input left empty still sends a part, with no name and no bytes.
      if (part.filename === '' && data.length === 0) continue;
      total += data.length;
      if (total > maxBytes) return 'too-large';
      uploads.push({ filename: part.filename || 'attachment', contentType: part.mimetype || 'application/octet-stream', data });
    } else if (part.fieldname === HONEYPOT) {
      trap = String(part.value ?? '');
    } else if (['name', 'email', 'subject', 'description'].includes(part.fieldname)) {
      values[part.fieldname] = String(part.value ?? '');
    }
  }
  return { values, trap, uploads };
}

/** Stores the attachments, opens the case in one transaction, then lets go of blobs no row keeps. */
async function openWithAttachments(deps: WebDeps, v: FormValues, uploads: readonly Upload[], now: number) {
  const attachments: NewAttachment[] = [];
  try {
    for (const u of uploads) {
      const blob = await writeBlob(deps.db.blobDir, Readable.from([u.data]));
      attachments.push({ filename: u.filename, contentType: u.contentType, size: blob.size, sha256: blob.sha256, contentId: null, inline: false });
    }
    return openWebCase(
      deps.db,
      deps.config,
      { name: (v.name ?? '').trim(), email: (v.email ?? '').trim(), subject: (v.subject ?? '').trim(), description: v.description ?? '', attachments },
      now,
    );
  } finally {
    releaseBlobs(
      deps.db.blobDir,
      attachments.map((a) => a.sha256),
      (sha) => isBlobStored(deps.db, sha),
    );
  }
}
