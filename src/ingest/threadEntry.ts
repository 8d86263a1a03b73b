// Where a worker thread's entry script is: compiled beside the module that starts it; when that
// module runs from the TypeScript sources (tests), the build's copy under dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled `file` (e.g. 'storeWorker.js') for the module at `moduleUrl` (its import.meta.url), in src/ingest. */
export function threadEntry(moduleUrl: string, file: string): string {
  const here = fileURLToPath(moduleUrl);
  if (!here.endsWith('.ts')) return path.join(path.dirname(here), file);
  return path.resolve(path.dirname(here), '../../dist/src/ingest', file);
}
