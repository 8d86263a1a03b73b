// `casegate product|asset ...` and assets on cases (issue 14): the catalogue, assets of contacts
// and accounts, the asset lookup, `case create --asset|--new-asset`, `case update --asset`.
import { describe, expect, it } from 'vitest';
import { ISO_TIME, okJson as ok, refusedJson as refused, templateDb, useTestDb } from '../helpers/cli.js';

/**
 * Accounts Acme (1) and Globex (2); contacts ann (1, Acme), bob (2, Acme), gus (3, Globex), sol
 * (4, no account); product LP-9000; assets 1 "Printer" SN-1 of ann, 2 "Router" RT-9 of Acme, 3
 * "Printer" SN-3 of gus, 4 "Laptop" of sol — made once with the CLI, copied per test.
 */
const seed = templateDb(async (t) => {
  await ok(t, 'account', 'create', 'Acme');
  await ok(t, 'account', 'create', 'Globex');
  await ok(t, 'contact', 'create', '--email', 'ann@acme.example', '--first', 'Ann', '--last', 'Archer', '--account', '1');
  await ok(t, 'contact', 'create', '--email', 'bob@acme.example', '--first', 'Bob', '--last', 'Berg', '--account', '1');
  await ok(t, 'contact', 'create', '--email', 'gus@globex.example', '--first', 'Gus', '--last', 'Grant', '--account', '2');
  await ok(t, 'contact', 'create', '--email', 'sol@home.example', '--first', 'Sol', '--last', 'Solo');
  await ok(t, 'product', 'create', '--name', 'Laser Printer 9000', '--code', 'LP-9000');
  await ok(t, 'asset', 'create', '--name', 'Printer', '--serial', 'SN-1', '--contact', 'ann@acme.example', '--product', 'lp-9000', '--installed', '2024-02-29');
  await ok(t, 'asset', 'create', '--name', 'Router', '--serial', 'RT-9', '--account', '1', '--status', 'registered');
  await ok(t, 'asset', 'create', '--name', 'Printer', '--serial', 'SN-3', '--contact', 'gus@globex.example');
  await ok(t, 'asset', 'create', '--name', 'Laptop', '--contact', 'sol@home.example');
});

describe('casegate product', () => {
  const t = useTestDb();

  it('creates and lists products', async () => {
    await seed(t());
    expect(await ok(t(), 'product', 'create', '--name', 'Toner', '--code', 'TN-1')).toEqual({ id: 2, name: 'Toner', code: 'TN-1', createdAt: expect.stringMatching(ISO_TIME) });
    expect((await ok(t(), 'product', 'list')).map((p: { code: string }) => p.code)).toEqual(['LP-9000', 'TN-1']);
  });

  it('refuses a code already taken (letter case ignored), a malformed code and a blank name', async () => {
    await seed(t());
    await refused(t(), ['product', 'create', '--name', 'Other', '--code', 'lp-9000'], /product code LP-9000 is taken by "Laser Printer 9000" \(id 1\); choose another code/);
    await refused(t(), ['product', 'create', '--name', 'Other', '--code', 'a b'], /product code "a b" is not a code; give letters, digits/);
    await refused(t(), ['product', 'create', '--name', ' ', '--code', 'X1'], /a product needs a name; give --name/);
  });
});

describe('casegate asset', () => {
  const t = useTestDb();

  it('creates an asset of a contact, taking the contact\'s account, with its product', async () => {
    await seed(t());
    const a = await ok(t(), 'asset', 'show', 'sn-1');
    expect(a).toEqual({
      id: 1,
      name: 'Printer',
      serial: 'SN-1',
      product: { code: 'LP-9000', name: 'Laser Printer 9000' },
      contact: 'ann@acme.example',
      account: 1,
      accountName: 'Acme',
      installDate: '2024-02-29',
      status: 'Installed',
      createdAt: expect.stringMatching(ISO_TIME),
      cases: [],
    });
    expect(await ok(t(), 'asset', 'show', '2')).toMatchObject({ name: 'Router', contact: null, account: 1, status: 'Registered', product: null });
  });

  it('lists, for a contact, the assets its cases may name, its own first; --search by name or serial', async () => {
    await seed(t());
    const ids = (rows: Array<{ id: number }>) => rows.map((a) => a.id);
    expect(ids(await ok(t(), 'asset', 'list'))).toEqual([4, 1, 3, 2]);
    expect(ids(await ok(t(), 'asset', 'list', '--contact', 'bob@acme.example'))).toEqual([1, 2]);
    expect(ids(await ok(t(), 'asset', 'list', '--contact', 'ann@acme.example'))).toEqual([1, 2]);
    expect(ids(await ok(t(), 'asset', 'list', '--search', 'printer'))).toEqual([1, 3]);
    expect(ids(await ok(t(), 'asset', 'list', '--contact', 'gus@globex.example', '--search', 'sn-'))).toEqual([3]);
  });

  it('refuses an asset without owner or with two, and an unknown contact, account or product', async () => {
    await seed(t());
    await refused(t(), ['asset', 'create', '--name', 'X'], /an asset belongs to a contact or to an account; give one of --contact EMAIL or --account ID/);
    await refused(t(), ['asset', 'create', '--name', 'X', '--contact', '1', '--account', '1'], /give one of --contact EMAIL or --account ID/);
    await refused(t(), ['asset', 'create', '--name', 'X', '--contact', 'nobody@acme.example'], /no contact with email nobody@acme\.example/);
    await refused(t(), ['asset', 'create', '--name', 'X', '--account', '9'], /no account with id 9/);
    await refused(t(), ['asset', 'create', '--name', 'X', '--account', '1', '--product', 'NOPE'], /no product with code "NOPE"; list products with "casegate product list"/);
  });

  it('refuses a serial number already used (letter case ignored), a bad install date or status, a blank name', async () => {
    await seed(t());
    await refused(t(), ['asset', 'create', '--name', 'X', '--account', '1', '--serial', 'sn-1'], /serial number SN-1 is already asset 1 \("Printer"\)/);
    await refused(t(), ['asset', 'create', '--name', 'X', '--account', '1', '--installed', '2023-02-29'], /install date "2023-02-29" is not a date; give it as YYYY-MM-DD/);
    await refused(t(), ['asset', 'create', '--name', 'X', '--account', '1', '--status', 'Broken'], /asset status "Broken" is not one of Purchased, Shipped, Installed, Registered, Obsolete/);
    await refused(t(), ['asset', 'create', '--name', ' ', '--account', '1'], /an asset needs a name/);
  });

  it('refuses to show an unknown asset', async () => {
    await seed(t());
    await refused(t(), ['asset', 'show', 'XX-1'], /no asset with id or serial number "XX-1"; find it with "casegate asset list --search TEXT"/);
  });
});

