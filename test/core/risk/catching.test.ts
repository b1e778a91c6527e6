import type { Plan } from '../../../src/core/plan/index.js';
import { parsePlan } from '../../../src/core/plan/index.js';
import { slimChange } from '../../../src/core/plan/slim.js';
import { assess, type Finding, type RuleId } from '../../../src/core/risk/index.js';
import { RULE_READS } from '../../../src/core/risk/reads.js';
import { DEFAULT_CONFIG, toPlan } from '../../../testkit/support/build.js';
import { corpusTest, readRealPlan, realPlanKeys } from '../../../testkit/support/shared.js';
import * as s from '../../../testkit/plans/scenarios.js';

// Issue 23: what a plan does to access and to data, not only what it deletes. A real plan from
// ../shared/fixtures where one shows the class, a realistic one from testkit/plans/scenarios.ts
// where none does; every test here fails on the rules before this issue.

const findings = (plan: Plan) => assess(plan, DEFAULT_CONFIG).findings;
const about = (plan: Plan, id: RuleId) => findings(plan).filter((f) => f.id === id);
const at = (fs: Finding[]) => fs.map((f) => f.address);
const gen = (doc: object) => toPlan(doc);
function real(key: string): Plan {
  const r = parsePlan(readRealPlan(key), key);
  if (!r.ok) throw new Error(r.error.message);
  return r.plan;
}

describe('access: policy documents and role names are read (broad-access, high)', () => {
  corpusTest(
    'real: Action "*" on Resource "*" in every kind of AWS policy is high; Describe and Deny are not',
    () => {
      const p = real('plans-public/real/regula__iam-admin-policy-tf0.13.json');
      expect(at(about(p, 'broad-access')).sort()).toEqual([
        'aws_iam_group_policy.invalid_group_policy',
        'aws_iam_policy.invalid_policy',
        'aws_iam_role_policy.invalid_role_policy',
        'aws_iam_user_policy.invalid_user_policy',
      ]);
      expect(about(p, 'broad-access')[0]!.message).toMatch(/administrator of the account/);
      expect(about(p, 'iam-change')).toHaveLength(11);
      expect(assess(p, DEFAULT_CONFIG).level).toBe('high');
    },
  );

  corpusTest(
    'real: google_project_iam_policy replaces the whole policy: high, it can lock everyone out',
    () => {
      const p = real('plans-public/real/jond3k__google-project-iam-policy-update-tf1.2.json');
      expect(about(p, 'broad-access').map((f) => f.message)).toEqual([
        expect.stringMatching(/whole IAM policy.*lock everyone out/),
      ]);
    },
  );

  corpusTest('real: a Vault policy widened to path "*" with sudo is high', () => {
    const p = real('plans-public/probes/vault-policy-path-star-sudo-only.json');
    expect(about(p, 'broad-access')[0]!.message).toMatch(
      /every path in Vault \(path "\*" with sudo\)/,
    );
    expect(about(p, 'iam-change')).toHaveLength(1);
  });

  test('trust policies: any principal without an account condition, OIDC with no sub or repo:*', () => {
    expect(about(gen(s.trustAnyone()), 'broad-access')[0]!.message).toMatch(
      /anyone with an AWS account/,
    );
    expect(about(gen(s.trustAnyoneWithOrg()), 'broad-access')).toEqual([]);
    expect(about(gen(s.oidcRole(undefined)), 'broad-access')[0]!.message).toMatch(
      /no condition on the subject \(token\.actions\.githubusercontent\.com:sub\)/,
    );
    expect(about(gen(s.oidcRole('repo:*')), 'broad-access')[0]!.message).toMatch(
      /subject matches "repo:\*": that pattern matches every repository/,
    );
    expect(about(gen(s.oidcRole('repo:acme/infra:ref:refs/heads/main')), 'broad-access')).toEqual(
      [],
    );
    expect(
      about(gen(s.oidcRole('project_path:*', 'gitlab.com')), 'broad-access')[0]!.message,
    ).toMatch(/matches every repository/);
    expect(
      about(
        gen(s.oidcRole('project_path:acme/infra:ref_type:branch:ref:main', 'gitlab.com')),
        'broad-access',
      ),
    ).toEqual([]);
  });

  test('AdministratorAccess attached and iam:PassRole added are high; ReadOnlyAccess is not', () => {
    expect(at(about(gen(s.adminAttachment()), 'broad-access'))).toEqual([
      'aws_iam_role_policy_attachment.ci_admin',
    ]);
    expect(about(gen(s.passRole()), 'broad-access')[0]!.message).toMatch(
      /iam:PassRole on every resource/,
    );
  });

  test('Azure Owner at a subscription is high; at a resource group, or Reader, it is not', () => {
    expect(
      about(gen(s.azureOwner('/subscriptions/0000-1111')), 'broad-access')[0]!.message,
    ).toMatch(
      /grants Owner at \/subscriptions\/0000-1111: control of every resource in the subscription, including who else gets access/,
    );
    expect(
      about(gen(s.azureOwner('/subscriptions/0000-1111/resourceGroups/rg')), 'broad-access'),
    ).toEqual([]);
    expect(about(gen(s.azureOwner('/subscriptions/0000-1111', 'Reader')), 'broad-access')).toEqual(
      [],
    );
  });

  test('GCP roles/owner granted; an owner binding rewritten (authoritative)', () => {
    expect(about(gen(s.gcpOwnerMember()), 'broad-access')[0]!.message).toMatch(
      /grants roles\/owner on the project to user:contractor@example.com/,
    );
    expect(about(gen(s.gcpOwnerBinding()), 'broad-access')[0]!.message).toMatch(
      /complete list of roles\/owner members/,
    );
  });

  test('cluster-admin binding; access control outside the big three counts as IAM', () => {
    expect(about(gen(s.clusterAdmin()), 'broad-access')[0]!.message).toMatch(
      /cluster-admin across the whole cluster/,
    );
    const p = gen(s.otherAccessControl());
    expect(at(about(p, 'iam-change'))).toEqual([
      'vault_jwt_auth_backend_role.ci',
      'oci_identity_policy.admins',
      'snowflake_grant_account_role.etl_admin',
      'databricks_grants.catalog',
      'postgresql_grant.readonly',
      'mysql_grant.app',
      'github_team_repository.platform',
    ]);
    expect(at(about(p, 'broad-access'))).toEqual([
      'oci_identity_policy.admins',
      'snowflake_grant_account_role.etl_admin',
      'mysql_grant.app',
      'github_team_repository.platform',
    ]);
  });
});

