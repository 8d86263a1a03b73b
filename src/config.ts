// Settings come from flags, then environment variables, then the settings file, then defaults; read
// once here, checked with one readable message per bad value, and passed down frozen. The only file
// that reads process.env. withSettings() derives a config from another one, checked the same way.
// The settings file (src/settings.ts parses it): --config FILE, else CASEGATE_CONFIG, else
// `casegate.conf` in the folder of the SQLite database (when there is one).
import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { isDomainName, isEmailAddress } from './domain/address.js';
import { isDkimSelector } from './domain/dnsRecords.js';
import { ConfigError, SettingsFileError } from './errors.js';
import { LOG_FORMATS, parseSettingsFile, SETTING_NAMES, type LogFormat, type SettingName } from './domain/settingsFile.js';

export type ClosedCaseReply = 'reopen' | 'refuse' | 'child';
/** Sender authentication (SPEC §4 Sender trust): refuse DMARC reject/quarantine failures, only record, or no lookups. */
export type SenderAuthMode = 'enforce' | 'record' | 'off';
export const SENDER_AUTH_MODES: readonly SenderAuthMode[] = Object.freeze(['enforce', 'record', 'off']);

export interface Config {
  /** A SQLite file path, or a postgres:// URL. */
  readonly db: string;
  /** Folder of attachment contents (CASEGATE_BLOB_DIR); null: `blobs/` beside a SQLite file, the database itself with PostgreSQL. */
  readonly blobDir: string | null;
  readonly domain: string;
  readonly from: string;
  readonly smtpUrl: string | null;
  /** Folder of the .eml files when no relay is set: `outbox/` beside a SQLite file, `data/outbox` with PostgreSQL. */
  readonly outboxDir: string;
  readonly defaultOwner: string | null;
  readonly host: string;
  readonly port: number;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly maxConnections: number;
  /** Concurrent inbound connections from one IP address. */
  readonly maxConnectionsPerIp: number;
  /** Longest inbound session, in seconds; the client is then disconnected (421). */
  readonly sessionSeconds: number;
  /** Slowest DATA accepted, in bytes per second over each window of DATA_RATE_WINDOW_SECONDS. */
  readonly minDataRate: number;
  /** Unknown recipients in one session after which the client is disconnected (421). */
  readonly maxUnknownRecipients: number;
  /** Free bytes the data folder must keep; below it new mail gets 452 4.3.1. */
  readonly minFreeBytes: number;
  /** Longest time pipe mode (`casegate ingest`) takes to read its message, in seconds; then exit 75, nothing kept. */
  readonly ingestTimeoutSeconds: number;
  /**
   * Unix socket where `serve` takes the messages of `casegate ingest` (src/smtp/pipeSocket.ts):
   * `<database name>.sock` beside a SQLite file; none with PostgreSQL unless set; null: off.
   */
  readonly ingestSocket: string | null;
  /** serve on SQLite commits inbound messages on a store thread (src/ingest/storeThread.ts); off by default. */
  readonly storeThread: boolean;
  /** serve checks senders (mailauth) on a thread of its own (src/ingest/authThread.ts); on by default. */
  readonly authThread: boolean;
  readonly closedCaseReply: ClosedCaseReply;
  readonly tlsKey: string | null;
  readonly tlsCert: string | null;
  /** Delays in seconds before each retry of a temporary delivery failure. */
  readonly retrySchedule: readonly number[];
  /** How often the dispatcher looks for due rows, in milliseconds. */
  readonly dispatchIntervalMs: number;
  /** Outbox rows the dispatcher claims per round. */
  readonly dispatchBatchSize: number;
  /** Notifications the dispatcher sends at once. */
  readonly dispatchConcurrency: number;
  /** How long a claimed outbox row stays reserved; after that another dispatcher may take it over. */
  readonly leaseMs: number;
  /** Port of the HTTP server (Web-to-Case and API, SPEC §8); null: no HTTP. */
  readonly httpPort: number | null;
  readonly httpHost: string;
  /**
   * Where people reach the HTTP server (CASEGATE_PUBLIC_URL, no trailing slash): the Help portal's
   * sign-in and unsubscribe links start with it. Default: http://HOST:PORT of the HTTP server; null
   * when neither is set (no links are offered).
   */
  readonly publicUrl: string | null;
  /** API: find or create the customer's contact (seed 002); off: the case stays unlinked with suggestions. */
  readonly syncContacts: boolean;
  /** Web-to-Case: create a contact for an unknown email (as a routing address's create contacts). */
  readonly webCreateContacts: boolean;
  /** Web-to-Case cases per day (UTC), then 429. */
  readonly webDailyLimit: number;
  /** Web-to-Case submissions per IP address per hour, then 429. */
  readonly webRateLimit: number;
  /** API requests per key per minute, then 429. */
  readonly apiRateLimit: number;
  /** Largest API request body; larger gets 413. */
  readonly apiMaxBodyBytes: number;
  /** The case owner hears of every public comment someone else writes (SPEC §5). */
  readonly notifyOwner: boolean;
  /** CASEGATE_SENDER_AUTH. */
  readonly senderAuth: SenderAuthMode;
  /** Resolvers for sender authentication, `ip` or `ip:port` (`[ipv6]:port`); null: the system's. */
  readonly dnsServers: readonly string[] | null;
  /** authserv-id of the relay whose Authentication-Results header is trusted instead of lookups; null: none. */
  readonly trustedAuthservId: string | null;
  /** PEM file of the RSA private key notifications are DKIM-signed with (CASEGATE_DKIM_KEY); null: unsigned. */
  readonly dkimKey: string | null;
  /** Its selector (CASEGATE_DKIM_SELECTOR): the key is published at SELECTOR._domainkey.<domain of from>. */
  readonly dkimSelector: string | null;
  /** IMAP mailboxes (`casegate mailbox`): seconds between two looks at a mailbox besides IDLE (the polling interval where IDLE is missing). */
  readonly mailboxPollSeconds: number;
  /** Seconds before each new try at a mailbox that could not be reached; the last one repeats. */
  readonly mailboxRetrySchedule: readonly number[];
  /** CASEGATE_LOG_FORMAT: text (the default on a terminal) or json lines (the default otherwise). */
  readonly logFormat: LogFormat;
  /** `serve` prunes the inbound log older than this many days, once a day; null: never (CASEGATE_PRUNE_INBOUND_DAYS). */
  readonly pruneInboundDays: number | null;
  /** `serve` prunes sent notifications older than this many days, once a day; null: never (CASEGATE_PRUNE_OUTBOX_SENT_DAYS). */
  readonly pruneOutboxSentDays: number | null;
}

