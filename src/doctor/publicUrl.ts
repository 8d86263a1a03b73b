// The doctor's check of CASEGATE_PUBLIC_URL: with HTTP on, the Help portal's sign-in links and the
// collaborators' one-click "stop these emails" links are built from it, so it must be an address the
// people who get the mail can open, not the server's own loopback address.
import type { Config } from '../config.js';
import type { CheckResult } from './dns.js';

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0|\[::\])$/i;

export function checkPublicUrl(config: Pick<Config, 'httpPort' | 'publicUrl'>): CheckResult {
  if (config.httpPort === null || config.publicUrl === null) {
    return { check: 'public-url', ok: true, detail: 'no HTTP (CASEGATE_HTTP_PORT unset): no Help portal and no one-click unsubscribe links to point anywhere' };
  }
  const url = new URL(config.publicUrl);
  if (LOOPBACK.test(url.hostname)) {
    return {
      check: 'public-url',
      ok: false,
      detail: `the Help portal's sign-in links and the one-click unsubscribe links point to ${config.publicUrl}, which only this machine can open: set CASEGATE_PUBLIC_URL to the address people open, e.g. https://support.example.com`,
    };
  }
  const plain = url.protocol === 'http:' ? ' (http: the portal cookies are not marked Secure; prefer https behind a TLS proxy)' : '';
  return { check: 'public-url', ok: true, detail: `portal and one-click links point to ${config.publicUrl}${plain}` };
}
