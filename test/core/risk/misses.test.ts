import type { Plan } from '../../../src/core/plan/index.js';
import { assess, type RuleId } from '../../../src/core/risk/index.js';
import { hygieneFindings } from '../../../src/core/risk/hygiene.js';
import { parsePlan } from '../../../src/core/plan/index.js';
import { DEFAULT_CONFIG, planDoc, rc, toPlan } from '../../../testkit/support/build.js';
import { corpusTest, readRealPlan } from '../../../testkit/support/shared.js';

// The misses and false alarms that 62 real plans showed (issue 15), one test each: every one
// fails on the rules before the fix.

const assessed = (plan: Plan) => assess(plan, DEFAULT_CONFIG);
const about = (plan: Plan, id: RuleId) => assessed(plan).findings.filter((f) => f.id === id);
function real(key: string): Plan {
  const r = parsePlan(readRealPlan(key), key);
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

describe('mass-destroy counts deletes, not replaces', () => {
  const stack = (replaces: number, deletes: number, prior: number) =>
    toPlan(
      planDoc({
        changes: [
          ...Array.from({ length: replaces }, (_, i) =>
            rc({
              address: `null_resource.r${i}`,
              actions: ['delete', 'create'],
              before: {},
              after: {},
            }),
          ),
          ...Array.from({ length: deletes }, (_, i) =>
            rc({ address: `null_resource.d${i}`, actions: ['delete'], before: {} }),
          ),
        ],
        priorResources: prior,
      }),
    );
  test('a 6-resource stack replacing 4 resources is not terraform destroy', () => {
    expect(about(stack(4, 0, 6), 'mass-destroy')).toEqual([]);
    expect(about(stack(4, 0, 6), 'replace')).toHaveLength(4);
  });
  test('a rolling replacement of 3 of 5 instances is not either', () => {
    expect(about(stack(3, 0, 5), 'mass-destroy')).toEqual([]);
  });
  test('deleting 3 of 5 still is', () => {
    expect(about(stack(0, 3, 5), 'mass-destroy')).toHaveLength(1);
  });
  corpusTest(
    'real plan: tfreveal advanced (4 replaces, 1 delete in a 6-resource stack) is medium',
    () => {
      const a = assessed(real('plans-realworld/tfreveal__advanced-tf1.7.json'));
      expect(a.findings.map((f) => f.id)).not.toContain('mass-destroy');
      expect(a.level).toBe('medium');
    },
  );
});

describe('protection-disabled', () => {
  const change = (type: string, actions: string[], before: object | null, after: object | null) =>
    toPlan(planDoc({ changes: [rc({ address: `${type}.x`, actions, before, after })] }));
  test('force_destroy on an IAM user only removes keys and MFA devices: quiet, created or changed', () => {
    expect(
      about(
        change('aws_iam_user', ['create'], null, { force_destroy: true }),
        'protection-disabled',
      ),
    ).toEqual([]);
    expect(
      about(
        change('aws_iam_user', ['update'], { force_destroy: false }, { force_destroy: true }),
        'protection-disabled',
      ),
    ).toEqual([]);
  });
  test('force_destroy switched on for an existing bucket fires', () => {
    expect(
      about(
        change('aws_s3_bucket', ['update'], { force_destroy: false }, { force_destroy: true }),
        'protection-disabled',
      ),
    ).toHaveLength(1);
  });
  test('a bucket created with force_destroy lost no guard: it is a hygiene item, not a finding', () => {
    const plan = change('aws_s3_bucket', ['create'], null, { force_destroy: true });
    expect(about(plan, 'protection-disabled')).toEqual([]);
    expect(hygieneFindings(plan).map((h) => h.id)).toEqual(['force-destroy-on']);
  });
  test('deleting an azurerm_management_lock removes a guard', () => {
    const [f] = about(
      change('azurerm_management_lock', ['delete'], { lock_level: 'CanNotDelete' }, null),
      'protection-disabled',
    );
    expect(f?.severity).toBe('high');
    expect(f?.message).toMatch(/management lock\) is deleted/);
  });
  test('replacing a lock puts it back: quiet', () => {
    expect(
      about(change('azurerm_management_lock', ['delete', 'create'], {}, {}), 'protection-disabled'),
    ).toEqual([]);
  });
});