/** Flags that override the environment; undefined means "not given". */
export interface ConfigFlags {
  db?: string;
  host?: string;
  port?: string | number;
  /** `dispatch --lease-seconds`. */
  leaseSeconds?: string | number;
  /** `serve --http PORT`. */
  http?: string | number;
  /** `--config FILE`: the settings file. */
  config?: string;
}

/** Where a setting's value came from. */
export type SettingSource =
  | { readonly kind: 'flag'; readonly flag: string }
  | { readonly kind: 'environment' }
  | { readonly kind: 'file'; readonly file: string; readonly line: number }
  | { readonly kind: 'default' };

/** The settings as given (before defaults and checks), each with its source, and the settings file read. */
export interface GivenSettings {
  /** The settings file read, and how it was found; null: none. */
  readonly file: { readonly path: string; readonly how: '--config' | 'CASEGATE_CONFIG' | 'beside the database' } | null;
  readonly values: ReadonlyMap<SettingName, { readonly value: string; readonly source: SettingSource }>;
}

export { ConfigError };

/** The window over which CASEGATE_MIN_DATA_RATE is measured: DATA must bring minDataRate × this many bytes in each. */
export const DATA_RATE_WINDOW_SECONDS = 10;

export const DEFAULT_RETRY_SCHEDULE = Object.freeze([60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600]);
export const DEFAULT_MAILBOX_RETRY_SCHEDULE = Object.freeze([5, 30, 120, 600, 1800]);
const MIB = 1024 * 1024;

