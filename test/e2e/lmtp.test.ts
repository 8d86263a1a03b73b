// LMTP: one answer per recipient in the same transaction.
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../helpers/gateway.js';
import { ANN, countRows, createCase, showCase } from '../helpers/seed.js';
import { mail } from '../helpers/smtp.js';

let gw: Gateway | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

describe('serve --lmtp answers once per recipient', () => {
  it('accepts for the case Ann belongs to and refuses for a case she does not', async () => {
    gw = await startGateway({}, { lmtp: true });
    const other = await createCase(gw.db, gw.config, { subject: 'Someone else', contact: 'bob@acme.example' });
    const r = await gw.send(mail({ from: ANN }), { from: ANN, to: [gw.caseAddress, other.address] });
    // nodemailer's LMTP client reports the refused recipient; the other one got its own 250.
    expect(r.rejected).toEqual([
      expect.objectContaining({ recipient: other.address, code: 550, response: expect.stringContaining('5.7.1 this sender may not reply here') }),
    ]);
    expect(await countRows(gw.db, 'comments', "source = 'email'")).toBe(1);
    expect(await countRows(gw.db, 'inbound', "decision = 'accepted'")).toBe(1);
    expect(await countRows(gw.db, 'inbound', "decision = 'refused'")).toBe(1);
  });

  it("stores a comment's author as the participant's known address, whatever the letter case of From", async () => {
    gw = await startGateway({}, { lmtp: true });
    const r = await gw.send(mail({ from: 'ANN@ACME.EXAMPLE' }), { from: ANN, to: [gw.caseAddress] });
    expect(r.response).toContain(`added to case ${gw.caseNumber}`);
    expect((await showCase(gw.db, gw.config, gw.caseNumber)).comments.map((c) => c.author)).toEqual([ANN]);
  });
});
