// `casegate doctor`: one line per check of what a mail admin must get right; exit 0 only when all pass.
import { Command } from 'commander';
import { isIP } from 'node:net';
import { configAction } from '../run.js';
import { invalid } from '../../errors.js';
import type { DoctorReport } from '../../doctor/run.js';

interface DoctorOptions {
  sendingIp?: string;
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('check the DNS (MX, SPF, DKIM, DMARC), the relay, the database and the free space; exit 0 only when all pass')
    .option('--sending-ip <ip>', "the public address notifications leave from, when it is not the relay's or this host's (NAT)")
    .addHelpText(
      'after',
      `
Lookups go through CASEGATE_DNS_SERVERS (else the system's resolvers). Each line is "ok" with what
was found, or "FAIL" with the problem and what to publish or change. Nothing is changed and no mail
is sent. With --json: {"ok": true|false, "checks": [{"check", "ok", "detail"}]}. Exit 1 when a check fails.`,
    )
    .action(
      configAction(async (ctx, opts: DoctorOptions) => {
        if (opts.sendingIp !== undefined && isIP(opts.sendingIp) === 0) throw invalid(`--sending-ip "${opts.sendingIp}" is not an IP address; give e.g. 192.0.2.25`);
        const { runDoctor } = await import('../../doctor/run.js');
        const report = await runDoctor(ctx.config, { sendingIp: opts.sendingIp });
        if (!report.ok) process.exitCode = 1;
        return report;
      }, printReport),
    );
}

function printReport(report: DoctorReport): void {
  const width = Math.max(...report.checks.map((c) => c.check.length));
  for (const c of report.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.check.padEnd(width)}  ${c.detail}`);
  const failed = report.checks.filter((c) => !c.ok).length;
  console.log(failed === 0 ? 'all checks passed' : `${failed} of ${report.checks.length} checks failed`);
}
