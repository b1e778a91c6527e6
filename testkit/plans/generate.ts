// A generator of large, realistic `terraform show -json` plans (format 1.2, as Terraform 1.5+
// prints it: compact, one line) for the benchmarks and the streaming tests.
//
// Shapes follow the real plans in ../shared/fixtures/plans and the providers' schemas: AWS
// (aws_instance, aws_db_instance, aws_s3_bucket, aws_security_group, ...), Google
// (google_compute_instance, google_sql_database_instance, google_storage_bucket, IAM members,
// firewalls), Azure (azurerm_*) and Kubernetes (kubernetes_*_v1). Resources live in modules
// (with a nested child module now and then), as count and for_each instances, and change in every
// way Terraform prints: create, update, replace (both orders), delete, read, moved (no-op with
// `previous_address`), importing. Sensitive attributes are marked in before_sensitive /
// after_sensitive the way Terraform marks them, and computed ones in after_unknown.
//
// Deterministic: the same options give the same bytes (a seeded PRNG, no clock). Memory stays
// flat at any size: every section (planned_values, resource_changes, prior_state, configuration)
// is written by walking the modules again, each module regenerated from its own seed, so a
// 1 GB plan never exists in memory.
//
// `resource_changes` is in Terraform's order (sorted by address), like the real thing.

import { closeSync, openSync, writeSync } from 'node:fs';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

/** A generated value as text: a string as it is, anything else as JSON. */
const scalarText = (v: Json | undefined): string =>
  typeof v === 'string' ? v : String(JSON.stringify(v));

export interface GenerateOptions {
  /** Number of resource changes (resource_changes.length). */
  resources: number;
  /** PRNG seed. Default 1. */
  seed?: number;
  /**
   * What the plan is made of. `realistic` (default): modules of mixed resources, most of them
   * no-ops, as a steady estate plans. `secrets`: every change is a small secret-bearing resource
   * (secret versions, Key Vault secrets, Kubernetes secrets) that is updated or created, so every
   * change is actionable and carries sensitive values: the worst case for redaction and digest.
   * `quiet`: the resources of `realistic`, 95% of them no-ops (the rest updates, replaces and
   * deletes): what a large, steady stack plans every day (issue 25's no-op-heavy shape).
   */
  mix?: 'realistic' | 'secrets' | 'quiet';
}

export interface GenerateResult {
  bytes: number;
  resources: number;
  /** Resource changes per kind, as applygate will count them. */
  actions: Record<string, number>;
}

export interface Sink {
  write(s: string): void;
}

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class R {
  constructor(readonly next: () => number) {}
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)];
    return s;
  }
  word(): string {
    return this.pick(WORDS);
  }
}

const WORDS = [
  'alpha',
  'billing',
  'catalog',
  'checkout',
  'search',
  'ledger',
  'orders',
  'payments',
  'profile',
  'reports',
  'router',
  'session',
  'stream',
  'upload',
  'worker',
  'gateway',
  'identity',
  'metrics',
  'notify',
  'pricing',
  'queue',
  'render',
  'scheduler',
  'storage',
] as const;

// ---------------------------------------------------------------------------------------------
// Resource templates: full values as the state holds them, which of them are computed (unknown
// when created), which the provider marks sensitive, and what an update changes.

interface Template {
  type: string;
  provider: 'aws' | 'google' | 'azurerm' | 'kubernetes';
  mode?: 'managed' | 'data';
  values(r: R, ctx: Ctx): Obj;
  computed: readonly string[];
  sensitive?: readonly string[];
  /** Mutates a copy of the values the way a routine update would. */
  update(v: Obj, r: R): void;
  /** Attribute whose change forces replacement. */
  forcesNew: string;
}

interface Ctx {
  team: string;
  env: string;
  region: string;
  project: string;
  key: string;
}

