// Fuzzing the parser and the renderers: 103,000 cases in five suites (one compares the skipping
// reader with parsePlan), every case checked by oracle.ts (documented refusal or a plan; no
// sensitive value in any output; markdown within budget with exactly one marker holding the
// plan's digest; the digest follows the changes).
//
//   FUZZ_SEED=<n>   replay a run (the seed is printed; each suite adds its index); default fixed
//   FUZZ_SEED=random  a new seed each run
//   FUZZ_SCALE=<x>  run x times as many cases (e.g. 10 for a long local run)
import fc from 'fast-check';
import { DEFAULT_CONFIG, type Config } from '../../src/core/config.js';
import { decodePlanBytes, parsePlan } from '../../src/core/plan/index.js';
import { readPlan } from '../../src/core/plan/read.js';
import { bytesSource } from '../../src/core/plan/source.js';
import { parsePlanStream } from '../../src/core/plan/stream.js';
import { buildReport, reportJson } from '../../src/core/report.js';
import { RULE_READS } from '../../src/core/risk/reads.js';
import { config } from '../../testkit/support/build.js';
import {
  confused,
  markdownOptionsArb,
  pathsOf,
  projectsArb,
  replacementArb,
} from './arbitraries.js';
import { SEED_SOURCE, seeds, weightedSeedIndices, type Seed } from './corpus.js';
import { applyOps, opsArb, type Op } from './mutate.js';
import { countCase, parseChecked, renderAll, Stats } from './oracle.js';

const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
// A fixed seed keeps CI reproducible; FUZZ_SEED=random explores, FUZZ_SEED=<n> replays.
const SEED =
  process.env.FUZZ_SEED === 'random'
    ? Math.floor(Math.random() * 2 ** 31)
    : Number(process.env.FUZZ_SEED ?? 20261121);

/** Cases per suite: cheap parse-only mutations, then fewer cases that render every view. */
const CASES = {
  bytesParse: 82_000,
  bytesRender: 8_000,
  structure: 4_000,
  confusion: 6_000,
  /** The skipping reader against parsePlan, in memory and streamed: each case reads it twice. */
  skipping: 3_000,
};
const TOTAL = Object.values(CASES).reduce((a, b) => a + b, 0);
const runs = (n: number) => Math.round(n * SCALE);

const CONFIGS: Config[] = [
  DEFAULT_CONFIG,
  config({ risk: { protected: ['*'], stateful_types: ['null_resource'] } }),
  config({ approval: { when: { destroys: false, level: 'never' } } }),
  config({
    approval: { required: 3, confirm_digest: true },
    risk: { mass_destroy: { count: 1, share: 0.01 } },
  }),
];

const all = seeds();
const weighted = weightedSeedIndices(all);
const seedArb = fc.constantFrom(...weighted).map((i) => all[i]!);
/** Type confusion re-serialises the whole document per case: large seeds even more rarely. */
const confusionSeedArb = fc
  .constantFrom(...weightedSeedIndices(all, [24, 4, 1]))
  .map((i) => all[i]!);
const total = new Stats();
const suites: [string, Stats][] = [];

let started = 0;

/** A suite's counters; its time runs from here to the next suite (or the summary). */
function suite(name: string): Stats {
  const now = performance.now();
  const last = suites.at(-1);
  if (last) last[1].elapsedMs = now - started;
  started = now;
  const s = new Stats();
  suites.push([name, s]);
  return s;
}

const timeout = (n: number) => Math.max(60_000, n * 5 * SCALE);

/** A mutated seed, given to parsePlan as bytes, or now and then as decoded text. */
function mutated(seed: Seed, ops: readonly Op[], asText: number): Uint8Array | string {
  const bytes = applyOps(seed.bytes, ops);
  if (asText === 0) return decodePlanBytes(bytes);
  if (asText === 1) return `\uFEFF${decodePlanBytes(bytes)}`;
  return bytes;
}

const byteCase = fc.record({
  seed: seedArb,
  ops: opsArb,
  asText: fc.integer({ min: 0, max: 19 }),
});

