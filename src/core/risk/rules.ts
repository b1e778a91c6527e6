import { actionReasonWords } from '../action-reason.js';
import type { Config } from '../config.js';
import { isDestructive, type Json, type Plan, type ResourceChange } from '../plan/model.js';
import { DATA_OBJECT_TYPES, statefulChange } from './catalog.js';
import { matchesAddress } from './address-pattern.js';
import { authoritativeOf, grantsOf } from './access.js';
import { controlOff, dataLoss, LOG_RETENTION_FLOOR_DAYS } from './safeguards.js';
import {
  AZURE_SERVICES_RANGE,
  AZURE_DEFAULT_ALLOW,
  awsDefaultNaclOpenings,
  openIngress,
  publicControlPlane,
  openingKey,
  portsText,
  publicData,
  webOnly,
  type Opening,
} from './exposure.js';
import type { Finding, RuleId, Severity } from './types.js';
import { asObject } from '../json.js';

// Every rule applygate applies, with its id, severity and the sentence a reader acts on.
// docs/rules.md is generated from RULES; change a rule here and the docs follow.

export interface Rule {
  id: RuleId;
  severity: Severity;
  title: string;
  /** When the rule fires, for the rules reference. */
  description: string;
  /** `project` is the name the summary gives the plan (`default` for a single plan). */
  evaluate(plan: Plan, config: Config, project: string): Omit<Finding, 'id' | 'severity'>[];
}

/** Below this many destroys the share threshold stays quiet: 1 of 2 is not `terraform destroy`. */
export const MASS_DESTROY_MIN_FOR_SHARE = 3;

/**
 * The managed resources' changes, filtered once per list of changes: every rule asks, and on a
 * plan of 50,000 changes fifteen filters were 2% of a summary. Keyed by the list and its length,
 * so a list that is changed in place is filtered again.
 */
const managed = (plan: Plan): readonly ResourceChange[] => {
  const all = plan.resourceChanges;
  const known = managedOf.get(all);
  if (known && known.length === all.length) return known.managed;
  const list = all.filter((c) => c.mode === 'managed');
  managedOf.set(all, { length: all.length, managed: list });
  return list;
};
const managedOf = new WeakMap<
  readonly ResourceChange[],
  { length: number; managed: readonly ResourceChange[] }
>();
const destroyed = (plan: Plan) => managed(plan).filter((c) => isDestructive(c.kind));
const deleted = (plan: Plan) => managed(plan).filter((c) => c.kind === 'delete');
const hasChanges = (plan: Plan) =>
  plan.resourceChanges.some((c) => c.kind !== 'no-op' && c.kind !== 'read') ||
  plan.outputChanges.some((o) => o.kind !== 'no-op');
const verb = (c: ResourceChange) => (c.kind === 'replace' ? 'Replacing' : 'Destroying');
const reason = (c: ResourceChange) =>
  c.actionReason ? ` (Terraform's reason: ${actionReasonWords(c.actionReason)})` : '';

/** Database types whose backups Terraform deletes with them unless told otherwise. */
interface BackupPolicy {
  what: string;
  /** Attribute that keeps automated backups when false; the provider default deletes them. */
  deleteBackupsAttr?: string;
  /** Backups always go with the resource (no attribute keeps them). */
  backupsAlwaysDeleted?: boolean;
  skipFinalSnapshotAttr?: string;
  finalSnapshotIdAttr?: string;
}

