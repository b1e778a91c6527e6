// Realistic plans for the changes people fear that no real plan in ../shared/fixtures shows
// (issue 23): each is one `terraform show -json` document as the provider prints it, with the
// attribute names and defaults of the provider's schema, in a stack that has state (8 unchanged
// resources, so that a small plan is not a mass destroy by share).
import { planDoc, rc } from '../support/build.js';

type Obj = Record<string, unknown>;

const policy = (statement: Obj[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statement }, null, 2);

/** A plan of `changes` in a stack with 8 resources in state. */
export function inStack(...changes: Obj[]): Obj {
  return planDoc({ changes, priorResources: 8 });
}

export const create = (address: string, after: Obj) => rc({ address, actions: ['create'], after });
export const update = (address: string, before: Obj, after: Obj) =>
  rc({ address, actions: ['update'], before, after });
export const destroy = (address: string, before: Obj) =>
  rc({ address, actions: ['delete'], before });

// ---------------------------------------------------------------------------------------------
// Access

export const trustAnyone = () =>
  inStack(
    create('aws_iam_role.cross_account', {
      name: 'cross-account-readonly',
      path: '/',
      max_session_duration: 3600,
      assume_role_policy: policy([
        { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' },
      ]),
    }),
  );

export const trustAnyoneWithOrg = () =>
  inStack(
    create('aws_iam_role.cross_account', {
      name: 'cross-account-readonly',
      assume_role_policy: policy([
        {
          Effect: 'Allow',
          Principal: { AWS: '*' },
          Action: 'sts:AssumeRole',
          Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ]),
    }),
  );

/** A CI deploy role trusting an OIDC issuer (GitHub Actions by default), with `sub` as given (none: absent). */
export const oidcRole = (sub: string | undefined, issuer = 'token.actions.githubusercontent.com') =>
  inStack(
    create('aws_iam_role.deploy', {
      name: 'ci-deploy',
      assume_role_policy: policy([
        {
          Effect: 'Allow',
          Principal: { Federated: `arn:aws:iam::111122223333:oidc-provider/${issuer}` },
          Action: 'sts:AssumeRoleWithWebIdentity',
          Condition: {
            StringEquals: {
              [`${issuer}:aud`]: issuer.startsWith('token.')
                ? 'sts.amazonaws.com'
                : 'https://gitlab.com',
            },
            ...(sub ? { StringLike: { [`${issuer}:sub`]: sub } } : {}),
          },
        },
      ]),
    }),
  );

export const adminAttachment = () =>
  inStack(
    create('aws_iam_role_policy_attachment.ci_admin', {
      role: 'ci-runner',
      policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
    }),
    create('aws_iam_role_policy_attachment.ci_read', {
      role: 'ci-runner',
      policy_arn: 'arn:aws:iam::aws:policy/ReadOnlyAccess',
    }),
  );

export const passRole = () =>
  inStack(
    update(
      'aws_iam_policy.deployer',
      {
        name: 'deployer',
        policy: policy([{ Effect: 'Allow', Action: ['ecs:UpdateService'], Resource: '*' }]),
      },
      {
        name: 'deployer',
        policy: policy([
          { Effect: 'Allow', Action: ['ecs:UpdateService', 'iam:PassRole'], Resource: '*' },
        ]),
      },
    ),
  );

export const azureOwner = (scope: string, role = 'Owner') =>
  inStack(
    create('azurerm_role_assignment.platform', {
      scope,
      role_definition_name: role,
      role_definition_id: null,
      principal_id: '44444444-4444-4444-4444-444444444444',
      principal_type: 'Group',
      condition: null,
    }),
  );

export const gcpOwnerMember = () =>
  inStack(
    create('google_project_iam_member.contractor', {
      project: 'acme-prod',
      role: 'roles/owner',
      member: 'user:contractor@example.com',
      condition: [],
    }),
  );

export const gcpOwnerBinding = () =>
  inStack(
    update(
      'google_project_iam_binding.owners',
      { project: 'acme-prod', role: 'roles/owner', members: ['group:platform@example.com'] },
      { project: 'acme-prod', role: 'roles/owner', members: ['user:alice@example.com'] },
    ),
  );

export const clusterAdmin = () =>
  inStack(
    create('kubernetes_cluster_role_binding_v1.ci', {
      metadata: [{ name: 'ci-cluster-admin', annotations: null, labels: null }],
      role_ref: [
        { api_group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      ],
      subject: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'ci', api_group: '' }],
    }),
  );

export const otherAccessControl = () =>
  inStack(
    create('vault_jwt_auth_backend_role.ci', {
      backend: 'jwt',
      role_name: 'ci',
      token_policies: ['ci'],
      user_claim: 'sub',
    }),
    create('oci_identity_policy.admins', {
      compartment_id: 'ocid1.tenancy.oc1..aaaa',
      name: 'ops-admins',
      description: 'ops',
      statements: ['Allow group ops to manage all-resources in tenancy'],
    }),
    create('snowflake_grant_account_role.etl_admin', {
      role_name: 'ACCOUNTADMIN',
      user_name: 'ETL_SERVICE',
    }),
    create('databricks_grants.catalog', {
      catalog: 'main',
      grant: [{ principal: 'data-engineers', privileges: ['USE_CATALOG'] }],
    }),
    create('postgresql_grant.readonly', {
      database: 'orders',
      role: 'readonly',
      schema: 'public',
      object_type: 'table',
      privileges: ['SELECT'],
    }),
    create('mysql_grant.app', {
      user: 'app',
      host: '%',
      database: '*',
      privileges: ['ALL PRIVILEGES'],
    }),
    create('github_team_repository.platform', {
      team_id: 'platform',
      repository: 'infra',
      permission: 'admin',
    }),
  );

// ---------------------------------------------------------------------------------------------
// Data lost without a delete, controls off

const lifecycleRule = (filterPrefix: string) => ({
  id: 'tidy',
  status: 'Enabled',
  expiration: [{ days: 30, date: null, expired_object_delete_marker: false }],
  filter: [
    {
      prefix: filterPrefix,
      and: [],
      object_size_greater_than: null,
      object_size_less_than: null,
      tag: [],
    },
  ],
  noncurrent_version_expiration: [],
  noncurrent_version_transition: [],
  abort_incomplete_multipart_upload: [],
  prefix: '',
  transition: [],
});

export const lifecycleExpiresAll = (filterPrefix = '') =>
  inStack(
    create('aws_s3_bucket_lifecycle_configuration.invoices', {
      bucket: 'acme-invoices-prod',
      expected_bucket_owner: null,
      rule: [lifecycleRule(filterPrefix)],
    }),
  );

export const backupsOff = () =>
  inStack(
    update(
      'aws_db_instance.orders',
      {
        identifier: 'orders',
        engine: 'postgres',
        backup_retention_period: 7,
        deletion_protection: true,
      },
      {
        identifier: 'orders',
        engine: 'postgres',
        backup_retention_period: 0,
        deletion_protection: true,
      },
    ),
    update(
      'aws_dynamodb_table.sessions',
      { name: 'sessions', point_in_time_recovery: [{ enabled: true }] },
      { name: 'sessions', point_in_time_recovery: [{ enabled: false }] },
    ),
  );

export const secretRecoveryWindowZero = () =>
  inStack(
    update(
      'aws_secretsmanager_secret.db',
      { name: 'prod/db', recovery_window_in_days: 30, kms_key_id: null },
      { name: 'prod/db', recovery_window_in_days: 0, kms_key_id: null },
    ),
  );

export const controlsDeleted = () =>
  inStack(
    destroy('aws_cloudtrail.org', {
      name: 'org-trail',
      enable_logging: true,
      is_multi_region_trail: true,
      s3_bucket_name: 'acme-trail',
    }),
    destroy('aws_config_configuration_recorder.main', { name: 'default' }),
    destroy('google_project_iam_audit_config.all', {
      project: 'acme-prod',
      service: 'allServices',
      audit_log_config: [{ log_type: 'DATA_READ', exempted_members: [] }],
    }),
    destroy('github_branch_protection.main', {
      repository_id: 'R_kgDO',
      pattern: 'main',
      enforce_admins: true,
      required_pull_request_reviews: [{ required_approving_review_count: 1 }],
    }),
  );

// ---------------------------------------------------------------------------------------------
// Network

export const ociOpen = () =>
  inStack(
    create('oci_core_security_list.db', {
      compartment_id: 'ocid1.compartment.oc1..aaaa',
      vcn_id: 'ocid1.vcn.oc1..aaaa',
      display_name: 'db',
      ingress_security_rules: [
        {
          protocol: '6',
          source: '0.0.0.0/0',
          source_type: 'CIDR_BLOCK',
          stateless: false,
          tcp_options: [{ min: 1521, max: 1522, source_port_range: [] }],
          udp_options: [],
          icmp_options: [],
        },
      ],
      egress_security_rules: [],
    }),
    create('oci_core_network_security_group_security_rule.ssh', {
      network_security_group_id: 'ocid1.networksecuritygroup.oc1..aaaa',
      direction: 'INGRESS',
      protocol: '6',
      source: '0.0.0.0/0',
      source_type: 'CIDR_BLOCK',
      tcp_options: [{ destination_port_range: [{ min: 22, max: 22 }], source_port_range: [] }],
    }),
  );

export const azureStorageDefaultAllow = () =>
  inStack(
    update(
      'azurerm_storage_account_network_rules.data',
      {
        storage_account_id: '/subscriptions/s/…/data',
        default_action: 'Deny',
        ip_rules: ['203.0.113.7'],
        bypass: ['AzureServices'],
      },
      {
        storage_account_id: '/subscriptions/s/…/data',
        default_action: 'Allow',
        ip_rules: ['203.0.113.7'],
        bypass: ['AzureServices'],
      },
    ),
  );

const defaultNaclRule = (ruleNo: number, ipv6: boolean, extra: Obj = {}) => ({
  action: 'allow',
  cidr_block: ipv6 ? '' : '0.0.0.0/0',
  from_port: 0,
  icmp_code: 0,
  icmp_type: 0,
  ipv6_cidr_block: ipv6 ? '::/0' : '',
  protocol: '-1',
  rule_no: ruleNo,
  to_port: 0,
  ...extra,
});

/** A new VPC's default network ACL adopted with the rules AWS put there (and optionally SSH). */
export const defaultNaclAdopted = (alsoSsh = false) =>
  inStack(
    create('aws_default_network_acl.default', {
      default_network_acl_id: 'acl-0123456789abcdef0',
      ingress: [
        defaultNaclRule(100, false),
        defaultNaclRule(101, true),
        ...(alsoSsh
          ? [defaultNaclRule(90, false, { protocol: '6', from_port: 22, to_port: 22 })]
          : []),
      ],
      egress: [defaultNaclRule(100, false), defaultNaclRule(101, true)],
    }),
  );

// ---------------------------------------------------------------------------------------------
// Catalog

export const helmRelease = (chart: string) =>
  inStack(
    destroy('helm_release.db', {
      name: 'orders-db',
      namespace: 'data',
      repository: 'oci://registry-1.docker.io/bitnamicharts',
      chart,
      version: '15.5.1',
      status: 'deployed',
    }),
  );

export const catalogDeletes = () =>
  inStack(
    destroy('kafka_topic.orders', { name: 'orders', partitions: 12, replication_factor: 3 }),
    destroy('gitlab_project.infra', {
      name: 'infra',
      namespace_id: 42,
      visibility_level: 'private',
    }),
    destroy('minio_s3_bucket.backups', { bucket: 'backups', acl: 'private' }),
    destroy('openstack_blockstorage_volume_v3.data', { name: 'data', size: 500 }),
    destroy('vsphere_virtual_disk.data', {
      size: 200,
      vmdk_path: 'data/data.vmdk',
      datastore: 'ds1',
    }),
    destroy('ec_deployment.search', {
      name: 'search',
      region: 'gcp-europe-west1',
      version: '8.13.0',
    }),
    destroy('bitbucket_repository.app', { owner: 'acme', name: 'app' }),
  );

export const objectDeleted = () =>
  inStack(
    destroy('aws_s3_object.config', {
      bucket: 'acme-config',
      key: 'prod/app.json',
      content_type: 'application/json',
    }),
  );
