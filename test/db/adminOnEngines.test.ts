// The admin functions the CLI's nouns call (account, user, contact, product, asset, recordtype, rule,
// routing, apikey), in-process on the engine under test: what each stores comes back exactly
// (booleans, nulls, whole numbers, times, order), lookups ignore letter case, and a refusal (a taken
// name, an unknown reference) writes nothing. The CLI tests run these through the binary on SQLite
// only; this file keeps the storage side covered on PostgreSQL too, with one database for the file.
// DKIM stores nothing (a key file); doctor only reads: neither is here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount, listAccounts, requireAccount } from '../../src/admin/accounts.js';
import { authenticateKey, createApiKey, hashKey, listApiKeys, revokeApiKey } from '../../src/admin/apiKeys.js';
import { createAsset, listAssets, showAsset } from '../../src/admin/assets.js';
import { contactRecord, createContact, listContacts, requireContact, searchContacts } from '../../src/admin/contacts.js';
import { createProduct, listProducts, requireProduct } from '../../src/admin/products.js';
import { changeRecordType, createRecordType, listRecordTypes, showRecordType } from '../../src/admin/recordTypes.js';
import { addRoutingAddress, findRoutingAddress, listRoutingAddresses, removeRoutingAddress, updateRoutingAddress } from '../../src/admin/routing.js';
import { addRule, listRules, removeRule } from '../../src/admin/rules.js';
import { createUser, listUsers, requireUserByEmail, updateUser } from '../../src/admin/users.js';
import { cloneCaseRequest } from '../../src/cases/clone.js';
import { openCaseRequest } from '../../src/cases/request.js';
import { updateCaseRequest } from '../../src/cases/update.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Tx } from '../../src/db/engine.js';
import type { ErrorKind } from '../../src/errors.js';
import { createCase, showCase, tempStore, type TempStore } from '../helpers/seed.js';
import { onPostgres, query } from '../helpers/testDb.js';

let store: TempStore;
let config: Config;
const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const at = (minutes: number) => T0 + minutes * 60_000;
const iso = (ms: number) => new Date(ms).toISOString();

beforeAll(async () => {
  store = await tempStore();
  config = loadConfig({ db: store.file }, { CASEGATE_DOMAIN: 'cases.test' });
});
afterAll(async () => store.cleanup());

/** What the CLI's `ctx.write(...)` / `ctx.read(...)` do: one transaction per command. */
const write = <R>(fn: (tx: Tx) => Promise<R>) => store.db.transaction(fn, 'write');
const read = <R>(fn: (tx: Tx) => Promise<R>) => store.db.transaction(fn, 'read');

/**
 * Every row of every table, read through the file's own handle (dbFingerprint's new connection
 * per call costs seconds on PostgreSQL over this file's refusals): what "nothing written" compares.
 */
function everyRow(): Promise<Record<string, string[]>> {
  return read(async (tx) => {
    const tables = onPostgres
      ? await tx.all<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`)
      : await tx.all<{ name: string }>(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`);
    const out: Record<string, string[]> = {};
    for (const { name } of tables) out[name] = (await tx.all(`SELECT * FROM "${name}"`)).map((r) => JSON.stringify(r)).sort();
    return out;
  });
}

/** The command is refused with this kind of error, and not one row of any table changed. */
async function refusedUnchanged(kind: ErrorKind, fn: (tx: Tx) => Promise<unknown>, message?: RegExp): Promise<void> {
  const before = await everyRow();
  const err = await write(fn).then(
    () => new Error('expected a refusal, but the command succeeded'),
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ name: 'CasegateError', kind });
  if (message) expect((err as Error).message).toMatch(message);
  expect(await everyRow()).toEqual(before);
}

/** A stored time column reads back as a number of milliseconds, not text or a bigint. */
async function storedTimes(table: string, id: number, columns: string[]): Promise<unknown[]> {
  const [row] = await query<Record<string, unknown>>(store.db, `SELECT ${columns.join(', ')} FROM ${table} WHERE id = ?`, [id]);
  return columns.map((c) => row?.[c]);
}

