// Example plans for the demo and the tests, in the exact shape `terraform show -json` writes
// (format 1.2, as Terraform 1.5+ prints it). Attribute names and value shapes follow real AWS
// provider output seen in the plan corpus (aws_db_instance, aws_vpc, aws_instance, ...); the
// values are ours. Nothing here is copied from a third-party file.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };

const PROVIDER = 'registry.terraform.io/hashicorp/aws';
const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

interface Res {
  type: string;
  name: string;
  index?: number;
  values: Obj;
  /** Attribute names Terraform's provider schema marks sensitive. */
  sensitive?: string[];
}

function address(r: Res): string {
  return `${r.type}.${r.name}${r.index === undefined ? '' : `[${r.index}]`}`;
}

function mask(r: Res): Obj {
  return Object.fromEntries((r.sensitive ?? []).map((k) => [k, true]));
}

function stateResource(r: Res): Obj {
  return {
    address: address(r),
    mode: 'managed',
    type: r.type,
    name: r.name,
    ...(r.index === undefined ? {} : { index: r.index }),
    provider_name: PROVIDER,
    schema_version: 0,
    values: r.values,
    sensitive_values: mask(r),
  };
}

function change(r: Res, actions: string[], extra: Obj = {}): Obj {
  const isCreate = actions.length === 1 && actions[0] === 'create';
  const isDelete = actions.length === 1 && actions[0] === 'delete';
  const computed = Object.fromEntries(
    ['id', 'arn'].filter((k) => k in r.values).map((k) => [k, true] as const),
  );
  const after = isDelete
    ? null
    : isCreate
      ? Object.fromEntries(Object.entries(r.values).filter(([k]) => !(k in computed)))
      : r.values;
  return {
    address: address(r),
    mode: 'managed',
    type: r.type,
    name: r.name,
    ...(r.index === undefined ? {} : { index: r.index }),
    provider_name: PROVIDER,
    change: {
      actions,
      before: isCreate ? null : r.values,
      after,
      after_unknown: isDelete ? {} : isCreate ? computed : {},
      before_sensitive: isCreate ? false : mask(r),
      after_sensitive: isDelete ? false : mask(r),
    },
    ...extra,
  };
}

function plan(resources: Obj[], prior: Res[] | null, opts: { outputs?: Obj } = {}): Obj {
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: resources,
    ...(opts.outputs ? { output_changes: opts.outputs } : {}),
    ...(prior
      ? {
          prior_state: {
            format_version: '1.0',
            terraform_version: '1.9.8',
            values: { root_module: { resources: prior.map(stateResource) } },
          },
        }
      : {}),
    configuration: {
      provider_config: { aws: { name: 'aws', full_name: PROVIDER } },
      root_module: {},
    },
    timestamp: '2026-11-20T21:14:03Z',
    applyable: true,
    complete: true,
    errored: false,
  };
}

