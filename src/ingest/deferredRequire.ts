// mailparser and libmime require some packages when they load that casegate's parse never calls
// with its options (PARSER_OPTIONS in parse.ts: no HTML-to-text) or calls only for
// rare mail (ISO-2022-JP and other Japanese charsets). Loading them is a fifth of what loading
// mailparser costs, paid by every `casegate ingest` (one process per message behind Postfix's pipe)
// and held in memory by every server. Before mailparser loads, each gets an entry in require's cache
// (Node's documented `require.cache`) whose exports load the real package on first use; from then on
// the real package is in the cache and is what any later require gets. Nothing is stubbed: a
// deferred package does exactly what it would have done, one call later.
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * What is deferred: `functions` are taken from the exports when the requiring module loads (as
 * `const { htmlToText } = require('html-to-text')`), so each is a function that loads the package
 * when called; any other property loads it when read.
 */
export interface Deferral {
  /** The package that requires it (resolved from this module), then the package itself (resolved from there). */
  readonly from: string;
  readonly id: string;
  readonly functions?: readonly string[];
}

export const MAILPARSER_DEFERRALS: readonly Deferral[] = [
  { from: 'mailparser', id: 'html-to-text', functions: ['htmlToText', 'compile', 'convert'] },
  { from: 'mailparser', id: 'encoding-japanese' },
  { from: 'libmime', id: 'encoding-japanese' },
];

/**
 * Installs the deferrals that apply: a package already loaded (or not found where its requirer
 * would find it) is left as it is. Returns the files of the packages now deferred.
 */
export function deferRequires(deferrals: readonly Deferral[]): string[] {
  const deferred: string[] = [];
  for (const d of deferrals) {
    let file: string;
    let from: NodeRequire;
    try {
      from = createRequire(require.resolve(d.from));
      file = from.resolve(d.id);
    } catch {
      continue;
    }
    if (require.cache[file] !== undefined) continue;
    const placeholder = lazyModule(file, () => {
      // Out of the cache first, so that require loads the package itself (and caches it).
      if (require.cache[file] === placeholder) delete require.cache[file];
      return from(file) as Record<string | symbol, unknown>;
    }, d.functions ?? []);
    require.cache[file] = placeholder;
    deferred.push(file);
  }
  return deferred;
}

function lazyModule(file: string, load: () => Record<string | symbol, unknown>, functions: readonly string[]): NodeJS.Module {
  let real: Record<string | symbol, unknown> | null = null;
  const loaded = (): Record<string | symbol, unknown> => (real ??= load());
  const exports = new Proxy(Object.create(null) as Record<string | symbol, unknown>, {
    get(_target, key) {
      if (real === null && typeof key === 'string' && functions.includes(key)) {
        return (...args: unknown[]) => (loaded()[key] as (...a: unknown[]) => unknown)(...args);
      }
      return loaded()[key];
    },
    has: (_target, key) => key in loaded(),
    ownKeys: () => Reflect.ownKeys(loaded()),
    getOwnPropertyDescriptor(_target, key) {
      const d = Reflect.getOwnPropertyDescriptor(loaded(), key);
      return d === undefined ? undefined : { ...d, configurable: true };
    },
  });
  const m = new Module(file);
  m.filename = file;
  m.loaded = true;
  m.exports = exports;
  return m;
}
