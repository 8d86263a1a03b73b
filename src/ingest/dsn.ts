// Reading a delivery status notification (RFC 3464): the per-recipient fields of its
// message/delivery-status part, and the Message-ID of the returned message's headers. Whether it is
// a permanent failure, a delay or no bounce is decided by src/domain/bounceRules.ts.
import { statusOf } from '../domain/bounceRules.js';

export interface DeliveryRecipient {
  /** The address that failed, without its address type (`rfc822;`); '' when the block names none. */
  recipient: string;
  /** `failed`, `delayed`, `delivered`, `relayed` or `expanded`, lower-cased, as written (`failed (…)`, `failure`). */
  action: string;
  /** Enhanced status code such as `5.1.1`, else an SMTP code (`Status: 553`); '' when the report gives none. */
  status: string;
  /** The remote server's answer without its type (`smtp;`), or null. */
  diagnostic: string | null;
}

export interface DeliveryReport {
  /** Message-ID of the message the report is about, with angle brackets, or null. */
  originalMessageId: string | null;
  recipients: DeliveryRecipient[];
}

/** Content types of the parts a DSN is read from; they are not kept as attachments. */
export const DSN_STATUS_TYPES: readonly string[] = ['message/delivery-status', 'message/global-delivery-status'];
export const DSN_RETURNED_TYPES: readonly string[] = [
  'text/rfc822-headers',
  'message/rfc822',
  'message/global-headers',
  'message/global',
];

/** Splits header-like text into blocks of fields (blank lines between blocks), folding undone. */
function fieldBlocks(text: string): Array<Map<string, string>> {
  const blocks: Array<Map<string, string>> = [];
  for (const chunk of text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)) {
    const fields = new Map<string, string>();
    for (const line of chunk.replace(/\n(?=[ \t])/g, '').split('\n')) {
      const m = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:(.*)$/.exec(line);
      const key = m?.[1]?.toLowerCase();
      if (key !== undefined && !fields.has(key)) fields.set(key, (m?.[2] ?? '').replace(/\s+/g, ' ').trim());
    }
    if (fields.size > 0) blocks.push(fields);
  }
  return blocks;
}

/** `rfc822; carol@gone.example` → `carol@gone.example` (also `smtp; 550 …` → `550 …`). */
function withoutType(value: string): string {
  const semi = value.indexOf(';');
  return (semi >= 0 ? value.slice(semi + 1) : value).trim();
}

/**
 * The recipients a message/delivery-status text reports on. A block that names no recipient counts
 * when it has an `Action` (some MTAs leave the recipient out; its action still says what happened),
 * with recipient ''; the per-message block (Reporting-MTA, Arrival-Date) has none and is skipped.
 */
export function readDeliveryStatus(text: string): DeliveryRecipient[] {
  const recipients: DeliveryRecipient[] = [];
  for (const fields of fieldBlocks(text)) {
    const named = fields.get('final-recipient') ?? fields.get('original-recipient');
    if (named === undefined && !fields.has('action')) continue;
    const recipient = named === undefined ? '' : withoutType(named).replace(/^<(.*)>$/, '$1');
    const status = statusOf(fields.get('status'));
    const diagnostic = fields.get('diagnostic-code');
    recipients.push({
      recipient,
      action: (fields.get('action') ?? '').toLowerCase(),
      status,
      diagnostic: diagnostic === undefined || withoutType(diagnostic) === '' ? null : withoutType(diagnostic),
    });
  }
  return recipients;
}

/** The Message-ID in the returned headers (or returned message) of a DSN, or null. */
export function readReturnedMessageId(text: string): string | null {
  const headerSection = text.replace(/\r\n?/g, '\n').split(/\n[ \t]*\n/)[0] ?? '';
  const value = fieldBlocks(headerSection)[0]?.get('message-id');
  return value === undefined ? null : (/<[^<>\s]+>/.exec(value)?.[0] ?? null);
}
