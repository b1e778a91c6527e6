// Resource type names of the major Terraform providers, read once from their published schema
// packages, for the catalog test (test/core/risk/catalog.test.ts: every catalog type exists in
// some provider) and for the review of candidate types (tools/catalog/review.ts).
//
// The packages are too big to be devDependencies (@cdktf/provider-aws alone is a 37 MB tarball,
// about 200 MB unpacked), so this fetches each with `npm pack` into a temporary folder, reads
// the names, and writes only the names, with the package and provider versions, to
// provider-types.json beside this file. Review the diff before committing it.
//
//   node --import tsx tools/catalog/provider-types.ts [--only NAME,...]
//
// - @cdktf/provider-*: every resource class states its type (`X.tfResourceType = "aws_s3_bucket"`)
//   and extends cdktf.TerraformResource (data sources extend TerraformDataSource).
// - @pulumi/* (providers without a cdktf package): each resource states its token
//   (`aiven:index/kafkaTopic:KafkaTopic`); the Terraform name is the provider prefix, the module
//   (unless `index`) and the name in snake case. Tokens are bridged from Terraform names by that
//   rule, with exceptions, so a derived name that does not exist is possible: the catalog test
//   only asks that each catalog type is found in some list.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ProviderTypes {
  package: string;
  version: string;
  /** Registry source and version of the Terraform provider the package was generated from. */
  provider: string;
  providerVersion?: string;
  how: 'tfResourceType' | 'pulumi token';
  types: string[];
}

/** A package name, or [name, version] to pin an older major (its provider's older types). */
const CDKTF: readonly (string | readonly [string, string])[] = [
  'aws',
  'google',
  'google-beta',
  'azurerm',
  // azurerm 3.x: the azurerm_sql_*, azurerm_mysql_* and azurerm_mariadb_* types that 4.0 removed
  // are still in the state of many estates.
  ['azurerm', '12.27.0'],
  'azuread',
  'kubernetes',
  'cloudflare',
  'digitalocean',
  'mongodbatlas',
  'snowflake',
  'databricks',
  'postgresql',
  'github',
  'tfe',
  'vault',
  // Issue 23: data charts by name, source repositories, vSphere disks.
  'helm',
  'gitlab',
  'vsphere',
];
/** Pulumi package -> Terraform type prefix. */
const PULUMI: Readonly<Record<string, string>> = {
  aiven: 'aiven',
  confluentcloud: 'confluent',
  linode: 'linode',
  hcloud: 'hcloud',
  oci: 'oci',
  alicloud: 'alicloud',
  mysql: 'mysql',
  // Issue 23: Kafka topics (Mongey/kafka), OpenStack volumes and containers, MinIO buckets.
  kafka: 'kafka',
  openstack: 'openstack',
  minio: 'minio',
};

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'provider-types.json');

const snake = (s: string) =>
  s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();

function npm(args: string[]): string {
  return execFileSync('npm', args, { encoding: 'utf8' }).trim();
}

function unpack(
  pkg: string,
  work: string,
  members: string[],
  pinned?: string,
): { version: string; dir: string } {
  const version = pinned ?? npm(['view', pkg, 'version']);
  const tgz = join(
    work,
    npm(['pack', `${pkg}@${version}`, '--silent', '--pack-destination', work])
      .split('\n')
      .pop()!,
  );
  const dir = `${tgz}.d`;
  mkdirSync(dir);
  execFileSync('tar', ['-xzf', tgz, '-C', dir, '--wildcards', ...members]);
  rmSync(tgz);
  return { version, dir: join(dir, 'package') };
}

function cdktf(name: string, work: string, pinned?: string): ProviderTypes {
  const pkg = `@cdktf/provider-${name}`;
  const { version, dir } = unpack(
    pkg,
    work,
    ['package/package.json', 'package/lib/*/index.js'],
    pinned,
  );
  const meta = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    cdktf: { provider: { name: string; version: string } };
  };
  const types = new Set<string>();
  for (const d of readdirSync(join(dir, 'lib'))) {
    let lines: string[];
    try {
      lines = readFileSync(join(dir, 'lib', d, 'index.js'), 'utf8').split('\n');
    } catch {
      continue;
    }
    const resources = new Set(
      lines.flatMap((l) => /^class (\w+) extends cdktf\.TerraformResource\b/.exec(l)?.[1] ?? []),
    );
    for (const l of lines) {
      const m = /^(\w+)\.tfResourceType = "([a-z0-9_]+)";/.exec(l);
      if (m && resources.has(m[1]!)) types.add(m[2]!);
    }
  }
  return {
    package: pkg,
    version,
    provider: meta.cdktf.provider.name,
    providerVersion: meta.cdktf.provider.version,
    how: 'tfResourceType',
    types: [...types].sort(),
  };
}

function pulumi(name: string, prefix: string, work: string): ProviderTypes {
  const pkg = `@pulumi/${name}`;
  const { version, dir } = unpack(pkg, work, ['package/package.json', '*.js']);
  const types = new Set<string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) {
        for (const l of readFileSync(p, 'utf8').split('\n')) {
          const m = /__pulumiType = '[\w-]+:([\w/]+)\/(\w+):\w+';/.exec(l);
          if (!m) continue;
          const mod = m[1] === 'index' ? '' : `${snake(m[1]!.split('/')[0]!)}_`;
          types.add(`${prefix}_${mod}${snake(m[2]!)}`);
        }
      }
    }
  };
  walk(dir);
  return { package: pkg, version, provider: prefix, how: 'pulumi token', types: [...types].sort() };
}

const only = process.argv.includes('--only')
  ? new Set(process.argv[process.argv.indexOf('--only') + 1]!.split(','))
  : undefined;
const previous = (() => {
  try {
    return JSON.parse(readFileSync(OUT, 'utf8')) as ProviderTypes[];
  } catch {
    return [];
  }
})();
const work = mkdtempSync(join(tmpdir(), 'provider-types-'));
const result: ProviderTypes[] = [];
try {
  const jobs: [string, () => ProviderTypes][] = [
    ...CDKTF.map((entry): [string, () => ProviderTypes] => {
      const [n, pinned] = typeof entry === 'string' ? [entry, undefined] : entry;
      return [`@cdktf/provider-${n}${pinned ? `@${pinned}` : ''}`, () => cdktf(n, work, pinned)];
    }),
    ...Object.entries(PULUMI).map(([n, p]): [string, () => ProviderTypes] => [
      `@pulumi/${n}`,
      () => pulumi(n, p, work),
    ]),
  ];
  for (const [pkg, run] of jobs) {
    const keep = previous.find((p) => `${p.package}@${p.version}` === pkg || p.package === pkg);
    const r = only && !only.has(pkg) && keep ? keep : run();
    console.error(
      `${r.package}@${r.version} (${r.provider} ${r.providerVersion ?? ''}): ${r.types.length} resource types`,
    );
    result.push(r);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
