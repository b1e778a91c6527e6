import { parseConfig, type Config } from '../../../src/core/config.js';
import { parsePlan } from '../../../src/core/plan/parse.js';
import type { Plan } from '../../../src/core/plan/model.js';
import {
  NO_POLICY_ENGINE,
  PolicyError,
  policyFindingId,
  type PolicySpec,
} from '../../../src/core/policies/index.js';
import { CEL_POLICY_ENGINE, evaluatePolicies } from '../../../src/core/policies/engine.js';
import { buildReport } from '../../../src/core/report.js';
import { renderMarkdown } from '../../../src/core/render/index.js';
import { approvalPolicy } from '../../../src/core/approval/policy.js';
import { riskLines } from '../../../src/core/binding.js';
import { assess } from '../../../src/core/risk/score.js';
import { describeCorpus, readRealPlan } from '../../../testkit/support/shared.js';
import { incidentDestroyPlan } from '../../../testkit/plans/samples.js';

// Policies from the config over real plans (../shared/fixtures, read in place). What each case
// expects is read from the plan's own JSON (resource_changes), not written down by hand.

interface RawChange {
  address: string;
  type: string;
  change: { actions: string[]; after: unknown };
}

function load(key: string): { plan: Plan; raw: RawChange[] } {
  const bytes = readRealPlan(key);
  const r = parsePlan(bytes, key);
  if (!r.ok) throw new Error(r.error.message);
  const doc = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as {
    resource_changes?: RawChange[];
  };
  return { plan: r.plan, raw: doc.resource_changes ?? [] };
}

function config(policies: string): Config {
  const c = parseConfig(`policies:\n${policies}`, undefined, CEL_POLICY_ENGINE);
  if (!c.ok) throw new Error(c.errors.join('\n'));
  return c.config;
}

function policy(p: Partial<PolicySpec> & Pick<PolicySpec, 'when'>): PolicySpec {
  return { id: 'p', severity: 'high', message: 'm', scope: 'change', owners: [], ...p };
}

const RDS = 'plans-realworld/tofui__rds-delete-tf1.9.json';
const DELETES = 'plans/tfcompliance__deletes-tf1.0.json';
const LANDING_DESTROY = 'plans-realworld/landingzone__destroy-plan-tf1.11.json';
const S3_CREATE = 'plans/infracost__s3-lambda-create-fv0.2.json';

const addressesWhere = (raw: RawChange[], f: (c: RawChange) => boolean) =>
  raw.filter(f).map((c) => c.address);

