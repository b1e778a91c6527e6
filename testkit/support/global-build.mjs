// jest globalSetup: the tests that run the CLI and the guard as processes need lib/. Build it
// once when it is missing, so they run instead of skipping silently (`npm test` builds first
// anyway; a direct `npx jest test/guard` did not). Plain JavaScript: jest loads it before any
// TypeScript transform.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default function globalBuild() {
  const wanted = ['lib/cli/index.js', 'lib/guard/claude-hook.js'];
  if (wanted.every((f) => existsSync(new URL(`../../${f}`, import.meta.url)))) return;
  execFileSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
}