type WholeNumber =
  | 'port'
  | 'maxMessageBytes'
  | 'maxRecipients'
  | 'maxConnections'
  | 'maxConnectionsPerIp'
  | 'sessionSeconds'
  | 'minDataRate'
  | 'maxUnknownRecipients'
  | 'minFreeBytes'
  | 'ingestTimeoutSeconds'
  | 'dispatchIntervalMs' | 'dispatchBatchSize' | 'dispatchConcurrency' | 'leaseMs'
  | 'webDailyLimit' | 'webRateLimit' | 'apiRateLimit' | 'apiMaxBodyBytes'
  | 'mailboxPollSeconds';

/** Whole-number settings: the name a message gives them and their bounds. */
const WHOLE_NUMBERS: Readonly<Record<WholeNumber, { name: string; min: number; max: number }>> = Object.freeze({
  port: { name: 'port (--port or CASEGATE_PORT)', min: 0, max: 65535 },
  maxMessageBytes: { name: 'CASEGATE_MAX_MESSAGE_BYTES', min: 1024, max: 1024 * MIB },
  maxRecipients: { name: 'CASEGATE_MAX_RECIPIENTS', min: 1, max: 1000 },
  maxConnections: { name: 'CASEGATE_MAX_CONNECTIONS', min: 1, max: 10000 },
  maxConnectionsPerIp: { name: 'CASEGATE_MAX_CONNECTIONS_PER_IP', min: 1, max: 10000 },
  sessionSeconds: { name: 'CASEGATE_SESSION_SECONDS', min: 1, max: 86400 },
  minDataRate: { name: 'CASEGATE_MIN_DATA_RATE (bytes per second, 0 for none)', min: 0, max: 1024 * MIB },
  maxUnknownRecipients: { name: 'CASEGATE_MAX_UNKNOWN_RECIPIENTS', min: 1, max: 100000 },
  minFreeBytes: { name: 'CASEGATE_MIN_FREE_BYTES (0 for no check)', min: 0, max: Number.MAX_SAFE_INTEGER },
  ingestTimeoutSeconds: { name: 'CASEGATE_INGEST_TIMEOUT_SECONDS', min: 1, max: 86400 },
  dispatchIntervalMs: { name: 'CASEGATE_DISPATCH_INTERVAL_MS', min: 10, max: 3600_000 },
  dispatchBatchSize: { name: 'dispatchBatchSize', min: 1, max: 10000 },
  dispatchConcurrency: { name: 'dispatchConcurrency', min: 1, max: 1000 },
  leaseMs: { name: 'leaseMs', min: 1000, max: 86400_000 },
  webDailyLimit: { name: 'CASEGATE_WEB_DAILY_LIMIT', min: 1, max: 10_000_000 },
  webRateLimit: { name: 'CASEGATE_WEB_RATE_LIMIT (submissions per IP per hour)', min: 1, max: 1_000_000 },
  apiRateLimit: { name: 'CASEGATE_API_RATE_LIMIT (requests per key per minute)', min: 1, max: 1_000_000 },
  apiMaxBodyBytes: { name: 'CASEGATE_API_MAX_BODY_BYTES', min: 1024, max: 64 * MIB },
  mailboxPollSeconds: { name: 'CASEGATE_MAILBOX_POLL_SECONDS', min: 1, max: 86400 },
});
const HTTP_PORT = { name: 'HTTP port (--http or CASEGATE_HTTP_PORT)', min: 0, max: 65535 };

/** on/off settings: the words each way. */
const SWITCH: Readonly<Record<string, boolean>> = Object.freeze({ on: true, off: false, true: true, false: false, yes: true, no: false, '1': true, '0': false });
const LEASE_SECONDS = { name: '--lease-seconds', min: 1, max: 86400 };

type Env = Record<string, string | undefined>;