describeCorpus('policies over real plans', () => {
  const cases: {
    name: string;
    plan: string;
    spec: PolicySpec;
    expected: (raw: RawChange[]) => string[];
  }[] = [
    {
      name: 'fires per change on each RDS cluster the plan deletes or replaces',
      plan: RDS,
      spec: policy({
        when: 'change.type.startsWith("aws_rds_") && "delete" in change.actions',
      }),
      expected: (raw) =>
        addressesWhere(
          raw,
          (c) => c.type.startsWith('aws_rds_') && c.change.actions.includes('delete'),
        ),
    },
    {
      name: 'does not fire on a plan without RDS deletes',
      plan: DELETES,
      spec: policy({
        when: 'change.type.startsWith("aws_rds_") && "delete" in change.actions',
      }),
      expected: () => [],
    },
    {
      name: 'reads after values (numbers, strings) of created resources',
      plan: RDS,
      spec: policy({
        when: 'change.after != null && has(change.after.engine) && change.after.engine.startsWith("aurora-postgres")',
      }),
      expected: (raw) =>
        addressesWhere(raw, (c) =>
          `${(c.change.after as { engine?: string } | null)?.engine ?? ''}`.startsWith(
            'aurora-postgres',
          ),
        ),
    },
    {
      name: 'sees after_unknown: what is known only after apply',
      plan: S3_CREATE,
      spec: policy({ when: 'has(change.after_unknown.arn) && change.after_unknown.arn' }),
      expected: (raw) =>
        addressesWhere(
          raw,
          (c) => (c.change as { after_unknown?: { arn?: unknown } }).after_unknown?.arn === true,
        ),
    },
  ];

  it.each(cases)('$name', ({ plan: key, spec, expected }) => {
    const { plan, raw } = load(key);
    const got = evaluatePolicies(plan, 'default', [], [spec]).findings;
    const want = expected(raw);
    expect(got.map((f) => f.address)).toEqual(want);
    for (const f of got) {
      expect(f).toMatchObject({ id: policyFindingId(spec.id), severity: spec.severity });
    }
  });

  it('has cases that fire (the table is not vacuous)', () => {
    expect(cases.filter((c) => c.expected(load(c.plan).raw).length > 0).length).toBeGreaterThan(2);
  });

  it('fires once for the whole plan with scope: plan, from the counts', () => {
    const spec = policy({
      id: 'small-plans-only',
      scope: 'plan',
      when: 'plan.counts.delete + plan.counts.replace > 20',
    });
    for (const key of [LANDING_DESTROY, RDS]) {
      const { plan, raw } = load(key);
      const destroys = raw.filter((c) => c.change.actions.includes('delete')).length;
      const got = evaluatePolicies(plan, 'default', [], [spec]).findings;
      expect(got).toEqual(
        destroys > 20 ? [{ id: 'policy:small-plans-only', severity: 'high', message: 'm' }] : [],
      );
    }
    // Both sides of the threshold are exercised.
    expect(
      load(LANDING_DESTROY).raw.filter((c) => c.change.actions.includes('delete')).length,
    ).toBeGreaterThan(20);
  });

  it('gives a plan policy the changes and the project name', () => {
    const { plan, raw } = load(RDS);
    const spec = policy({
      scope: 'plan',
      when: 'plan.project == "payments" && plan.changes.filter(c, c.type == "aws_security_group").size() == N',
    });
    const n = raw.filter((c) => c.type === 'aws_security_group').length;
    spec.when = spec.when.replace('N', String(n));
    expect(evaluatePolicies(plan, 'payments', [], [spec]).findings).toHaveLength(1);
    expect(evaluatePolicies(plan, 'other', [], [spec]).findings).toHaveLength(0);
  });

  it('reads the built-in findings: fires where stateful-destroy fired, nowhere else', () => {
    const { plan } = load(RDS);
    const cfg = config(`  - id: dba-must-see
    severity: medium
    message: A stateful resource goes away
    when: 'plan.findings.exists(f, f.id == "stateful-destroy" && f.address == change.address)'
    owners: ["@acme/dba"]
`);
    const findings = assess(plan, cfg, 'default', CEL_POLICY_ENGINE).findings;
    const stateful = findings.filter((f) => f.id === 'stateful-destroy').map((f) => f.address);
    const fired = findings.filter((f) => f.id === 'policy:dba-must-see').map((f) => f.address);
    expect(stateful.length).toBeGreaterThan(0);
    expect(fired).toEqual(stateful);
    // The same through the change's own findings, without a loop over the plan's.
    const own = evaluatePolicies(plan, 'default', findings, [
      policy({ when: 'change.findings.exists(f, f.id == "stateful-destroy")' }),
    ]);
    expect(own.findings.map((f) => f.address)).toEqual(stateful);
    // Fired policies join the riskSet whatever their severity: the app reads them from there.
    expect(riskLines(findings)).toEqual(
      expect.arrayContaining(stateful.map((a) => `policy:dba-must-see ${a}`)),
    );
  });

  it('scores a fired policy like a rule: the level rises to its severity', () => {
    const { plan } = load(DELETES);
    const base = buildReport(
      [{ name: 'default', plan }],
      config(`  - {id: never, severity: low, message: m, when: 'false'}\n`),
      CEL_POLICY_ENGINE,
    );
    const raised = buildReport(
      [{ name: 'default', plan }],
      config(`  - id: any-delete
    severity: critical
    message: Nothing is deleted here
    when: '"delete" in change.actions'
`),
      CEL_POLICY_ENGINE,
    );
    expect(base.projects[0]!.assessment.level).not.toBe('critical');
    expect(raised.projects[0]!.assessment.level).toBe('critical');
    expect(raised.projects[0]!.assessment.requiresApproval).toBe(true);
  });

  it('a run-time error names the policy, the position and the change, and throws', () => {
    const { plan, raw } = load(RDS);
    const spec = policy({
      id: 'engine',
      when: 'change.type != "" &&\n  change.after.engine == "x"',
    });
    const firstNullAfter = raw.find(
      (c) => c.change.after === null && c.change.actions[0] !== 'no-op',
    )!;
    let err: unknown;
    try {
      evaluatePolicies(plan, 'default', [], [spec]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PolicyError);
    const message = (err as Error).message;
    expect(message).toContain("policy 'engine'");
    expect(message).toMatch(/`when` at 2:\d+:/);
    expect(message).toContain(JSON.stringify(firstNullAfter.address));
    expect(message).toContain('nothing is approved');
  });

  it('a result that is not a bool is a run-time error', () => {
    const { plan } = load(RDS);
    expect(() =>
      evaluatePolicies(plan, 'default', [], [policy({ when: 'change.address' })]),
    ).toThrow(/must give true or false, it gave a string/);
  });

  it('stops at the step limit, even when the error would be absorbed by ||', () => {
    const { plan } = load(LANDING_DESTROY);
    const cubic = policy({
      id: 'cubic',
      scope: 'plan',
      when: 'plan.changes.exists(a, plan.changes.exists(b, plan.changes.exists(c, false))) || true',
    });
    const n = plan.resourceChanges.filter((c) => c.kind !== 'no-op').length;
    expect(n ** 3).toBeGreaterThan(100_000);
    expect(() => evaluatePolicies(plan, 'default', [], [cubic], 100_000)).toThrow(
      /policy 'cubic'.*took more than 100,000 steps/,
    );
    // Within a budget that fits its work it runs to the end: every iteration was a step.
    const out = evaluatePolicies(plan, 'default', [], [cubic], 1e9);
    expect(out.findings).toHaveLength(1);
    expect(out.steps.cubic).toBe(1 + n + n * n + n * n * n);
  });

  it('never shows a policy a sensitive value', () => {
    const { plan } = load('plans/snyk__db-instance-sensitive-tf1.2.json');
    const spec = policy({
      when: 'has(change.after.password) && change.after.password != "(sensitive value)"',
    });
    const hasPassword = policy({ when: 'has(change.after.password)' });
    expect(evaluatePolicies(plan, 'd', [], [hasPassword]).findings.length).toBeGreaterThan(0);
    expect(evaluatePolicies(plan, 'd', [], [spec]).findings).toEqual([]);
  });
});

describe('policies in the config', () => {
  const errorsOf = (policies: string) => {
    const c = parseConfig(`policies:\n${policies}`, undefined, CEL_POLICY_ENGINE);
    return c.ok ? [] : c.errors;
  };

  it.each([
    {
      name: 'a parse error, with its line and column',
      yaml: `  - id: broken\n    severity: low\n    message: m\n    when: 'change.type == "x" ||'\n`,
      want: /policies\[0\]\.when`: policy 'broken': `when` at 1:20: does not parse/,
    },
    {
      name: 'an unknown variable',
      yaml: `  - id: typo\n    severity: low\n    message: m\n    when: 'chnage.type == "x"'\n`,
      want: /policy 'typo': `when` at 1:1: unknown variable 'chnage' \(known here: change, plan\)/,
    },
    {
      name: 'change in a plan-scope policy',
      yaml: `  - id: scoped\n    severity: low\n    scope: plan\n    message: m\n    when: |\n      plan.counts.delete > 1 &&\n        change.type == "x"\n`,
      want: /policy 'scoped': `when` at 2:3: unknown variable 'change' \(known here: plan\)/,
    },
    {
      name: 'a comprehension variable used outside its macro',
      yaml: `  - id: leak\n    severity: low\n    message: m\n    when: 'change.actions.exists(a, a == "delete") && a == "x"'\n`,
      want: /policy 'leak': `when` at 1:44: unknown variable 'a'/,
    },
    {
      name: 'the step counter called by hand',
      yaml: `  - id: sneaky\n    severity: low\n    message: m\n    when: 'applygate_step(true)'\n`,
      want: /policy 'sneaky'.*'applygate_step' is reserved/,
    },
    {
      name: 'two policies with one id',
      yaml: `  - {id: a, severity: low, message: m, when: 'true'}\n  - {id: a, severity: low, message: m, when: 'false'}\n`,
      want: /`policies\[1\]\.id` "a" is used twice/,
    },
    {
      name: 'a missing when',
      yaml: `  - {id: a, severity: low, message: m}\n`,
      want: /`policies\[0\]\.when` is required/,
    },
    {
      name: 'an expression too long to bound',
      yaml: `  - {id: a, severity: low, message: m, when: '${'true && '.repeat(600)}true'}\n`,
      want: /at most 4000 are allowed/,
    },
  ])('refuses $name', ({ yaml, want }) => {
    const errors = errorsOf(yaml);
    expect(errors.join('\n')).toMatch(want);
    expect(errors.every((e) => e.startsWith('.github/applygate.yml: '))).toBe(true);
  });

  it('without the engine, refuses a config that has policies, and assessing it throws', () => {
    const text = `policies:\n  - {id: a, severity: low, message: m, when: 'true'}\n`;
    const c = parseConfig(text);
    expect(c).toEqual({
      ok: false,
      errors: [`.github/applygate.yml: ${NO_POLICY_ENGINE}`],
      needsPolicyEngine: true,
    });
    // Other problems of the policies are said too; the engine adds the compile errors.
    const dup = `policies:\n  - {id: a, severity: low, message: m, when: 'true'}\n  - {id: a, severity: low, message: m, when: '('}\n`;
    const without = parseConfig(dup);
    expect(!without.ok && without.errors[0]).toMatch(/"a" is used twice/);
    const withIt = parseConfig(dup, undefined, CEL_POLICY_ENGINE);
    expect(!withIt.ok && withIt.errors.join('\n')).toMatch(/used twice[^]*does not parse/);
    expect(!withIt.ok && 'needsPolicyEngine' in withIt).toBe(false);
    // No policies: no engine needed.
    expect(parseConfig('policies: []\n').ok).toBe(true);
    const cfg = parseConfig(text, undefined, CEL_POLICY_ENGINE);
    if (!cfg.ok) throw new Error(cfg.errors.join('\n'));
    // A built-in plan: this test runs where ../shared is absent too (a user's clone).
    const r = parsePlan(JSON.stringify(incidentDestroyPlan()), 'incident.json');
    if (!r.ok) throw new Error(r.error.message);
    expect(() => buildReport([{ name: 'default', plan: r.plan }], cfg.config)).toThrow(
      NO_POLICY_ENGINE,
    );
  });

  it('fills each policy with its defaults', () => {
    const c = parseConfig(
      `policies:\n  - {id: a, severity: low, message: m, when: 'true'}\n`,
      undefined,
      CEL_POLICY_ENGINE,
    );
    expect(c.ok && c.config.policies).toEqual([
      { id: 'a', severity: 'low', message: 'm', when: 'true', scope: 'change', owners: [] },
    ]);
  });
});

describeCorpus('a fired policy in the summary comment', () => {
  it('is flagged on its address, and the approval section names its owners', () => {
    const { plan } = load(RDS);
    const cfg = config(`  - id: no-rds-delete
    severity: critical
    message: RDS clusters are deleted only in a maintenance window
    when: 'change.type == "aws_rds_cluster" && "delete" in change.actions'
    owners: ["@acme/dba"]
`);
    const report = buildReport([{ name: 'default', plan }], cfg, CEL_POLICY_ENGINE);
    const md = renderMarkdown(report, { policy: approvalPolicy(cfg) });
    expect(md).toMatch(/\| `?aws_rds_cluster\.media_dev`? \|[^\n]*policy:no-rds-delete/);
    expect(md).toContain('RDS clusters are deleted only in a maintenance window');
    expect(md).toContain(
      'Also needed: one approval from `@acme/dba` (owners of the policy `no-rds-delete`).',
    );
    expect(report.projects[0]!.assessment.approvalReasons.map((r) => r.kind)).toContain('policy');
  });
});
