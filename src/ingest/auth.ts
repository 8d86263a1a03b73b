// Sender authentication (SPEC §4 Sender trust): SPF of the envelope sender, DKIM, DMARC of the
// `From` domain and ARC, with mailauth, through the resolvers of CASEGATE_DNS_SERVERS, each lookup
// bounded. It reads the same stream as the parser (a second pipe destination, so the message is
// not held twice) and finishes before the message's write transaction. Behind a relay named by
// CASEGATE_TRUSTED_AUTHSERV_ID, that relay's Authentication-Results header is the result instead.
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import type { DNSResolver } from 'mailauth';
import type { Config } from '../config.js';
import { AUTH_WORDS, type AuthWord, type SenderAuth } from '../domain/senderAuth.js';
import type { Client, Envelope } from './envelope.js';


/** Longest wait for one DNS answer. */
export const LOOKUP_TIMEOUT_MS = 2000;
/**
 * Longest wait for the whole check once the message is read (SPF's ten lookups, a DKIM key per
 * signature, DMARC, ARC): past it the result is "no result" (temperror), never a pass.
 */
export const AUTH_DEADLINE_MS = 15_000;
/**
 * How long an answer (records, or "no such name / no such data") is kept: mail comes from the same
 * domains again and again. Far below the TTL of nearly every SPF and DMARC record; errors and
 * timeouts are never kept.
 */
export const DNS_CACHE_MS = 60_000;
const DNS_CACHE_ENTRIES = 10_000;
/** Header bytes searched for the trusted relay's Authentication-Results. */
const HEAD_MAX = 64 * 1024;


/** The settings sender authentication reads (a worker thread gets only these). */
export type AuthSettings = Pick<Config, 'senderAuth' | 'dnsServers' | 'trustedAuthservId' | 'domain'>;

export interface AuthRun {
  /** The result, once the message has been read to its end; null when nothing could be decided. */
  result(): Promise<SenderAuth>;
  /** The message will not be taken: stop reading it. */
  abort(): void;
}


/**
 * Starts checking the message that `source` brings (call before the parser starts reading it, in the
 * same turn). Null when CASEGATE_SENDER_AUTH is off: nothing is looked up.
 */
export function startSenderAuth(config: AuthSettings, envelope: Pick<Envelope, 'mailFrom' | 'client'>, source: Readable): AuthRun | null {
  if (config.senderAuth === 'off') return null;
  const tap = new HeadTap();
  source.pipe(tap);
  source.once('error', (err) => tap.destroy(err));
  const trusted = config.trustedAuthservId;
  // The relay's header is read when the first lookup would be made: mailauth looks up only once the
  // whole message is in, so the header section is complete by then.
  const relay = (): SenderAuth | null => (trusted === null ? null : fromTrustedHeader(tap.headerSection, trusted));
  const base = resolverFor(config);
  const resolver: DNSResolver = (name, rrtype) =>
    relay() === null ? base(name, rrtype) : Promise.reject(Object.assign(new Error('trusted relay: no lookup'), { code: 'ECANCELLED' }));
  const running = check(tap, envelope.mailFrom, envelope.client ?? { ip: null, helo: null }, resolver, config.domain).then(
    (r) => relay() ?? r,
    () => {
      // mailauth gave up on the message: the rest of it must still flow to the parser, whose pipe
      // would otherwise wait for this one to drain.
      source.unpipe(tap);
      tap.resume();
      return relay() ?? noResult();
    },
  );
  return {
    result: () => withDeadline(running, AUTH_DEADLINE_MS),
    abort() {
      source.unpipe(tap);
      tap.destroy();
    },
  };
}

// Loaded on first use, and only the four parts used: the whole package (BIMI, MTA-STS and their
// dependencies) takes some 37 MiB, these some 24 MiB. With CASEGATE_SENDER_AUTH=off, nothing. Kept
// once loaded: an import() of a loaded module still goes through the loader, four of them were
// ~1 % of the auth thread's time per message.
const loadMailauth = () =>
  Promise.all([
    import('mailauth/lib/dkim/verify.js'),
    import('mailauth/lib/spf/index.js'),
    import('mailauth/lib/arc/index.js'),
    import('mailauth/lib/dmarc/index.js'),
  ]);
