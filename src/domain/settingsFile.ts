// The names of every setting, and the settings file: `KEY = value` lines with those names, `#`
// comments and blank lines. Pure: src/config.ts reads the file and the environment and calls these.
// A name unknown here is refused in a file (a typo must not silently leave a default in force).

/** Every setting a settings file may hold, in the order `casegate config` prints them. */
export const SETTING_NAMES = Object.freeze([
  'CASEGATE_DB',
  'CASEGATE_BLOB_DIR',
  'CASEGATE_DOMAIN',
  'CASEGATE_FROM',
  'CASEGATE_SMTP_URL',
  'CASEGATE_OUTBOX_DIR',
  'CASEGATE_DEFAULT_OWNER',
  'CASEGATE_HOST',
  'CASEGATE_PORT',
  'CASEGATE_MAX_MESSAGE_BYTES',
  'CASEGATE_CLOSED_CASE_REPLY',
  'CASEGATE_MAX_RECIPIENTS',
  'CASEGATE_MAX_CONNECTIONS',
  'CASEGATE_MAX_CONNECTIONS_PER_IP',
  'CASEGATE_SESSION_SECONDS',
  'CASEGATE_MIN_DATA_RATE',
  'CASEGATE_MAX_UNKNOWN_RECIPIENTS',
  'CASEGATE_MIN_FREE_BYTES',
  'CASEGATE_INGEST_TIMEOUT_SECONDS',
  'CASEGATE_INGEST_SOCKET',
  'CASEGATE_STORE_THREAD',
  'CASEGATE_AUTH_THREAD',
  'CASEGATE_TLS_KEY',
  'CASEGATE_TLS_CERT',
  'CASEGATE_RETRY_SCHEDULE',
  'CASEGATE_DISPATCH_INTERVAL_MS',
  'CASEGATE_HTTP_PORT',
  'CASEGATE_HTTP_HOST',
  'CASEGATE_PUBLIC_URL',
  'CASEGATE_SYNC_CONTACTS',
  'CASEGATE_WEB_CREATE_CONTACTS',
  'CASEGATE_WEB_DAILY_LIMIT',
  'CASEGATE_WEB_RATE_LIMIT',
  'CASEGATE_API_RATE_LIMIT',
  'CASEGATE_API_MAX_BODY_BYTES',
  'CASEGATE_NOTIFY_OWNER',
  'CASEGATE_SENDER_AUTH',
  'CASEGATE_DNS_SERVERS',
  'CASEGATE_TRUSTED_AUTHSERV_ID',
  'CASEGATE_DKIM_KEY',
  'CASEGATE_DKIM_SELECTOR',
  'CASEGATE_MAILBOX_POLL_SECONDS',
  'CASEGATE_MAILBOX_RETRY_SCHEDULE',
  'CASEGATE_LOG_FORMAT',
  'CASEGATE_PRUNE_INBOUND_DAYS',
  'CASEGATE_PRUNE_OUTBOX_SENT_DAYS',
] as const);

/** CASEGATE_LOG_FORMAT's values (here, not in src/log.ts, so that reading the settings loads no logger). */
export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = Object.freeze(['text', 'json']);

export type SettingName = (typeof SETTING_NAMES)[number];

/** Settings whose value is a URL that may carry a password: printed with the password masked. */
export const URL_SETTINGS: ReadonlySet<string> = new Set(['CASEGATE_DB', 'CASEGATE_SMTP_URL']);

const KNOWN: ReadonlySet<string> = new Set(SETTING_NAMES);
export const isSettingName = (name: string): name is SettingName => KNOWN.has(name);

/** One value of a settings file and the line it is on (1-based). */
export interface FileEntry {
  readonly value: string;
  readonly line: number;
}

export interface ParsedSettingsFile {
  readonly entries: ReadonlyMap<SettingName, FileEntry>;
  /** One sentence per bad line, each starting with FILE:LINE. */
  readonly problems: readonly string[];
}

// One line: NAME = value (spaces around `=` optional). Anchored and without nested repetition: linear.
const LINE = /^([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(.*)$/;

/**
 * Reads the text of a settings file named `file` (the name is only for messages). A value may be
 * wrapped in "double" or 'single' quotes, which are taken off; `#` starts a comment only at the start
 * of a line (a password may hold one). A name set twice, an unknown name and a line that is not
 * `NAME = value` are problems.
 */
export function parseSettingsFile(text: string, file: string): ParsedSettingsFile {
  const entries = new Map<SettingName, FileEntry>();
  const problems: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const m = LINE.exec(trimmed);
    if (m === null) {
      problems.push(`${file}:${line}: "${shorten(trimmed)}" is not a setting; write NAME = value (e.g. CASEGATE_DOMAIN = cases.example.com), or start a comment with #`);
      return;
    }
    const name = m[1] as string;
    if (!isSettingName(name)) {
      problems.push(`${file}:${line}: unknown setting ${name}; the known settings are ${SETTING_NAMES.join(', ')}`);
      return;
    }
    const earlier = entries.get(name);
    if (earlier !== undefined) {
      problems.push(`${file}:${line}: ${name} is set twice (also on line ${earlier.line}); keep one`);
      return;
    }
    entries.set(name, { value: unquote((m[2] as string).trim()), line });
  });
  return { entries, problems };
}

function unquote(value: string): string {
  const first = value[0];
  if (value.length >= 2 && (first === '"' || first === "'") && value.endsWith(first)) return value.slice(1, -1);
  return value;
}

const shorten = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);

/** A URL with its password (and any `password=` parameter) shown as `***`; anything else unchanged. */
export function maskSecret(name: string, value: string): string {
  if (!URL_SETTINGS.has(name) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@');
  }
  const secretKeys = [...url.searchParams.keys()].filter((key) => /pass|secret|token/i.test(key));
  if (url.password === '' && secretKeys.length === 0) return value;
  if (url.password !== '') url.password = '***';
  for (const key of secretKeys) url.searchParams.set(key, '***');
  return url.toString().replace(/%2A%2A%2A/g, '***');
}
