// `casegate recordtype ...` and record types on cases and routing addresses (issue 14).
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mail } from '../helpers/smtp.js';
import { okJson as ok, refusedJson as refused, templateDb, useTestDb } from '../helpers/cli.js';

const HARDWARE = [
  'recordtype', 'create', 'Hardware',
  '--priorities', 'High,Medium',
  '--origins', 'Phone,Email',
  '--field', 'model:text:required',
  '--field', 'units:number',
  '--field', 'tier:picklist(Gold|Silver)',
];

/**
 * Contact ann (1); record types Hardware (High/Medium; Phone/Email; model required, units, tier)
 * and Billing (no required field; Low only; origins Email, Web) — made once with the CLI.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer');
  await ok(t, ...HARDWARE);
  await ok(t, 'recordtype', 'create', 'Billing', '--priorities', 'Low', '--origins', 'Email,Web', '--field', 'invoice:text');
});

describe('casegate recordtype', () => {
  const t = useTestDb();

  it('creates a record type with its lists, defaults and fields, and shows and lists it', async () => {
    await seed(t());
    const hw = await ok(t(), 'recordtype', 'show', 'hardware');
    expect(hw).toMatchObject({
      name: 'Hardware',
      statuses: null,
      priorities: ['High', 'Medium'],
      origins: ['Phone', 'Email'],
      defaultPriority: 'Medium',
      defaultOrigin: 'Phone',
      fields: [
        { key: 'model', type: 'text', options: [], required: true },
        { key: 'units', type: 'number', options: [], required: false },
        { key: 'tier', type: 'picklist', options: ['Gold', 'Silver'], required: false },
      ],
      routing: [],
    });
    expect((await ok(t(), 'recordtype', 'list')).map((r: { name: string }) => r.name)).toEqual(['Hardware', 'Billing']);
    expect((await t().run('recordtype', 'show', 'Hardware')).stdout).toContain('model:text:required, units:number, tier:picklist(Gold|Silver)');
  });

  it('updates lists and defaults, replaces a field of the same key and removes fields', async () => {
    await seed(t());
    const r = await ok(t(), 'recordtype', 'update', 'Hardware', '--statuses', 'New,Working,Closed', '--default-priority', 'high', '--field', 'model:text', '--remove-field', 'units');
    expect(r).toMatchObject({ statuses: ['New', 'Working', 'Closed'], defaultPriority: 'High', fields: [{ key: 'model', required: false }, { key: 'tier' }] });
  });

  it('refuses a name taken, bad lists, bad defaults and bad fields, each named', async () => {
    await seed(t());
    await refused(t(), ['recordtype', 'create', 'HARDWARE'], /record type "Hardware" already exists; change it with "casegate recordtype update Hardware"/);
    await refused(t(), ['recordtype', 'create', 'X', '--statuses', 'New,Closed'], /--statuses: statuses must include New, Working, Closed .*add Working/);
    await refused(t(), ['recordtype', 'create', 'X', '--priorities', 'Urgent'], /--priorities: priority "Urgent" is not one of High, Medium, Low/);
    await refused(t(), ['recordtype', 'create', 'X', '--priorities', 'Low', '--default-priority', 'High'], /default priority High is not one of the record type's priorities \(Low\)/);
    await refused(t(), ['recordtype', 'create', 'X', '--origins', 'Phone', '--default-origin', 'Web'], /default origin Web is not one of the record type's origins \(Phone\)/);
    await refused(t(), ['recordtype', 'create', 'X', '--field', 'model:colour'], /--field: field "model:colour" is not key:type\[:required\]/);
    await refused(t(), ['recordtype', 'create', 'X', '--field', 'a:text', '--field', 'a:number'], /field "a" is given twice/);
    await refused(t(), ['recordtype', 'update', 'Hardware', '--remove-field', 'nope'], /there is no field "nope" to remove/);
    await refused(t(), ['recordtype', 'show', 'Nope'], /no record type "Nope"; list them with "casegate recordtype list"/);
  });
});

describe('record types on cases', () => {
  const t = useTestDb();

  it('opens a case with the record type\'s defaults and checked fields; case show shows them', async () => {
    await seed(t());
    const c = await ok(t(), 'case', 'create', '--subject', 'Jam', '--contact', '1', '--record-type', 'hardware', '--field', 'Model=LP 9000', '--field', 'tier=gold');
    expect(c).toMatchObject({ recordType: 'Hardware', priority: 'Medium', origin: 'Phone', fields: { model: 'LP 9000', tier: 'Gold' } });
    expect(await ok(t(), 'case', 'show', c.number)).toMatchObject({ recordType: 'Hardware', fields: { model: 'LP 9000', tier: 'Gold' } });
    const text = (await t().run('case', 'show', c.number)).stdout;
    expect(text.match(/^recordType: +Hardware$/gm)).toHaveLength(1);
    expect(text).toMatch(/\nmodel: +LP 9000\ntier: +Gold\n/);
  });

  it('behaves as before without a record type: no fields, any origin', async () => {
    await seed(t());
    expect(await ok(t(), 'case', 'create', '--subject', 'Jam', '--origin', 'Fax')).toMatchObject({ recordType: null, fields: {}, priority: 'Medium', origin: 'Fax' });
  });

  it('refuses each problem with the fields, named, in one line', async () => {
    await seed(t());
    await refused(
      t(),
      ['case', 'create', '--subject', 'Jam', '--record-type', 'Hardware', '--field', 'units=many', '--field', 'tier=Bronze', '--field', 'color=red'],
      /record type "Hardware": no field "color"; field "model" is required; field "units" takes a number such as 12 or 3\.5, not "many"; field "tier" takes one of Gold, Silver, not "Bronze"; give each as --field KEY=VALUE/,
    );
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--field', 'model=X'], /a case without record type has no fields; give --record-type NAME/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--record-type', 'Hardware', '--field', 'model'], /--field "model" is not KEY=VALUE; give each field as --field KEY=VALUE/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--record-type', 'Nope'], /no record type "Nope"/);
  });

  it('refuses a priority or origin the record type does not allow', async () => {
    await seed(t());
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--record-type', 'Hardware', '--field', 'model=X', '--priority', 'Low'], /priority Low is not allowed by record type "Hardware"; give one of High, Medium/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--record-type', 'Hardware', '--field', 'model=X', '--origin', 'Web'], /origin Web is not allowed by record type "Hardware"; give one of Phone, Email/);
  });

  it('changes field values with "case update --field", checked the same way; an empty value clears an optional one', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Jam', '--record-type', 'Hardware', '--field', 'model=X', '--field', 'units=2');
    expect((await ok(t(), 'case', 'update', '00001001', '--field', 'units=', '--field', 'tier=silver')).fields).toEqual({ model: 'X', tier: 'Silver' });
    await refused(t(), ['case', 'update', '00001001', '--field', 'model='], /record type "Hardware": field "model" is required/);
    await ok(t(), 'case', 'create', '--subject', 'Plain');
    await refused(t(), ['case', 'update', '00001002', '--field', 'model=X'], /a case without record type has no fields/);
  });

  it('clones the record type and the field values', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Jam', '--record-type', 'Hardware', '--field', 'model=X', '--priority', 'High');
    expect(await ok(t(), 'case', 'clone', '00001001')).toMatchObject({ number: '00001002', recordType: 'Hardware', priority: 'High', fields: { model: 'X' } });
  });
});

describe('record types on routing addresses', () => {
  const t = useTestDb();

  it('sets the record type of a routing address, with its defaults; recordtype show lists the address', async () => {
    await seed(t());
    expect(await ok(t(), 'routing', 'add', 'billing@example.com', '--record-type', 'billing')).toMatchObject({ recordType: 'Billing', priority: 'Low', origin: 'Email' });
    expect((await ok(t(), 'recordtype', 'show', 'Billing')).routing).toEqual(['billing@example.com']);
  });

  it('opens the cases of its mail with that record type and its defaults, fields empty', async () => {
    await seed(t());
    await ok(t(), 'routing', 'add', 'billing@example.com', '--record-type', 'Billing');
    const eml = path.join(t().dir, 'm.eml');
    fs.writeFileSync(eml, mail({ from: 'ann@acme.example', to: 'billing@example.com', subject: 'Invoice wrong' }));
    const r = await t().runWith(['ingest', '--rcpt', 'billing@example.com', eml], { env: { CASEGATE_SENDER_AUTH: 'off' } });
    expect(r.code, r.stderr).toBe(0);
    expect(await ok(t(), 'case', 'show', '00001001')).toMatchObject({ subject: 'Invoice wrong', recordType: 'Billing', priority: 'Low', origin: 'Email', fields: {}, contact: { email: 'ann@acme.example' } });
  });

  it('refuses at routing add a record type with a required field, or that refuses the address\'s priority or origin', async () => {
    await seed(t());
    await refused(t(), ['routing', 'add', 'hw@example.com', '--record-type', 'Hardware'], /record type "Hardware" cannot be set on a routing address: mail cannot fill its required field model; choose another record type/);
    await refused(t(), ['routing', 'add', 'b@example.com', '--record-type', 'Billing', '--priority', 'High'], /its priority High is not one of Low/);
    await refused(t(), ['routing', 'add', 'b@example.com', '--record-type', 'Billing', '--origin', 'Phone'], /its origin Phone is not one of Email, Web/);
  });

  it('refuses to update a record type a routing address uses so that its mail could not open cases', async () => {
    await seed(t());
    await ok(t(), 'routing', 'add', 'billing@example.com', '--record-type', 'Billing');
    await refused(t(), ['recordtype', 'update', 'Billing', '--field', 'po:text:required'], /routing address billing@example\.com opens cases of record type "Billing" and mail cannot fill its required field po; change or remove that routing address first/);
    await refused(t(), ['recordtype', 'update', 'Billing', '--origins', 'Web'], /its origin Email is not one of Web/);
  });
});
