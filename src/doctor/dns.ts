// The DNS checks of `casegate doctor`, through the resolvers of CASEGATE_DNS_SERVERS (each lookup
// bounded): the MX of the case domain, SPF of the envelope sender's domain for the sending address,
// the published DKIM key against CASEGATE_DKIM_KEY, and DMARC of the From domain with its alignment.
// Each returns one line: what was found, or the problem and what to publish.
import type { DNSResolver } from 'mailauth';
import type { Config } from '../config.js';
import { ConfigError } from '../errors.js';
import { domainOfAddress, judgeDkimRecords, zoneTxtLine } from '../domain/dnsRecords.js';
import { loadDkimKey } from '../outbound/dkim.js';

export interface CheckResult {
  /** mx, spf, dkim, dmarc, relay, database, disk. */
  readonly check: string;
  readonly ok: boolean;
  /** What was found, or the problem and what to do. */
  readonly detail: string;
}

const pass = (check: string, detail: string): CheckResult => ({ check, ok: true, detail });
const problem = (check: string, detail: string): CheckResult => ({ check, ok: false, detail });

/** A name that does not exist, or has no record of the type asked: not an error, an empty answer. */
async function lookup<T>(resolver: DNSResolver, name: string, type: string): Promise<T[]> {
  try {
    return ((await resolver(name, type)) ?? []) as T[];
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw Object.assign(new Error(`the lookup of ${name} ${type} failed (${code ?? (err as Error).message}); check CASEGATE_DNS_SERVERS and try again`), { lookup: true });
  }
}

/** A check whose lookup failed says so on its line instead of stopping the others. */
async function guarded(check: string, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch (err) {
    return problem(check, (err as Error).message);
  }
}

export function checkMx(config: Config, resolver: DNSResolver): Promise<CheckResult> {
  return guarded('mx', async () => {
    const domain = config.domain;
    const mx = await lookup<{ exchange: string; priority: number }>(resolver, domain, 'MX');
    const publish = `publish "${domain}. IN MX 10 <the host that runs casegate serve, or the relay in front of it>."`;
    if (mx.length === 0) return problem('mx', `no MX record for ${domain} (CASEGATE_DOMAIN), so replies to case addresses go nowhere: ${publish}`);
    const hosts = mx.sort((a, b) => a.priority - b.priority).map((r) => `${r.priority} ${r.exchange || '.'}`);
    if (mx.every((r) => r.exchange === '' || r.exchange === '.')) {
      return problem('mx', `${domain} publishes a null MX (it takes no mail), so replies to case addresses are refused: replace it; ${publish}`);
    }
    return pass('mx', `${domain} MX ${hosts.join(', ')}`);
  });
}

/** SPF of the envelope sender's domain (notifications leave with bounce+TOKEN@CASEGATE_DOMAIN) for each sending address. */
export function checkSpf(config: Config, resolver: DNSResolver, sending: { ips: readonly string[]; why: string }): Promise<CheckResult> {
  return guarded('spf', async () => {
    const domain = config.domain;
    if (sending.ips.length === 0) return problem('spf', `cannot tell which address sends ${sending.why}; give it with --sending-ip IP`);
    const { spf } = await import('mailauth/lib/spf/index.js');
    const failing: string[] = [];
    for (const ip of sending.ips) {
      const r = await spf({ sender: `postmaster@${domain}`, ip, helo: domain, mta: domain, resolver });
      const result = r.status.result;
      if (result === 'pass') continue;
      const record = (await lookup<string[]>(resolver, domain, 'TXT')).map((s) => s.join('')).find((s) => /^v=spf1(\s|$)/i.test(s));
      const mech = ip.includes(':') ? `ip6:${ip}` : `ip4:${ip}`;
      if (record === undefined) {
        return problem('spf', `no SPF record at ${domain}, the domain of the envelope sender of notifications: publish TXT "v=spf1 ${mech} -all" (${sending.why})`);
      }
      if (result === 'temperror') throw new Error(`the SPF lookups of ${domain} failed (${r.status.comment ?? 'temperror'}); check CASEGATE_DNS_SERVERS and try again`);
      failing.push(`${ip}: ${result}${result === 'permerror' ? ` (${r.status.comment ?? 'the record is broken'})` : ''}`);
      if (failing.length === 1) failing.push(`record "${record}"`);
    }
    if (failing.length > 0) {
      return problem('spf', `SPF of ${domain} does not pass for the sending address ${failing.join('; ')}: add ${sending.ips.map((ip) => (ip.includes(':') ? `ip6:${ip}` : `ip4:${ip}`)).join(' ')} before its "all" (${sending.why})`);
    }
    return pass('spf', `SPF of ${domain} (envelope sender of notifications) passes for ${sending.ips.join(', ')} (${sending.why})`);
  });
}

