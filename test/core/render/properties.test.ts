import fc from 'fast-check';
import { decodeMarker, mentionsMarker } from '../../../src/core/marker.js';
import { orderedChanges, reportJson, type Report } from '../../../src/core/report.js';
import {
  ADDRESS_MAX,
  GITHUB_COMMENT_MAX_CHARS,
  addressCode,
  escapeHtml,
  renderMarkdown,
  renderText,
  truncate,
} from '../../../src/core/render/index.js';
import { MARKER_LINE, mentionsOutsideCode } from './checks.js';
import { largePlanArb, planArb, reportOf, type GeneratedPlan } from './plans.js';

// Random plans, most small and hostile, some large enough (up to 5,000 changes with long
// addresses) to force every step of the budget, up to cutting the destroy list.
const anyPlan: fc.Arbitrary<GeneratedPlan> = fc.oneof(
  { weight: 15, arbitrary: planArb(40) },
  { weight: 1, arbitrary: largePlanArb(1_000, 5_000) },
);

const RUNS = { numRuns: 200 };

function render(g: GeneratedPlan) {
  const report = reportOf(g.spec);
  return { report, md: renderMarkdown(report, { marker: { headSha: 'abc1234', runId: 1 } }) };
}

/** Managed destroys and replaces, counted from the generated JSON, not from the parser. */
function destroyCount(g: GeneratedPlan): number {
  return g.spec.changes.filter(
    (c) =>
      (c.mode ?? 'managed') === 'managed' &&
      ((c.actions.length === 1 && c.actions[0] === 'delete') ||
        (c.actions.length === 2 && c.actions.includes('delete') && c.actions.includes('create'))),
  ).length;
}

describe('render properties over random plans', () => {
  it('(a) no sensitive value reaches the markdown, the text or the JSON', () => {
    let withSecrets = 0;
    fc.assert(
      fc.property(anyPlan, (g) => {
        const { report, md } = render(g);
        const outputs = [
          md,
          renderText(report, { color: false }),
          renderText(report, { color: true }),
          JSON.stringify(reportJson(report)),
        ];
        // Every secret starts `S3CR3T-`: even a cut or escaped piece of one would show this.
        for (const out of outputs) expect(out).not.toContain('S3CR3T');
        for (const secret of g.secrets) expect(JSON.stringify(g.spec)).toContain(secret);
        if (g.secrets.length > 0) withSecrets++;
      }),
      RUNS,
    );
    // Most plans did hold secrets, so the check above is not vacuous.
    expect(withSecrets).toBeGreaterThan(RUNS.numRuns / 2);
  });

  it('(b) the markdown always fits GitHub’s limit', () => {
    fc.assert(
      fc.property(anyPlan, (g) => {
        expect(render(g).md.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
      }),
      RUNS,
    );
  });

  it('(c) destroys come first, and their exact numbers are stated', () => {
    let cut = 0;
    fc.assert(
      fc.property(anyPlan, (g) => {
        const { report, md } = render(g);
        if (checkDestroys(g, report, md) > 0) cut++;
      }),
      RUNS,
    );
    // Some plans were large enough that even the destroy list was cut.
    expect(cut).toBeGreaterThan(0);
  });

  it('(d) exactly one marker, on the last line, and nothing else from the plan is markup', () => {
    fc.assert(
      fc.property(anyPlan, (g) => {
        const { report, md } = render(g);
        const lines = md.split('\n');
        expect(lines.at(-1)).toMatch(MARKER_LINE);
        const m = decodeMarker(md);
        expect(m.ok).toBe(true);
        if (m.ok) expect(m.marker.projects[0]!.digest).toBe(report.projects[0]!.plan.digest);
        const rest = lines.slice(0, -1).join('\n');
        expect(mentionsMarker(rest)).toBe(false);
        expect(rest).not.toContain('<!--');
        expect(rest).not.toContain('-->');
        expect(rest).not.toMatch(/<script/i);
        expect(md.match(/<details>/g)?.length ?? 0).toBe(md.match(/<\/details>/g)?.length ?? 0);
        expect(mentionsOutsideCode(md)).toEqual([]);
      }),
      RUNS,
    );
  });
});

/** Checks (c); returns how many destroys were not listed. */
function checkDestroys(g: GeneratedPlan, report: Report, md: string): number {
  const plan = report.projects[0]!.plan;
  const { destructive, other } = orderedChanges(plan);
  const total = destroyCount(g);
  expect(destructive).toHaveLength(total);

  const stated = [...md.matchAll(/^\*\*(\d+) to destroy or replace\*\*$/gm)];
  expect(stated).toHaveLength(1);
  expect(Number(stated[0]![1])).toBe(total);

  // The listed destroys: the rows of the one destroy table, in plan order (its action column
  // only when the destroys do not all share one action).
  const lines = md.split('\n');
  const headers = ['| Address | Action | Flagged by |', '| Address | Flagged by |'];
  const header = lines.findIndex((l) => headers.includes(l));
  expect(lines.filter((l) => headers.includes(l)).length).toBeLessThanOrEqual(1);
  const rows: string[] = [];
  if (header >= 0) {
    for (let i = header + 2; i < lines.length && lines[i]!.startsWith('| '); i++)
      rows.push(lines[i]!);
  }
  rows.forEach((row, i) => {
    expect(row.startsWith(`| ${addressCode(destructive[i]!.address, true)} | `)).toBe(true);
  });
  // Each listed address once in the table, and no generic destroy/replace finding repeats it
  // anywhere else in the body.
  expect(md).not.toMatch(/\(`(destroy|replace)`\): /);
  const left = /^…and (\d+) more destroys\/replaces not shown: the full list is in /m.exec(md);
  const notListed = left ? Number(left[1]) : 0;
  if (left) expect(notListed).toBeGreaterThan(0);
  expect(rows.length + notListed).toBe(total);

  // Nothing about any other change comes before the last listed destroy.
  const tableEnd = header >= 0 ? md.indexOf(rows.at(-1) ?? lines[header]!) : 0;
  for (const c of other) {
    const at = md.indexOf(`<code>${escapeHtml(truncate(c.address, ADDRESS_MAX))}</code>`);
    if (at >= 0) expect(at).toBeGreaterThan(tableEnd);
  }

  // The details shown are a prefix of destroys-then-others.
  const summaries = lines.filter((l) => l.startsWith('<details><summary><code>'));
  const expected = [...destructive, ...other];
  summaries.forEach((s, i) => {
    expect(
      s.startsWith(
        `<details><summary><code>${escapeHtml(truncate(expected[i]!.address, ADDRESS_MAX))}</code> · `,
      ),
    ).toBe(true);
  });
  return notListed;
}
