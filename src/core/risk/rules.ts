import { actionReasonWords } from '../action-reason.js';
import type { Config } from '../config.js';
import { isDestructive, type Json, type Plan, type ResourceChange } from '../plan/model.js';
import { statefulChange } from './catalog.js';
import { matchesAddress } from './address-pattern.js';
import {
  AZURE_SERVICES_RANGE,
  openIngress,
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
  evaluate(plan: Plan, config: Config): Omit<Finding, 'id' | 'severity'>[];
}

/** Below this many destroys the share threshold stays quiet: 1 of 2 is not `terraform destroy`. */
export const MASS_DESTROY_MIN_FOR_SHARE = 3;

const managed = (plan: Plan) => plan.resourceChanges.filter((c) => c.mode === 'managed');
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
      'The prior state holds no managed resources while the plan creates at least `risk.empty_state.creates` resources.',
    evaluate: (plan, config) => {
      const creates = managed(plan).filter((c) => c.kind === 'create').length;
      if (plan.priorStateResources > 0 || creates < config.risk.empty_state.creates) return [];
      return [
        {
          message: `The state is empty but the plan creates ${creates} resources: the state looks missing. Is the backend configured, and is this the right workspace? Applying would create a second copy of everything; a later plan against the real state could then destroy it.`,
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
      '`deletion_protection` and its kin go from true to false on an existing resource; on a stateful type, `force_destroy`, `skip_final_snapshot` or `force_delete` become true; or a lock (`azurerm_management_lock`, `google_resource_manager_lien`) is deleted. A resource created with such settings has lost no guard: it is listed under "before this bites" instead.',
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
      'Inbound traffic from anyone on the internet (0.0.0.0/0, ::/0, a public CIDR or address range of a /8 or wider, Azure `*`/`Internet`, or Azure\u2019s 0.0.0.0-0.0.0.0 "allow Azure services") is newly allowed to ports other than HTTP/HTTPS: SSH, RDP, databases, all ports. Read from security groups and rules, network ACLs (their ephemeral return ports 1024-65535 excepted), firewalls, network security rules, database firewall rules, Cloud SQL authorized networks, storage and Cosmos DB IP rules.',
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
    id: 'destroy',
    severity: 'medium',
    title: 'Resource destroyed',
    description: 'Any other delete of a managed resource.',
    evaluate: (plan, config) =>
      managed(plan)
        .filter((c) => c.kind === 'delete' && !statefulChange(c, config.risk.stateful_types))
        .map((c) => ({ address: c.address, message: `${c.address} is destroyed${reason(c)}.` })),
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

/** Openings to the internet each created or changed resource adds (already open stays quiet). */
function newOpenings(plan: Plan): { c: ResourceChange; openings: Opening[] }[] {
  return managed(plan).flatMap((c) => {
    if (c.kind !== 'create' && c.kind !== 'update' && c.kind !== 'replace') return [];
    const now = openIngress(c.type, c.after);
    if (now.length === 0) return [];
    const was = new Set(c.kind === 'create' ? [] : openIngress(c.type, c.before).map(openingKey));
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

const IAM_TYPE =
  /^(aws_iam_|aws_ssoadmin_|aws_organizations_policy|aws_lakeformation_permissions|google_.*_iam_(member|binding|policy)$|google_project_iam_|google_organization_iam_|google_service_account$|azurerm_role_(assignment|definition)$|azuread_|kubernetes_(cluster_)?role(_binding)?(_v1)?$|kubernetes_service_account(_v1)?$)/;

export function isIamType(type: string): boolean {
  return IAM_TYPE.test(type);
}
