// `casegate asset create --name N [--serial S] (--contact EMAIL | --account ID) [--product CODE]
// [--installed YYYY-MM-DD] [--status S] | list [--contact EMAIL] [--search T] | show ID|SERIAL`
import { Command } from 'commander';
import { createAsset, listAssets, showAsset, type AssetRecord, type NewAsset } from '../../admin/assets.js';
import { ASSET_STATUSES } from '../../domain/assets.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

const LIST_COLUMNS = ['id', 'name', 'serial', 'product', 'contact', 'account', 'status'];
const row = (a: AssetRecord) => ({ ...a, product: a.product?.code ?? null });

export function assetCommand(): Command {
  const asset = new Command('asset')
    .description('manage assets: what your contacts and accounts own, named on their cases')
    .addHelpText(
      'after',
      `
Examples:
  casegate asset create --name "Printer 3rd floor" --serial SN-1001 --contact ann@acme.example --product LP-9000
  casegate asset list --contact ann@acme.example
  casegate asset show SN-1001`,
    );

  asset
    .command('create')
    .description('add an asset of a contact (and its account) or of an account alone')
    .requiredOption('--name <name>', 'what the asset is, e.g. "Printer 3rd floor"')
    .option('--serial <serial>', 'serial number, unique (letter case ignored)')
    .option('--contact <id|email>', 'the contact who owns it')
    .option('--account <id>', 'the account that owns it (instead of a contact)')
    .option('--product <code>', 'product code, see "casegate product list"')
    .option('--installed <date>', 'install date, YYYY-MM-DD')
    .option('--status <status>', `one of ${ASSET_STATUSES.join(', ')}`, 'Installed')
    .addHelpText('after', '\nExample:\n  casegate asset create --name "Printer 3rd floor" --serial SN-1001 --contact ann@acme.example --installed 2024-03-01')
    .action(
      action(
        (ctx, o: NewAsset) => ctx.write((tx) => createAsset(tx, o)),
        (r) => printRecord(row(r)),
      ),
    );

  asset
    .command('list')
    .description('list assets; with --contact the ones its cases may name, its own first (the asset lookup of a case)')
    .option('--contact <id|email>', 'the contact a case is for')
    .option('--search <text>', 'only assets whose name or serial number contains the text')
    .action(
      action(
        (ctx, o: { contact?: string; search?: string }) => ctx.read((tx) => listAssets(tx, o)),
        (rows) => printTable(rows.map(row), LIST_COLUMNS),
      ),
    );

  asset
    .command('show')
    .description('show an asset, its product and the cases that name it')
    .argument('<asset>', 'asset id or serial number')
    .action(
      action(
        (ctx, _o: object, [ref]) => ctx.read((tx) => showAsset(tx, ref as string)),
        (a) => {
          printRecord({ ...row(a), product: a.product ? `${a.product.code} ${a.product.name}` : null });
          console.log(`cases:       ${a.cases.join(', ') || '-'}`);
        },
      ),
    );

  return asset;
}