describe('account', () => {
  it('create, list with contact counts, show by id; a name taken in another letter case is a conflict', async () => {
    const acme = await write((tx) => createAccount(tx, '  Acme   Ltd ', at(0)));
    expect(acme).toEqual({ id: expect.any(Number), name: 'Acme Ltd', contacts: 0, createdAt: iso(at(0)) });
    expect(await storedTimes('accounts', acme.id, ['created_at'])).toEqual([at(0)]);
    const globex = await write((tx) => createAccount(tx, 'Globex', at(1)));
    await write((tx) => createContact(tx, { email: 'ann@acme.example', firstName: 'Ann', lastName: 'Archer', account: acme.id }, at(2)));
    const listed = await read(listAccounts);
    expect(listed.filter((a) => [acme.id, globex.id].includes(a.id))).toEqual([
      { ...acme, contacts: 1 },
      { ...globex, contacts: 0 },
    ]);
    expect(await read((tx) => requireAccount(tx, String(globex.id)))).toEqual(globex);
    await refusedUnchanged('conflict', (tx) => createAccount(tx, 'ACME ltd'), /already exists/);
    await refusedUnchanged('not-found', (tx) => requireAccount(tx, '999999'));
    await refusedUnchanged('invalid', (tx) => createAccount(tx, '   '));
  });
});

describe('user', () => {
  it('create with permissions (all by default), update them, list; emails unique in any letter case', async () => {
    const sam = await write((tx) => createUser(tx, { email: 'Sam@Support.Example', name: 'Sam Agent', can: 'edit,read' }, at(3)));
    expect(sam).toEqual({ id: expect.any(Number), email: 'Sam@Support.Example', name: 'Sam Agent', can: ['read', 'edit'], createdAt: iso(at(3)) });
    const kim = await write((tx) => createUser(tx, { email: 'kim@support.example', name: 'Kim Lead' }, at(4)));
    expect(kim.can).toEqual(['read', 'create', 'edit']);
    expect(await write((tx) => updateUser(tx, 'SAM@support.example', { can: 'read' }))).toEqual({ ...sam, can: ['read'] });
    expect(await read(listUsers)).toEqual([{ ...sam, can: ['read'] }, kim]);
    expect((await read((tx) => requireUserByEmail(tx, 'KIM@SUPPORT.EXAMPLE'))).id).toBe(kim.id);
    await refusedUnchanged('conflict', (tx) => createUser(tx, { email: 'sam@support.EXAMPLE', name: 'Other Sam' }), /already exists/);
    await refusedUnchanged('not-found', (tx) => updateUser(tx, 'nobody@support.example', { can: 'read' }));
    await refusedUnchanged('invalid', (tx) => updateUser(tx, 'kim@support.example', { can: 'read,fly' }));
  });
});

describe('contact', () => {
  it('create keeps every field exactly (nulls, booleans), a shared email is reported, search by any part ignores letter case', async () => {
    const account = await write((tx) => createAccount(tx, 'Initech', at(5)));
    const { contact: zoe, sameEmail } = await write((tx) =>
      createContact(tx, { email: 'Zoe.Quinn@Initech.example', firstName: 'Zoë', lastName: 'Quinn', account: String(account.id), username: 'zquinn', handle: '@zq', externalId: 'EXT-42', division: 'EMEA', helpAdmin: true, eligible: false }, at(6)),
    );
    expect(sameEmail).toEqual([]);
    expect(zoe).toEqual({
      id: expect.any(Number),
      email: 'Zoe.Quinn@Initech.example',
      firstName: 'Zoë',
      lastName: 'Quinn',
      account: account.id,
      username: 'zquinn',
      handle: '@zq',
      externalId: 'EXT-42',
      division: 'EMEA',
      helpAdmin: true,
      eligible: false,
      active: true,
      createdAt: iso(at(6)),
    });
    const { contact: plain, sameEmail: others } = await write((tx) => createContact(tx, { email: 'zoe.quinn@initech.EXAMPLE', firstName: 'Zoe', lastName: '', username: '  ' }, at(7)));
    expect(others).toEqual([zoe]);
    expect(plain).toMatchObject({ account: null, username: null, handle: null, externalId: null, division: null, helpAdmin: false, eligible: true, active: true });

    const all = await read(listContacts);
    expect(all.slice(-2)).toEqual([zoe, plain]);
    expect(contactRecord(await read((tx) => requireContact(tx, String(zoe.id))))).toEqual(zoe);
    for (const part of ['ZOË', 'quinn', 'zoë quinn', 'INITECH.example', 'ZQUINN', '@ZQ', 'ext-4']) {
      expect((await read((tx) => searchContacts(tx, part))).map((c) => c.id), part).toContain(zoe.id);
    }
    expect(await read((tx) => searchContacts(tx, 'no-such-person'))).toEqual([]);

    // One contact by email in any letter case; a shared email must be named by id.
    expect((await read((tx) => requireContact(tx, 'ANN@acme.example'))).firstName).toBe('Ann');
    await refusedUnchanged('invalid', (tx) => requireContact(tx, 'zoe.quinn@initech.example'), /2 contacts have email/);
    await refusedUnchanged('not-found', (tx) => requireContact(tx, '999999'));
    await refusedUnchanged('not-found', (tx) => createContact(tx, { email: 'x@initech.example', firstName: 'X', lastName: 'Y', account: 999999 }));
  });
});