const ACCOUNT = '123456789012';
const SUB = '00000000-1111-2222-3333-444444444444';
const tagsOf = (c: Ctx, name: string): Obj => ({
  Name: name,
  team: c.team,
  env: c.env,
  'managed-by': 'terraform',
});
const labelsOf = (c: Ctx): Obj => ({ team: c.team, env: c.env, 'managed-by': 'terraform' });
const k8sMeta = (c: Ctx, name: string, r: R): Obj[] => [
  {
    annotations: {},
    generate_name: '',
    generation: r.int(1, 40),
    labels: { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': c.team },
    name,
    namespace: `${c.team}-${c.env}`,
    resource_version: String(r.int(100000, 9999999)),
    uid: `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
  },
];
const bumpTag = (v: Obj, r: R) => {
  const tags = { ...((v.tags as Obj | null) ?? {}) };
  tags.revision = `r${r.int(1, 999)}`;
  v.tags = tags;
  if (v.tags_all !== undefined) v.tags_all = tags;
};
const bumpLabel = (v: Obj, r: R) => {
  const labels = { ...((v.labels as Obj | null) ?? {}) };
  labels.revision = `r${r.int(1, 999)}`;
  v.labels = labels;
};

const TEMPLATES: Record<string, Template> = {
  aws_instance: {
    type: 'aws_instance',
    provider: 'aws',
    computed: [
      'arn',
      'id',
      'instance_state',
      'private_ip',
      'public_ip',
      'primary_network_interface_id',
    ],
    values: (r, c) => {
      const id = `i-0${r.hex(16)}`;
      const name = `${c.team}-${c.key}`;
      return {
        ami: `ami-0${r.hex(16)}`,
        arn: `arn:aws:ec2:${c.region}:${ACCOUNT}:instance/${id}`,
        associate_public_ip_address: false,
        availability_zone: `${c.region}${r.pick(['a', 'b', 'c'])}`,
        disable_api_termination: r.chance(0.3),
        ebs_block_device: [],
        ebs_optimized: true,
        iam_instance_profile: `${c.team}-instance`,
        id,
        instance_state: 'running',
        instance_type: r.pick(['t3.micro', 't3.medium', 'm6i.large', 'c6i.xlarge']),
        key_name: null,
        monitoring: true,
        primary_network_interface_id: `eni-0${r.hex(16)}`,
        private_ip: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`,
        public_ip: '',
        root_block_device: [
          {
            delete_on_termination: true,
            device_name: '/dev/xvda',
            encrypted: true,
            iops: 3000,
            kms_key_id: '',
            tags: {},
            throughput: 125,
            volume_id: `vol-0${r.hex(16)}`,
            volume_size: r.pick([8, 20, 50, 100]),
            volume_type: 'gp3',
          },
        ],
        subnet_id: `subnet-0${r.hex(16)}`,
        tags: tagsOf(c, name),
        tags_all: tagsOf(c, name),
        user_data: null,
        vpc_security_group_ids: [`sg-0${r.hex(16)}`],
      };
    },
    update: (v, r) => {
      v.instance_type = r.pick(['t3.large', 'm6i.xlarge']);
      bumpTag(v, r);
    },
    forcesNew: 'ami',
  },
  aws_db_instance: {
    type: 'aws_db_instance',
    provider: 'aws',
    computed: ['address', 'arn', 'endpoint', 'hosted_zone_id', 'id', 'resource_id'],
    sensitive: ['password'],
    values: (r, c) => {
      const ident = `${c.team}-${c.key}-${c.env}`;
      return {
        address: `${ident}.c${r.hex(10)}.${c.region}.rds.amazonaws.com`,
        allocated_storage: r.pick([20, 100, 500]),
        arn: `arn:aws:rds:${c.region}:${ACCOUNT}:db:${ident}`,
        auto_minor_version_upgrade: true,
        backup_retention_period: r.pick([0, 7, 14]),
        backup_window: '03:00-04:00',
        db_name: c.team,
        db_subnet_group_name: `${c.team}-db`,
        delete_automated_backups: r.chance(0.7),
        deletion_protection: r.chance(0.5),
        endpoint: `${ident}.c${r.hex(10)}.${c.region}.rds.amazonaws.com:5432`,
        engine: 'postgres',
        engine_version: r.pick(['14.10', '15.4', '16.1']),
        final_snapshot_identifier: r.chance(0.5) ? `${ident}-final` : null,
        hosted_zone_id: `Z${r.hex(12).toUpperCase()}`,
        id: `db-${r.hex(26).toUpperCase()}`,
        identifier: ident,
        instance_class: r.pick(['db.t3.medium', 'db.r6g.large']),
        multi_az: r.chance(0.5),
        password: `pw-${r.hex(24)}`,
        port: 5432,
        publicly_accessible: false,
        resource_id: `db-${r.hex(26).toUpperCase()}`,
        skip_final_snapshot: r.chance(0.4),
        storage_encrypted: true,
        storage_type: 'gp3',
        tags: tagsOf(c, ident),
        tags_all: tagsOf(c, ident),
        username: 'app',
        vpc_security_group_ids: [`sg-0${r.hex(16)}`],
      };
    },
    update: (v, r) => {
      v.instance_class = r.pick(['db.r6g.xlarge', 'db.r6g.2xlarge']);
      v.allocated_storage = (v.allocated_storage as number) * 2;
    },
    forcesNew: 'identifier',
  },
  aws_s3_bucket: {
    type: 'aws_s3_bucket',
    provider: 'aws',
    computed: [
      'arn',
      'bucket_domain_name',
      'bucket_regional_domain_name',
      'hosted_zone_id',
      'id',
      'region',
    ],
    values: (r, c) => {
      const b = `${c.team}-${c.key}-${c.env}-${r.hex(6)}`;
      return {
        acceleration_status: '',
        arn: `arn:aws:s3:::${b}`,
        bucket: b,
        bucket_domain_name: `${b}.s3.amazonaws.com`,
        bucket_regional_domain_name: `${b}.s3.${c.region}.amazonaws.com`,
        force_destroy: r.chance(0.1),
        hosted_zone_id: 'Z1BKCTXD74EZPE',
        id: b,
        object_lock_enabled: false,
        region: c.region,
        request_payer: 'BucketOwner',
        tags: tagsOf(c, b),
        tags_all: tagsOf(c, b),
      };
    },
    update: bumpTag,
    forcesNew: 'bucket',
  },
  aws_security_group: {
    type: 'aws_security_group',
    provider: 'aws',
    computed: ['arn', 'id', 'owner_id'],
    values: (r, c) => {
      const id = `sg-0${r.hex(16)}`;
      const rule = (port: number, cidr: string): Obj => ({
        cidr_blocks: [cidr],
        description: `port ${port}`,
        from_port: port,
        ipv6_cidr_blocks: [],
        prefix_list_ids: [],
        protocol: 'tcp',
        security_groups: [],
        self: false,
        to_port: port,
      });
      return {
        arn: `arn:aws:ec2:${c.region}:${ACCOUNT}:security-group/${id}`,
        description: `${c.team} ${c.key}`,
        egress: [{ ...rule(0, '0.0.0.0/0'), protocol: '-1', description: '' }],
        id,
        ingress: [rule(443, r.chance(0.02) ? '0.0.0.0/0' : '10.0.0.0/8'), rule(8080, '10.0.0.0/8')],
        name: `${c.team}-${c.key}`,
        owner_id: ACCOUNT,
        revoke_rules_on_delete: false,
        tags: tagsOf(c, `${c.team}-${c.key}`),
        tags_all: tagsOf(c, `${c.team}-${c.key}`),
        vpc_id: `vpc-0${r.hex(16)}`,
      };
    },
    update: bumpTag,
    forcesNew: 'name',
  },
  aws_iam_role_policy_attachment: {
    type: 'aws_iam_role_policy_attachment',
    provider: 'aws',
    computed: ['id'],
    values: (r, c) => ({
      id: `${c.team}-${c.key}-${r.hex(8)}`,
      policy_arn: `arn:aws:iam::${ACCOUNT}:policy/${c.team}-${c.key}`,
      role: `${c.team}-${c.env}`,
    }),
    update: (v, r) => {
      v.policy_arn = `arn:aws:iam::aws:policy/${r.pick(['ReadOnlyAccess', 'AmazonS3ReadOnlyAccess'])}`;
    },
    forcesNew: 'role',
  },
  aws_route53_record: {
    type: 'aws_route53_record',
    provider: 'aws',
    computed: ['fqdn', 'id'],
    values: (r, c) => {
      const name = `${c.key}.${c.team}.${c.env}.example.com`;
      const zone = `Z${r.hex(13).toUpperCase()}`;
      return {
        alias: [],
        allow_overwrite: null,
        cidr_routing_policy: [],
        failover_routing_policy: [],
        fqdn: name,
        geolocation_routing_policy: [],
        health_check_id: '',
        id: `${zone}_${name}_A`,
        latency_routing_policy: [],
        multivalue_answer_routing_policy: false,
        name,
        records: [`10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`],
        set_identifier: '',
        ttl: 300,
        type: 'A',
        weighted_routing_policy: [],
        zone_id: zone,
      };
    },
    update: (v, r) => {
      v.records = [`10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(1, 254)}`];
    },
    forcesNew: 'name',
  },
  aws_sqs_queue: {
    type: 'aws_sqs_queue',
    provider: 'aws',
    computed: ['arn', 'id', 'url'],
    values: (r, c) => {
      const n = `${c.team}-${c.key}-${c.env}`;
      return {
        arn: `arn:aws:sqs:${c.region}:${ACCOUNT}:${n}`,
        content_based_deduplication: false,
        delay_seconds: 0,
        fifo_queue: false,
        id: `https://sqs.${c.region}.amazonaws.com/${ACCOUNT}/${n}`,
        max_message_size: 262144,
        message_retention_seconds: r.pick([345600, 1209600]),
        name: n,
        receive_wait_time_seconds: 20,
        sqs_managed_sse_enabled: true,
        tags: tagsOf(c, n),
        tags_all: tagsOf(c, n),
        url: `https://sqs.${c.region}.amazonaws.com/${ACCOUNT}/${n}`,
        visibility_timeout_seconds: 30,
      };
    },
    update: (v, r) => {
      v.visibility_timeout_seconds = r.pick([60, 120, 300]);
    },
    forcesNew: 'name',
  },
  aws_secretsmanager_secret_version: {
    type: 'aws_secretsmanager_secret_version',
    provider: 'aws',
    computed: ['arn', 'id', 'version_id'],
    sensitive: ['secret_string'],
    values: (r, c) => ({
      arn: `arn:aws:secretsmanager:${c.region}:${ACCOUNT}:secret:${c.team}/${c.key}-${r.hex(6)}`,
      id: `arn:aws:secretsmanager:${c.region}:${ACCOUNT}:secret:${c.team}/${c.key}|${r.hex(8)}`,
      secret_binary: '',
      secret_id: `arn:aws:secretsmanager:${c.region}:${ACCOUNT}:secret:${c.team}/${c.key}`,
      secret_string: JSON.stringify({ username: 'app', password: r.hex(32) }),
      version_id: `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
      version_stages: ['AWSCURRENT'],
    }),
    update: (v, r) => {
      v.secret_string = JSON.stringify({ username: 'app', password: r.hex(32) });
    },
    forcesNew: 'secret_id',
  },
  aws_iam_policy_document: {
    type: 'aws_iam_policy_document',
    provider: 'aws',
    mode: 'data',
    computed: ['id', 'json'],
    values: (r, c) => ({
      id: String(r.int(1e9, 4e9)),
      json: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: ['s3:GetObject'],
            Resource: `arn:aws:s3:::${c.team}-${c.key}/*`,
          },
        ],
      }),
      statement: [
        {
          actions: ['s3:GetObject'],
          condition: [],
          effect: 'Allow',
          not_actions: [],
          not_principals: [],
          not_resources: [],
          principals: [],
          resources: [`arn:aws:s3:::${c.team}-${c.key}/*`],
          sid: '',
        },
      ],
      version: '2012-10-17',
    }),
    update: () => undefined,
    forcesNew: 'id',
  },
  google_compute_instance: {
    type: 'google_compute_instance',
    provider: 'google',
    computed: [
      'cpu_platform',
      'current_status',
      'id',
      'instance_id',
      'label_fingerprint',
      'metadata_fingerprint',
      'self_link',
      'tags_fingerprint',
    ],
    values: (r, c) => {
      const name = `${c.team}-${c.key}-${r.hex(4)}`;
      const zone = `${c.region}-${r.pick(['a', 'b', 'c'])}`;
      const base = `https://www.googleapis.com/compute/v1/projects/${c.project}`;
      return {
        advanced_machine_features: [],
        allow_stopping_for_update: null,
        attached_disk: [],
        boot_disk: [
          {
            auto_delete: true,
            device_name: 'persistent-disk-0',
            disk_encryption_key_raw: '',
            disk_encryption_key_sha256: '',
            initialize_params: [
              {
                image: `${base.replace(c.project, 'debian-cloud')}/global/images/debian-12-bookworm-v2024${r.int(1000, 1231)}`,
                labels: {},
                resource_manager_tags: {},
                size: r.pick([10, 20, 50]),
                type: 'pd-balanced',
              },
            ],
            kms_key_self_link: '',
            mode: 'READ_WRITE',
            source: `${base}/zones/${zone}/disks/${name}`,
          },
        ],
        can_ip_forward: false,
        confidential_instance_config: [],
        cpu_platform: 'AMD Rome',
        current_status: 'RUNNING',
        deletion_protection: r.chance(0.3),
        description: '',
        desired_status: null,
        effective_labels: labelsOf(c),
        enable_display: false,
        guest_accelerator: [],
        hostname: '',
        id: `projects/${c.project}/zones/${zone}/instances/${name}`,
        instance_id: String(r.int(1e9, 9e9)) + String(r.int(1e8, 9e8)),
        label_fingerprint: `${r.hex(11)}=`,
        labels: labelsOf(c),
        machine_type: r.pick(['e2-micro', 'e2-standard-2', 'n2-standard-4']),
        metadata: {},
        metadata_fingerprint: `${r.hex(11)}=`,
        metadata_startup_script: null,
        min_cpu_platform: '',
        name,
        network_interface: [
          {
            access_config: [],
            alias_ip_range: [],
            internal_ipv6_prefix_length: 0,
            ipv6_access_config: [],
            ipv6_access_type: '',
            ipv6_address: '',
            name: 'nic0',
            network: `${base}/global/networks/${c.env}`,
            network_ip: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`,
            nic_type: '',
            queue_count: 0,
            stack_type: 'IPV4_ONLY',
            subnetwork: `${base}/regions/${c.region}/subnetworks/${c.env}`,
            subnetwork_project: c.project,
          },
        ],
        params: [],
        project: c.project,
        reservation_affinity: [],
        resource_policies: [],
        scheduling: [
          {
            automatic_restart: true,
            instance_termination_action: '',
            min_node_cpus: 0,
            node_affinities: [],
            on_host_maintenance: 'MIGRATE',
            preemptible: false,
            provisioning_model: 'STANDARD',
          },
        ],
        scratch_disk: [],
        self_link: `${base}/zones/${zone}/instances/${name}`,
        service_account: [
          {
            email: `${c.team}@${c.project}.iam.gserviceaccount.com`,
            scopes: ['https://www.googleapis.com/auth/cloud-platform'],
          },
        ],
        shielded_instance_config: [
          { enable_integrity_monitoring: true, enable_secure_boot: false, enable_vtpm: true },
        ],
        tags: [c.team, c.env],
        tags_fingerprint: `${r.hex(11)}=`,
        terraform_labels: labelsOf(c),
        timeouts: null,
        zone,
      };
    },
    update: (v, r) => {
      v.machine_type = r.pick(['e2-standard-4', 'n2-standard-8']);
      bumpLabel(v, r);
    },
    forcesNew: 'name',
  },
  google_sql_database_instance: {
    type: 'google_sql_database_instance',
    provider: 'google',
    computed: [
      'connection_name',
      'first_ip_address',
      'id',
      'ip_address',
      'private_ip_address',
      'self_link',
      'server_ca_cert',
      'service_account_email_address',
    ],
    sensitive: ['root_password'],
    values: (r, c) => {
      const name = `${c.team}-${c.key}-${c.env}`;
      const ip = `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(2, 254)}`;
      return {
        clone: [],
        connection_name: `${c.project}:${c.region}:${name}`,
        database_version: r.pick(['POSTGRES_14', 'POSTGRES_15', 'MYSQL_8_0']),
        deletion_protection: r.chance(0.6),
        encryption_key_name: null,
        first_ip_address: ip,
        id: name,
        instance_type: 'CLOUD_SQL_INSTANCE',
        ip_address: [{ ip_address: ip, time_to_retire: '', type: 'PRIVATE' }],
        maintenance_version: 'POSTGRES_15_5.R20240130.00_04',
        master_instance_name: '',
        name,
        private_ip_address: ip,
        project: c.project,
        public_ip_address: '',
        region: c.region,
        replica_configuration: [],
        restore_backup_context: [],
        root_password: r.hex(20),
        self_link: `https://sqladmin.googleapis.com/sql/v1beta4/projects/${c.project}/instances/${name}`,
        server_ca_cert: [
          {
            cert: `-----BEGIN CERTIFICATE-----\nMII${r.hex(60)}\n-----END CERTIFICATE-----`,
            common_name: `C=US,O=Google\\, Inc,CN=Google Cloud SQL Server CA,dnQualifier=${r.hex(8)}`,
            create_time: '2024-01-30T10:00:00.000Z',
            expiration_time: '2034-01-27T10:01:00.000Z',
            sha1_fingerprint: r.hex(40),
          },
        ],
        service_account_email_address: `p${r.int(1e11, 9e11)}-${r.hex(6)}@gcp-sa-cloud-sql.iam.gserviceaccount.com`,
        settings: [
          {
            activation_policy: 'ALWAYS',
            availability_type: r.pick(['ZONAL', 'REGIONAL']),
            backup_configuration: [
              {
                backup_retention_settings: [{ retained_backups: 7, retention_unit: 'COUNT' }],
                binary_log_enabled: false,
                enabled: true,
                location: '',
                point_in_time_recovery_enabled: true,
                start_time: '02:00',
                transaction_log_retention_days: 7,
              },
            ],
            disk_autoresize: true,
            disk_size: r.pick([10, 100, 250]),
            disk_type: 'PD_SSD',
            ip_configuration: [
              {
                authorized_networks: [],
                enable_private_path_for_google_cloud_services: false,
                ipv4_enabled: false,
                private_network: `projects/${c.project}/global/networks/${c.env}`,
                ssl_mode: 'ENCRYPTED_ONLY',
              },
            ],
            tier: r.pick(['db-custom-2-7680', 'db-custom-4-15360']),
            user_labels: labelsOf(c),
            version: r.int(1, 30),
          },
        ],
        timeouts: null,
      };
    },
    update: (v, r) => {
      const s = { ...((v.settings as Obj[])[0] as Obj) };
      s.tier = r.pick(['db-custom-8-30720', 'db-custom-16-61440']);
      v.settings = [s];
    },
    forcesNew: 'name',
  },
  google_storage_bucket: {
    type: 'google_storage_bucket',
    provider: 'google',
    computed: ['id', 'self_link', 'url', 'project_number'],
    values: (r, c) => {
      const name = `${c.project}-${c.key}-${r.hex(6)}`;
      return {
        autoclass: [],
        cors: [],
        custom_placement_config: [],
        default_event_based_hold: false,
        effective_labels: labelsOf(c),
        enable_object_retention: false,
        encryption: [],
        force_destroy: r.chance(0.1),
        id: name,
        labels: labelsOf(c),
        lifecycle_rule: [
          {
            action: [{ storage_class: '', type: 'Delete' }],
            condition: [
              {
                age: r.pick([30, 90, 365]),
                created_before: '',
                days_since_custom_time: 0,
                matches_prefix: [],
                matches_storage_class: [],
                num_newer_versions: 0,
                with_state: 'ANY',
              },
            ],
          },
        ],
        location: r.pick(['EU', 'US', 'EUROPE-WEST1']),
        logging: [],
        name,
        project: c.project,
        project_number: r.int(1e11, 9e11),
        public_access_prevention: 'enforced',
        requester_pays: false,
        retention_policy: [],
        rpo: null,
        self_link: `https://www.googleapis.com/storage/v1/b/${name}`,
        soft_delete_policy: [
          { effective_time: '2024-03-01T00:00:00.000Z', retention_duration_seconds: 604800 },
        ],
        storage_class: 'STANDARD',
        terraform_labels: labelsOf(c),
        timeouts: null,
        uniform_bucket_level_access: true,
        url: `gs://${name}`,
        versioning: [{ enabled: r.chance(0.7) }],
        website: [],
      };
    },
    update: bumpLabel,
    forcesNew: 'name',
  },
  google_project_iam_member: {
    type: 'google_project_iam_member',
    provider: 'google',
    computed: ['etag', 'id'],
    values: (r, c) => {
      const role = `roles/${r.pick(['storage.objectViewer', 'cloudsql.client', 'pubsub.publisher', 'logging.logWriter'])}`;
      const member = `serviceAccount:${c.team}-${c.key}@${c.project}.iam.gserviceaccount.com`;
      return {
        condition: [],
        etag: `BwY${r.hex(9)}=`,
        id: `${c.project}/${role}/${member}`,
        member,
        project: c.project,
        role,
      };
    },
    update: () => undefined,
    forcesNew: 'role',
  },
  google_compute_firewall: {
    type: 'google_compute_firewall',
    provider: 'google',
    computed: ['creation_timestamp', 'id', 'self_link'],
    values: (r, c) => {
      const name = `${c.team}-${c.key}-allow`;
      return {
        allow: [{ ports: [String(r.pick([443, 5432, 8080]))], protocol: 'tcp' }],
        creation_timestamp: '2024-02-11T08:12:44.123-08:00',
        deny: [],
        description: '',
        destination_ranges: [],
        direction: 'INGRESS',
        disabled: false,
        id: `projects/${c.project}/global/firewalls/${name}`,
        log_config: [],
        name,
        network: `projects/${c.project}/global/networks/${c.env}`,
        priority: 1000,
        project: c.project,
        self_link: `https://www.googleapis.com/compute/v1/projects/${c.project}/global/firewalls/${name}`,
        source_ranges: [r.chance(0.02) ? '0.0.0.0/0' : '10.128.0.0/9'],
        source_service_accounts: [],
        source_tags: [],
        target_service_accounts: [],
        target_tags: [c.team],
        timeouts: null,
      };
    },
    update: (v, r) => {
      v.priority = r.pick([900, 1100]);
    },
    forcesNew: 'name',
  },
  azurerm_resource_group: {
    type: 'azurerm_resource_group',
    provider: 'azurerm',
    computed: ['id'],
    values: (r, c) => {
      const name = `rg-${c.team}-${c.key}-${c.env}`;
      return {
        id: `/subscriptions/${SUB}/resourceGroups/${name}`,
        location: r.pick(['westeurope', 'northeurope', 'eastus2']),
        managed_by: '',
        name,
        tags: tagsOf(c, name),
        timeouts: null,
      };
    },
    update: bumpTag,
    forcesNew: 'name',
  },
  azurerm_storage_account: {
    type: 'azurerm_storage_account',
    provider: 'azurerm',
    computed: [
      'id',
      'primary_access_key',
      'primary_blob_endpoint',
      'primary_connection_string',
      'primary_location',
    ],
    sensitive: ['primary_access_key', 'primary_connection_string'],
    values: (r, c) => {
      const name = `st${c.team.slice(0, 8)}${r.hex(8)}`;
      return {
        access_tier: 'Hot',
        account_kind: 'StorageV2',
        account_replication_type: r.pick(['LRS', 'ZRS', 'GRS']),
        account_tier: 'Standard',
        allow_nested_items_to_be_public: false,
        blob_properties: [
          {
            change_feed_enabled: false,
            delete_retention_policy: [{ days: 7 }],
            versioning_enabled: r.chance(0.5),
          },
        ],
        enable_https_traffic_only: true,
        id: `/subscriptions/${SUB}/resourceGroups/rg-${c.team}-${c.env}/providers/Microsoft.Storage/storageAccounts/${name}`,
        location: 'westeurope',
        min_tls_version: 'TLS1_2',
        name,
        network_rules: [
          {
            bypass: ['AzureServices'],
            default_action: 'Deny',
            ip_rules: [],
            virtual_network_subnet_ids: [],
          },
        ],
        primary_access_key: `${r.hex(40)}==`,
        primary_blob_endpoint: `https://${name}.blob.core.windows.net/`,
        primary_connection_string: `DefaultEndpointsProtocol=https;AccountName=${name};AccountKey=${r.hex(40)}==;EndpointSuffix=core.windows.net`,
        primary_location: 'westeurope',
        public_network_access_enabled: false,
        resource_group_name: `rg-${c.team}-${c.env}`,
        shared_access_key_enabled: true,
        tags: tagsOf(c, name),
        timeouts: null,
      };
    },
    update: bumpTag,
    forcesNew: 'name',
  },
  azurerm_linux_virtual_machine: {
    type: 'azurerm_linux_virtual_machine',
    provider: 'azurerm',
    computed: [
      'id',
      'private_ip_address',
      'private_ip_addresses',
      'public_ip_address',
      'virtual_machine_id',
    ],
    sensitive: ['admin_password', 'custom_data'],
    values: (r, c) => {
      const name = `vm-${c.team}-${c.key}-${r.hex(3)}`;
      const rg = `rg-${c.team}-${c.env}`;
      return {
        admin_password: r.hex(24),
        admin_ssh_key: [
          { public_key: `ssh-rsa AAAAB3NzaC1yc2E${r.hex(80)} ops`, username: 'azureuser' },
        ],
        admin_username: 'azureuser',
        allow_extension_operations: true,
        boot_diagnostics: [],
        computer_name: name,
        custom_data: r.hex(40),
        disable_password_authentication: false,
        encryption_at_host_enabled: false,
        id: `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
        identity: [],
        location: 'westeurope',
        name,
        network_interface_ids: [
          `/subscriptions/${SUB}/resourceGroups/${rg}/providers/Microsoft.Network/networkInterfaces/${name}-nic`,
        ],
        os_disk: [
          {
            caching: 'ReadWrite',
            diff_disk_settings: [],
            disk_size_gb: r.pick([30, 64, 128]),
            name: `${name}-osdisk`,
            storage_account_type: 'Premium_LRS',
            write_accelerator_enabled: false,
          },
        ],
        patch_mode: 'ImageDefault',
        priority: 'Regular',
        private_ip_address: `10.${r.int(0, 255)}.${r.int(0, 255)}.${r.int(4, 254)}`,
        private_ip_addresses: [],
        public_ip_address: '',
        resource_group_name: rg,
        size: r.pick(['Standard_B2s', 'Standard_D2s_v5', 'Standard_D4s_v5']),
        source_image_reference: [
          {
            offer: '0001-com-ubuntu-server-jammy',
            publisher: 'Canonical',
            sku: '22_04-lts-gen2',
            version: 'latest',
          },
        ],
        tags: tagsOf(c, name),
        timeouts: null,
        virtual_machine_id: `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
        zone: '',
      };
    },
    update: (v, r) => {
      v.size = r.pick(['Standard_D8s_v5', 'Standard_E4s_v5']);
      bumpTag(v, r);
    },
    forcesNew: 'name',
  },
  azurerm_role_assignment: {
    type: 'azurerm_role_assignment',
    provider: 'azurerm',
    computed: ['id', 'name', 'principal_type', 'role_definition_id'],
    values: (r, c) => {
      const name = `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`;
      const scope = `/subscriptions/${SUB}/resourceGroups/rg-${c.team}-${c.env}`;
      return {
        condition: '',
        condition_version: '',
        delegated_managed_identity_resource_id: '',
        description: '',
        id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
        name,
        principal_id: `${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
        principal_type: 'ServicePrincipal',
        role_definition_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${r.hex(8)}-${r.hex(4)}-${r.hex(4)}-${r.hex(4)}-${r.hex(12)}`,
        role_definition_name: r.pick(['Reader', 'Contributor', 'Storage Blob Data Reader']),
        scope,
        skip_service_principal_aad_check: false,
        timeouts: null,
      };
    },
    update: () => undefined,
    forcesNew: 'scope',
  },
  azurerm_key_vault_secret: {
    type: 'azurerm_key_vault_secret',
    provider: 'azurerm',
    computed: ['id', 'resource_id', 'resource_versionless_id', 'version', 'versionless_id'],
    sensitive: ['value'],
    values: (r, c) => {
      const vault = `https://kv-${c.team}-${c.env}.vault.azure.net`;
      const name = `${c.key}-secret`;
      const version = r.hex(32);
      return {
        content_type: 'text/plain',
        expiration_date: null,
        id: `${vault}/secrets/${name}/${version}`,
        key_vault_id: `/subscriptions/${SUB}/resourceGroups/rg-${c.team}-${c.env}/providers/Microsoft.KeyVault/vaults/kv-${c.team}-${c.env}`,
        name,
        not_before_date: null,
        resource_id: `/subscriptions/${SUB}/resourceGroups/rg-${c.team}-${c.env}/providers/Microsoft.KeyVault/vaults/kv-${c.team}-${c.env}/secrets/${name}/versions/${version}`,
        resource_versionless_id: `/subscriptions/${SUB}/resourceGroups/rg-${c.team}-${c.env}/providers/Microsoft.KeyVault/vaults/kv-${c.team}-${c.env}/secrets/${name}`,
        tags: {},
        timeouts: null,
        value: r.hex(32),
        version,
        versionless_id: `${vault}/secrets/${name}`,
      };
    },
    update: (v, r) => {
      v.value = r.hex(32);
    },
    forcesNew: 'name',
  },
  azurerm_network_security_rule: {
    type: 'azurerm_network_security_rule',
    provider: 'azurerm',
    computed: ['id'],
    values: (r, c) => {
      const name = `allow-${c.key}`;
      return {
        access: 'Allow',
        description: '',
        destination_address_prefix: '*',
        destination_address_prefixes: [],
        destination_application_security_group_ids: [],
        destination_port_range: String(r.pick([443, 8443, 5432])),
        destination_port_ranges: [],
        direction: 'Inbound',
        id: `/subscriptions/${SUB}/resourceGroups/rg-${c.team}-${c.env}/providers/Microsoft.Network/networkSecurityGroups/nsg-${c.team}/securityRules/${name}`,
        name,
        network_security_group_name: `nsg-${c.team}`,
        priority: r.int(100, 4000),
        protocol: 'Tcp',
        resource_group_name: `rg-${c.team}-${c.env}`,
        source_address_prefix: r.chance(0.02) ? 'Internet' : 'VirtualNetwork',
        source_address_prefixes: [],
        source_application_security_group_ids: [],
        source_port_range: '*',
        source_port_ranges: [],
        timeouts: null,
      };
    },
    update: (v, r) => {
      v.priority = r.int(100, 4000);
    },
    forcesNew: 'name',
  },
  kubernetes_namespace_v1: {
    type: 'kubernetes_namespace_v1',
    provider: 'kubernetes',
    computed: ['id'],
    values: (r, c) => ({
      id: `${c.team}-${c.key}`,
      metadata: k8sMeta(c, `${c.team}-${c.key}`, r),
      timeouts: null,
      wait_for_default_service_account: false,
    }),
    update: (v, r) => {
      const m = { ...((v.metadata as Obj[])[0] as Obj) };
      m.annotations = { 'applygate.dev/revision': String(r.int(1, 99)) };
      v.metadata = [m];
    },
    forcesNew: 'id',
  },
  kubernetes_deployment_v1: {
    type: 'kubernetes_deployment_v1',
    provider: 'kubernetes',
    computed: ['id'],
    values: (r, c) => {
      const name = `${c.key}-${r.pick(['api', 'web', 'worker'])}`;
      return {
        id: `${c.team}-${c.env}/${name}`,
        metadata: k8sMeta(c, name, r),
        spec: [
          {
            min_ready_seconds: 0,
            paused: false,
            progress_deadline_seconds: 600,
            replicas: String(r.pick([1, 2, 3, 6])),
            revision_history_limit: 10,
            selector: [{ match_expressions: [], match_labels: { 'app.kubernetes.io/name': name } }],
            strategy: [
              {
                rolling_update: [{ max_surge: '25%', max_unavailable: '25%' }],
                type: 'RollingUpdate',
              },
            ],
            template: [
              {
                metadata: [
                  {
                    annotations: {},
                    generate_name: '',
                    generation: 0,
                    labels: { 'app.kubernetes.io/name': name },
                    name: '',
                    namespace: '',
                    resource_version: '',
                    uid: '',
                  },
                ],
                spec: [
                  {
                    container: [
                      {
                        args: [],
                        command: [],
                        env: [
                          { name: 'LOG_LEVEL', value: 'info', value_from: [] },
                          { name: 'TEAM', value: c.team, value_from: [] },
                        ],
                        image: `europe-docker.pkg.dev/${c.project}/apps/${name}:${r.hex(12)}`,
                        image_pull_policy: 'IfNotPresent',
                        name,
                        port: [
                          {
                            container_port: 8080,
                            host_ip: '',
                            host_port: 0,
                            name: 'http',
                            protocol: 'TCP',
                          },
                        ],
                        resources: [
                          {
                            limits: { cpu: '1', memory: '512Mi' },
                            requests: { cpu: '250m', memory: '256Mi' },
                          },
                        ],
                        security_context: [],
                        stdin: false,
                        termination_message_path: '/dev/termination-log',
                        tty: false,
                        working_dir: '',
                      },
                    ],
                    dns_policy: 'ClusterFirst',
                    restart_policy: 'Always',
                    service_account_name: c.team,
                    termination_grace_period_seconds: 30,
                  },
                ],
              },
            ],
          },
        ],
        timeouts: null,
        wait_for_rollout: true,
      };
    },
    update: (v, r) => {
      const spec = { ...((v.spec as Obj[])[0] as Obj) };
      spec.replicas = String(r.pick([4, 8, 12]));
      v.spec = [spec];
    },
    forcesNew: 'id',
  },
  kubernetes_secret_v1: {
    type: 'kubernetes_secret_v1',
    provider: 'kubernetes',
    computed: ['id'],
    sensitive: ['data'],
    values: (r, c) => ({
      binary_data: null,
      data: { username: 'app', password: r.hex(24) },
      id: `${c.team}-${c.env}/${c.key}-credentials`,
      immutable: false,
      metadata: k8sMeta(c, `${c.key}-credentials`, r),
      timeouts: null,
      type: 'Opaque',
      wait_for_service_account_token: true,
    }),
    update: (v, r) => {
      v.data = { username: 'app', password: r.hex(24) };
    },
    forcesNew: 'id',
  },
  kubernetes_config_map_v1: {
    type: 'kubernetes_config_map_v1',
    provider: 'kubernetes',
    computed: ['id'],
    values: (r, c) => ({
      binary_data: null,
      data: {
        'app.properties': `team=${c.team}\nenv=${c.env}\npool=${r.int(2, 64)}\n`,
        LOG_FORMAT: 'json',
      },
      id: `${c.team}-${c.env}/${c.key}-config`,
      immutable: false,
      metadata: k8sMeta(c, `${c.key}-config`, r),
    }),
    update: (v, r) => {
      v.data = { 'app.properties': `team=x\npool=${r.int(2, 64)}\n`, LOG_FORMAT: 'json' };
    },
    forcesNew: 'id',
  },
};

/** Resource types each kind of module is made of, with weights (small resources dominate). */
const PROFILES: Record<string, [string, number][]> = {
  aws: [
    ['aws_instance', 1],
    ['aws_db_instance', 1],
    ['aws_s3_bucket', 2],
    ['aws_security_group', 1],
    ['aws_iam_role_policy_attachment', 10],
    ['aws_route53_record', 8],
    ['aws_sqs_queue', 2],
    ['aws_secretsmanager_secret_version', 1],
    ['aws_iam_policy_document', 2],
  ],
  google: [
    ['google_compute_instance', 1],
    ['google_sql_database_instance', 1],
    ['google_storage_bucket', 1],
    ['google_project_iam_member', 14],
    ['google_compute_firewall', 2],
  ],
  azure: [
    ['azurerm_resource_group', 1],
    ['azurerm_storage_account', 1],
    ['azurerm_linux_virtual_machine', 1],
    ['azurerm_role_assignment', 12],
    ['azurerm_key_vault_secret', 3],
    ['azurerm_network_security_rule', 3],
  ],
  kubernetes: [
    ['kubernetes_namespace_v1', 1],
    ['kubernetes_deployment_v1', 1],
    ['kubernetes_secret_v1', 2],
    ['kubernetes_config_map_v1', 6],
  ],
};
const PROFILE_NAMES = Object.keys(PROFILES);

/** The `secrets` mix: small resources whose values the providers mark sensitive. */
const SECRET_TYPES: [string, number][] = [
  ['aws_secretsmanager_secret_version', 3],
  ['azurerm_key_vault_secret', 2],
  ['kubernetes_secret_v1', 2],
];
const PROVIDER_ADDR: Record<Template['provider'], string> = {
  aws: 'registry.terraform.io/hashicorp/aws',
  google: 'registry.terraform.io/hashicorp/google',
  azurerm: 'registry.terraform.io/hashicorp/azurerm',
  kubernetes: 'registry.terraform.io/hashicorp/kubernetes',
};

// ---------------------------------------------------------------------------------------------
// Modules and instances

type Kind =
  'create' | 'update' | 'delete' | 'replace' | 'replace-cbd' | 'no-op' | 'read' | 'move' | 'import';

interface Instance {
  address: string;
  /** Module address, or '' for the root module. */
  module: string;
  /** Resource block address inside its module (`aws_s3_bucket.this`), for the configuration. */
  block: string;
  index?: number | string;
  t: Template;
  name: string;
  kind: Kind;
  before: Obj | null;
  after: Obj | null;
  reason?: string;
}

interface ModulePlan {
  address: string;
  /** The module's own instances and its child's, sorted by address. */
  instances: Instance[];
  child?: string;
}

const ENVS = ['prod', 'staging', 'dev'] as const;
const REGIONS = ['eu-west-1', 'us-east-1', 'europe-west1', 'us-central1'] as const;

function moduleName(i: number, profile: string, r: R): string {
  return `team_${String(i).padStart(5, '0')}_${r.word()}_${profile}`;
}

function pickWeighted(r: R, table: [string, number][]): string {
  const total = table.reduce((a, [, w]) => a + w, 0);
  let x = r.next() * total;
  for (const [k, w] of table) {
    x -= w;
    if (x < 0) return k;
  }
  return table[table.length - 1]![0];
}

function kindFor(mood: string, r: R, data: boolean): Kind {
  if (data) return 'read';
  switch (mood) {
    case 'new':
      return 'create';
    case 'teardown':
      return 'delete';
    case 'rotate':
      return r.chance(0.85) ? 'update' : 'create';
    case 'refactor':
      return r.chance(0.6) ? 'move' : r.chance(0.2) ? 'import' : 'update';
    case 'quiet': {
      const x = r.next();
      return x < 0.95 ? 'no-op' : x < 0.985 ? 'update' : x < 0.995 ? 'replace' : 'delete';
    }
    default: {
      const x = r.next();
      return x < 0.62
        ? 'no-op'
        : x < 0.9
          ? 'update'
          : x < 0.93
            ? 'replace'
            : x < 0.95
              ? 'replace-cbd'
              : x < 0.98
                ? 'delete'
                : 'create';
    }
  }
}

/** Every instance of module `m`, regenerated from the module's own seed. */
function buildModule(
  seed: number,
  m: number,
  count: number,
  mix: GenerateOptions['mix'] = 'realistic',
): ModulePlan {
  const r = new R(rng((seed * 1_000_003 + m * 7919) >>> 0));
  const secrets = mix === 'secrets';
  const profile = secrets ? 'secrets' : r.pick(PROFILE_NAMES);
  const types = secrets ? SECRET_TYPES : PROFILES[profile]!;
  const mod = `module.${moduleName(m, profile, r)}`;
  const x = r.next();
  const mood = secrets
    ? 'rotate'
    : mix === 'quiet'
      ? 'quiet'
      : x < 0.7
        ? 'steady'
        : x < 0.88
          ? 'new'
          : x < 0.95
            ? 'teardown'
            : 'refactor';
  const ctx: Omit<Ctx, 'key'> = {
    team: mod.slice(7).replace(/_/g, '-').slice(0, 24),
    env: r.pick(ENVS),
    region: r.pick(REGIONS),
    project: `acme-${r.word()}-${r.hex(4)}`,
  };
  const child = r.chance(0.3)
    ? `${mod}.module.${r.pick(['db', 'network', 'iam', 'workload'])}`
    : undefined;
  const instances: Instance[] = [];
  let made = 0;
  let block = 0;
  while (made < count) {
    const type = pickWeighted(r, types);
    const t = TEMPLATES[type]!;
    const data = t.mode === 'data';
    const name = `${r.word()}_${block++}`;
    const inChild = child !== undefined && r.chance(0.3);
    const module = inChild ? child : mod;
    const style = r.next();
    const keys: (number | string | undefined)[] =
      style < 0.4
        ? [undefined]
        : style < 0.75
          ? Array.from({ length: r.int(2, 6) }, (_, i) => i)
          : Array.from({ length: r.int(2, 5) }, (_, i) => `${r.word()}-${i}`);
    for (const key of keys) {
      if (made >= count) break;
      made++;
      const blockAddr = `${data ? 'data.' : ''}${type}.${name}`;
      const idx =
        key === undefined ? '' : typeof key === 'number' ? `[${key}]` : `[${JSON.stringify(key)}]`;
      const kind = kindFor(mood, r, data);
      const values = sorted(
        t.values(r, {
          ...ctx,
          key: `${name.replace(/_/g, '-')}${key === undefined ? '' : `-${key}`}`,
        }),
      ) as Obj;
      let before: Obj | null = values;
      let after: Obj | null = values;
      if (kind === 'create' || kind === 'read') before = null;
      if (kind === 'delete') after = null;
      if (kind === 'update' || kind === 'import') {
        after = { ...values };
        t.update(after, r);
        after = sorted(after) as Obj;
      }
      if (kind === 'replace' || kind === 'replace-cbd') {
        after = { ...values, [t.forcesNew]: `${scalarText(values[t.forcesNew])}-v2` };
      }
      const reason =
        kind === 'replace' || kind === 'replace-cbd'
          ? r.chance(0.2)
            ? 'replace_because_tainted'
            : 'replace_because_cannot_update'
          : kind === 'delete' && !data
            ? r.pick(['delete_because_no_resource_config', 'delete_because_count_index', undefined])
            : kind === 'read'
              ? r.chance(0.3)
                ? 'read_because_config_unknown'
                : undefined
              : undefined;
      instances.push({
        address: `${module}.${blockAddr}${idx}`,
        module,
        block: blockAddr,
        ...(key === undefined ? {} : { index: key }),
        t,
        name,
        kind,
        before,
        after,
        ...(reason ? { reason } : {}),
      });
    }
  }
  instances.sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  return { address: mod, instances, ...(child ? { child } : {}) };
}

/** Resources per module: 8 to 40, so module count grows with plan size. */
function moduleSizes(total: number, seed: number): number[] {
  const r = new R(rng(seed ^ 0x5eed));
  const sizes: number[] = [];
  let left = total;
  while (left > 0) {
    const n = Math.min(left, r.int(8, 40));
    sizes.push(n);
    left -= n;
  }
  return sizes;
}

// ---------------------------------------------------------------------------------------------
// JSON pieces

/** Keys in sorted order at every level, as Terraform prints attribute values (cty sorts them). */
function sorted(v: Json): Json {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(sorted);
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sorted(v[k] as Json);
  return out;
}

/** The Terraform-style mask of a value: containers mirrored, sensitive attributes `true`. */
function maskOf(v: Json, sensitive: readonly string[] = []): Json {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.map((x) => maskOf(x));
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (sensitive.includes(k)) out[k] = true;
    else if (x !== null && typeof x === 'object') out[k] = maskOf(x);
  }
  return out;
}

function omit(v: Obj, keys: readonly string[]): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!keys.includes(k)) out[k] = x;
  return out;
}

