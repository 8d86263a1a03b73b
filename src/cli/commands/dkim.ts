// `casegate dkim keygen`: a private key for signing notifications, and the DNS record to publish.
import { Command } from 'commander';
import { configAction } from '../run.js';
import { zoneTxtLine } from '../../domain/dnsRecords.js';
import { createDkimKeyFile, type NewDkimKey } from '../../outbound/dkim.js';

interface KeygenOptions {
  out: string;
  selector?: string;
  bits: string;
}

export function dkimCommand(): Command {
  const dkim = new Command('dkim').description('DKIM keys for signing notifications (CASEGATE_DKIM_KEY, CASEGATE_DKIM_SELECTOR)');
  dkim
    .command('keygen')
    .description('write a new RSA private key to FILE (mode 0600) and print the TXT record to publish for the domain of CASEGATE_FROM')
    .requiredOption('--out <file>', 'where to write the private key (never overwritten)')
    .option('--selector <s>', 'the selector: the record is published at S._domainkey.DOMAIN (default CASEGATE_DKIM_SELECTOR, else casegate)')
    .option('--bits <n>', 'key size: 1024, 2048, 3072 or 4096', '2048')
    .addHelpText(
      'after',
      '\nThen publish the record, set CASEGATE_DKIM_KEY=FILE and CASEGATE_DKIM_SELECTOR=S, and check with "casegate doctor".',
    )
    .action(
      configAction(
        (ctx, opts: KeygenOptions) =>
          createDkimKeyFile(ctx.config, {
            out: opts.out,
            selector: opts.selector ?? ctx.config.dkimSelector ?? 'casegate',
            bits: opts.bits,
          }),
        printKey,
      ),
    );
  return dkim;
}

function printKey(k: NewDkimKey): void {
  console.log(
    [
      `wrote a ${k.bits}-bit RSA private key to ${k.file} (mode 0600); keep it secret`,
      `publish this TXT record in the DNS of ${k.domain}:`,
      `  name:  ${k.name}`,
      `  value: ${k.value}`,
      `in a zone file:`,
      `  ${zoneTxtLine(k.name, k.value)}`,
      `then set CASEGATE_DKIM_KEY=${k.file} and CASEGATE_DKIM_SELECTOR=${k.selector}, and run "casegate doctor"`,
    ].join('\n'),
  );
}
