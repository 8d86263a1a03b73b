// The Web-to-Case form in a real headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; no browser is downloaded), with JavaScript off as a browser without it would
// send the form: a field error tied to its field, then a case with an attachment and its number.
// With CASEGATE_SCREENSHOTS=DIR it also saves the form and the answer page as PNG files there
// (that is how docs/web-to-case-*.png are made).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { ANN, showCase } from '../helpers/seed.js';
import { startHttp, type HttpGateway } from '../helpers/http.js';
import { tempDir } from '../helpers/tempDir.js';

const CHROMIUM = '/usr/bin/chromium';
const present = fs.existsSync(CHROMIUM);
if (!present) console.warn(`skipping the browser test of Web-to-Case: ${CHROMIUM} is missing (apt-get install -y chromium; .ci/run does)`);
const screenshots = process.env.CASEGATE_SCREENSHOTS;

describe.skipIf(!present)('Web-to-Case in headless Chromium', () => {
  let g: HttpGateway;
  let browser: Browser;
  const files = tempDir('browser');

  beforeAll(async () => {
    g = await startHttp();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, timeout: 20_000, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await g?.close();
    files.cleanup();
  });

  it('shows a field error tied to its field, then opens a case with the attachment and names its number', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 800, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${g.base}/web-to-case`);
    expect(await page.title()).toBe('Contact support');
    if (screenshots) await page.screenshot({ path: path.join(screenshots, 'web-to-case-form.png'), fullPage: true });

    // Found by their labels, as a screen reader would.
    await page.getByLabel('Your name').fill('Ann Archer');
    await page.getByLabel('Your email').fill('ann at acme');
    await page.getByLabel('Subject', { exact: true }).fill('Printer on floor 2 prints blank pages');
    await page.getByLabel('Description (optional)').fill('Since this morning, every page is blank.');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForLoadState();

    const email = page.getByLabel('Your email');
    expect(await email.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await email.getAttribute('aria-describedby')) as string;
    expect(await page.locator(`#${describedBy}`).textContent()).toBe('Enter an email address like name@example.com.');
    expect(await page.getByRole('alert').textContent()).toContain('Your email');
    // What was typed is still there.
    expect(await page.getByLabel('Your name').inputValue()).toBe('Ann Archer');

    const file = path.join(files.dir, 'display.txt');
    fs.writeFileSync(file, 'E42: paper path blocked\n');
    await email.fill(ANN);
    await page.getByLabel('Attachments (optional)').setInputFiles(file);
    await page.getByRole('button', { name: 'Send' }).click();
    await page.waitForLoadState();

    const number = (await page.locator('#case-number').textContent()) as string;
    expect(number).toMatch(/^\d{8}$/);
    expect(await page.getByRole('status').textContent()).toContain(`We opened case ${number}`);
    if (screenshots) await page.screenshot({ path: path.join(screenshots, 'web-to-case-answer.png'), fullPage: true });
    await context.close();

    const c = await showCase(g.db, g.config, number);
    expect(c).toMatchObject({ origin: 'Web', subject: 'Printer on floor 2 prints blank pages', contact: { email: ANN } });
    expect(c.comments[0]?.attachments).toEqual([expect.objectContaining({ filename: 'display.txt', contentType: 'text/plain', size: 24 })]);
  });
});
