import { parsePlan, type Plan } from '../../../src/core/plan/index.js';
import {
  assess,
  RULES,
  RULE_IDS,
  scoreFindings,
  type RuleId,
} from '../../../src/core/risk/index.js';
import {
  incidentDestroyPlan,
  missingStatePlan,
  createsOnlyPlan,
} from '../../../testkit/plans/samples.js';
import { config, DEFAULT_CONFIG, planDoc, rc, toPlan } from '../../../testkit/support/build.js';
import { corpusTest, describeCorpus, readCorpusPlan } from '../../../testkit/support/shared.js';

const fired = (plan: Plan, cfg = DEFAULT_CONFIG) => assess(plan, cfg).findings;
const ids = (plan: Plan, cfg = DEFAULT_CONFIG) => new Set(fired(plan, cfg).map((f) => f.id));
const about = (plan: Plan, id: RuleId, cfg = DEFAULT_CONFIG) =>
  fired(plan, cfg).filter((f) => f.id === id);

function corpus(name: string): Plan {
  const r = parsePlan(readCorpusPlan(name), name);
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

const db = (values: Record<string, unknown>, actions = ['delete']) =>
  toPlan(
    planDoc({
      changes: [
        rc({
          address: 'aws_db_instance.main',
          actions,
          before: { identifier: 'prod', ...values },
          after: actions.length > 1 ? { identifier: 'prod' } : null,
        }),
      ],
      priorResources: 30,
    }),
  );

test('every rule in the design table exists, once, with a description', () => {
  expect(RULES.map((r) => r.id).sort()).toEqual([...RULE_IDS].sort());
  for (const r of RULES) expect(r.description.length).toBeGreaterThan(20);
});

describe('backups-lost knows the provider defaults', () => {
  test('aws_db_instance with the defaults: backups deleted (delete_automated_backups defaults to true) and no final snapshot id', () => {
    const [f] = about(db({}), 'backups-lost');
    expect(f?.severity).toBe('critical');
    expect(f?.address).toBe('aws_db_instance.main');
    expect(f?.message).toMatch(/automated backups are deleted/);
    expect(f?.message).toMatch(/final_snapshot_identifier/);
  });
  test('skip_final_snapshot = true fires even when automated backups are kept', () => {
    const [f] = about(
      db({ delete_automated_backups: false, skip_final_snapshot: true }),
      'backups-lost',
    );
    expect(f?.message).toMatch(/no final snapshot is taken/);
    expect(f?.message).not.toMatch(/automated backups are deleted/);
  });
  test('delete_automated_backups = false plus a final snapshot does not fire', () => {
    const plan = db({
      delete_automated_backups: false,
      skip_final_snapshot: false,
      final_snapshot_identifier: 'prod-final',
    });
    expect(about(plan, 'backups-lost')).toEqual([]);
    expect(ids(plan).has('stateful-destroy')).toBe(true); // the database itself still goes
  });
  test('a replace of the database counts too; an update does not', () => {
    expect(about(db({}, ['delete', 'create']), 'backups-lost')).toHaveLength(1);
    const upd = toPlan(
      planDoc({
        changes: [
          rc({
            address: 'aws_db_instance.main',
            actions: ['update'],
            before: { skip_final_snapshot: true },
            after: { skip_final_snapshot: true },
          }),
        ],
      }),
    );
    expect(about(upd, 'backups-lost')).toEqual([]);
  });
  test('the incident plan fires it on the RDS database', () => {
    const plan = toPlan(incidentDestroyPlan());
    expect(about(plan, 'backups-lost').map((f) => f.address)).toEqual(['aws_db_instance.main']);
  });
});

describe('stateful-destroy', () => {
  corpusTest('real plan: an S3 bucket deleted', () => {
    const f = about(corpus('snyk__s3-delete-update-drift-tf1.2.json'), 'stateful-destroy');
    expect(f.length).toBe(1);
    expect(f[0]?.message).toMatch(/S3|bucket/i);
  });
  corpusTest('real plan: a secret replaced with create_before_destroy', () => {
    const [f] = about(corpus('checkov__create-before-destroy-secret.json'), 'stateful-destroy');
    expect(f?.message).toMatch(/created first/);
  });
  test('a type added in config counts; an unknown type does not', () => {
    const plan = toPlan(
      planDoc({ changes: [rc({ address: 'acme_ledger.main', actions: ['delete'], before: {} })] }),
    );
    expect(about(plan, 'stateful-destroy')).toEqual([]);
    expect(about(plan, 'destroy')).toHaveLength(1);
    const cfg = config({ risk: { stateful_types: ['acme_ledger'] } });
    expect(about(plan, 'stateful-destroy', cfg)).toHaveLength(1);
    expect(about(plan, 'destroy', cfg)).toEqual([]);
  });
  test('data sources are never destroyed', () => {
    const plan = toPlan(
      planDoc({
        changes: [rc({ address: 'data.aws_s3_bucket.b', mode: 'data', actions: ['delete'] })],
      }),
    );
    expect(fired(plan)).toEqual([]);
  });
});

describe('destroy and replace', () => {
  corpusTest('real plans: terraform_data deleted, null_resource replaced (with the reason)', () => {
    expect(about(corpus('tfplanformat__delete-tf1.7.json'), 'destroy')).toHaveLength(1);
    const [r] = about(corpus('tfplanformat__replace-tf1.7.json'), 'replace');
    expect(r?.message).toMatch(/replace because cannot update/);
  });
  test('a creates-only plan fires neither', () => {
    const f = ids(toPlan(createsOnlyPlan()));
    expect(f.has('destroy') || f.has('replace')).toBe(false);
  });
});

describe('mass-destroy', () => {
  const deletes = (n: number, prior: number) =>
    toPlan(
      planDoc({
        changes: Array.from({ length: n }, (_, i) =>
          rc({ address: `null_resource.r${i}`, actions: ['delete'], before: {} }),
        ),
        priorResources: prior,
      }),
    );
  test('fires at the configured count', () => {
    expect(about(deletes(10, 1000), 'mass-destroy')).toHaveLength(1);
    expect(about(deletes(9, 1000), 'mass-destroy')).toEqual([]);
    expect(
      about(deletes(9, 1000), 'mass-destroy', config({ risk: { mass_destroy: { count: 5 } } })),
    ).toHaveLength(1);
  });
  test('fires at the configured share of the state, and says when it is everything', () => {
    const [f] = about(deletes(3, 6), 'mass-destroy');
    expect(f?.message).toMatch(/deletes 3 of the 6 resources in state \(50%\)/);
    expect(about(deletes(4, 4), 'mass-destroy')[0]?.message).toMatch(/That is everything/);
  });
  test('one destroy out of two is not mass destruction', () => {
    expect(about(deletes(1, 2), 'mass-destroy')).toEqual([]);
  });
  test('the incident plan looks like terraform destroy', () => {
    expect(about(toPlan(incidentDestroyPlan()), 'mass-destroy')[0]?.message).toMatch(
      /terraform destroy/,
    );
  });
});

describe('empty-state', () => {
  test('the missing-state plan (~100 creates, no prior state) fires it at high', () => {
    const [f] = about(toPlan(missingStatePlan()), 'empty-state');
    expect(f?.severity).toBe('high');
    expect(f?.message).toMatch(/state looks missing/);
  });
  corpusTest('real plan: 55 creates over a state holding only data sources', () => {
    expect(about(corpus('checkov__55-resources-tf0.12.json'), 'empty-state')).toHaveLength(1);
  });
  corpusTest('real plan: creates next to an existing state do not fire', () => {
    expect(about(corpus('infracost__aws-rds-modules-tf0.14.json'), 'empty-state')).toEqual([]);
  });
  test('below the configured number of creates it stays quiet', () => {
    expect(about(toPlan(createsOnlyPlan()), 'empty-state')).toEqual([]);
  });
});

describe('protection-disabled', () => {
  const upd = (address: string, before: object, after: object) =>
    toPlan(planDoc({ changes: [rc({ address, actions: ['update'], before, after })] }));
  test('deletion_protection true -> false', () => {
    expect(
      about(
        upd('aws_db_instance.db', { deletion_protection: true }, { deletion_protection: false }),
        'protection-disabled',
      ),
    ).toHaveLength(1);
  });
  test('termination protection and the ALB flag', () => {
    expect(
      about(
        upd(
          'aws_instance.a',
          { disable_api_termination: true },
          { disable_api_termination: false },
        ),
        'protection-disabled',
      ),
    ).toHaveLength(1);
    expect(
      about(
        upd(
          'aws_lb.a',
          { enable_deletion_protection: true },
          { enable_deletion_protection: false },
        ),
        'protection-disabled',
      ),
    ).toHaveLength(1);
  });
  test('force_destroy becomes true', () => {
    const [f] = about(
      upd('aws_s3_bucket.b', { force_destroy: false }, { force_destroy: true }),
      'protection-disabled',
    );
    expect(f?.message).toMatch(/force_destroy becomes true/);
  });
  test('protection kept, or turned on, does not fire', () => {
    expect(
      about(
        upd('aws_db_instance.db', { deletion_protection: true }, { deletion_protection: true }),
        'protection-disabled',
      ),
    ).toEqual([]);
    expect(
      about(
        upd('aws_db_instance.db', { deletion_protection: false }, { deletion_protection: true }),
        'protection-disabled',
      ),
    ).toEqual([]);
  });
});

describe('network-exposure', () => {
  corpusTest('real plan: security groups created open to 0.0.0.0/0', () => {
    const f = about(corpus('checkov__for-each-modules-tf1.9.json'), 'network-exposure');
    expect(f.length).toBe(3);
    expect(f[0]?.severity).toBe('high');
  });
  corpusTest('real plan: an egress-only rule and a route to 0.0.0.0/0 are not ingress', () => {
    const f = about(corpus('checkov__55-resources-tf0.12.json'), 'network-exposure').map(
      (x) => x.address,
    );
    expect(f).not.toContain('aws_route.public_internet_gateway');
    expect(f).not.toContain('aws_security_group_rule.egress');
  });
  corpusTest('real plan: an update to a group that was already open is not news', () => {
    expect(
      about(corpus('tfcompliance__24-resources-updates-tf0.12.json'), 'network-exposure'),
    ).toEqual([]);
  });
  test('an ingress rule newly opened to ::/0, and a GCP firewall', () => {
    const plan = toPlan(
      planDoc({
        changes: [
          rc({
            address: 'aws_security_group_rule.ssh',
            actions: ['update'],
            before: { type: 'ingress', cidr_blocks: ['10.0.0.0/8'] },
            after: { type: 'ingress', cidr_blocks: ['10.0.0.0/8'], ipv6_cidr_blocks: ['::/0'] },
          }),
          rc({
            address: 'google_compute_firewall.ssh',
            actions: ['create'],
            after: { source_ranges: ['0.0.0.0/0'], allow: [{ protocol: 'tcp', ports: ['22'] }] },
          }),
          rc({
            address: 'azurerm_network_security_rule.rdp',
            actions: ['create'],
            after: { direction: 'Inbound', access: 'Allow', source_address_prefix: '*' },
          }),
          rc({
            address: 'azurerm_network_security_rule.deny',
            actions: ['create'],
            after: { direction: 'Inbound', access: 'Deny', source_address_prefix: '*' },
          }),
        ],
      }),
    );
    expect(about(plan, 'network-exposure').map((f) => f.address)).toEqual([
      'aws_security_group_rule.ssh',
      'google_compute_firewall.ssh',
      'azurerm_network_security_rule.rdp',
    ]);
  });
});

describe('iam-change', () => {
  corpusTest('real plan: IAM role and OIDC provider created', () => {
    expect(
      about(corpus('checkov__data-read-reasons-tf1.5.json'), 'iam-change').length,
    ).toBeGreaterThan(0);
  });
  corpusTest('a plan with no IAM types does not fire', () => {
    expect(about(corpus('infracost__s3-lambda-create-fv0.2.json'), 'iam-change')).toEqual([]);
  });
});

describe('drift, plan-errored', () => {
  corpusTest('real plan with resource_drift fires drift at low', () => {
    const f = about(corpus('tofu__show-json-drift.json'), 'drift');
    expect(f.length).toBeGreaterThan(0);
    expect(f[0]?.severity).toBe('low');
  });
  corpusTest('no drift, no finding', () => {
    expect(about(corpus('tfplanformat__delete-tf1.7.json'), 'drift')).toEqual([]);
  });
  corpusTest('real errored plan is critical; an applyable one is not flagged', () => {
    expect(about(corpus('tofu__show-json-plan-error.json'), 'plan-errored')[0]?.severity).toBe(
      'critical',
    );
    expect(about(corpus('tfplanformat__replace-tf1.7.json'), 'plan-errored')).toEqual([]);
  });
});

describe('protected-address', () => {
  const plan = toPlan(
    planDoc({
      changes: [
        rc({
          address: 'module.db.aws_db_parameter_group.pg',
          actions: ['update'],
          before: {},
          after: {},
        }),
        rc({ address: 'module.web.aws_instance.a[0]', actions: ['update'], before: {}, after: {} }),
        rc({ address: 'module.db.aws_kms_key.k', actions: ['no-op'], before: {}, after: {} }),
      ],
    }),
  );
  test('a change under a protected pattern is critical; no-ops and other addresses are not', () => {
    const f = about(plan, 'protected-address', config({ risk: { protected: ['module.db.*'] } }));
    expect(f.map((x) => [x.address, x.severity])).toEqual([
      ['module.db.aws_db_parameter_group.pg', 'critical'],
    ]);
    expect(about(plan, 'protected-address')).toEqual([]);
  });
  test('brackets in patterns are literal', () => {
    expect(
      about(
        plan,
        'protected-address',
        config({ risk: { protected: ['module.web.aws_instance.a[0]'] } }),
      ),
    ).toHaveLength(1);
  });
});

describe('score and level', () => {
  test('no findings: 0, none, no approval', () => {
    const a = assess(toPlan(createsOnlyPlan()), DEFAULT_CONFIG);
    expect([a.score, a.level, a.requiresApproval]).toEqual([0, 'none', false]);
  });
  test('the level is the worst finding; the score adds points within its band', () => {
    expect(scoreFindings([{ id: 'drift', severity: 'low', message: '' }])).toEqual({
      score: 2,
      level: 'low',
    });
    expect(
      scoreFindings([
        { id: 'destroy', severity: 'medium', message: '' },
        { id: 'drift', severity: 'low', message: '' },
      ]),
    ).toEqual({ score: 29, level: 'medium' });
    const many = Array.from({ length: 50 }, () => ({
      id: 'destroy' as const,
      severity: 'medium' as const,
      message: '',
    }));
    expect(scoreFindings(many)).toEqual({ score: 49, level: 'medium' });
  });
  test('the incident plan is critical, needs approval, and says why', () => {
    const a = assess(toPlan(incidentDestroyPlan()), DEFAULT_CONFIG);
    expect(a.level).toBe('critical');
    expect(a.score).toBeGreaterThanOrEqual(75);
    expect(a.requiresApproval).toBe(true);
    expect(a.approvalReasons.map((r) => r.kind)).toEqual(['destroys', 'level']);
  });
  test('the missing-state plan is high and needs approval by level', () => {
    const a = assess(toPlan(missingStatePlan()), DEFAULT_CONFIG);
    expect(a.level).toBe('high');
    expect(a.approvalReasons.map((r) => r.kind)).toEqual(['level']);
  });
  test('ignored rules do not count; approval rules follow the config', () => {
    const plan = toPlan(missingStatePlan());
    expect(assess(plan, config({ risk: { ignore: ['empty-state', 'iam-change'] } })).level).toBe(
      'none',
    );
    expect(
      assess(plan, config({ approval: { when: { level: 'critical' } } })).requiresApproval,
    ).toBe(false);
    const del = toPlan(
      planDoc({
        changes: [rc({ address: 'null_resource.a', actions: ['delete'], before: {} })],
        priorResources: 50,
      }),
    );
    expect(assess(del, DEFAULT_CONFIG).requiresApproval).toBe(true);
    expect(assess(del, config({ approval: { when: { destroys: false } } })).requiresApproval).toBe(
      false,
    );
  });
});

describeCorpus('rules over the whole corpus', () => {
  corpusTest(
    'no rule throws on any real plan and every finding names a rule and a sentence',
    () => {
      // Covered per file in corpus.test.ts for parsing; here, assessing.
      let findings = 0;
      for (const name of [
        'tofu__equiv-complex-destroy-sensitive.json',
        'infracost__aws-rds-modules-tf0.14.json',
        'tfcompliance__deletes-tf1.0.json',
      ]) {
        for (const f of fired(corpus(name))) {
          expect(RULE_IDS).toContain(f.id);
          expect(f.message).toMatch(/[.!?]$/);
          findings++;
        }
      }
      expect(findings).toBeGreaterThanOrEqual(3);
    },
  );
});

test('finding messages are plain text (renderers escape them; markup in them would show literally)', () => {
  const plan = toPlan(incidentDestroyPlan());
  const cfg = config({ risk: { protected: ['aws_*'] } });
  const findings = fired(plan, cfg);
  expect(findings.length).toBeGreaterThanOrEqual(3);
  for (const f of findings) expect(f.message).not.toContain('`');
});
