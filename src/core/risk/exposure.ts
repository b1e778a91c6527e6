import type { Json } from '../plan/model.js';
import { UNKNOWN } from '../plan/model.js';
import { asList as list, asObject, asObjects as objects, firstObject as first } from '../json.js';
import { anyPrincipal, statements } from './policy-document.js';

// What a resource opens to the internet, read from its planned values by the shapes each
// provider uses. Two kinds of opening:
// - network: inbound traffic from anywhere (CIDRs, address ranges, service tags), with the ports;
// - data: a bucket, database or blob container readable by anyone (ACLs, policies, public flags).
// The rules in rules.ts compare what is open after the change with what was open before, so a
// rule that was already open stays quiet.

/** One inbound opening: where from, and which ports (undefined: all ports). */
export interface Opening {
  source: string;
  ports?: readonly PortRange[];
}

export type PortRange = readonly [from: number, to: number];

/**
 * Ports whose exposure is the point of a public web endpoint: HTTP and HTTPS. Opening them on a
 * load balancer or web server is what a public service does, so it scores low
 * (`public-endpoint`); SSH, RDP, databases or all ports score high (`network-exposure`).
 */
export const WEB_PORTS: readonly number[] = [80, 443];

/** Sources that mean "anyone": provider keywords and the whole address space. */
export const OPEN_SOURCES = ['0.0.0.0/0', '::/0', '*', 'Internet', 'Any', 'any'] as const;
const OPEN = new Set<string>(OPEN_SOURCES);

/**
 * A CIDR or range this wide reaches a large part of the internet (a /8 is 16.7 million
 * addresses); `0.0.0.0/1` plus `128.0.0.0/1` is the usual way around a check for `0.0.0.0/0`.
 */
export const WIDE_IPV4 = 2 ** 24;

/**
 * Azure's database firewalls read the range 0.0.0.0–0.0.0.0 as "allow Azure services": every
 * service of every Azure customer may connect, not only yours.
 */
export const AZURE_SERVICES_RANGE = '0.0.0.0-0.0.0.0';

/** What GCP fills in for a firewall rule that names no source at all. */
export const GCP_DEFAULT_SOURCE = '0.0.0.0/0 (GCP\u2019s default when a rule names no source)';

/** An Azure storage firewall whose default action lets every network in. */
export const AZURE_DEFAULT_ALLOW = 'every network (default_action = "Allow")';

/**
 * Ports above this that NACLs open to anywhere are the ephemeral range replies come back on: a
 * NACL is stateless, so a public subnet must allow them, and security groups still guard the
 * instances behind it.
 */
export const EPHEMERAL_FROM = 1024;

type Obj = Record<string, Json>;

