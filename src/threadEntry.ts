// Where a worker thread's entry script is: compiled beside the module that starts it; when that
// module runs from the TypeScript sources (tests), the build's copy of that folder under dist/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled `file` (e.g. 'storeWorker.js') beside the module at `moduleUrl` (its import.meta.url). */
export function threadEntry(moduleUrl: string, file: string): string {
  const here = fileURLToPath(moduleUrl);
  if (!here.endsWith('.ts')) return path.join(path.dirname(here), file);
  // <repo>/src/ingest/authThread.ts -> <repo>/dist/src/ingest/<file>
  const src = here.lastIndexOf(`${path.sep}src${path.sep}`);
  return path.join(here.slice(0, src), 'dist', path.dirname(here.slice(src + 1)), file);
}