function unknownOf(after: Obj, computed: readonly string[]): Obj {
  const out = maskOf(after) as Obj;
  for (const k of computed) out[k] = true;
  return out;
}

function providerOf(i: Instance): string {
  return PROVIDER_ADDR[i.t.provider];
}

function common(i: Instance): string {
  return (
    `"address":${JSON.stringify(i.address)},` +
    (i.module ? `"module_address":${JSON.stringify(i.module)},` : '') +
    `"mode":"${i.t.mode ?? 'managed'}","type":"${i.t.type}","name":"${i.name}",` +
    (i.index === undefined ? '' : `"index":${JSON.stringify(i.index)},`) +
    `"provider_name":"${providerOf(i)}"`
  );
}

function actionsOf(kind: Kind): string[] {
  switch (kind) {
    case 'replace':
      return ['delete', 'create'];
    case 'replace-cbd':
      return ['create', 'delete'];
    case 'move':
    case 'import':
      return kind === 'import' ? ['update'] : ['no-op'];
    default:
      return [kind];
  }
}

function resourceChangeJson(i: Instance): string {
  const sens = i.t.sensitive ?? [];
  const creating =
    i.kind === 'create' || i.kind === 'read' || i.kind === 'replace' || i.kind === 'replace-cbd';
  const after = i.after === null ? null : creating ? omit(i.after, i.t.computed) : i.after;
  const change: Obj = {
    actions: actionsOf(i.kind),
    before: i.before,
    after,
    after_unknown:
      i.after === null
        ? {}
        : creating
          ? sorted(unknownOf(after as Obj, i.t.computed))
          : maskOf(i.after),
    before_sensitive: i.before === null ? false : maskOf(i.before, sens),
    after_sensitive: i.after === null ? false : maskOf(i.after, sens),
  };
  if (i.kind === 'replace' || i.kind === 'replace-cbd') change.replace_paths = [[i.t.forcesNew]];
  if (i.kind === 'import') change.importing = { id: scalarText((i.before as Obj).id ?? i.address) };
  return (
    `{${common(i)},` +
    (i.kind === 'move'
      ? `"previous_address":${JSON.stringify(i.address.replace(/\.(\w+)_(\d+)/, '.$1_old_$2'))},`
      : '') +
    `"change":${JSON.stringify(change)}` +
    (i.reason ? `,"action_reason":"${i.reason}"` : '') +
    '}'
  );
}