describe('product and asset', () => {
  it('create and list products, look one up by code in any letter case; a taken code is a conflict', async () => {
    const lp = await write((tx) => createProduct(tx, { name: 'Laser Printer 9000', code: 'LP-9000' }, at(8)));
    expect(lp).toEqual({ id: expect.any(Number), name: 'Laser Printer 9000', code: 'LP-9000', createdAt: iso(at(8)) });
    const sc = await write((tx) => createProduct(tx, { name: 'Scanner', code: 'SC_1' }, at(9)));
    expect(await read(listProducts)).toEqual([lp, sc]);
    expect((await read((tx) => requireProduct(tx, 'lp-9000'))).id).toBe(lp.id);
    await refusedUnchanged('conflict', (tx) => createProduct(tx, { name: 'Other', code: 'lp-9000' }), /is taken/);
    await refusedUnchanged('not-found', (tx) => requireProduct(tx, 'NOPE'));
  });

  it('create assets of a contact and of an account, list all, by contact (own first) and by search, show', async () => {
    const acme = (await read(listAccounts)).find((a) => a.name === 'Acme Ltd');
    const printer = await write((tx) => createAsset(tx, { name: 'Printer 3rd floor', serial: 'SN-ABC-1', product: 'lp-9000', installed: '2024-03-31', status: 'installed', contact: 'ann@acme.example' }, at(10)));
    expect(printer).toEqual({
      id: expect.any(Number),
      name: 'Printer 3rd floor',
      serial: 'SN-ABC-1',
      product: { code: 'LP-9000', name: 'Laser Printer 9000' },
      contact: 'ann@acme.example',
      account: acme?.id,
      installDate: '2024-03-31',
      status: 'Installed',
      createdAt: iso(at(10)),
    });
    const router = await write((tx) => createAsset(tx, { name: 'Acme router', account: String(acme?.id), status: 'Shipped' }, at(11)));
    expect(router).toMatchObject({ serial: null, product: null, contact: null, account: acme?.id, installDate: null, status: 'Shipped' });

    expect((await read((tx) => listAssets(tx))).map((a) => a.id)).toEqual([router.id, printer.id]);
    expect((await read((tx) => listAssets(tx, { contact: 'ANN@ACME.EXAMPLE' }))).map((a) => a.id)).toEqual([printer.id, router.id]);
    expect((await read((tx) => listAssets(tx, { search: 'abc' }))).map((a) => a.id)).toEqual([printer.id]);
    expect((await read((tx) => listAssets(tx, { search: 'ROUTER' }))).map((a) => a.id)).toEqual([router.id]);
    expect(await read((tx) => showAsset(tx, 'sn-abc-1'))).toEqual({ ...printer, accountName: 'Acme Ltd', cases: [] });

    await refusedUnchanged('conflict', (tx) => createAsset(tx, { name: 'Copy', serial: 'sn-abc-1', contact: 'ann@acme.example' }), /already asset/);
    await refusedUnchanged('not-found', (tx) => createAsset(tx, { name: 'X', product: 'NOPE', contact: 'ann@acme.example' }));
    await refusedUnchanged('not-found', (tx) => createAsset(tx, { name: 'X', contact: 'nobody@acme.example' }));
    await refusedUnchanged('not-found', (tx) => showAsset(tx, 'SN-NONE'));
  });
});

