// Settings come from flags, then environment variables, then defaults; read once here, checked
// with one readable message per bad value, and passed down frozen. The only file that reads
// process.env.
import fs from 'node:fs';
import path from 'node:path';
import { isDomainName, isEmailAddress } from './domain/address.js';

export type ClosedCaseReply = 'reopen' | 'refuse' | 'child';

export interface Config {
  readonly db: string;
  readonly domain: string;
  readonly from: string;
  readonly smtpUrl: string | null;
  readonly outboxDir: string;
  readonly defaultOwner: string | null;
  readonly host: string;
  readonly port: number;
  readonly maxMessageBytes: number;
  readonly maxRecipients: number;
  readonly maxConnections: number;
  readonly closedCaseReply: ClosedCaseReply;
  readonly tlsKey: string | null;
  readonly tlsCert: string | null;
  /** Delays in seconds before each retry of a temporary delivery failure. */
  readonly retrySchedule: readonly number[];
  /** How often the dispatcher looks for due rows, in milliseconds. */
  readonly dispatchIntervalMs: number;
}

/** Flags that override the environment; undefined means "not given". */
export interface ConfigFlags {
  db?: string;
  host?: string;
  port?: string | number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

export const DEFAULT_RETRY_SCHEDULE = Object.freeze([60, 300, 900, 3600, 4 * 3600, 12 * 3600, 24 * 3600]);
const MIB = 1024 * 1024;

type Env = Record<string, string | undefined>;

export function loadConfig(flags: ConfigFlags = {}, env: Env = process.env): Config {
  const problems: string[] = [];
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };

  const db = flags.db ?? get('CASEGATE_DB') ?? path.join('data', 'casegate.db');

  const domain = (get('CASEGATE_DOMAIN') ?? 'cases.localhost').toLowerCase();
  if (!isDomainName(domain)) {
    problems.push(`CASEGATE_DOMAIN "${domain}" is not a domain name; set it to e.g. cases.example.com`);
  }

  const from = get('CASEGATE_FROM') ?? `support@${domain}`;
  if (!isEmailAddress(from)) {
    problems.push(`CASEGATE_FROM "${from}" is not an email address; set it to e.g. support@example.com`);
  }

  const smtpUrl = get('CASEGATE_SMTP_URL') ?? null;
  if (smtpUrl !== null && !/^smtps?:\/\/[^\s/]+(:\d+)?\/?(\?.*)?$/.test(smtpUrl)) {
    problems.push(`CASEGATE_SMTP_URL "${smtpUrl}" is not an smtp:// or smtps:// URL; use e.g. smtp://127.0.0.1:25`);
  }

  const outboxDir = get('CASEGATE_OUTBOX_DIR') ?? path.join('data', 'outbox');

  const defaultOwner = get('CASEGATE_DEFAULT_OWNER') ?? null;
  if (defaultOwner !== null && !isEmailAddress(defaultOwner)) {
    problems.push(`CASEGATE_DEFAULT_OWNER "${defaultOwner}" is not an email address; set it to a user's email`);
  }

  const host = flags.host ?? get('CASEGATE_HOST') ?? '127.0.0.1';
  if (!/^[A-Za-z0-9.:-]+$/.test(host)) {
    problems.push(`listen host "${host}" is not a host name or IP address; use e.g. 127.0.0.1`);
  }

  const port = readInt('port (--port or CASEGATE_PORT)', flags.port ?? get('CASEGATE_PORT') ?? '2525', 0, 65535);
  const maxMessageBytes = readInt(
    'CASEGATE_MAX_MESSAGE_BYTES',
    get('CASEGATE_MAX_MESSAGE_BYTES') ?? String(35 * MIB),
    1024,
    1024 * MIB,
  );
  const maxRecipients = readInt('CASEGATE_MAX_RECIPIENTS', get('CASEGATE_MAX_RECIPIENTS') ?? '50', 1, 1000);
  const maxConnections = readInt('CASEGATE_MAX_CONNECTIONS', get('CASEGATE_MAX_CONNECTIONS') ?? '200', 1, 10000);
  const dispatchIntervalMs = readInt('CASEGATE_DISPATCH_INTERVAL_MS', get('CASEGATE_DISPATCH_INTERVAL_MS') ?? '1000', 10, 3600_000);

  const closed = (get('CASEGATE_CLOSED_CASE_REPLY') ?? 'reopen').toLowerCase();
  if (closed !== 'reopen' && closed !== 'refuse' && closed !== 'child') {
    problems.push(`CASEGATE_CLOSED_CASE_REPLY "${closed}" must be one of reopen, refuse, child`);
  }

  const tlsKey = get('CASEGATE_TLS_KEY') ?? null;
  const tlsCert = get('CASEGATE_TLS_CERT') ?? null;
  if ((tlsKey === null) !== (tlsCert === null)) {
    problems.push('STARTTLS needs both CASEGATE_TLS_KEY and CASEGATE_TLS_CERT (PEM file paths); set both or neither');
  }
  for (const [name, file] of [
    ['CASEGATE_TLS_KEY', tlsKey],
    ['CASEGATE_TLS_CERT', tlsCert],
  ] as const) {
    if (file === null) continue;
    try {
      fs.accessSync(file, fs.constants.R_OK);
    } catch (err) {
      problems.push(`${name} "${file}" cannot be read (${(err as NodeJS.ErrnoException).code}); give the path of a PEM file`);
    }
  }

  let retrySchedule: readonly number[] = DEFAULT_RETRY_SCHEDULE;
  const schedule = get('CASEGATE_RETRY_SCHEDULE');
  if (schedule !== undefined) {
    const parts = schedule.split(',').map((s) => Number(s.trim()));
    if (parts.length === 0 || parts.some((n) => !Number.isFinite(n) || n < 0)) {
      problems.push(`CASEGATE_RETRY_SCHEDULE "${schedule}" must be comma-separated seconds, e.g. 60,300,900`);
    } else {
      retrySchedule = Object.freeze(parts);
    }
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    db,
    domain,
    from,
    smtpUrl,
    outboxDir,
    defaultOwner,
    host,
    port,
    maxMessageBytes,
    maxRecipients,
    maxConnections,
    closedCaseReply: closed as ClosedCaseReply,
    tlsKey,
    tlsCert,
    retrySchedule,
    dispatchIntervalMs,
  });

  function readInt(name: string, raw: string | number, min: number, max: number): number {
    const value = typeof raw === 'number' ? raw : /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} "${raw}" must be a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  }
}