const arn = (service: string, rest: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${rest}`;

/** The course platform from the incident: one site, everything a small SaaS runs on AWS. */
export function platform(site = 'courses'): Res[] {
  const vpcId = 'vpc-0a1b2c3d4e5f60718';
  const subnets: Res[] = [0, 1, 2, 3].map((i) => ({
    type: 'aws_subnet',
    name: i < 2 ? 'public' : 'private',
    index: i % 2,
    values: {
      id: `subnet-0${i}f1e2d3c4b5a6978`,
      arn: arn('ec2', `subnet/subnet-0${i}f1e2d3c4b5a6978`),
      vpc_id: vpcId,
      cidr_block: `10.0.${i}.0/24`,
      availability_zone: `${REGION}${'ab'[i % 2]}`,
      map_public_ip_on_launch: i < 2,
      tags: { Name: `${site}-${i < 2 ? 'public' : 'private'}-${i % 2}` },
    },
  }));
  return [
    {
      type: 'aws_vpc',
      name: 'main',
      values: {
        id: vpcId,
        arn: arn('ec2', `vpc/${vpcId}`),
        cidr_block: '10.0.0.0/16',
        enable_dns_hostnames: true,
        enable_dns_support: true,
        instance_tenancy: 'default',
        tags: { Name: `${site}-vpc` },
      },
    },
    ...subnets,
    {
      type: 'aws_internet_gateway',
      name: 'main',
      values: { id: 'igw-0123456789abcdef0', vpc_id: vpcId, tags: { Name: `${site}-igw` } },
    },
    {
      type: 'aws_security_group',
      name: 'db',
      values: {
        id: 'sg-0db0db0db0db0db00',
        name: `${site}-db`,
        vpc_id: vpcId,
        ingress: [
          {
            from_port: 5432,
            to_port: 5432,
            protocol: 'tcp',
            cidr_blocks: ['10.0.0.0/16'],
            ipv6_cidr_blocks: [],
            description: 'postgres from the VPC',
            prefix_list_ids: [],
            security_groups: [],
            self: false,
          },
        ],
        egress: [],
        revoke_rules_on_delete: false,
      },
    },
    {
      type: 'aws_db_subnet_group',
      name: 'main',
      values: {
        id: `${site}-db`,
        name: `${site}-db`,
        subnet_ids: subnets.slice(2).map((s) => s.values.id as string),
      },
    },
    {
      type: 'aws_db_instance',
      name: 'main',
      values: {
        id: `db-${site.toUpperCase()}PRODABCDEFG`,
        arn: arn('rds', `db:${site}-prod`),
        identifier: `${site}-prod`,
        engine: 'postgres',
        engine_version: '15.4',
        instance_class: 'db.t3.medium',
        allocated_storage: 100,
        storage_encrypted: true,
        db_name: 'courses',
        username: 'app',
        password: 'hunter2-not-a-real-password',
        backup_retention_period: 7,
        backup_window: '03:00-04:00',
        // The provider's defaults, as the incident had them: backups go with the instance,
        // and the final snapshot was switched off to let the destroy through.
        delete_automated_backups: true,
        skip_final_snapshot: true,
        final_snapshot_identifier: null,
        deletion_protection: false,
        multi_az: false,
        publicly_accessible: false,
        db_subnet_group_name: `${site}-db`,
        vpc_security_group_ids: ['sg-0db0db0db0db0db00'],
        tags: { Name: `${site}-prod` },
      },
      sensitive: ['password'],
    },
    {
      type: 'aws_s3_bucket',
      name: 'uploads',
      values: {
        id: `${site}-student-uploads`,
        arn: `arn:aws:s3:::${site}-student-uploads`,
        bucket: `${site}-student-uploads`,
        force_destroy: false,
        tags: { Name: `${site}-uploads` },
      },
    },
    {
      type: 'aws_ecs_cluster',
      name: 'app',
      values: { id: arn('ecs', `cluster/${site}`), arn: arn('ecs', `cluster/${site}`), name: site },
    },
    {
      type: 'aws_ecs_service',
      name: 'web',
      values: {
        id: arn('ecs', `service/${site}/web`),
        name: 'web',
        cluster: arn('ecs', `cluster/${site}`),
        desired_count: 2,
        launch_type: 'FARGATE',
      },
    },
    ...(['web', 'api'] as const).map((n) => ({
      type: 'aws_lb',
      name: n,
      values: {
        id: arn('elasticloadbalancing', `loadbalancer/app/${site}-${n}/50dc6c495c0c9188`),
        arn: arn('elasticloadbalancing', `loadbalancer/app/${site}-${n}/50dc6c495c0c9188`),
        name: `${site}-${n}`,
        internal: false,
        load_balancer_type: 'application',
        enable_deletion_protection: false,
        subnets: subnets.slice(0, 2).map((s) => s.values.id as string),
      },
    })),
    {
      type: 'aws_lb_listener',
      name: 'https',
      values: {
        id: arn(
          'elasticloadbalancing',
          `listener/app/${site}-web/50dc6c495c0c9188/f2f7dc8efc522ab2`,
        ),
        port: 443,
        protocol: 'HTTPS',
      },
    },
    {
      type: 'aws_instance',
      name: 'bastion',
      values: {
        id: 'i-0bad5ea7b0a57ion1',
        arn: arn('ec2', 'instance/i-0bad5ea7b0a57ion1'),
        ami: 'ami-0ff8a91507f77f867',
        instance_type: 't3.micro',
        subnet_id: subnets[0]!.values.id as string,
        disable_api_termination: false,
        tags: { Name: `${site}-bastion` },
      },
    },
  ];
}

/** PR "clean up duplicates": the real state is back, and the plan destroys all of it. */
export function incidentDestroyPlan(): Obj {
  const prior = platform();
  return plan(
    prior.map((r) => change(r, ['delete'], { action_reason: 'delete_because_no_resource_config' })),
    prior,
    {
      outputs: {
        db_endpoint: {
          actions: ['delete'],
          before: 'courses-prod.abc.eu-west-1.rds.amazonaws.com:5432',
          after: null,
          after_unknown: false,
          before_sensitive: false,
          after_sensitive: false,
        },
      },
    },
  );
}

/** PR "add the second site": the state is missing, so the plan creates everything again. */
export function missingStatePlan(
  sites = ['courses', 'academy', 'shop', 'blog', 'docs', 'status'],
): Obj {
  const all = sites.flatMap((site) =>
    platform(site).map((r) => ({ ...r, name: `${site.replace(/-/g, '_')}_${r.name}` })),
  );
  return plan(
    all.map((r) => change(r, ['create'])),
    null,
  );
}

/** A routine change: two new subnets and a tag update, nothing destroyed. */
export function createsOnlyPlan(): Obj {
  const p = platform();
  const subnets = p
    .filter((r) => r.type === 'aws_subnet')
    .slice(0, 2)
    .map((r) => ({ ...r, name: 'extra' }));
  return plan(
    subnets.map((r) => change(r, ['create'])),
    p,
  );
}

/** A state file (terraform.tfstate), which is not a plan. */
export function stateFile(): Obj {
  return {
    version: 4,
    terraform_version: '1.9.8',
    serial: 42,
    lineage: '3f6a1c2e-9d8b-4a7f-b1c2-0e9d8c7b6a59',
    outputs: {},
    resources: platform().map((r) => ({
      mode: 'managed',
      type: r.type,
      name: r.name,
      provider: `provider["${PROVIDER}"]`,
      instances: [{ schema_version: 0, attributes: r.values }],
    })),
    check_results: null,
  };
}
