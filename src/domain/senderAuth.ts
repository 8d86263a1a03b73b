// Sender authentication as data (SPEC §4 *Sender trust*): the result words of SPF, DKIM, DMARC and
// ARC, what is stored on the inbound log row and the comment, and the one rule enforce mode applies.
// The lookups themselves are src/ingest/auth.ts.

/** mailauth's result words (RFC 8601). */
export type AuthWord = 'pass' | 'fail' | 'none' | 'neutral' | 'softfail' | 'temperror' | 'permerror' | 'policy';
export const AUTH_WORDS: readonly AuthWord[] = Object.freeze(['pass', 'fail', 'none', 'neutral', 'softfail', 'temperror', 'permerror', 'policy']);

/** What is stored on the inbound log row and the comment (JSON). */
export interface SenderAuth {
  dmarc: AuthWord;
  spf: AuthWord;
  dkim: AuthWord;
  arc?: AuthWord;
  /** The DMARC policy of the `From` domain (`p`, or `sp` for a subdomain), when it has a record. */
  policy?: string;
  source: 'lookup' | 'trusted-relay';
}

/** A DMARC failure of a domain whose policy is reject or quarantine: refused in `enforce` mode. */
export const failsDmarcPolicy = (a: SenderAuth | null): boolean => a?.dmarc === 'fail' && (a.policy === 'reject' || a.policy === 'quarantine');
