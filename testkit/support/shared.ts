import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real-plan corpus lives beside the repo in ../shared and is read in place, never copied.
// A user's clone has no ../shared: corpus tests then skip and say so. A git worktree elsewhere
// names the folder with APPLYGATE_SHARED_DIR.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(
  process.env.APPLYGATE_SHARED_DIR || resolve(repoRoot, '../shared'),
);
export const plansDir = join(sharedDir, 'fixtures/plans');
export const codeownersDir = join(sharedDir, 'fixtures/codeowners');
export const hasShared = existsSync(plansDir);

export const SKIP_REASON = `../shared/fixtures not found beside the repo (${sharedDir}): corpus tests skipped`;

export function corpusPlanFiles(): string[] {
  if (!hasShared) return [];
  return readdirSync(plansDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function readCorpusPlan(name: string): Buffer {
  return readFileSync(join(plansDir, name));
}

/** The second folder of real plans (SOURCES.md there names each origin and license). */
export const realworldDir = join(sharedDir, 'fixtures/plans-realworld');
/**
 * The third: plans from public repositories the project had never seen (issue 23), in
 * `real/`, `derived/` (small edits of real ones) and `probes/` (minimal repros cut from them).
 */
export const publicDir = join(sharedDir, 'fixtures/plans-public');
/** The folders of real plans, by the name their files are keyed by (`plans/x.json`). */
export const REAL_PLAN_DIRS: Readonly<Record<string, string>> = {
  plans: plansDir,
  'plans-realworld': realworldDir,
  'plans-public': publicDir,
};

/** Every real plan of the folders, as `FOLDER/FILE` keys, sorted; empty without ../shared. */
export function realPlanKeys(): string[] {
  return Object.entries(REAL_PLAN_DIRS).flatMap(([folder, dir]) =>
    existsSync(dir) ? jsonFilesUnder(dir).map((f) => `${folder}/${f}`) : [],
  );
}

/** The `.json` files under `dir`, as paths relative to it, sorted (LICENSES hold none). */
function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.split('\\').join('/'))
    .sort();
}

/** The bytes of a real plan by its `FOLDER/FILE` key. */
export function readRealPlan(key: string): Buffer {
  const [folder, ...rest] = key.split('/');
  const dir = REAL_PLAN_DIRS[folder ?? ''];
  if (!dir)
    throw new Error(
      `${key}: not a real-plan key (expected plans/FILE, plans-realworld/FILE or plans-public/DIR/FILE)`,
    );
  return readFileSync(join(dir, rest.join('/')));
}

/** `describe` over the corpus, or a single skipped test that prints why. */
export function describeCorpus(name: string, body: () => void): void {
  if (hasShared) {
    describe(name, body);
  } else {
    describe(name, () => {
      test.skip(SKIP_REASON, () => undefined);
    });
    console.warn(`[applygate tests] ${name}: ${SKIP_REASON}`);
  }
}

/** A test that reads the corpus: skipped, with the reason in its name, without it. */
export function corpusTest(name: string, fn: (() => void) | (() => Promise<unknown>)): void {
  if (hasShared) test(name, fn);
  else test.skip(`${name} (${SKIP_REASON})`, () => undefined);
}