describe('stateful-destroy beyond the big three', () => {
  corpusTest('real plan: an Aiven Kafka topic deleted with its messages is critical', () => {
    const [f] = about(
      real('plans-realworld/aiven__kafka-topic-delete-tf1.5.json'),
      'stateful-destroy',
    );
    expect(f?.address).toBe('aiven_kafka_topic.bar[2]');
    expect(f?.message).toMatch(/Kafka topic/);
  });
  corpusTest(
    'real plan: azapi deletes of an App Configuration store and an AI services account',
    () => {
      const f = about(
        real('plans-realworld/landingzone__destroy-plan-tf1.11.json'),
        'stateful-destroy',
      );
      const azapi = f.filter((x) => x.address?.includes('azapi_resource'));
      expect(azapi.map((x) => x.address).sort()).toEqual([
        'module.app_configuration[0].azapi_resource.this',
        'module.foundry_ptn.azapi_resource.ai_foundry',
      ]);
      expect(azapi.map((x) => x.message).join(' ')).toMatch(/App Configuration store/);
    },
  );
  test('an azapi_resource of a type outside the catalog is a plain destroy', () => {
    const plan = toPlan(
      planDoc({
        changes: [
          rc({
            address: 'azapi_resource.vnet',
            actions: ['delete'],
            before: { type: 'Microsoft.Network/virtualNetworks@2023-11-01' },
          }),
        ],
      }),
    );
    expect(about(plan, 'stateful-destroy')).toEqual([]);
    expect(about(plan, 'destroy')).toHaveLength(1);
  });
});

describe('check-failed', () => {
  const withChecks = (checks: unknown[]) => toPlan({ ...planDoc({}), checks });
  test('a failing check block is a high finding with its message', () => {
    const plan = withChecks([
      {
        address: { kind: 'check', name: 'health', to_display: 'check.health' },
        status: 'fail',
        instances: [
          {
            address: { to_display: 'check.health' },
            status: 'fail',
            problems: [{ message: 'The website did not answer 200.' }],
          },
        ],
      },
      { address: { kind: 'check', to_display: 'check.ok' }, status: 'pass', instances: [] },
      { address: { kind: 'resource', to_display: 'aws_instance.web' }, status: 'unknown' },
    ]);
    const f = about(plan, 'check-failed');
    expect(f).toHaveLength(1);
    expect(f[0]?.severity).toBe('high');
    expect(f[0]?.message).toMatch(/check\.health fails: The website did not answer 200\./);
  });
  test('passing and unknown checks are quiet; a malformed entry is skipped, not a crash', () => {
    expect(
      about(withChecks([{ status: 'pass' }, null, 'x', { status: 'unknown' }]), 'check-failed'),
    ).toEqual([]);
  });
  corpusTest('real plans: 16 passing and 351 mostly unknown checks are quiet', () => {
    expect(about(real('plans/terracost__checks-outputs-tf1.6.json'), 'check-failed')).toEqual([]);
    expect(about(real('plans-realworld/landingzone__plan-tf1.13.json'), 'check-failed')).toEqual(
      [],
    );
  });
});

describe('drift as Terraform shows it', () => {
  const drifted = (relevant: string[], changed: string[]) =>
    toPlan({
      ...planDoc({
        changes: changed.map((a) =>
          rc({ address: a, actions: ['update'], before: { v: 1 }, after: { v: 2 } }),
        ),
        drift: ['null_resource.a', 'null_resource.b', 'null_resource.c'].map((address) => ({
          address,
          mode: 'managed',
          type: 'null_resource',
          name: address.split('.')[1],
          change: { actions: ['update'] },
        })),
      }),
      relevant_attributes: relevant.map((resource) => ({ resource, attribute: ['id'] })),
    });
  test('drift nothing in the plan touches or reads is not a finding', () => {
    expect(about(drifted([], []), 'drift')).toEqual([]);
  });
  test('drift of a resource the plan changes, or whose attributes it reads, is', () => {
    expect(
      about(drifted(['null_resource.b'], ['null_resource.a']), 'drift').map((f) => f.address),
    ).toEqual(['null_resource.a', 'null_resource.b']);
  });
  corpusTest('real plan: 43 drift entries on untouched resources give no finding', () => {
    expect(
      about(real('plans-realworld/hmcts__azure-storage-replace-tf0.15.json'), 'drift'),
    ).toEqual([]);
  });
});

describe('plan-errored', () => {
  corpusTest('real plan: Terraform marks an empty plan not applyable; that is not an error', () => {
    const plan = real('plans/checkov__empty-plan-tf1.10.json');
    expect(plan.applyable).toBe(false);
    expect(assessed(plan).findings).toEqual([]);
  });
  test('a not-applyable plan with changes still fires', () => {
    const plan = toPlan({
      ...planDoc({ changes: [rc({ address: 'null_resource.a', actions: ['create'], after: {} })] }),
      applyable: false,
    });
    expect(about(plan, 'plan-errored')).toHaveLength(1);
  });
});
