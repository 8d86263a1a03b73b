// contrib/casegate.service: a unit systemd accepts (systemd-analyze verify), hardened as the
// README says, running serve with its state in the state directory.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from './helpers/cli.js';
import { tempDir } from './helpers/tempDir.js';

const UNIT = fs.readFileSync(path.resolve('contrib/casegate.service'), 'utf8');
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('contrib/casegate.service', () => {
  it('is hardened: read-only system, no new privileges, a state directory that is the only writable path', () => {
    for (const line of ['NoNewPrivileges=yes', 'ProtectSystem=strict', 'StateDirectory=casegate', 'ReadWritePaths=/var/lib/casegate', 'ExecStart=/usr/local/bin/casegate serve']) {
      expect(UNIT.split('\n')).toContain(line);
    }
    expect(UNIT).toMatch(/^Environment=CASEGATE_DB=\/var\/lib\/casegate\/casegate\.db$/m);
  });

  it.skipIf(!analyze)('passes systemd-analyze verify (with the binary of this build in place of /usr/local/bin/casegate)', () => {
    const { dir, cleanup } = tempDir('unit');
    try {
      const unit = path.join(dir, 'casegate.service');
      fs.writeFileSync(unit, UNIT.replaceAll('/usr/local/bin/casegate', BIN));
      const out = execFileSync('systemd-analyze', ['verify', unit], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(out).toBe('');
    } finally {
      cleanup();
    }
  });
});
