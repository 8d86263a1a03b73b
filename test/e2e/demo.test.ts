// `casegate demo` runs the whole loop on a throwaway database and reports each step.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('casegate demo', () => {
  it('opens a case, takes a reply over SMTP and writes one notification per person', async () => {
    const r = await runCli(['demo', '--json']);
    expect(r.code).toBe(0);
    const out = r.json<{ caseNumber: string; smtpAnswer: string; notifications: Array<{ recipient: string; kind: string; status: string }>; emlFiles: string[] }>();
    expect(out.caseNumber).toBe('00001001');
    expect(out.smtpAnswer).toMatch(/^250 2\.6\.0 added to case 00001001/);
    expect(out.notifications.filter((n) => n.kind === 'comment').map((n) => n.recipient).sort()).toEqual(['bob@acme.example', 'carol@partner.example']);
    expect(out.notifications.every((n) => n.status === 'sent')).toBe(true);
    expect(out.emlFiles).toHaveLength(out.notifications.length);
  });

  it('prints a line per step for a person', async () => {
    const r = await runCli(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/case address is case\+[a-z0-9]{24}@cases\.localhost/);
    expect(r.stdout).toMatch(/stored comment by ann@acme\.example \(email\): "Here is what the display shows\."/);
    expect(r.stdout).toMatch(/comment +→ bob@acme\.example +sent/);
  });
});