describe('data lost or exposed without a delete', () => {
  corpusTest('real: a KMS key disabled alone is high (data-loss)', () => {
    const p = real('plans-public/probes/kms-key-disabled-only.json');
    expect(about(p, 'data-loss')[0]!.message).toMatch(/cannot be read until it is enabled again/);
  });

  corpusTest('real: CloudTrail logging off and GuardDuty off are high (security-off)', () => {
    const p = real('plans-public/probes/cloudtrail-logging-off-guardduty-off-only.json');
    expect(at(about(p, 'security-off'))).toEqual([
      'aws_cloudtrail.security',
      'aws_guardduty_detector.main',
    ]);
  });

  corpusTest('real: deleting Azure diagnostic settings is security-off', () => {
    const p = real('plans-realworld/landingzone__destroy-plan-tf1.11.json');
    expect(about(p, 'security-off')).toHaveLength(7);
  });

  test('a lifecycle rule expiring every current object of an existing bucket; not with a prefix', () => {
    expect(about(gen(s.lifecycleExpiresAll()), 'data-loss')[0]!.message).toMatch(
      /expires every current object once it is 30 days old/,
    );
    expect(about(gen(s.lifecycleExpiresAll('tmp/')), 'data-loss')).toEqual([]);
  });

  test('backups and point-in-time recovery turned off; a secret recovery window of 0', () => {
    expect(at(about(gen(s.backupsOff()), 'data-loss'))).toEqual([
      'aws_db_instance.orders',
      'aws_dynamodb_table.sessions',
    ]);
    expect(about(gen(s.secretRecoveryWindowZero()), 'protection-disabled')[0]!.message).toMatch(
      /recovery_window_in_days goes to 0/,
    );
  });

  test('trail, Config recorder, audit config and branch protection deleted are security-off', () => {
    expect(at(about(gen(s.controlsDeleted()), 'security-off'))).toEqual([
      'aws_cloudtrail.org',
      'aws_config_configuration_recorder.main',
      'google_project_iam_audit_config.all',
      'github_branch_protection.main',
    ]);
  });
});