describe('assets on cases', () => {
  const t = useTestDb();

  it('names an asset of the case\'s account by serial or id; case show shows it with its product; asset show lists the case', async () => {
    await seed(t());
    const c = await ok(t(), 'case', 'create', '--subject', 'Jam', '--contact', 'bob@acme.example', '--asset', 'SN-1');
    expect(c.asset).toEqual({ id: 1, name: 'Printer', serial: 'SN-1', status: 'Installed', product: { code: 'LP-9000', name: 'Laser Printer 9000' } });
    expect((await ok(t(), 'case', 'create', '--subject', 'Slow', '--contact', 'ann@acme.example', '--asset', '2')).asset).toMatchObject({ id: 2, product: null });
    expect((await ok(t(), 'asset', 'show', 'SN-1')).cases).toEqual(['00001001']);
    const text = await t().run('case', 'show', '00001001');
    expect(text.stdout).toContain('asset:             1 Printer (serial SN-1), product LP-9000 Laser Printer 9000');
  });

  it('creates the asset on the way with --new-asset, for the case\'s contact, with serial and product', async () => {
    await seed(t());
    const c = await ok(t(), 'case', 'create', '--subject', 'Jam', '--contact', 'ann@acme.example', '--new-asset', 'Scanner', '--serial', 'SC-1', '--product', 'LP-9000');
    expect(c.asset).toMatchObject({ id: 5, name: 'Scanner', serial: 'SC-1', product: { code: 'LP-9000' } });
    expect(await ok(t(), 'asset', 'show', 'SC-1')).toMatchObject({ contact: 'ann@acme.example', account: 1, cases: ['00001001'] });
  });

  it('refuses an asset of another account or contact, naming it', async () => {
    await seed(t());
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--contact', 'ann@acme.example', '--asset', 'SN-3'], /asset 3 \("Printer"\) belongs to account 2, so a case of account 1 cannot name it; pick one from "casegate asset list --contact EMAIL"/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--asset', 'SN-1'], /belongs to account 1, so a case without account cannot name it/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--contact', 'ann@acme.example', '--asset', '4'], /asset 4 \("Laptop"\) belongs to contact 4, so a case of contact 1 cannot name it/);
  });

  it('refuses --asset with --new-asset, --serial without --new-asset, a new asset without owner, and leaves no asset behind', async () => {
    await seed(t());
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--contact', '1', '--asset', 'SN-1', '--new-asset', 'X'], /--asset names an existing asset and --new-asset creates one; give only one of them/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--contact', '1', '--serial', 'X-1'], /--serial and --product describe a new asset; give --new-asset NAME with them/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--new-asset', 'X'], /a new asset belongs to the case's contact or account; give --contact or --account with --new-asset/);
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--contact', '1', '--new-asset', 'X', '--serial', 'SN-3'], /serial number SN-3 is already asset 3/);
    // The asset is written before the case: a refusal of the case takes it back.
    await ok(t(), 'contact', 'create', '--email', 'nel@acme.example', '--first', 'Nel', '--last', 'North', '--account', '1', '--not-eligible');
    await refused(t(), ['case', 'create', '--subject', 'Jam', '--contact', 'nel@acme.example', '--new-asset', 'X'], /contact nel@acme\.example is not eligible for support/);
  });

  it('changes the asset of a case with "case update --asset", under the same rule', async () => {
    await seed(t());
    await ok(t(), 'case', 'create', '--subject', 'Jam', '--contact', 'ann@acme.example');
    expect((await ok(t(), 'case', 'update', '00001001', '--asset', 'rt-9')).asset).toMatchObject({ id: 2, name: 'Router' });
    await refused(t(), ['case', 'update', '00001001', '--asset', 'SN-3'], /asset 3 \("Printer"\) belongs to account 2, so a case of account 1 cannot name it/);
    await refused(t(), ['case', 'update', '00001001', '--asset', 'nope'], /no asset with id or serial number "nope"/);
    await refused(t(), ['case', 'update', '00001001'], /nothing to change; give --owner EMAIL, --priority P, --status S, --asset ID\|SERIAL/);
    await refused(t(), ['case', 'update', '00009999', '--asset', 'SN-1'], /no case 00009999/);
  });
});
