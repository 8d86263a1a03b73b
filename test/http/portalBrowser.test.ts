// The Help portal in a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser is downloaded), with JavaScript off: Ann signs in by the mailed link,
// adds a colleague found by search and a partner by address, sees the "not an active contact"
// mark, removes a collaborator, comments; Bob, a collaborator, following a direct link gets 403.
// With CASEGATE_SCREENSHOTS=DIR it saves the pages as PNG files there (docs/help-portal-*.png).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createContact } from '../../src/admin/contacts.js';
import { ANN, BOB, showCase } from '../helpers/seed.js';
import { startHttp, type HttpGateway } from '../helpers/http.js';
import { signInLink } from '../helpers/portal.js';

const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) console.warn(`skipping the browser test of the Help portal: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)`);
const screenshots = process.env.CASEGATE_SCREENSHOTS;
const CAROL = 'carol@acme.example';
const PARTNER = 'max@partner.example';

describe.skipIf(!present)('the Help portal in headless Chromium', () => {
  let g: HttpGateway;
  let browser: Browser;

  beforeAll(async () => {
    g = await startHttp();
    await g.db.transaction(async (tx) => {
      const acme = (await tx.get<{ id: number }>("SELECT id FROM accounts WHERE name = 'Acme'"))!.id;
      await createContact(tx, { account: acme, email: CAROL, firstName: 'Carol', lastName: 'Chen' });
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 20_000, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
  });

  /** Signs in through the form and the link of the mail, in a browser without JavaScript. */
  async function signedIn(email: string, shoot = false): Promise<Page> {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 900, height: 1100 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${g.base}/help`);
    expect(await page.title()).toBe('Sign in · Help');
    await page.getByLabel('Your email').fill(email);
    await page.getByRole('button', { name: 'Send me a sign-in link' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toContain('If this address has cases with us, we sent a link to it.');
    if (shoot && screenshots) await page.screenshot({ path: path.join(screenshots, 'help-portal-check-mail.png') });
    await page.goto(`${g.base}${await signInLink(g.db, g.config, email)}`);
    expect(new URL(page.url()).pathname).toBe('/help/cases');
    return page;
  }

  it('lets the contact manage collaborators and comment; a collaborator\'s direct link gets 403', async () => {
    const page = await signedIn(ANN, true);
    if (screenshots) await page.screenshot({ path: path.join(screenshots, 'help-portal-cases.png') });
    await page.getByRole('link', { name: g.caseNumber }).click();
    await page.waitForLoadState();
    expect(await page.title()).toBe(`Case ${g.caseNumber} · Help`);

    // A colleague found by name.
    await page.getByLabel('Search contacts of your organisation by name or email').fill('chen');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState();
    await page.getByRole('button', { name: `Add ${CAROL}` }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toContain('The collaborator was added');

    // A partner by address: not a contact of Acme, and marked so.
    await page.getByLabel('Or add any email address').fill(PARTNER);
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    await page.waitForLoadState();
    const partnerRow = page.getByRole('row').filter({ hasText: PARTNER });
    expect(await partnerRow.textContent()).toContain('This person is not an active contact of your organisation');
    expect(await page.getByRole('row').filter({ hasText: CAROL }).textContent()).toContain('Active contact');

    // A refusal is said on the page, tied to its field.
    await page.getByLabel('Or add any email address').fill(ANN);
    await page.getByRole('button', { name: 'Add collaborator' }).click();
    await page.waitForLoadState();
    expect(await page.locator('#collaborators-error').textContent()).toContain('You are the contact of this case');
    expect(await page.getByLabel('Or add any email address').getAttribute('aria-describedby')).toBe('collaborators-error');

    await page.getByRole('button', { name: `Remove ${CAROL}` }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('status').textContent()).toContain('The collaborator was removed');

    await page.getByLabel('Add a comment').fill('The partner will bring a new roller on Monday.');
    await page.getByRole('button', { name: 'Add comment' }).click();
    await page.waitForLoadState();
    expect(await page.getByRole('article').last().textContent()).toContain('The partner will bring a new roller on Monday.');
    if (screenshots) await page.screenshot({ path: path.join(screenshots, 'help-portal-case.png'), fullPage: true });

    const c = await showCase(g.db, g.config, g.caseNumber);
    expect(c.collaborators.map((x: { email: string; activeContact: boolean }) => [x.email, x.activeContact])).toEqual([
      [BOB, true],
      [PARTNER, false],
    ]);
    expect(c.comments.at(-1)).toMatchObject({ author: ANN, internal: false, body: 'The partner will bring a new roller on Monday.' });
    await page.context().close();

    const bob = await signedIn(BOB);
    expect(await bob.locator('main').textContent()).not.toContain(g.caseNumber);
    const res = await bob.goto(`${g.base}/help/cases/${g.caseNumber}`);
    expect(res?.status()).toBe(403);
    expect(await bob.getByRole('heading', { level: 1 }).textContent()).toBe('Insufficient privileges');
    if (screenshots) await bob.screenshot({ path: path.join(screenshots, 'help-portal-insufficient-privileges.png') });
    await bob.context().close();
  });
});
