import type { Plan } from '../../../src/core/plan/index.js';
import { assess, type RuleId } from '../../../src/core/risk/index.js';
import { isOpenSource, openIngress, publicData } from '../../../src/core/risk/exposure.js';
import { DEFAULT_CONFIG, planDoc, rc, toPlan } from '../../../testkit/support/build.js';

// network-exposure, public-endpoint and public-data: what opens a service or data to anyone.

const about = (plan: Plan, id: RuleId) =>
  assess(plan, DEFAULT_CONFIG).findings.filter((f) => f.id === id);
const one = (type: string, after: unknown, before: unknown = null, actions = ['create']) =>
  toPlan(
    planDoc({
      changes: [
        rc({
          address: `${type}.x`,
          actions: before === null ? actions : ['update'],
          before: before ?? undefined,
          after,
        }),
      ],
    }),
  );

describe('what counts as anyone on the internet', () => {
  test.each([
    ['0.0.0.0/0', true],
    ['::/0', true],
    ['0.0.0.0/1', true],
    ['128.0.0.0/1', true],
    ['1.0.0.0/8', true],
    ['2000::/3', true],
    ['10.0.0.0/8', false],
    ['172.16.0.0/12', false],
    ['203.0.113.0/24', false],
    ['1.0.0.0/9', false],
    ['fc00::/7', false],
    ['*', true],
    ['Internet', true],
    ['VirtualNetwork', false],
    ['not-a-cidr/8', false],
  ])('%s: %s', (source, open) => {
    expect(isOpenSource(source)).toBe(open);
  });
});

describe('network-exposure and public-endpoint split on the ports', () => {
  test('SSH from anywhere is high; HTTPS and HTTP from anywhere is a low public endpoint', () => {
    const plan = one('aws_security_group', {
      ingress: [
        { from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] },
        { from_port: 443, to_port: 443, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] },
      ],
    });
    const [high] = about(plan, 'network-exposure');
    expect(high?.severity).toBe('high');
    expect(high?.message).toMatch(/0\.0\.0\.0\/0 on port 22/);
    expect(high?.message).not.toMatch(/443/);
    const [low] = about(plan, 'public-endpoint');
    expect(low?.severity).toBe('low');
    expect(low?.message).toMatch(/port 443/);
  });
  test('a public load balancer on 80/443 alone scores low, far below open SSH', () => {
    const lb = one('aws_security_group', {
      ingress: [80, 443].map((p) => ({
        from_port: p,
        to_port: p,
        protocol: 'tcp',
        cidr_blocks: ['0.0.0.0/0'],
        ipv6_cidr_blocks: ['::/0'],
      })),
    });
    const ssh = one('aws_security_group', {
      ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }],
    });
    expect(assess(lb, DEFAULT_CONFIG).level).toBe('low');
    expect(assess(ssh, DEFAULT_CONFIG).level).toBe('high');
  });
  test('all ports (protocol -1) and a range that includes 443 are not web-only', () => {
    const all = one('aws_security_group_rule', {
      type: 'ingress',
      from_port: 0,
      to_port: 0,
      protocol: '-1',
      cidr_blocks: ['0.0.0.0/0'],
    });
    expect(about(all, 'network-exposure')[0]?.message).toMatch(/all ports/);
    const range = one('aws_vpc_security_group_ingress_rule', {
      cidr_ipv4: '0.0.0.0/0',
      from_port: 442,
      to_port: 444,
      ip_protocol: 'tcp',
    });
    expect(about(range, 'network-exposure')[0]?.message).toMatch(/ports 442-444/);
  });
  test('an Azure rule and a GCP firewall read their port lists', () => {
    const az = one('azurerm_network_security_rule', {
      direction: 'Inbound',
      access: 'Allow',
      source_address_prefix: 'Internet',
      destination_port_ranges: ['443', '80'],
    });
    expect(about(az, 'public-endpoint')).toHaveLength(1);
    expect(about(az, 'network-exposure')).toEqual([]);
    const gcp = one('google_compute_firewall', {
      direction: 'INGRESS',
      source_ranges: ['0.0.0.0/0'],
      allow: [{ protocol: 'tcp', ports: ['3389'] }],
    });
    expect(about(gcp, 'network-exposure')[0]?.message).toMatch(/port 3389/);
  });
  test('an already-open rule stays quiet; a newly opened port is reported', () => {
    const rule = (ports: number[]) => ({
      ingress: ports.map((p) => ({
        from_port: p,
        to_port: p,
        protocol: 'tcp',
        cidr_blocks: ['0.0.0.0/0'],
      })),
    });
    expect(about(one('aws_security_group', rule([22]), rule([22])), 'network-exposure')).toEqual(
      [],
    );
    const f = about(one('aws_security_group', rule([22, 5432]), rule([22])), 'network-exposure');
    expect(f[0]?.message).toMatch(/port 5432/);
    expect(f[0]?.message).not.toMatch(/port 22\b/);
  });
});

test('ICMP from anywhere opens no service: quiet on AWS, Azure and Google rules', () => {
  expect(
    openIngress('aws_security_group', {
      ingress: [{ from_port: -1, to_port: -1, protocol: 'icmp', cidr_blocks: ['0.0.0.0/0'] }],
    }),
  ).toEqual([]);
  expect(
    openIngress('azurerm_network_security_rule', {
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Icmp',
      source_address_prefix: '*',
    }),
  ).toEqual([]);
  expect(
    openIngress('google_compute_firewall', {
      source_ranges: ['0.0.0.0/0'],
      allow: [{ protocol: 'icmp' }, { protocol: 'tcp', ports: ['22'] }],
    }),
  ).toEqual([{ source: '0.0.0.0/0', ports: [[22, 22]] }]);
});

