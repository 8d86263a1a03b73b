// What the later stages need to know of a parsed message, computed once per message: the reply
// text, the duplicate fingerprint, the loop key and the auto-reply verdict.
import { createHash } from 'node:crypto';
import { detectAutoReply } from '../domain/autoReply.js';
import { extractReply, truncateBody } from '../domain/replyText.js';
import { normalizeEmail } from '../domain/address.js';
import type { ParsedMessage } from './parse.js';

export interface Envelope {
  /** Envelope sender; '' for the null return path `<>`, null when not known (pipe mode without --mail-from). */
  mailFrom: string | null;
  rcpt: string[];
}

export interface MessageFacts {
  msg: ParsedMessage;
  envelope: Envelope;
  /** New text of the reply, quoted history cut, truncated with a marker past 131,072 characters. */
  body: string;
  /** The whole text. */
  fullBody: string;
  /** Same Message-ID, sender, subject, body and attachments: same fingerprint. */
  fingerprint: string;
  /** Same sender, subject and body: same hash (stored per minute, see loopKeysAt). */
  loopKey: string;
  /** Why this is automatic mail (auto-reply, list, loop header…), or null. */
  autoReply: string | null;
}

/** 128 bits of SHA-256: unique enough for a key, and half the index of the full hash. */
const sha256 = (parts: unknown[]): string => createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);

export function messageFacts(msg: ParsedMessage, envelope: Envelope): MessageFacts {
  const from = msg.from ? normalizeEmail(msg.from.address) : null;
  const text = msg.text.replace(/\r\n/g, '\n');
  return {
    msg,
    envelope,
    body: truncateBody(extractReply(text).body),
    fullBody: text,
    fingerprint: sha256([msg.messageId, from, msg.subject, text, msg.attachments.map((a) => a.sha256).sort()]),
    loopKey: sha256([from, msg.subject, text]),
    autoReply: detectAutoReply({
      header: (name) => msg.header(name),
      mailFrom: envelope.mailFrom,
      fromAddress: msg.from?.address ?? null,
    }),
  };
}
