// `casegate rule add --owner EMAIL [criteria] [--order N] | list | remove ID`
import { Command } from 'commander';
import { addRule, listRules, removeRule } from '../../admin/rules.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

interface AddOptions {
  owner: string;
  subjectContains?: string;
  fromDomain?: string;
  priority?: string;
  account?: string;
  order?: string;
}

export function ruleCommand(): Command {
  const rule = new Command('rule')
    .description('manage assignment rules: who owns a new case that has no explicit owner')
    .addHelpText(
      'after',
      `
Rules are tried in order; the first rule whose every criterion holds gives the case its owner.
Text criteria ignore letter case. When no rule matches, CASEGATE_DEFAULT_OWNER owns the case.
An explicit owner (case create --owner, or a routing address's --owner) always wins.

Examples:
  casegate rule add --owner ann@support.example.com --subject-contains invoice
  casegate rule add --owner bo@support.example.com --from-domain acme.example --order 1
  casegate rule list
  casegate rule remove 2`,
    );

  rule
    .command('add')
    .description('add a rule; give the owner and at least one criterion')
    .requiredOption('--owner <email>', 'email of the user who gets the matching cases')
    .option('--subject-contains <text>', 'the subject contains this text')
    .option('--from-domain <domain>', 'the sender\'s address is at this domain, e.g. acme.example')
    .option('--priority <priority>', 'the case has this priority: High, Medium or Low')
    .option('--account <id>', 'the case belongs to this account (id from "casegate account list")')
    .option('--order <n>', 'position of the rule, 1 = tried first (default: after the last rule); rules at N or later move down')
    .addHelpText(
      'after',
      `
Example:
  casegate rule add --owner ann@support.example.com --subject-contains invoice --priority high`,
    )
    .action(
      action(
        (ctx, o: AddOptions) =>
          ctx.write((tx) =>
            addRule(tx, {
              owner: o.owner,
              subjectContains: o.subjectContains ?? null,
              fromDomain: o.fromDomain ?? null,
              priority: o.priority ?? null,
              account: o.account ?? null,
              order: o.order ?? null,
            }),
          ),
        (r) => printRecord(r),
      ),
    );

  rule
    .command('list')
    .description('list the rules in the order they are tried')
    .addHelpText('after', '\nExample:\n  casegate rule list --json')
    .action(
      action(
        (ctx) => ctx.read((tx) => listRules(tx)),
        (rows) => printTable(rows, ['order', 'id', 'owner', 'subjectContains', 'fromDomain', 'priority', 'account']),
      ),
    );

  rule
    .command('remove')
    .description('delete a rule; the other rules keep their order')
    .argument('<id>', 'the rule\'s ID as shown by "casegate rule list"')
    .addHelpText('after', '\nExample:\n  casegate rule remove 2')
    .action(
      action(
        (ctx, _opts, [id]) => ctx.write((tx) => removeRule(tx, id ?? '')),
        (r) => console.log(`removed rule ${r.id} (owner ${r.owner})`),
      ),
    );

  return rule;
}