/** Parse with every check and, when it is a plan, render every view of it as one project. */
function parseAndRender(
  input: Uint8Array | string,
  seed: Seed,
  label: string,
  cfg: number,
  stats: Stats,
  basis?: Seed['basis'],
): void {
  const r = parseChecked(input, seed.file, label, stats, basis);
  if (!r.plan) return;
  renderAll(
    [{ name: 'default', plan: r.plan }],
    r.tokens,
    { config: CONFIGS[cfg % CONFIGS.length]!, label },
    stats,
  );
}

function labelOf(seed: Seed, ops: readonly Op[]): string {
  return `${seed.label} after ${ops.map((o) => o.k).join('+')}`;
}

describe('fuzz: parser and renderers', () => {
  beforeAll(() => {
    console.log(
      `fuzz: seed ${SEED} (FUZZ_SEED=${SEED} replays), scale ${SCALE}, ${all.length} seeds from ${SEED_SOURCE}`,
    );
  });

  it(
    'byte-level mutations of real plans: parse, check the model and the refusals',
    () => {
      const stats = suite('bytes (parse only)');
      fc.assert(
        fc.property(byteCase, ({ seed, ops, asText }) => {
          const input = mutated(seed, ops, asText);
          countCase(
            stats,
            () => labelOf(seed, ops),
            () => {
              parseChecked(input, seed.file, labelOf(seed, ops), stats, seed.basis);
            },
          );
        }),
        { numRuns: runs(CASES.bytesParse), seed: SEED },
      );
    },
    timeout(CASES.bytesParse),
  );

  it(
    'byte-level mutations: the skipping reader agrees with parsePlan, errors word for word',
    async () => {
      const stats = suite('bytes (skipping reader)');
      await fc.assert(
        fc.asyncProperty(byteCase, async ({ seed, ops }) => {
          const bytes = applyOps(seed.bytes, ops);
          const label = labelOf(seed, ops);
          stats.cases++;
          const whole = parsePlan(bytes, seed.file);
          const opts = { file: seed.file, detail: 'risk', reads: RULE_READS } as const;
          // In memory (the scanner over the whole buffer) and streamed in small chunks (values
          // split across chunks are captured, then checked or built).
          const skim = await readPlan(
            { read: () => Promise.resolve(bytes) },
            {
              ...opts,
              threshold: Infinity,
              scanFrom: 0,
            },
          );
          const streamed = await parsePlanStream(bytesSource(bytes, 4093), seed.file, opts);
          for (const [how, r] of [
            ['in memory', skim],
            ['streamed', streamed],
          ] as const) {
            const same = r.ok === whole.ok;
            if (!same) throw new Error(`${how}: ok ${r.ok} but parsePlan ${whole.ok} (${label})`);
            if (!r.ok && !whole.ok) {
              // Syntax errors come from the one grammar: the same line, column and words (a
              // file that starts with a byte-order mark counts columns differently when
              // streamed, as it did before the scanner skipped anything).
              const plain = bytes[0] !== 0xef && bytes[0] !== 0xfe && bytes[0] !== 0xff;
              if (
                how === 'in memory' ||
                (plain && whole.error.reason.startsWith('not valid JSON at'))
              ) {
                expect(r.error).toEqual(whole.error);
              }
              continue;
            }
            if (!r.ok || !whole.ok) continue;
            stats.plans++;
            expect(r.plan.digest).toBe(whole.plan.digest);
            const report = (plan: typeof r.plan) =>
              JSON.stringify(reportJson(buildReport([{ name: 'default', plan }], DEFAULT_CONFIG)));
            expect(report(r.plan)).toBe(report(whole.plan));
          }
        }),
        { numRuns: runs(CASES.skipping), seed: SEED + 7 },
      );
    },
    timeout(CASES.skipping) * 4,
  );

  it(
    'byte-level mutations of real plans: render every view',
    () => {
      const stats = suite('bytes (rendered)');
      fc.assert(
        fc.property(byteCase, fc.nat(), ({ seed, ops, asText }, cfg) => {
          const label = labelOf(seed, ops);
          const input = mutated(seed, ops, asText);
          countCase(
            stats,
            () => label,
            () => parseAndRender(input, seed, label, cfg, stats, seed.basis),
          );
        }),
        { numRuns: runs(CASES.bytesRender), seed: SEED + 1 },
      );
    },
    timeout(CASES.bytesRender),
  );

  it(
    'structure-aware plans: hostile strings, random sensitive masks, several projects',
    () => {
      const stats = suite('structure');
      fc.assert(
        fc.property(
          projectsArb,
          markdownOptionsArb,
          fc.nat(),
          fc.boolean(),
          (projects, markdown, cfg, pretty) => {
            countCase(
              stats,
              () => `projects ${JSON.stringify(projects.map((p) => p.name))}`,
              () => {
                const ok: {
                  name: string;
                  plan: NonNullable<ReturnType<typeof parseChecked>['plan']>;
                }[] = [];
                const tokens: string[] = [];
                for (const p of projects) {
                  const text = pretty ? JSON.stringify(p.doc, null, 2) : JSON.stringify(p.doc);
                  const r = parseChecked(text, `${p.name}.json`, `project ${p.name}`, stats);
                  if (r.plan) ok.push({ name: p.name, plan: r.plan });
                  tokens.push(...r.tokens);
                }
                if (ok.length > 0) {
                  renderAll(
                    ok,
                    tokens,
                    {
                      markdown,
                      config: CONFIGS[cfg % CONFIGS.length]!,
                      label: 'generated projects',
                    },
                    stats,
                  );
                }
              },
            );
          },
        ),
        { numRuns: runs(CASES.structure), seed: SEED + 2 },
      );
    },
    timeout(CASES.structure),
  );

  it(
    'type confusion at any path of real and generated plans',
    () => {
      const stats = suite('type confusion');
      const paths = new Map<Seed, ReturnType<typeof pathsOf>>();
      const pathsFor = (s: Seed) => {
        let p = paths.get(s);
        if (!p) paths.set(s, (p = pathsOf(s.doc)));
        return p;
      };
      fc.assert(
        fc.property(
          confusionSeedArb,
          fc.nat(),
          replacementArb,
          fc.nat(),
          (seed, at, replacement, cfg) => {
            const list = pathsFor(seed);
            const path = list[at % list.length]!;
            const label = `${seed.label}: ${JSON.stringify(path)} := ${replacement.kind}`;
            const text = confused(seed.doc, path, replacement);
            countCase(
              stats,
              () => label,
              () => parseAndRender(text, seed, label, cfg, stats),
            );
          },
        ),
        { numRuns: runs(CASES.confusion), seed: SEED + 3 },
      );
    },
    timeout(CASES.confusion),
  );

  it(`ran ${runs(TOTAL).toLocaleString('en')} cases with no crash`, () => {
    suites.at(-1)![1].elapsedMs = performance.now() - started;
    for (const [, s] of suites) total.add(s);
    const lines = suites.map(([name, s]) => `  ${s.line(name)}`);
    const reasons = [...total.reasons.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    console.log(
      [
        total.line('fuzz'),
        ...lines,
        `  refusals by kind: ${reasons}`,
        `  replay: FUZZ_SEED=${SEED}`,
      ].join('\n'),
    );
    expect(suites).toHaveLength(Object.keys(CASES).length);
    expect(total.cases).toBe(runs(TOTAL));
    expect(total.crashes).toBe(0);
    // The checks were not vacuous: plans were read, rendered and held planted secrets.
    expect(total.plans).toBeGreaterThan(total.cases / 10);
    expect(total.withSecrets).toBeGreaterThan(total.rendered / 4);
    // No hang: the slowest case (a 100,000-deep file at worst) takes well under a second or two.
    expect(total.slowestMs).toBeLessThan(5_000);
  });
});