describe('range-based firewalls and network ACLs (the regula Azure SQL miss)', () => {
  test('an Azure SQL rule 0.0.0.0-255.255.255.255 opens the server to the internet', () => {
    const f = about(
      one('azurerm_mssql_firewall_rule', {
        start_ip_address: '0.0.0.0',
        end_ip_address: '255.255.255.255',
      }),
      'network-exposure',
    );
    expect(f[0]?.message).toMatch(/0\.0\.0\.0-255\.255\.255\.255: anyone on the internet/);
  });
  test('0.0.0.0-0.0.0.0 is "allow Azure services", said as such; a single address is quiet', () => {
    const [f] = about(
      one('azurerm_postgresql_flexible_server_firewall_rule', {
        start_ip_address: '0.0.0.0',
        end_ip_address: '0.0.0.0',
      }),
      'network-exposure',
    );
    expect(f?.message).toMatch(/allow Azure services.*any Azure customer/);
    expect(
      about(
        one('azurerm_mysql_flexible_server_firewall_rule', {
          start_ip_address: '203.0.113.7',
          end_ip_address: '203.0.113.7',
        }),
        'network-exposure',
      ),
    ).toEqual([]);
  });
  test('Redis firewall rules use start_ip/end_ip', () => {
    expect(
      openIngress('azurerm_redis_firewall_rule', { start_ip: '1.0.0.0', end_ip: '9.255.255.255' }),
    ).toHaveLength(1);
  });
  test('Cloud SQL authorized networks and Cosmos DB IP filters', () => {
    const sql = one('google_sql_database_instance', {
      settings: [
        {
          ip_configuration: [
            { ipv4_enabled: true, authorized_networks: [{ name: 'all', value: '0.0.0.0/0' }] },
          ],
        },
      ],
    });
    expect(about(sql, 'network-exposure')).toHaveLength(1);
    expect(
      openIngress('azurerm_cosmosdb_account', { ip_range_filter: '10.0.0.0/8,0.0.0.0/0' }),
    ).toEqual([{ source: '0.0.0.0/0', ports: undefined }]);
  });
  test('a NACL allowing SSH from anywhere fires; its ephemeral return ports do not', () => {
    const nacl = one('aws_network_acl', {
      ingress: [
        {
          action: 'allow',
          protocol: 'tcp',
          from_port: 1024,
          to_port: 65535,
          cidr_block: '0.0.0.0/0',
        },
        { action: 'allow', protocol: 'tcp', from_port: 22, to_port: 22, cidr_block: '0.0.0.0/0' },
        { action: 'deny', protocol: '-1', from_port: 0, to_port: 0, cidr_block: '0.0.0.0/0' },
      ],
    });
    const f = about(nacl, 'network-exposure');
    expect(f).toHaveLength(1);
    expect(f[0]?.message).toMatch(/port 22/);
    expect(f[0]?.message).not.toMatch(/1024/);
    const egress = one('aws_network_acl_rule', {
      egress: true,
      rule_action: 'allow',
      protocol: '-1',
      cidr_block: '0.0.0.0/0',
    });
    expect(about(egress, 'network-exposure')).toEqual([]);
  });
});

describe('public-data', () => {
  test.each([
    ['aws_s3_bucket_acl', { acl: 'public-read' }, /ACL is public-read/],
    ['aws_s3_bucket', { acl: 'public-read-write' }, /read and write/],
    [
      'aws_s3_bucket_public_access_block',
      {
        block_public_acls: false,
        block_public_policy: false,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      },
      /block_public_acls, block_public_policy = false/,
    ],
    [
      'aws_s3_bucket_policy',
      {
        policy: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
        }),
      },
      /Principal "\*"/,
    ],
    ['aws_db_instance', { publicly_accessible: true }, /public address/],
    [
      'google_storage_bucket_iam_member',
      { member: 'allUsers', role: 'roles/storage.objectViewer' },
      /allUsers/,
    ],
    ['azurerm_storage_container', { container_access_type: 'blob' }, /without a key/],
  ])('%s', (type, after, message) => {
    const [f] = about(one(type, after), 'public-data');
    expect(f?.severity).toBe('high');
    expect(f?.message).toMatch(message);
  });
  test('quiet: private ACLs, a policy with a condition or a named principal, a full public access block', () => {
    expect(publicData('aws_s3_bucket_acl', { acl: 'private' })).toEqual([]);
    expect(publicData('aws_s3_bucket_acl', { acl: 'log-delivery-write' })).toEqual([]);
    const withCondition = JSON.stringify({
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Condition: { IpAddress: {} } },
      ],
    });
    expect(publicData('aws_s3_bucket_policy', { policy: withCondition })).toEqual([]);
    const named = JSON.stringify({
      Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' } }],
    });
    expect(publicData('aws_s3_bucket_policy', { policy: named })).toEqual([]);
    expect(publicData('aws_s3_bucket_policy', { policy: '{not json' })).toEqual([]);
    expect(
      publicData('aws_s3_bucket_public_access_block', {
        block_public_acls: true,
        block_public_policy: true,
        ignore_public_acls: true,
        restrict_public_buckets: true,
      }),
    ).toEqual([]);
  });
  test('a database that was already public stays quiet; one made public fires', () => {
    expect(
      about(
        one('aws_db_instance', { publicly_accessible: true }, { publicly_accessible: true }),
        'public-data',
      ),
    ).toEqual([]);
    expect(
      about(
        one('aws_db_instance', { publicly_accessible: true }, { publicly_accessible: false }),
        'public-data',
      ),
    ).toHaveLength(1);
  });
});
