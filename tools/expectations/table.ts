// The verdict of applygate on every real plan of ../shared/fixtures (plans/ and plans-realworld/),
// next to the reviewed expectations in testkit/plans/expectations.json.
//
//   node --import tsx tools/expectations/table.ts              markdown table: fixture, level, rules
//   node --import tsx tools/expectations/table.ts --json       the outcomes as JSON (keep one as "before")
//   node --import tsx tools/expectations/table.ts --before F   before/after table against outcomes in F
//   node --import tsx tools/expectations/table.ts --write      rewrite expectations.json (notes kept):
//                                                              review the diff before committing it
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  hasShared,
  readRealPlan,
  realPlanKeys,
  SKIP_REASON,
} from '../../testkit/support/shared.js';
import {
  outcomeOf,
  verdictLine,
  verdictOf,
  type Expectation,
  type Outcome,
} from '../../testkit/plans/verdicts.js';

const EXPECTATIONS = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../testkit/plans/expectations.json',
);

const args = process.argv.slice(2);
if (!hasShared) {
  console.error(SKIP_REASON);
  process.exit(1);
}

const outcomes: Record<string, Outcome> = {};
for (const key of realPlanKeys()) outcomes[key] = verdictOf(readRealPlan(key), key);

const expected = JSON.parse(readFileSync(EXPECTATIONS, 'utf8')) as Record<string, Expectation>;
const same = (a: Outcome | undefined, b: Outcome | undefined) =>
  JSON.stringify(a) === JSON.stringify(b);
const cell = (s: string) => s.replace(/\|/g, '\\|');

if (args.includes('--json')) {
  console.log(JSON.stringify(outcomes, null, 2));
} else if (args.includes('--write')) {
  const next: Record<string, Expectation> = {};
  for (const [key, o] of Object.entries(outcomes)) {
    const note = expected[key]?.note;
    next[key] = note ? { ...o, note } : o;
  }
  writeFileSync(EXPECTATIONS, `${JSON.stringify(next, null, 2)}\n`);
  console.log(`${EXPECTATIONS}: ${Object.keys(next).length} expectations written`);
} else if (args.includes('--before')) {
  const file = args[args.indexOf('--before') + 1];
  if (!file) throw new Error('--before needs a file written by --json');
  const before = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Outcome>;
  console.log('| Fixture | Before | After | Rules before | Rules after | Why |');
  console.log('|---|---|---|---|---|---|');
  let changed = 0;
  for (const [key, o] of Object.entries(outcomes)) {
    const b = before[key];
    const was = b ? verdictLine(b) : { level: '(new)', rules: '' };
    const now = verdictLine(o);
    const moved = was.level !== now.level || was.rules !== now.rules;
    if (moved) changed += 1;
    if (moved || !args.includes('--changed')) {
      console.log(
        `| ${cell(key)} | ${was.level} | ${now.level} | ${cell(was.rules)} | ${cell(now.rules)} | ${cell(expected[key]?.note ?? '')} |`,
      );
    }
  }
  console.log(`\n${changed} of ${Object.keys(outcomes).length} plans changed verdict.`);
} else {
  console.log('| Fixture | Level | Rules | Matches expectation |');
  console.log('|---|---|---|---|');
  let mismatches = 0;
  for (const [key, o] of Object.entries(outcomes)) {
    const e = expected[key];
    const ok = e !== undefined && same(outcomeOf(e), o);
    if (!ok) mismatches += 1;
    const { level, rules } = verdictLine(o);
    console.log(`| ${cell(key)} | ${level} | ${cell(rules)} | ${ok ? 'yes' : '**no**'} |`);
  }
  console.log(`\n${Object.keys(outcomes).length} plans, ${mismatches} not as expected.`);
  if (mismatches > 0) process.exitCode = 1;
}