describe('recordtype', () => {
  it('create with statuses, priorities, origins and fields; change keeps what is not given; lists come back in order', async () => {
    const hw = await write((tx) =>
      createRecordType(tx, 'Hardware', { statuses: 'closed,new,working', priorities: 'low,high', origins: 'Web,Email', fields: ['serial:text', 'size:picklist(S|M|L)', 'bought:date'] }, at(13)),
    );
    expect(hw).toEqual({
      id: expect.any(Number),
      name: 'Hardware',
      statuses: ['New', 'Working', 'Closed'],
      priorities: ['High', 'Low'],
      origins: ['Web', 'Email'],
      defaultPriority: 'High',
      defaultOrigin: 'Web',
      fields: [
        { key: 'serial', type: 'text', options: [], required: false },
        { key: 'size', type: 'picklist', options: ['S', 'M', 'L'], required: false },
        { key: 'bought', type: 'date', options: [], required: false },
      ],
      routing: [],
      createdAt: iso(at(13)),
      updatedAt: iso(at(13)),
    });
    const changed = await write((tx) => changeRecordType(tx, 'HARDWARE', { defaultOrigin: 'email', fields: ['serial:number:required'], removeFields: ['size'] }, at(14)));
    expect(changed).toEqual({
      ...hw,
      defaultOrigin: 'Email',
      fields: [
        { key: 'serial', type: 'number', options: [], required: true },
        { key: 'bought', type: 'date', options: [], required: false },
      ],
      updatedAt: iso(at(14)),
    });
    expect(await storedTimes('record_types', hw.id, ['created_at', 'updated_at'])).toEqual([at(13), at(14)]);
    const open = await write((tx) => createRecordType(tx, 'Open', {}, at(15)));
    expect(open).toMatchObject({ statuses: null, priorities: null, origins: null, defaultPriority: null, defaultOrigin: null, fields: [] });
    expect(await read(listRecordTypes)).toEqual([changed, open]);
    expect(await read((tx) => showRecordType(tx, 'open'))).toEqual(open);

    await refusedUnchanged('conflict', (tx) => createRecordType(tx, 'hardware', {}), /already exists/);
    await refusedUnchanged('not-found', (tx) => changeRecordType(tx, 'Software', { priorities: 'high' }));
    await refusedUnchanged('not-found', (tx) => changeRecordType(tx, 'Hardware', { removeFields: ['size'] }));
    await refusedUnchanged('invalid', (tx) => changeRecordType(tx, 'Hardware', { statuses: 'New,Closed' }));
  });
});

describe('a case that names an asset and has record-type fields', () => {
  it('keeps the asset and the field values, changes them with case update, clones them; asset show lists the cases', async () => {
    const request = { subject: 'Printer jams', contact: 'ann@acme.example', asset: 'SN-abc-1', recordType: 'hardware', fields: ['serial=42', 'bought=2024-03-31'], notify: false };
    const made = await createCase(store.db, config, request, at(15));
    expect(made).toMatchObject({ recordType: 'Hardware', priority: 'High', origin: 'Email', fields: { serial: '42', bought: '2024-03-31' }, asset: { serial: 'SN-ABC-1', product: { code: 'LP-9000' } } });
    const router = (await read((tx) => listAssets(tx, { search: 'router' })))[0];
    await write((tx) => updateCaseRequest(tx, made.number, { asset: String(router?.id), fields: ['serial=43', 'bought='] }, at(16)));
    const shown = await showCase(store.db, config, made.number);
    expect(shown).toMatchObject({ fields: { serial: '43' }, asset: { id: router?.id, serial: null, product: null } });
    expect(shown.fields).not.toHaveProperty('bought');
    const clone = await write((tx) => cloneCaseRequest(tx, config, made.number, { notify: false }, at(17)));
    expect(await showCase(store.db, config, clone.number)).toMatchObject({ recordType: 'Hardware', fields: { serial: '43' }, asset: { id: router?.id } });
    expect((await read((tx) => showAsset(tx, String(router?.id)))).cases).toEqual([made.number, clone.number]);

    // A refused change leaves the case as it was: a required field cannot be cleared; an asset of another contact cannot be named.
    await refusedUnchanged('invalid', (tx) => updateCaseRequest(tx, made.number, { fields: ['serial='] }));
    await refusedUnchanged('invalid', (tx) => updateCaseRequest(tx, made.number, { fields: ['serial=not a number'] }));
    await refusedUnchanged('not-found', (tx) => updateCaseRequest(tx, made.number, { asset: 'SN-NONE' }));
    await refusedUnchanged('invalid', (tx) => openCaseRequest(tx, config, { ...request, fields: ['bought=2024-03-31'] }));
  });
});

