import type { Json } from '../plan/model.js';
import { UNKNOWN } from '../plan/model.js';
import { asObject, asObjects as objects, firstObject as first } from '../json.js';

// Data lost, and eyes closed, without a single delete: settings whose change destroys data over
// the next days (lifecycle expiry, retention cut, backups off, a key disabled) and security
// controls switched off (audit trails, threat detection, configuration recording). A plan that
// does these shows only "update" lines, so they need reading. Each reason completes
// "On ADDRESS, ..." (data) or "ADDRESS ..." (controls).

type Obj = Record<string, Json>;

const num = (v: Json | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

// ---------------------------------------------------------------------------------------------
// Data lost without a delete

/** Backup retention attributes: going from a positive number to 0 turns backups off. */
const BACKUP_RETENTION: Readonly<Record<string, string>> = {
  aws_db_instance: 'backup_retention_period',
  aws_redshift_cluster: 'automated_snapshot_retention_period',
  aws_elasticache_cluster: 'snapshot_retention_limit',
  aws_elasticache_replication_group: 'snapshot_retention_limit',
  aws_memorydb_cluster: 'snapshot_retention_limit',
};

/**
 * Log retention is reported when it is cut below this many days: incident investigations and
 * audits look back at least a month, and a cut that stays above it is usually a cost decision.
 */
export const LOG_RETENTION_FLOOR_DAYS = 30;

/** Log retention in days: lowering it deletes what is older at once. 0 means "forever" where noted. */
const LOG_RETENTION: Readonly<Record<string, readonly [attr: string, zeroIsForever: boolean]>> = {
  aws_cloudwatch_log_group: ['retention_in_days', true],
  azurerm_log_analytics_workspace: ['retention_in_days', false],
  google_logging_project_bucket_config: ['retention_days', false],
};

/** What `dataLoss` reads, per type (the streaming reader keeps these attributes). */
export const DATA_LOSS_READS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(Object.entries(BACKUP_RETENTION).map(([t, a]) => [t, [a]])),
  ...Object.fromEntries(Object.entries(LOG_RETENTION).map(([t, [a]]) => [t, [a]])),
  aws_s3_bucket_lifecycle_configuration: ['bucket', 'rule'],
  aws_s3_bucket: ['bucket', 'lifecycle_rule'],
  aws_kms_key: ['is_enabled'],
  aws_dynamodb_table: ['point_in_time_recovery'],
  google_sql_database_instance: ['settings'],
  google_kms_crypto_key_version: ['state'],
  aws_secretsmanager_secret: ['recovery_window_in_days'],
};

/** An S3 lifecycle rule that expires every current object (no prefix, tag or size filter). */
function expiresEverything(rule: Obj): number | string | undefined {
  if (rule.status !== 'Enabled' && rule.enabled !== true) return undefined;
  const exp = first(rule.expiration);
  const when = num(exp.days) && (exp.days as number) > 0 ? (exp.days as number) : exp.date;
  if (when === undefined || when === null || when === '' || when === 0) return undefined;
  if (typeof rule.prefix === 'string' && rule.prefix !== '') return undefined;
  if (Object.keys(asObject(rule.tags)).length > 0) return undefined;
  for (const f of objects(rule.filter)) {
    if (typeof f.prefix === 'string' && f.prefix !== '') return undefined;
    if (objects(f.tag).length > 0) return undefined;
    if (f.object_size_greater_than || f.object_size_less_than) return undefined;
    const and = first(f.and);
    if (
      (typeof and.prefix === 'string' && and.prefix !== '') ||
      Object.keys(asObject(and.tags)).length > 0 ||
      and.object_size_greater_than ||
      and.object_size_less_than
    ) {
      return undefined;
    }
  }
  return when as number | string;
}

