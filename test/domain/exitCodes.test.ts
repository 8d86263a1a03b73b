// The exit code of each kind of error, for people (cliExitOf) and for mail relays (sysexitsOf):
// a database that is not there or an unusable settings file is EX_CONFIG for people, and a
// temporary failure for a relay, which keeps the mail while the admin fixes it.
import { describe, expect, it } from 'vitest';
import { cliExitOf, ConfigError, NoDatabaseError, SettingsFileError, sysexitsOf } from '../../src/errors.js';

describe('a database that does not exist', () => {
  const err = new NoDatabaseError('/var/lib/casegate/casegate.db');

  it('is exit 78 for people, with the init line to run', () => {
    expect(cliExitOf(err)).toEqual({ code: 78, lines: ['no casegate database at /var/lib/casegate/casegate.db; run `casegate init --db /var/lib/casegate/casegate.db` or pass the right --db'] });
  });

  it('is exit 75 in pipe mode: Postfix would bounce the mail on 78', () => {
    expect(sysexitsOf(err)).toMatchObject({ code: 75, lines: [expect.stringMatching(/^no casegate database at .*\(the relay keeps the message and tries again\)$/)] });
  });
});

describe('a settings file that cannot be used', () => {
  const err = new SettingsFileError(['/etc/casegate.conf:2: unknown setting X; the known settings are …']);

  it('is exit 78 for people and 75 in pipe mode, with each problem', () => {
    expect(cliExitOf(err)).toEqual({ code: 78, lines: err.problems });
    expect(sysexitsOf(err)).toEqual({ code: 75, lines: [...err.problems, 'the relay keeps the message and tries again'] });
  });

  it('differs from a bad value, which stays 2 for people and 78 in pipe mode as before', () => {
    const bad = new ConfigError(['CASEGATE_MAX_RECIPIENTS "lots" must be a whole number from 1 to 1000']);
    expect(cliExitOf(bad).code).toBe(2);
    expect(sysexitsOf(bad).code).toBe(78);
  });
});
