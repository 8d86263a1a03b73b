// Web-to-Case (SPEC §8): GET shows the form; POST checks the per-IP and daily limits, reads the
// multipart body (src/http/uploads.ts: attachments streamed to the blob store, bounded by the mail
// size limit), drops honeypot submissions quietly, answers bad input with the form and a message
// by field, and otherwise opens the case as mail would and names its number.
import type { FastifyInstance, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { NewAttachment } from '../db/attachments.js';
import { countCasesSince, type CaseRow } from '../db/cases.js';
import { isEmailAddress } from '../domain/address.js';
import { controlCharacterIn, type TextShape } from '../domain/text.js';
import { openWebCase } from '../cases/web.js';
import { OutOfReachError } from '../errors.js';
import { OUT_OF_REACH_RETRY_SECONDS } from './errors.js';
import { answerPage, formPage, limitPage, receivedPage, unavailablePage, type FieldErrors, type FormValues } from './pages.js';
import { createRateLimiter } from './rateLimit.js';
import { discardRest, FORM_LIMITS, readForm, releaseUploads, surelyTooLarge, type FormRefusal } from './uploads.js';

export interface WebDeps {
  db: Db;
  config: Config;
  now: () => number;
  onQueued: () => void;
}

const DAY_MS = 86_400_000;
const LIMITS = { name: 200, subject: 255, description: 32_000 } as const;
const SHAPES: Readonly<Record<keyof FormValues, TextShape>> = { name: 'line', email: 'line', subject: 'line', description: 'lines' };
const LABELS: Readonly<Record<keyof FormValues, string>> = { name: 'Your name', email: 'Your email', subject: 'The subject', description: 'The description' };

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
  for (const field of Object.keys(SHAPES) as Array<keyof FormValues>) {
    const shape = SHAPES[field];
    if (errors[field] === undefined && controlCharacterIn(v[field] ?? '', shape) !== null) {
      errors[field] = `${LABELS[field]} holds an invisible control character${shape === 'line' ? ' (a tab or a line break counts too)' : ''}; type it again without it.`;
    }
  }
  return errors;
}

const html = (reply: FastifyReply, status: number, body: string): FastifyReply => reply.code(status).type('text/html; charset=utf-8').send(body);

export async function registerWebToCase(app: FastifyInstance, deps: WebDeps): Promise<void> {
  const { config, db } = deps;
  const perIp = createRateLimiter(db, { scope: 'web', limit: config.webRateLimit, windowMs: 3600_000, now: deps.now });
  const form = (values: FormValues, errors: FieldErrors) => formPage(values, errors, config.maxMessageBytes);
  /** What each refusal of the form as a whole says, by status and field. */
  const REFUSED: Readonly<Record<FormRefusal, { status: number; errors: FieldErrors }>> = {
    'too-large': { status: 413, errors: { attachments: `The attachments are larger than ${config.maxMessageBytes} bytes in all; send smaller files, or fewer.` } },
    'too-many-files': { status: 413, errors: { attachments: `You can attach at most ${FORM_LIMITS.files} files; send fewer, or put them together in one archive.` } },
    'too-many-fields': { status: 413, errors: { form: `The form was sent with more than ${FORM_LIMITS.fields} fields; this form has 5. Send it from this page.` } },
    'too-many-parts': { status: 413, errors: { form: `The form was sent in more than ${FORM_LIMITS.parts} parts (fields and files together); send it from this page, with at most ${FORM_LIMITS.files} files.` } },
    'not-this-form': { status: 400, errors: { form: 'The form was sent with a field this form does not have; send it from this page.' } },
  };

  await app.register(async (web) => {
    await web.register(multipart, { limits: { fileSize: config.maxMessageBytes, ...FORM_LIMITS } });
    web.setErrorHandler((err, req, reply) => {
      const e = err as { statusCode?: number; code?: string };
      if (e.statusCode === 415 || e.code === 'FST_INVALID_MULTIPART_CONTENT_TYPE') {
        return html(reply, 415, form({}, { form: 'The form was not sent as multipart/form-data; send it from this page.' }));
      }
      if (err instanceof OutOfReachError) {
        // Logged once per outage (src/db/reach.ts); the sender is told to come back, nothing was saved.
        return html(reply.header('retry-after', String(OUT_OF_REACH_RETRY_SECONDS)), 503, unavailablePage(OUT_OF_REACH_RETRY_SECONDS));
      }
      console.error(`casegate: http ${req.method} ${req.url}: ${(err as Error)?.stack ?? String(err)}`);
      return html(reply, 500, form({}, { form: 'Something went wrong on our side and nothing was saved; please try again.' }));
    });

    web.get('/web-to-case', async (_req, reply) => html(reply, 200, form({}, {})));

    web.post('/web-to-case', async (req, reply) => {
      const slot = await perIp.take(req.ip);
      if (!slot.ok) return html(reply.header('retry-after', String(slot.retryAfterSeconds)), 429, limitPage('ip', slot.retryAfterSeconds));
      const now = deps.now();
      const dayStart = Math.floor(now / DAY_MS) * DAY_MS;
      if ((await db.transaction((tx) => countCasesSince(tx, 'Web', dayStart), 'read')) >= config.webDailyLimit) {
        const wait = Math.ceil((dayStart + DAY_MS - now) / 1000);
        return html(reply.header('retry-after', String(wait)), 429, limitPage('daily', wait));
      }
      const read = surelyTooLarge(req.headers['content-length'], config.maxMessageBytes) ? { refused: 'too-large' as const } : await readForm(req, db, config.maxMessageBytes);
      if ('refused' in read) {
        // Nothing more is parsed or stored; the rest of the body is read and dropped.
        discardRest(req);
        const { status, errors } = REFUSED[read.refused];
        return html(reply, status, form({}, errors));
      }
      const { values, trap, attachments } = read;
      if (trap.trim() !== '') {
        await releaseUploads(db, attachments);
        return html(reply, 200, receivedPage());
      }
      const errors = checkSubmission(values);
      if (Object.keys(errors).length > 0) {
        await releaseUploads(db, attachments);
        if (attachments.length > 0) errors.attachments = 'Please choose the files again: they are not kept when the form has errors.';
        return html(reply, 400, form(values, errors));
      }
      const row = await openWithAttachments(deps, values, attachments, now);
      deps.onQueued();
      return html(reply, 200, answerPage(row.number, (values.email ?? '').trim()));
    });
  });
}

/** Opens the case with the stored attachments in one transaction, then lets go of blobs no row keeps. */
async function openWithAttachments(deps: WebDeps, v: FormValues, attachments: readonly NewAttachment[], now: number): Promise<CaseRow> {
  const submission = { name: (v.name ?? '').trim(), email: (v.email ?? '').trim(), subject: (v.subject ?? '').trim(), description: v.description ?? '', attachments };
  try {
    return await deps.db.transaction((tx) => openWebCase(tx, deps.config, submission, now));
  } finally {
    await releaseUploads(deps.db, attachments);
  }
}
