// `node --import tsx tools/bench/capacity.ts [--lib DIR]`: how many destroys the summary comment
// can list, every address, under GitHub's 65,536 characters. For three address shapes (short,
// in a module, long) and two plans (every destroy the same action, as `terraform destroy` or a
// removed module gives; deletes and replaces alternating), the largest destroy count whose
// comment still has no "…and N more destroys/replaces not shown" line, by binary search.
//
// --lib DIR measures another build's renderer (DIR holds core/, as lib/ does after
// `npm run build`): point it at a build of an older commit to compare before and after.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { log, type Row } from './row.js';

// Imported by `npm run bench`, whose own options are not ours: parse argv only when run directly.
const direct = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
const lib = direct ? parseArgs({ options: { lib: { type: 'string' } } }).values.lib : undefined;
const root = lib ? pathToFileURL(resolve(lib)).href : new URL('../../src/', import.meta.url).href;
const ext = lib ? '.js' : '.ts';
const load = async <T>(path: string): Promise<T> => (await import(`${root}/${path}${ext}`)) as T;

type Parse = (
  text: string,
  file: string,
) => { ok: true; plan: unknown } | { ok: false; error: { message: string } };
const { parsePlan } = await load<{ parsePlan: Parse }>('core/plan/index');
const { buildReport } = await load<{ buildReport: (i: unknown[], c: unknown) => unknown }>(
  'core/report',
);
const { DEFAULT_CONFIG } = await load<{ DEFAULT_CONFIG: unknown }>('core/config');
const { renderMarkdown } = await load<{ renderMarkdown: (r: unknown, o: unknown) => string }>(
  'core/render/index',
);

const SHAPES: Record<string, (i: number) => { type: string; name: string; address: string }> = {
  'short (aws_instance.web[0])': (i) => ({
    type: 'aws_instance',
    name: 'web',
    address: `aws_instance.web[${i}]`,
  }),
  'module (48 characters)': (i) => ({
    type: 'aws_subnet',
    name: 'private',
    address: `module.network.aws_subnet.private["eu-west-1-${i}"]`,
  }),
  'long (93 characters)': (i) => ({
    type: 'aws_iam_role_policy_attachment',
    name: 'node',
    address: `module.platform.module.eks.aws_iam_role_policy_attachment.node["AmazonEKSWorkerNodePolicy-${i}"]`,
  }),
};

function planText(n: number, shape: string, mixed: boolean): string {
  const changes = Array.from({ length: n }, (_, i) => {
    const s = SHAPES[shape]!(i);
    const replace = mixed && i % 2 === 1;
    return {
      address: s.address,
      mode: 'managed',
      type: s.type,
      name: s.name,
      provider_name: 'registry.terraform.io/hashicorp/aws',
      change: {
        actions: replace ? ['delete', 'create'] : ['delete'],
        before: { id: `id-${i}` },
        after: replace ? { id: `id-${i}` } : null,
        after_unknown: {},
        before_sensitive: {},
        after_sensitive: replace ? {} : false,
      },
      action_reason: replace ? 'replace_because_tainted' : 'delete_because_no_resource_config',
    };
  });
  return JSON.stringify({
    format_version: '1.2',
    terraform_version: '1.9.8',
    resource_changes: changes,
    prior_state: {
      format_version: '1.0',
      values: {
        root_module: {
          resources: changes.map((c) => ({
            address: c.address,
            mode: 'managed',
            type: c.type,
            name: c.name,
            values: {},
          })),
        },
      },
    },
  });
}

function listsEvery(n: number, shape: string, mixed: boolean): boolean {
  const parsed = parsePlan(planText(n, shape, mixed), 'plan.json');
  if (!parsed.ok) throw new Error(parsed.error.message);
  const report = buildReport([{ name: 'default', plan: parsed.plan }], DEFAULT_CONFIG);
  const md = renderMarkdown(report, { marker: { headSha: 'a'.repeat(40), runId: 1 } });
  if (md.length > 65_536) throw new Error(`${md.length} characters`);
  return !/more destroys\/replaces not shown|too long for one comment/.test(md);
}

function largest(shape: string, mixed: boolean): number {
  let lo = 1;
  let hi = 1024;
  while (listsEvery(hi, shape, mixed)) [lo, hi] = [hi, hi * 2];
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (listsEvery(mid, shape, mixed)) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function capacityRows(): Row[] {
  const rows: Row[] = [];
  for (const mixed of [false, true]) {
    for (const shape of Object.keys(SHAPES)) {
      const n = largest(shape, mixed);
      const what = `Comment: destroys listed in full, ${shape}, ${mixed ? 'deletes and replaces' : 'one shared action'}`;
      log(`${what}: ${n}`);
      rows.push({ what, measured: n.toLocaleString('en'), target: '—', met: undefined });
    }
  }
  return rows;
}

if (direct) {
  console.log('| Measure | Measured |\n|---|---|');
  for (const r of capacityRows()) console.log(`| ${r.what} | ${r.measured} |`);
}