function stateResourceJson(i: Instance, values: Obj, planned: boolean): string {
  const sens = i.t.sensitive ?? [];
  const v =
    planned && (i.kind === 'create' || i.kind === 'replace' || i.kind === 'replace-cbd')
      ? omit(values, i.t.computed)
      : values;
  return `{${common(i)},"schema_version":${i.t.provider === 'google' ? 1 : 0},"values":${JSON.stringify(v)},"sensitive_values":${JSON.stringify(maskOf(v, sens))}}`;
}

function configResourceJson(i: Instance, key: string): string {
  const expr: Obj = {};
  let n = 0;
  for (const k of Object.keys(i.after ?? i.before ?? {})) {
    if (i.t.computed.includes(k) || n++ >= 4) continue;
    expr[k] = n % 2 ? { references: [`var.${k}`] } : { constant_value: `\${${k}}` };
  }
  const count =
    i.index === undefined
      ? ''
      : typeof i.index === 'number'
        ? ',"count_expression":{"constant_value":3}'
        : ',"for_each_expression":{"references":["var.items"]}';
  return `{"address":${JSON.stringify(i.block)},"mode":"${i.t.mode ?? 'managed'}","type":"${i.t.type}","name":"${i.name}","provider_config_key":"${key}","expressions":${JSON.stringify(expr)},"schema_version":0${count}}`;
}

