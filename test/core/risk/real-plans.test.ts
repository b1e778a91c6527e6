import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlan } from '../../../src/core/plan/index.js';
import { buildReport, reportJson } from '../../../src/core/report.js';
import { renderMarkdown, renderText } from '../../../src/core/render/index.js';
import { DEFAULT_CONFIG } from '../../../testkit/support/build.js';
import {
  outcomeOf,
  verdictLine,
  verdictOf,
  type Expectation,
} from '../../../testkit/plans/verdicts.js';
import {
  describeCorpus,
  readRealPlan,
  realPlanKeys,
  repoRoot,
} from '../../../testkit/support/shared.js';

// Every real plan of the three fixture folders, read in place, against its reviewed expectation
// (level, score, findings per rule, counts, hygiene). `node --import tsx
// tools/expectations/table.ts` prints the table; docs/real-plans.md explains each verdict
// that changed.

const expectations = JSON.parse(
  readFileSync(join(repoRoot, 'testkit/plans/expectations.json'), 'utf8'),
) as Record<string, Expectation>;

describeCorpus(
  'every real plan (plans/, plans-realworld/, plans-public/) has its reviewed verdict',
  () => {
    const keys = realPlanKeys();

    test('the three folders are there: 166 plans, each with an expectation and no stale one', () => {
      expect(keys.length).toBe(166);
      expect(Object.keys(expectations).sort()).toEqual([...keys].sort());
    });

    test.each(keys)('%s', (key) => {
      expect(verdictOf(readRealPlan(key), key)).toEqual(outcomeOf(expectations[key]!));
    });

    test('no crash and no leak: every view renders, and no sensitive value reaches any of them', () => {
      let rendered = 0;
      let secrets = 0;
      for (const key of keys) {
        const bytes = readRealPlan(key);
        const r = parsePlan(bytes, key);
        if (!r.ok) continue;
        rendered++;
        const report = buildReport([{ name: 'default', plan: r.plan }], DEFAULT_CONFIG);
        const views = [
          renderMarkdown(report),
          renderText(report, { color: false }),
          JSON.stringify(reportJson(report)),
        ];
        for (const secret of sensitiveStrings(bytes)) {
          secrets++;
          for (const v of views)
            expect(v.includes(secret) ? `${key} shows ${secret}` : '').toBe('');
        }
      }
      // 158 of the 166 plans parse; without sensitive values to look for, no leak is checked.
      expect(rendered).toBeGreaterThanOrEqual(150);
      expect(secrets).toBeGreaterThanOrEqual(40); // 50 sensitive values in all
    });
  },
);

/**
 * The string values the plan marks sensitive (6 characters or more), less those that the plan
 * also shows unmarked (a user name that is also a resource name is not a secret of the plan).
 */
function sensitiveStrings(bytes: Buffer): string[] {
  const text =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? bytes.subarray(2).toString('utf16le')
      : bytes.toString('utf8').replace(/^\uFEFF/, '');
  const doc = JSON.parse(text) as {
    resource_changes?: { address?: unknown; change: Record<string, unknown> }[];
  };
  const secret = new Set<string>();
  const shown: string[] = [];
  const walk = (v: unknown, mask: unknown) => {
    if (mask === true) collect(v, secret);
    else if (Array.isArray(v))
      v.forEach((x, i) => walk(x, Array.isArray(mask) ? mask[i] : undefined));
    else if (v && typeof v === 'object') {
      const m = mask && typeof mask === 'object' ? (mask as Record<string, unknown>) : {};
      for (const [k, x] of Object.entries(v)) walk(x, m[k]);
    } else if (typeof v === 'string') shown.push(v);
  };
  const collect = (v: unknown, into: Set<string>) => {
    if (typeof v === 'string' && v.length >= 6) into.add(v);
    else if (Array.isArray(v)) v.forEach((x) => collect(x, into));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => collect(x, into));
  };
  for (const rc of doc.resource_changes ?? []) {
    if (typeof rc.address === 'string') shown.push(rc.address);
    walk(rc.change.before, rc.change.before_sensitive);
    walk(rc.change.after, rc.change.after_sensitive);
  }
  return [...secret].filter((s) => !shown.some((x) => x.includes(s)));
}

test('docs/real-plans.md shows the reviewed verdict of every plan, and says why each changed', () => {
  const doc = readFileSync(join(repoRoot, 'docs/real-plans.md'), 'utf8');
  // Cells split on unescaped pipes (prettier pads them; a rule list never holds a pipe).
  const rows = doc
    .split('\n')
    .filter((l) => /^\| plans(-realworld|-public)?\//.test(l))
    .map((l) =>
      l
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  expect(rows.map((r) => r[0]).sort()).toEqual(Object.keys(expectations).sort());
  for (const [key, before, after, rulesBefore, rulesAfter, why] of rows) {
    const now = verdictLine(outcomeOf(expectations[key!]!));
    expect([key, after, rulesAfter]).toEqual([key, now.level, now.rules]);
    const changed = before !== after || rulesBefore !== rulesAfter;
    if (changed) expect([key, (why ?? '').length > 20]).toEqual([key, true]);
  }
});
