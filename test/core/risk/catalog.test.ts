import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CANDIDATE, REVIEWED_PACKAGES, whyNotStateful } from '../../../tools/catalog/review.js';
import { repoRoot } from '../../../testkit/support/shared.js';
import {
  STATEFUL_TYPES,
  catalogSizeByCloud,
  cloudOfType,
  statefulType,
  type Cloud,
} from '../../../src/core/risk/catalog.js';

const PREFIX: Record<Exclude<Cloud, 'other'>, string> = {
  aws: 'aws_',
  google: 'google_',
  azure: 'azurerm_',
  kubernetes: 'kubernetes_',
};

describe('STATEFUL_TYPES', () => {
  it('has no duplicate type', () => {
    const seen = new Set<string>();
    const dupes = STATEFUL_TYPES.map((t) => t.type).filter((t) => seen.size === seen.add(t).size);
    expect(dupes).toEqual([]);
  });

  it('names every type with the provider prefix of its cloud', () => {
    for (const entry of STATEFUL_TYPES) {
      if (entry.cloud === 'other') {
        for (const prefix of Object.values(PREFIX))
          expect(entry.type.startsWith(prefix)).toBe(false);
      } else {
        expect(entry.type.startsWith(PREFIX[entry.cloud])).toBe(true);
      }
      expect(cloudOfType(entry.type)).toBe(entry.cloud);
    }
  });

  it('uses well-formed type names and a non-empty description', () => {
    for (const entry of STATEFUL_TYPES) {
      expect(entry.type).toMatch(/^[a-z][a-z0-9]*_[a-z0-9_]+$/);
      expect(entry.what.trim().length).toBeGreaterThan(0);
    }
  });

  it('is frozen', () => {
    expect(Object.isFrozen(STATEFUL_TYPES)).toBe(true);
  });
});

describe('catalogSizeByCloud', () => {
  it('meets the coverage minimums per cloud', () => {
    const sizes = catalogSizeByCloud();
    expect(sizes.aws).toBeGreaterThanOrEqual(60);
    expect(sizes.google).toBeGreaterThanOrEqual(35);
    expect(sizes.azure).toBeGreaterThanOrEqual(35);
    expect(sizes.kubernetes).toBeGreaterThanOrEqual(8);
    expect(sizes.other).toBeGreaterThan(0);
  });

  it('adds up to the catalog size', () => {
    const sizes = catalogSizeByCloud();
    const total = Object.values(sizes).reduce((a, b) => a + b, 0);
    expect(total).toBe(STATEFUL_TYPES.length);
  });
});

describe('statefulType', () => {
  it('finds a database', () => {
    expect(statefulType('aws_db_instance')).toEqual({
      type: 'aws_db_instance',
      cloud: 'aws',
      category: 'database',
      what: 'RDS database instance',
    });
  });

  it.each([
    ['aws_s3_bucket', 'aws', 'bucket'],
    ['google_sql_database_instance', 'google', 'database'],
    ['azurerm_key_vault', 'azure', 'key-store'],
    ['azurerm_resource_group', 'azure', 'other-data'],
    ['kubernetes_persistent_volume_claim_v1', 'kubernetes', 'volume'],
    ['mongodbatlas_cluster', 'other', 'database'],
  ] as const)('classifies %s', (type, cloud, category) => {
    expect(statefulType(type)).toMatchObject({ type, cloud, category });
  });

  it.each([
    'aws_instance',
    'aws_rds_cluster_instance',
    'google_alloydb_instance',
    'kubernetes_storage_class',
    'aws_kinesis_firehose_delivery_stream',
  ])('does not list stateless %s', (type) => {
    expect(statefulType(type)).toBeUndefined();
  });

  it('matches exactly: no prefix, suffix, case or whitespace tolerance', () => {
    expect(statefulType('aws_db_instance_x')).toBeUndefined();
    expect(statefulType('aws_db')).toBeUndefined();
    expect(statefulType('AWS_DB_INSTANCE')).toBeUndefined();
    expect(statefulType(' aws_db_instance')).toBeUndefined();
    expect(statefulType('')).toBeUndefined();
  });

  it('finds user-configured extra types as other-data', () => {
    expect(statefulType('custom_thing', ['custom_thing'])).toEqual({
      type: 'custom_thing',
      cloud: 'other',
      category: 'other-data',
      what: 'custom_thing (configured)',
    });
    expect(statefulType('custom_thing')).toBeUndefined();
    expect(statefulType('custom_thing_2', ['custom_thing'])).toBeUndefined();
  });

  it('infers the cloud of extra types from their prefix', () => {
    expect(statefulType('aws_instance', ['aws_instance'])?.cloud).toBe('aws');
    expect(statefulType('google_compute_instance', ['google_compute_instance'])?.cloud).toBe(
      'google',
    );
    expect(
      statefulType('azurerm_linux_virtual_machine', ['azurerm_linux_virtual_machine']),
    ).toMatchObject({ cloud: 'azure', category: 'other-data' });
    expect(statefulType('kubernetes_config_map', ['kubernetes_config_map'])?.cloud).toBe(
      'kubernetes',
    );
  });

  it('prefers the built-in entry when a type is also configured', () => {
    expect(statefulType('aws_db_instance', ['aws_db_instance'])?.category).toBe('database');
  });
});

