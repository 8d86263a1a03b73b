// npm's `prepare` step, run after every `npm ci` / `npm install` of a checkout. With TypeScript
// installed (a development install) it builds dist/ ("npm run build"). Without it — a production
// install, `npm ci --omit=dev` — it keeps the dist/ that is there (built before, or copied from a
// build machine: it is plain JavaScript), and fails with what to do when there is none.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(root, 'dist', 'bin', 'casegate.js');

function typescriptInstalled() {
  try {
    createRequire(path.join(root, 'package.json')).resolve('typescript/package.json');
    return true;
  } catch {
    return false;
  }
}

if (typescriptInstalled()) {
  // npm gives its own command in npm_execpath; run by hand, "npm" on the PATH.
  const npm = process.env.npm_execpath;
  const run = npm ? spawnSync(process.execPath, [npm, 'run', 'build'], { cwd: root, stdio: 'inherit' }) : spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit', shell: true });
  process.exit(run.status ?? 1);
} else if (existsSync(built)) {
  process.stdout.write('casegate: TypeScript is not installed (a production install): using the dist/ that is here\n');
} else {
  process.stderr.write(
    'casegate: dist/ is missing and TypeScript is not installed, so casegate cannot be built here; ' +
      'run "npm ci" (with the development dependencies), then "npm prune --omit=dev" (docs/install.md)\n',
  );
  process.exit(1);
}
