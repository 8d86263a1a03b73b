// Outbox states and the hold rule (SPEC §5). Pure.

/** `bounced`: sent, then reported as a permanent failure by a bounce to its VERP address. */
export const OUTBOX_STATUSES = Object.freeze(['pending', 'sent', 'failed', 'held', 'bounced'] as const);
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** `owner`: a public comment by someone else, sent to the case owner (SPEC §5). `auto-response`: a
 * routing address's acknowledgement to the sender of a new case (SPEC §7). `sign-in`: a Help portal
 * sign-in link (no case); `unsubscribed`: tells the case contact that a collaborator stopped the
 * case's emails (SPEC §11). */
export const NOTIFICATION_KINDS = Object.freeze(['case-created', 'comment', 'history', 'owner', 'auto-response', 'sign-in', 'unsubscribed'] as const);
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export function parseOutboxStatus(value: string): OutboxStatus | null {
  const wanted = value.trim().toLowerCase();
  return OUTBOX_STATUSES.find((s) => s === wanted) ?? null;
}

/**
 * The one hold rule: a notification to an address with a hard bounce is held, not sent; the note
 * says why and how to send it again. Decided when the row is written and again when it falls due
 * (the address may have bounced in between); both use this function.
 */
export function holdNote(recipient: string, bounce: { status: string; diagnostic: string | null } | undefined): string | null {
  if (bounce === undefined) return null;
  const why = [bounce.status, bounce.diagnostic].filter(Boolean).join(' ');
  return `held: ${recipient} bounced earlier (${why}); run "casegate outbox retry" with this row's ID once the address works`;
}