let mailauth: ReturnType<typeof loadMailauth> | null = null;

/** DKIM, SPF (only with a client IP: without one it has no meaning, and `none` is the answer), ARC, then DMARC of the `From` domain. */
async function check(input: Readable, mailFrom: string | null, client: Client, resolver: DNSResolver, mta: string): Promise<SenderAuth> {
  if (mailauth === null) {
    const loading = loadMailauth();
    // A failed load is tried again by the next message.
    loading.catch(() => {
      if (mailauth === loading) mailauth = null;
    });
    mailauth = loading;
  }
  const [{ dkimVerify }, { spf }, { arc }, { dmarc }] = await mailauth;
  const dkimResult = await dkimVerify(input, { resolver, sender: mailFrom ?? undefined });
  const ip = client.ip !== null && isIP(client.ip) !== 0 ? client.ip : null;
  let helo = client.helo ?? ip ?? undefined;
  if (helo !== undefined && isIP(helo) !== 0) helo = `[${helo}]`;
  const spfResult = ip === null ? null : await spf({ sender: mailFrom || undefined, ip, helo, mta, resolver });
  const arcResult = await arc((dkimResult as unknown as { arc: Parameters<typeof arc>[0] }).arc, { resolver });
  const results = dkimResult.results ?? [];
  const dmarcResult = dkimResult.headerFrom
    ? await dmarc({
        headerFrom: dkimResult.headerFrom,
        spfDomains: spfResult?.status.result === 'pass' && spfResult.domain ? [spfResult.domain] : [],
        dkimDomains: results
          .filter((r) => r.status.result === 'pass')
          .map((r) => ({ id: r.id, domain: r.signingDomain, aligned: r.status.aligned, underSized: r.status.underSized })),
        arcResult,
        resolver,
      } as Parameters<typeof dmarc>[0])
    : false;
  const policy = dmarcResult === false ? undefined : (dmarcResult as { policy?: unknown }).policy;
  return {
    dmarc: dmarcResult === false ? 'none' : word(dmarcResult.status.result),
    spf: spfResult === null ? 'none' : word(spfResult.status.result),
    dkim: results.some((r) => r.status.result === 'pass') ? 'pass' : results.length === 0 ? 'none' : word(results[0]?.status.result),
    arc: word(arcResult?.status?.result),
    ...(typeof policy === 'string' && policy !== '' ? { policy: policy.toLowerCase() } : {}),
    source: 'lookup',
  };
}

/** An unknown or missing word is no result. */
function word(w: unknown): AuthWord {
  const s = typeof w === 'string' ? w.toLowerCase() : '';
  if (s === 'hardfail') return 'fail';
  return AUTH_WORDS.includes(s as AuthWord) ? (s as AuthWord) : 'none';
}

export const noResult = (): SenderAuth => ({ dmarc: 'temperror', spf: 'temperror', dkim: 'temperror', source: 'lookup' });

/** `p`, or what `late` gives (no result by default) when `p` has not settled within `ms`. */
export function withDeadline(p: Promise<SenderAuth>, ms: number, late: () => SenderAuth = noResult): Promise<SenderAuth> {
  let timer: NodeJS.Timeout | undefined;
  const tooLate = new Promise<SenderAuth>((resolve) => {
    timer = setTimeout(() => resolve(late()), ms);
  });
  return Promise.race([p, tooLate]).finally(() => clearTimeout(timer));
}

const resolvers = new WeakMap<object, DNSResolver>();

type Answer = string[][] | string[];

/**
 * A resolver for mailauth over CASEGATE_DNS_SERVERS (else the system's), one per config, each
 * lookup bounded to LOOKUP_TIMEOUT_MS. Errors stay errors (mailauth makes them temperror, or none
 * for NXDOMAIN and no data): never a pass. Answers are kept DNS_CACHE_MS, and a question already
 * on its way is not asked twice.
 */
