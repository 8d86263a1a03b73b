// `casegate product create --name N --code C | list`
import { Command } from 'commander';
import { createProduct, listProducts } from '../../admin/products.js';
import { printRecord, printTable } from '../output.js';
import { action } from '../run.js';

export function productCommand(): Command {
  const product = new Command('product')
    .description('manage the product catalogue that assets name')
    .addHelpText(
      'after',
      `
Examples:
  casegate product create --name "Laser Printer 9000" --code LP-9000
  casegate product list`,
    );

  product
    .command('create')
    .description('add a product; its code is unique (letter case ignored)')
    .requiredOption('--name <name>', 'name of the product, e.g. "Laser Printer 9000"')
    .requiredOption('--code <code>', 'short code that assets and "case create --product" name, e.g. LP-9000')
    .addHelpText('after', '\nExample:\n  casegate product create --name "Laser Printer 9000" --code LP-9000')
    .action(
      action(
        (ctx, o: { name: string; code: string }) => ctx.write((tx) => createProduct(tx, o)),
        (r) => printRecord(r),
      ),
    );

  product
    .command('list')
    .description('list every product')
    .action(
      action(
        (ctx) => ctx.read((tx) => listProducts(tx)),
        (rows) => printTable(rows, ['id', 'code', 'name', 'createdAt']),
      ),
    );

  return product;
}
