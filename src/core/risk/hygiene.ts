import type { Json, Plan, ResourceChange } from '../plan/model.js';

// "Before this bites": stateful resources this plan keeps or creates whose data would not
// survive a destroy. Nothing is at risk in this plan, so these score 0 points and never ask for
// an approval; they are shown collapsed under their own heading (and in the JSON as `hygiene`)
// so a team fixes the trap before anyone plans the destroy. The seed incident lost its
// database and its automated backups in one `terraform destroy`: each of the settings below
// would have kept a copy.

export const HYGIENE_IDS = [
  'backups-deleted-with-resource',
  'no-final-snapshot',
  'deletion-protection-off',
  'versioning-off',
  'force-destroy-on',
  'purge-protection-off',
] as const;

export type HygieneId = (typeof HYGIENE_IDS)[number];

export interface HygieneFinding {
  id: HygieneId;
  address: string;
  message: string;
}

interface HygieneCheck {
  id: HygieneId;
  /** Short title for the reference docs. */
  title: string;
  /** Why the setting matters, for the reference docs. */
  why: string;
  /** The phrase that completes "ADDRESS (WHAT): ...", or undefined when the value is fine. */
  test(type: string, v: Record<string, Json>): string | undefined;
}

/** What each type is, in the hygiene sentences. */
export const HYGIENE_TYPES: Readonly<Record<string, string>> = {
  aws_db_instance: 'RDS database',
  aws_rds_cluster: 'Aurora/RDS cluster',
  aws_docdb_cluster: 'DocumentDB cluster',
  aws_neptune_cluster: 'Neptune cluster',
  aws_redshift_cluster: 'Redshift cluster',
  aws_dynamodb_table: 'DynamoDB table',
  aws_s3_bucket: 'S3 bucket',
  google_sql_database_instance: 'Cloud SQL instance',
  google_storage_bucket: 'Cloud Storage bucket',
  azurerm_key_vault: 'Key Vault',
};

const SNAPSHOT_TYPES = new Set([
  'aws_db_instance',
  'aws_rds_cluster',
  'aws_docdb_cluster',
  'aws_neptune_cluster',
  'aws_redshift_cluster',
]);
const BACKUPS_ATTR_TYPES = new Set(['aws_db_instance', 'aws_rds_cluster']);
const PROTECTION_ATTR: Readonly<Record<string, string>> = {
  aws_db_instance: 'deletion_protection',
  aws_rds_cluster: 'deletion_protection',
  aws_docdb_cluster: 'deletion_protection',
  aws_neptune_cluster: 'deletion_protection',
  aws_dynamodb_table: 'deletion_protection_enabled',
  google_sql_database_instance: 'deletion_protection',
};

function first(v: Json | undefined): Record<string, Json> {
  const x = Array.isArray(v) ? v[0] : v;
  return x !== null && x !== undefined && typeof x === 'object' && !Array.isArray(x) ? x : {};
}

export const HYGIENE_CHECKS: readonly HygieneCheck[] = [
  {
    id: 'backups-deleted-with-resource',
    title: 'Automated backups go with the database',
    why: 'AWS deletes an RDS database\u2019s automated backups together with it unless `delete_automated_backups = false`; a destroy then leaves nothing to restore from.',
    test: (type, v) =>
      BACKUPS_ATTR_TYPES.has(type) && v.delete_automated_backups !== false
        ? 'its automated backups would be deleted with it (set delete_automated_backups = false to keep them)'
        : undefined,
  },
  {
    id: 'no-final-snapshot',
    title: 'No final snapshot',
    why: 'With `skip_final_snapshot = true`, a destroy takes no last snapshot of the database.',
    test: (type, v) =>
      SNAPSHOT_TYPES.has(type) && v.skip_final_snapshot === true
        ? 'a destroy would take no final snapshot (skip_final_snapshot = true)'
        : undefined,
  },
  {
    id: 'deletion-protection-off',
    title: 'Deletion protection off',
    why: 'Deletion protection makes the provider refuse a destroy until someone switches it off in a separate, visible change.',
    test: (type, v) => {
      const attr = PROTECTION_ATTR[type];
      return attr && v[attr] === false
        ? `deletion protection is off (${attr} = false): nothing stops a destroy`
        : undefined;
    },
  },
  {
    id: 'versioning-off',
    title: 'Bucket versioning off',
    why: 'Without versioning, an overwritten or deleted object is gone; with it, the previous versions stay restorable.',
    test: (type, v) =>
      (type === 'aws_s3_bucket' || type === 'google_storage_bucket') &&
      first(v.versioning).enabled === false
        ? 'versioning is off: an overwritten or deleted object cannot be restored'
        : undefined,
  },
  {
    id: 'force-destroy-on',
    title: 'Bucket deleted with its contents',
    why: 'With `force_destroy = true`, a destroy deletes every object in the bucket instead of failing on a non-empty bucket.',
    test: (type, v) =>
      (type === 'aws_s3_bucket' || type === 'google_storage_bucket') && v.force_destroy === true
        ? 'force_destroy = true: a destroy deletes every object in it instead of stopping'
        : undefined,
  },
  {
    id: 'purge-protection-off',
    title: 'Key Vault purge protection off',
    why: 'Without purge protection, a deleted Key Vault and its keys can be purged for good during the retention period; keys lost that way leave everything they encrypted unreadable.',
    test: (type, v) =>
      type === 'azurerm_key_vault' && v.purge_protection_enabled === false
        ? 'purge protection is off: once deleted, the vault and its keys can be purged for good'
        : undefined,
  },
];

/** Kinds whose resource still exists after the apply. */
const KEPT = new Set(['create', 'update', 'replace', 'no-op', 'import', 'move']);

/**
 * The hygiene findings of a plan. A versioning setting made by a separate
 * `aws_s3_bucket_versioning` resource (AWS provider 4+) is not on the bucket, so S3 versioning
 * is only reported when the plan holds no such resource.
 */
export function hygieneFindings(plan: Plan): HygieneFinding[] {
  const out: HygieneFinding[] = [];
  const separateVersioning = plan.resourceChanges.some(
    (c) => c.type === 'aws_s3_bucket_versioning' && c.kind !== 'delete',
  );
  for (const c of plan.resourceChanges) {
    const what = HYGIENE_TYPES[c.type];
    if (!what || c.mode !== 'managed' || !KEPT.has(c.kind)) continue;
    const v = value(c);
    for (const check of HYGIENE_CHECKS) {
      if (check.id === 'versioning-off' && c.type === 'aws_s3_bucket' && separateVersioning) {
        continue;
      }
      const why = check.test(c.type, v);
      if (why)
        out.push({ id: check.id, address: c.address, message: `${c.address} (${what}): ${why}.` });
    }
  }
  return out;
}

function value(c: ResourceChange): Record<string, Json> {
  const v = c.after;
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {};
}