export function resolverFor(config: Pick<Config, 'dnsServers'>, timeoutMs = LOOKUP_TIMEOUT_MS): DNSResolver {
  const known = resolvers.get(config);
  if (known !== undefined) return known;
  const r = new dns.Resolver({ timeout: timeoutMs, tries: 1 });
  if (config.dnsServers !== null) r.setServers([...config.dnsServers]);
  const cache = new Map<string, { until: number; answer: Promise<Answer> }>();
  const ask = (name: string, rrtype: string): Promise<Answer> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`DNS lookup of ${name} ${rrtype} took longer than ${timeoutMs} ms`), { code: 'ETIMEOUT' })), timeoutMs);
    });
    return Promise.race([r.resolve(name, rrtype) as Promise<Answer>, late]).finally(() => clearTimeout(timer));
  };
  const made: DNSResolver = (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const now = Date.now();
    const hit = cache.get(key);
    if (hit !== undefined && hit.until > now) return hit.answer;
    const answer = ask(name, rrtype);
    if (cache.size >= DNS_CACHE_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(key, { until: now + DNS_CACHE_MS, answer });
    answer.catch((err: unknown) => {
      const code = (err as { code?: unknown })?.code;
      if (code !== 'ENOTFOUND' && code !== 'ENODATA' && cache.get(key)?.answer === answer) cache.delete(key);
    });
    return answer;
  };
  resolvers.set(config, made);
  return made;
}

/**
 * The result the trusted relay wrote: the topmost `Authentication-Results` header whose authserv-id
 * is `authservId` (compared without case, as domain names are); any other one is ignored. Null when
 * the relay wrote none.
 */
export function fromTrustedHeader(headerSection: string, authservId: string): SenderAuth | null {
  const wanted = authservId.toLowerCase();
  for (const value of headerValues(headerSection, 'authentication-results')) {
    const [head = '', ...resinfo] = splitOutside(value, ';');
    const id = withoutComments(head).trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    if (id !== wanted) continue;
    const found: Partial<Record<'dmarc' | 'spf' | 'dkim' | 'arc', AuthWord>> = {};
    let policy: string | undefined;
    for (const info of resinfo) {
      const m = /^\s*([a-z0-9-]+)\s*=\s*([a-z]+)/i.exec(withoutComments(info));
      const method = m?.[1]?.toLowerCase();
      if (!m || (method !== 'dmarc' && method !== 'spf' && method !== 'dkim' && method !== 'arc')) continue;
      const w = word(m[2]);
      // DKIM: one passing signature is a pass; otherwise the first result counts, as for the others.
      if (found[method] === undefined || (method === 'dkim' && w === 'pass')) found[method] = w;
      if (method === 'dmarc' && policy === undefined) {
        policy = /\bp=([a-z]+)/i.exec(info)?.[1]?.toLowerCase() ?? /\bpolicy\.dmarc=([a-z]+)/i.exec(info)?.[1]?.toLowerCase();
      }
    }
    return {
      dmarc: found.dmarc ?? 'none',
      spf: found.spf ?? 'none',
      dkim: found.dkim ?? 'none',
      ...(found.arc === undefined ? {} : { arc: found.arc }),
      ...(policy === undefined ? {} : { policy }),
      source: 'trusted-relay',
    };
  }
  return null;
}

/** Unfolded values of every header `name` in a header section, top first. */
function headerValues(section: string, name: string): string[] {
  const out: string[] = [];
  for (const line of section.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) out.push(line.slice(colon + 1).replace(/\r?\n[ \t]+/g, ' '));
  }
  return out;
}

/** `text` split at `sep` outside comments `(…)` and quoted strings. */
function splitOutside(text: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') i++;
    else if (quoted) quoted = c !== '"';
    else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === sep && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function withoutComments(text: string): string {
  let out = '';
  let depth = 0;
  for (const c of text) {
    if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += c;
  }
  return out;
}

/** Passes the message on to mailauth and keeps its header section (capped) for the trusted relay's header. */
class HeadTap extends Transform {
  private head: Buffer[] = [];
  private length = 0;
  private done = false;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    if (!this.done) {
      const part = chunk.subarray(0, HEAD_MAX - this.length);
      this.head.push(part);
      this.length += part.length;
      const text = Buffer.concat(this.head).toString('latin1');
      if (this.length >= HEAD_MAX || /\r?\n\r?\n/.test(text) || /^\r?\n/.test(text)) this.done = true;
    }
    callback(null, chunk);
  }

  get headerSection(): string {
    const text = Buffer.concat(this.head).toString('utf8');
    const end = /\r?\n\r?\n/.exec(text);
    return end === null ? text : text.slice(0, end.index);
  }
}