/** The flags that stand for a setting, and their names in messages. */
const FLAG_SETTINGS: ReadonlyArray<[keyof ConfigFlags, SettingName, string]> = [
  ['db', 'CASEGATE_DB', '--db'],
  ['host', 'CASEGATE_HOST', '--host'],
  ['port', 'CASEGATE_PORT', '--port'],
  ['http', 'CASEGATE_HTTP_PORT', '--http'],
];

/** The default SQLite file (relative to the working directory). */
const DEFAULT_DB = path.join('data', 'casegate.db');
/** The settings file looked for in the folder of the SQLite database. */
export const SETTINGS_FILE_NAME = 'casegate.conf';

/**
 * Every setting given by a flag, the environment (an empty variable counts as unset) or the settings
 * file, with its source; throws SettingsFileError when the file cannot be read or has a bad line.
 */
export function givenSettings(flags: ConfigFlags = {}, env: Env = process.env): GivenSettings {
  const fromEnv = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const values = new Map<SettingName, { value: string; source: SettingSource }>();
  const file = settingsFileOf(flags, fromEnv);
  if (file !== null) {
    const parsed = readSettingsFile(file.path);
    if (file.how === 'beside the database' && parsed.entries.has('CASEGATE_DB')) {
      const line = parsed.entries.get('CASEGATE_DB')?.line ?? 0;
      throw new SettingsFileError([
        `${file.path}:${line}: CASEGATE_DB cannot be set in the ${SETTINGS_FILE_NAME} found beside the database; ` +
          'remove the line, or name the file with --config (or CASEGATE_CONFIG)',
      ]);
    }
    for (const [name, entry] of parsed.entries) values.set(name, { value: entry.value, source: { kind: 'file', file: file.path, line: entry.line } });
  }
  for (const name of SETTING_NAMES) {
    const value = fromEnv(name);
    if (value !== undefined) values.set(name, { value, source: { kind: 'environment' } });
  }
  for (const [key, name, flag] of FLAG_SETTINGS) {
    const value = flags[key];
    if (value !== undefined && String(value).trim() !== '') values.set(name, { value: String(value).trim(), source: { kind: 'flag', flag } });
  }
  return { file, values };
}

/** The settings file: --config, else CASEGATE_CONFIG, else casegate.conf beside the SQLite file when it is there. */
function settingsFileOf(flags: ConfigFlags, fromEnv: (name: string) => string | undefined): GivenSettings['file'] {
  if (flags.config !== undefined && flags.config.trim() !== '') return { path: flags.config.trim(), how: '--config' };
  const named = fromEnv('CASEGATE_CONFIG');
  if (named !== undefined) return { path: named, how: 'CASEGATE_CONFIG' };
  const db = (flags.db !== undefined && flags.db.trim() !== '' ? flags.db.trim() : undefined) ?? fromEnv('CASEGATE_DB') ?? DEFAULT_DB;
  if (isPostgres(db)) return null;
  const beside = path.join(path.dirname(db), SETTINGS_FILE_NAME);
  return fs.existsSync(beside) ? { path: beside, how: 'beside the database' } : null;
}

function readSettingsFile(file: string): ReturnType<typeof parseSettingsFile> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new SettingsFileError([`cannot read the settings file ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); give a readable file with --config or CASEGATE_CONFIG`]);
  }
  const parsed = parseSettingsFile(text, file);
  if (parsed.problems.length > 0) throw new SettingsFileError([...parsed.problems]);
  return parsed;
}

const isPostgres = (location: string): boolean => /^postgres(ql)?:\/\//i.test(location);

/** The default folder of .eml files: beside a SQLite file; with PostgreSQL (no database folder) data/outbox under the working directory. */
export function defaultOutboxDir(db: string): string {
  return isPostgres(db) ? path.join('data', 'outbox') : path.join(path.dirname(db), 'outbox');
}

/**
 * The hand-off socket of pipe mode: `off` for none; by default `<name>.sock` beside a SQLite file
 * (`casegate.db` → `casegate.sock`), and none with PostgreSQL, whose nodes share no folder.
 */
