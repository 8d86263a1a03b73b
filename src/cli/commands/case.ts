// `casegate case ...`: open, list, show, close, reopen, and link the contact of cases.
import { Command } from 'commander';
import { action } from '../run.js';
import { printRecord, printTable } from '../output.js';
import { requireContact } from '../../admin/contacts.js';
import { requireCase } from '../../cases/find.js';
import { openCaseRequest } from '../../cases/request.js';
import { closeCase, reopenCase } from '../../cases/status.js';
import { linkContact, unlinkContact } from '../../cases/contactLink.js';
import { caseDetail, caseList, caseSearch, suggestedContacts, type CaseDetail } from '../../views/case.js';
import type { Context } from '../run.js';
import type { AssetDetails } from '../../admin/assets.js';
import { cloneCaseRequest } from '../../cases/clone.js';
import { updateCaseRequest } from '../../cases/update.js';
import { invalid } from '../../errors.js';
import { requireUserAllowed } from '../../admin/permissions.js';
import type { Permission } from '../../domain/permissions.js';
import type { Tx } from '../../db/client.js';
import type { CaseRow } from '../../db/cases.js';

interface CreateOptions {
  subject: string;
  description?: string;
  contact?: string;
  account?: string;
  parent?: string;
  asset?: string;
  newAsset?: string;
  serial?: string;
  product?: string;
  recordType?: string;
  field: string[];
  priority?: string;
  origin?: string;
  owner?: string;
  closed?: boolean;
  notify: boolean;
  assign: boolean;
  as?: string;
}

const LIST_COLUMNS = ['number', 'status', 'priority', 'subject', 'contact', 'owner', 'parent'];

function printCase(c: CaseDetail, full = false): void {
  printRecord({ ...c, contact: c.contact ? `${c.contact.email} (contact ${c.contact.id})` : c.suppliedEmail ? `unlinked (from ${c.suppliedEmail})` : 'unlinked' });
  if (c.asset) {
    const product = c.asset.product ? `, product ${c.asset.product.code} ${c.asset.product.name}` : '';
    console.log(`asset:             ${c.asset.id} ${c.asset.name}${c.asset.serial ? ` (serial ${c.asset.serial})` : ''}${product}`);
  }
  for (const [key, value] of Object.entries(c.fields)) console.log(`${(key + ':').padEnd(19)}${value}`);
  if (c.children.length > 0) console.log(`children:          ${c.children.join(', ')}`);
  console.log(`collaborators:     ${c.collaborators.map((x) => `${x.email}${x.activeContact ? ' (active contact)' : ''}`).join(', ') || '-'}`);
  for (const h of c.history) console.log(`history:           ${h.at} ${h.field} ${h.from ?? '(none)'} -> ${h.to ?? '(none)'} by ${h.by}`);
  if (c.suggestedContacts.length > 0) {
    console.log(`suggested contacts: ${c.suggestedContacts.map((s) => `${s.id} ${s.email}`).join(', ')}`);
  }
  for (const m of c.comments) {
    console.log(`\n--- ${m.createdAt} ${m.author} (${m.source}${m.internal ? ', internal' : ''})`);
    console.log(full ? m.fullBody : m.body);
    for (const a of m.attachments) console.log(`[attachment] ${a.filename} ${a.contentType} ${a.size} bytes sha256 ${a.sha256}`);
  }
}

const collect = (v: string, all: string[]): string[] => [...all, v];

/** `--new-asset NAME [--serial S] [--product CODE]`; --serial or --product alone is a mistake. */
function newAsset(o: CreateOptions): AssetDetails | null {
  if (o.newAsset === undefined) {
    if (o.serial !== undefined || o.product !== undefined) throw invalid('--serial and --product describe a new asset; give --new-asset NAME with them');
    return null;
  }
  return { name: o.newAsset, serial: o.serial ?? null, product: o.product ?? null };
}

