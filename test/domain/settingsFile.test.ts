// The settings file: KEY = value lines with the environment's names, # comments, blank lines; a typo
// or a malformed line is refused with its FILE:LINE and what to write instead.
import { describe, expect, it } from 'vitest';
import { maskSecret, parseSettingsFile, SETTING_NAMES } from '../../src/domain/settingsFile.js';

const parse = (text: string) => parseSettingsFile(text, '/etc/casegate/casegate.conf');

describe('a settings file', () => {
  it('reads NAME = value lines, with or without spaces, quotes taken off, and skips comments and blank lines', () => {
    const { entries, problems } = parse(
      '\uFEFF# casegate settings\n\nCASEGATE_DOMAIN = cases.example.com\r\nCASEGATE_FROM=help@example.com\n  # indented comment\nCASEGATE_SMTP_URL = "smtp://relay:25"\nCASEGATE_DEFAULT_OWNER = \'ann@example.com\'\n',
    );
    expect(problems).toEqual([]);
    expect(Object.fromEntries(entries)).toEqual({
      CASEGATE_DOMAIN: { value: 'cases.example.com', line: 3 },
      CASEGATE_FROM: { value: 'help@example.com', line: 4 },
      CASEGATE_SMTP_URL: { value: 'smtp://relay:25', line: 6 },
      CASEGATE_DEFAULT_OWNER: { value: 'ann@example.com', line: 7 },
    });
  });

  it('keeps a # inside a value: a comment starts only at the start of a line', () => {
    expect(parse('CASEGATE_SMTP_URL = smtp://u:pa#ss@relay:25').entries.get('CASEGATE_SMTP_URL')?.value).toBe('smtp://u:pa#ss@relay:25');
  });

  it('refuses an unknown name with its file and line and the list of known names', () => {
    const { problems } = parse('CASEGATE_DOMAIN = a.example\nCASEGATE_DOMIAN = b.example\n');
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^\/etc\/casegate\/casegate\.conf:2: unknown setting CASEGATE_DOMIAN; the known settings are CASEGATE_DB, .*CASEGATE_DOMAIN,/);
    expect(problems[0]).toContain(SETTING_NAMES.join(', '));
  });

  it('refuses a line that is not NAME = value, and a name set twice', () => {
    const { problems } = parse('CASEGATE_DOMAIN cases.example.com\nCASEGATE_PORT = 25\nCASEGATE_PORT = 26\n');
    expect(problems).toEqual([
      '/etc/casegate/casegate.conf:1: "CASEGATE_DOMAIN cases.example.com" is not a setting; write NAME = value (e.g. CASEGATE_DOMAIN = cases.example.com), or start a comment with #',
      '/etc/casegate/casegate.conf:3: CASEGATE_PORT is set twice (also on line 2); keep one',
    ]);
  });

  it('reads a long line of = signs in time linear in its length', () => {
    const line = `CASEGATE_DOMAIN${' '.repeat(50_000)}=${'='.repeat(50_000)}`;
    expect(parse(line).entries.get('CASEGATE_DOMAIN')?.value).toHaveLength(50_000);
  });
});

describe('secrets in what is printed', () => {
  it('masks the password of a database or relay URL, and password parameters', () => {
    expect(maskSecret('CASEGATE_DB', 'postgres://casegate:s3cret@db.example:5432/casegate')).toBe('postgres://casegate:***@db.example:5432/casegate');
    expect(maskSecret('CASEGATE_SMTP_URL', 'smtps://mailer:pw@relay.example:465')).toBe('smtps://mailer:***@relay.example:465');
    expect(maskSecret('CASEGATE_DB', 'postgres://db.example/casegate?password=x')).toBe('postgres://db.example/casegate?password=***');
  });

  it('leaves URLs without a password, file paths and other settings as they are', () => {
    expect(maskSecret('CASEGATE_SMTP_URL', 'smtp://127.0.0.1:25')).toBe('smtp://127.0.0.1:25');
    expect(maskSecret('CASEGATE_DB', '/var/lib/casegate/casegate.db')).toBe('/var/lib/casegate/casegate.db');
    expect(maskSecret('CASEGATE_PUBLIC_URL', 'https://u:p@support.example.com')).toBe('https://u:p@support.example.com');
  });
});
