// A `terraform show -json` plan whose addresses and values try everything that could break out
// of the summary comment: tags that run script, a closing </details>, comment ends, backticks,
// pipes, markdown emphasis and table rules, mentions. Each would set window.__pwned if it ran.

export const PAYLOAD =
  '<script>window.__pwned="script"</script><img src=x onerror="window.__pwned=\'img\'">' +
  ' </details> --> <!-- ` `` | **bold** |---| @octocat @acme/platform';

/** Shorter, for map keys in addresses (the address is shown whole, up to 500 characters). */
export const KEY = '</details><img src=x onerror=window.__pwned=1>`|@octocat';

type Obj = Record<string, unknown>;

function rc(
  address: string,
  type: string,
  actions: string[],
  before: Obj | null,
  after: Obj | null,
) {
  return {
    address,
    mode: 'managed',
    type,
    name: 'x',
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: {
      actions,
      before,
      after,
      after_unknown: {},
      before_sensitive: {},
      after_sensitive: {},
    },
  };
}

export const HOSTILE_CHANGES = [
  rc(
    `aws_db_instance.db["${KEY}"]`,
    'aws_db_instance',
    ['delete'],
    {
      identifier: PAYLOAD,
      engine: 'postgres',
      skip_final_snapshot: true,
    },
    null,
  ),
  rc(
    'module.`x|y`.aws_instance.web',
    'aws_instance',
    ['delete', 'create'],
    { ami: 'ami-1', instance_type: 't3.micro' },
    { ami: PAYLOAD, instance_type: 't3.micro' },
  ),
  rc(`aws_s3_bucket.b["${KEY}"]`, 'aws_s3_bucket', ['create'], null, { bucket: PAYLOAD }),
  rc('aws_iam_role.r', 'aws_iam_role', ['update'], { policy: '{}' }, { policy: PAYLOAD }),
];

export function hostilePlan(): Obj {
  return {
    format_version: '1.2',
    terraform_version: '1.9.8',
    planned_values: { root_module: {} },
    resource_changes: HOSTILE_CHANGES,
    prior_state: {
      format_version: '1.0',
      values: {
        root_module: {
          resources: ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => ({
            address: `null_resource.${n}`,
            mode: 'managed',
            type: 'null_resource',
            name: n,
            values: {},
          })),
        },
      },
    },
    applyable: true,
    complete: true,
    errored: false,
  };
}
