// `casegate recordtype create NAME [--statuses A,B] [--priorities A,B] [--origins A,B]
// [--default-priority P] [--default-origin O] [--field 'key:type[:required]']… | list | show NAME
// | update NAME … [--remove-field KEY]…`
import { Command } from 'commander';
import { changeRecordType, createRecordType, listRecordTypes, showRecordType, type RecordTypeInput, type RecordTypeRecord } from '../../admin/recordTypes.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface Options {
  statuses?: string;
  priorities?: string;
  origins?: string;
  defaultPriority?: string;
  defaultOrigin?: string;
  field: string[];
  removeField: string[];
}

const collect = (v: string, all: string[]): string[] => [...all, v];
const input = (o: Options): RecordTypeInput => ({ ...o, fields: o.field, removeFields: o.removeField });

const describeField = (f: RecordTypeRecord['fields'][number]): string =>
  `${f.key}:${f.type === 'picklist' ? `picklist(${f.options.join('|')})` : f.type}${f.required ? ':required' : ''}`;

function print(r: RecordTypeRecord): void {
  printRecord({
    ...r,
    statuses: r.statuses?.join(', ') ?? 'all',
    priorities: r.priorities?.join(', ') ?? 'all',
    origins: r.origins?.join(', ') ?? 'any',
    fields: r.fields.map(describeField).join(', ') || '-',
    routing: r.routing.join(', ') || '-',
  });
}

function withValueOptions(cmd: Command): Command {
  return cmd
    .option('--statuses <list>', 'allowed statuses, a subset of New, Working, Escalated, Closed that keeps New, Working and Closed')
    .option('--priorities <list>', 'allowed priorities, a subset of High, Medium, Low')
    .option('--origins <list>', 'allowed origins, e.g. Phone,Email,Web (default: any)')
    .option('--default-priority <p>', 'priority of a new case that names none (default Medium, else the first allowed)')
    .option('--default-origin <o>', 'origin of a new case that names none (default: the first of --origins)')
    .option('--field <key:type[:required]>', 'a custom field: type text, number, date or picklist(a|b|c) (repeat for several)', collect, [] as string[]);
}

export function recordTypeCommand(): Command {
  const rt = new Command('recordtype')
    .description('manage record types: the statuses, priorities, origins and custom fields of a kind of case')
    .addHelpText(
      'after',
      `
Examples:
  casegate recordtype create Hardware --priorities High,Medium --origins Phone,Email --field 'model:text:required' --field 'tier:picklist(gold|silver)'
  casegate case create --subject "Jam" --record-type Hardware --field model=LP-9000 --field tier=gold`,
    );

  withValueOptions(rt.command('create').description('create a record type').argument('<name>', 'name, unique (letter case ignored)')).action(
    action(
      (ctx, o: Options, [name]) => ctx.write((tx) => createRecordType(tx, name as string, input(o))),
      (r) => print(r),
    ),
  );

  withValueOptions(rt.command('update').description('change a record type; a --field of an existing key replaces it').argument('<name>', 'name of the record type'))
    .option('--remove-field <key>', 'drop a field (repeat for several)', collect, [] as string[])
    .action(
      action(
        (ctx, o: Options, [name]) => ctx.write((tx) => changeRecordType(tx, name as string, input(o))),
        (r) => print(r),
      ),
    );

  rt.command('list')
    .description('list every record type')
    .action(
      action(
        (ctx) => ctx.read((tx) => listRecordTypes(tx)),
        (rows) => printTable(rows.map((r) => ({ ...r, fields: r.fields.map((f) => f.key) })), ['id', 'name', 'priorities', 'origins', 'fields']),
      ),
    );

  rt.command('show')
    .description('show a record type with its fields and the routing addresses that use it')
    .argument('<name>', 'name of the record type')
    .action(
      action(
        (ctx, _o: object, [name]) => ctx.read((tx) => showRecordType(tx, name as string)),
        (r) => print(r),
      ),
    );

  return rt;
}
