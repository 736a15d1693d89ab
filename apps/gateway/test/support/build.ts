import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './test-app';

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Compiles the gateway (and the packages it loads) when dist is missing or older than src. */
export function ensureBuilt(): string {
  const tsc = join(REPO_ROOT, 'node_modules/.bin/tsc');
  for (const project of ['packages/protocol', 'packages/clearance', 'apps/gateway']) {
    const dir = join(REPO_ROOT, project);
    const entry = join(dir, project === 'apps/gateway' ? 'dist/main.js' : 'dist/index.js');
    if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(join(dir, 'src'))) continue;
    const result = spawnSync(tsc, ['-p', 'tsconfig.build.json'], { cwd: dir, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`building ${project} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return join(REPO_ROOT, 'apps/gateway/dist/main.js');
}
