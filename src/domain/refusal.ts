// An SMTP answer of the inbound side: code, enhanced status and a sentence a person can act on.

export interface Answer {
  code: number;
  enhanced: string;
  text: string;
}

export const answer = (code: number, enhanced: string, text: string): Answer => ({ code, enhanced, text });

export function formatAnswer(a: Answer): string {
  return `${a.code} ${a.enhanced} ${a.text}`;
}

/** sysexits(3) codes of pipe mode (SPEC §4). */
export const EXIT = Object.freeze({ OK: 0, DATAERR: 65, NOUSER: 67, NOPERM: 77, TEMPFAIL: 75 });

/** The exit code of `casegate ingest` for an answer. */
export function exitCodeOf(a: Answer): number {
  if (a.code < 400) return EXIT.OK;
  if (a.code < 500) return EXIT.TEMPFAIL;
  if (a.enhanced === '5.1.1' || a.enhanced === '5.1.3' || (a.enhanced === '5.7.1' && /relay/i.test(a.text))) return EXIT.NOUSER;
  if (a.enhanced.startsWith('5.6') || a.enhanced.startsWith('5.3') || a.code === 552) return EXIT.DATAERR;
  return EXIT.NOPERM;
}
