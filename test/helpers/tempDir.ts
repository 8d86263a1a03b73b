// Throwaway folders under os.tmpdir(): every test helper and test that needs one makes it here, and
// removes it with the `cleanup` it is given.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface TempDir {
  /** The new, empty folder. */
  readonly dir: string;
  /** Removes the folder and everything in it; safe to call twice. */
  cleanup(): void;
}

/** A new folder `casegate-PREFIX-XXXXXX` under os.tmpdir(). */
export function tempDir(prefix: string): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `casegate-${prefix}-`));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