export const BACKUP_POLICIES: Readonly<Record<string, BackupPolicy>> = {
  aws_db_instance: {
    what: 'RDS database',
    deleteBackupsAttr: 'delete_automated_backups',
    skipFinalSnapshotAttr: 'skip_final_snapshot',
    finalSnapshotIdAttr: 'final_snapshot_identifier',
  },
  aws_rds_cluster: {
    what: 'Aurora/RDS cluster',
    deleteBackupsAttr: 'delete_automated_backups',
    skipFinalSnapshotAttr: 'skip_final_snapshot',
    finalSnapshotIdAttr: 'final_snapshot_identifier',
  },
  aws_docdb_cluster: {
    what: 'DocumentDB cluster',
    backupsAlwaysDeleted: true,
    skipFinalSnapshotAttr: 'skip_final_snapshot',
    finalSnapshotIdAttr: 'final_snapshot_identifier',
  },
  aws_neptune_cluster: {
    what: 'Neptune cluster',
    backupsAlwaysDeleted: true,
    skipFinalSnapshotAttr: 'skip_final_snapshot',
    finalSnapshotIdAttr: 'final_snapshot_identifier',
  },
  aws_redshift_cluster: {
    what: 'Redshift cluster',
    backupsAlwaysDeleted: true,
    skipFinalSnapshotAttr: 'skip_final_snapshot',
    finalSnapshotIdAttr: 'final_snapshot_identifier',
  },
  google_sql_database_instance: { what: 'Cloud SQL instance', backupsAlwaysDeleted: true },
};

/** Attributes whose true -> false change removes a guard against deletion. */
export const PROTECTION_ATTRS = [
  'deletion_protection',
  'deletion_protection_enabled',
  'enable_deletion_protection',
  'disable_api_termination',
  'termination_protection',
  'enable_termination_protection',
  'termination_protection_enabled',
] as const;
/**
 * Attributes whose false -> true change makes a deletion lose more, on the stateful types only:
 * `force_destroy` on a bucket deletes its objects, but on an `aws_iam_user` it only removes the
 * user's access keys and MFA devices, which hold no data.
 */
export const DANGER_ATTRS = ['force_destroy', 'skip_final_snapshot', 'force_delete'] as const;

/** Resources that are themselves a guard against deletion: deleting one removes the guard. */
export const LOCK_TYPES: Readonly<Record<string, string>> = {
  azurerm_management_lock: 'management lock',
  google_resource_manager_lien: 'resource lien',
};