export function ingestSocketOf(setting: string | undefined, db: string): string | null {
  if (setting !== undefined) return setting.trim().toLowerCase() === 'off' || setting.trim() === '' ? null : setting;
  if (isPostgres(db)) return null;
  const parsed = path.parse(db);
  return path.join(parsed.dir, `${parsed.name}.sock`);
}

export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const given = givenSettings(flags, env);
  const get = (name: SettingName): string | undefined => given.values.get(name)?.value;
  try {
    return configOf(flags, get);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    // A bad value read from the settings file names the file and line.
    throw new ConfigError(
      err.problems.map((problem) => {
        const source = given.values.get(/^(CASEGATE_[A-Z0-9_]+)/.exec(problem)?.[1] as SettingName)?.source;
        return source?.kind === 'file' ? `${source.file}:${source.line}: ${problem}` : problem;
      }),
    );
  }
}

function configOf(flags: ConfigFlags, get: (name: SettingName) => string | undefined): Config {
  // The text each number was read from, for the messages about it.
  const text: Partial<Record<keyof Config, string>> = {};
  const whole = (key: WholeNumber, raw: string | number): number => {
    text[key] = String(raw);
    return typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
  };
  const problems: string[] = [];

  const domain = (get('CASEGATE_DOMAIN') ?? 'cases.localhost').toLowerCase();
  const schedule = get('CASEGATE_RETRY_SCHEDULE');
  if (schedule !== undefined) text.retrySchedule = schedule;
  const mailboxSchedule = get('CASEGATE_MAILBOX_RETRY_SCHEDULE');
  if (mailboxSchedule !== undefined) text.mailboxRetrySchedule = mailboxSchedule;
  const leaseSeconds = readWhole(LEASE_SECONDS, flags.leaseSeconds ?? 300, undefined, problems);
  const httpText = get('CASEGATE_HTTP_PORT');
  const httpPort = httpText === undefined ? null : readWhole(HTTP_PORT, httpText, undefined, problems);
  const days = (name: SettingName): number | null => {
    const value = get(name);
    return value === undefined ? null : readWhole({ name, min: 0, max: 36500 }, value, undefined, problems);
  };
  const onOff = (name: SettingName, fallback: boolean): boolean => {
    const value = get(name);
    if (value === undefined) return fallback;
    const on = SWITCH[value.toLowerCase()];
    if (on === undefined) problems.push(`${name} "${value}" must be on or off`);
    return on ?? fallback;
  };

  return checked(
    {
      db: get('CASEGATE_DB') ?? DEFAULT_DB,
      blobDir: get('CASEGATE_BLOB_DIR') ?? null,
      domain,
      from: get('CASEGATE_FROM') ?? `support@${domain}`,
      smtpUrl: get('CASEGATE_SMTP_URL') ?? null,
      outboxDir: get('CASEGATE_OUTBOX_DIR') ?? defaultOutboxDir(get('CASEGATE_DB') ?? DEFAULT_DB),
      defaultOwner: get('CASEGATE_DEFAULT_OWNER') ?? null,
      host: get('CASEGATE_HOST') ?? '127.0.0.1',
      port: whole('port', get('CASEGATE_PORT') ?? '2525'),
      maxMessageBytes: whole('maxMessageBytes', get('CASEGATE_MAX_MESSAGE_BYTES') ?? String(35 * MIB)),
      maxRecipients: whole('maxRecipients', get('CASEGATE_MAX_RECIPIENTS') ?? '50'),
      maxConnections: whole('maxConnections', get('CASEGATE_MAX_CONNECTIONS') ?? '200'),
      maxConnectionsPerIp: whole('maxConnectionsPerIp', get('CASEGATE_MAX_CONNECTIONS_PER_IP') ?? '20'),
      sessionSeconds: whole('sessionSeconds', get('CASEGATE_SESSION_SECONDS') ?? '600'),
      minDataRate: whole('minDataRate', get('CASEGATE_MIN_DATA_RATE') ?? '1024'),
      maxUnknownRecipients: whole('maxUnknownRecipients', get('CASEGATE_MAX_UNKNOWN_RECIPIENTS') ?? '10'),
      minFreeBytes: whole('minFreeBytes', get('CASEGATE_MIN_FREE_BYTES') ?? String(1024 * MIB)),
      ingestTimeoutSeconds: whole('ingestTimeoutSeconds', get('CASEGATE_INGEST_TIMEOUT_SECONDS') ?? '300'),
      ingestSocket: ingestSocketOf(get('CASEGATE_INGEST_SOCKET'), get('CASEGATE_DB') ?? DEFAULT_DB),
      storeThread: onOff('CASEGATE_STORE_THREAD', false),
      authThread: onOff('CASEGATE_AUTH_THREAD', true),
      closedCaseReply: (get('CASEGATE_CLOSED_CASE_REPLY') ?? 'reopen').toLowerCase() as ClosedCaseReply,
      tlsKey: get('CASEGATE_TLS_KEY') ?? null,
      tlsCert: get('CASEGATE_TLS_CERT') ?? null,
      retrySchedule: schedule === undefined ? DEFAULT_RETRY_SCHEDULE : schedule.split(',').map((s) => Number(s.trim())),
      dispatchIntervalMs: whole('dispatchIntervalMs', get('CASEGATE_DISPATCH_INTERVAL_MS') ?? '1000'),
      dispatchBatchSize: 50,
      dispatchConcurrency: 10,
      leaseMs: leaseSeconds * 1000,
      httpPort,
      httpHost: get('CASEGATE_HTTP_HOST') ?? '127.0.0.1',
      publicUrl: publicUrlOf(get('CASEGATE_PUBLIC_URL'), get('CASEGATE_HTTP_HOST') ?? '127.0.0.1', httpPort, problems),
      syncContacts: onOff('CASEGATE_SYNC_CONTACTS', true),
      webCreateContacts: onOff('CASEGATE_WEB_CREATE_CONTACTS', false),
      webDailyLimit: whole('webDailyLimit', get('CASEGATE_WEB_DAILY_LIMIT') ?? '5000'),
      webRateLimit: whole('webRateLimit', get('CASEGATE_WEB_RATE_LIMIT') ?? '20'),
      apiRateLimit: whole('apiRateLimit', get('CASEGATE_API_RATE_LIMIT') ?? '600'),
      apiMaxBodyBytes: whole('apiMaxBodyBytes', get('CASEGATE_API_MAX_BODY_BYTES') ?? String(MIB)),
      notifyOwner: onOff('CASEGATE_NOTIFY_OWNER', true),
      senderAuth: (get('CASEGATE_SENDER_AUTH') ?? 'enforce').toLowerCase() as SenderAuthMode,
      dnsServers: get('CASEGATE_DNS_SERVERS')?.split(',').map((s) => s.trim()) ?? null,
      trustedAuthservId: get('CASEGATE_TRUSTED_AUTHSERV_ID') ?? null,
      dkimKey: get('CASEGATE_DKIM_KEY') ?? null,
      dkimSelector: get('CASEGATE_DKIM_SELECTOR')?.toLowerCase() ?? null,
      mailboxPollSeconds: whole('mailboxPollSeconds', get('CASEGATE_MAILBOX_POLL_SECONDS') ?? '60'),
      mailboxRetrySchedule: mailboxSchedule === undefined ? DEFAULT_MAILBOX_RETRY_SCHEDULE : mailboxSchedule.split(',').map((s) => Number(s.trim())),
      logFormat: (get('CASEGATE_LOG_FORMAT')?.toLowerCase() ?? (process.stderr.isTTY ? 'text' : 'json')) as LogFormat,
      pruneInboundDays: days('CASEGATE_PRUNE_INBOUND_DAYS'),
      pruneOutboxSentDays: days('CASEGATE_PRUNE_OUTBOX_SENT_DAYS'),
    },
    text,
    problems,
  );
}

