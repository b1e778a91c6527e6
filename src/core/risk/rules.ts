import type { Config } from '../config.js';
import { isDestructive, type Json, type Plan, type ResourceChange } from '../plan/model.js';
import { statefulType } from './catalog.js';
import { matchesAddress } from './address-pattern.js';
import type { Finding, RuleId, Severity } from './types.js';

// Every rule plangate applies, with its id, severity and the sentence a reader acts on.
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
const verb = (c: ResourceChange) => (c.kind === 'replace' ? 'Replacing' : 'Destroying');
const reason = (c: ResourceChange) =>
  c.actionReason ? ` (Terraform's reason: ${c.actionReason.replace(/_/g, ' ')})` : '';

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
  'prevent_destroy',
] as const;
/** Attributes whose false -> true change makes a deletion lose more. */
export const DANGER_ATTRS = ['force_destroy', 'skip_final_snapshot', 'force_delete'] as const;

/** CIDRs and prefixes that mean "anyone on the internet". */
export const OPEN_SOURCES = ['0.0.0.0/0', '::/0', '*', 'Internet', 'Any'] as const;

export const RULES: readonly Rule[] = [
  {
    id: 'plan-errored',
    severity: 'critical',
    title: 'Plan errored',
    description: 'The plan has `errored: true` or is not applyable.',
    evaluate: (plan) =>
      plan.errored || !plan.applyable
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
    id: 'mass-destroy',
    severity: 'critical',
    title: 'Mass destroy',
    description: `Destroys (deletes and replaces of managed resources) reach \`risk.mass_destroy.count\`, or \`risk.mass_destroy.share\` of the resources in state (with at least ${MASS_DESTROY_MIN_FOR_SHARE} destroys).`,
    evaluate: (plan, config) => {
      const n = destroyed(plan).length;
      const inState = plan.priorStateResources;
      const { count, share } = config.risk.mass_destroy;
      const byShare = inState > 0 && n >= MASS_DESTROY_MIN_FOR_SHARE && n / inState >= share;
      if (n < count && !byShare) return [];
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
          message: `This plan destroys ${part}.${all} Check that the state, workspace and variables are the ones you meant.`,
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
      'A delete or replace of a type in the stateful catalog (databases, buckets, volumes, file systems, queues, key stores, DNS zones, ...) or in `risk.stateful_types`.',
    evaluate: (plan, config) =>
      destroyed(plan).flatMap((c) => {
        const t = statefulType(c.type, config.risk.stateful_types);
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
      '`deletion_protection` and its kin go from true to false, or `force_destroy`, `skip_final_snapshot` or `force_delete` become true.',
    evaluate: (plan) =>
      managed(plan).flatMap((c) => {
        if (c.kind !== 'update' && c.kind !== 'replace' && c.kind !== 'create') return [];
        const before = asObject(c.before);
        const after = asObject(c.after);
        const off = PROTECTION_ATTRS.filter((a) => before[a] === true && after[a] === false);
        const on = DANGER_ATTRS.filter(
          (a) => after[a] === true && before[a] !== true && c.kind !== 'create',
        );
        const created =
          c.kind === 'create' && after.force_destroy === true ? ['force_destroy'] : [];
        const parts = [
          ...off.map((a) => `${a} goes from true to false`),
          ...[...on, ...created].map((a) => `${a} becomes true`),
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
      'Ingress from 0.0.0.0/0 or ::/0 (or Azure `*`/`Internet`) appears on a security group, rule, firewall or network security rule.',
    evaluate: (plan) =>
      managed(plan).flatMap((c) => {
        if (c.kind !== 'create' && c.kind !== 'update' && c.kind !== 'replace') return [];
        const now = openIngress(c.type, c.after);
        if (now.length === 0) return [];
        const was = new Set(openIngress(c.type, c.before));
        const added = now.filter((s) => !was.has(s));
        if (added.length === 0) return [];
        return [
          {
            address: c.address,
            message: `${c.address} allows inbound traffic from ${added.join(', ')}: anyone on the internet can reach it.`,
          },
        ];
      }),
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
        .filter((c) => c.kind === 'delete' && !statefulType(c.type, config.risk.stateful_types))
        .map((c) => ({ address: c.address, message: `${c.address} is destroyed${reason(c)}.` })),
  },
  {
    id: 'replace',
    severity: 'medium',
    title: 'Resource replaced',
    description: 'Any other replace (destroy and re-create) of a managed resource.',
    evaluate: (plan, config) =>
      managed(plan)
        .filter((c) => c.kind === 'replace' && !statefulType(c.type, config.risk.stateful_types))
        .map((c) => ({
          address: c.address,
          message: `${c.address} is destroyed and re-created${c.createBeforeDestroy ? ' (new one first)' : ''}${reason(c)}.`,
        })),
  },
  {
    id: 'drift',
    severity: 'low',
    title: 'Drift',
    description: 'Resources changed outside Terraform since the last apply (`resource_drift`).',
    evaluate: (plan) =>
      plan.drift
        .filter((d) => d.mode === 'managed')
        .map((d) => ({
          address: d.address,
          message: `${d.address} was changed outside Terraform (${d.kind === 'delete' ? 'deleted' : 'modified'}); this plan may undo that change.`,
        })),
  },
];

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function asObject(v: Json): Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
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

const OPEN = new Set<string>(OPEN_SOURCES);

/** The world-open sources of a resource's ingress, by the shapes each provider uses. */
export function openIngress(type: string, value: Json): string[] {
  const v = asObject(value);
  const found = new Set<string>();
  const take = (xs: Json | undefined) => {
    const list = Array.isArray(xs) ? xs : xs === undefined || xs === null ? [] : [xs];
    for (const x of list) if (typeof x === 'string' && OPEN.has(x)) found.add(x);
  };
  const cidrs = (o: Record<string, Json>) => {
    take(o.cidr_blocks);
    take(o.ipv6_cidr_blocks);
  };
  switch (type) {
    case 'aws_security_group':
      for (const rule of Array.isArray(v.ingress) ? v.ingress : []) cidrs(asObject(rule));
      break;
    case 'aws_security_group_rule':
      if (v.type === 'ingress') cidrs(v);
      break;
    case 'aws_vpc_security_group_ingress_rule':
      take(v.cidr_ipv4);
      take(v.cidr_ipv6);
      break;
    case 'google_compute_firewall':
      if (v.direction === undefined || v.direction === null || v.direction === 'INGRESS') {
        take(v.source_ranges);
      }
      break;
    case 'azurerm_network_security_rule':
      if (v.direction === 'Inbound' && v.access === 'Allow') {
        take(v.source_address_prefix);
        take(v.source_address_prefixes);
      }
      break;
    case 'azurerm_network_security_group':
      for (const r of Array.isArray(v.security_rule) ? v.security_rule : []) {
        const rule = asObject(r);
        if (rule.direction === 'Inbound' && rule.access === 'Allow') {
          take(rule.source_address_prefix);
          take(rule.source_address_prefixes);
        }
      }
      break;
  }
  return [...found];
}