export const RULES: readonly Rule[] = [
  {
    id: 'plan-errored',
    severity: 'critical',
    title: 'Plan errored',
    description:
      'The plan has `errored: true`, or is not applyable while it has changes to apply (Terraform also marks a plan with no changes as not applyable: that one is quiet).',
    evaluate: (plan) =>
      plan.errored || (!plan.applyable && hasChanges(plan))
        ? [
            {
              message: plan.errored
                ? 'Terraform reported errors while planning, so this plan is incomplete. Fix the errors and plan again before anyone applies it.'
                : 'Terraform marked this plan as not applyable. Plan again before anyone applies it.',
            },
          ]
        : [],
  },
  {
    id: 'plan-incomplete',
    severity: 'high',
    title: 'Plan incomplete',
    description:
      'The plan has `complete: false` (Terraform 1.9+ deferred changes): applying it is not the end, another plan and apply must follow.',
    evaluate: (plan) =>
      plan.complete
        ? []
        : [
            {
              message: `Terraform could not plan everything yet${plan.deferredChanges > 0 ? ` (${plan.deferredChanges} change${plan.deferredChanges === 1 ? '' : 's'} deferred)` : ''}: this plan is only the first step, and what the next plan does is not shown here. Approve it knowing that another plan and apply follow.`,
            },
          ],
  },
  {
    id: 'mass-destroy',
    severity: 'critical',
    title: 'Mass destroy',
    description: `Deletes of managed resources reach \`risk.mass_destroy.count\`, or \`risk.mass_destroy.share\` of the resources in state (with at least ${MASS_DESTROY_MIN_FOR_SHARE} deletes). Replaces are not counted: they create their resource again, so a rolling replacement is not \`terraform destroy\` (the \`replace\` and \`stateful-destroy\` rules report them).`,
    evaluate: (plan, config) => {
      const n = deleted(plan).length;
      const inState = plan.priorStateResources;
      const { count, share } = config.risk.mass_destroy;
      const byShare = inState > 0 && n >= MASS_DESTROY_MIN_FOR_SHARE && n / inState >= share;
      if (n === 0 || (n < count && !byShare)) return [];
      const part =
        inState > 0
          ? `${n} of the ${inState} resources in state (${pct(n / inState)})`
          : `${n} resource${n === 1 ? '' : 's'}`;
      const all =
        inState > 0 && n >= inState
          ? ' That is everything: this looks like terraform destroy.'
          : ' This looks like terraform destroy.';
      return [
        {
          message: `This plan deletes ${part} without creating them again.${all} Check that the state, workspace and variables are the ones you meant.`,
        },
      ];
    },
  },
  {
    id: 'empty-state',
    severity: 'high',
    title: 'State looks missing',
    description:
      'The prior state holds no managed resources while the plan creates at least `risk.empty_state.creates` resources, and the project is not listed in `risk.empty_state.new_projects`. A first deploy and a lost state look the same in a plan; the sentence says how to tell them apart.',
    evaluate: (plan, config, project) => {
      const creates = emptyStateCreates(plan, config);
      if (creates === 0 || config.risk.empty_state.new_projects.includes(project)) return [];
      return [
        {
          message: `The state is empty but the plan creates ${creates} resources: the state looks missing (backend not configured, wrong workspace), unless this is the first deploy of a new project. To tell them apart: if this project was ever applied (its resources exist in the cloud console, or \`terraform state list\` with the team's backend lists them), the state is missing; do not apply, or everything is created a second time and a later plan against the real state could destroy it. If the project is really new, declare it with \`risk.empty_state.new_projects: [${project}]\` in the config on the default branch.`,
        },
      ];
    },
  },
  {
    id: 'first-deploy',
    severity: 'low',
    title: 'First deploy of a new project',
    description:
      'The prior state is empty and the plan creates at least `risk.empty_state.creates` resources, in a project the config declares new (`risk.empty_state.new_projects`): the expected first deploy, listed so that a reviewer still sees it.',
    evaluate: (plan, config, project) => {
      const creates = emptyStateCreates(plan, config);
      if (creates === 0 || !config.risk.empty_state.new_projects.includes(project)) return [];
      return [
        {
          message: `First deploy of ${project}, which the config declares new (risk.empty_state.new_projects): the state is empty and the plan creates ${creates} resources. If this project was applied before, its state is missing: do not apply. After this apply, remove ${project} from new_projects so that a lost state is caught again.`,
        },
      ];
    },
  },
  {
    id: 'stateful-destroy',
    severity: 'critical',
    title: 'Stateful resource destroyed',
    description:
      'A delete or replace of a type in the stateful catalog (databases, buckets, volumes, file systems, queues, key stores, DNS zones, ...) or in `risk.stateful_types`. For `azapi_resource`, the Azure resource type is read from its `type` value (AVM modules use azapi by default).',
    evaluate: (plan, config) =>
      destroyed(plan).flatMap((c) => {
        const t = statefulChange(c, config.risk.stateful_types);
        if (!t) return [];
        const tail =
          c.kind === 'replace'
            ? `: the existing one and the data in it are destroyed and a new, empty one is created${c.createBeforeDestroy ? ' first' : ''}`
            : ' and the data in it';
        return [
          {
            address: c.address,
            message: `${verb(c)} ${c.address} (${t.what})${tail}${reason(c)}.`,
          },
        ];
      }),
  },
  {
    id: 'backups-lost',
    severity: 'critical',
    title: 'Backups lost',
    description:
      'A database is destroyed and its automated backups go with it, or no final snapshot is taken (provider defaults applied: for `aws_db_instance`, backups are deleted unless `delete_automated_backups = false`; a final snapshot needs `skip_final_snapshot = false` and a `final_snapshot_identifier`).',
    evaluate: (plan) =>
      destroyed(plan).flatMap((c) => {
        const policy = BACKUP_POLICIES[c.type];
        if (!policy) return [];
        const before = asObject(c.before);
        const lost: string[] = [];
        if (policy.backupsAlwaysDeleted) {
          lost.push(`its automated backups are deleted with it`);
        } else if (policy.deleteBackupsAttr && before[policy.deleteBackupsAttr] !== false) {
          lost.push(
            `its automated backups are deleted with it (${policy.deleteBackupsAttr} is not false)`,
          );
        }
        if (policy.skipFinalSnapshotAttr) {
          const skip = before[policy.skipFinalSnapshotAttr];
          const id = policy.finalSnapshotIdAttr ? before[policy.finalSnapshotIdAttr] : undefined;
          if (skip === true) {
            lost.push(`no final snapshot is taken (${policy.skipFinalSnapshotAttr} = true)`);
          } else if (!isSetString(id)) {
            lost.push(
              `no ${policy.finalSnapshotIdAttr} is set, so no final snapshot can be taken (the destroy fails until someone sets ${policy.skipFinalSnapshotAttr} = true, the usual way the last copy is lost)`,
            );
          }
        }
        if (lost.length === 0) return [];
        return [
          {
            address: c.address,
            message: `${verb(c)} ${c.address} (${policy.what}): ${lost.join('; ')}. Nothing would be left to restore from.`,
          },
        ];
      }),
  },
  {
    id: 'protected-address',
    severity: 'critical',
    title: 'Protected address changed',
    description: 'A resource whose address matches a `risk.protected` pattern changes in any way.',
    evaluate: (plan, config) =>
      config.risk.protected.length === 0
        ? []
        : plan.resourceChanges.flatMap((c) => {
            if (c.kind === 'no-op' || c.kind === 'read') return [];
            const p = config.risk.protected.find((pat) => matchesAddress(pat, c.address));
            return p
              ? [
                  {
                    address: c.address,
                    message: `${c.address} is protected by the pattern ${p} in the config, and this plan would ${c.kind} it.`,
                  },
                ]
              : [];
          }),
  },
  {
    id: 'protection-disabled',
    severity: 'high',
    title: 'Deletion protection removed',
    description:
      '`deletion_protection` and its kin go from true to false on an existing resource; on a stateful type, `force_destroy`, `skip_final_snapshot` or `force_delete` become true; a Secrets Manager secret\u2019s `recovery_window_in_days` goes to 0; or a lock (`azurerm_management_lock`, `google_resource_manager_lien`) is deleted. A resource created with such settings has lost no guard: it is listed under "before this bites" instead.',
    evaluate: (plan, config) =>
      managed(plan).flatMap((c) => {
        const lock = LOCK_TYPES[c.type];
        if (lock && c.kind === 'delete') {
          return [
            {
              address: c.address,
              message: `${c.address} (${lock}) is deleted: what it kept from being deleted loses that guard, and the next destroy goes through unchecked.`,
            },
          ];
        }
        if (c.kind !== 'update' && c.kind !== 'replace') return [];
        const before = asObject(c.before);
        const after = asObject(c.after);
        const off = PROTECTION_ATTRS.filter((a) => before[a] === true && after[a] === false);
        const on = statefulChange(c, config.risk.stateful_types)
          ? DANGER_ATTRS.filter((a) => after[a] === true && before[a] !== true)
          : [];
        const parts = [
          ...off.map((a) => `${a} goes from true to false`),
          ...on.map((a) => `${a} becomes true`),
        ];
        // A Secrets Manager secret deleted with a recovery window of 0 is gone at once: the
        // window is the guard (7 to 30 days to restore it).
        if (
          c.type === 'aws_secretsmanager_secret' &&
          after.recovery_window_in_days === 0 &&
          before.recovery_window_in_days !== 0
        ) {
          parts.push(
            'recovery_window_in_days goes to 0 (a later delete cannot be undone: the secret is gone at once instead of restorable for 7 to 30 days)',
          );
        }
        if (parts.length === 0) return [];
        return [
          {
            address: c.address,
            message: `On ${c.address}, ${parts.join(' and ')}: the guard against losing it is gone, and the next destroy goes through unchecked.`,
          },
        ];
      }),
  },
  {
    id: 'network-exposure',
    severity: 'high',
    title: 'Opened to the internet',
    description:
      'Inbound traffic from anyone on the internet (0.0.0.0/0, ::/0, a public CIDR or address range of a /8 or wider, Azure `*`/`Internet`, or Azure\u2019s 0.0.0.0-0.0.0.0 "allow Azure services") is newly allowed to ports other than HTTP/HTTPS: SSH, RDP, databases, all ports. Read from security groups and rules, network ACLs (their ephemeral return ports 1024-65535 excepted; adopting a VPC\u2019s default ACL with the allow-all rules AWS already put there opens nothing), firewalls (a GCP rule whose direction is absent or unknown is INGRESS, and one that names no source is open to 0.0.0.0/0: GCP\u2019s defaults), OCI security lists and network security group rules, network security rules, database firewall rules, Cloud SQL authorized networks, storage and Cosmos DB IP rules, and an Azure storage firewall whose `default_action` is `Allow`.',
    evaluate: (plan) =>
      newOpenings(plan)
        .map(({ c, openings }) => ({ c, openings: openings.filter((o) => !webOnly(o)) }))
        .filter(({ openings }) => openings.length > 0)
        .map(({ c, openings }) => ({
          address: c.address,
          message: `${c.address} allows inbound traffic from ${openingsText(openings)}: ${openings.every((o) => o.source === AZURE_SERVICES_RANGE) ? 'services of any Azure customer can reach it' : `anyone on the internet can reach ${openings.every((o) => o.ports) ? 'them' : 'it'}`}.`,
        })),
  },
  {
    id: 'public-data',
    severity: 'high',
    title: 'Data made public',
    description:
      'Data becomes readable by anyone: an S3 bucket ACL `public-read`/`public-read-write`/`authenticated-read` or a grant to all users, an S3 public access block switched off, a bucket policy allowing `Principal: "*"` without a condition, `publicly_accessible = true` on an RDS or Redshift database, `allUsers`/`allAuthenticatedUsers` on a Cloud Storage bucket, a public Azure blob container.',
    evaluate: (plan) =>
      managed(plan).flatMap((c) => {
        if (c.kind !== 'create' && c.kind !== 'update' && c.kind !== 'replace') return [];
        const was = new Set(c.kind === 'create' ? [] : publicData(c.type, c.before));
        const added = publicData(c.type, c.after).filter((r) => !was.has(r));
        if (added.length === 0) return [];
        return [{ address: c.address, message: `On ${c.address}, ${added.join('; ')}.` }];
      }),
  },
  {
    id: 'broad-access',
    severity: 'high',
    title: 'Broad access granted',
    description:
      'Access changes in a way that hands over an account, a project, a cluster or a repository, read from the policy documents and role names in the plan: an AWS policy (inline, managed, permission set) allowing `Action: "*"` on `Resource: "*"`, `NotAction` on `*`, `iam:*` or `iam:PassRole` on `*`; AdministratorAccess or IAMFullAccess attached; a trust policy open to any principal without a condition naming an account, or trusting an OIDC issuer with no `sub` condition or a `sub` like `repo:*`; GCP `roles/owner`/`roles/editor` (or organization and security admin) on a project, folder or organization, or any role to `allUsers`; Azure Owner, Contributor, User Access Administrator or RBAC Administrator at a subscription, management group or root scope; a Kubernetes (Cluster)RoleBinding to `cluster-admin`; a Vault policy on `path "*"` or writing to `sys/`, `auth/`, `identity/`; an OCI policy to manage all-resources in the tenancy; Snowflake ACCOUNTADMIN/SECURITYADMIN/ORGADMIN granted; a PostgreSQL superuser; MySQL ALL PRIVILEGES on `*`; GitHub repository admin or organization owner. Authoritative IAM counts too: `google_project_iam_policy` (folder, organization) set or destroyed, and a project/folder/organization `_iam_binding` of `roles/owner` or `roles/editor`, which replace every member and can lock everyone out. A grant already there before stays quiet; `iam-change` still lists the change.',
    evaluate: (plan) =>
      managed(plan).flatMap((c) => {
        if (!['create', 'update', 'delete', 'replace'].includes(c.kind)) return [];
        const whole = authoritativeOf(c.type, c.kind === 'delete' ? c.before : c.after, c.kind);
        const was = new Set(c.kind === 'create' ? [] : grantsOf(c.type, c.before));
        const added =
          c.kind === 'delete' ? [] : grantsOf(c.type, c.after).filter((r) => !was.has(r));
        const parts = [...(whole ? [whole] : []), ...added];
        if (parts.length === 0) return [];
        return [{ address: c.address, message: `${c.address} ${parts.join('; it also ')}.` }];
      }),
  },
  {
    id: 'data-loss',
    severity: 'high',
    title: 'Data lost without a delete',
    description: `A setting change that deletes data by itself, with no destroy in the plan: an S3 lifecycle rule that expires every current object (no prefix, tag or size filter) added to an existing bucket; automated backups turned off (\`backup_retention_period\`, \`automated_snapshot_retention_period\`, \`snapshot_retention_limit\` to 0, Cloud SQL backups off); log retention cut below ${LOG_RETENTION_FLOOR_DAYS} days (CloudWatch, where 0 means forever; Log Analytics; Cloud Logging buckets); a KMS key disabled or a Cloud KMS key version disabled or destroyed (what it encrypted becomes unreadable); point-in-time recovery turned off (DynamoDB, Cloud SQL).`,
    evaluate: (plan) => {
      const newBuckets = new Set(
        managed(plan)
          .filter(
            (c) => c.type === 'aws_s3_bucket' && (c.kind === 'create' || c.kind === 'replace'),
          )
          .map((c) => asObject(c.after).bucket),
      );
      const createdHere = (b: Json | undefined) => newBuckets.has(b);
      return managed(plan).flatMap((c) => {
        if (c.kind !== 'create' && c.kind !== 'update' && c.kind !== 'replace') return [];
        const why = dataLoss(
          c.type,
          c.kind === 'create' ? null : c.before,
          c.after,
          c.kind,
          createdHere,
        );
        return why.length === 0
          ? []
          : [{ address: c.address, message: `On ${c.address}, ${why.join('; ')}.` }];
      });
    },
  },
  {
    id: 'security-off',
    severity: 'high',
    title: 'Security control turned off',
    description:
      'A control that records or guards what happens is deleted or switched off: a CloudTrail trail (deleted or `enable_logging = false`), GuardDuty (deleted or `enable = false`), AWS Config (recorder, its status, delivery channel), Security Hub, Inspector, Macie, VPC flow logs, an Azure diagnostic setting or Defender plan, GCP audit log configs, GitHub branch protection or a repository ruleset. Whoever applies it, an attacker covering tracks or a tidy-up by mistake, nobody would see what happens next.',
    evaluate: (plan) =>
      managed(plan).flatMap((c) => {
        const why = controlOff(c.type, c.kind, c.before, c.after);
        return why ? [{ address: c.address, message: `${c.address}: ${why}.` }] : [];
      }),
  },
  {
    id: 'check-failed',
    severity: 'high',
    title: 'Check failed',
    description:
      'A `check` block assertion, precondition or postcondition the team wrote fails in this plan (`checks` with status `fail` or `error`): the configuration itself says something is wrong.',
    evaluate: (plan) =>
      plan.failedChecks.map((k) => ({
        address: k.address,
        message: `The check ${k.address} ${k.status === 'error' ? 'could not be evaluated' : 'fails'}${k.problems.length > 0 ? `: ${k.problems.join('; ')}` : ''}. Someone wrote it to say this must hold; find out why it does not before applying.`,
      })),
  },
  {
    id: 'iam-change',
    severity: 'medium',
    title: 'Access control changed',
    description: 'An IAM policy, role, binding or role assignment is created, changed or removed.',
    evaluate: (plan) =>
      managed(plan)
        .filter(
          (c) => ['create', 'update', 'delete', 'replace'].includes(c.kind) && isIamType(c.type),
        )
        .map((c) => ({
          address: c.address,
          message: `${c.address} changes who may do what (${c.kind}): read the policy before applying.`,
        })),
  },
  {
    id: 'public-control-plane',
    severity: 'medium',
    title: 'Cluster API open to the internet',
    description:
      'An EKS or GKE cluster\u2019s Kubernetes API endpoint becomes reachable from any address (provider defaults count: EKS is public to 0.0.0.0/0 unless `public_access_cidrs` says otherwise; GKE is public unless it has a private endpoint or authorized networks). The API still needs credentials, so this is medium: one leaked token is then enough from anywhere.',
    evaluate: (plan) =>
      managed(plan).flatMap((c) => {
        if (c.kind !== 'create' && c.kind !== 'update' && c.kind !== 'replace') return [];
        const now = publicControlPlane(c.type, c.after);
        if (!now || (c.kind !== 'create' && publicControlPlane(c.type, c.before))) return [];
        return [
          {
            address: c.address,
            message: `${c.address}: ${now}. Anyone who gets hold of a token can use the cluster from anywhere; limit the addresses or make the endpoint private.`,
          },
        ];
      }),
  },
  {
    id: 'destroy',
    severity: 'medium',
    title: 'Resource destroyed',
    description: 'Any other delete of a managed resource.',
    evaluate: (plan, config) =>
      managed(plan)
        .filter(
          (c) =>
            c.kind === 'delete' &&
            !statefulChange(c, config.risk.stateful_types) &&
            !DATA_OBJECT_TYPES[c.type],
        )
        .map((c) => ({ address: c.address, message: `${c.address} is destroyed${reason(c)}.` })),
  },
  {
    id: 'object-destroy',
    severity: 'medium',
    title: 'Stored object deleted',
    description:
      'A single object in a bucket or container (`aws_s3_object`, `google_storage_bucket_object`, `azurerm_storage_blob`, MinIO, Spaces, OCI and Swift objects) is deleted. Its content usually comes from the configuration and can be uploaded again, so this is not `stateful-destroy`; but once the apply runs, that object is gone unless the bucket keeps versions.',
    evaluate: (plan) =>
      managed(plan)
        .filter((c) => c.kind === 'delete' && DATA_OBJECT_TYPES[c.type])
        .map((c) => ({
          address: c.address,
          message: `${c.address} (${DATA_OBJECT_TYPES[c.type]}) is deleted${reason(c)}: its content is gone unless the bucket keeps versions or the configuration still has the file to upload again.`,
        })),
  },
  {
    id: 'replace',
    severity: 'medium',
    title: 'Resource replaced',
    description: 'Any other replace (destroy and re-create) of a managed resource.',
    evaluate: (plan, config) =>
      managed(plan)
        .filter((c) => c.kind === 'replace' && !statefulChange(c, config.risk.stateful_types))
        .map((c) => ({
          address: c.address,
          message: `${c.address} is destroyed and re-created${c.createBeforeDestroy ? ' (new one first)' : ''}${reason(c)}.`,
        })),
  },
  {
    id: 'public-endpoint',
    severity: 'low',
    title: 'Web ports opened to the internet',
    description:
      'Inbound traffic from anyone on the internet is newly allowed to HTTP/HTTPS only (ports 80 and 443): what a public load balancer or web server is for, so it scores low; it is listed so a reviewer sees what becomes public.',
    evaluate: (plan) =>
      newOpenings(plan)
        .map(({ c, openings }) => ({ c, openings: openings.filter(webOnly) }))
        .filter(({ openings }) => openings.length > 0)
        .map(({ c, openings }) => ({
          address: c.address,
          message: `${c.address} opens ${openingsText(openings)} to anyone on the internet: a public web endpoint. Check that this is meant to be public.`,
        })),
  },
  {
    id: 'drift',
    severity: 'low',
    title: 'Drift',
    description:
      'Resources changed outside Terraform since the last apply (`resource_drift`) that matter to this plan, as Terraform itself shows them: the drifted resource is changed by this plan, or another change reads its attributes (`relevant_attributes`). Drift that nothing in the plan touches is refreshed into state and left alone, so it is not a finding.',
    evaluate: (plan) => {
      const touched = new Set(
        plan.resourceChanges
          .filter((c) => c.kind !== 'no-op' && c.kind !== 'read')
          .map((c) => c.address),
      );
      const relevant = new Set(plan.relevantAddresses);
      return plan.drift
        .filter((d) => d.mode === 'managed' && (touched.has(d.address) || relevant.has(d.address)))
        .map((d) => ({
          address: d.address,
          message: `${d.address} was changed outside Terraform (${d.kind === 'delete' ? 'deleted' : 'modified'}); this plan may undo that change.`,
        }));
    },
  },
];

