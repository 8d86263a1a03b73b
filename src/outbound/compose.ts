// One notification, one message, one person: turns an outbox row and what it needs from the case
// into nodemailer message options. Pure: no database, no file access (attachment paths are only
// computed; nodemailer reads them when it sends).
import type { SendMailOptions } from 'nodemailer';
import { blobPath } from '../db/blobs.js';
import type { NotificationKind } from '../domain/outbox.js';
import { LOOP_HEADER, REPLY_MARKER, bounceAddress, caseAddress, caseSubjectTag } from '../domain/mailNames.js';

export interface AttachmentView {
  readonly sha256: string;
  readonly filename: string;
  readonly contentType: string;
  readonly size: number;
  readonly contentId: string | null;
  readonly inline: boolean;
}

export interface CommentView {
  readonly id: number;
  readonly authorEmail: string;
  readonly authorName: string | null;
  readonly body: string;
  readonly createdAt: number;
  readonly attachments: readonly AttachmentView[];
}

export interface NotificationInput {
  readonly from: string;
  readonly domain: string;
  /** Folder of attachment contents (`Db.blobDir`). */
  readonly blobDir: string;
  readonly row: {
    readonly kind: NotificationKind;
    readonly recipient: string;
    readonly token: string;
    readonly messageId: string;
    /** The recipient's own reply address token; null: the case-level address (rows older than reply addresses). */
    readonly replyToken: string | null;
  };
  readonly case: {
    readonly number: string;
    readonly subject: string;
    readonly description: string;
    readonly status: string;
    readonly addressToken: string;
    readonly threadRoot: string;
  };
  /** The comment a `comment` or `owner` notification carries; null for the other kinds. */
  readonly comment: CommentView | null;
  /** For `history`: every public comment up to the row's comment, oldest first. */
  readonly history: readonly CommentView[];
}

export function composeNotification(input: NotificationInput): SendMailOptions {
  const { row, case: c } = input;
  const replyTo = caseAddress(row.replyToken ?? c.addressToken, input.domain);
  const parts = bodyParts(input, replyTo);
  const attachments = (input.comment?.attachments ?? []).map((a) => ({
    filename: a.filename,
    contentType: a.contentType,
    path: blobPath(input.blobDir, a.sha256),
    ...(inlineImage(a) ? { cid: cidOf(a) } : {}),
  }));
  return {
    from: input.from,
    to: row.recipient,
    replyTo,
    subject: `${caseSubjectTag(c.number)} ${c.subject}`,
    messageId: row.messageId,
    inReplyTo: c.threadRoot,
    references: c.threadRoot,
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      [LOOP_HEADER]: input.domain,
    },
    envelope: { from: bounceAddress(row.token, input.domain), to: row.recipient },
    text: parts.map((p) => p.text).join('\n\n') + '\n',
    html: htmlDocument(parts.map((p) => p.html).join('\n')),
    attachments,
    disableUrlAccess: true,
  };
}

/** A block of the body, written once as text and once as HTML. */
interface Part {
  text: string;
  html: string;
}

function bodyParts(input: NotificationInput, replyTo: string): Part[] {
  const { row, case: c } = input;
  const parts: Part[] = [
    { text: REPLY_MARKER, html: `<p style="color:#888">${escapeHtml(REPLY_MARKER)}</p>` },
  ];
  if (row.kind === 'comment' && input.comment) {
    parts.push(commentPart(input.comment, 'wrote'));
  } else if (row.kind === 'owner' && input.comment) {
    parts.push(
      paragraph(`You own case ${c.number}. Your reply to this email becomes your public comment and goes to the case contact and collaborators.`),
      commentPart(input.comment, 'wrote'),
    );
  } else if (row.kind === 'case-created') {
    parts.push(
      paragraph(`Case ${c.number} has been opened for your request. Our support team will answer here.`),
      labelled('Subject', c.subject),
      ...(c.description.trim() ? [block(c.description)] : []),
    );
  } else if (row.kind === 'history') {
    const count = input.history.length;
    parts.push(
      paragraph(
        `You have been added to case ${c.number}. ` +
          (count === 0
            ? 'It has no public comments yet.'
            : `Here is its history so far, oldest first (${count} comment${count === 1 ? '' : 's'}).`),
      ),
      labelled('Subject', c.subject),
      ...(c.description.trim() ? [block(c.description)] : []),
      ...input.history.map((comment) => commentPart(comment, 'wrote')),
    );
  } else {
    parts.push(paragraph(`Case ${c.number} was updated.`));
  }
  parts.push(footer(c.number, c.status, replyTo));
  return parts;
}

function commentPart(comment: CommentView, verb: string): Part {
  const who = comment.authorName ? `${comment.authorName} <${comment.authorEmail}>` : comment.authorEmail;
  const when = formatDate(comment.createdAt);
  const files = comment.attachments.map((a) => `${a.filename} (${formatSize(a.size)})`);
  const images = comment.attachments.filter(inlineImage);
  const text =
    `${who} ${verb} on ${when}:\n\n${comment.body.trimEnd()}` + (files.length ? `\n\nAttachments: ${files.join(', ')}` : '');
  const html =
    `<div style="margin:1em 0;padding-left:0.8em;border-left:3px solid #ddd">` +
    `<p style="color:#555;margin:0 0 0.5em">${escapeHtml(who)} ${verb} on ${escapeHtml(when)}:</p>` +
    `<div style="white-space:pre-wrap">${escapeHtml(comment.body.trimEnd())}</div>` +
    images.map((a) => `<p><img src="cid:${escapeHtml(cidOf(a))}" alt="${escapeHtml(a.filename)}"></p>`).join('') +
    (files.length ? `<p style="color:#555">Attachments: ${escapeHtml(files.join(', '))}</p>` : '') +
    `</div>`;
  return { text, html };
}

function footer(number: string, status: string, replyTo: string): Part {
  const lines = [`Case ${number} · status ${status}`, `Reply to this email (it goes to ${replyTo}) to add a comment to the case.`];
  return {
    text: `-- \n${lines.join('\n')}`,
    html: `<hr><p style="color:#888;font-size:small">${lines.map(escapeHtml).join('<br>')}</p>`,
  };
}

function paragraph(text: string): Part {
  return { text, html: `<p>${escapeHtml(text)}</p>` };
}

function labelled(label: string, value: string): Part {
  return { text: `${label}: ${value}`, html: `<p><b>${escapeHtml(label)}:</b> ${escapeHtml(value)}</p>` };
}

function block(text: string): Part {
  return { text: text.trimEnd(), html: `<div style="white-space:pre-wrap">${escapeHtml(text.trimEnd())}</div>` };
}

function htmlDocument(body: string): string {
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"></head><body style="font-family:sans-serif">\n${body}\n</body></html>\n`;
}

/** An image with a Content-ID is shown in the HTML body; everything else is a plain attachment. */
function inlineImage(a: AttachmentView): boolean {
  return cidOf(a) !== '' && a.contentType.toLowerCase().startsWith('image/');
}

/** The Content-ID without its angle brackets, as `cid:` URLs and nodemailer's `cid` want it. */
function cidOf(a: AttachmentView): string {
  return (a.contentId ?? '').trim().replace(/^<|>$/g, '');
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** `2025-03-04 09:05 UTC`: the same for every reader, whatever the server's time zone. */
export function formatDate(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
