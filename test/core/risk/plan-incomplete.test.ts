import { buildReport } from '../../../src/core/report.js';
import { config, planDoc, rc, toPlan } from '../../../testkit/support/build.js';
import { corpusTest, readCorpusPlan } from '../../../testkit/support/shared.js';
import { parsePlan } from '../../../src/core/plan/index.js';

// `complete: false` (Terraform 1.9+ deferred changes): the plan is only a first step, so it is a
// high finding, which needs approval with the default `approval.when.level: high`.

const doc = (extra: Record<string, unknown>) => ({
  ...planDoc({ changes: [rc({ address: 'aws_instance.a', actions: ['create'], after: {} })] }),
  ...extra,
});

test('complete: false is a high finding that needs approval, naming the deferred changes', () => {
  const plan = toPlan(
    doc({
      complete: false,
      deferred_changes: [
        {
          reason: 'instance_count_unknown',
          resource_change: rc({ address: 'aws_instance.b[0]', actions: ['create'] }),
        },
        {
          reason: 'provider_config_unknown',
          resource_change: rc({ address: 'aws_instance.c', actions: ['create'] }),
        },
      ],
    }),
  );
  expect([plan.complete, plan.deferredChanges]).toEqual([false, 2]);
  const p = buildReport([{ name: 'p', plan }], config()).projects[0]!;
  expect(p.assessment.findings).toEqual([
    expect.objectContaining({
      id: 'plan-incomplete',
      severity: 'high',
      message: expect.stringContaining('2 changes deferred'),
    }),
  ]);
  expect(p.assessment.requiresApproval).toBe(true);
  expect(p.binding.risks).toEqual(['plan-incomplete']);
});

test('complete: true or absent (older Terraform) is not a finding', () => {
  for (const extra of [{ complete: true }, {}]) {
    const p = buildReport([{ name: 'p', plan: toPlan(doc(extra)) }], config()).projects[0]!;
    expect(p.assessment.findings.map((f) => f.id)).not.toContain('plan-incomplete');
    expect(p.assessment.requiresApproval).toBe(false);
  }
});

corpusTest('a real Terraform 1.9 plan with complete: true reads as complete', () => {
  const r = parsePlan(readCorpusPlan('checkov__for-each-modules-tf1.9.json'), 'x');
  expect(r.ok && [r.plan.complete, r.plan.deferredChanges]).toEqual([true, 0]);
});