/** `--as USER`: that user must hold `need` (without --as the operator acts, who may do all). */
async function acting(tx: Tx, o: AsOption, need: Permission, doing: string): Promise<void> {
  if (o.as !== undefined) await requireUserAllowed(tx, o.as, need, doing);
}

interface AsOption {
  as?: string;
}

const AS_HELP = 'the user doing this; refused when the user lacks the permission (see "user create --can")';

/** Runs a change of one case (the acting user needs Edit) and shows the case afterwards. */
const onCase =
  (change: (tx: Tx, number: string, actor: string) => Promise<CaseRow>) =>
  (ctx: Context, o: AsOption, [n]: string[]): Promise<CaseDetail> =>
    ctx.write(async (tx) => {
      const user = o.as === undefined ? null : await requireUserAllowed(tx, o.as, 'edit', `edit case ${n}`);
      return caseDetail(tx, await change(tx, n as string, user?.email ?? 'operator'), ctx.config.domain);
    });


export function caseCommand(): Command {
  const cmd = new Command('case').description('open, clone, search, list, show, update, assign, close and reopen cases; link their contact');

  cmd
    .command('create')
    .description('open a case; its contact gets a "case created" email unless --no-notify')
    .requiredOption('--subject <text>', 'what the case is about')
    .option('--description <text>', 'longer text of the case')
    .option('--contact <id|email>', 'the contact the case is for (its account and division become the defaults)')
    .option('--account <id>', 'account, when it is not the contact\'s')
    .option('--parent <number>', 'number of the parent case, e.g. 00001001')
    .option('--asset <id|serial>', 'the asset the case is about: one of the case\'s account, see "asset list --contact EMAIL"')
    .option('--new-asset <name>', 'create the asset on the way, for the case\'s contact (or account)')
    .option('--serial <serial>', 'serial number of --new-asset')
    .option('--product <code>', 'product code of --new-asset')
    .option('--record-type <name>', 'record type: its priorities, origins and fields apply (see "recordtype show NAME")')
    .option('--field <key=value>', 'value of a field of the record type (repeat for several)', collect, [] as string[])
    .option('--priority <p>', 'High, Medium or Low (default: the record type\'s default, else Medium)')
    .option('--origin <o>', 'where the case came from, e.g. Phone, Web, Email (default: the record type\'s default, else CLI)')
    .option('--owner <email>', 'user who owns the case (otherwise assignment rules, then the default owner)')
    .option('--closed', 'create the case already closed (closedWhenCreated)')
    .option('--no-notify', 'do not send the "case created" email')
    .option('--no-assign', 'do not run assignment rules; the creator (--as) owns the case')
    .option('--as <email>', 'the user creating the case; needs the create permission')
    .addHelpText('after', '\nExample:\n  casegate case create --subject "Printer jammed" --contact ann@acme.example --priority High')
    .action(
      action<CreateOptions, CaseDetail>(
        (ctx, o) => {
          const request = {
            subject: o.subject,
            description: o.description,
            contact: o.contact ?? null,
            account: o.account ?? null,
            parent: o.parent ?? null,
            asset: o.asset ?? null,
            newAsset: newAsset(o),
            recordType: o.recordType ?? null,
            fields: o.field,
            priority: o.priority,
            origin: o.origin,
            owner: o.owner ?? null,
            closed: o.closed === true,
            notify: o.notify,
            assign: o.assign,
            as: o.as ?? null,
          };
          return ctx.write(async (tx) => caseDetail(tx, await openCaseRequest(tx, ctx.config, request), ctx.config.domain));
        },
        (c) => {
          console.log(`created case ${c.number}; replies go to ${c.address}`);
          printCase(c);
        },
      ),
    );

  cmd
    .command('clone')
    .description('open a new case with the contact, account, asset, record type, fields, subject, description, priority and origin of another (not its comments or collaborators)')
    .argument('<number>', 'number of the case to clone')
    .option('--no-notify', 'do not send the "case created" email')
    .option('--as <email>', 'the user cloning; needs the read and create permissions')
    .addHelpText('after', '\nExample:\n  casegate case clone 00001001')
    .action(
      action<{ notify: boolean } & AsOption, CaseDetail>(
        (ctx, o, [n]) =>
          ctx.write(async (tx) => caseDetail(tx, await cloneCaseRequest(tx, ctx.config, n as string, { as: o.as ?? null, notify: o.notify }), ctx.config.domain)),
        (c) => {
          console.log(`created case ${c.number}; replies go to ${c.address}`);
          printCase(c);
        },
      ),
    );

  cmd
    .command('update')
    .description('change a case: its owner, priority, status, asset, the values of its record type\'s fields; owner, priority and status changes go into its history (no email is sent for them)')
    .argument('<number>', 'case number')
    .option('--owner <email>', 'the user who owns the case from now on')
    .option('--priority <p>', 'High, Medium or Low (those the case\'s record type allows)')
    .option('--status <s>', 'New, Working, Escalated or Closed (those the case\'s record type allows); Closed sets the closing time, another status reopens')
    .option('--asset <id|serial>', 'the asset the case is about: one of the case\'s account')
    .option('--field <key=value>', 'value of a field of the case\'s record type; empty clears it (repeat for several)', collect, [] as string[])
    .option('--as <email>', 'the user changing the case; needs the edit permission')
    .addHelpText('after', '\nExamples:\n  casegate case update 00001001 --status Escalated --priority High\n  casegate case update 00001001 --asset SN-1001')
    .action(
      action<{ owner?: string; priority?: string; status?: string; asset?: string; field: string[] } & AsOption, CaseDetail>(
        (ctx, o, [n]) =>
          ctx.write(async (tx) =>
            caseDetail(
              tx,
              await updateCaseRequest(tx, n as string, { owner: o.owner, priority: o.priority, status: o.status, asset: o.asset ?? null, fields: o.field, as: o.as ?? null }),
              ctx.config.domain,
            ),
          ),
        (c) => printCase(c),
      ),
    );

  cmd
    .command('assign')
    .description('give a case to a user (the same as "case update NUMBER --owner USER"); the change goes into its history')
    .argument('<number>', 'case number')
    .argument('<user>', 'email of the user who owns the case from now on')
    .option('--as <email>', 'the user assigning; needs the edit permission')
    .addHelpText('after', '\nExample:\n  casegate case assign 00001001 bo@support.example')
    .action(
      action<AsOption, CaseDetail>(
        (ctx, o, [n, user]) =>
          ctx.write(async (tx) => caseDetail(tx, await updateCaseRequest(tx, n as string, { owner: user as string, as: o.as ?? null }), ctx.config.domain)),
        (c) => console.log(`case ${c.number} is owned by ${c.owner}`),
      ),
    );

  cmd
    .command('search')
    .description('find cases by subject, description, contact (email or name) or account name, before opening a new one')
    .argument('<text>', 'text to look for (letter case ignored)')
    .option('--as <email>', AS_HELP)
    .addHelpText('after', '\nExample:\n  casegate case search printer')
    .action(
      action<AsOption, Awaited<ReturnType<typeof caseSearch>>>(
        (ctx, o, [text]) =>
          ctx.read(async (tx) => {
            await acting(tx, o, 'read', 'view cases');
            return caseSearch(tx, text as string, ctx.config.domain);
          }),
        (rows) => printTable(rows.map((r) => ({ ...r, contact: r.contact?.email ?? (r.suppliedEmail ? `(${r.suppliedEmail})` : null) })), LIST_COLUMNS),
      ),
    );

  cmd
    .command('list')
    .description('list cases, oldest first')
    .option('--status <s>', 'only cases with this status: New, Working, Escalated, Closed')
    .option('--unlinked', 'only cases without a contact (they need one linked)')
    .option('--unowned', 'only cases without an owner (no rule matched and no default owner; give them one)')
    .option('--owner <email>', 'only cases this user owns')
    .option('--contact <id|email>', 'only cases of this contact')
    .option('--account <id>', 'only cases of this account')
    .option('--updated-since <when>', 'only cases changed since WHEN: a date (2026-12-01), a time (2026-12-01T09:30Z) or a duration back from now (2h, 7d)')
    .option('--as <email>', AS_HELP)
    .action(
      action<{ status?: string; unlinked?: boolean; unowned?: boolean; owner?: string; contact?: string; account?: string; updatedSince?: string } & AsOption, Awaited<ReturnType<typeof caseList>>>(
        (ctx, o) =>
          ctx.read(async (tx) => {
            await acting(tx, o, 'read', 'view cases');
            const { as: _as, ...filter } = o;
            return caseList(tx, filter, ctx.config.domain);
          }),
        (rows) => printTable(rows.map((r) => ({ ...r, contact: r.contact?.email ?? (r.suppliedEmail ? `(${r.suppliedEmail})` : null) })), LIST_COLUMNS),
      ),
    );

  cmd
    .command('show')
    .description('show a case with its collaborators and comments')
    .argument('<number>', 'case number, e.g. 00001001')
    .option('--full', 'print the whole text of mailed comments, quoted history included (--json always has it as fullBody)')
    .option('--as <email>', AS_HELP)
    .action(
      action<{ full?: boolean } & AsOption, CaseDetail>(
        (ctx, o, [n]) =>
          ctx.read(async (tx) => {
            await acting(tx, o, 'read', 'view cases');
            return caseDetail(tx, await requireCase(tx, n as string), ctx.config.domain);
          }),
        (c, _ctx, o) => printCase(c, o.full === true),
      ),
    );

  cmd
    .command('close')
    .description('close a case (a later reply reopens it, see CASEGATE_CLOSED_CASE_REPLY)')
    .argument('<number>', 'case number')
    .option('--as <email>', AS_HELP)
    .action(action<AsOption, CaseDetail>(onCase(async (tx, n, by) => closeCase(tx, await requireCase(tx, n), Date.now(), by)), (c) => console.log(`case ${c.number} is ${c.status}`)));

  cmd
    .command('reopen')
    .description('reopen a closed case (status Working)')
    .argument('<number>', 'case number')
    .option('--as <email>', AS_HELP)
    .action(action<AsOption, CaseDetail>(onCase(async (tx, n, by) => reopenCase(tx, await requireCase(tx, n), Date.now(), by)), (c) => console.log(`case ${c.number} is ${c.status}`)));

  cmd
    .command('link-contact')
    .description('link a case to a contact, or relink it to another one')
    .argument('<number>', 'case number')
    .argument('<contact>', 'contact id or email')
    .option('--as <email>', AS_HELP)
    .action(
      action<AsOption, CaseDetail>(
        (ctx, o, [n, c]) =>
          ctx.write(async (tx) => {
            await acting(tx, o, 'edit', `edit case ${n}`);
            const row = await requireCase(tx, n as string);
            return caseDetail(tx, await linkContact(tx, row, await requireContact(tx, c as string), Date.now()), ctx.config.domain);
          }),
        (c) => console.log(`case ${c.number} is linked to ${c.contact?.email}`),
      ),
    );

  cmd
    .command('unlink-contact')
    .description('remove the contact of a case (it then shows in "case list --unlinked")')
    .argument('<number>', 'case number')
    .option('--as <email>', AS_HELP)
    .action(action<AsOption, CaseDetail>(onCase(async (tx, n) => unlinkContact(tx, await requireCase(tx, n), Date.now())), (c) => console.log(`case ${c.number} has no contact now`)));

  cmd
    .command('suggest-contacts')
    .description('contacts that may be the sender of a case: by email, then name, then username/handle/external id')
    .argument('<number>', 'case number')
    .action(
      action<object, Awaited<ReturnType<typeof suggestedContacts>>>(
        (ctx, _o, [n]) => ctx.read(async (tx) => suggestedContacts(tx, await requireCase(tx, n as string))),
        (rows) => printTable(rows, ['id', 'email', 'firstName', 'lastName', 'account']),
      ),
    );
  return cmd;
}