/**
 * A config like `base` with some settings changed, checked as loadConfig checks its own (e.g. a
 * throwaway database and port for the demo, with every other setting kept).
 */
export function withSettings(base: Config, changes: Partial<Config>): Config {
  return checked({ ...base, ...changes }, {}, []);
}

/**
 * Checks every setting, one message per bad value (`text` is what a value was read from, when it
 * was read from text; `more` are problems found while reading), and freezes the config.
 */
function checked(c: Config, text: Partial<Record<keyof Config, string>>, more: string[]): Config {
  const problems: string[] = [];
  if (!isDomainName(c.domain)) {
    problems.push(`CASEGATE_DOMAIN "${c.domain}" is not a domain name; set it to e.g. cases.example.com`);
  }
  if (!isEmailAddress(c.from)) {
    problems.push(`CASEGATE_FROM "${c.from}" is not an email address; set it to e.g. support@example.com`);
  }
  if (c.smtpUrl !== null && !/^smtps?:\/\/[^\s/]+(:\d+)?\/?(\?.*)?$/.test(c.smtpUrl)) {
    problems.push(`CASEGATE_SMTP_URL "${c.smtpUrl}" is not an smtp:// or smtps:// URL; use e.g. smtp://127.0.0.1:25`);
  }
  if (c.defaultOwner !== null && !isEmailAddress(c.defaultOwner)) {
    problems.push(`CASEGATE_DEFAULT_OWNER "${c.defaultOwner}" is not an email address; set it to a user's email`);
  }
  if (!/^[A-Za-z0-9.:-]+$/.test(c.host)) {
    problems.push(`listen host "${c.host}" is not a host name or IP address; use e.g. 127.0.0.1`);
  }
  if (!/^[A-Za-z0-9.:-]+$/.test(c.httpHost)) {
    problems.push(`CASEGATE_HTTP_HOST "${c.httpHost}" is not a host name or IP address; use e.g. 127.0.0.1`);
  }
  for (const key of Object.keys(WHOLE_NUMBERS) as WholeNumber[]) readWhole(WHOLE_NUMBERS[key], c[key], text[key], problems);
  if (Number.isInteger(c.maxConnectionsPerIp) && Number.isInteger(c.maxConnections) && c.maxConnectionsPerIp > c.maxConnections) {
    problems.push(
      `CASEGATE_MAX_CONNECTIONS_PER_IP ${c.maxConnectionsPerIp} is more than CASEGATE_MAX_CONNECTIONS ${c.maxConnections}; ` +
        'one address could then take every slot: lower it',
    );
  }
  if (c.closedCaseReply !== 'reopen' && c.closedCaseReply !== 'refuse' && c.closedCaseReply !== 'child') {
    problems.push(`CASEGATE_CLOSED_CASE_REPLY "${String(c.closedCaseReply)}" must be one of reopen, refuse, child`);
  }
  if (!SENDER_AUTH_MODES.includes(c.senderAuth)) {
    problems.push(`CASEGATE_SENDER_AUTH "${String(c.senderAuth)}" must be one of enforce, record, off`);
  }
  if (!LOG_FORMATS.includes(c.logFormat)) {
    problems.push(`CASEGATE_LOG_FORMAT "${String(c.logFormat)}" must be text or json`);
  }
  const badServers = c.dnsServers?.filter((s) => !isDnsServer(s)) ?? [];
  if (c.dnsServers !== null && (c.dnsServers.length === 0 || badServers.length > 0)) {
    problems.push(
      `CASEGATE_DNS_SERVERS "${c.dnsServers.join(',')}" must be comma-separated IP addresses, each with an optional port ` +
        `(not one: ${badServers.map((s) => `"${s}"`).join(', ')}); use e.g. 127.0.0.1:53,192.0.2.53 or [2001:db8::53]:53`,
    );
  }
  if (c.trustedAuthservId !== null && !/^[A-Za-z0-9._-]+$/.test(c.trustedAuthservId)) {
    problems.push(`CASEGATE_TRUSTED_AUTHSERV_ID "${c.trustedAuthservId}" is not an authserv-id; give the relay's name as it writes it in Authentication-Results, e.g. mx.example.com`);
  }
  if ((c.dkimKey === null) !== (c.dkimSelector === null)) {
    problems.push(
      'DKIM signing needs both CASEGATE_DKIM_KEY (the PEM file of the private key) and CASEGATE_DKIM_SELECTOR; ' +
        'set both (e.g. from "casegate dkim keygen --out FILE") or neither',
    );
  }
  if (c.dkimSelector !== null && !isDkimSelector(c.dkimSelector)) {
    problems.push(`CASEGATE_DKIM_SELECTOR "${c.dkimSelector}" is not a selector; use letters, digits and hyphens, e.g. casegate or cg2025`);
  }
  if ((c.tlsKey === null) !== (c.tlsCert === null)) {
    problems.push('STARTTLS needs both CASEGATE_TLS_KEY and CASEGATE_TLS_CERT (PEM file paths); set both or neither');
  }
  for (const [name, file] of [
    ['CASEGATE_TLS_KEY', c.tlsKey],
    ['CASEGATE_TLS_CERT', c.tlsCert],
  ] as const) {
    if (file === null) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      problems.push(`${name} "${file}" cannot be read (${(err as NodeJS.ErrnoException).code}); give the path of a PEM file`);
    }
  }
  if (c.retrySchedule.length === 0 || c.retrySchedule.some((n) => !Number.isFinite(n) || n < 0)) {
    problems.push(`CASEGATE_RETRY_SCHEDULE "${text.retrySchedule ?? c.retrySchedule.join(',')}" must be comma-separated seconds, e.g. 60,300,900`);
  }
  if (c.mailboxRetrySchedule.length === 0 || c.mailboxRetrySchedule.some((n) => !Number.isFinite(n) || n < 0)) {
    problems.push(`CASEGATE_MAILBOX_RETRY_SCHEDULE "${text.mailboxRetrySchedule ?? c.mailboxRetrySchedule.join(',')}" must be comma-separated seconds, e.g. 5,30,120`);
  }
  problems.push(...more);

  if (problems.length > 0) throw new ConfigError(problems);
  const frozen = (list: readonly number[]): readonly number[] => (Object.isFrozen(list) ? list : Object.freeze([...list]));
  return Object.freeze({ ...c, retrySchedule: frozen(c.retrySchedule), mailboxRetrySchedule: frozen(c.mailboxRetrySchedule) });
}