describe('rule', () => {
  it('add keeps each criterion exactly (nulls where not given), --order moves later rules down, remove keeps the order', async () => {
    const acme = (await read(listAccounts)).find((a) => a.name === 'Acme Ltd');
    const first = await write((tx) => addRule(tx, { owner: 'kim@support.example', subjectContains: ' Invoice ', priority: 'high' }, at(16)));
    expect(first).toEqual({ id: expect.any(Number), order: 1, owner: 'kim@support.example', subjectContains: 'Invoice', fromDomain: null, priority: 'High', account: null, createdAt: iso(at(16)) });
    const second = await write((tx) => addRule(tx, { owner: 'SAM@support.example', fromDomain: '@Partner.Example', account: acme?.id }, at(17)));
    expect(second).toMatchObject({ order: 2, owner: 'Sam@Support.Example', subjectContains: null, fromDomain: 'partner.example', priority: null, account: acme?.id });
    const top = await write((tx) => addRule(tx, { owner: 'kim@support.example', subjectContains: 'outage', order: '1' }, at(18)));
    expect(top.order).toBe(1);
    expect((await read(listRules)).map((r) => [r.id, r.order])).toEqual([
      [top.id, 1],
      [first.id, 2],
      [second.id, 3],
    ]);
    expect(await write((tx) => removeRule(tx, String(first.id)))).toEqual({ ...first, order: 2 });
    const left = await read(listRules);
    expect(left.map((r) => r.id)).toEqual([top.id, second.id]);
    expect(left[1]).toEqual({ ...second, order: left[1]?.order });

    await refusedUnchanged('not-found', (tx) => removeRule(tx, String(first.id)));
    await refusedUnchanged('not-found', (tx) => addRule(tx, { owner: 'nobody@support.example', subjectContains: 'x' }));
    await refusedUnchanged('not-found', (tx) => addRule(tx, { owner: 'kim@support.example', account: 999999 }));
    await refusedUnchanged('invalid', (tx) => addRule(tx, { owner: 'kim@support.example' }), /at least one criterion/);
  });
});

describe('routing', () => {
  it('add with defaults and settings, update only what is given, find in any letter case, remove', async () => {
    const support = await write((tx) => addRoutingAddress(tx, config, { address: 'Support@Acme-Support.example' }, at(19)));
    expect(support).toEqual({
      id: expect.any(Number),
      address: 'Support@Acme-Support.example',
      priority: 'Medium',
      origin: 'Email',
      owner: null,
      createContacts: false,
      notify: true,
      recordType: null,
      acceptFrom: [],
      block: [],
      rateLimit: 0,
      saveHeaders: false,
      autoResponse: null,
      autoResponseIf: null,
      createdAt: iso(at(19)),
    });
    const template = 'Thanks {{contact.firstName}}: case {{case.number}}.\r\nReply to {{replyAddress}}.\n';
    const partners = await write((tx) =>
      addRoutingAddress(
        tx,
        config,
        { address: 'partners@acme-support.example', priority: 'low', origin: 'Web', owner: 'kim@support.example', createContacts: true, notify: false, recordType: 'open', acceptFrom: '@Partner.example, bob@example.org', rateLimit: '10', saveHeaders: true, autoResponse: template, autoResponseIf: ' urgent ' },
        at(20),
      ),
    );
    expect(partners).toMatchObject({
      priority: 'Low',
      origin: 'Web',
      owner: 'kim@support.example',
      createContacts: true,
      notify: false,
      recordType: 'Open',
      acceptFrom: ['@partner.example', 'bob@example.org'],
      block: [],
      rateLimit: 10,
      saveHeaders: true,
      autoResponse: template.replace(/\r\n/g, '\n'),
      autoResponseIf: 'urgent',
    });
    expect(await storedTimes('routing_addresses', partners.id, ['rate_limit', 'created_at'])).toEqual([10, at(20)]);
    // A record type a routing address uses lists it, and may not become one mail cannot open cases of.
    expect((await read((tx) => showRecordType(tx, 'open'))).routing).toEqual(['partners@acme-support.example']);
    await refusedUnchanged('invalid', (tx) => changeRecordType(tx, 'Open', { fields: ['ticket:text:required'] }), /routing address partners@acme-support\.example opens cases/);

    const updated = await write((tx) => updateRoutingAddress(tx, 'SUPPORT@acme-support.example', { block: 'spam@evil.example,@spam.example', rateLimit: 5, saveHeaders: true }));
    expect(updated).toEqual({ ...support, block: ['spam@evil.example', '@spam.example'], rateLimit: 5, saveHeaders: true });
    const cleared = await write((tx) => updateRoutingAddress(tx, 'partners@acme-support.example', { acceptFrom: '', owner: '', recordType: '', autoResponse: null, rateLimit: '0', notify: true, createContacts: false, saveHeaders: false }));
    expect(cleared).toEqual({ ...partners, acceptFrom: [], owner: null, recordType: null, autoResponse: null, autoResponseIf: null, rateLimit: 0, notify: true, createContacts: false, saveHeaders: false });
    expect(await read(listRoutingAddresses)).toEqual([updated, cleared]);
    expect(await read((tx) => findRoutingAddress(tx, 'PARTNERS@ACME-SUPPORT.EXAMPLE'))).toEqual(cleared);
    // The record type now names no routing address once it was cleared.
    expect((await read((tx) => showRecordType(tx, 'Open'))).routing).toEqual([]);

    await refusedUnchanged('conflict', (tx) => addRoutingAddress(tx, config, { address: 'support@ACME-support.example' }), /already exists/);
    await refusedUnchanged('not-found', (tx) => addRoutingAddress(tx, config, { address: 'new@acme-support.example', owner: 'nobody@support.example' }));
    await refusedUnchanged('not-found', (tx) => addRoutingAddress(tx, config, { address: 'new@acme-support.example', recordType: 'Software' }));
    await refusedUnchanged('invalid', (tx) => addRoutingAddress(tx, config, { address: 'new@acme-support.example', recordType: 'Hardware' }), /required field/);
    await refusedUnchanged('not-found', (tx) => updateRoutingAddress(tx, 'nobody@acme-support.example', { rateLimit: 1 }));
    await refusedUnchanged('invalid', (tx) => updateRoutingAddress(tx, 'support@acme-support.example', { rateLimit: 3, block: 'not an address' }));
    await refusedUnchanged('invalid', (tx) => updateRoutingAddress(tx, 'support@acme-support.example', { autoResponseIf: 'urgent' }), /needs an auto-response/);

    expect(await write((tx) => removeRoutingAddress(tx, 'Partners@Acme-Support.example'))).toEqual(cleared);
    expect(await read(listRoutingAddresses)).toEqual([updated]);
    await refusedUnchanged('not-found', (tx) => removeRoutingAddress(tx, 'partners@acme-support.example'));
  });
});

