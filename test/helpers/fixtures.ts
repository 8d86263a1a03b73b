// A folder of fixtures named by behaviour (fixtures/replies/, fixtures/bounces/): NAME.eml with its
// expected result beside it, parsed as mail arrives (the real parse stage, attachments into a
// throwaway blob store that lives as long as the test file).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { parseMessage, type ParsedMessage } from '../../src/ingest/parse.js';
import { folderWriter } from '../../src/db/blobsInFolder.js';
import { tempDir } from './tempDir.js';

export interface FixtureSet {
  /** The folder. */
  dir: string;
  /** NAME of every NAME.eml, sorted. */
  names: string[];
  /** The text of NAME<suffix> beside the message, e.g. `.expected.txt`. */
  read(name: string, suffix: string): string;
  exists(name: string, suffix: string): boolean;
  parse(name: string): Promise<ParsedMessage>;
}

/** The fixtures of `fixtures/<folder>/`; call at the top of a test file (registers its hooks). */
export function fixtureSet(folder: string): FixtureSet {
  const dir = path.resolve(import.meta.dirname, '../../fixtures', folder);
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => f.slice(0, -'.eml'.length))
    .sort();
  let blobDir = '';
  let cleanup = (): void => undefined;
  beforeAll(() => ({ dir: blobDir, cleanup } = tempDir(folder)));
  afterAll(() => cleanup());
  return {
    dir,
    names,
    read: (name, suffix) => fs.readFileSync(path.join(dir, `${name}${suffix}`), 'utf8'),
    exists: (name, suffix) => fs.existsSync(path.join(dir, `${name}${suffix}`)),
    parse: (name) => parseMessage(fs.createReadStream(path.join(dir, `${name}.eml`)), { store: folderWriter(blobDir) }),
  };
}