/** The published record of our selector holds the public half of CASEGATE_DKIM_KEY. */
export function checkDkim(config: Config, resolver: DNSResolver): Promise<CheckResult> {
  return guarded('dkim', async () => {
    if (config.dkimKey === null) {
      return problem(
        'dkim',
        'notifications are not DKIM-signed, and receivers that require it (Gmail, Yahoo) file them as spam or refuse them: ' +
          'run "casegate dkim keygen --out FILE", publish the record it prints, then set CASEGATE_DKIM_KEY and CASEGATE_DKIM_SELECTOR',
      );
    }
    let key;
    try {
      key = loadDkimKey(config);
    } catch (err) {
      if (err instanceof ConfigError) return problem('dkim', err.problems.join('; '));
      throw err;
    }
    if (key === null) return problem('dkim', 'DKIM signing is not configured');
    const records = (await lookup<string[]>(resolver, key.recordName, 'TXT')).map((s) => s.join(''));
    const publish = `publish ${zoneTxtLine(key.recordName, key.recordValue)}`;
    const verdict = judgeDkimRecords(records, key.publicKey);
    switch (verdict.kind) {
      case 'match':
        return pass('dkim', `${key.recordName} publishes the public half of CASEGATE_DKIM_KEY (RSA ${key.bits} bits)`);
      case 'missing':
        return problem('dkim', `no DKIM record at ${key.recordName}, so receivers cannot verify the signature: ${publish}`);
      case 'several':
        return problem('dkim', `${key.recordName} publishes ${records.length} DKIM records; receivers take none of them: keep only one, ${publish}`);
      case 'revoked':
        return problem('dkim', `the DKIM record at ${key.recordName} is revoked (empty p=): ${publish}`);
      case 'not-rsa':
        return problem('dkim', `the DKIM record at ${key.recordName} is for a ${verdict.k} key, CASEGATE_DKIM_KEY is RSA: ${publish}`);
      case 'other-key':
        return problem('dkim', `the key published at ${key.recordName} is not the public half of CASEGATE_DKIM_KEY (${config.dkimKey}): ${publish}, or set CASEGATE_DKIM_KEY to the key it belongs to`);
    }
  });
}

/**
 * DMARC of the From domain: published, and passing for our notifications given what the checks
 * above found (DKIM signs for the From domain; SPF passes for the envelope sender's domain).
 */
export function checkDmarc(config: Config, resolver: DNSResolver, passed: { dkim: boolean; spf: boolean }): Promise<CheckResult> {
  return guarded('dmarc', async () => {
    const fromDomain = domainOfAddress(config.from);
    const { dmarc } = await import('mailauth/lib/dmarc/index.js');
    const r = await dmarc({
      headerFrom: config.from,
      spfDomains: passed.spf ? [config.domain] : [],
      dkimDomains: passed.dkim ? [{ domain: fromDomain }] : [],
      resolver,
    } as Parameters<typeof dmarc>[0]);
    if (r === false) return problem('dmarc', `CASEGATE_FROM ${config.from} has no domain DMARC can check`);
    const result = r.status.result;
    if (result === 'temperror') throw new Error(`the lookup of _dmarc.${fromDomain} TXT failed; check CASEGATE_DNS_SERVERS and try again`);
    if (result === 'none') {
      return problem(
        'dmarc',
        `no DMARC record at _dmarc.${fromDomain}, which Gmail and Yahoo require of bulk senders: publish TXT "v=DMARC1; p=none; rua=mailto:postmaster@${fromDomain}" ` +
          'and tighten p= once the reports show every sender aligned',
      );
    }
    const rr = r.rr ?? '';
    const strictSpf = r.alignment?.spf?.strict === true;
    const policy = `p=${r.policy ?? r.p ?? 'none'}`;
    // Our signature's d= is the From domain itself, aligned either way. SPF's domain is the case
    // domain: relaxed alignment wants the same organisational domain (mailauth's answer), strict
    // the same domain (decided here: mailauth compares organisational domains in both modes).
    const byDkim = passed.dkim;
    const bySpf = passed.spf && (strictSpf ? config.domain.toLowerCase() === fromDomain : Boolean(r.alignment?.spf?.result));
    if (byDkim || bySpf) {
      const by = [byDkim ? 'DKIM' : null, bySpf ? 'SPF' : null].filter(Boolean).join(' and ');
      return pass('dmarc', `_dmarc of ${fromDomain} (${policy}) passes for CASEGATE_FROM ${config.from}, aligned through ${by}`);
    }
    const why: string[] = [];
    why.push('notifications carry no DKIM signature a receiver can verify (see the dkim line)');
    if (!passed.spf) why.push(`SPF of ${config.domain} does not pass (see the spf line)`);
    else why.push(`the envelope domain ${config.domain} is not aligned with ${fromDomain}${strictSpf ? ' (aspf=s asks for the same domain)' : ''}`);
    return problem('dmarc', `DMARC of ${fromDomain} ("${rr}", ${policy}) would fail our notifications: ${why.join('; ')}; fix the lines above so that DKIM passes for ${fromDomain}`);
  });
}
