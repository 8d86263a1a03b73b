// The log of the long-running processes (serve, dispatch): one event per call, with a sentence a
// person reads and fields a log pipeline reads. CASEGATE_LOG_FORMAT=text writes the sentence
// ("casegate: ..."); json writes one pino line with time, level, msg and the fields. Both go to
// stderr (stdout carries the "listening on" lines that scripts wait for). Callers pass only
// envelopes, answers, counts and times: never a message body, a key or a password; the names that
// could hold one are redacted all the same.
import pino from 'pino';

/** CASEGATE_LOG_FORMAT's values (the settings check them: LOG_FORMATS in src/domain/settingsFile.ts, so that reading them loads no logger). */
export type LogFormat = 'text' | 'json';

export type LogFields = Readonly<Record<string, unknown>>;

export interface Log {
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

/** Field names that never reach a log line with their value, at the top or one level down. */
const SECRET_NAMES: ReadonlySet<string> = new Set(['password', 'pass', 'key', 'apiKey', 'authorization', 'cookie', 'token', 'body', 'text', 'html']);
const CENSOR = '***';

/**
 * `fields` with the value of every secret name, at the top or one level down (in an object or an
 * array), replaced by `***`; the same object when it has none (every call of ours), so that a log
 * line costs no copy. pino's own `redact` copied each line's fields whatever they held: a third of
 * a JSON line's cost and some 30 KiB of garbage per message in serve (bench/README.md).
 */
export function maskSecrets(fields: LogFields): LogFields {
  let out: Record<string, unknown> | null = null;
  for (const name of Object.keys(fields)) {
    const value = fields[name];
    let masked: unknown = value;
    if (SECRET_NAMES.has(name)) masked = CENSOR;
    else if (value !== null && typeof value === 'object') {
      let inner: Record<string, unknown> | unknown[] | null = null;
      for (const key of Object.keys(value)) {
        if (!SECRET_NAMES.has(key)) continue;
        inner ??= Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Record<string, unknown>) };
        (inner as Record<string, unknown>)[key] = CENSOR;
      }
      if (inner !== null) masked = inner;
    }
    if (masked !== value) {
      out ??= { ...fields };
      out[name] = masked;
    }
  }
  return out ?? fields;
}

export interface LogDestination {
  write(line: string): unknown;
}

/** A log in `format` to `out` (stderr by default). */
export function createLog(format: LogFormat, out: LogDestination = process.stderr): Log {
  if (format === 'text') {
    const line = (msg: string) => out.write(`casegate: ${msg}\n`);
    return { info: line, warn: (msg) => line(`warning: ${msg}`), error: line };
  }
  const logger = pino(
    {
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    out === process.stderr ? pino.destination({ fd: 2, sync: true }) : { write: (s: string) => void out.write(s) },
  );
  return {
    info: (msg, fields) => logger.info(maskSecrets(fields ?? {}), msg),
    warn: (msg, fields) => logger.warn(maskSecrets(fields ?? {}), msg),
    error: (msg, fields) => logger.error(maskSecrets(fields ?? {}), msg),
  };
}
