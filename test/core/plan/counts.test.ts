import { countByKind, parsePlan } from '../../../src/core/plan/index.js';
import { buildReport } from '../../../src/core/report.js';
import { renderText } from '../../../src/core/render/index.js';
import { DEFAULT_CONFIG, planDoc, rc, toPlan } from '../../../testkit/support/build.js';
import { corpusTest, readRealPlan } from '../../../testkit/support/shared.js';

// Counts as Terraform says them: an import or a move that also updates counts under both.

test('an import that also updates counts as 1 to import and 1 to change', () => {
  const plan = toPlan(
    planDoc({
      changes: [
        rc({
          address: 'null_resource.a',
          actions: ['update'],
          before: {},
          after: {},
          importing: { id: 'x' },
        }),
        rc({
          address: 'null_resource.b',
          actions: ['no-op'],
          before: {},
          after: {},
          importing: { id: 'y' },
        }),
      ],
    }),
  );
  const c = countByKind(plan.resourceChanges);
  expect([c.import, c.update, c['no-op']]).toEqual([2, 1, 0]);
});

test('a move with an update counts the move, and the text format says so', () => {
  const plan = toPlan(
    planDoc({
      changes: [
        rc({
          address: 'null_resource.new',
          previousAddress: 'null_resource.old',
          actions: ['update'],
          before: { v: 1 },
          after: { v: 2 },
        }),
      ],
    }),
  );
  const report = buildReport([{ name: 'default', plan }], DEFAULT_CONFIG);
  expect(report.projects[0]?.counts.move).toBe(1);
  expect(renderText(report, { color: false })).toMatch(/update 1, .*move 1/);
});

corpusTest('real plans: the importing update and the moved update', () => {
  const get = (key: string) => {
    const r = parsePlan(readRealPlan(key), key);
    if (!r.ok) throw new Error(r.error.message);
    return countByKind(r.plan.resourceChanges);
  };
  const imp = get('plans/tfjson__import-identity-tf1.13.json');
  expect([imp.import, imp.update]).toEqual([1, 1]);
  const mv = get('plans-realworld/tofu__equiv-moved-with-update.json');
  expect([mv.move, mv.update]).toEqual([1, 1]);
});

test('an HCP Terraform redacted plan is refused with where to get the right JSON', () => {
  const r = parsePlan(
    JSON.stringify({ plan_format_version: '1.1', resource_changes: [], output_changes: {} }),
    'run.json',
  );
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.error.message).toMatch(/^run\.json: this is the redacted plan HCP Terraform/);
  expect(r.error.message).toMatch(/json-output/);
  expect(r.error.message).toMatch(/terraform show -json/);
});