function lifecycleReasons(rules: Obj[]): string[] {
  return rules.flatMap((r) => {
    const when = expiresEverything(r);
    if (when === undefined) return [];
    const after =
      typeof when === 'number' ? `${when} day${when === 1 ? '' : 's'} old` : `on ${when}`;
    return [
      `a lifecycle rule${typeof r.id === 'string' && r.id !== '' ? ` (${r.id.slice(0, 60)})` : ''} expires every current object once it is ${after}: S3 deletes the bucket's data on its own, with no destroy in any plan`,
    ];
  });
}

/**
 * Why the change from `before` to `after` loses data by itself, one reason per way. For a
 * create, `before` is null: only settings that act on data that already exists count then (a
 * lifecycle configuration for a bucket that `createdHere` says this plan does not create).
 */
export function dataLoss(
  type: string,
  before: Json,
  after: Json,
  kind: string,
  createdHere: (bucket: Json | undefined) => boolean = () => false,
): string[] {
  const b = asObject(before);
  const a = asObject(after);
  const out: string[] = [];
  const retention = BACKUP_RETENTION[type];
  if (retention && kind !== 'create') {
    const was = num(b[retention]);
    if (was !== undefined && was > 0 && a[retention] === 0) {
      out.push(
        `${retention} goes from ${was} to 0: automated backups are turned off and the ones kept so far are deleted`,
      );
    }
  }
  const logs = LOG_RETENTION[type];
  if (logs && kind !== 'create') {
    const [attr, zeroIsForever] = logs;
    const days = (v: Json | undefined) => {
      const n = num(v);
      return n === undefined ? undefined : n === 0 && zeroIsForever ? Infinity : n;
    };
    const was = days(b[attr]);
    const now = days(a[attr]);
    if (was !== undefined && now !== undefined && now < was && now < LOG_RETENTION_FLOOR_DAYS) {
      out.push(
        `${attr} goes from ${was === Infinity ? 'forever' : was} to ${now}: logs older than ${now} day${now === 1 ? '' : 's'} are deleted when this applies, too short to look back on an incident`,
      );
    }
  }
  switch (type) {
    case 'aws_s3_bucket_lifecycle_configuration': {
      // A configuration created with its bucket (in this plan, or named by a value unknown
      // until then) acts on an empty bucket: that is a retention policy, not a loss.
      if (
        kind === 'create' &&
        (a.bucket === UNKNOWN ||
          a.bucket === undefined ||
          a.bucket === null ||
          createdHere(a.bucket))
      ) {
        break;
      }
      const was = new Set(lifecycleReasons(objects(b.rule)));
      out.push(...lifecycleReasons(objects(a.rule)).filter((r) => !was.has(r)));
      break;
    }
    case 'aws_s3_bucket': {
      if (kind === 'create') break;
      const was = new Set(lifecycleReasons(objects(b.lifecycle_rule)));
      out.push(...lifecycleReasons(objects(a.lifecycle_rule)).filter((r) => !was.has(r)));
      break;
    }
    case 'aws_kms_key':
      if (b.is_enabled === true && a.is_enabled === false) {
        out.push(
          'the key is disabled (is_enabled = false): everything encrypted with it cannot be read until it is enabled again, and backups and replicas that use it fail',
        );
      }
      break;
    case 'google_kms_crypto_key_version':
      if (b.state === 'ENABLED' && (a.state === 'DISABLED' || a.state === 'DESTROYED')) {
        out.push(
          `the key version goes to ${a.state as string}: data encrypted with it cannot be read${a.state === 'DESTROYED' ? ', ever again' : ' until it is enabled again'}`,
        );
      }
      break;
    case 'aws_dynamodb_table':
      if (
        first(b.point_in_time_recovery).enabled === true &&
        first(a.point_in_time_recovery).enabled === false
      ) {
        out.push(
          'point-in-time recovery is turned off: the continuous backups of the last 35 days are deleted, and a bad write can no longer be undone',
        );
      }
      break;
    case 'google_sql_database_instance': {
      const was = first(first(b.settings).backup_configuration);
      const now = first(first(a.settings).backup_configuration);
      if (was.enabled === true && now.enabled === false) {
        out.push('automated backups are turned off (backup_configuration.enabled = false)');
      } else if (
        was.point_in_time_recovery_enabled === true &&
        now.point_in_time_recovery_enabled === false
      ) {
        out.push(
          'point-in-time recovery is turned off: the database can no longer be restored to a moment between backups',
        );
      }
      break;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Security controls off

/** Controls whose deletion stops them, with what they are for. */
const CONTROLS: Readonly<Record<string, string>> = {
  aws_cloudtrail:
    'the CloudTrail trail: API calls stop being recorded, so nobody can tell later who did what',
  aws_guardduty_detector: 'the GuardDuty detector: threat detection for the account stops',
  aws_config_configuration_recorder:
    'the AWS Config recorder: configuration changes stop being recorded and Config rules stop evaluating',
  aws_config_configuration_recorder_status:
    'the AWS Config recorder status: configuration changes stop being recorded',
  aws_config_delivery_channel:
    'the AWS Config delivery channel: recorded changes are no longer delivered',
  aws_securityhub_account: 'Security Hub for the account: its findings and checks stop',
  aws_securityhub_standards_subscription: 'a Security Hub standard: its checks stop',
  aws_inspector2_enabler: 'Amazon Inspector: vulnerability scanning stops',
  aws_macie2_account: 'Macie: sensitive-data discovery stops',
  aws_flow_log: 'a VPC flow log: network traffic stops being recorded',
  azurerm_monitor_diagnostic_setting:
    'a diagnostic setting: the resource\u2019s logs and metrics stop going to their destination',
  azurerm_security_center_subscription_pricing: 'a Defender for Cloud plan: its protection stops',
  google_project_iam_audit_config:
    'an audit log configuration: those audit logs stop being written',
  google_folder_iam_audit_config: 'an audit log configuration: those audit logs stop being written',
  google_organization_iam_audit_config:
    'an audit log configuration: those audit logs stop being written',
  github_branch_protection:
    'branch protection: pushes and merges to the branch no longer need review or passing checks, this gate\u2019s included',
  github_branch_protection_v3:
    'branch protection: pushes and merges to the branch no longer need review or passing checks, this gate\u2019s included',
  github_repository_ruleset:
    'a repository ruleset: the rules it enforced on branches and tags (reviews, checks) stop',
};

/** Settings whose true -> false (or value change) switches a control off while it stays. */
const SWITCHES: Readonly<Record<string, readonly [attr: string, on: Json, what: string]>> = {
  aws_cloudtrail: [
    'enable_logging',
    true,
    'CloudTrail logging is turned off (enable_logging = false): API calls stop being recorded, so nobody can tell later who did what',
  ],
  aws_guardduty_detector: [
    'enable',
    true,
    'the GuardDuty detector is disabled (enable = false): threat detection for the account stops',
  ],
  aws_config_configuration_recorder_status: [
    'is_enabled',
    true,
    'the AWS Config recorder is stopped (is_enabled = false): configuration changes stop being recorded',
  ],
  aws_securityhub_standards_control: [
    'control_status',
    'ENABLED',
    'a Security Hub control is disabled: its check stops',
  ],
  azurerm_security_center_subscription_pricing: [
    'tier',
    'Standard',
    'the Defender for Cloud plan goes to the Free tier: its protection stops',
  ],
};

/** What `controlOff` reads, per type (deletes need no value; switches need theirs). */
export const CONTROL_READS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(SWITCHES).map(([t, [attr]]) => [t, [attr]]),
);

/** Why this change switches a security control off, or undefined. */
export function controlOff(
  type: string,
  kind: string,
  before: Json,
  after: Json,
): string | undefined {
  if (kind === 'delete' && CONTROLS[type]) return `deletes ${CONTROLS[type]}`;
  const sw = SWITCHES[type];
  if (sw && (kind === 'update' || kind === 'replace')) {
    const [attr, on, what] = sw;
    const was = asObject(before)[attr];
    const now = asObject(after)[attr];
    if (was === on && now !== on && now !== UNKNOWN && now !== undefined) return what;
  }
  return undefined;
}