describe('cloudOfType', () => {
  it.each([
    ['aws_s3_bucket', 'aws'],
    ['awscc_s3_bucket', 'aws'],
    ['google_storage_bucket', 'google'],
    ['azurerm_storage_account', 'azure'],
    ['kubernetes_namespace', 'kubernetes'],
    ['digitalocean_volume', 'other'],
    ['azuread_user', 'other'],
  ] as const)('%s -> %s', (type, cloud) => {
    expect(cloudOfType(type)).toBe(cloud);
  });
});

// The catalog against the providers' published schemas (tools/catalog/provider-types.json,
// written by tools/catalog/provider-types.ts from the @cdktf/provider-* and @pulumi/* packages)
// and the review of the candidates those lists suggest (tools/catalog/review.ts).
describe('the catalog against the providers’ published resource types', () => {
  const lists = JSON.parse(
    readFileSync(join(repoRoot, 'tools/catalog/provider-types.json'), 'utf8'),
  ) as { package: string; version: string; how: string; types: string[] }[];
  // Pulumi names are bridged from Terraform names with word breaks of their own (`MySql`,
  // `OpenSearch`): those lists are compared without underscores.
  const exact = new Set(lists.filter((l) => l.how !== 'pulumi token').flatMap((l) => l.types));
  const squashed = new Set(
    lists.filter((l) => l.how === 'pulumi token').flatMap((l) => l.types.map(squash)),
  );

  it('names the package version of every list', () => {
    for (const l of lists) expect(l.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(lists.length).toBeGreaterThanOrEqual(20);
  });

  it('every catalog type exists in some provider (or is one of the few no package publishes)', () => {
    const missing = STATEFUL_TYPES.map((t) => t.type).filter(
      (t) => !exact.has(t) && !squashed.has(squash(t)) && !(t in NO_SCHEMA_PACKAGE),
    );
    expect(missing).toEqual([]);
    for (const t of Object.keys(NO_SCHEMA_PACKAGE)) {
      expect(exact.has(t) || squashed.has(squash(t))).toBe(false);
      expect(STATEFUL_TYPES.some((s) => s.type === t)).toBe(true);
    }
  });

  it('every candidate type of the reviewed providers is in the catalog or has a reason not to be', () => {
    const inCatalog = new Set(STATEFUL_TYPES.map((t) => t.type));
    const unreviewed = lists
      .filter((l) => (REVIEWED_PACKAGES as readonly string[]).includes(l.package))
      .flatMap((l) => l.types)
      .filter((t) => CANDIDATE.test(t) && !inCatalog.has(t) && !whyNotStateful(t));
    expect(unreviewed).toEqual([]);
  });

  it('a reviewed exclusion never covers a catalog type', () => {
    for (const t of STATEFUL_TYPES)
      expect([t.type, whyNotStateful(t.type)]).toEqual([t.type, undefined]);
  });
});

function squash(type: string): string {
  return type.replace(/_/g, '');
}

/** Catalog types of providers that publish no schema package on npm, each checked by hand. */
const NO_SCHEMA_PACKAGE: Readonly<Record<string, string>> = {
  heroku_addon: 'heroku/heroku: no cdktf or Pulumi package',
  scaleway_rdb_instance: 'scaleway/scaleway: no cdktf or Pulumi package',
  ibm_database: 'IBM-Cloud/ibm: no cdktf or Pulumi package',
  alicloud_db_instance:
    'aliyun/alicloud: the Pulumi package names it rds.Instance, which does not derive back',
  // Issue 23 (names checked in each provider's registry documentation):
  elasticstack_elasticsearch_index: 'elastic/elasticstack: no cdktf or Pulumi package on npm',
  elasticsearch_index: 'phillbaker/elasticsearch: no cdktf or Pulumi package',
  opensearch_index: 'opensearch-project/opensearch: no cdktf or Pulumi package',
  ec_deployment: 'elastic/ec: no cdktf or Pulumi package on npm',
  azuredevops_git_repository: 'microsoft/azuredevops: no cdktf or Pulumi package on npm',
  bitbucket_repository: 'DrFaust92/bitbucket: no cdktf or Pulumi package on npm',
  openstack_blockstorage_volume_v3:
    'terraform-provider-openstack: the Pulumi package names the v3 volume blockstorage.Volume, without the suffix',
  openstack_objectstorage_container_v1:
    'terraform-provider-openstack: the Pulumi package names it objectstorage.Container, without the suffix',
  openstack_sharedfilesystem_share_v2:
    'terraform-provider-openstack: the Pulumi package names it sharedfilesystem.Share, without the suffix',
  openstack_db_instance_v1:
    'terraform-provider-openstack: the Pulumi package names it database.Instance',
};