describe('network: provider defaults count', () => {
  corpusTest(
    'real: GCP firewalls with direction unknown at plan time, one with no source: RDP and more open',
    () => {
      const p = real('plans-public/real/regula__gcp-firewall-3389-tf0.13.json');
      const f = about(p, 'network-exposure');
      expect(at(f)).toEqual([
        'google_compute_firewall.invalid-rule-1',
        'google_compute_firewall.invalid-rule-2',
        'google_compute_firewall.valid-rule-1',
        'google_compute_firewall.valid-rule-2',
      ]);
      expect(f[3]!.message).toMatch(
        /GCP\u2019s default when a rule names no source\) on port 3389/,
      );
    },
  );

  corpusTest('real: SSH opened by a rule with no source (terracost) is high', () => {
    const p = real('plans-realworld/terracost__google-tf1.0.json');
    expect(about(p, 'network-exposure')[0]!.message).toMatch(/on port 22/);
  });

  corpusTest('real: EKS and GKE API endpoints public by default are medium', () => {
    expect(
      at(about(real('plans/conftest__gke-tf0.12-beta.json'), 'public-control-plane')),
    ).toHaveLength(1);
    expect(
      about(real('plans/checkov__55-resources-tf0.12.json'), 'public-control-plane')[0]!.message,
    ).toMatch(/public to 0\.0\.0\.0\/0/);
  });

  test('OCI security lists and NSG rules; Azure storage default_action Allow', () => {
    const oci = about(gen(s.ociOpen()), 'network-exposure');
    expect(oci.map((f) => f.message)).toEqual([
      expect.stringMatching(/0\.0\.0\.0\/0 on ports 1521-1522/),
      expect.stringMatching(/0\.0\.0\.0\/0 on port 22/),
    ]);
    expect(about(gen(s.azureStorageDefaultAllow()), 'network-exposure')[0]!.message).toMatch(
      /default_action = "Allow"/,
    );
  });

  test('adopting a VPC default network ACL with AWS\u2019s own rules opens nothing; SSH added still fires', () => {
    expect(findings(gen(s.defaultNaclAdopted()))).toEqual([]);
    expect(about(gen(s.defaultNaclAdopted(true)), 'network-exposure')[0]!.message).toMatch(
      /port 22/,
    );
  });
});

describe('catalog gaps: deletes of data are critical', () => {
  corpusTest('real: an Elasticsearch index and an Azure DevOps repository', () => {
    expect(
      at(
        about(real('plans-public/probes/elasticsearch-index-delete-only.json'), 'stateful-destroy'),
      ),
    ).toEqual(['elasticstack_elasticsearch_index.orders']);
    expect(
      at(
        about(
          real('plans-public/real/tfplan2md__keyvault-update-vnet-delete.json'),
          'stateful-destroy',
        ),
      ),
    ).toEqual(['azuredevops_git_repository.main']);
  });

  test('helm_release of a data chart, by chart name; a web chart stays a plain destroy', () => {
    const db = about(gen(s.helmRelease('postgresql')), 'stateful-destroy');
    expect(db[0]!.message).toMatch(
      /Helm release of the postgresql chart: PostgreSQL in the cluster/,
    );
    expect(about(gen(s.helmRelease('bitnami/redis-cluster')), 'stateful-destroy')).toHaveLength(1);
    expect(about(gen(s.helmRelease('ingress-nginx')), 'stateful-destroy')).toEqual([]);
    expect(about(gen(s.helmRelease('ingress-nginx')), 'destroy')).toHaveLength(1);
  });

  test('Kafka topics, GitLab projects, MinIO buckets, OpenStack and vSphere disks, Elastic Cloud, Bitbucket', () => {
    expect(about(gen(s.catalogDeletes()), 'stateful-destroy')).toHaveLength(7);
  });

  test('a single stored object has a finding of its own, below critical', () => {
    const p = gen(s.objectDeleted());
    expect(about(p, 'object-destroy').map((f) => [f.severity, f.address])).toEqual([
      ['medium', 'aws_s3_object.config'],
    ]);
    expect(about(p, 'destroy')).toEqual([]);
  });
});

corpusTest(
  'what the streaming reader keeps (RULE_READS) gives every real plan the same findings',
  () => {
    let checked = 0;
    for (const key of realPlanKeys()) {
      const r = parsePlan(readRealPlan(key), key);
      if (!r.ok) continue;
      checked++;
      const slim = {
        ...r.plan,
        resourceChanges: r.plan.resourceChanges.map((c) => slimChange(c, RULE_READS)),
      };
      expect([key, assess(slim, DEFAULT_CONFIG)]).toEqual([key, assess(r.plan, DEFAULT_CONFIG)]);
    }
    // 158 of the 166 real plans parse (the others are refused, with a reason, by design).
    expect(checked).toBeGreaterThanOrEqual(150);
  },
);

test('what the streaming reader keeps gives every scenario the same findings', () => {
  for (const [name, make] of Object.entries(s)) {
    if (typeof make !== 'function' || ['inStack', 'create', 'update', 'destroy'].includes(name))
      continue;
    const p = gen((make as () => object)());
    const slim = { ...p, resourceChanges: p.resourceChanges.map((c) => slimChange(c, RULE_READS)) };
    expect([name, assess(slim, DEFAULT_CONFIG)]).toEqual([name, assess(p, DEFAULT_CONFIG)]);
  }
});
