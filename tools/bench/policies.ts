// `node --import tsx tools/bench/policies.ts`: what the config's CEL policies cost on the largest
// real plans (../shared/fixtures, read in place): wall time and steps (the unit of the step
// limit, POLICY_STEP_LIMIT) per policy, for the kinds of policy docs/policies.md shows.
import { performance } from 'node:perf_hooks';
import { parsePlan } from '../../src/core/plan/parse.js';
import { POLICY_STEP_LIMIT, type PolicySpec } from '../../src/core/policies/index.js';
import { evaluatePolicies } from '../../src/core/policies/engine.js';
import { assess } from '../../src/core/risk/score.js';
import { DEFAULT_CONFIG } from '../../src/core/config.js';
import {
  hasShared,
  readRealPlan,
  realPlanKeys,
  SKIP_REASON,
} from '../../testkit/support/shared.js';

const POLICIES: PolicySpec[] = [
  {
    id: 'per-change-type',
    scope: 'change',
    when: 'change.type.startsWith("aws_db_") && "delete" in change.actions',
  },
  {
    id: 'per-change-finding',
    scope: 'change',
    when: 'plan.findings.exists(f, f.id == "stateful-destroy" && f.address == change.address)',
  },
  {
    id: 'per-change-values',
    scope: 'change',
    when: 'change.after != null && has(change.after.tags) && !has(change.after.tags.owner)',
  },
  { id: 'plan-counts', scope: 'plan', when: 'plan.counts.delete + plan.counts.replace > 20' },
  {
    id: 'plan-changes',
    scope: 'plan',
    when: 'plan.changes.filter(c, c.type.matches("^azurerm_.*") && c.kind == "delete").size() > 3',
  },
].map((p) => ({ severity: 'high', message: 'm', owners: [], ...p }) as PolicySpec);

/** n^3 iterations on any plan of 100+ changes: runs into the step limit. */
const WORST: PolicySpec = {
  id: 'worst',
  scope: 'plan',
  severity: 'high',
  message: 'm',
  owners: [],
  when: 'plan.changes.exists(a, plan.changes.exists(b, plan.changes.exists(c, false)))',
};

if (!hasShared) {
  console.log(SKIP_REASON);
} else {
  const sized = realPlanKeys()
    .map((key) => ({ key, bytes: readRealPlan(key) }))
    .sort((a, b) => b.bytes.length - a.bytes.length);
  // The three biggest files, and the plan with the most changes.
  const most = sized
    .map((s) => ({ ...s, n: (s.bytes.toString('utf8').match(/"change":\s*\{/g) ?? []).length }))
    .sort((a, b) => b.n - a.n)[0]!;
  const picked = [...sized.slice(0, 3), ...(sized.slice(0, 3).includes(most) ? [] : [most])];
  console.log(`step limit per policy per plan: ${POLICY_STEP_LIMIT.toLocaleString('en-US')}`);
  for (const { key, bytes } of picked) {
    const r = parsePlan(bytes, key);
    if (!r.ok) continue;
    const builtin = assess(r.plan, DEFAULT_CONFIG).findings;
    const changes = r.plan.resourceChanges.filter((c) => c.kind !== 'no-op').length;
    console.log(
      `\n${key}: ${(bytes.length / 1e6).toFixed(1)} MB, ${changes} changes, ${builtin.length} built-in findings`,
    );
    for (const p of POLICIES) {
      const runs: number[] = [];
      let steps = 0;
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        steps = evaluatePolicies(r.plan, 'default', builtin, [p]).steps[p.id] ?? 0;
        runs.push(performance.now() - t);
      }
      runs.sort((a, b) => a - b);
      console.log(
        `  ${p.id.padEnd(20)} median ${runs[2]!.toFixed(1).padStart(7)} ms  ${steps.toLocaleString('en-US').padStart(9)} steps`,
      );
    }
    // The bound: a policy that would loop for ever more is stopped at the limit. How long that takes.
    const t = performance.now();
    try {
      evaluatePolicies(r.plan, 'default', builtin, [WORST]);
    } catch {
      // the step limit's PolicyError: expected
    }
    console.log(
      `  ${'at the step limit'.padEnd(20)} ${(performance.now() - t).toFixed(0).padStart(14)} ms`,
    );
  }
}
