// `casegate config`: every setting, the value in force and where it came from (a flag, the
// environment, the settings file FILE:LINE, the default), secrets masked. Opens no database.
import path from 'node:path';
import { Command } from 'commander';
import { givenSettings, loadConfig, SETTINGS_FILE_NAME, type Config, type GivenSettings } from '../../config.js';
import { isPostgresUrl } from '../../db/client.js';
import { maskSecret, SETTING_NAMES, type SettingName } from '../../domain/settingsFile.js';
import { printJson } from '../output.js';
import { configFlags, reportError } from '../run.js';

export interface SettingLine {
  name: SettingName;
  /** The value in force, as text; null: none. */
  value: string | null;
  source: 'flag' | 'environment' | 'file' | 'default';
  /** The flag (`--db`) or FILE:LINE it came from; for a default, what it depends on when that matters. */
  from: string | null;
}

export interface ConfigReport {
  settingsFile: GivenSettings['file'];
  settings: SettingLine[];
}

export function configCommand(): Command {
  return new Command('config')
    .description('print every setting, its value and where it came from (flag, environment, settings file, default); secrets masked')
    .addHelpText(
      'after',
      `
The settings file is --config FILE, else CASEGATE_CONFIG, else ${SETTINGS_FILE_NAME} in the folder of the
SQLite database (--db, CASEGATE_DB or the default data/casegate.db); with PostgreSQL only the first two.
It holds KEY = value lines with the names below, # comments and blank lines. The environment overrides
the file, flags override both. Passwords in CASEGATE_DB and CASEGATE_SMTP_URL are shown as ***.
No database is opened: this works before "casegate init".`,
    )
    .action((_opts: unknown, command: Command) => {
      const globals = command.optsWithGlobals() as Parameters<typeof configFlags>[0] & { json?: boolean };
      try {
        const flags = configFlags(globals);
        const report = describeConfig(givenSettings(flags), loadConfig(flags));
        if (globals.json) printJson(report);
        else printConfig(report);
      } catch (err) {
        reportError(err);
      }
    });
}

/** Each setting's value in force, as `casegate config` prints it; null: none. */
const VALUE_OF: Readonly<Record<SettingName, (c: Config) => string | number | null>> = Object.freeze({
  CASEGATE_DB: (c) => c.db,
  CASEGATE_BLOB_DIR: (c) => c.blobDir ?? (isPostgresUrl(c.db) ? null : path.join(path.dirname(c.db), 'blobs')),
  CASEGATE_DOMAIN: (c) => c.domain,
  CASEGATE_FROM: (c) => c.from,
  CASEGATE_SMTP_URL: (c) => c.smtpUrl,
  CASEGATE_OUTBOX_DIR: (c) => c.outboxDir,
  CASEGATE_DEFAULT_OWNER: (c) => c.defaultOwner,
  CASEGATE_HOST: (c) => c.host,
  CASEGATE_PORT: (c) => c.port,
  CASEGATE_MAX_MESSAGE_BYTES: (c) => c.maxMessageBytes,
  CASEGATE_CLOSED_CASE_REPLY: (c) => c.closedCaseReply,
  CASEGATE_MAX_RECIPIENTS: (c) => c.maxRecipients,
  CASEGATE_MAX_CONNECTIONS: (c) => c.maxConnections,
  CASEGATE_MAX_CONNECTIONS_PER_IP: (c) => c.maxConnectionsPerIp,
  CASEGATE_SESSION_SECONDS: (c) => c.sessionSeconds,
  CASEGATE_MIN_DATA_RATE: (c) => c.minDataRate,
  CASEGATE_MAX_UNKNOWN_RECIPIENTS: (c) => c.maxUnknownRecipients,
  CASEGATE_MIN_FREE_BYTES: (c) => c.minFreeBytes,
  CASEGATE_INGEST_TIMEOUT_SECONDS: (c) => c.ingestTimeoutSeconds,
  CASEGATE_INGEST_SOCKET: (c) => c.ingestSocket,
  CASEGATE_STORE_THREAD: (c) => onOff(c.storeThread),
  CASEGATE_AUTH_THREAD: (c) => onOff(c.authThread),
  CASEGATE_TLS_KEY: (c) => c.tlsKey,
  CASEGATE_TLS_CERT: (c) => c.tlsCert,
  CASEGATE_RETRY_SCHEDULE: (c) => c.retrySchedule.join(','),
  CASEGATE_DISPATCH_INTERVAL_MS: (c) => c.dispatchIntervalMs,
  CASEGATE_HTTP_PORT: (c) => c.httpPort,
  CASEGATE_HTTP_HOST: (c) => c.httpHost,
  CASEGATE_PUBLIC_URL: (c) => c.publicUrl,
  CASEGATE_SYNC_CONTACTS: (c) => onOff(c.syncContacts),
  CASEGATE_WEB_CREATE_CONTACTS: (c) => onOff(c.webCreateContacts),
  CASEGATE_WEB_DAILY_LIMIT: (c) => c.webDailyLimit,
  CASEGATE_WEB_RATE_LIMIT: (c) => c.webRateLimit,
  CASEGATE_API_RATE_LIMIT: (c) => c.apiRateLimit,
  CASEGATE_API_MAX_BODY_BYTES: (c) => c.apiMaxBodyBytes,
  CASEGATE_NOTIFY_OWNER: (c) => onOff(c.notifyOwner),
  CASEGATE_SENDER_AUTH: (c) => c.senderAuth,
  CASEGATE_DNS_SERVERS: (c) => c.dnsServers?.join(',') ?? null,
  CASEGATE_TRUSTED_AUTHSERV_ID: (c) => c.trustedAuthservId,
  CASEGATE_DKIM_KEY: (c) => c.dkimKey,
  CASEGATE_DKIM_SELECTOR: (c) => c.dkimSelector,
  CASEGATE_MAILBOX_POLL_SECONDS: (c) => c.mailboxPollSeconds,
  CASEGATE_MAILBOX_RETRY_SCHEDULE: (c) => c.mailboxRetrySchedule.join(','),
  CASEGATE_LOG_FORMAT: (c) => c.logFormat,
  CASEGATE_PRUNE_INBOUND_DAYS: (c) => c.pruneInboundDays,
  CASEGATE_PRUNE_OUTBOX_SENT_DAYS: (c) => c.pruneOutboxSentDays,
});