/** Creates over an empty state that reach `risk.empty_state.creates`, else 0. */
function emptyStateCreates(plan: Plan, config: Config): number {
  const creates = managed(plan).filter((c) => c.kind === 'create').length;
  return plan.priorStateResources > 0 || creates < config.risk.empty_state.creates ? 0 : creates;
}

/** Openings to the internet each created or changed resource adds (already open stays quiet). */
function newOpenings(plan: Plan): { c: ResourceChange; openings: Opening[] }[] {
  return managed(plan).flatMap((c) => {
    if (c.kind !== 'create' && c.kind !== 'update' && c.kind !== 'replace') return [];
    const now = openIngress(c.type, c.after);
    if (now.length === 0) return [];
    // Adopting a VPC's default ACL (a create of aws_default_network_acl) keeps the allow-all
    // rules AWS put there when it made the VPC: they were open before this plan.
    const before =
      c.kind !== 'create'
        ? openIngress(c.type, c.before)
        : c.type === 'aws_default_network_acl'
          ? awsDefaultNaclOpenings()
          : [];
    const was = new Set(before.map(openingKey));
    const seen = new Set<string>();
    const openings = now.filter((o) => {
      const k = openingKey(o);
      if (was.has(k) || seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    return openings.length > 0 ? [{ c, openings }] : [];
  });
}

function openingsText(openings: readonly Opening[]): string {
  return openings
    .map((o) =>
      o.source === AZURE_SERVICES_RANGE
        ? `${o.source} (Azure\u2019s "allow Azure services": every Azure customer\u2019s services, not only yours)`
        : o.source === AZURE_DEFAULT_ALLOW
          ? `${o.source}, so the IP rules restrict nothing`
          : o.ports
            ? `${o.source} on ${portsText(o.ports)}`
            : o.source.includes('-')
              ? o.source
              : `${o.source} (${portsText(undefined)})`,
    )
    .join(', ');
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

// A redacted or unknown identifier is still an identifier: only absence or "" means none.
function isSetString(v: Json | undefined): boolean {
  return typeof v === 'string' && v !== '';
}

// Access control beyond the big three counts too: Vault policies and auth roles, OCI identity,
// database and warehouse grants, and who administers a GitHub repository or organization.
const IAM_TYPE =
  /^(aws_iam_|aws_ssoadmin_|aws_organizations_policy|aws_lakeformation_permissions|google_.*_iam_(member|binding|policy)$|google_project_iam_|google_organization_iam_|google_service_account$|azurerm_role_(assignment|definition)$|azuread_|kubernetes_(cluster_)?role(_binding)?(_v1)?$|kubernetes_service_account(_v1)?$|vault_(policy|egp_policy|rgp_policy|.*_auth_backend_role|identity_group_policies|identity_entity_policies)$|oci_identity_(policy|group|dynamic_group|user_group_membership|domains_.*)$|snowflake_(grant_.*|role_grants|.*_grant|account_role|database_role|role)$|databricks_(grants?|permissions|permission_assignment|group_member|group_role|user_role|service_principal_role|access_control_rule_set)$|postgresql_(grant|grant_role|role|default_privileges)$|mysql_(grant|role)$|github_(team_repository|repository_collaborators?|membership|team_membership|team_members)$)/;

export function isIamType(type: string): boolean {
  return IAM_TYPE.test(type);
}