/** `ip`, `ip:port` (IPv4) or `[ipv6]:port`, port 1 to 65535: what dns.Resolver.setServers takes. */
function isDnsServer(s: string): boolean {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(s) ?? /^([\d.]+):(\d+)$/.exec(s);
  const host = m ? m[1] : s;
  const port = m ? Number(m[2]) : 53;
  return isIP(host as string) !== 0 && Number.isInteger(port) && port >= 1 && port <= 65535;
}

/** A whole number within bounds (from text or a number); else a problem, and the lower bound. */
function readWhole(rule: { name: string; min: number; max: number }, raw: string | number, text: string | undefined, problems: string[]): number {
  const value = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < rule.min || value > rule.max) {
    problems.push(`${rule.name} "${text ?? raw}" must be a whole number from ${rule.min} to ${rule.max}`);
    return rule.min;
  }
  return value;
}

/** CASEGATE_PUBLIC_URL without its trailing slash, else the HTTP server's own address, else null. */
function publicUrlOf(given: string | undefined, host: string, port: number | null, problems: string[]): string | null {
  if (given !== undefined) {
    const url = given.trim().replace(/\/+$/, '');
    if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(url)) {
      problems.push(`CASEGATE_PUBLIC_URL "${given}" is not an http:// or https:// URL; set it to the address people open, e.g. https://support.example.com`);
    }
    return url;
  }
  if (port === null) return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