/** Destination ports of an OCI rule: `tcp_options`/`udp_options` `{min, max}` (all when absent). */
function ociPorts(rule: Obj, range: (o: Obj) => Obj): PortRange[] | undefined {
  const opts = [...objects(rule.tcp_options), ...objects(rule.udp_options)];
  if (opts.length === 0) return undefined;
  const out: PortRange[] = [];
  for (const o of opts) {
    const r = range(o);
    const lo = port(r.min);
    const hi = port(r.max);
    if (lo === undefined || hi === undefined) return undefined;
    out.push([lo, hi]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Addresses

function ipv4(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

/** Private and shared ranges: opening them does not reach the internet. */
const PRIVATE_V4: readonly (readonly [number, number])[] = [
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
].map(([a, bits]) => {
  const start = ipv4(a as string) as number;
  return [start, start + 2 ** (32 - (bits as number)) - 1] as const;
});

function insidePrivate(lo: number, hi: number): boolean {
  return PRIVATE_V4.some(([a, b]) => lo >= a && hi <= b);
}

/** True when the IPv4 range reaches a wide part of the internet. */
export function wideIpv4Range(lo: number, hi: number): boolean {
  return hi >= lo && hi - lo + 1 >= WIDE_IPV4 && !insidePrivate(lo, hi);
}

/** A source that means "anyone on the internet": a keyword, or a wide public CIDR. */
export function isOpenSource(s: string): boolean {
  if (OPEN.has(s)) return true;
  const v4 = /^([\d.]+)\/(\d{1,2})$/.exec(s.trim());
  if (v4) {
    const start = ipv4(v4[1] as string);
    const bits = Number(v4[2]);
    if (start === undefined || bits > 32) return false;
    return wideIpv4Range(start, start + 2 ** (32 - bits) - 1);
  }
  const v6 = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(s.trim());
  if (v6) {
    // A /16 or wider IPv6 prefix outside the unique-local (fc00::/7) and link-local (fe80::/10)
    // blocks is internet-wide.
    const bits = Number(v6[2]);
    const head = (v6[1] as string).toLowerCase();
    return bits <= 16 && !/^f[cd]|^fe[89ab]/.test(head);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Ports

function port(v: Json | undefined): number | undefined {
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 65535 ? n : undefined;
}

/**
 * ICMP (ping, path MTU discovery) reaches no service: a rule that opens only ICMP to anyone is
 * not an opening of a port.
 */
const ICMP = new Set<Json>(['icmp', 'icmpv6', 'Icmp', '1', '58', 1, 58]);

/** `from`/`to` ports of an AWS rule; all ports for protocol "-1"/"all" or 0-0 / unknown. */
function awsPorts(o: Obj, protocolKey = 'protocol'): PortRange[] | undefined {
  const proto = o[protocolKey];
  if (proto === '-1' || proto === 'all' || proto === -1) return undefined;
  const from = port(o.from_port);
  const to = port(o.to_port);
  if (from === undefined || to === undefined) return undefined;
  if (from === 0 && (to === 0 || to === 65535)) return undefined;
  return [[from, to]];
}

/** `"22"`, `"1000-2000"`, `"*"` (all) as written in Azure and Google rules. */
function portSpec(s: Json): PortRange | 'all' | undefined {
  if (typeof s === 'number') return port(s) === undefined ? undefined : [s, s];
  if (typeof s !== 'string') return undefined;
  if (s === '*' || s === '') return 'all';
  const m = /^(\d+)(?:-(\d+))?$/.exec(s.trim());
  if (!m) return undefined;
  const from = port(m[1]);
  const to = port(m[2] ?? m[1]);
  return from === undefined || to === undefined ? undefined : [from, to];
}

function portList(specs: Json[]): PortRange[] | undefined {
  const out: PortRange[] = [];
  for (const s of specs) {
    const p = portSpec(s);
    if (p === 'all' || p === undefined) return undefined;
    out.push(p);
  }
  return out.length > 0 ? out : undefined;
}

/** True when every port of the opening is a web port (HTTP/HTTPS). */
export function webOnly(o: Opening): boolean {
  return (
    o.ports !== undefined &&
    o.ports.length > 0 &&
    o.ports.every(([a, b]) => a === b && WEB_PORTS.includes(a))
  );
}

export function portsText(ports: readonly PortRange[] | undefined): string {
  if (!ports) return 'all ports';
  const parts = ports.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`));
  return `port${parts.length === 1 && !parts[0]!.includes('-') ? '' : 's'} ${parts.join(', ')}`;
}

// ---------------------------------------------------------------------------------------------
// Network openings by resource type

/** Database firewalls written as address ranges: type -> [start attribute, end attribute, what]. */
export const RANGE_FIREWALLS: Readonly<Record<string, readonly [string, string, string]>> = {
  azurerm_sql_firewall_rule: ['start_ip_address', 'end_ip_address', 'Azure SQL server'],
  azurerm_mssql_firewall_rule: ['start_ip_address', 'end_ip_address', 'Azure SQL server'],
  azurerm_postgresql_firewall_rule: ['start_ip_address', 'end_ip_address', 'PostgreSQL server'],
  azurerm_postgresql_flexible_server_firewall_rule: [
    'start_ip_address',
    'end_ip_address',
    'PostgreSQL flexible server',
  ],
  azurerm_mysql_firewall_rule: ['start_ip_address', 'end_ip_address', 'MySQL server'],
  azurerm_mysql_flexible_server_firewall_rule: [
    'start_ip_address',
    'end_ip_address',
    'MySQL flexible server',
  ],
  azurerm_mariadb_firewall_rule: ['start_ip_address', 'end_ip_address', 'MariaDB server'],
  azurerm_cosmosdb_postgresql_firewall_rule: [
    'start_ip_address',
    'end_ip_address',
    'Cosmos DB for PostgreSQL cluster',
  ],
  azurerm_synapse_firewall_rule: ['start_ip_address', 'end_ip_address', 'Synapse workspace'],
  azurerm_redis_firewall_rule: ['start_ip', 'end_ip', 'Redis cache'],
};

/** Types whose values openIngress reads whole (the streaming reader keeps them). */
export const NETWORK_TYPES: readonly string[] = [
  'aws_security_group',
  'aws_security_group_rule',
  'aws_vpc_security_group_ingress_rule',
  'aws_network_acl',
  'aws_network_acl_rule',
  'aws_default_network_acl',
  'google_compute_firewall',
  'google_sql_database_instance',
  'azurerm_network_security_rule',
  'azurerm_network_security_group',
  'azurerm_storage_account',
  'azurerm_storage_account_network_rules',
  'azurerm_cosmosdb_account',
  'oci_core_security_list',
  'oci_core_default_security_list',
  'oci_core_network_security_group_security_rule',
  ...Object.keys(RANGE_FIREWALLS),
];

function rangeText(lo: string, hi: string): string {
  return `${lo}-${hi}`;
}

/** The inbound openings to anyone on the internet of one resource value. */
export function openIngress(type: string, value: Json): Opening[] {
  const v = asObject(value);
  const out: Opening[] = [];
  const add = (sources: Json | undefined, ports: PortRange[] | undefined) => {
    for (const s of list(sources)) {
      if (typeof s === 'string' && isOpenSource(s)) out.push({ source: s, ports });
    }
  };
  const awsRule = (o: Obj, protocolKey?: string) => {
    if (ICMP.has(o[protocolKey ?? 'protocol'] ?? null)) return;
    const ports = awsPorts(o, protocolKey);
    add(o.cidr_blocks, ports);
    add(o.ipv6_cidr_blocks, ports);
  };
  const nacl = (o: Obj) => {
    if (o.action !== 'allow' && o.rule_action !== 'allow') return;
    if (ICMP.has(o.protocol ?? null)) return;
    const ports = awsPorts(o);
    if (ports?.every(([a, b]) => a >= EPHEMERAL_FROM && b === 65535)) return;
    add(o.cidr_block, ports);
    add(o.ipv6_cidr_block, ports);
  };
  const azureRule = (o: Obj) => {
    if (o.direction !== 'Inbound' || o.access !== 'Allow') return;
    if (ICMP.has(o.protocol ?? null)) return;
    const specs = [...list(o.destination_port_range), ...list(o.destination_port_ranges)];
    const ports = specs.length > 0 ? portList(specs) : undefined;
    add(o.source_address_prefix, ports);
    add(o.source_address_prefixes, ports);
  };
  const range = RANGE_FIREWALLS[type];
  if (range) {
    const [a, b] = range;
    const lo = v[a];
    const hi = v[b];
    if (typeof lo === 'string' && typeof hi === 'string') {
      const l = ipv4(lo);
      const h = ipv4(hi);
      if (l !== undefined && h !== undefined) {
        if (l === 0 && h === 0 && type.startsWith('azurerm_')) {
          out.push({ source: AZURE_SERVICES_RANGE });
        } else if (wideIpv4Range(l, h)) {
          out.push({ source: rangeText(lo, hi) });
        }
      }
    }
    return out;
  }
  switch (type) {
    case 'aws_security_group':
      for (const rule of objects(v.ingress)) awsRule(rule);
      break;
    case 'aws_security_group_rule':
      if (v.type === 'ingress') awsRule(v);
      break;
    case 'aws_vpc_security_group_ingress_rule': {
      if (ICMP.has(v.ip_protocol ?? null)) break;
      const ports = awsPorts(v, 'ip_protocol');
      add(v.cidr_ipv4, ports);
      add(v.cidr_ipv6, ports);
      break;
    }
    case 'aws_network_acl':
    case 'aws_default_network_acl':
      for (const rule of objects(v.ingress)) nacl(rule);
      break;
    case 'aws_network_acl_rule':
      if (v.egress !== true) nacl(v);
      break;
    case 'google_compute_firewall': {
      // GCP's default direction is INGRESS: absent, null or unknown at plan time is ingress
      // unless it turns out EGRESS, which the plan cannot show.
      const dir = v.direction;
      if (dir !== undefined && dir !== null && dir !== UNKNOWN && dir !== 'INGRESS') break;
      if (v.disabled === true) break;
      const allows = objects(v.allow).filter((a) => !ICMP.has(a.protocol ?? null));
      if (allows.length === 0) break;
      let ports: PortRange[] | undefined = [];
      for (const a of allows) {
        const specs = list(a.ports);
        const p = a.protocol === 'all' || specs.length === 0 ? undefined : portList(specs);
        if (!p) {
          ports = undefined;
          break;
        }
        ports.push(...p);
      }
      add(v.source_ranges, ports);
      // No source at all (no ranges, tags or service accounts): GCP applies the rule to
      // 0.0.0.0/0. A range list only known after apply is read the same way when nothing else
      // names a source, since that is what GCP fills it with.
      const none = (x: Json | undefined) =>
        x === undefined || x === null || (Array.isArray(x) && x.length === 0);
      if (
        (none(v.source_ranges) || v.source_ranges === UNKNOWN) &&
        none(v.source_tags) &&
        none(v.source_service_accounts)
      ) {
        out.push({ source: GCP_DEFAULT_SOURCE, ports });
      }
      break;
    }
    case 'oci_core_security_list':
    case 'oci_core_default_security_list':
      for (const r of objects(v.ingress_security_rules)) {
        if (ICMP.has(r.protocol ?? null)) continue;
        add(
          r.source,
          ociPorts(r, (o) => o),
        );
      }
      break;
    case 'oci_core_network_security_group_security_rule':
      if (v.direction !== 'INGRESS' || ICMP.has(v.protocol ?? null)) break;
      add(
        v.source,
        ociPorts(v, (o) => first(o.destination_port_range)),
      );
      break;
    case 'google_sql_database_instance':
      for (const s of objects(v.settings)) {
        for (const ip of objects(s.ip_configuration)) {
          if (ip.ipv4_enabled === false) continue;
          for (const n of objects(ip.authorized_networks)) add(n.value, undefined);
        }
      }
      break;
    case 'azurerm_network_security_rule':
      azureRule(v);
      break;
    case 'azurerm_network_security_group':
      for (const r of objects(v.security_rule)) azureRule(r);
      break;
    case 'azurerm_storage_account':
      for (const r of objects(v.network_rules)) {
        add(r.ip_rules, undefined);
        if (r.default_action === 'Allow') out.push({ source: AZURE_DEFAULT_ALLOW });
      }
      break;
    case 'azurerm_storage_account_network_rules':
      add(v.ip_rules, undefined);
      if (v.default_action === 'Allow') out.push({ source: AZURE_DEFAULT_ALLOW });
      break;
    case 'azurerm_cosmosdb_account': {
      // ip_range_filter: a list (provider 4.x) or one comma-separated string (3.x).
      const f = v.ip_range_filter;
      const items = typeof f === 'string' ? f.split(',').map((s) => s.trim()) : list(f);
      add(items, undefined);
      break;
    }
  }
  return out;
}

/** Same opening: same source and ports. */
export function openingKey(o: Opening): string {
  return `${o.source} ${portsText(o.ports)}`;
}

// ---------------------------------------------------------------------------------------------
// Data made public

/** S3 canned ACLs that let anyone (or any AWS account) read or write. */
export const PUBLIC_ACLS = ['public-read', 'public-read-write', 'authenticated-read'] as const;
const PUBLIC_GRANTEES = /acs\.amazonaws\.com\/groups\/global\/(AllUsers|AuthenticatedUsers)/;
const PUBLIC_MEMBERS = new Set(['allUsers', 'allAuthenticatedUsers']);
const PAB_FLAGS = [
  'block_public_acls',
  'block_public_policy',
  'ignore_public_acls',
  'restrict_public_buckets',
] as const;

/** Types whose values publicData reads whole (the streaming reader keeps them). */
export const DATA_EXPOSURE_TYPES: readonly string[] = [
  'aws_s3_bucket',
  'aws_s3_bucket_acl',
  'aws_s3_bucket_policy',
  'aws_s3_bucket_public_access_block',
  'aws_s3_account_public_access_block',
  'aws_db_instance',
  'aws_rds_cluster_instance',
  'aws_redshift_cluster',
  'google_storage_bucket_iam_member',
  'google_storage_bucket_iam_binding',
  'google_storage_bucket_access_control',
  'google_storage_default_object_access_control',
  'azurerm_storage_container',
  'azurerm_storage_account',
];

/**
 * Why this value makes data readable by anyone, one reason per way; empty when it does not.
 * Each reason is a phrase that completes "On ADDRESS, ...".
 */
export function publicData(type: string, value: Json): string[] {
  const v = asObject(value);
  const out: string[] = [];
  const acl = (a: Json | undefined) => {
    if (typeof a === 'string' && (PUBLIC_ACLS as readonly string[]).includes(a)) {
      out.push(
        `the ACL is ${a}: anyone ${a === 'authenticated-read' ? 'with any AWS account ' : ''}can ${a.endsWith('write') ? 'read and write' : 'read'} the objects`,
      );
    }
  };
  switch (type) {
    case 'aws_s3_bucket':
      acl(v.acl);
      policy(v.policy, out);
      break;
    case 'aws_s3_bucket_acl': {
      acl(v.acl);
      const grants = objects(v.access_control_policy).flatMap((p) => objects(p.grant));
      const open = grants.some((g) =>
        objects(g.grantee).some((e) => typeof e.uri === 'string' && PUBLIC_GRANTEES.test(e.uri)),
      );
      if (open) out.push('a grant goes to all users: anyone can access the objects');
      break;
    }
    case 'aws_s3_bucket_policy':
      policy(v.policy, out);
      break;
    case 'aws_s3_bucket_public_access_block':
    case 'aws_s3_account_public_access_block': {
      const off = PAB_FLAGS.filter((f) => v[f] === false);
      if (off.length > 0) {
        out.push(
          `the public access block is off (${off.join(', ')} = false): public ACLs and bucket policies take effect`,
        );
      }
      break;
    }
    case 'aws_db_instance':
    case 'aws_rds_cluster_instance':
    case 'aws_redshift_cluster':
      if (v.publicly_accessible === true) {
        out.push('publicly_accessible = true: the database gets a public address on the internet');
      }
      break;
    case 'google_storage_bucket_iam_member':
    case 'google_storage_bucket_access_control':
    case 'google_storage_default_object_access_control': {
      const who = [v.member, v.entity].find((m) => typeof m === 'string' && PUBLIC_MEMBERS.has(m));
      if (typeof who === 'string')
        out.push(`${who} is granted access: anyone can reach the bucket`);
      break;
    }
    case 'google_storage_bucket_iam_binding': {
      const who = list(v.members).find((m) => typeof m === 'string' && PUBLIC_MEMBERS.has(m));
      if (typeof who === 'string')
        out.push(`${who} is granted access: anyone can reach the bucket`);
      break;
    }
    case 'azurerm_storage_container': {
      const t = v.container_access_type;
      if (t === 'blob' || t === 'container') {
        out.push(`container_access_type = "${t}": anyone can read its blobs without a key`);
      }
      break;
    }
    case 'azurerm_storage_account':
      if (v.allow_nested_items_to_be_public === true || v.allow_blob_public_access === true) {
        out.push('containers in it may be made public (allow_nested_items_to_be_public = true)');
      }
      break;
  }
  return out;
}

/** An IAM policy document (JSON text) with an Allow to everyone and no condition. */
function policy(text: Json | undefined, out: string[]): void {
  if (
    statements(text).some((s) => s.effect === 'Allow' && !s.condition && anyPrincipal(s.principal))
  ) {
    out.push('the bucket policy allows Principal "*" with no condition: anyone can use it');
  }
}

// ---------------------------------------------------------------------------------------------
// Cluster control planes

/** What `publicControlPlane` reads, per type (the streaming reader keeps these attributes). */
export const CONTROL_PLANE_READS: Readonly<Record<string, readonly string[]>> = {
  aws_eks_cluster: ['vpc_config'],
  google_container_cluster: ['private_cluster_config', 'master_authorized_networks_config'],
};

/**
 * Why a Kubernetes cluster's API endpoint is reachable from the whole internet, or undefined.
 * Provider defaults count: an EKS cluster's endpoint is public to 0.0.0.0/0 unless told
 * otherwise, and a GKE cluster's is public to anyone unless it has a private endpoint or
 * authorized networks.
 */
export function publicControlPlane(type: string, value: Json): string | undefined {
  const v = asObject(value);
  if (type === 'aws_eks_cluster') {
    const vpc = first(v.vpc_config);
    if (vpc.endpoint_public_access === false) return undefined;
    const cidrs = vpc.public_access_cidrs;
    const given = Array.isArray(cidrs)
      ? cidrs.filter((c): c is string => typeof c === 'string')
      : [];
    if (given.length > 0 && !given.some(isOpenSource)) return undefined;
    return given.length > 0
      ? `its API endpoint is public to ${given.find(isOpenSource)} (endpoint_public_access with public_access_cidrs open)`
      : 'its API endpoint is public to 0.0.0.0/0 (endpoint_public_access is on and public_access_cidrs is not set, so AWS allows every address)';
  }
  if (type === 'google_container_cluster') {
    if (first(v.private_cluster_config).enable_private_endpoint === true) return undefined;
    const man = objects(v.master_authorized_networks_config);
    if (man.length === 0) {
      return 'its API endpoint is public to any address (no private endpoint and no master_authorized_networks_config)';
    }
    const open = man
      .flatMap((m) => objects(m.cidr_blocks))
      .map((c) => c.cidr_block)
      .find((c): c is string => typeof c === 'string' && isOpenSource(c));
    return open
      ? `its API endpoint is public to ${open} (master_authorized_networks_config)`
      : undefined;
  }
  return undefined;
}

/**
 * The ingress rules AWS itself puts in every VPC's default network ACL (allow everything from
 * anywhere, rule 100 for IPv4 and 101 for IPv6). Adopting the default ACL with them opens
 * nothing: they were already there.
 */
export function awsDefaultNaclOpenings(): Opening[] {
  return [{ source: '0.0.0.0/0' }, { source: '::/0' }];
}
