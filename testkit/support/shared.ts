import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real-plan corpus lives beside the repo in ../shared and is read in place, never copied.
// A user's clone has no ../shared: corpus tests then skip and say so.
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const sharedDir = resolve(repoRoot, '../shared');
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
/** Both folders of real plans, by the name their files are keyed by (`plans/x.json`). */
export const REAL_PLAN_DIRS: Readonly<Record<string, string>> = {
  plans: plansDir,
  'plans-realworld': realworldDir,
};

/** Every real plan of both folders, as `FOLDER/FILE` keys, sorted; empty without ../shared. */
export function realPlanKeys(): string[] {
  return Object.entries(REAL_PLAN_DIRS).flatMap(([folder, dir]) =>
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .sort()
          .map((f) => `${folder}/${f}`)
      : [],
  );
}

/** The bytes of a real plan by its `FOLDER/FILE` key. */
export function readRealPlan(key: string): Buffer {
  const [folder, ...rest] = key.split('/');
  const dir = REAL_PLAN_DIRS[folder ?? ''];
  if (!dir)
    throw new Error(`${key}: not a real-plan key (expected plans/FILE or plans-realworld/FILE)`);
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
