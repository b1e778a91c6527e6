import { DEFAULT_CONFIG } from '../../src/core/config.js';
import { renderMarkdown } from '../../src/core/render/index.js';
import { buildReport } from '../../src/core/report.js';
import { toPlan } from '../../testkit/support/build.js';
import { incidentDestroyPlan, missingStatePlan } from '../../testkit/plans/samples.js';
import { asShown } from '../../tools/demo/plain.js';

// The demo quotes comments in a terminal as a reader sees them on GitHub: no markdown escapes.
const comment = (plan: unknown) =>
  renderMarkdown(buildReport([{ name: 'default', plan: toPlan(plan) }], DEFAULT_CONFIG));

test.each([
  ['the incident plan', incidentDestroyPlan()],
  ['the missing-state plan', missingStatePlan()],
])('%s: the comment as shown has no markdown escapes and keeps every address', (_, plan) => {
  const md = comment(plan);
  // The raw comment does escape: otherwise this test would check nothing.
  expect(md).toMatch(/\\[_.()]/);
  const shown = asShown(md);
  expect(shown).not.toMatch(/\\[!-/:-@[-`{-~]/);
  expect(shown).not.toMatch(/\*\*|<details>|<!--|&#/);
  // Addresses stand in code spans, and in <code> in the details' summaries: both are matched,
  // and a comment with none fails (the missing-state plan's are all in <code>).
  const address = /(?:`|<code>)(aws_[a-z_]+\.[a-z_]+(?:\[\d+\])?)(?:`|<\/code>)/g;
  const addresses = [...md.matchAll(address)].map((m) => m[1]);
  expect(addresses.length).toBeGreaterThanOrEqual(2);
  for (const address of addresses) expect(shown).toContain(address);
});

test('the incident comment reads as sentences, tables as aligned columns', () => {
  const shown = asShown(comment(incidentDestroyPlan())).split('\n');
  expect(shown).toContain('🔴 CRITICAL · risk score 100/100 · approval required');
  expect(
    shown.some((l) =>
      /^- 🔴 Backups lost \(backups-lost\): Destroying aws_db_instance\.main \(RDS database\)/.test(
        l,
      ),
    ),
  ).toBe(true);
  const header = shown.findIndex((l) => /^Create +Update +Replace +Delete$/.test(l));
  expect(header).toBeGreaterThanOrEqual(0);
  expect(shown[header + 1]).toMatch(/^ +0 +0 +0 +16$/);
  expect(shown[header + 1]!.length).toBe(shown[header]!.length);
});

test('backslashes that are part of the text stay; code spans are shown literally', () => {
  expect(asShown('a \\\\ b `x\\_y` c\\_d')).toBe('a \\ b x\\_y c_d');
});