// ---------------------------------------------------------------------------------------------
// The document

const OUTPUTS = 40;

/** Writes the plan to `sink`, section by section, in the order Terraform writes them. */
export function generatePlan(sink: Sink, opts: GenerateOptions): Omit<GenerateResult, 'bytes'> {
  const seed = opts.seed ?? 1;
  const sizes = moduleSizes(opts.resources, seed);
  const modules = (fn: (m: ModulePlan, index: number) => void) => {
    sizes.forEach((n, i) => fn(buildModule(seed, i, n, opts.mix), i));
  };
  const list = (items: Iterable<string>): void => {
    let first = true;
    for (const s of items) {
      sink.write(first ? s : `,${s}`);
      first = false;
    }
  };
  const actions: Record<string, number> = {};

  sink.write('{"format_version":"1.2","terraform_version":"1.9.8",');
  sink.write('"variables":{"environment":{"value":"prod"},"region":{"value":"eu-west-1"}},');

  // planned_values: every instance that exists after apply, grouped by module.
  const outputValue = (o: number) => `out-${o}.example.com`;
  sink.write('"planned_values":{"outputs":{');
  list(
    Array.from({ length: OUTPUTS }, (_, o) =>
      o % 5 === 0
        ? `"secret_${o}":{"sensitive":true}`
        : `"endpoint_${o}":{"sensitive":false,"value":"${outputValue(o)}"}`,
    ),
  );
  sink.write('},"root_module":{"child_modules":[');
  let firstModule = true;
  const grouped = (m: ModulePlan, pick: (i: Instance) => string | undefined) => {
    const own: string[] = [];
    const child: string[] = [];
    for (const i of m.instances) {
      const s = pick(i);
      if (s !== undefined) (i.module === m.address ? own : child).push(s);
    }
    return (
      `{"resources":[${own.join(',')}],"address":${JSON.stringify(m.address)}` +
      (m.child
        ? `,"child_modules":[{"resources":[${child.join(',')}],"address":${JSON.stringify(m.child)}}]`
        : '') +
      '}'
    );
  };
  modules((m) => {
    sink.write(
      (firstModule ? '' : ',') +
        grouped(m, (i) => (i.after ? stateResourceJson(i, i.after, true) : undefined)),
    );
    firstModule = false;
  });
  sink.write(']}},');

  // resource_drift: a few resources changed outside Terraform.
  sink.write('"resource_drift":[');
  let firstDrift = true;
  modules((m) => {
    for (const i of m.instances) {
      if (i.kind !== 'update' || i.t.mode === 'data' || i.before === null) continue;
      if (i.address.length % 23 !== 0) continue;
      const drifted = sorted({ ...i.before, tags: { drifted: 'true' } }) as Obj;
      sink.write(
        (firstDrift ? '' : ',') +
          `{${common(i)},"change":${JSON.stringify({
            actions: ['update'],
            before: i.before,
            after: drifted,
            after_unknown: {},
            before_sensitive: maskOf(i.before, i.t.sensitive),
            after_sensitive: maskOf(drifted, i.t.sensitive),
          })}}`,
      );
      firstDrift = false;
    }
  });
  sink.write('],');

  // resource_changes, sorted by address: modules are numbered so their order is the sort order.
  sink.write('"resource_changes":[');
  let firstChange = true;
  modules((m) => {
    for (const i of m.instances) {
      sink.write((firstChange ? '' : ',') + resourceChangeJson(i));
      firstChange = false;
      const k = i.kind === 'replace-cbd' ? 'replace' : i.kind === 'import' ? 'update' : i.kind;
      actions[k] = (actions[k] ?? 0) + 1;
    }
  });
  sink.write('],');

  sink.write('"output_changes":{');
  list(
    Array.from({ length: OUTPUTS }, (_, o) => {
      const sensitive = o % 5 === 0;
      const name = sensitive ? `secret_${o}` : `endpoint_${o}`;
      const change = o % 7 === 3 ? ['update'] : ['no-op'];
      const before = sensitive ? `s3cr3t-${o}` : outputValue(o);
      const after = o % 7 === 3 ? `${before}-v2` : before;
      return `"${name}":${JSON.stringify({ actions: change, before, after, after_unknown: false, before_sensitive: sensitive, after_sensitive: sensitive })}`;
    }),
  );
  sink.write('},');

  // prior_state: every instance that exists now.
  sink.write(
    '"prior_state":{"format_version":"1.0","terraform_version":"1.9.8","values":{"outputs":{',
  );
  list(
    Array.from({ length: OUTPUTS }, (_, o) =>
      o % 5 === 0
        ? `"secret_${o}":{"sensitive":true,"value":"s3cr3t-${o}","type":"string"}`
        : `"endpoint_${o}":{"sensitive":false,"value":"${outputValue(o)}","type":"string"}`,
    ),
  );
  sink.write('},"root_module":{"child_modules":[');
  firstModule = true;
  modules((m) => {
    sink.write(
      (firstModule ? '' : ',') +
        grouped(m, (i) => (i.before ? stateResourceJson(i, i.before, false) : undefined)),
    );
    firstModule = false;
  });
  sink.write(']}}},');

  // configuration: one entry per resource block (not per instance), one call per module.
  sink.write('"configuration":{"provider_config":{');
  list(
    Object.entries(PROVIDER_ADDR).map(
      ([k, full]) => `"${k}":{"name":"${k}","full_name":"${full}","version_constraint":"~> 5.0"}`,
    ),
  );
  sink.write('},"root_module":{"outputs":{');
  list(
    Array.from({ length: OUTPUTS }, (_, o) =>
      o % 5 === 0
        ? `"secret_${o}":{"sensitive":true,"expression":{"references":["module.x.secret"]}}`
        : `"endpoint_${o}":{"expression":{"references":["module.x.endpoint"]}}`,
    ),
  );
  sink.write('},"module_calls":{');
  let firstCall = true;
  modules((m) => {
    const blocks = new Map<string, Instance>();
    const childBlocks = new Map<string, Instance>();
    for (const i of m.instances) (i.module === m.address ? blocks : childBlocks).set(i.block, i);
    const name = m.address.slice('module.'.length);
    const key = (mod: string, i: Instance) => `${mod}:${i.t.provider}`;
    const childName = m.child?.split('.').pop();
    const call =
      `"${name}":{"source":"./modules/${name.split('_').pop()}","module":{"resources":[` +
      [...blocks.values()].map((i) => configResourceJson(i, key(name, i))).join(',') +
      ']' +
      (m.child
        ? `,"module_calls":{"${childName}":{"source":"./${childName}","module":{"resources":[${[
            ...childBlocks.values(),
          ]
            .map((i) => configResourceJson(i, key(`${name}.${childName}`, i)))
            .join(',')}]}}}`
        : '') +
      `},"expressions":{"team":{"constant_value":"${name}"}}}`;
    sink.write((firstCall ? '' : ',') + call);
    firstCall = false;
  });
  sink.write('}}},');

  sink.write('"relevant_attributes":[');
  list(
    Array.from(
      { length: 3 },
      (_, n) => `{"resource":"module.x.aws_s3_bucket.b${n}","attribute":["tags"]}`,
    ),
  );
  sink.write(
    '],"timestamp":"2026-11-20T21:14:03Z","applyable":true,"complete":true,"errored":false}',
  );
  return { resources: opts.resources, actions };
}

/** The plan as one string (tests; small sizes only). */
export function generatePlanText(opts: GenerateOptions): string {
  const parts: string[] = [];
  generatePlan({ write: (s) => void parts.push(s) }, opts);
  return parts.join('');
}

/** Writes the plan to a file with a buffered synchronous writer; memory stays flat. */
export function writePlanFile(path: string, opts: GenerateOptions): GenerateResult {
  const fd = openSync(path, 'w');
  let buf: string[] = [];
  let pending = 0;
  let bytes = 0;
  const flush = () => {
    if (pending === 0) return;
    const b = Buffer.from(buf.join(''), 'utf8');
    writeSync(fd, b);
    bytes += b.length;
    buf = [];
    pending = 0;
  };
  try {
    const res = generatePlan(
      {
        write: (s) => {
          buf.push(s);
          pending += s.length;
          if (pending >= 4 << 20) flush();
        },
      },
      opts,
    );
    flush();
    return { ...res, bytes };
  } finally {
    closeSync(fd);
  }
}
