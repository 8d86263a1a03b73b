// The SMTP envelope of an inbound message, as SMTP, LMTP and pipe mode give it to the pipeline.

/** The SMTP client of the message, as far as the receiving side knows it (pipe mode and LMTP: maybe nothing). */
export interface Client {
  ip: string | null;
  helo: string | null;
}

export interface Envelope {
  /** Envelope sender; '' for the null return path `<>`, null when not known (pipe mode without --mail-from). */
  mailFrom: string | null;
  rcpt: string[];
  /** The SMTP client (IP address, HELO name) when known: SMTP; pipe mode with --client-ip/--helo. */
  client?: Client;
}