describe('apikey', () => {
  it('create with permissions keeps only the hash, list, authenticate, revoke once', async () => {
    const ops = await write((tx) => createApiKey(tx, ' ops ', 'edit,read', at(21)));
    expect(ops).toEqual({ id: expect.any(Number), name: 'ops', prefix: ops.key.slice(0, 11), permissions: ['read', 'edit'], createdAt: iso(at(21)), revokedAt: null, key: expect.stringMatching(/^cgk_[\w-]{43}$/) });
    const all = await write((tx) => createApiKey(tx, 'portal', undefined, at(22)));
    expect(all.permissions).toEqual(['read', 'create', 'edit']);
    const stored = await query<Record<string, unknown>>(store.db, 'SELECT * FROM api_keys ORDER BY id');
    expect(stored.map((r) => r.key_hash)).toEqual([hashKey(ops.key), hashKey(all.key)]);
    expect(JSON.stringify(stored)).not.toContain(ops.key);
    expect(JSON.stringify(stored)).not.toContain(all.key);
    expect(stored.map((r) => [r.created_at, r.revoked_at])).toEqual([
      [at(21), null],
      [at(22), null],
    ]);
    const { key: _k1, ...opsRecord } = ops;
    const { key: _k2, ...allRecord } = all;
    expect(await read(listApiKeys)).toEqual([opsRecord, allRecord]);
    expect(await read((tx) => authenticateKey(tx, ops.key))).toEqual({ id: ops.id, name: 'ops', permissions: ['read', 'edit'] });
    expect(await read((tx) => authenticateKey(tx, `${ops.key}x`))).toBeNull();

    expect(await write((tx) => revokeApiKey(tx, String(ops.id), at(23)))).toEqual({ ...opsRecord, revokedAt: iso(at(23)) });
    expect(await storedTimes('api_keys', ops.id, ['revoked_at'])).toEqual([at(23)]);
    expect(await read((tx) => authenticateKey(tx, ops.key))).toEqual({ revoked: true });
    await refusedUnchanged('conflict', (tx) => revokeApiKey(tx, String(ops.id)), /already revoked/);
    await refusedUnchanged('not-found', (tx) => revokeApiKey(tx, '999999'));
    await refusedUnchanged('invalid', (tx) => createApiKey(tx, 'x', 'read,fly'));
  });
});