const onOff = (on: boolean): string => (on ? 'on' : 'off');

/** What each default depends on, where a reader would otherwise be surprised. */
function defaultNote(name: SettingName, c: Config): string | null {
  const postgres = isPostgresUrl(c.db);
  if (name === 'CASEGATE_OUTBOX_DIR') {
    return postgres ? 'PostgreSQL has no database folder: relative to the working directory; set CASEGATE_OUTBOX_DIR' : 'beside the database';
  }
  if (name === 'CASEGATE_BLOB_DIR') return postgres ? 'attachment contents in the database' : 'beside the database';
  if (name === 'CASEGATE_SMTP_URL') return 'no relay: .eml files in CASEGATE_OUTBOX_DIR';
  if (name === 'CASEGATE_INGEST_SOCKET') return postgres ? 'PostgreSQL has no database folder: casegate ingest works in-process' : 'beside the database';
  return null;
}

export function describeConfig(given: GivenSettings, config: Config): ConfigReport {
  const settings = SETTING_NAMES.map((name): SettingLine => {
    const raw = VALUE_OF[name](config);
    const value = raw === null ? null : maskSecret(name, String(raw));
    const source = given.values.get(name)?.source;
    if (source === undefined) return { name, value, source: 'default', from: defaultNote(name, config) };
    if (source.kind === 'flag') return { name, value, source: 'flag', from: source.flag };
    if (source.kind === 'file') return { name, value, source: 'file', from: `${source.file}:${source.line}` };
    return { name, value, source: 'environment', from: null };
  });
  return { settingsFile: given.file, settings };
}

function printConfig(report: ConfigReport): void {
  const file = report.settingsFile;
  console.log(file === null ? 'settings file: none' : `settings file: ${file.path} (${file.how})`);
  const nameWidth = Math.max(...report.settings.map((s) => s.name.length));
  const valueWidth = Math.min(40, Math.max(...report.settings.map((s) => (s.value ?? '(none)').length)));
  for (const s of report.settings) {
    const where = s.from === null ? s.source : `${s.source}: ${s.from}`;
    console.log(`${s.name.padEnd(nameWidth)}  ${(s.value ?? '(none)').padEnd(valueWidth)}  ${where}`);
  }
}
