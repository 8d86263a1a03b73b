// Is this message from a machine? Auto-replies, bulk mail, bounces and our own notifications coming
// back are never turned into a comment or case, and never answered (SPEC §4). The rules are data. Pure.
import { LOOP_HEADER } from './mailNames.js';

export type AutoReplyRule =
  /** A header whose (trimmed) value matches `pattern`. */
  | { readonly kind: 'header'; readonly header: string; readonly pattern: RegExp }
  /** `MAIL FROM:<>`: the null return path of bounces and auto-replies (RFC 5321 §4.5.5). */
  | { readonly kind: 'null-return-path' }
  /** A sender (envelope or From) whose local part is one of these, case-insensitive. */
  | { readonly kind: 'system-sender'; readonly localParts: readonly string[] }
  /** A subject that an out-of-office or other auto-reply puts first; the body is never read for this. */
  | { readonly kind: 'subject'; readonly pattern: RegExp };

export interface AutoReplyInput {
  /** First value of a header, case-insensitive; undefined when absent. */
  header(name: string): string | undefined;
  /** Envelope sender: '' for `MAIL FROM:<>`, null when unknown or not given. */
  mailFrom: string | null;
  /** Address of the From header, or null. */
  fromAddress: string | null;
  /** The decoded Subject; '' when none. */
  subject?: string;
}

const ANY = /^/;

export const AUTO_REPLY_RULES: readonly AutoReplyRule[] = Object.freeze([
  { kind: 'header', header: LOOP_HEADER, pattern: ANY },
  // RFC 3834: any value but "no" (parameters such as "; owner-email=" may follow the keyword).
  { kind: 'header', header: 'Auto-Submitted', pattern: /^(?!no\s*(?:[;(]|$))\S/i },
  { kind: 'header', header: 'Precedence', pattern: /^(bulk|junk|list|auto_reply)\b/i },
  { kind: 'header', header: 'X-Autoreply', pattern: ANY },
  { kind: 'header', header: 'X-Autorespond', pattern: ANY },
  { kind: 'header', header: 'X-Autoreply-From', pattern: ANY },
  { kind: 'header', header: 'X-Mail-Autoreply', pattern: ANY },
  { kind: 'header', header: 'X-Auto-Response-Suppress', pattern: ANY },
  { kind: 'null-return-path' },
  { kind: 'system-sender', localParts: ['mailer-daemon', 'postmaster'] },
  // The subject line Exchange, Gmail, Apple, Zimbra and others give an auto-reply, in several
  // languages; only at the start, so "Re: out of office next week?" from a person stays a reply.
  {
    kind: 'subject',
    pattern:
      /^(Automatic reply|Auto(matic)?[- ]?(reply|response)|Auto|Autoreply|Out of (the )?Office( AutoReply| reply)?|Abwesenheitsnotiz|Automatische Antwort|Réponse automatique|Respuesta automática|Risposta automatica|Resposta automática|Automatisch antwoord|Autosvar|Automatisk svar|Automaattinen vastaus|Odpowiedź automatyczna|Автоматический ответ|自動応答|自动回复|自動回覆)\s*[:：]|^(Out of (the )?Office|Abwesenheitsnotiz|Absence du bureau)\s*$/iu,
  },
] as const);

/** Why the message is machine-made, e.g. "Auto-Submitted: auto-replied"; null for mail from a person. */
export function detectAutoReply(input: AutoReplyInput): string | null {
  for (const rule of AUTO_REPLY_RULES) {
    const reason = check(rule, input);
    if (reason !== null) return reason;
  }
  return null;
}

function check(rule: AutoReplyRule, input: AutoReplyInput): string | null {
  switch (rule.kind) {
    case 'header': {
      const value = input.header(rule.header)?.trim();
      if (value === undefined || !rule.pattern.test(value)) return null;
      if (rule.header === LOOP_HEADER) return `${LOOP_HEADER} header: a notification of ours came back`;
      return value === '' ? `${rule.header} header` : `${rule.header}: ${value}`;
    }
    case 'subject': {
      const subject = input.subject?.trim() ?? '';
      return rule.pattern.test(subject) ? `auto-reply subject "${subject.slice(0, 80)}"` : null;
    }
    case 'null-return-path':
      return input.mailFrom === '' ? 'null return path (MAIL FROM:<>)' : null;
    case 'system-sender': {
      for (const [role, address] of [
        ['envelope sender', input.mailFrom],
        ['From', input.fromAddress],
      ] as const) {
        const local = localPart(address);
        if (local !== null && rule.localParts.includes(local)) return `${role} ${address} is a mail system, not a person`;
      }
      return null;
    }
  }
}

function localPart(address: string | null): string | null {
  if (address === null || address === '') return null;
  const trimmed = address.trim().replace(/^<|>$/g, '');
  const at = trimmed.lastIndexOf('@');
  return (at < 0 ? trimmed : trimmed.slice(0, at)).toLowerCase();
}
